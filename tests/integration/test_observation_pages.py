"""Pages of observations made from the stored bytes (shapes.observation_json, the page of
``GET /v1/observations``) hold exactly what shapes.observation makes of each entry."""

from __future__ import annotations

import json
from pathlib import Path

from corridor.app import Corridor, shapes
from corridor.store.api import Query


def _extra() -> list[dict[str, object]]:
    """Observations the built-in case lacks: personal fields, floats with and without a
    fraction, text outside ASCII, quotes and a line break (synthetic test data)."""
    base = {
        "observed": {"start": "2023-09-30T10:00:00+04:00"},
        "reporter": "icrc",
        "sources": [{"title": 'the "log" of Ստեփանակերտ (synthetic test data)'}],
    }
    return [
        {**base, "type": "crossing", "note": "two lines\nof note",
         "body": {"checkpoint": "hakari-bridge", "direction": "inbound", "category": "cargo",
                  "tonnes": 12.0, "driver_name": "A. Driver (fictional)"}},
        {**base, "type": "crossing",
         "body": {"checkpoint": "hakari-bridge", "direction": "outbound",
                  "category": "cargo", "tonnes": 7.25, "count": 2}},
    ]  # fmt: skip


def test_a_page_from_the_stored_bytes_is_the_parsed_observations_shape(
    db_url: str, tmp_path: Path
) -> None:
    """Every entry of the Lachin case and a few more, paged from the stored bytes, has the
    members and values shapes.observation gives it (demo-signed notes, personal commitments
    left out, corrections and statements included), and the pages follow one another."""
    with Corridor.open(db_url, tmp_path / "keys", create=True, workers=0) as app:
        app.cases.load(app.cases.read("lachin-2023"))
        app.keys.new("icrc", rotate=True)  # the case's key is a demo key, held by no file
        registry = app.store.registry()
        app.observations.record([registry.parse(d) for d in _extra()])
        expected = [
            json.loads(json.dumps(shapes.observation(s)))
            for s in app.observations.list(Query(after=-1))
        ]
        got: list[object] = []
        cursor = -1
        while True:
            items, cursor_next = app.observations.page_json(Query(after=cursor), 37)
            got += [json.loads(i) for i in items]
            if cursor_next is None:
                break
            cursor = cursor_next
    assert len(expected) > 100
    assert got == expected
    assert any("signature_note" in e for e in expected)
    assert any(e["type"] == "attestation" for e in expected)
    assert any(e.get("body", {}).get("tonnes") == 12.0 for e in expected)
