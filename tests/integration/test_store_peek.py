"""The fast read-only reader (corridor.store.peek, stdlib sqlite3) answers as the full store does,
and refuses what the full store refuses, with the same error codes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from corridor.app import Corridor
from corridor.errors import StoreError
from corridor.store import migrate, peek
from corridor.store.sql import SqlStore
from corridor.testing import Cli


def _full(db: Path) -> list[tuple[str, str, bool]]:
    store = SqlStore.open(str(db))
    try:
        return [(o, v, d) for o, v, _k, _p, d in store.org_keys()]
    finally:
        store.close()


def _error(fn: object, *args: object) -> StoreError:
    with pytest.raises(StoreError) as info:
        fn(*args)  # type: ignore[operator]
    return info.value


class TestSameAnswer:
    def test_keys_in_the_store_order(self, north: Cli) -> None:
        """Demo keys, a real key and a rotation come back identical, in the same order."""
        other = str(Path(north.db).parent / "other-keys")
        assert north("keys", "new", "ngo-x", "--rotate", "--keys", other)[0] == 0
        assert north("case", "load", "lachin-2023")[0] == 0  # its reporters' DEMO keys
        got = peek.registered_keys(Path(north.db))
        assert got is not None and len(got) >= 3
        assert got == _full(north.db)
        assert any(d for _o, _v, d in got) and not all(d for _o, _v, d in got)

    def test_the_application_uses_it_before_the_store_is_open(self, north: Cli) -> None:
        with Corridor.open(str(north.db)) as app:
            rows = app.keys.list()
            assert not app.opened  # answered without SQLAlchemy's store
            assert rows == _full(north.db)

    def test_head_revision_is_the_store_s(self) -> None:
        assert peek.HEAD_REVISION == migrate.HEAD_REVISION


class TestSameRefusals:
    def test_no_database(self, tmp_path: Path) -> None:
        db = tmp_path / "none.db"
        fast, full = _error(peek.registered_keys, db), _error(SqlStore.open, str(db))
        assert fast.code == full.code == "no-database"
        assert str(fast) == str(full)

    def test_not_initialised(self, tmp_path: Path) -> None:
        db = tmp_path / "empty.db"
        sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.close()
        fast, full = _error(peek.registered_keys, db), _error(SqlStore.open, str(db))
        assert fast.code == full.code == "schema-missing"
        assert str(fast) == str(full)

    def test_old_schema(self, north: Cli) -> None:
        with sqlite3.connect(north.db) as conn:
            conn.execute("UPDATE alembic_version SET version_num = '0001'")
        db = Path(north.db)
        fast, full = _error(peek.registered_keys, db), _error(SqlStore.open, str(db))
        assert fast.code == full.code == "schema-old"
        assert str(fast) == str(full)

    def test_not_a_database(self, tmp_path: Path) -> None:
        db = tmp_path / "junk.db"
        db.write_bytes(b"this is not an SQLite file, it is text " * 200)
        fast, full = _error(peek.registered_keys, db), _error(SqlStore.open, str(db))
        assert fast.code is full.code is None
        assert "is not a corridor database" in str(fast)
        assert "is not a corridor database" in str(full)


class TestKeysListOutput:
    def test_one_key_per_line_never_folded(self, north: Cli) -> None:
        code, out, _ = north("keys", "list")
        assert code == 0
        lines = out.splitlines()
        assert lines[0].split() == ["organisation", "verifier", "key", "note"]
        rows = north.json("keys", "list", "--json")
        assert len(lines) == 1 + len(rows)
        for line, row in zip(lines[1:], rows, strict=True):
            assert row["vkey"] in line  # whole, on one line: it can be copied
            assert ("DEMO key" in line) == row["demo"]
