"""HXL: the hashtag row found wherever it is in the first rows, attributes honoured when a
mapping picks a column by tag pattern."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from corridor.errors import MappingError
from corridor.ingest import MappingFile, load_mapping, open_table, plan_import
from corridor.ingest.readers.hxl import find_hashtag_row, parse_tag, parse_tag_pattern
from corridor.model import Registry


class TestTags:
    def test_tag_and_attributes(self) -> None:
        tag = parse_tag(" #Affected +F+adult ")
        assert tag is not None and (tag.tag, tag.attributes) == ("affected", ("f", "adult"))
        assert parse_tag("# comment") is None and parse_tag("#5") is None
        assert parse_tag("Date") is None and parse_tag(None) is None

    @pytest.mark.parametrize(
        ("pattern", "spec", "matches"),
        [
            ("#affected+f", "#affected+f+adult", True),
            ("#affected+f", "#affected+adult+f", True),
            ("#affected+f+adult", "#affected+f", False),
            ("#affected-refugees", "#affected+refugees", False),
            ("#affected-refugees", "#affected+f", True),
            ("#affected+f!", "#affected+f+adult", False),
            ("#affected+f!", "#affected+f", True),
            ("#*+code", "#loc+code", True),
            ("#*+code", "#loc+name", False),
            ("#org", "#org+name", True),
            ("#org", "#orgs", False),
        ],
    )
    def test_patterns(self, pattern: str, spec: str, matches: bool) -> None:
        assert parse_tag_pattern(pattern).matches(parse_tag(spec)) is matches

    def test_a_bad_pattern(self) -> None:
        with pytest.raises(ValueError, match="not an HXL tag pattern"):
            parse_tag_pattern("#affected++")

    def test_hashtag_row_anywhere(self) -> None:
        rows = [(1, ["Title", None]), (2, ["Org", "Women"]), (3, ["#org+name", "#affected+f"]),
                (4, ["A", "3"])]  # fmt: skip
        found = find_hashtag_row(rows)
        assert found is not None and found.row == 3 and found.names == ("Org", "Women")
        only_tags = find_hashtag_row([(1, ["#org", "#org"]), (2, ["A", "B"])])
        assert only_tags is not None and only_tags.names == ("#org", "#org (2)")
        assert find_hashtag_row([(1, ["a", "b"]), (2, ["#x", "y"])]) is None


MAPPING = """\
mappings:
  - type: crossing
    reporter: ngo-x
    source: {title: HXL counts}
    constants: {checkpoint: north-gate, direction: inbound, category: persons}
    columns:
      observed: {column: "#date", tz: UTC, period: day}
      count: {column: "#affected+f"}
"""


class TestImport:
    def test_example(self, examples: Path, registry: Registry) -> None:
        """The shipped HXL example: the hashtag row under a title and a header, by tag."""
        plan = plan_import(
            examples / "daily-counts.hxl.csv",
            load_mapping(examples / "daily-counts.hxl.map.yaml"),
            registry,
        )
        counts = (plan.rows, len(plan.accepted), len(plan.skipped), len(plan.rejected))
        assert counts == (4, 10, 1, 1)
        assert plan.rejected[0].row == 7
        first = plan.accepted[0].observation
        assert first.sources[0].row == 4 and first.body.count == 40

    def test_attributes_pick_the_column(
        self, write_csv: Callable[..., Path], make_mapping: Callable[..., MappingFile],
        registry: Registry,
    ) -> None:
        """#affected+f picks the women's column, whatever the other attributes and order."""
        p = write_csv(
            """\
            Date,Men,Women
            #date,#affected+m+adult,#affected+adult+f
            2024-01-01,5,7
            """
        )
        assert open_table(p).header_row == 2
        plan = plan_import(p, make_mapping(MAPPING), registry)
        assert [a.observation.body.count for a in plan.accepted] == [7]

    def test_xlsx_with_hashtags(
        self, write_xlsx: Callable[..., Path], make_mapping: Callable[..., MappingFile],
        registry: Registry,
    ) -> None:
        p = write_xlsx({"Data": [["#date", "#affected+f"], ["2024-01-01", 3]]})
        plan = plan_import(p, make_mapping(MAPPING), registry)
        assert [a.observation.body.count for a in plan.accepted] == [3]

    def test_no_such_tag(
        self, write_csv: Callable[..., Path], make_mapping: Callable[..., MappingFile],
        registry: Registry,
    ) -> None:
        p = write_csv("Date,Men\n#date,#affected+m\n2024-01-01,5\n")
        with pytest.raises(MappingError, match=r"no column of counts.csv is tagged '#affected\+f'"):
            plan_import(p, make_mapping(MAPPING), registry)

    def test_bad_pattern_at_its_line(self, make_mapping: Callable[..., MappingFile]) -> None:
        with pytest.raises(MappingError, match=r"test.map.yaml:8:.*not an HXL tag pattern"):
            make_mapping(MAPPING.replace('"#affected+f"', '"#affected+"'))


class TestQuarantine:
    def test_fixed_rows_reimport_by_tag(
        self, examples: Path, registry: Registry, tmp_path: Path
    ) -> None:
        """The quarantine file of an HXL import keeps the hashtag row: fixed, it imports with
        the same mapping, and its rows keep their original file and row."""
        from corridor.ingest import write_quarantine

        mf = load_mapping(examples / "daily-counts.hxl.map.yaml")
        plan = plan_import(examples / "daily-counts.hxl.csv", mf, registry)
        q = write_quarantine(plan, tmp_path / "quarantine.csv")
        assert q is not None
        lines = q.read_text(encoding="utf-8-sig").splitlines()
        assert lines[1].startswith("#date,#loc+name,") and lines[2].count("-5") == 1
        q.write_text("\n".join([*lines[:2], lines[2].replace(",-5,", ",5,")]) + "\n",
                     encoding="utf-8-sig")  # fmt: skip
        fixed = plan_import(q, mf, registry)
        assert fixed.rejected == [] and len(fixed.accepted) == 1
        src = fixed.accepted[0].observation.sources[0]
        assert (src.file, src.row) == ("daily-counts.hxl.csv", 7)

    def test_a_lone_hashtag_far_down_is_a_value(self) -> None:
        rows = [(1, ["tag"]), (2, ["aid"]), (3, ["#aid"])]
        assert find_hashtag_row(rows) is None
