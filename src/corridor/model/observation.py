"""The observation envelope: what was seen, when, by whom, from which sources; and its id.

An observation's id is the SHA-256 of its canonical public content (RFC 8785), so the same
observation imported twice is one. Personal fields of the body are not part of that content.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from corridor.errors import RecordError
from corridor.ledger.canonical import canonical
from corridor.model.bodies import (
    BODY_TYPES,
    FACT_TYPES,
    Attestation,
    Claim,
    ConvoyEvent,
    Crossing,
    Deployment,
    Incident,
    ObsId,
    PopulationCount,
    Retraction,
    RouteStatus,
    Sealed,
    personal_fields,
)
from corridor.model.entities import PROSE_PATTERN, TEXT_PATTERN, Ident, Prose, Text, check_text
from corridor.model.timefmt import check_instant

__all__ = [
    "Observation",
    "Period",
    "Reveals",
    "Source",
    "Supersedes",
    "parse_observation",
    "record_error_from",
]

_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
URL_SCHEMES = frozenset({"http", "https"})
_SPACE = re.compile(r"\s")
MAX_ROW = 1_000_000_000


def _in_range(dt: datetime) -> datetime:
    """An instant within the record's bounds, and (for a zone such as Asia/Gaza) a local time
    that exists there: a time in a spring-forward gap never showed on a clock."""
    check_instant(dt)
    tz = dt.tzinfo
    if isinstance(tz, ZoneInfo):
        wall = dt.astimezone(UTC).astimezone(tz)
        if wall.replace(tzinfo=None) != dt.replace(tzinfo=None):
            raise ValueError(
                f"{dt.replace(tzinfo=None).isoformat(sep=' ')} does not exist in {tz} "
                "(the clocks jumped over it)"
            )
    return dt


Instant = Annotated[AwareDatetime, AfterValidator(_in_range)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Source(_Frozen):
    """Where an observation comes from, and whose claim it is."""

    title: Text = Field(min_length=1)
    url: Text | None = None
    document: Text | None = Field(None, description="a document reference when there is no URL")
    date: Text | None = Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD")
    claim_of: Text | None = Field(None, description="the party whose claim this is, if any")
    file: Text | None = Field(None, description="for imports: the file the row came from")
    sheet: Text | None = None
    row: int | None = Field(
        None, ge=1, le=MAX_ROW, description="for imports: the 1-based row number"
    )
    ref: Text | None = Field(
        None,
        description="the record's id in the source system (an ODK/KoBo instanceID, an ACLED "
        "event_id_cnty): an import identifies the row by it instead of its file and row",
    )
    version: Text | None = Field(
        None, description="the version of the source record or form (an XLSForm version)"
    )

    @field_validator("date")
    @classmethod
    def _date(cls, v: str | None) -> str | None:
        if v is not None:
            problem = _date_problem(v)
            if problem:
                raise ValueError(problem)
        return v

    @field_validator("url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is not None:
            problem = _url_problem(v)
            if problem:
                raise ValueError(problem)
        return v


# Imports repeat one source date and URL over many rows: the checks are cached.
@functools.lru_cache(maxsize=1024)
def _date_problem(v: str) -> str | None:
    if not _PARTIAL_DATE.match(v):
        return "must be YYYY, YYYY-MM or YYYY-MM-DD"
    parts = [int(p) for p in v.split("-")]
    try:
        date(parts[0], *(parts[1:2] or [1]), *(parts[2:3] or [1]))
    except ValueError as exc:
        return f"{v} is not a date in the calendar ({exc})"
    return None


@functools.lru_cache(maxsize=1024)
def _url_problem(v: str) -> str | None:
    try:
        parts = urlsplit(v)
        host = parts.hostname
    except ValueError:
        return f"{v[:60]!r} is not a URL"
    if parts.scheme.lower() not in URL_SCHEMES:
        shown = f"{parts.scheme}:" if parts.scheme else "no scheme"
        return f"must be an http or https URL, not {shown}"
    if not host or _SPACE.search(v):
        return f"{v[:60]!r} is not a URL (http(s)://host/...)"
    return None


class Period(_Frozen):
    """An instant (no end) or the half-open period [start, end)."""

    start: Instant
    end: Instant | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_str(cls, v: object) -> object:
        if isinstance(v, str | datetime):
            return {"start": v}
        return v

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end is not None and self.end <= self.start:
            raise ValueError("end must be after start")
        return self

    @property
    def is_instant(self) -> bool:
        return self.end is None

    @property
    def duration(self) -> timedelta:
        return timedelta(0) if self.end is None else self.end - self.start


class Supersedes(_Frozen):
    """What a correction replaces: the id of the observation's current version, and why."""

    id: ObsId
    reason: Prose = Field(min_length=1)


SALT_PATTERN = r"^[0-9a-f]{64}$"


class Reveals(_Frozen):
    """What a reveal names: the sealed entry it opens, and the salt of its commitment (32
    random bytes, hex). The rest of the observation is the one that was sealed
    (docs/embargo.md)."""

    sealed: ObsId
    salt: Annotated[str, Field(pattern=SALT_PATTERN, description="32 bytes, 64 hex digits")]


_BodyField = (
    Crossing
    | RouteStatus
    | ConvoyEvent
    | Incident
    | Deployment
    | PopulationCount
    | Claim
    | Retraction
    | Attestation
    | Sealed
)


def _json_kind(value: Any) -> str:
    """The JSON name of a decoded value's type (for messages that must not echo the value)."""
    if isinstance(value, bool):
        return "boolean"
    return {list: "array", dict: "object", int: "number", float: "number"}.get(
        type(value), type(value).__name__
    )


class Observation(_Frozen):
    """One observation: envelope plus a typed body."""

    type: str
    observed: Period
    reported_at: Instant | None = None
    reporter: Ident
    sources: tuple[Source, ...] = Field(min_length=1)
    caveats: tuple[Prose, ...] = Field((), description="e.g. 'date unconfirmed'")
    note: Prose | None = None
    supersedes: Supersedes | None = Field(
        None, description="a correction: the version it replaces (same type, same reporter)"
    )
    reveals: Reveals | None = Field(
        None, description="a reveal: the sealed entry it opens and its salt (same reporter)"
    )
    body: _BodyField = Field(discriminator="type")

    @model_validator(mode="before")
    @classmethod
    def _type_into_body(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            t = data.get("type")
            if t is not None and (not isinstance(t, str) or t not in BODY_TYPES):
                shown = repr(t) if isinstance(t, str) else f"of JSON type {_json_kind(t)}"
                raise ValueError(
                    f"unknown observation type {shown}; expected one of {', '.join(BODY_TYPES)}"
                )
            body = data.get("body")
            if isinstance(body, Mapping) and "type" not in body and t is not None:
                data = {**data, "body": {**body, "type": t}}
        return data

    @model_validator(mode="after")
    def _type_matches(self) -> Observation:
        if self.body.type != self.type:
            raise ValueError(f"body is a {self.body.type}, envelope says {self.type}")
        if self.supersedes is not None:
            if isinstance(self.body, Retraction):
                raise ValueError(
                    "a retraction is final: it names what it retracts (retracts) and "
                    "supersedes nothing"
                )
            if isinstance(self.body, Attestation) and self.supersedes.id == self.body.about:
                raise ValueError(
                    "a corrected attestation supersedes the attestation it replaces, not the "
                    "observation it is about"
                )
        if self.reveals is not None:
            if self.type not in FACT_TYPES:
                raise ValueError(
                    f"a reveal opens a sealed observation, and a {self.type} is not one "
                    "(only crossing, route_status, convoy, ... can be sealed)"
                )
            if self.supersedes is not None:
                raise ValueError(
                    "a revealed observation supersedes nothing: reveal it first, then correct it"
                )
        return self

    def content(self) -> dict[str, Any]:
        """The public content as JSON values: no personal fields, no None, no empty lists."""
        personal = personal_fields(type(self.body))
        d = self.model_dump(mode="json", exclude_none=True, exclude={"body": set(personal)})
        return _prune(d)

    @cached_property
    def canonical(self) -> bytes:
        """RFC 8785 bytes of :meth:`content`: what the id hashes and the reporter signs."""
        return canonical(self.content())

    def personal(self) -> dict[str, Any]:
        """Personal values present in the body (field -> value), kept out of the log."""
        out: dict[str, Any] = {}
        for name in personal_fields(type(self.body)):
            v = getattr(self.body, name)
            if v is not None:
                out[name] = list(v) if isinstance(v, tuple) else v
        return out

    @cached_property
    def id(self) -> str:
        """Hex SHA-256 of the canonical public content."""
        return hashlib.sha256(self.canonical).hexdigest()

    @classmethod
    def from_trusted(
        cls, data: bytes | Mapping[str, Any], *, id: str, canonical: bytes | None = None
    ) -> Observation:
        """An observation read back from the store, whose id is known and trusted.

        For the store only: the entry bytes were verified when they were admitted to the log
        (signature, normal form, id), and ``corridor log verify`` checks them again, so the id is
        taken as given instead of being rebuilt (model dump, canonical JSON, SHA-256). ``data``
        is the observation's JSON bytes or its content mapping (personal fields removed);
        ``canonical``, when given, is its RFC 8785 form (the signed bytes).
        """
        obs = cls.model_validate_json(data) if isinstance(data, bytes) else cls.model_validate(data)
        # the cached properties, filled as they would be on first access
        obs.__dict__["id"] = id
        if canonical is not None:
            obs.__dict__["canonical"] = canonical
        return obs

    @property
    def start(self) -> datetime:
        return self.observed.start

    @property
    def end(self) -> datetime | None:
        return self.observed.end


def _prune(d: dict[str, Any]) -> dict[str, Any]:
    """Drop empty lists and mappings from the envelope and the body (None is already gone)."""
    out = {k: v for k, v in d.items() if v != [] and v != {}}
    out["body"] = {k: v for k, v in out["body"].items() if v != [] and v != {}}
    return out


def record_error_from(exc: ValidationError, where: str | None = None) -> RecordError:
    """Translate Pydantic's error into one RecordError naming the first bad field and why."""
    errs = exc.errors(include_url=False)
    # A bad source also fails the sources list's length check after validation: that second
    # error says nothing new.
    locs = [tuple(e.get("loc", ())) for e in errs]
    errs = [
        e
        for e, loc in zip(errs, locs, strict=True)
        if not (
            e.get("type") == "too_short"
            and any(len(o) > len(loc) and o[: len(loc)] == loc for o in locs)
        )
    ] or errs
    first = errs[0]
    loc = [str(p) for p in first.get("loc", ())]
    # drop the discriminator tag pydantic inserts ("body.crossing.count" -> "body.count")
    if len(loc) >= 2 and loc[0] == "body" and loc[1] in BODY_TYPES:
        loc = [loc[0], *loc[2:]]
    field = ".".join(loc) or None
    msg = first.get("msg", "invalid")
    msg = msg.removeprefix("Value error, ")
    if first.get("type") == "string_pattern_mismatch" and isinstance(first.get("input"), str):
        pattern = (first.get("ctx") or {}).get("pattern")
        if pattern in (TEXT_PATTERN, PROSE_PATTERN):
            try:
                check_text(first["input"], prose=pattern == PROSE_PATTERN)
            except ValueError as exc:
                msg = str(exc)
    if first.get("type") == "literal_error" or first.get("type") == "enum":
        ctx = first.get("ctx") or {}
        if "expected" in ctx:
            msg = f"{first.get('input')!r} is not one of {ctx['expected']}"
    more = (
        f" (and {len(errs) - 1} more problem{'s' if len(errs) > 2 else ''})"
        if len(errs) > 1
        else ""
    )
    return RecordError(msg + more, field=field, where=where)


def parse_observation(data: Mapping[str, Any], *, where: str | None = None) -> Observation:
    """Validate a mapping into an Observation, or raise RecordError naming field and reason."""
    try:
        return Observation.model_validate(data)
    except ValidationError as exc:
        raise record_error_from(exc, where) from None
