"""The one YAML dialect: core-schema scalars, refused constructs, bounds, positions, fallback."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import corridor.source.yaml as source_yaml
from corridor.errors import CorridorError, InputError, RuleError
from corridor.source import LIBYAML, MAX_ALIAS_NODES, MAX_DEPTH, parse_yaml, resolve_plain


def _refused(text: str, **kw: Any) -> InputError:
    with pytest.raises(InputError) as info:
        parse_yaml(text, "f.yaml", **kw)
    return info.value


def bomb(levels: int = 9, width: int = 9) -> str:
    """A "billion laughs": each level names the previous one ``width`` times."""
    lines = ['a0: &a0 "lol"']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


@pytest.fixture(params=["libyaml", "pure"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test on libyaml's parser (when installed) and on PyYAML's pure-Python one."""
    if request.param == "pure":
        monkeypatch.setattr(source_yaml, "_Loader", yaml.SafeLoader)
    elif not LIBYAML:
        pytest.skip("libyaml is not installed")
    return str(request.param)


class TestScalars:
    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("true", True), ("False", False), ("TRUE", True),
            ("no", "no"), ("NO", "NO"), ("off", "off"), ("y", "y"), ("yes", "yes"),
            ("42", 42), ("-7", -7), ("0", 0), ("007", "007"), ("0x1F", "0x1F"),
            ("1_000", "1_000"), ("+4:00", "+4:00"), ("1:30", "1:30"),
            ("2.5", 2.5), (".5", 0.5), ("1e3", 1000.0), ("-1.5E-2", -0.015),
            (".inf", ".inf"), (".nan", ".nan"),
            ("null", None), ("~", None), ("", None), ("NULL", None),
            ("2023-09-01", "2023-09-01"),
            ("2023-09-01T10:00:00+04:00", "2023-09-01T10:00:00+04:00"),
        ],
    )
    def test_plain_scalars(self, text: str, value: object) -> None:
        """Plain scalars follow the YAML 1.2 core schema, narrowed: all else is text."""
        got = parse_yaml(f"v: {text}\n").data["v"]
        assert got == value and type(got) is type(value)

    def test_quoted_scalars_are_text(self) -> None:
        """A quoted scalar is text, whatever it looks like."""
        assert parse_yaml("a: '1'\nb: \"true\"\nc: ''\n").data == {"a": "1", "b": "true", "c": ""}

    def test_core_tags(self) -> None:
        """The core tags convert their text; ``!!str`` keeps a number as text."""
        doc = parse_yaml("a: !!str 1\nb: !!int '12'\nc: !!float 3\nd: !!bool 'true'\ne: !!null ''")
        assert doc.data == {"a": "1", "b": 12, "c": 3.0, "d": True, "e": None}

    @pytest.mark.parametrize(
        "text", ["!!timestamp 2023-01-01", "!!binary aGk=", "!!python/object:os.system x",
                 "!custom x", "!!set {a: null}", "!!int abc"],
    )
    def test_other_tags_are_refused(self, text: str) -> None:
        """Tags other than the core types (or a core tag that does not fit) are refused."""
        err = _refused(f"v: {text}\n")
        assert err.where == "f.yaml:1:4"

    def test_keys_are_typed_like_values(self) -> None:
        """Keys resolve like values; their path is their text as written."""
        doc = parse_yaml("1: a\nno: b\n")
        assert doc.data == {1: "a", "no": "b"}
        assert doc.where("1") == "<yaml>:1:1"

    def test_number_too_large(self) -> None:
        """A float that overflows, or an integer over 4300 digits, is refused at its place."""
        assert "too large" in _refused("a: 1e999").reason
        assert "digits" in _refused("a: " + "9" * 5000).reason

    def test_resolve_plain_matches_parse(self) -> None:
        """``resolve_plain`` is the rule the parser applies to plain scalars."""
        assert resolve_plain("no") == "no" and resolve_plain("3") == 3


class TestRefused:
    @pytest.mark.parametrize(
        ("text", "where", "reason"),
        [
            ("a: 1\na: 2\n", "f.yaml:2:1", "duplicate key 'a'"),
            ("<<: {a: 1}\n", "f.yaml:1:1", "merge keys (<<) are not supported"),
            ("? [a]\n: b\n", "f.yaml:1:3", "a key must be text or a number"),
            ("a: &x 1\n*x : 2\n", "f.yaml:2:1", "a key must be text or a number, not an alias"),
            ("a: *x\n", "f.yaml:1:4", "the alias *x names no anchor"),
            ("&a [*a]\n", "f.yaml:1:5", "inside the node it names"),
            ("a\n---\nb\n", "f.yaml:2:1", "expected one YAML document"),
            ("a: [1\n", "f.yaml:2:1", "not valid YAML"),
        ],
    )
    def test_refused_constructs(self, parser: str, text: str, where: str, reason: str) -> None:
        """Constructs outside the dialect are refused at FILE:LINE:COLUMN with the reason."""
        err = _refused(text)
        assert err.where == where
        assert reason in err.reason

    def test_control_characters(self, parser: str) -> None:
        """A control character is refused naming the file and the line, not a traceback."""
        err = _refused("a: 1\nb: \x00\n")
        assert err.where == "f.yaml" and "line 2" in err.reason and "#x0000" in err.reason

    def test_error_class_is_the_callers(self) -> None:
        """The caller's error class (here RuleError) is raised."""
        with pytest.raises(RuleError):
            parse_yaml("a: [", "r.yaml", error=RuleError)

    def test_empty(self) -> None:
        """An empty text is no data and no positions."""
        doc = parse_yaml("", "e.yaml")
        assert doc.data is None and doc.where() == "e.yaml:1:1"


class TestBounds:
    def test_depth_at_the_limit_loads(self, parser: str) -> None:
        """Nesting of exactly MAX_DEPTH levels is accepted."""
        text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
        assert parse_yaml(text).data is not None

    def test_deep_flow_nesting(self, parser: str) -> None:
        """Flow nesting beyond the bound is refused at the first level too deep."""
        err = _refused("[" * 100_000)
        assert err.where is not None and err.where.startswith("f.yaml:1:")
        assert "nest" in err.reason

    def test_deep_block_nesting(self, parser: str) -> None:
        """Block nesting beyond the bound is refused naming its line."""
        text = "".join(" " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5))
        err = _refused(text)
        assert err.where == f"f.yaml:{MAX_DEPTH + 1}:{MAX_DEPTH + 1}"
        assert f"nested deeper than {MAX_DEPTH} levels" in err.reason

    def test_billion_laughs(self, parser: str) -> None:
        """An alias bomb is refused at the alias that crosses the bound, before any blow-up."""
        err = _refused(bomb())
        assert "aliases expand" in err.reason
        assert err.where is not None and err.where.startswith("f.yaml:7:")

    def test_small_aliases_load_and_keep_positions(self, parser: str) -> None:
        """Aliases within the bound load; nodes under an alias are at the anchored text."""
        doc = parse_yaml("base: &b {x: 1, y: [2]}\nother: *b\n", "f.yaml")
        assert doc.data["other"] == {"x": 1, "y": [2]}
        assert doc.where("other", "y", 0) == doc.where("base", "y", 0) == "f.yaml:1:21"
        assert doc.where("other") == "f.yaml:2:1"

    def test_alias_bound_is_a_parameter(self) -> None:
        """The expansion bound counts each alias's nodes; a lower bound refuses earlier."""
        text = "a: &a [1, 2, 3]\nb: *a\nc: *a\n"
        assert parse_yaml(text, max_alias_nodes=8).data["c"] == [1, 2, 3]
        assert "aliases expand" in _refused(text, max_alias_nodes=7).reason
        assert MAX_ALIAS_NODES >= 10_000


class TestPositions:
    TEXT = "top:\n  - name: a\n    n: 1\n  - {name: b, n: 2}\n"

    def test_keys_items_and_values(self, parser: str) -> None:
        """Entries are at their key by default, at their value with at_key=False; items at
        the item."""
        doc = parse_yaml(self.TEXT, "p.yaml")
        assert doc.where("top") == "p.yaml:1:1"
        assert doc.where("top", 0) == "p.yaml:2:5"
        assert doc.where("top", 0, "n") == "p.yaml:3:5"
        assert doc.where("top", 0, "n", at_key=False) == "p.yaml:3:8"
        assert doc.where("top", 1, "n") == "p.yaml:4:15"

    def test_unknown_path_falls_back_to_deepest_known(self) -> None:
        """A path that is not in the file is located at its deepest known ancestor."""
        doc = parse_yaml(self.TEXT, "p.yaml")
        assert doc.where("top", 0, "missing", 3) == "p.yaml:2:5"

    def test_non_ascii_columns_count_characters(self, parser: str) -> None:
        """Columns count characters, not bytes, on both parsers."""
        doc = parse_yaml("é: [ü, x]\n", "p.yaml")
        assert doc.where("é", 1) == "p.yaml:1:8"

    def test_libyaml_and_pure_agree(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Both parsers give the same data and positions on a built-in case file."""
        from corridor.cases.loader import BUILTIN

        text = (BUILTIN["lachin-2023"] / "case.yaml").read_text(encoding="utf-8")
        fast = parse_yaml(text)
        monkeypatch.setattr(source_yaml, "_Loader", yaml.SafeLoader)
        pure = parse_yaml(text)
        assert fast.data == pure.data and fast.marks == pure.marks


class TestFuzz:
    @settings(max_examples=200, deadline=None)
    @given(st.text(max_size=80))
    def test_any_text_is_data_or_input_error(self, text: str) -> None:
        """Arbitrary text parses or raises an InputError; nothing else escapes."""
        try:
            parse_yaml(text, "fuzz.yaml")
        except CorridorError as exc:
            assert isinstance(exc, InputError)
