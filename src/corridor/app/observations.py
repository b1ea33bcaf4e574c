"""Observations: record (validate, sign, append), submit entries signed elsewhere (verify,
append), list with filters or follow the log from a cursor, show one."""

from __future__ import annotations

import builtins
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from corridor.errors import AccessError, InputError, VerificationError
from corridor.model import Observation
from corridor.store.api import AppendResult, Query, StoredObservation

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor

__all__ = ["MAX_SUBMISSION", "ObservationCases", "SignedEntry"]

#: The most entries one submission of signed entries may hold: one transaction, all or nothing.
MAX_SUBMISSION = 2000
#: Entries read from the database at a time when following the log.
FEED_PAGE = 1000


@dataclass(frozen=True)
class SignedEntry:
    """An entry signed by its reporter elsewhere, and the personal values it commits to that
    the reporter hands the record (field, salt, value); the log holds only the commitments."""

    entry: bytes
    personal: tuple[tuple[str, bytes, Any], ...] = ()


def _at(index: int, message: str) -> str:
    return f"entry {index} of the submission: {message}"


class ObservationCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def parse(
        self,
        items: Sequence[Mapping[str, Any]],
        *,
        where: Callable[[int], str | None] = lambda i: None,
    ) -> list[Observation]:
        """Validate raw observations and check their references against the record's registry
        (RecordError naming the item and field)."""
        registry = self.app.store.registry()
        return [registry.parse(item, where(i)) for i, item in enumerate(items)]

    def record(
        self,
        observations: Sequence[Observation],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> AppendResult:
        """Sign each observation with its reporter's key and append it to the log; one already
        on the record is a duplicate, not an error."""
        from corridor.recording import Recorder

        recorder = Recorder(self.app.store, self.app.keyring, pool=self.app.pool)
        return recorder.submit(observations, progress=progress)

    def submit(
        self, items: Sequence[SignedEntry], *, org: str | None = None
    ) -> tuple[AppendResult, bytes]:
        """Verify entries signed elsewhere and append them; returns what was appended and the
        latest signed checkpoint, which covers them (the server signs checkpoints, never an
        observation).

        All or nothing: every entry is admitted (framing, signatures, normal form, validation,
        references) before any is written, in one transaction. With ``org`` (a reporter's
        organisation) every entry must be first-signed by that organisation (AccessError
        naming the entry otherwise). Personal values must open the entry's commitments. An entry
        already on the record is a duplicate, not an error. Errors name the entry's position
        (also their ``subject``).
        """
        from corridor.ledger import entry as ledger_entry
        from corridor.recording.tlog import batch_starts

        assert batch_starts(MAX_SUBMISSION) == [0]  # one batch: one transaction
        if not items:
            raise InputError("a submission holds at least one entry", where="entries")
        if len(items) > MAX_SUBMISSION:
            raise InputError(
                f"{len(items)} entries in one submission; at most {MAX_SUBMISSION}",
                where="entries",
            )
        personal: dict[bytes, list[tuple[str, bytes, Any]]] = {}
        for i, item in enumerate(items):
            try:
                _m, content, sigs = ledger_entry.frame_entry(item.entry)
            except VerificationError as exc:
                raise _error(VerificationError(_at(i, exc.message)), i) from None
            if org is not None and sigs[0].signer != org:
                raise _error(AccessError(_at(i, (
                    f"its first signature is by organisation {sigs[0].signer!r}; this token "
                    f"submits only entries first-signed by {org!r}"
                ))), i)  # fmt: skip
            if item.personal:
                personal[item.entry] = self._personal(i, content, item.personal)
        log = self.app.transparency_log()
        result = log.append_entries([it.entry for it in items], personal, sign=True)
        # the checkpoint signed after this append, or a newer one (another writer's, which
        # covers these entries too); with nothing new, one over whatever is unsigned
        note = log.latest_checkpoint() if result.accepted else log.sign_checkpoint()
        return result, note

    @staticmethod
    def _personal(
        i: int, content: Mapping[str, Any], values: Sequence[tuple[str, bytes, Any]]
    ) -> list[tuple[str, bytes, Any]]:
        from corridor.ledger import entry as ledger_entry

        commitments = content.get("personal")
        if not isinstance(commitments, dict):
            commitments = {}
        seen: set[str] = set()
        for field, salt, value in values:
            where = f"personal.{field}"
            if field in seen:
                raise _error(InputError(_at(i, "is given twice"), where=where), i)
            seen.add(field)
            commitment = commitments.get(field)
            if not isinstance(commitment, str):
                raise _error(InputError(_at(i, "the entry commits to no such value"),
                                        where=where), i)  # fmt: skip
            try:
                ledger_entry.check_personal(commitment, value, salt)
            except (InputError, VerificationError) as exc:
                raise _error(VerificationError(_at(i, f"{where}: {exc.message}")), i) from None
        return list(values)

    def feed(self, query: Query, *, page: int = FEED_PAGE) -> Iterator[StoredObservation]:
        """Every observation matching ``query`` after its cursor (``query.after``, default
        from the start), in log order, read from the database a page at a time (memory stays
        flat however long the log); ``query.limit`` is ignored."""
        cursor = -1 if query.after is None else query.after
        while True:
            rows = list(self.app.store.query(replace(query, after=cursor, limit=page)))
            yield from rows
            if len(rows) < page:
                return
            cursor = rows[-1].log_index

    def list(
        self, query: Query | None = None, *, accepted_only: bool = False
    ) -> list[StoredObservation]:
        """Observations matching ``query``, oldest first (with a cursor: in log order): the
        current state (the current version of each observation), or with ``query.history`` or
        a cursor every entry; as of ``query.as_of`` entries, which must be the size of a signed
        checkpoint. With ``accepted_only``, only facts whose review state is ``accepted``
        (docs/review.md)."""
        query = query or Query()
        if query.as_of is not None:
            self.app.log.basis(query.as_of)
        rows = list(self.app.store.query(query))
        return self.app.review.accepted(rows, as_of=query.as_of) if accepted_only else rows

    def page(
        self,
        query: Query,
        *,
        limit: int,
        current_only: bool = False,
        accepted_only: bool = False,
    ) -> tuple[builtins.list[StoredObservation], int | None]:
        """One page of the change feed: the entries matching ``query`` after its cursor, in
        log order, at most ``limit`` read, and the cursor of the next page (None: the last).
        ``current_only`` keeps the current versions of facts (no superseded versions,
        retractions or attestations), ``accepted_only`` the accepted facts; a page so filtered
        may hold fewer than ``limit`` entries while more follow."""
        rows = self.list(replace(query, limit=limit + 1))
        more = len(rows) > limit
        rows = rows[:limit]
        next_after = rows[-1].log_index if more else None
        return self.filtered(rows, query.as_of, current_only, accepted_only), next_after

    def filtered(
        self,
        rows: Sequence[StoredObservation],
        as_of: int | None,
        current_only: bool,
        accepted_only: bool,
    ) -> builtins.list[StoredObservation]:
        """``rows`` of the feed kept as :meth:`page` keeps them."""
        from corridor.model import FACT_TYPES

        out = list(rows)
        if current_only:
            after = self.app.store.successors([s.id for s in out], as_of=as_of)
            out = [s for s in out if s.observation.type in FACT_TYPES and s.id not in after]
        if accepted_only:
            out = self.app.review.accepted(out, as_of=as_of)
        return out

    def stream(
        self,
        query: Query,
        *,
        current_only: bool = False,
        accepted_only: bool = False,
        page: int = FEED_PAGE,
    ) -> Iterator[StoredObservation]:
        """The change feed after ``query``'s cursor (:meth:`feed`), kept as :meth:`page` keeps
        it, a page at a time."""
        if query.as_of is not None:
            self.app.log.basis(query.as_of)
        if not (current_only or accepted_only):
            yield from self.feed(query, page=page)
            return
        buf: builtins.list[StoredObservation] = []
        for s in self.feed(query, page=page):
            buf.append(s)
            if len(buf) >= page:
                yield from self.filtered(buf, query.as_of, current_only, accepted_only)
                buf = []
        yield from self.filtered(buf, query.as_of, current_only, accepted_only)

    def page_json(self, query: Query, limit: int) -> tuple[Sequence[bytes], int | None]:
        """A page of :meth:`list` as JSON, one :func:`corridor.app.shapes.observation` per
        item, made from the stored bytes (the page of ``GET /v1/observations``), and the
        cursor of the next page (None: this is the last)."""
        from corridor.app import shapes
        from corridor.store.observations import stored_from_row

        if query.as_of is not None:
            self.app.log.basis(query.as_of)
        rows = self.app.store.query_rows(replace(query, limit=limit + 1))
        more = len(rows) > limit
        rows = rows[:limit]
        items = []
        for r in rows:
            signers = [x for x in r.signers.split(",") if x]
            item = shapes.observation_json(
                r.log_index, r.id, bytes(r.entry), signers, bool(r.demo_signed)
            )
            if item is None:
                d = shapes.observation(stored_from_row(r))
                item = json.dumps(d, ensure_ascii=False, separators=(",", ":")).encode()
            items.append(item)
        return items, (int(rows[-1].log_index) if more else None)

    def show(self, id_or_prefix: str, *, as_of: int | None = None) -> StoredObservation:
        """One observation (any version) by id or a unique prefix of 6+ characters
        (NotFoundError), as of a signed checkpoint's size."""
        if as_of is not None:
            self.app.log.basis(as_of)
        return self.app.store.get(id_or_prefix, as_of=as_of)


def _error(exc: InputError | VerificationError | AccessError, index: int) -> Exception:
    exc.subject = str(index)
    return exc
