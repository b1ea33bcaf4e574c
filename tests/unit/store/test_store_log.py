"""The log's side of the store: what an append keeps up to date beside the rows."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from corridor.store.log import _longest_periods

_PERIODS = st.lists(
    st.tuples(
        st.sampled_from(["crossing", "crossing", "convoy"]),
        st.integers(0, 10**12),
        st.one_of(st.none(), st.integers(1, 10**9)),
    ),
    max_size=30,
)


@given(_PERIODS)
def test_the_longest_period_of_each_type(rows: list[tuple[str, int, int | None]]) -> None:
    """Per type, the longest end - start of the entries that have an end (instants left out),
    whether the batch is of one type with every end given (its shortcut) or not."""
    types = [t for t, _s, _d in rows]
    starts = [s for _t, s, _d in rows]
    ends = [None if d is None else s + d for _t, s, d in rows]
    expected: dict[str, int] = {}
    for t, _s, d in rows:
        if d is not None:
            expected[t] = max(expected.get(t, 0), d)
    assert _longest_periods(types, starts, ends) == expected


def test_a_batch_of_one_type_with_every_end_given() -> None:
    """The common batch (the shortcut's case), and the empty one."""
    assert _longest_periods(["crossing"] * 3, [0, 10, 20], [5, 40, 21]) == {"crossing": 30}
    assert _longest_periods([], [], []) == {}
