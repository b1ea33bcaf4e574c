"""`corridor crossings`: crossings per day on the built-in Lachin case, local and its errors."""

from __future__ import annotations

import pytest

from corridor.testing import Cli


@pytest.fixture
def lachin(cli: Cli) -> Cli:
    assert cli("case", "load", "lachin-2023")[0] == 0
    return cli


class TestCrossings:
    def test_the_exodus_days_show_ranges_gaps_and_spans(self, lachin: Cli) -> None:
        """The table marks days without a report as such, competing figures as a range with
        their claimants, and lists multi-day reports whole."""
        rc, out, _err = lachin("crossings", "--from", "2023-09-15", "--to", "2023-09-30",
                               "--tz", "+04:00")  # fmt: skip
        assert rc == 0
        assert "no report" in out and "22,800–26,600 *" in out
        assert "not cut into days" in out and "9,000" in out

    def test_json_is_the_api_shape(self, lachin: Cli) -> None:
        """--json prints the daily-crossings shape: series with days and spans."""
        doc = lachin.json("crossings", "--from", "2023-09-01", "--to", "2023-09-30",
                          "--tz", "+04:00", "--json")  # fmt: skip
        assert doc["days"] == 30 and doc["start"] == "2023-09-01" and doc["end"] == "2023-10-01"
        days = {c["day"] for s in doc["series"] for c in s["days"]}
        assert "2023-09-26" in days and "2023-09-02" not in days

    def test_days_without_any_report_say_so(self, lachin: Cli) -> None:
        """A window with no crossing report says there is no report, not zero movement."""
        rc, out, _err = lachin("crossings", "--from", "2023-03-01", "--to", "2023-03-05")
        assert rc == 0 and "No crossing report covers these days (no report: not a zero)" in out

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (("--from", "2023-02-30"), "--from: '2023-02-30' is not a date"),
            (("--from", "2023-09-10", "--to", "2023-09-01"), "--to: 2023-09-01 is before"),
            (("--from", "2023-09-10", "--tz", "Mars/Base"), "unknown time zone"),
        ],
    )
    def test_bad_input_is_one_line(self, lachin: Cli, args: tuple[str, ...], message: str) -> None:
        """A bad date, a backwards range or an unknown zone: exit 1 and one line naming it."""
        rc, out, err = lachin("crossings", *args)
        assert rc == 1 and message in err and "Traceback" not in err + out
