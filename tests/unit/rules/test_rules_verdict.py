"""Verdicts: worst-of ordering and the JSON shape of results."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rulekit import day, judge, obs, rules_text

from corridor.model import Registry
from corridor.rules import Verdict, worst

ORDER = [Verdict.satisfied, Verdict.pending, Verdict.undetermined, Verdict.violated]


class TestWorst:
    @given(st.lists(st.sampled_from(list(Verdict)), min_size=1))
    def test_worst_is_the_most_severe(self, vs: list[Verdict]) -> None:
        """The worst verdict is the most severe present: violated > undetermined > pending >
        satisfied, whatever the order."""
        assert worst(vs) == max(vs, key=ORDER.index)
        assert worst(reversed(vs)) == worst(vs)

    @given(st.lists(st.sampled_from(list(Verdict))))
    def test_adding_a_violation(self, vs: list[Verdict]) -> None:
        """One violated instance makes the commitment violated."""
        assert worst([*vs, Verdict.violated]) is Verdict.violated

    def test_empty_is_undetermined(self) -> None:
        """No instance at all is undetermined: nothing is satisfied for lack of data."""
        assert worst([]) is Verdict.undetermined

    def test_ranks(self) -> None:
        """Ranks follow the documented order."""
        assert [v.rank for v in ORDER] == [0, 1, 2, 3]


class TestJson:
    def test_shape(self, registry: Registry) -> None:
        """Each commitment gives id, verdict, counts and instances with key, start, end,
        verdict, value and evidence ids; times carry the rule's offset."""
        text = rules_text("""\
    kind: threshold
    from: 2023-07-01
    to: 2023-07-03
    every: 1d
    measure: sum(count)
    of: {type: crossing, checkpoint: hakari-bridge, category: vehicles, direction: inbound}
    at_least: 1
""")
        o = obs("crossing", day("2023-07-01"), checkpoint="hakari-bridge", direction="inbound",
                category="vehicles", count=0)
        (r,) = judge(text, [o], "2023-07-03T00:00:00+04:00", registry)
        doc = r.to_json()
        assert {"id", "verdict", "counts", "instances"} <= set(doc)
        assert doc["counts"] == {"satisfied": 0, "violated": 1, "undetermined": 1, "pending": 0}
        first = doc["instances"][0]
        assert {"key", "start", "end", "verdict", "value", "evidence"} <= set(first)
        assert first == {**first, "key": "2023-07-01", "start": "2023-07-01T00:00:00+04:00",
                         "end": "2023-07-02T00:00:00+04:00", "verdict": "violated", "value": 0,
                         "evidence": [o.id]}
