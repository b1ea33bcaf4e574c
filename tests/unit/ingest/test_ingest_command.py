"""The `corridor import` command's own parts: when to show a bar, and the summary for people."""

from __future__ import annotations

import io

from rich.console import Console

from corridor.cli.importer import BAR_THRESHOLD, _Bar, wants_bar
from corridor.cli.render.imports import print_summary
from corridor.ingest import ImportSummary, Rejection


def _summary(**kw: object) -> ImportSummary:
    base: dict[str, object] = {
        "file": "counts.csv",
        "mapping": "counts.map.yaml",
        "dry_run": False,
        "rows": 12,
        "accepted": 8,
        "duplicates": 1,
        "rejected": 7,
        "skipped": 1,
        "quarantine": "quarantine-counts.csv",
        "first_rejected": [
            Rejection("counts.csv", 3 + i, None, "inbound" if i else "outbound", f"bad [{i}]")
            for i in range(7)
        ],
        "tree_size": 40,
    }
    base.update(kw)
    return ImportSummary(**base)  # type: ignore[arg-type]


def _text(s: ImportSummary) -> str:
    buf = io.StringIO()
    print_summary(s, Console(file=buf, width=200, color_system=None))
    return buf.getvalue()


class TestWantsBar:
    def test_large_files_on_a_terminal(self) -> None:
        """A bar shows for more rows than the threshold, on a terminal only."""
        assert wants_bar(BAR_THRESHOLD + 1, True)
        assert not wants_bar(BAR_THRESHOLD, True)
        assert not wants_bar(BAR_THRESHOLD + 1, False)
        assert not wants_bar(None, True)

    def test_quiet_off_a_terminal(self) -> None:
        """Off a terminal the progress object does nothing."""
        buf = io.StringIO()
        bar = _Bar(Console(file=buf))
        bar.start("reading", 10 * BAR_THRESHOLD)
        bar.advance(5)
        bar.stop()
        assert buf.getvalue() == ""

    def test_bar_on_a_terminal(self) -> None:
        """On a terminal a large file gets a bar that is cleared when done."""
        buf = io.StringIO()
        bar = _Bar(Console(file=buf, force_terminal=True, width=80), threshold=10)
        bar.start("reading counts.csv", 100)
        bar.advance(50)
        assert bar.progress is not None
        bar.stop()
        assert bar.progress is None and "reading counts.csv" in buf.getvalue()


class TestPrintSummary:
    def test_counts_quarantine_and_first_rows(self) -> None:
        """The summary gives each count, the quarantine file and the first five reasons."""
        text = _text(_summary())
        for word in ("rows", "accepted", "duplicates", "skipped", "rejected"):
            assert word in text
        assert "quarantined in quarantine-counts.csv" in text
        assert "row 3, bad [0]  (mapping outbound)" in text
        assert "row 7, bad [4]" in text and "row 8," not in text
        assert "… and 2 more" in text
        assert "Log size: 40" in text

    def test_dry_run(self) -> None:
        """A dry run says what would happen and that nothing was written."""
        text = _text(_summary(dry_run=True, quarantine=None, tree_size=None))
        assert "would be added to the log" in text and "would be quarantined" in text
        assert "Dry run: nothing was written." in text and "Log size" not in text

    def test_clean_import(self) -> None:
        """Without rejected rows there is no list of reasons."""
        text = _text(_summary(rejected=0, first_rejected=[], quarantine=None))
        assert "First rejected rows" not in text and "quarantined" not in text
