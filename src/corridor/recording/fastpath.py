"""Admission's fast path: a stricter mirror of the observation model, in msgspec.

:func:`corridor.recording.admission.admit_entry` must validate every entry with the pydantic
model (:class:`corridor.model.Observation`) and require the signed bytes to be its normal form.
For the common case, a fact observation (no correction, no personal fields) already in normal
form, :func:`fast_admit` reaches the same verdict about four times faster: it decodes the signed
bytes into msgspec Structs that mirror the model's fields and constraints, runs the model's
checks that are not constraints (periods, bounds, source dates and URLs, a crossing's count),
checks the references against the registry, and re-encodes the Structs: the bytes must come out
identical, which proves them in normal form. :func:`fast_admit_entry` does the same for a whole
signed entry, whose re-encoding also proves its framing and its signatures' form (canonical
base64), leaving only their verification to admission.

The mirror is *stricter* than the model, never looser: anything it is not sure of (a string with
surrounding white space, which the model would strip; an integer given for a float; a time not
written as the model writes it; an unknown reference; a type it does not mirror) makes
:func:`fast_admit` return None, and the entry takes the model's path, which accepts or rejects it
with the model's own message. So the fast path changes no verdict and no error text; a
differential property test (tests/unit/recording/test_fastpath.py) checks that, and a test
compares every mirrored field with the model's so the two cannot drift. At import, a type whose
model fields or validators differ from what is mirrored here is left to the model's path.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

import msgspec
from pydantic import BaseModel

from corridor.ledger.entry import MAX_ENTRY_SIZE
from corridor.model import bodies as b
from corridor.model import observation as o
from corridor.model.registry import Registry
from corridor.model.timefmt import EARLIEST, LATEST

__all__ = [
    "FAST_TYPES",
    "MIRRORS",
    "FastAdmitted",
    "Framed",
    "Signature",
    "fast_admit",
    "fast_admit_entry",
]

# Strings. No pattern runs per field (a Python call each): every string of an entry is checked
# at once on the signed text (_SUSPECT) for what the model's text patterns refuse or would
# change (an escape, a control character, white space the model would strip at either end), and
# ids against the id pattern, cached (they repeat). A JSON string holds no raw C0 control
# character, and only an escape writes one: so a text free of escapes is free of them.
TEXT = str
TEXT1 = Annotated[str, msgspec.Meta(min_length=1)]
PROSE = str
PROSE1 = TEXT1
IDENT = str
_SUSPECT = re.compile(r'\\[bfnrtu]|[\x7f-\x9f]|"\s|\s"')
"""What sends an entry to the model's path: an escape of a control character (or anything
that looks like one), DEL or a C1 control, white space just inside a string's quotes (in a
compact text every quote is a string's delimiter, and no white space lies between strings)."""
_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_INSTANT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:Z|[+-](?!00:00)[0-9]{2}:[0-9]{2})"
)
"""An instant exactly as the model writes it: seconds, no fraction, Z for UTC (it writes
+00:00 as Z), else the offset."""
INSTANT = str
COUNT = Annotated[int, msgspec.Meta(ge=0, le=b.MAX_COUNT)]
TONNES = Annotated[float, msgspec.Meta(ge=0, le=b.MAX_TONNES)]
FIGURE = Annotated[float, msgspec.Meta(ge=-b.MAX_FIGURE, le=b.MAX_FIGURE)]
ROW = Annotated[int, msgspec.Meta(ge=1, le=o.MAX_ROW)]
_Columns = tuple[str | None, str | None, str | None, str | None, str | None, str | None, str | None]
"""What a body's ``admit`` gives: its index columns route, checkpoint, place, direction,
category, state and convoy (corridor.store.columns.INDEX_COLUMNS), None where it has none."""


class _S(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Fields are declared in sorted order (checked at import): the order RFC 8785 writes them."""


class Source(_S, kw_only=True):
    claim_of: TEXT | None = None
    date: TEXT | None = None
    document: TEXT | None = None
    file: TEXT | None = None
    ref: TEXT | None = None
    row: ROW | None = None
    sheet: TEXT | None = None
    title: TEXT1
    url: TEXT | None = None
    version: TEXT | None = None


class Period(_S, kw_only=True):
    end: INSTANT | None = None
    start: INSTANT


class Envelope(_S, kw_only=True):
    """The observation; its body is decoded by type afterwards. No ``supersedes`` or
    ``reveals`` (a correction or a reveal takes the model's path)."""

    body: msgspec.Raw
    caveats: tuple[PROSE, ...] = ()
    note: PROSE | None = None
    observed: Period
    reported_at: INSTANT | None = None
    reporter: IDENT
    sources: Annotated[tuple[Source, ...], msgspec.Meta(min_length=1)]
    type: str


class Crossing(_S, kw_only=True):
    category: b.Category
    checkpoint: IDENT
    commodity: TEXT | None = None
    convoy: TEXT | None = None
    count: COUNT | None = None
    direction: b.Direction
    operator: IDENT | None = None
    outcome: b.Outcome  # the model's default is written out in the normal form: required here
    tonnes: TONNES | None = None
    type: Literal["crossing"]
    vehicle: TEXT | None = None

    def admit(self, r: Registry) -> _Columns | None:
        if self.count is None and self.tonnes is None:
            return None  # the model's _something_counted
        if self.tonnes is not None and not _float_ok(self.tonnes):
            return None
        if not _known(self.checkpoint, r.checkpoints) or not _maybe(self.operator, r.organisations):
            return None
        d, c = self.direction._value_, self.category._value_
        return None, self.checkpoint, None, d, c, None, self.convoy


class RouteStatus(_S, kw_only=True):
    place: IDENT | None = None
    route: IDENT
    status: b.RouteState
    type: Literal["route_status"]
    who_may_pass: tuple[TEXT, ...] = ()

    def admit(self, r: Registry) -> _Columns | None:
        if not _known(self.route, r.routes) or not _maybe(self.place, r.places):
            return None
        return self.route, None, self.place, None, None, self.status._value_, None


class CargoLine(_S, kw_only=True):
    commodity: TEXT1
    tonnes: TONNES


class ConvoyEvent(_S, kw_only=True):
    cargo: tuple[CargoLine, ...] = ()
    checkpoint: IDENT | None = None
    convoy: TEXT1
    organiser: IDENT | None = None
    place: IDENT | None = None
    route: IDENT | None = None
    state: b.ConvoyState
    type: Literal["convoy"]
    vehicles: COUNT | None = None

    def admit(self, r: Registry) -> _Columns | None:
        if not all(_float_ok(c.tonnes) for c in self.cargo):
            return None
        if not (
            _maybe(self.checkpoint, r.checkpoints)
            and _maybe(self.organiser, r.organisations)
            and _maybe(self.place, r.places)
            and _maybe(self.route, r.routes)
        ):
            return None
        return (
            self.route,
            self.checkpoint,
            self.place,
            None,
            None,
            self.state._value_,
            self.convoy,
        )


class Incident(_S, kw_only=True):
    actors: tuple[TEXT, ...] = ()
    category: b.IncidentCategory
    checkpoint: IDENT | None = None
    injured: COUNT | None = None
    killed: COUNT | None = None
    missing: COUNT | None = None
    place: IDENT | None = None
    route: IDENT | None = None
    text: PROSE | None = None
    type: Literal["incident"]

    def admit(self, r: Registry) -> _Columns | None:
        if not (
            _maybe(self.checkpoint, r.checkpoints)
            and _maybe(self.place, r.places)
            and _maybe(self.route, r.routes)
        ):
            return None
        return self.route, self.checkpoint, self.place, None, None, None, None


class Deployment(_S, kw_only=True):
    force: TEXT1
    place: IDENT | None = None
    route: IDENT | None = None
    status: b.DeploymentStatus
    strength: COUNT | None = None
    type: Literal["deployment"]

    def admit(self, r: Registry) -> _Columns | None:
        if not _maybe(self.place, r.places) or not _maybe(self.route, r.routes):
            return None
        return self.route, None, self.place, None, None, self.status._value_, None


class PopulationCount(_S, kw_only=True):
    kind: b.PopulationKind
    origin: IDENT | None = None
    persons: COUNT
    place: IDENT
    type: Literal["population"]
    vehicles: COUNT | None = None

    def admit(self, r: Registry) -> _Columns | None:
        if not _known(self.place, r.places) or not _maybe(self.origin, r.places):
            return None
        return None, None, self.place, None, None, self.kind._value_, None


class Claim(_S, kw_only=True):
    about: TEXT1
    figure: FIGURE | None = None
    party: TEXT1
    statement: PROSE1
    type: Literal["claim"]

    def admit(self, r: Registry) -> _Columns | None:
        if self.figure is not None and not _float_ok(self.figure):
            return None
        return None, None, None, None, None, None, None


# model -> (mirror, model fields deliberately left to the model's path, the model's validators
# that the checks below mirror): a model whose fields or validators differ is not fast-pathed
MIRRORS: dict[type[BaseModel], tuple[type[_S], frozenset[str], frozenset[str]]] = {
    o.Observation: (Envelope, frozenset({"supersedes", "reveals"}),
                    frozenset({"_type_into_body", "_type_matches"})),
    o.Source: (Source, frozenset(), frozenset({"_date", "_url"})),
    o.Period: (Period, frozenset(), frozenset({"_from_str", "_ordered"})),
    b.Crossing: (Crossing, b.personal_fields(b.Crossing), frozenset({"_something_counted"})),
    b.RouteStatus: (RouteStatus, frozenset(), frozenset()),
    b.CargoLine: (CargoLine, frozenset(), frozenset()),
    b.ConvoyEvent: (ConvoyEvent, b.personal_fields(b.ConvoyEvent), frozenset()),
    b.Incident: (Incident, b.personal_fields(b.Incident), frozenset()),
    b.Deployment: (Deployment, frozenset(), frozenset()),
    b.PopulationCount: (PopulationCount, frozenset(), frozenset()),
    b.Claim: (Claim, frozenset(), frozenset()),
}  # fmt: skip


def _validators(model: type[BaseModel]) -> frozenset[str]:
    d = model.__pydantic_decorators__
    return frozenset([*d.field_validators, *d.model_validators, *d.validators, *d.root_validators])


def _mirrored(model: type[BaseModel]) -> bool:
    """Whether the mirror of ``model`` still has its fields and validators (else: model path)."""
    mirror, left, validators = MIRRORS[model]
    names = set(model.model_fields) - left
    fields = mirror.__struct_fields__
    return (
        names == set(fields) and list(fields) == sorted(fields) and _validators(model) == validators
    )


_SHARED_OK = all(_mirrored(m) for m in (o.Observation, o.Source, o.Period))
FAST_TYPES: dict[str, type[_S]] = {
    model.TYPE: mirror
    for model, (mirror, _l, _v) in MIRRORS.items()
    if issubclass(model, b._Body)
    and _SHARED_OK
    and _mirrored(model)
    and b.BODY_TYPES.get(model.TYPE) is model
    and (model is not b.ConvoyEvent or _mirrored(b.CargoLine))
}
"""Body type -> mirror, for the types the fast path takes (a fact type whose mirror is current)."""

_decode_envelope = msgspec.json.Decoder(Envelope).decode
_body_decoders: dict[str, Callable[[bytes], Any]] = {
    t: msgspec.json.Decoder(s).decode for t, s in FAST_TYPES.items()
}
_encode = msgspec.json.Encoder().encode
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_fromiso = datetime.fromisoformat

_REFS = {
    "checkpoint": "checkpoints",
    "route": "routes",
    "place": "places",
    "origin": "places",
    "operator": "organisations",
    "organiser": "organisations",
}
"""Every field of a mirrored body that refers to the registry, and the table it refers to: each
body's ``admit`` checks them all (a superset of Registry.check, so that an unknown reference
leaves the fast path; tests/unit/recording/test_fastpath.py checks both)."""


@functools.lru_cache(maxsize=4096)
def _ident_ok(v: str) -> bool:
    return _ID.fullmatch(v) is not None


def _known(v: str, table: Mapping[str, object]) -> bool:
    """Whether the reference ``v`` is an id the registry's ``table`` holds."""
    return v in table and _ident_ok(v)


def _maybe(v: str | None, table: Mapping[str, object]) -> bool:
    """Whether the optional reference ``v`` is absent or an id ``table`` holds."""
    return v is None or (v in table and _ident_ok(v))


_EARLIEST_US = (EARLIEST - _EPOCH) // _US
_LATEST_US = (LATEST - _EPOCH) // _US
_instant_shape = _INSTANT.fullmatch


@functools.lru_cache(maxsize=4096)
def _instant(text: str) -> int | None:
    """Microseconds since the epoch of an instant written as the model writes it (and within
    its bounds, :func:`corridor.model.timefmt.check_instant`'s); None otherwise. Cached: a
    period's end is often the next one's start, and daily reports share their instants."""
    if _instant_shape(text) is None:
        return None
    try:
        us = (_fromiso(text) - _EPOCH) // _US
    except ValueError:
        return None
    return us if _EARLIEST_US <= us <= _LATEST_US else None


def _float_ok(x: float | None) -> bool:
    """A float written the same by RFC 8785 and msgspec (fixed notation with a fraction)."""
    if x is None:
        return True
    r = repr(x)
    return "e" not in r and "." in r and not r.endswith(".0") and _encode(x) == r.encode()


def _space_by_quote(m: bytes) -> bool:
    """Whether a space lies just inside a string's quotes (``" `` or `` "``) in ``m``: the
    few spaces of a typical entry are looked at one by one, which is faster than searching
    twice for a two-byte pattern; many spaces are left to those searches."""
    i = m.find(b" ")
    seen = 0
    while i >= 0:
        if (i > 0 and m[i - 1] == 0x22) or (i + 1 < len(m) and m[i + 1] == 0x22):
            return True
        seen += 1
        if seen == 8:
            return b'" ' in m or b' "' in m
        i = m.find(b" ", i + 1)
    return False


def _suspect(text: bytes) -> bool:
    """Whether ``text`` holds what the fast path leaves to the model (see _SUSPECT), or is
    not UTF-8."""
    if text.isascii():  # the same checks, on bytes (memchr: much faster than a pattern)
        # a byte looked for as an int (backslash, DEL) is one memchr; as a bytes needle it
        # costs a buffer request and a substring search, several times as long
        return 0x5C in text or 0x7F in text or _space_by_quote(text)
    try:
        return _SUSPECT.search(text.decode()) is not None
    except UnicodeDecodeError:
        return True


def fast_admit(m: bytes, registry: Registry) -> tuple[str, tuple[Any, ...], str] | None:
    """(id, index columns, reporter) of the signed observation bytes ``m`` when they are one
    JSON value, a valid fact observation in normal form whose references the registry holds;
    None when unsure (the model's path then decides). Never accepts what it rejects."""
    if _suspect(m):
        return None
    try:
        env = _decode_envelope(m)
        dec = _body_decoders.get(env.type)
        if dec is None:
            return None
        body = dec(env.body)
    except msgspec.ValidationError:
        return None
    except msgspec.DecodeError:
        return None
    env.body = body  # encoded in its place: one encoding of the whole proves both normal
    if _encode(env) != m:
        return None  # not in normal form (or not as the model would write it)
    return _admitted(env, body, m, registry)


class Signature(_S, kw_only=True):
    """A signature of an entry, as :class:`corridor.ledger.entry.EntrySignature` writes it
    (its base64 decoded here; encoding it again proves the base64 canonical)."""

    keyid: Annotated[bytes, msgspec.Meta(min_length=4, max_length=4)]
    sig: Annotated[bytes, msgspec.Meta(min_length=64, max_length=64)]
    signer: str


class Framed(_S, kw_only=True):
    """A whole entry: ``{"observation":M,"signatures":[...]}`` (corridor.ledger.entry)."""

    observation: Envelope
    signatures: Annotated[tuple[Signature, ...], msgspec.Meta(min_length=1)]


_decode_framed = msgspec.json.Decoder(Framed).decode
_SIGNATURES = b',"signatures":['


FastAdmitted = tuple[str, tuple[Any, ...], str, bytes, tuple[Signature, ...]]
"""What :func:`fast_admit_entry` gives for an entry it takes: (id, index columns, reporter,
the observation bytes M, the signatures, decoded but not verified)."""


def fast_admit_entry(entry: bytes, registry: Registry) -> FastAdmitted | None:
    """:func:`fast_admit` of a whole signed entry, in one decoding and one encoding: (id,
    index columns, reporter, the observation bytes M, the signatures, decoded but not
    verified) when the entry is framed exactly as :func:`corridor.ledger.entry.make_entry`
    frames it, with signatures in canonical form, and its observation is one fast_admit
    accepts; None when unsure (the entry then takes the model's path, which decides)."""
    if len(entry) > MAX_ENTRY_SIZE or _suspect(entry):
        return None
    try:
        framed = _decode_framed(entry)
        env = framed.observation
        dec = _body_decoders.get(env.type)
        if dec is None:
            return None
        body = dec(env.body)
    except msgspec.ValidationError:
        return None
    except msgspec.DecodeError:
        return None
    env.body = body
    if _encode(framed) != entry:
        return None  # framing, signatures or observation not in normal form
    # the last separator: a string holding one would hold an escaped quote (a backslash)
    m = entry[15 : entry.rfind(_SIGNATURES)]
    admitted = _admitted(env, body, m, registry)
    if admitted is None:
        return None
    return admitted[0], admitted[1], admitted[2], m, framed.signatures


def _admitted(
    env: Envelope, body: Any, m: bytes, registry: Registry
) -> tuple[str, tuple[Any, ...], str] | None:
    """The checks of the fast path past the normal form (the model's rules that are not
    constraints, and the references), on an observation decoded from ``m``."""
    start = _instant(env.observed.start)
    if start is None:
        return None
    end_text = env.observed.end
    end = None
    if end_text is not None:
        end = _instant(end_text)
        if end is None or end <= start:
            return None
    if env.reported_at is not None and _instant(env.reported_at) is None:
        return None
    for s in env.sources:
        if not s.title:
            return None
        if s.date is not None and o._date_problem(s.date) is not None:
            return None
        if s.url is not None and o._url_problem(s.url) is not None:
            return None
    reporter = env.reporter
    if reporter not in registry.organisations or not _ident_ok(reporter):
        return None
    c = body.admit(registry)
    if c is None:
        return None
    cols = (env.type, start, end, reporter, c[0], c[1], c[2], c[3], c[4], c[5], c[6], None, None)
    return hashlib.sha256(m).hexdigest(), cols, reporter
