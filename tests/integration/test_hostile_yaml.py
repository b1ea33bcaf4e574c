"""Hostile YAML sources (issue 13) through the public loaders of cases, mapping files, rule files
and scenarios, and through the CLI: each ends in one clear CorridorError, never a traceback."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.app.commitments import load_rules
from corridor.cases import load_case
from corridor.cli.app import main
from corridor.errors import CorridorError, InputError, MappingError, RuleError, ScenarioError
from corridor.ingest import load_mapping, parse_mapping
from corridor.ingest.run import ImportMapping
from corridor.rules import parse_rules
from corridor.source import MAX_BYTES, read_source
from corridor.supply import load_scenario


def _scenario_file(path: Path) -> object:
    """A scenario file read as ``corridor supply --scenario FILE`` reads it."""
    return load_scenario(read_source(path, ScenarioError), str(path))


LOADERS: dict[str, tuple[Callable[[Path], object], type[InputError]]] = {
    "case": (load_case, InputError),
    "mapping": (load_mapping, MappingError),
    "rules": (lambda p: load_rules(p, None), RuleError),
    "scenario": (_scenario_file, ScenarioError),
}
KINDS = sorted(LOADERS)


def bomb() -> str:
    """A "billion laughs": 9 levels of 9 aliases, 9**9 strings once expanded."""
    lines = ['a0: &a0 "lol"']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


def shown(kind: str, path: Path) -> str:
    """How errors inside a file name it: a mapping file by its name, the others by path."""
    return path.name if kind == "mapping" else str(path)


def refused(kind: str, path: Path | str) -> InputError:
    load, error = LOADERS[kind]
    with pytest.raises(error) as info:
        load(Path(path))
    return info.value


@pytest.mark.parametrize("kind", KINDS)
class TestHostileFiles:
    def test_deep_nesting(self, kind: str, tmp_path: Path) -> None:
        """Nesting 100,000 levels deep is refused at its line (was RecursionError)."""
        p = tmp_path / "deep.yaml"
        p.write_text("a: " + "[" * 100_000 + "\n", encoding="utf-8")
        err = refused(kind, p)
        assert str(err).startswith(f"{shown(kind, p)}:1:") and "nest" in err.reason

    def test_deep_block_nesting(self, kind: str, tmp_path: Path) -> None:
        """Deep block nesting (indentation) is refused too, naming the line."""
        p = tmp_path / "deep.yaml"
        p.write_text("".join(" " * i + f"k{i}:\n" for i in range(300)), encoding="utf-8")
        err = refused(kind, p)
        assert str(err).startswith(f"{shown(kind, p)}:101:")
        assert "nested deeper than 100" in err.reason

    def test_billion_laughs(self, kind: str, tmp_path: Path) -> None:
        """An alias bomb is refused at the alias that crosses the bound (was MemoryError)."""
        p = tmp_path / "lol.yaml"
        p.write_text(bomb(), encoding="utf-8")
        t0 = time.perf_counter()
        err = refused(kind, p)
        assert time.perf_counter() - t0 < 30  # bounded work, not 9**9 nodes
        assert str(err).startswith(f"{shown(kind, p)}:7:") and "aliases expand" in err.reason

    def test_dev_zero(self, kind: str) -> None:
        """/dev/zero is refused as not a regular file, unread (was MemoryError)."""
        err = refused(kind, "/dev/zero")
        assert err.where == "/dev/zero" and "not a regular file" in err.reason

    def test_fifo(self, kind: str, tmp_path: Path) -> None:
        """A FIFO is refused at once instead of blocking on it."""
        p = tmp_path / "pipe.yaml"
        os.mkfifo(p)
        assert "not a regular file" in refused(kind, p).reason

    def test_huge_file(self, kind: str, tmp_path: Path) -> None:
        """A file over 64 MiB is refused by its size, naming the file."""
        p = tmp_path / "huge.yaml"
        with p.open("wb") as f:
            f.truncate(MAX_BYTES + 1)
        err = refused(kind, p)
        assert err.where == str(p) and "limit of 64 MiB" in err.reason

    def test_invalid_utf8(self, kind: str, tmp_path: Path) -> None:
        """Binary junk that is not UTF-8 is refused naming the file (was UnicodeDecodeError)."""
        p = tmp_path / "junk.yaml"
        p.write_bytes(b"name: x\n\x89PNG\r\n\x1a\n\x00\x00\xff\xd8")
        err = refused(kind, p)
        assert err.where == str(p) and "not UTF-8 text" in err.reason

    def test_utf8_with_control_characters(self, kind: str, tmp_path: Path) -> None:
        """Valid UTF-8 with NUL bytes is refused as not YAML, naming the file and line."""
        p = tmp_path / "nul.yaml"
        p.write_bytes(b"name: x\nb: \x00\x01\n")
        err = refused(kind, p)
        assert err.where == shown(kind, p) and "line 2" in err.reason

    @settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=st.binary(max_size=200))
    def test_any_bytes(self, kind: str, tmp_path: Path, data: bytes) -> None:
        """Arbitrary bytes in the file raise nothing but CorridorError subclasses."""
        p = tmp_path / "fuzz.yaml"
        p.write_bytes(data)
        with contextlib.suppress(CorridorError):
            LOADERS[kind][0](p)


class TestRuleDialect:
    def test_no_is_text_in_rule_files(self) -> None:
        """In a rule file ``no`` is the text 'no', as in every other file (YAML 1.1 read False)."""
        text = (
            "version: 1\ncommitments:\n  - id: c1\n    kind: no\n"
        )
        with pytest.raises(RuleError) as info:
            parse_rules(text, name="r.yaml")
        assert "'no'" in info.value.reason and info.value.where == "r.yaml:4:11"


class TestMappingPatterns:
    BASE = """\
mappings:
  - type: crossing
    reporter: ngo-x
    source: {title: counts}
    constants: {checkpoint: north-gate, direction: inbound, category: vehicles}
    skip_if: {note: "(a+)+$"}
    columns:
      observed: {column: date, format: "%FORMAT%", tz: UTC}
      count: {column: trucks_in}
"""

    def test_repeated_directive_is_refused_at_load(self) -> None:
        """A format with a directive twice is refused at its line (was re.error on each row)."""
        with pytest.raises(MappingError) as info:
            parse_mapping(self.BASE.replace("%FORMAT%", "%d%d"), "m.yaml")
        assert info.value.where == "m.yaml:8:32" and "not a usable time format" in str(info.value)

    def test_overlong_format_is_refused(self) -> None:
        """A format longer than the bound is refused."""
        with pytest.raises(MappingError, match="more than 100 characters"):
            parse_mapping(self.BASE.replace("%FORMAT%", "%Y" + "-" * 200), "m.yaml")

    def test_skip_if_is_literal_text(self) -> None:
        """A regex-looking skip_if value is compared as text: no backtracking, no match."""
        from corridor.ingest.rows import skip_reason

        mf = parse_mapping(self.BASE.replace("%FORMAT%", "%Y-%m-%d"), "m.yaml")
        m: ImportMapping = mf.mappings[0]
        cols = {"note": "note"}
        t0 = time.perf_counter()
        assert skip_reason(m, 2, {"note": "a" * 100_000 + "!"}, cols) is None
        assert time.perf_counter() - t0 < 1
        assert skip_reason(m, 2, {"note": "(a+)+$"}, cols) is not None


class TestFuzzText:
    TEXT = st.one_of(
        st.text(max_size=80),
        st.recursive(
            st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=6),
                      st.sampled_from(["observations", "mappings", "commitments", "kind",
                                       "include", "demo", "population", "ration", "type"])),
            lambda ch: st.one_of(st.lists(ch, max_size=3),
                                 st.dictionaries(st.text(max_size=12), ch, max_size=4)),
            max_leaves=12,
        ).map(yaml.safe_dump),
    )

    @pytest.mark.parametrize("kind", KINDS)
    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(text=TEXT)
    def test_any_text(self, kind: str, tmp_path: Path, text: str) -> None:
        """Arbitrary text in each kind of YAML file raises nothing but CorridorError."""
        p = tmp_path / "fuzz.yaml"
        p.write_text(text, encoding="utf-8")
        with contextlib.suppress(CorridorError):
            LOADERS[kind][0](p)


class TestCli:
    def test_alias_bomb_rule_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """`corridor check BOMB.yaml --case lachin-2023` exits 1 with one line, no traceback."""
        p = tmp_path / "lol.yaml"
        p.write_text(bomb(), encoding="utf-8")
        code = main(["check", str(p), "--case", "lachin-2023"])
        err = capsys.readouterr().err
        assert code == 1 and "Traceback" not in err
        assert err.strip().startswith(f"error: {p}:7:") and "aliases expand" in err

    def test_dev_zero_scenario(self, capsys: pytest.CaptureFixture[str]) -> None:
        """`corridor supply --scenario /dev/zero` exits 1 naming the file, no traceback."""
        code = main(["supply", "--scenario", "/dev/zero"])
        err = capsys.readouterr().err
        assert code == 1 and "Traceback" not in err
        assert err.strip().startswith("error: /dev/zero: not a regular file")

    def test_deep_case_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """`corridor check --case DEEP.yaml` exits 1 naming the line, no traceback."""
        p = tmp_path / "case.yaml"
        p.write_text("name: x\nplaces: " + "[" * 50_000 + "\n", encoding="utf-8")
        code = main(["check", "--case", str(p)])
        err = capsys.readouterr().err
        assert code == 1 and "Traceback" not in err and f"{p}:2:" in err
