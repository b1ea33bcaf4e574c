"""Text in the record: no control characters; free text may hold tabs and line breaks."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from corridor.errors import RecordError
from corridor.model import Organisation, Place, parse_observation, record_error_from
from corridor.model.entities import check_text


def _obs(note: str | None = None, title: str = "t", **body: object) -> dict[str, object]:
    b = {"checkpoint": "north-gate", "direction": "inbound", "category": "vehicles", "count": 1}
    b.update(body)
    d: dict[str, object] = {
        "type": "crossing",
        "observed": "2024-01-05T10:00:00+02:00",
        "reporter": "ngo-x",
        "sources": [{"title": title}],
        "body": b,
    }
    if note is not None:
        d["note"] = note
    return d


class TestCheckText:
    @pytest.mark.parametrize("bad", ["a\x1b[31mb", "a\x00b", "a\x7fb", "a\x85b", "a\x08b"])
    def test_control_characters_are_refused(self, bad: str) -> None:
        """ESC, NUL, DEL, C1 and backspace are refused, named as U+XXXX."""
        with pytest.raises(ValueError, match=r"U\+00"):
            check_text(bad, prose=True)

    def test_prose_may_hold_tabs_and_line_breaks(self) -> None:
        """Free text keeps tab, LF and CR; a single-line field does not."""
        assert check_text("a\tb\r\nc", prose=True) == "a\tb\r\nc"
        with pytest.raises(ValueError, match="free text"):
            check_text("a\nb")

    def test_format_characters_are_kept(self) -> None:
        """Bidi marks and ZWJ, which scripts need, are not control characters here."""
        assert check_text("\u200fمرحبا\u200d") == "\u200fمرحبا\u200d"


class TestTextFields:
    def test_escape_in_a_note_names_note(self) -> None:
        """An ANSI escape in a note is a RecordError naming note."""
        with pytest.raises(RecordError) as exc:
            parse_observation(_obs(note="ok \x1b[2J wiped"))
        assert exc.value.field == "note"
        assert "U+001B" in exc.value.reason

    def test_multi_line_note_is_accepted(self) -> None:
        """A note of several lines is kept as written."""
        assert parse_observation(_obs(note="line one\nline two")).note == "line one\nline two"

    def test_newline_in_a_title_is_refused(self) -> None:
        """A source title is one line."""
        with pytest.raises(RecordError) as exc:
            parse_observation(_obs(title="a\nb"))
        assert exc.value.field == "sources.0.title"

    def test_control_in_a_personal_field(self) -> None:
        """Personal fields obey the same rule (a NUL would also break PostgreSQL)."""
        with pytest.raises(RecordError) as exc:
            parse_observation(_obs(driver_name="A\x00B"))
        assert exc.value.field == "body.driver_name"

    def test_control_in_a_list_item(self) -> None:
        """Each item of a list of texts is checked, and the item is named."""
        with pytest.raises(RecordError) as exc:
            parse_observation({**_obs(), "caveats": ["ok", "bad\x07"]})
        assert exc.value.field == "caveats.1"
        assert "U+0007" in exc.value.reason

    def test_case_entities_are_checked(self) -> None:
        """Organisation and place names in a case obey the same rule, and the case loader's
        translation (record_error_from) names the character."""
        with pytest.raises(ValidationError) as exc:
            Organisation(id="x", name="X\x1b", kind="monitor")
        err = record_error_from(exc.value)
        assert err.field == "name" and "U+001B at position 2" in err.reason
        with pytest.raises(ValidationError) as exc:
            Place(id="p", names=["P\x00"])
        assert "U+0000" in record_error_from(exc.value).reason

    def test_place_coordinates_are_finite(self) -> None:
        """NaN coordinates are refused."""
        with pytest.raises(ValueError):
            Place(id="p", names=["P"], lat=float("nan"), lon=0.0)
