"""The observations table's derived query columns, and time as integer microseconds.

Every column of ``observations`` besides the entry bytes, its leaf hash and who signed it is
derived from the entry by :func:`index_columns`; ``corridor log verify`` derives them again and
compares (``corridor.recording.Ledger.verify`` walks INDEX_COLUMNS).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from corridor.model import Observation
from corridor.model.history import ATTESTATION, Entry, attested_id, superseded_id

__all__ = [
    "INDEX_COLUMNS",
    "STATE_FIELD",
    "IndexedBatch",
    "IndexedEntry",
    "Personal",
    "entry_of_columns",
    "entry_of_row",
    "from_us",
    "index_columns",
    "to_us",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def to_us(dt: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime."""
    return (dt - _EPOCH) // _US


def from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


INDEX_COLUMNS = (
    "type", "start_us", "end_us", "reporter", "route", "checkpoint", "place", "direction",
    "category", "state", "convoy", "supersedes", "attests",
)  # fmt: skip

STATE_FIELD = {
    "route_status": "status",
    "convoy": "state",
    "deployment": "status",
    "population": "kind",
    "attestation": "stance",
}
"""Per type, the body field stored in the ``state`` column (an enum: what the latest-per-key
queries of the situation select on; an attestation's stance)."""


Personal = tuple[tuple[str, bytes, Any], ...]
"""An entry's personal fields, kept beside the log: (field, salt, value) each."""


class IndexedEntry(NamedTuple):
    """A verified entry ready to be stored at the end of the log: its bytes, its observation's
    id, the query columns derived from it (in INDEX_COLUMNS order) and who signed it."""

    entry: bytes
    id: str
    columns: tuple[Any, ...]
    signers: tuple[str, ...]
    demo_signed: bool
    personal: Personal = ()
    names: Entry | None = None  # what it says of another entry, if it names one


class IndexedBatch(NamedTuple):
    """Verified entries ready to be stored at the end of the log, field by field: the fields of
    :class:`IndexedEntry`, a sequence each, entry i at position i of every one. A batch of many
    thousand entries is passed from admission to the store with no object made per entry
    (about half a microsecond an entry less than a named tuple each); ``personal`` is empty
    when no entry of the batch has personal fields."""

    entries: Sequence[bytes]
    ids: Sequence[str]
    columns: Sequence[tuple[Any, ...]]
    signers: Sequence[tuple[str, ...]]
    demo_signed: Sequence[bool]
    personal: Sequence[Personal]
    names: Sequence[Entry | None]

    @classmethod
    def of(cls, items: Iterable[IndexedEntry]) -> IndexedBatch:
        """The batch of these entries (one at a time, as tests and tools write them)."""
        items = list(items)
        personal = [i.personal for i in items]
        return cls(
            [i.entry for i in items],
            [i.id for i in items],
            [i.columns for i in items],
            [i.signers for i in items],
            [i.demo_signed for i in items],
            personal if any(personal) else [],
            [i.names for i in items],
        )

    @property
    def size(self) -> int:
        """How many entries the batch holds."""
        return len(self.entries)

    def item(self, i: int) -> IndexedEntry:
        """Entry ``i`` of the batch."""
        return IndexedEntry(
            self.entries[i],
            self.ids[i],
            self.columns[i],
            self.signers[i],
            self.demo_signed[i],
            self.personal[i] if self.personal else (),
            self.names[i],
        )

    def select(self, positions: Sequence[int]) -> IndexedBatch:
        """The batch of the entries at ``positions``, in that order."""
        return IndexedBatch.of(self.item(i) for i in positions)


def index_columns(obs: Observation) -> tuple[Any, ...]:
    """The query columns derived from an observation, in INDEX_COLUMNS order (checked again
    by log verification)."""
    b = obs.body.__dict__  # plain field values; fast, and None for fields a type lacks
    direction = b.get("direction")
    state_field = STATE_FIELD.get(obs.type)
    return (
        obs.type,
        to_us(obs.observed.start),
        to_us(obs.observed.end) if obs.observed.end is not None else None,
        obs.reporter,
        b.get("route"),
        b.get("checkpoint"),
        b.get("place"),
        None if direction is None else str(direction),
        str(b["category"]) if obs.type == "crossing" else None,
        None if state_field is None else str(b[state_field]),
        b.get("convoy"),
        superseded_id(obs),
        attested_id(obs),
    )


_TYPE, _REPORTER, _STATE = (INDEX_COLUMNS.index(k) for k in ("type", "reporter", "state"))
_SUPERSEDES, _ATTESTS = INDEX_COLUMNS.index("supersedes"), INDEX_COLUMNS.index("attests")


def entry_of_columns(oid: str, cols: tuple[Any, ...]) -> Entry:
    """What the history rule needs of an entry, from its index columns (INDEX_COLUMNS order;
    an attestation's field is not among them, nor needed of an entry already admitted)."""
    typ = cols[_TYPE]
    return Entry(
        oid, typ, cols[_REPORTER], cols[_SUPERSEDES], cols[_ATTESTS],
        cols[_STATE] if typ == ATTESTATION else None,
    )  # fmt: skip


def entry_of_row(r: Any) -> Entry:
    """:func:`entry_of_columns` of a row with id, type, reporter, supersedes, attests, state."""
    return Entry(
        r.id, r.type, r.reporter, r.supersedes, r.attests,
        r.state if r.type == ATTESTATION else None,
    )  # fmt: skip


PERIOD_META = "period_max_us:"
"""Meta key prefix: per type, the longest observed period (end - start, microseconds) on the
record; overlap queries bound their index range with it."""
