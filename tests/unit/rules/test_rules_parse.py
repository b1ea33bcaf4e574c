"""Rule files: parsing, and every bad rule reported at FILE:LINE:COLUMN before evaluation."""

from __future__ import annotations

import pytest
from rulekit import rules_text

from corridor.errors import RuleError
from corridor.model import Registry
from corridor.rules import Response, State, Threshold, parse_duration, parse_rules

THRESHOLD = """\
    kind: threshold
    from: 2023-09-01
    to: 2023-10-01
    every: 1d
    measure: sum(count)
    of: {type: crossing, checkpoint: hakari-bridge, category: vehicles}
    for_each: direction
    at_least: 1
"""


def pos(text: str, token: str, nth: int = 0, shift: int = 0) -> str:
    """rules.yaml:LINE:COLUMN of the nth occurrence of ``token`` (1-based line and column),
    ``shift`` characters further along the line."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(token, at + 1)
    at += shift
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    return f"rules.yaml:{line}:{col}"


def error(text: str, registry: Registry | None = None) -> RuleError:
    with pytest.raises(RuleError) as info:
        parse_rules(text, name="rules.yaml", registry=registry)
    return info.value


class TestParseValid:
    def test_threshold(self, registry: Registry) -> None:
        """A threshold rule parses into its model with durations in seconds and tz inherited."""
        rules = parse_rules(rules_text(THRESHOLD), registry=registry)
        (c,) = rules.commitments
        assert isinstance(c, Threshold)
        assert c.every == 86400
        assert c.tz == "+04:00"
        assert c.measure_field == "count"
        assert c.from_ is not None and c.from_.isoformat() == "2023-09-01T00:00:00+04:00"

    def test_response_same_as_word(self) -> None:
        """``same`` accepts one field name as well as a list."""
        text = rules_text("""\
    kind: response
    when: {type: convoy, state: dispatched}
    then: {type: convoy, state: [inspected, crossed]}
    within: 24h
    same: convoy
""")
        (c,) = parse_rules(text).commitments
        assert isinstance(c, Response)
        assert c.same == ("convoy",)
        assert c.then.values("state") == ("inspected", "crossed")  # type: ignore[union-attr]

    def test_every_kind(self, registry: Registry) -> None:
        """All six kinds parse, with ``any`` filters, sequence steps and state options."""
        text = rules_text(
            THRESHOLD,
            """\
    kind: concurrent
    of:
      - {type: route_status, route: lachin-road, status: open}
      - {type: route_status, route: aghdam-road, status: open}
    within: 1d
""",
            """\
    kind: sequence
    steps:
      - {type: route_status, route: aghdam-road, status: open}
      - {type: route_status, route: lachin-road, status: open, within: 24h}
""",
            """\
    kind: absence
    evidence: corroborated
    of:
      any:
        - {type: incident, route: lachin-road, category: insecurity}
        - {type: incident, checkpoint: hakari-bridge}
""",
            """\
    kind: state
    of: {type: route_status, route: lachin-road, status: open}
    every: 7d
    at_least: 0.5
    stale_after: 3d
""",
        )
        rules = parse_rules(text, registry=registry)
        kinds = [c.kind for c in rules.commitments]
        assert kinds == ["threshold", "concurrent", "sequence", "absence", "state"]
        state = rules.commitments[-1]
        assert isinstance(state, State) and state.stale_after == 3 * 86400

    def test_durations(self) -> None:
        """Durations combine units: 1d12h is 36 hours."""
        assert parse_duration("1d12h") == 36 * 3600
        assert parse_duration("30m") == 1800
        assert parse_duration("2w") == 14 * 86400


class TestParseErrors:
    def test_unknown_field(self) -> None:
        """An unknown commitment field is named at its key, with a suggestion."""
        text = rules_text(THRESHOLD.replace("every: 1d", "evry: 1d"))
        e = error(text)
        assert e.where == pos(text, "evry")
        assert "unknown field 'evry'" in e.reason and "every" in e.reason

    def test_unknown_filter_field(self) -> None:
        """A filter field the observation type does not have is named at its key."""
        text = rules_text(THRESHOLD.replace("category: vehicles", "categry: vehicles"))
        e = error(text)
        assert e.where == pos(text, "categry")
        assert "crossing has no field 'categry'" in e.reason

    def test_unknown_route(self, registry: Registry) -> None:
        """A route id the registry does not know is named at its value."""
        text = rules_text("""\
    kind: state
    of: {type: route_status, route: lachin-rd, status: open}
""")
        e = error(text, registry)
        assert e.where == pos(text, "lachin-rd")
        assert e.reason == "unknown route 'lachin-rd'"

    def test_unknown_checkpoint(self, registry: Registry) -> None:
        """A checkpoint id the registry does not know is named at its value."""
        text = rules_text(THRESHOLD.replace("checkpoint: hakari-bridge", "checkpoint: hakari"))
        e = error(text, registry)
        assert e.where == pos(text, "hakari,")
        assert e.reason == "unknown checkpoint 'hakari'"

    def test_unknown_id_in_list(self, registry: Registry) -> None:
        """An unknown id inside a list of values is named at that list item."""
        text = rules_text(THRESHOLD.replace("checkpoint: hakari-bridge",
                                            "checkpoint: [hakari-bridge, nowhere]"))
        e = error(text, registry)
        assert e.where == pos(text, "nowhere")

    @pytest.mark.parametrize("bad", ["1x", "24", "1.5d", "-1d", "0h"])
    def test_malformed_duration(self, bad: str) -> None:
        """A malformed duration is named at its value, with the expected format."""
        text = rules_text(THRESHOLD.replace("every: 1d", f"every: {bad}"))
        e = error(text)
        assert e.where == pos(text, f"every: {bad}", shift=len("every: "))
        assert "duration" in e.reason

    def test_for_each_field_missing(self) -> None:
        """A for_each field the observation type does not have is named at its value."""
        text = rules_text(THRESHOLD.replace("for_each: direction", "for_each: convoyx"))
        e = error(text)
        assert e.where == pos(text, "convoyx")
        assert e.reason == "for_each: crossing has no field 'convoyx'"

    def test_from_after_to(self) -> None:
        """``from`` after ``to`` is named at ``from``."""
        text = rules_text(THRESHOLD.replace("from: 2023-09-01", "from: 2023-11-01"))
        e = error(text)
        assert e.where == pos(text, "2023-11-01")
        assert "is not before to" in e.reason

    def test_unknown_kind(self) -> None:
        """An unknown kind is named at its value, listing the kinds."""
        text = rules_text(THRESHOLD.replace("kind: threshold", "kind: treshold"))
        e = error(text)
        assert e.where == pos(text, "treshold")
        assert "unknown kind 'treshold'" in e.reason and "threshold" in e.reason

    def test_bad_enum_value(self) -> None:
        """A filter value outside the field's values is named, with the allowed values."""
        text = rules_text(THRESHOLD.replace("category: vehicles", "category: lorries"))
        e = error(text)
        assert e.where == pos(text, "lorries")
        assert "persons, vehicles, cargo" in e.reason

    def test_unknown_type(self) -> None:
        """An unknown observation type is named at the type's value."""
        text = rules_text(THRESHOLD.replace("type: crossing", "type: crosing"))
        e = error(text)
        assert e.where == pos(text, "crosing")

    def test_personal_field(self) -> None:
        """A personal field cannot be used in a filter."""
        text = rules_text(THRESHOLD.replace("category: vehicles", "driver_name: someone"))
        assert "personal data" in error(text).reason

    def test_sum_of_unsummable(self) -> None:
        """A measure over a field that is not a non-negative number is refused at measure."""
        text = rules_text(THRESHOLD.replace("sum(count)", "sum(commodity)"))
        e = error(text)
        assert e.where == pos(text, "sum(commodity)")

    def test_window_needs_tz(self) -> None:
        """A calendar window without tz (nor a file default) is refused."""
        text = rules_text(THRESHOLD).replace('tz: "+04:00"\n', "")
        text = text.replace("from: 2023-09-01", "from: 2023-09-01T00:00:00Z").replace(
            "to: 2023-10-01", "to: 2023-10-01T00:00:00Z")
        assert "needs tz" in error(text).reason

    def test_naive_from_without_tz(self) -> None:
        """A date without an offset and without tz is refused at its value."""
        text = rules_text("""\
    kind: absence
    from: 2023-09-01
    of: {type: incident}
""").replace('tz: "+04:00"\n', "")
        e = error(text)
        assert e.where == pos(text, "2023-09-01")
        assert "no UTC offset" in e.reason

    def test_duplicate_id(self) -> None:
        """Two commitments with one id: the second is named."""
        text = rules_text(THRESHOLD, THRESHOLD, ids=["same", "same"])
        e = error(text)
        assert e.where == pos(text, "same", 1)

    def test_duplicate_key(self) -> None:
        """A key given twice in one mapping is named at its second occurrence."""
        text = rules_text(THRESHOLD + "    at_least: 2\n")
        e = error(text)
        assert e.where == pos(text, "at_least", 1)
        assert "duplicate key" in e.reason

    def test_same_field_missing(self) -> None:
        """A ``same`` field one side's type lacks is named."""
        text = rules_text("""\
    kind: response
    when: {type: convoy, state: dispatched}
    then: {type: route_status, route: lachin-road}
    within: 1d
    same: [convoy]
""")
        e = error(text)
        assert e.where == pos(text, "[convoy]")
        assert "route_status has no field 'convoy'" in e.reason

    def test_state_needs_one_subject(self) -> None:
        """A state rule must name the one route it follows."""
        text = rules_text("""\
    kind: state
    of: {type: route_status, status: open}
""")
        assert "exactly one route" in error(text).reason

    def test_missing_field(self) -> None:
        """A missing required field is reported at its mapping."""
        text = rules_text(THRESHOLD.replace("    every: 1d\n", ""))
        e = error(text)
        assert e.reason == "missing field 'every'"
        assert e.where == pos(text, "id: c0")

    def test_bad_yaml(self) -> None:
        """Text that is not YAML is reported at the parser's position."""
        e = error("commitments: [\n  - {a: 1\n")
        assert e.where is not None and e.where.startswith("rules.yaml:")
        assert "not valid YAML" in e.reason

    def test_empty(self) -> None:
        """An empty file is refused."""
        assert error("").where == "rules.yaml:1:1"

    def test_error_message_carries_position(self) -> None:
        """The message of the error starts with FILE:LINE:COLUMN."""
        text = rules_text(THRESHOLD.replace("every: 1d", "evry: 1d"))
        assert str(error(text)).startswith(pos(text, "evry") + ": unknown field")
