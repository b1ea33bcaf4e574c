"""Benchmarks: ``python -m corridor.bench NAME [--quick] [--json]``.

Each benchmark measures its baseline in the same run and prints its figures as ratios against it
(machines are noisy; absolute numbers alone mean little). Timing never goes into the test suite.
"""
