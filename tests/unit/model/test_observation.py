"""The observation envelope: validation, ids, personal fields."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from corridor.errors import RecordError
from corridor.model import Observation, parse_instant, parse_observation


def crossing(**body: Any) -> dict[str, Any]:
    b = {"checkpoint": "north-gate", "direction": "inbound", "category": "vehicles", "count": 3}
    b.update(body)
    return {
        "type": "crossing",
        "observed": "2024-01-05T10:00:00+02:00",
        "reporter": "ngo-x",
        "sources": [{"title": "Daily counts (synthetic)"}],
        "body": b,
    }


class TestValidation:
    def test_negative_count_names_count(self) -> None:
        """A negative count is rejected with a message naming body.count."""
        with pytest.raises(RecordError) as exc:
            parse_observation(crossing(count=-3))
        assert exc.value.field == "body.count"
        assert "greater than or equal to 0" in str(exc.value)

    def test_explicit_zero_is_valid(self) -> None:
        """A count of zero is a report, and is kept as 0."""
        o = parse_observation(crossing(count=0))
        assert o.body.count == 0  # type: ignore[union-attr]

    def test_naive_timestamp_rejected(self) -> None:
        """A timestamp without a UTC offset is rejected, naming the field."""
        d = crossing()
        d["observed"] = "2024-01-05T10:00:00"
        with pytest.raises(RecordError) as exc:
            parse_observation(d)
        assert exc.value.field is not None and exc.value.field.startswith("observed")

    def test_end_before_start_rejected(self) -> None:
        """A period whose end is not after its start is rejected."""
        d = crossing()
        d["observed"] = {"start": "2024-01-05T10:00:00+00:00", "end": "2024-01-05T09:00:00+00:00"}
        with pytest.raises(RecordError, match="end must be after start"):
            parse_observation(d)

    def test_unknown_enum_value_lists_choices(self) -> None:
        """An unknown direction is rejected with the allowed values."""
        with pytest.raises(RecordError) as exc:
            parse_observation(crossing(direction="north"))
        assert exc.value.field == "body.direction"
        assert "inbound" in str(exc.value)

    def test_unknown_type_rejected(self) -> None:
        """An unknown observation type names the known ones."""
        d = crossing()
        d["type"] = "teleport"
        with pytest.raises(RecordError, match="unknown observation type"):
            parse_observation(d)

    @pytest.mark.parametrize("value", [["crossing"], {"a": 1}, 3, True])
    def test_a_type_that_is_not_text_is_an_error_not_a_crash(self, value: object) -> None:
        """A type given as an array, object, number or boolean is refused with a message
        naming its JSON type (found by the fast path's differential test: an array crashed
        the model with an unhashable-type TypeError)."""
        d = crossing()
        d["type"] = value
        with pytest.raises(RecordError, match="unknown observation type of JSON type"):
            parse_observation(d)
        with pytest.raises(ValidationError, match="unknown observation type of JSON type"):
            Observation.model_validate_json(json.dumps(d))  # admission's path

    def test_unknown_field_rejected(self) -> None:
        """A body field the type does not have is rejected."""
        with pytest.raises(RecordError) as exc:
            parse_observation(crossing(colour="red"))
        assert exc.value.field == "body.colour"

    def test_crossing_needs_count_or_tonnes(self) -> None:
        """A crossing with neither count nor tonnes says nothing and is rejected."""
        with pytest.raises(RecordError, match="count"):
            parse_observation(crossing(count=None))

    def test_needs_a_source(self) -> None:
        """An observation without any source is rejected."""
        d = crossing()
        d["sources"] = []
        with pytest.raises(RecordError) as exc:
            parse_observation(d)
        assert exc.value.field == "sources"


class TestIdentity:
    def test_same_content_same_id(self) -> None:
        """Two parses of the same content give the same id."""
        assert parse_observation(crossing()).id == parse_observation(crossing()).id

    def test_id_is_sha256_hex(self) -> None:
        """The id is 64 lower-case hex digits."""
        oid = parse_observation(crossing()).id
        assert len(oid) == 64 and int(oid, 16) >= 0

    def test_different_rows_differ(self) -> None:
        """Sources naming different rows make different observations."""
        a, b = crossing(), crossing()
        a["sources"] = [{"title": "f", "file": "x.csv", "row": 2}]
        b["sources"] = [{"title": "f", "file": "x.csv", "row": 3}]
        assert parse_observation(a).id != parse_observation(b).id

    def test_personal_fields_not_in_content(self) -> None:
        """A driver's name stays out of the public content and does not change the id."""
        with_name = parse_observation(crossing(driver_name="A. Person"))
        without = parse_observation(crossing())
        assert "driver_name" not in str(with_name.content())
        assert with_name.personal() == {"driver_name": "A. Person"}
        assert with_name.id == without.id

    @given(st.integers(min_value=0, max_value=10**9))
    def test_content_round_trips(self, n: int) -> None:
        """Parsing an observation's content gives back the same observation id."""
        o = parse_observation(crossing(count=n))
        assert Observation.model_validate(o.content()).id == o.id


class TestTime:
    def test_naive_with_zone(self) -> None:
        """A naive time with an explicit zone gets that zone's offset."""
        dt = parse_instant("2023-07-26T10:00", "Asia/Baku")
        assert dt.utcoffset() == timedelta(hours=4)

    def test_fixed_offset_zone(self) -> None:
        """A zone given as +04:00 is a fixed offset."""
        assert parse_instant("2023-07-26", "+04:00") == datetime(
            2023, 7, 26, tzinfo=timezone(timedelta(hours=4))
        )

    def test_naive_without_zone_fails(self) -> None:
        """A naive time without a zone is an error that says how to fix it."""
        with pytest.raises(ValueError, match="no UTC offset"):
            parse_instant("2023-07-26T10:00")

    def test_unknown_zone(self) -> None:
        """An unknown zone name is an error naming it."""
        with pytest.raises(ValueError, match="Mars/Olympus"):
            parse_instant("2023-07-26T10:00", "Mars/Olympus")


class TestEdges:
    @pytest.mark.parametrize(
        "url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://x/y", "example.org"]
    )
    def test_url_must_be_http_or_https(self, url: str) -> None:
        """A source URL with another scheme (javascript:, data:, none) is refused naming it."""
        d = crossing()
        d["sources"] = [{"title": "t", "url": url}]
        with pytest.raises(RecordError) as exc:
            parse_observation(d)
        assert exc.value.field == "sources.0.url"
        assert "more problem" not in str(exc.value)

    def test_https_url_is_accepted(self) -> None:
        """An https URL with a host is kept."""
        d = crossing()
        d["sources"] = [{"title": "t", "url": "https://example.org/a?b=c"}]
        assert parse_observation(d).sources[0].url == "https://example.org/a?b=c"

    @pytest.mark.parametrize("bad", ["2024-02-30", "2024-13", "2023-02-29", "0000"])
    def test_source_date_must_be_in_the_calendar(self, bad: str) -> None:
        """A source date that is not a calendar date (30 February, month 13) is refused."""
        d = crossing()
        d["sources"] = [{"title": "t", "date": bad}]
        with pytest.raises(RecordError) as exc:
            parse_observation(d)
        assert exc.value.field == "sources.0.date"

    @pytest.mark.parametrize(
        ("observed", "field"),
        [
            ("0001-01-01T00:00:00+01:00", "observed.start"),
            ("1899-12-31T23:00:00+00:00", "observed.start"),
            ({"start": "2199-12-31T00:00:00Z", "end": "9999-12-31T00:00:00Z"}, "observed.end"),
        ],
    )
    def test_observed_must_lie_within_bounds(self, observed: object, field: str) -> None:
        """An observed time outside 1900..2200 UTC is refused naming the field."""
        with pytest.raises(RecordError) as exc:
            parse_observation({**crossing(), "observed": observed})
        assert exc.value.field == field
        assert "out of range" in exc.value.reason

    def test_reported_at_within_bounds(self) -> None:
        """reported_at obeys the same bounds."""
        with pytest.raises(RecordError) as exc:
            parse_observation({**crossing(), "reported_at": "3000-01-01T00:00:00Z"})
        assert exc.value.field == "reported_at"

    def test_zoned_datetime_in_a_gap_is_refused(self) -> None:
        """A datetime object carrying Asia/Gaza at a wall time that never existed is refused."""
        from zoneinfo import ZoneInfo

        dt = datetime(2024, 4, 20, 2, 30, tzinfo=ZoneInfo("Asia/Gaza"))
        with pytest.raises(RecordError) as exc:
            parse_observation({**crossing(), "observed": dt})
        assert exc.value.field == "observed.start"
        assert "does not exist" in exc.value.reason

    def test_source_row_is_bounded(self) -> None:
        """A source row beyond 10**9 is refused (it could not canonicalise beyond 2**53)."""
        d = crossing()
        d["sources"] = [{"title": "t", "row": 2**60}]
        with pytest.raises(RecordError) as exc:
            parse_observation(d)
        assert exc.value.field == "sources.0.row"


class TestTrusted:
    def test_from_trusted_equals_validated(self) -> None:
        """An observation built from its stored bytes and id equals the validated one."""
        o = parse_observation(crossing(count=5))
        t = Observation.from_trusted(o.canonical, id=o.id, canonical=o.canonical)
        assert t == o and t.id == o.id and t.content() == o.content()

    def test_from_trusted_keeps_the_given_id(self) -> None:
        """The id given is the id used: it is not rebuilt from the content."""
        o = parse_observation(crossing(count=5))
        t = Observation.from_trusted(o.content(), id="ab" * 32)
        assert t.id == "ab" * 32 and t.canonical == o.canonical
