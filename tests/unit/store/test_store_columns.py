"""The store's batch of indexed entries (corridor.store.columns.IndexedBatch)."""

from __future__ import annotations

from corridor.store.columns import IndexedBatch, IndexedEntry


def _entry(i: int, personal: bool = False) -> IndexedEntry:
    return IndexedEntry(
        f"entry {i}".encode(),
        f"{i:064x}",
        ("crossing", i, None),
        ("org-a",) if i % 2 else ("org-a", "org-b"),
        i == 2,
        (("driver_name", b"s" * 16, f"driver {i}"),) if personal else (),
        None,
    )


def test_a_batch_holds_its_entries_field_by_field() -> None:
    """Entry i of a batch is the i-th value of every field, and comes back whole."""
    items = [_entry(i) for i in range(4)]
    batch = IndexedBatch.of(items)
    assert batch.size == 4 and batch.ids == [i.id for i in items]
    assert [batch.item(i) for i in range(4)] == items
    assert batch.personal == []  # no entry has personal fields


def test_a_selection_keeps_the_entries_asked_for_in_that_order() -> None:
    items = [_entry(0), _entry(1, personal=True), _entry(2), _entry(3, personal=True)]
    batch = IndexedBatch.of(items)
    assert len(batch.personal) == 4
    chosen = batch.select([3, 0])
    assert [chosen.item(i) for i in range(chosen.size)] == [items[3], items[0]]
    assert chosen.personal == [items[3].personal, ()]
    assert batch.select([0, 2]).personal == []  # none of them has personal fields
    assert batch.select([]).size == 0
