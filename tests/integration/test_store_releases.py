"""The releases table on both backends (schema 0005): numbers follow each other and are never
reused, one release per signed checkpoint, each recorded in the admin record in the same
transaction, and the upgrade from 0004. SYNTHETIC data (tests/historykit.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect
from test_store_history import open_record

from corridor.errors import ConflictError, NotFoundError
from corridor.recording import Recorder
from corridor.store import migrate
from corridor.store.sql import SqlStore
from historykit import crossing


@pytest.fixture
def record(db_url: str, tmp_path: Path) -> Iterator[tuple[SqlStore, Recorder]]:
    store, rec = open_record(db_url, tmp_path / "keys")
    yield store, rec
    store.close()


def _release(store: SqlStore, size: int, notes: str = "notes") -> int:
    return store.add_release(size, notes, ["w"], unwitnessed=False, at=1, actor="cli:test").number


def test_numbers_follow_each_other(record: tuple[SqlStore, Recorder]) -> None:
    """Releases are numbered 1, 2, 3 in order; a checkpoint is released once; a size never
    signed is refused; each release is an admin action."""
    store, rec = record
    sizes = []
    for n in range(3):
        rec.submit([crossing(n, day=1 + n)])
        sizes.append(store.size())
    assert [_release(store, s) for s in sizes[:2]] == [1, 2]
    with pytest.raises(ConflictError, match="release 1 already"):
        _release(store, sizes[0])
    with pytest.raises(NotFoundError) as exc:
        _release(store, 10**6)
    assert exc.value.code == "no-checkpoint"
    assert _release(store, sizes[2]) == 3
    assert [(r.number, r.size, r.witnesses) for r in store.releases()] == [
        (1, sizes[0], ("w",)), (2, sizes[1], ("w",)), (3, sizes[2], ("w",))
    ]
    assert store.release(2) == store.releases()[1] and store.release(4) is None
    actions = [a for a in store.admin_actions(0, 100) if a.action == "release.create"]
    assert [a.subject for a in actions] == ["1", "2", "3"]


def test_upgrade_from_0004(record: tuple[SqlStore, Recorder]) -> None:
    """A record at 0004 is upgraded in place: the releases table appears, empty, and nothing
    else changes; downgrading drops it."""
    store, rec = record
    rec.submit([crossing(3)])
    cfg = migrate._config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    assert migrate.current_revision(store.engine) == "0004"
    assert not inspect(store.engine).has_table("releases")
    migrate.upgrade(store.engine)
    assert migrate.current_revision(store.engine) == migrate.HEAD_REVISION
    assert store.releases() == []
    assert _release(store, store.size()) == 1


def test_concurrent_releases_get_distinct_numbers(
    db_url: str, record: tuple[SqlStore, Recorder]
) -> None:
    """Releases made at once, from stores of their own, are numbered 1..n with none twice."""
    from concurrent.futures import ThreadPoolExecutor

    store, rec = record
    sizes = []
    for n in range(6):
        rec.submit([crossing(n, day=1 + n)])
        sizes.append(store.size())

    def make(size: int) -> int:
        own = SqlStore.open(db_url)
        try:
            return _release(own, size)
        finally:
            own.close()

    with ThreadPoolExecutor(6) as pool:
        numbers = list(pool.map(make, sizes))
    assert sorted(numbers) == [1, 2, 3, 4, 5, 6]
    assert {r.size: r.number for r in store.releases()} == dict(zip(sizes, numbers, strict=True))

