"""Gather a situation report's data from the application: everything it shows, as of one
signed checkpoint.

Every view of the report is computed over the first N entries of the log, N the size of a
signed checkpoint (``--as-of N``, or the latest one): the same instant and the same N give the
same report, and anyone holding the log (or an export of it as of N) can recompute and check
every figure. Without an instant the report is about the moment that checkpoint was signed.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from corridor.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from corridor.app import Corridor
    from corridor.model import Registry

__all__ = ["DEFAULT_DAYS", "DEFAULT_RUNS", "DEMO_LABEL", "ReportData", "ReportRequest", "gather"]

DEFAULT_DAYS = 30
DEFAULT_RUNS = 200
DEFAULT_SEED = 1
MAX_DAYS = 366
DEMO_LABEL = "DEMO-signed (built-in case)"


@dataclass(frozen=True)
class ReportRequest:
    """What a report is asked for: the instant (None: when the checkpoint was signed), the
    tree size (None: the latest signed checkpoint), the days of the daily chart (ending on
    the instant's day, in ``tz``: None for the instant's own offset), the case whose
    commitments and scenarios it shows, and the Monte Carlo runs of the scenarios."""

    at: datetime | None = None
    as_of: int | None = None
    tz: tzinfo | None = None
    tz_name: str | None = None  # as given on the command line, for the reproduce line
    days: int = DEFAULT_DAYS
    case: str | None = None
    runs: int = DEFAULT_RUNS
    seed: int = DEFAULT_SEED


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: str  # hex


@dataclass
class ReportData:
    """What the templates draw: plain JSON-shaped data (the app's shapes) and the registry."""

    at: datetime
    tz: tzinfo
    start: date
    end: date
    basis: dict[str, Any]  # shapes.basis, and the log key, DEMO flag and witnesses
    registry: Registry
    situation: dict[str, Any]
    daily: dict[str, Any]
    case: dict[str, Any] | None = None
    commitments: list[dict[str, Any]] | None = None
    commitments_events: int = 0
    supply: list[dict[str, Any]] | None = None
    supply_skipped: list[dict[str, str]] = field(default_factory=list)
    supply_runs: int = DEFAULT_RUNS
    supply_seed: int = DEFAULT_SEED
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    reproduce: str = ""

    @property
    def last_day(self) -> date:
        """The chart's last day (``end`` is the day after it)."""
        return self.end - timedelta(days=1)

    # -- names, for the templates ---------------------------------------------------------
    def place_names(self, pid: str | None) -> list[tuple[str, str | None]]:
        if pid is None:
            return []
        p = self.registry.places.get(pid)
        if p is None:
            return [(pid, None)]
        return [(n.name, n.lang) for n in p.names]

    def checkpoint_name(self, cid: str) -> str:
        c = self.registry.checkpoints.get(cid)
        return c.name if c is not None else cid

    def org_name(self, oid: str) -> str:
        o = self.registry.organisations.get(oid)
        return o.name if o is not None else oid

    def ref(self, oid: str) -> str:
        """The citation of an observation: ``e`` and its log index."""
        s = self.sources.get(oid)
        return f"e{s['log_index']}" if s is not None else oid[:12]


def _latest_size(app: Corridor) -> int:
    listed = app.log.checkpoints()
    if not listed:
        raise NotFoundError(
            "the log has signed no checkpoint yet: a report rests on one (load a case or "
            "record observations first)"
        )
    return listed[-1][0]


def _basis(app: Corridor, size: int) -> dict[str, Any]:
    from corridor.app.shapes import basis as basis_shape

    b = app.log.basis(size)
    doc = basis_shape(b)
    vkey, demo = app.log.key()
    name, _, rest = vkey.partition("+")
    key_id, _, _ = rest.partition("+")
    doc["log_key"] = {"name": name, "key_id": key_id, "vkey": vkey, "demo": demo}
    doc["witnesses"] = cosigners(b.note, name, key_id)
    return doc


def cosigners(note: bytes, log_name: str, log_key_id: str) -> list[dict[str, str]]:
    """The signatures on a checkpoint other than the log's own (the witnesses' cosignatures),
    each by key name and key id (hex), in the note's order."""
    from corridor.ledger.note import parse_note

    return [
        {"name": s.name, "key_id": s.key_id.hex()}
        for s in parse_note(note).signatures
        if not (s.name == log_name and s.key_id.hex() == log_key_id)
    ]


def _ids(doc: Any) -> Iterable[str]:
    """Every observation id a JSON document cites as evidence (``evidence`` lists, ``id``s of
    figures and attestations, incidents and population)."""
    if isinstance(doc, Mapping):
        for k, v in doc.items():
            if k in ("evidence", "crossing_reports_spanning_window") and isinstance(v, list):
                for item in v:
                    if isinstance(item, str):
                        yield item
                    elif isinstance(item, Mapping) and isinstance(item.get("id"), str):
                        yield item["id"]
            elif k == "id" and isinstance(v, str) and len(v) == 64:
                yield v
            elif k == "attestations" and isinstance(v, Mapping):
                for about, summary in v.items():
                    yield about
                    yield from _ids(summary)
            else:
                yield from _ids(v)
    elif isinstance(doc, list):
        for item in doc:
            yield from _ids(item)


def _source(app: Corridor, oid: str, size: int) -> dict[str, Any] | None:
    from corridor.app.shapes import observation

    try:
        s = app.observations.show(oid, as_of=size)
    except NotFoundError:
        return None
    return observation(s)


def gather(app: Corridor, req: ReportRequest) -> ReportData:
    """The report's data, every view as of one signed checkpoint (NotFoundError when the
    tree size given is not one the log signed, or the record does not hold the case)."""
    from corridor.app import shapes

    if not 1 <= req.days <= MAX_DAYS:
        raise InputError(f"the chart covers 1 to {MAX_DAYS} days, not {req.days}", where="--days")
    size = _latest_size(app) if req.as_of is None else req.as_of
    basis = _basis(app, size)
    at = req.at
    if at is None:
        at = datetime.fromtimestamp(app.log.basis(size).signed_at, UTC)
    tz = req.tz or at.tzinfo or UTC
    end = at.astimezone(tz).date() + timedelta(days=1)
    start = end - timedelta(days=req.days)
    sit, registry = app.situation.at(at, as_of=size)
    data = ReportData(
        at=at, tz=tz, start=start, end=end, basis=basis, registry=registry,
        situation=shapes.situation(sit),
        daily=shapes.daily_crossings(app.situation.daily(start, end, tz, as_of=size)),
        supply_runs=req.runs, supply_seed=req.seed,
    )  # fmt: skip
    if req.case is not None:
        _case(app, req, data, size)
    cited: dict[str, None] = {}
    for doc in (data.situation, data.daily, data.commitments or []):
        cited.update(dict.fromkeys(_ids(doc)))
    found = {oid: _source(app, oid, size) for oid in cited}
    data.sources = dict(
        sorted(((k, v) for k, v in found.items() if v is not None),
               key=lambda kv: int(kv[1]["log_index"]))
    )  # fmt: skip
    data.reproduce = reproduce_line(req, at, size)
    return data


def _case(app: Corridor, req: ReportRequest, data: ReportData, size: int) -> None:
    from corridor.app.cases import is_builtin
    from corridor.app.supply import CASES

    assert req.case is not None
    case = app.cases.read(req.case)
    builtin = is_builtin(case)
    data.case = {"name": case.name, "title": case.title, "description": case.description,
                 "synthetic": case.synthetic, "builtin": builtin}  # fmt: skip
    if case.rules:
        result = app.commitments.check(
            list(case.rules), data.at, case=case, short_names=True, as_of=size
        )
        data.commitments = result.to_json()
        data.commitments_events = result.events
    scenarios: Sequence[str] = () if case.name in CASES else [str(p) for p in case.scenarios]
    if case.name in CASES or scenarios:
        loaded = app.supply.load(case.name if case.name in CASES else None, scenarios)
        run = app.supply.run(loaded, runs=req.runs, seed=req.seed, as_of=size)
        data.supply = run.results
        data.supply_skipped = run.skipped


def reproduce_line(req: ReportRequest, at: datetime, size: int) -> str:
    """The command that gives this report again (the format aside)."""
    parts = ["corridor", "report", "--at", at.isoformat(), "--as-of", str(size)]
    if req.tz is not None:
        parts += ["--tz", req.tz_name or str(req.tz)]
    if req.days != DEFAULT_DAYS:
        parts += ["--days", str(req.days)]
    if req.case is not None:
        parts += ["--case", req.case]
        if req.runs != DEFAULT_RUNS:
            parts += ["--runs", str(req.runs)]
        if req.seed != DEFAULT_SEED:
            parts += ["--seed", str(req.seed)]
    return " ".join(parts)


def data_uri(svg: str) -> str:
    """An SVG document as a data: URI (for an ``<img>``: its ids stay its own)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
