"""Calendar windows: the periods a threshold, absence or state rule is judged per.

Windows tile the rule's period from an *anchor*: ``from`` when the rule has one, else the local
midnight (in the rule's ``tz``) of the day of the first relevant observation (for steps shorter
than a day: the step boundary after that midnight at or before the observation). A step that is a
whole number of days advances local calendar days (so a day stays a day across a daylight-saving
change); a shorter step advances exact seconds. The last window is cut at ``to``.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from datetime import datetime, timedelta, timezone, tzinfo

__all__ = ["Windows", "anchor_for"]

DAY = 86400


def _fixed(tz: tzinfo) -> bool:
    return isinstance(tz, timezone)


def anchor_for(t: float, step: int, tz: tzinfo) -> float:
    """The window boundary at or before ``t`` when a rule has no ``from``."""
    local = datetime.fromtimestamp(t, tz)
    midnight = datetime(local.year, local.month, local.day, tzinfo=tz).timestamp()
    if step % DAY == 0:
        return midnight
    return midnight + math.floor((t - midnight) / step) * step


class Windows:
    """Windows ``[start(i), end(i))`` for ``i >= 0`` from ``anchor``, cut at ``stop``.

    ``step`` None means one window over the whole period.
    """

    __slots__ = ("_b", "_calendar", "_days", "anchor", "step", "stop", "tz")

    def __init__(self, anchor: float, step: int | None, tz: tzinfo, stop: float | None) -> None:
        self.anchor = anchor
        self.step = step
        self.tz = tz
        self.stop = stop
        self._calendar = step is not None and step % DAY == 0 and not _fixed(tz)
        self._days = 0 if step is None else step // DAY
        self._b: list[float] = [anchor]

    # -- boundaries -----------------------------------------------------------------------
    def _boundary(self, i: int) -> float:
        if self.step is None:
            return self.anchor if i == 0 else math.inf
        if not self._calendar:
            return self.anchor + i * self.step
        b = self._b
        while len(b) <= i:
            local = datetime.fromtimestamp(self.anchor, self.tz).replace(tzinfo=None)
            nxt = local + timedelta(days=self._days * len(b))
            b.append(nxt.replace(tzinfo=self.tz).timestamp())
        return b[i]

    def index(self, t: float) -> int:
        """The window containing ``t`` (negative before the anchor)."""
        if self.step is None:
            return 0 if t >= self.anchor else -1
        if not self._calendar:
            return math.floor((t - self.anchor) / self.step)
        guess = math.floor((t - self.anchor) / self.step)
        if guess < 0:
            return guess
        self._boundary(guess + 2)
        i = bisect_right(self._b, t) - 1
        return i

    def start(self, i: int) -> float:
        return self._boundary(i)

    def end(self, i: int) -> float:
        e = self._boundary(i + 1)
        return e if self.stop is None else min(e, self.stop)

    def last(self, at: float) -> int:
        """The last window that has begun by ``at`` (and begins before ``stop``); -1 if none."""
        limit = at if self.stop is None else min(at, math.nextafter(self.stop, -math.inf))
        return self.index(limit) if limit >= self.anchor else -1

    def label(self, i: int) -> str:
        """The window's start in ``tz``: a date for day steps, else date and time."""
        if self.step is None:
            return "period"
        dt = datetime.fromtimestamp(self.start(i), self.tz)
        if self.step % DAY == 0 and (dt.hour, dt.minute, dt.second) == (0, 0, 0):
            return dt.date().isoformat()
        return dt.strftime("%Y-%m-%dT%H:%M")
