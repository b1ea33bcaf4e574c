"""The store's registry is read afresh on every call; what it reuses when nothing changed never
leaks a caller's additions and never hides another writer's."""

from __future__ import annotations

from corridor.model import Organisation, Place
from corridor.store.sql import SqlStore


def test_registry_sees_every_change_and_no_callers_addition(db_url: str) -> None:
    """A caller adding to its registry changes no one else's; a place or organisation added
    through another store object (another process's writer) is in the next registry."""
    store = SqlStore.open(db_url, create=True)
    other = SqlStore.open(db_url)
    try:
        store.put_entities([Organisation(id="org-a", name="A (synthetic)", kind="monitor")],
                           [Place(id="p-1", names=["One"])], [], [])  # fmt: skip
        first = store.registry()
        first.places["p-x"] = Place(id="p-x", names=["Mine"])
        again = store.registry()
        assert set(again.places) == {"p-1"}
        other.put_entities([], [Place(id="p-2", names=["Two"])], [], [])
        assert set(store.registry().places) == {"p-1", "p-2"}
        other.put_entities([Organisation(id="org-a", name="A renamed", kind="monitor")], [],
                           [], [])  # fmt: skip
        assert store.registry().organisations["org-a"].name == "A renamed"
    finally:
        other.close()
        store.close()
