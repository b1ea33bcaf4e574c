"""The stock-and-flow engine: the contract, a plain scalar reference, and the vectorised engine.

The contract, for each commodity c and day t (quantities in whole grams; see docs/scenarios.md):

    available[c,t]   = stock[c,t] + inflow[c,t] + local[c,t]
    stock[c,t+1]     = max(0, available[c,t] − need[c,t])
    shortfall[c,t]   = max(0, need[c,t] − available[c,t])        (unmet need)
    days_of_supply[c,t] = stock[c,t] / need[c,t]                (inf when need is 0)

:func:`run_scalar` is that text as Python loops over Python integers; it is the reference.
:func:`run` is the vectorised engine. The clamp makes the recurrence non-linear; it becomes linear
in prefix sums with a running minimum (the Skorokhod reflection of a random walk at zero). With
d = inflow + local − need, S[0] = stock[0] and S[t] = stock[0] + Σ_{k<t} d[k], and
M[t] = min(0, min_{k≤t} S[k]):

    stock[t]     = S[t] − M[t]
    shortfall[t] = M[t] − M[t+1]          (so the total shortfall to day t is −M[t])

Proof by induction, writing L[t] = −M[t] ≥ 0 and using stock[0] ≥ 0 so L[0] = 0:
stock[t+1] = max(0, S[t] + L[t] + d[t]) = S[t+1] + max(L[t], −S[t+1]) = S[t+1] + L[t+1], and
shortfall[t] = max(0, −S[t+1] − L[t]) = max(L[t], −S[t+1]) − L[t] = L[t+1] − L[t].

Everything is int64 grams, so the vectorised engine agrees with the reference exactly (a
Hypothesis test checks it). Only days of supply are floats (a ratio, for reporting).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["ScalarSeries", "Series", "days_of_supply", "run", "run_scalar"]

Int64Array = NDArray[np.int64]


@dataclass(frozen=True)
class ScalarSeries:
    """Output of the reference: ``stock[c]`` has T+1 values, ``shortfall[c]`` has T."""

    stock: list[list[int]]
    shortfall: list[list[int]]


def run_scalar(
    stock0: Sequence[int],
    inflow: Sequence[Sequence[int]],
    local: Sequence[Sequence[int]],
    need: Sequence[Sequence[int]],
) -> ScalarSeries:
    """The contract as plain loops; all arguments in whole grams, indexed [commodity][day]."""
    stocks: list[list[int]] = []
    shortfalls: list[list[int]] = []
    for c, s0 in enumerate(stock0):
        if s0 < 0:
            raise ValueError("initial stock must not be negative")
        stock = [int(s0)]
        shortfall: list[int] = []
        for t in range(len(need[c])):
            available = stock[t] + int(inflow[c][t]) + int(local[c][t])
            n = int(need[c][t])
            if available >= n:
                stock.append(available - n)
                shortfall.append(0)
            else:
                stock.append(0)
                shortfall.append(n - available)
        stocks.append(stock)
        shortfalls.append(shortfall)
    return ScalarSeries(stocks, shortfalls)


@dataclass(frozen=True)
class Series:
    """Output of the vectorised engine: ``stock`` (..., C, T+1), ``shortfall`` (..., C, T)."""

    stock: Int64Array
    shortfall: Int64Array

    @property
    def cumulative_shortfall(self) -> Int64Array:
        """Total unmet need up to each day, (..., C, T+1)."""
        return np.concatenate(
            [np.zeros((*self.stock.shape[:-1], 1), np.int64), np.cumsum(self.shortfall, -1)],
            axis=-1,
        )


def run(
    stock0: Int64Array, inflow: Int64Array, local: Int64Array, need: Int64Array
) -> Series:
    """The vectorised engine over any leading (batch, commodity) axes; time is the last axis.

    ``stock0`` has shape (..., C); the flows (..., C, T). All int64 grams; stock0 must be ≥ 0.
    """
    s0 = np.asarray(stock0, dtype=np.int64)
    if np.any(s0 < 0):
        raise ValueError("initial stock must not be negative")
    d = np.asarray(inflow, np.int64) + np.asarray(local, np.int64) - np.asarray(need, np.int64)
    prefix = np.empty((*d.shape[:-1], d.shape[-1] + 1), dtype=np.int64)
    prefix[..., 0] = 0
    np.cumsum(d, axis=-1, out=prefix[..., 1:])
    prefix += s0[..., None]  # S[t]
    running_min = np.minimum.accumulate(np.minimum(prefix, 0), axis=-1)  # M[t]
    stock = prefix - running_min
    shortfall = running_min[..., :-1] - running_min[..., 1:]
    return Series(stock, shortfall)


def days_of_supply(stock: Int64Array, need: Int64Array) -> NDArray[np.float64]:
    """stock[..., t] / need[..., t] per day (stock at the start of the day); inf when need is 0."""
    s = np.asarray(stock, dtype=np.float64)[..., : need.shape[-1]]
    n = np.asarray(need, dtype=np.float64)
    out = np.full(n.shape, np.inf)
    np.divide(s, n, out=out, where=n > 0)
    return out
