"""The flat form: every observation's row reads back to the same observation (the same id);
cells a spreadsheet would run as formulas are guarded and unguarded losslessly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor.cases import load_case
from corridor.model import parse_observation
from corridor.model.flat import (
    FLAT_COLUMNS,
    from_row,
    guard_cell,
    is_flat_header,
    to_row,
    unguard_cell,
)

CASE = load_case("lachin-2023")


class TestRoundTrip:
    @pytest.mark.parametrize("obs", CASE.observations, ids=lambda o: o.id[:10])
    def test_every_case_observation(self, obs: object) -> None:
        """Each observation of the built-in case, flattened and read back, has its id."""
        row = to_row(obs.content(), id=obs.id, log_index=3)  # type: ignore[attr-defined]
        assert list(row) == [c.name for c in FLAT_COLUMNS]
        back = parse_observation(from_row(row))
        assert back.id == obs.id  # type: ignore[attr-defined]

    def test_text_cells_read_back(self) -> None:
        """Rows read from a text file (every cell a string) give the same observation."""
        for obs in CASE.observations[:40]:
            row = to_row(obs.content())
            text = {k: (None if v is None else str(v)) for k, v in row.items()}
            assert parse_observation(from_row(text)).id == obs.id

    def test_personal_fields_have_no_column(self) -> None:
        names = {c.name for c in FLAT_COLUMNS}
        assert not names & {"driver_name", "driver_phone", "contact_phone", "victim_names"}
        assert is_flat_header(names)

    def test_a_field_of_another_type_is_refused(self) -> None:
        obs = next(o for o in CASE.observations if o.type == "crossing")
        row = to_row(obs.content())
        row["killed"] = 3
        with pytest.raises(ValueError, match="column killed has a value, but a crossing has"):
            from_row(row)

    def test_bad_cells_name_their_column(self) -> None:
        obs = next(o for o in CASE.observations if o.type == "crossing")
        row = {**to_row(obs.content()), "caveats": "[not json"}
        with pytest.raises(ValueError, match="column caveats: not JSON"):
            from_row(row)
        with pytest.raises(ValueError, match="unknown observation type 'sideways'"):
            from_row({**row, "type": "sideways"})


@given(st.text(max_size=30))
def test_guard_is_lossless(text: str) -> None:
    guarded = guard_cell(text)
    assert unguard_cell(guarded) == text
    assert not guarded.startswith(("=", "+", "-", "@", "\t", "\r"))
