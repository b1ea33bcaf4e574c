"""What the record spans (``app.site.summary``, ``GET /v1/summary``), on SQLite and PostgreSQL:
the dashboard's slider, "as of" selector and case panels are built from it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from corridor.app import Corridor
from corridor.app.settings import Settings
from corridor.errors import InputError
from corridor.web import STATIC


def _app(db_url: str, tmp_path: Path) -> Corridor:
    return Corridor(Settings.load(db_url, str(tmp_path / "keys")), create=True)


def test_an_empty_record_spans_nothing(db_url: str, tmp_path: Path) -> None:
    """A fresh record has no span and no held case; its site holds no day, and a folder that
    is not a previous site is refused."""
    with _app(db_url, tmp_path) as app:
        app.cases.init()
        s = app.site.summary()
        assert s["span"] is None and s["cases"] == [] and s["size"] == 0
        result = app.site.write(tmp_path / "site", STATIC)
        assert result.days == 0 and (tmp_path / "site" / "index.html").exists()
        (tmp_path / "other").mkdir()
        (tmp_path / "other" / "notes.txt").write_text("mine")
        with pytest.raises(InputError):
            app.site.write(tmp_path / "other", STATIC)
        assert (tmp_path / "other" / "notes.txt").read_text() == "mine"


def test_the_lachin_case_spans_its_facts_and_is_held(db_url: str, tmp_path: Path) -> None:
    """After loading the case: the span runs from its first to its last fact, the case is held
    with its time zone, every signed checkpoint is listed, and as of the first one the size is
    that checkpoint's."""
    with _app(db_url, tmp_path) as app:
        case = app.cases.read("lachin-2023")
        app.cases.load(case)
        app.log.sign_checkpoint()
        s = app.site.summary()
        starts = [o.observed.start for o in case.observations if o.type not in
                  {"attestation", "retraction"}]  # fmt: skip
        assert datetime.fromisoformat(s["span"]["first"]) == min(starts)
        assert datetime.fromisoformat(s["span"]["last"]) == max(starts)
        assert [c["name"] for c in s["cases"]] == ["lachin-2023"]
        assert s["cases"][0]["tz"] == "+04:00"
        sizes = [c["tree_size"] for c in s["checkpoints"]]
        assert sizes[-1] == s["size"] and sizes == sorted(sizes)
        assert s["log"]["demo"] is True and "DEMO" in s["log"]["note"]
        earlier = next(n for n in sizes if 0 < n < s["size"])
        assert app.site.summary(as_of=earlier)["size"] == earlier


