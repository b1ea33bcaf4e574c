"""The token bucket behind the service's rate limits, on a clock the test moves."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from corridor.service.limits import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_the_rate() -> None:
    """60 a minute: 60 at once, then one a second; each key has its own bucket."""
    clock = Clock()
    rl = RateLimiter(60, clock)
    assert all(rl.take("a") == 0 for _ in range(60))
    wait = rl.take("a")
    assert 0.9 < wait <= 1.0
    assert rl.take("b") == 0
    clock.now += 1.0
    assert rl.take("a") == 0 and rl.take("a") > 0


def test_zero_is_no_limit() -> None:
    rl = RateLimiter(0, Clock())
    assert all(rl.take("a") == 0 for _ in range(10_000))


def test_idle_buckets_are_forgotten() -> None:
    clock = Clock()
    rl = RateLimiter(60, clock)
    rl.MAX_KEYS = 10
    for i in range(10):
        rl.take(f"k{i}")
    clock.now += 120  # every bucket is full again
    rl.take("new")
    assert len(rl._buckets) <= 2


@given(st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=200),
       st.integers(min_value=1, max_value=600))  # fmt: skip
def test_never_more_than_burst_plus_rate(gaps: list[float], per_minute: int) -> None:
    """Over any run of requests, no more pass than the bucket's size plus what the elapsed
    time refills."""
    clock = Clock()
    rl = RateLimiter(per_minute, clock)
    start = clock.now
    allowed = 0
    for gap in gaps:
        clock.now += gap
        if rl.take("k") == 0:
            allowed += 1
    assert allowed <= per_minute + (clock.now - start) * per_minute / 60 + 1e-6
