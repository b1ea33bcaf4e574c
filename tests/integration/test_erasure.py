"""Erasure of personal values (`corridor log erase`): the value and its salt leave the database
files (SQLite file and WAL; PostgreSQL table file), every export, and the log still verifies."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from corridor.app import Corridor

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Zqxjv Wplmrtk (fictional driver)"


def _item() -> dict[str, object]:
    return {
        "type": "crossing",
        "observed": {"start": "2024-01-05T10:00:00+00:00"},
        "reporter": "ngo-x",
        "sources": [{"title": "vehicle log (synthetic test data)"}],
        "body": {"checkpoint": "north-gate", "direction": "inbound", "category": "vehicles",
                 "count": 1, "vehicle": "AB 123", "driver_name": TOKEN},
    }


def _files(app: Corridor) -> list[Path]:
    """The files that hold the database's bytes."""
    if app.store.dialect == "sqlite":
        db = Path(app.store.engine.url.database or "")
        return [p for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists()]
    with app.store.read() as conn:
        conn.exec_driver_sql("CHECKPOINT")  # flush the table's pages to its file
        data = conn.execute(text("SHOW data_directory")).scalar_one()
        rel = conn.execute(text("SELECT pg_relation_filepath('personal_data')")).scalar_one()
    return [Path(data) / rel]


def _holds(files: list[Path], needle: bytes) -> bool:
    return any(needle in p.read_bytes() for p in files)


class TestErasure:
    def test_value_and_salt_leave_the_files(self, db_url: str, tmp_path: Path) -> None:
        """After erase, neither the value nor its salt is in any database file or export."""
        with Corridor.open(db_url, tmp_path / "keys", create=True) as app:
            app.cases.load(app.cases.read(str(ROOT / "examples" / "north-gate-case.yaml")))
            app.keys.new("ngo-x")
            (oid,) = app.observations.record(app.observations.parse([_item()])).accepted
            ((_field, salt, value, _at),) = app.store.personal_values(oid)
            assert value == TOKEN
            needle = TOKEN.encode()
            assert _holds(_files(app), needle), "the test must see the value before erasure"
            assert app.log.erase(oid) == (oid, 1)
            ((_f, salt_after, value_after, erased_at),) = app.store.personal_values(oid)
            assert value_after is None and salt_after == b"" and erased_at is not None
            assert not _holds(_files(app), needle)
            assert not _holds(_files(app), salt)
            assert app.log.verify()["size"] == app.store.size()
            out = app.log.export(tmp_path / "export")
            assert not _holds([p for p in out.folder.rglob("*") if p.is_file()], needle)

    def test_erasing_twice_erases_nothing(self, db_url: str, tmp_path: Path) -> None:
        """A second erase finds nothing left to erase."""
        with Corridor.open(db_url, tmp_path / "keys", create=True) as app:
            app.cases.load(app.cases.read(str(ROOT / "examples" / "north-gate-case.yaml")))
            app.keys.new("ngo-x")
            (oid,) = app.observations.record(app.observations.parse([_item()])).accepted
            assert app.log.erase(oid)[1] == 1
            assert app.log.erase(oid)[1] == 0
