"""`corridor export` and re-import: every format of a filtered view, streamed; what is exported
imports into a fresh database to the same observations (both backends as the source); HXL
read by libhxl, GeoJSON by shapely, the SQLite copy by sqlite3; personal values never leave."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from corridor.cli.app import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DRIVER = "Driver A (fictional)"  # a personal value in examples/vehicles.xlsx
FORMATS = {"csv": "out.csv", "xlsx": "out.xlsx", "hxl": "out.hxl.csv", "geojson": "out.geojson",
           "json": "out.json", "ndjson": "out.ndjson"}  # fmt: skip


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def setup_record(capsys: pytest.CaptureFixture[str], opts: list[str]) -> None:
    """Both example cases, keys, and imports of several kinds (personal values included)."""
    for case in ("north-gate-case.yaml", "corridors-case.yaml"):
        assert run(capsys, "case", "load", str(EXAMPLES / case), *opts)[0] == 0
    for org in ("ngo-x", "acled"):
        assert run(capsys, "keys", "new", org, *opts)[0] == 0
    imports = [
        ["daily-counts.csv", "--map", str(EXAMPLES / "daily-counts.map.yaml")],
        ["vehicles.xlsx", "--map", str(EXAMPLES / "vehicles.map.yaml")],
        ["checkpoint-form-odk.json", "--preset", "checkpoint-form"],
        ["acled-events.csv", "--preset", "acled", "--param", "reporter=acled"],
    ]
    for f, *how in imports:
        code, _, err = run(capsys, "import", str(EXAMPLES / f), *how, *opts, "--json")
        assert code == 0, err
    code, _, err = run(capsys, "record", "crossing", "--reporter", "ngo-x", "--checkpoint",
                       "north-gate", "--direction", "inbound", "--category", "vehicles",
                       "--count", "1", "--observed", "2023-07-11T10:00", "--tz", "UTC",
                       "--note", "=HYPERLINK(\"http://x\")", *opts)  # fmt: skip
    assert code == 0, err


@pytest.fixture
def record(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> list[str]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CORRIDOR_DB", raising=False)
    monkeypatch.delenv("CORRIDOR_KEYS", raising=False)
    opts = ["--db", db_url, "--keys", str(tmp_path / "keys")]
    setup_record(capsys, opts)
    return opts


@pytest.fixture
def local(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> list[str]:
    """The same record, on SQLite only (for what does not depend on the backend)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CORRIDOR_DB", raising=False)
    monkeypatch.delenv("CORRIDOR_KEYS", raising=False)
    opts = ["--db", str(tmp_path / "corridor.db"), "--keys", str(tmp_path / "keys")]
    setup_record(capsys, opts)
    return opts


def ids(capsys: pytest.CaptureFixture[str], opts: list[str], *filters: str) -> list[str]:
    code, out, err = run(capsys, "list", *filters, "--json", "--db", opts[1])
    assert code == 0, err
    return sorted(o["id"] for o in json.loads(out))


class TestRoundTrip:
    def test_every_format_reimports_to_the_same_ids(
        self, record: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Export in each format, import into a fresh SQLite record with the same cases: the
        same observation ids; importing again adds nothing."""
        want = ids(capsys, record)
        assert len(want) > 40
        # the places the imports added (ACLED's locations) travel as a GeoJSON layer
        code, _, err = run(capsys, "export", "places.geojson", "--layer", "places",
                           "--db", record[1])  # fmt: skip
        assert code == 0, err
        for fmt, name in FORMATS.items():
            code, _, err = run(capsys, "export", name, "--db", record[1])
            assert code == 0, (fmt, err)
            fresh = tmp_path / f"fresh-{fmt}"
            opts = ["--db", str(fresh / "c.db"), "--keys", str(fresh / "keys")]
            fresh.mkdir()
            for case in ("north-gate-case.yaml", "corridors-case.yaml"):
                assert run(capsys, "case", "load", str(EXAMPLES / case), *opts)[0] == 0
            for org in ("ngo-x", "acled"):
                assert run(capsys, "keys", "new", org, *opts)[0] == 0
            code, out, err = run(capsys, "import", "places.geojson", *opts, "--json")
            assert code == 0 and json.loads(out)["entities"]["places"]["added"] == 2, err
            code, out, err = run(capsys, "import", name, *opts, "--json")
            assert code == 0, (fmt, err)
            first = json.loads(out)
            assert (first["accepted"], first["rejected"]) == (len(want), 0), fmt
            assert ids(capsys, opts) == want, fmt
            code, out, _ = run(capsys, "import", name, *opts, "--json")
            assert (json.loads(out)["accepted"], json.loads(out)["duplicates"]) == (0, len(want))

    def test_pages_are_the_listing(self, record: list[str]) -> None:
        """Streaming reads pages (here of 7 rows) that together are exactly the listing, in
        its order, with and without filters and limits."""
        from corridor.app import Corridor
        from corridor.store.api import Query

        with Corridor.open(record[1], record[3]) as app:
            for q in (Query(), Query(type="crossing"), Query(checkpoint="north-gate", limit=9)):
                paged = [s.id for s in app.store.scan(q, page=7)]
                assert paged == [s.id for s in app.store.query(q)]
                assert paged

    def test_a_filtered_view(self, record: list[str], capsys: pytest.CaptureFixture[str]) -> None:
        filters = ["--checkpoint", "north-gate", "--from", "2023-07-02", "--to", "2023-07-06",
                   "--tz", "UTC"]  # fmt: skip
        want = ids(capsys, record, "crossing", *filters)
        assert 0 < len(want) < len(ids(capsys, record))
        code, _, err = run(capsys, "export", "view.json", "--type", "crossing", *filters,
                           "--db", record[1])  # fmt: skip
        assert code == 0, err
        got = sorted(o["id"] for o in json.loads(Path("view.json").read_text()))
        assert got == want


class TestReaders:
    def test_libhxl_reads_the_hxl_export(
        self, local: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        import hxl

        assert run(capsys, "export", "out.hxl.csv", "--db", local[1])[0] == 0
        with Path("out.hxl.csv").open("rb") as f:
            source = hxl.data(f, hxl.InputOptions(allow_local=True))
            rows = list(source)
            tags = [c.display_tag for c in source.columns]
        assert "#date+start" in tags and "#affected+killed+num" in tags
        assert len(rows) == len(ids(capsys, local))
        killed = [r.get("#affected+killed") for r in rows if r.get("#meta+type") == "incident"]
        assert "2" in killed
        at_gate = [r for r in rows if r.get("#loc+checkpoint") == "north-gate"]
        counts = {r.get("#indicator+count") for r in at_gate}
        assert "42" in counts

    def test_shapely_reads_the_geojson(
        self, local: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        from shapely.geometry import shape

        for layer in ("observations", "checkpoints", "routes", "places"):
            code, _, err = run(capsys, "export", f"{layer}.geojson", "--layer", layer,
                               "--db", local[1])  # fmt: skip
            assert code == 0, err
            doc = json.loads(Path(f"{layer}.geojson").read_text())
            assert doc["type"] == "FeatureCollection" and "crs" not in doc
            geoms = [shape(f["geometry"]) for f in doc["features"] if f["geometry"]]
            assert geoms and all(g.is_valid for g in geoms)
            for g in geoms:  # RFC 7946: longitude, latitude
                x, y = g.coords[0] if g.geom_type != "Point" else (g.x, g.y)
                assert -180 <= x <= 180 and -90 <= y <= 90
        cps = json.loads(Path("checkpoints.geojson").read_text())["features"]
        gate = next(f for f in cps if f["id"] == "north-gate")
        assert shape(gate["geometry"]).coords[0] == (34.5, 31.5)
        road = json.loads(Path("routes.geojson").read_text())["features"]
        assert shape(next(f for f in road if f["id"] == "north-road")["geometry"]).length > 0

    def test_sqlite_export_for_datasette(
        self, local: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, _, err = run(capsys, "export", "out.db", "--db", local[1])
        assert code == 0, err
        with sqlite3.connect("out.db") as db:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            assert tables == {"observations", "organisations", "places", "routes", "checkpoints",
                              "export"}  # fmt: skip
            n = db.execute("SELECT count(*) FROM observations").fetchone()[0]
            assert n == len(ids(capsys, local))
            cols = [r[1] for r in db.execute("PRAGMA table_info(observations)")]
            assert "driver_name" not in cols and "latitude" in cols
            assert db.execute("SELECT count(*) FROM observations WHERE type = 'incident' AND "
                              "latitude IS NOT NULL").fetchone()[0] == 5  # fmt: skip
            dump = "\n".join(db.iterdump())
        assert DRIVER not in dump and "vkey" not in dump.lower()


class TestPrivacy:
    def test_personal_values_never_exported(
        self, record: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Driver names are in the database (erasable) but in no export, before or after
        erasure."""
        for name in (*FORMATS.values(), "out.db"):
            assert run(capsys, "export", name, "--db", record[1])[0] == 0
            assert DRIVER.encode() not in Path(name).read_bytes(), name
        _, out, _ = run(capsys, "list", "crossing", "--json", "--db", record[1])
        vehicle = next(o for o in json.loads(out) if o.get("body", {}).get("vehicle") == "NX-1001")
        assert run(capsys, "log", "erase", vehicle["id"], "--db", record[1])[0] == 0
        assert run(capsys, "export", "after.csv", "--db", record[1])[0] == 0
        assert DRIVER.encode() not in Path("after.csv").read_bytes()

    def test_formulas_are_neutralised_and_restored(
        self, record: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert run(capsys, "export", "out.csv", "--db", record[1])[0] == 0
        with Path("out.csv").open(newline="", encoding="utf-8") as f:
            notes = [r["note"] for r in csv.DictReader(f) if r["note"]]
        assert "'=HYPERLINK(\"http://x\")" in notes


class TestRefusals:
    def test_existing_file_needs_force(
        self, local: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        Path("taken.csv").write_text("mine\n")
        code, _, err = run(capsys, "export", "taken.csv", "--db", local[1])
        assert code == 1 and "taken.csv: exists; give --force" in err
        assert Path("taken.csv").read_text() == "mine\n"
        assert run(capsys, "export", "taken.csv", "--force", "--db", local[1])[0] == 0

    def test_stdout_and_unknown_format(
        self, local: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, _ = run(capsys, "export", "-", "--format", "ndjson", "--type", "incident",
                           "--db", local[1])  # fmt: skip
        assert code == 0 and len(out.splitlines()) == 5
        code, _, err = run(capsys, "export", "out.txt", "--db", local[1])
        assert code == 1 and "cannot tell the format" in err
        code, _, err = run(capsys, "export", "-", "--format", "xlsx", "--db", local[1])
        assert code == 1 and "a xlsx export is a file" in err


class TestEntityLayers:
    def test_places_routes_checkpoints_round_trip(
        self, local: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The GeoJSON layers of entities import into a record that has only the
        organisations, and give back the same places, routes and checkpoints."""
        from corridor.app import Corridor

        for layer in ("places", "routes", "checkpoints"):
            assert run(capsys, "export", f"{layer}.geojson", "--layer", layer,
                       "--db", local[1])[0] == 0  # fmt: skip
        (tmp_path / "orgs.yaml").write_text(
            "name: orgs\ntitle: Organisations only (synthetic)\norganisations:\n"
            "  - {id: ngo-x, name: NGO X (example), kind: monitor}\n"
            "  - {id: acled, name: ACLED (example), kind: media}\n"
        )
        fresh = ["--db", str(tmp_path / "fresh.db"), "--keys", str(tmp_path / "fresh-keys")]
        assert run(capsys, "case", "load", str(tmp_path / "orgs.yaml"), *fresh)[0] == 0
        for layer in ("places", "routes", "checkpoints"):
            code, out, err = run(capsys, "import", f"{layer}.geojson", *fresh, "--json")
            assert code == 0 and json.loads(out)["rejected"] == 0, err
        with Corridor.open(local[1]) as a, Corridor.open(fresh[1]) as b:
            ra, rb = a.store.registry(), b.store.registry()
            assert (ra.places, ra.routes, ra.checkpoints) == (rb.places, rb.routes,
                                                              rb.checkpoints)  # fmt: skip
