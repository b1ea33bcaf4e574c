"""The dashboard's use cases: what the record spans (``GET /v1/summary``, the page's first
call), and the dashboard written as a static folder (``corridor site DIR``).

A static site holds the page (:data:`corridor.web.STATIC`), one JSON file per API call the page
makes (the same shapes, under ``data/``) and the log's C2SP tiles (under ``log/``, the files of
``corridor log export``), so it opens from any static host and verifies there. The list of files
is finite: the summary, the registry, the situation at noon of each day of the record's span
(the latest :data:`SITE_DAYS` by default), crossings per day over that span, each held
case's commitments and supply scenarios, every observation those name, the keys, the
releases.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor.errors import InputError

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor

__all__ = ["MAX_SITE_DAYS", "SITE_MARKER", "SiteCases", "SiteResult"]

#: How many days a static site holds a situation for by default (the latest of the record's
#: span), and at most.
SITE_DAYS = 366
MAX_SITE_DAYS = 1830
#: Monte Carlo runs of the supply fans a static site holds.
SITE_SUPPLY_RUNS = 100
SITE_MARKER = ".corridor-site"
SITE_NAMES = frozenset({"index.html", "css", "js", "vendor", "data", "log"})


@dataclass
class SiteResult:
    folder: Path
    files: int
    days: int
    observations: int
    tree_size: int


def _offset(dt: datetime | None) -> str:
    off = dt.utcoffset() if dt is not None else None
    if not off:
        return "UTC"
    minutes = int(off.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


class SiteCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def summary(self, *, as_of: int | None = None) -> dict[str, Any]:
        """What the record spans (``GET /v1/summary``): its size, the first and last observed
        starts, the signed checkpoints, the built-in cases it holds (with their time zone),
        and the log's key; what the dashboard's slider and "as of" selector offer."""
        from corridor.app import shapes

        app = self.app
        if as_of is not None:
            app.log.basis(as_of)
        span = app.store.span(as_of=as_of)
        held = []
        for name, title in sorted(app.cases.list().items()):
            case = app.cases.builtin(name)
            if app.cases.holds(case):
                tz = _offset(case.demo_dates[0]) if case.demo_dates else "UTC"
                held.append({"name": name, "title": title, "tz": tz,
                             "demo_dates": [d.isoformat() for d in case.demo_dates]})
        vkey, demo = app.log.key()
        return shapes.record_summary(
            size=app.store.size() if as_of is None else as_of,
            span=span,
            checkpoints=app.log.checkpoints(),
            cases=held,
            vkey=vkey,
            demo=demo,
        )

    # -- the static site ---------------------------------------------------------------------

    def write(
        self, out: Path, assets: Path, *, days: int = SITE_DAYS, runs: int = SITE_SUPPLY_RUNS
    ) -> SiteResult:
        """Write the dashboard (the page's files, ``assets``: :data:`corridor.web.STATIC`) with
        its data and the log's tiles to ``out`` (new, empty, or a previous site, which is
        replaced); InputError otherwise, or when the log has no signed checkpoint yet
        (``corridor log checkpoint``)."""
        from corridor.export.folder import check_output_folder

        if not 1 <= days <= MAX_SITE_DAYS:
            raise InputError(f"days: {days} is not between 1 and {MAX_SITE_DAYS}", where="--days")
        if not self.app.log.checkpoints():
            raise InputError("the log has no signed checkpoint yet: run corridor log checkpoint")
        if check_output_folder(out, SITE_MARKER, SITE_NAMES):
            for name in SITE_NAMES:
                p = out / name
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p)
                else:
                    p.unlink(missing_ok=True)
        out.mkdir(parents=True, exist_ok=True)
        (out / SITE_MARKER).write_text("Written by corridor site; writing it again replaces it.\n")
        return _SiteWriter(self.app, out, days, runs).write(assets)


class _SiteWriter:
    def __init__(self, app: Corridor, out: Path, days: int, runs: int) -> None:
        self.app, self.out, self.days, self.runs = app, out, days, runs
        self.files = 0
        self.referenced: set[str] = set()

    def put(self, rel: str, doc: Any) -> None:
        path = self.out / "data" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")),
                        encoding="utf-8")
        self.files += 1
        _collect_ids(doc, self.referenced)

    def write(self, assets: Path) -> SiteResult:
        from corridor.app import shapes
        from corridor.model.timefmt import resolve_tz

        app, out = self.app, self.out
        for item in assets.iterdir():
            if item.name == "index.html":
                html = item.read_text(encoding="utf-8")
                html = html.replace('data-source="api"', 'data-source="static"', 1)
                (out / "index.html").write_text(html, encoding="utf-8")
            elif item.is_dir():
                shutil.copytree(item, out / item.name)
        # every figure rests on the checkpoint whose tiles the site carries (log/)
        size = app.log.checkpoints()[-1][0]
        summary = app.site.summary(as_of=size)
        tz: tzinfo = resolve_tz(summary["cases"][0]["tz"]) if summary["cases"] else UTC
        days = _days(summary, tz, self.days)
        # the days the slider may stand on: those the site holds a situation for
        self.put("summary.json", {**summary, "site_days": [d.isoformat() for d in days]})
        self.put("registry.json", shapes.registry(app.store.registry()))
        for day in days:
            at = datetime.combine(day, time(12), tz)
            sit, _reg = app.situation.at(at, as_of=size)
            self.put(f"situation/{day.isoformat()}.json", shapes.situation(sit))
        if days:  # the whole span (at most MAX_DAYS), so the chart's window is never cut short
            from corridor.app.situation import MAX_DAYS

            first = max(_days(summary, tz, MAX_DAYS)[0], days[-1] - timedelta(days=MAX_DAYS - 1))
            self.put("crossings-daily.json", shapes.daily_crossings(
                app.situation.daily(first, days[-1] + timedelta(days=1), tz, as_of=size)))
            # the population counts of the same span (the page keeps those before its instant)
            last = datetime.combine(days[-1], time(12), tz)
            span = (last.date() - first).days + 1
            self.put("population.json", app.situation.population(last, days=span, as_of=size))
        for case in summary["cases"]:
            loaded = app.cases.builtin(case["name"])
            result = app.commitments.check(list(loaded.rules), datetime.now(UTC), case=loaded,
                                           short_names=True)
            self.put(f"commitments/{case['name']}.json", shapes.commitments(
                result.at, result.events, result.to_json(), result.unproved))
            sup = app.supply.load(case["name"], [], None, None, files=False)
            ran = app.supply.run(sup, runs=self.runs, seed=1)
            self.put(f"supply/{case['name']}.json", shapes.supply_result(
                case["name"], self.runs, 1, ran.results, ran.skipped, None))
        self.put("keys.json", {"items": [shapes.key(o, v, d) for o, v, d in app.keys.list()]})
        self.put("releases.json", {"items": [shapes.release(r) for r in app.releases.list()]})
        vkey, demo = app.log.key()
        self.put("log-key.json", shapes.log_key(vkey, demo))
        exported = app.log.export(out / "log", as_of=size)
        self.files += exported.files
        self.files += self._observations(size)
        return SiteResult(out, self.files, len(days), len(self.referenced & self.written),
                          exported.size)

    def _observations(self, size: int) -> int:
        from corridor.app import shapes
        from corridor.errors import NotFoundError

        app = self.app
        self.written: set[str] = set()
        ids = sorted(self.referenced)
        attested = app.history.attestations(ids, as_of=size)
        for oid in ids:
            try:
                s = app.observations.show(oid)
            except NotFoundError:
                continue
            proofs, _missing = app.log.prove_many([(s.id, s.log_index)])
            doc = {**shapes.observation(s, attestations=attested.get(s.id)),
                   "proof": proofs.get(s.id)}
            path = self.out / "data" / "observations" / f"{s.id}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")),
                            encoding="utf-8")
            self.written.add(s.id)
        return len(self.written)


def _days(summary: dict[str, Any], tz: tzinfo, count: int) -> list[date]:
    span = summary.get("span")
    if not span:
        return []
    first = datetime.fromisoformat(span["first"]).astimezone(tz).date()
    last = datetime.fromisoformat(span["last"]).astimezone(tz).date()
    first = max(first, last - timedelta(days=count - 1))
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _collect_ids(doc: Any, into: set[str]) -> None:
    """Every observation id (64 hex characters) a data file names."""
    if isinstance(doc, dict):
        for v in doc.values():
            _collect_ids(v, into)
    elif isinstance(doc, list):
        for v in doc:
            _collect_ids(v, into)
    elif isinstance(doc, str) and len(doc) == 64 and all(ch in "0123456789abcdef" for ch in doc):
        into.add(doc)


