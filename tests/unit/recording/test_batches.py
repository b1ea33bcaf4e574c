"""How a submission is cut into append batches (recording.tlog.batch_starts)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from corridor.recording import tlog


@given(st.integers(0, 400_000), st.integers(0, 10_000_000))
def test_batches_cover_the_submission_small_first_then_up_to_the_limit(
    n: int, log_size: int
) -> None:
    """The batches tile the submission in order (none for an empty one: bug guarded, a zip
    of unequal lists); the first two hold at most ADMIT entries (an acknowledgement comes soon),
    each is at most the log's batch limit and none is smaller than the one before it, except
    the last."""
    limit = tlog.batch_limit(log_size)
    starts = tlog.batch_starts(n, limit)
    ends = [*starts[1:], n] if starts else []
    sizes = [b - a for a, b in zip(starts, ends, strict=True)]
    assert starts[:1] == ([0] if n else [])
    assert all(s > 0 for s in sizes) and sum(sizes) == n
    assert all(s <= limit for s in sizes)
    if sizes:
        assert sizes[0] == min(n, tlog.ADMIT)
    if len(sizes) > 3:
        assert sizes[1] == tlog.ADMIT and sizes[2] == min(2 * tlog.ADMIT, limit)
    assert sizes[:-1] == sorted(sizes[:-1])


@given(st.integers(0, 10**12))
def test_the_batch_limit_grows_with_the_log_within_bounds(log_size: int) -> None:
    """BATCH for a log of up to 20 × BATCH entries, then a twentieth of the log, never more
    than BATCH_MAX (what one transaction holds in memory)."""
    limit = tlog.batch_limit(log_size)
    assert tlog.BATCH <= limit <= tlog.BATCH_MAX
    if log_size <= 20 * tlog.BATCH:
        assert limit == tlog.BATCH
    else:
        assert limit == min(tlog.BATCH_MAX, log_size // 20)
    assert tlog.batch_limit(log_size + 20) >= limit
    assert tlog.batch_limit(1_000_000) == tlog.BATCH_MAX


def test_a_submission_of_the_service_is_one_batch() -> None:
    """The HTTP API's largest submission is all or nothing: one batch, one transaction."""
    from corridor.app.observations import MAX_SUBMISSION

    assert tlog.batch_starts(MAX_SUBMISSION) == [0]
    assert len(tlog.batch_starts(100_000)) < 100_000 // tlog.ADMIT
