"""How a submission is cut into append batches (recording.tlog.batch_starts)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from corridor.recording import tlog


@given(st.integers(0, 200_000))
def test_batches_cover_the_submission_small_first_then_up_to_batch(n: int) -> None:
    """The batches tile the submission in order (none for an empty one: bug guarded, a zip
    of unequal lists); the first two hold at most ADMIT entries (an acknowledgement comes soon),
    each is at most BATCH and none is smaller than the one before it, except the last."""
    starts = tlog.batch_starts(n)
    ends = [*starts[1:], n] if starts else []
    sizes = [b - a for a, b in zip(starts, ends, strict=True)]
    assert starts[:1] == ([0] if n else [])
    assert all(s > 0 for s in sizes) and sum(sizes) == n
    assert all(s <= tlog.BATCH for s in sizes)
    if sizes:
        assert sizes[0] == min(n, tlog.ADMIT)
    if len(sizes) > 3:
        assert sizes[1] == tlog.ADMIT and sizes[2] == min(2 * tlog.ADMIT, tlog.BATCH)
    assert sizes[:-1] == sorted(sizes[:-1])


def test_a_submission_of_the_service_is_one_batch() -> None:
    """The HTTP API's largest submission is all or nothing: one batch, one transaction."""
    from corridor.app.observations import MAX_SUBMISSION

    assert tlog.batch_starts(MAX_SUBMISSION) == [0]
    assert len(tlog.batch_starts(100_000)) < 100_000 // tlog.ADMIT
