"""The rules benchmark's traces and comparisons, at a small size (no timing is asserted)."""

from __future__ import annotations

import importlib.util
import itertools

from corridor.bench.rules import WITHIN_STEPS, response_trace, run


class TestBenchRules:
    def test_trace_one_event_per_step(self) -> None:
        """The response trace has one event per hourly step, the same in both encodings."""
        events, records = response_trace(500)
        assert len(events) == len(records) == 500
        assert all(b.start - a.start == 3600 for a, b in itertools.pairwise(events))
        assert [e.fields["state"] for e in events] == [r["ev"] for r in records]

    def test_figures_agree(self) -> None:
        """Batch and online find the same violations (and so does reelay when installed); the
        threshold rule gives the same verdicts batch and online."""
        fig = run(3000, repeat=1)
        assert fig["online_agrees_with_batch"] is True
        assert fig["threshold_online_agrees"] is True
        assert fig["violations"] > 0 and fig["triggers"] > fig["violations"]
        assert WITHIN_STEPS == 24
        if importlib.util.find_spec("reelay") is not None:
            assert fig["agrees_with_reelay"] is True
        else:
            assert fig["agrees_with_reelay"] is None
        for k in ("batch_events_per_s", "batch_ratio_vs_reelay", "online_ratio_vs_reelay",
                  "agrees_with_reelay", "threshold_events_per_s"):
            assert k in fig
