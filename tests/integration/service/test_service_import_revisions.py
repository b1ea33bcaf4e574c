"""Revisions imported over a server (``corridor import --server URL --token T``), on SQLite and
PostgreSQL: the client finds each event's current version through the change feed, signs the
corrections and retractions with the local key, and the server admits them; the summaries
are those of the same imports into a database of its own. SYNTHETIC example files (ACLED's)."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corridor.cli.app import main
from corridor.store.api import Query
from corridor.store.sql import SqlStore
from corridor.testing import Cli, Server

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
ACLED = ["--preset", "acled", "-p", "places=none"]


@pytest.fixture
def cli(client_clean_env: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(client_clean_env, capsys)


def _token(db: str, *args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(["token", "create", *args, "--db", db]) == 0
    return out.getvalue().strip()


@pytest.fixture
def served(client_clean_env: Path, db_url: str) -> Iterator[Server]:
    """``corridor serve`` over the corridors example; keys of acled and ngo-x in ``org-keys/``
    (the organisations' folder); reporter tokens for both (``served.tokens``)."""
    tmp = client_clean_env
    case = str(EXAMPLES / "corridors-case.yaml")
    assert main(["case", "load", case, "--db", db_url, "--keys", str(tmp / "server-keys")]) == 0
    for org in ("acled", "ngo-x"):
        assert main(["keys", "new", org, "--db", db_url, "--keys", str(tmp / "org-keys")]) == 0
    tokens = {org: _token(db_url, org, "--role", "reporter") for org in ("acled", "ngo-x")}
    with Server(db_url, tmp / "server-keys", tmp / "serve.log") as s:
        s.tokens = tokens  # type: ignore[attr-defined]
        yield s


def edited(tmp: Path) -> Path:
    """The ACLED example with XXX1001 edited (3 killed, a day later)."""
    with (EXAMPLES / "acled-events.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[0]["fatalities"], rows[0]["timestamp"] = "3", str(int(rows[0]["timestamp"]) + 86400)
    out = tmp / "acled-edit.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return out


STEPS: list[tuple[str, list[str]]] = [
    (str(EXAMPLES / "acled-events.csv"), ACLED),
    ("EDITED", ACLED),
    ("EDITED", ACLED),
    (str(EXAMPLES / "acled-events.csv"), ACLED),
    (str(EXAMPLES / "acled-deletions.csv"), ["--preset", "acled-deletions"]),
    (str(EXAMPLES / "acled-deletions.csv"), ["--preset", "acled-deletions"]),
]


def _counts(s: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in s.items() if k not in ("quarantine", "tree_size")}


class TestRemoteRevisions:
    def test_the_same_outcomes_as_a_database(self, served: Server, cli: Cli) -> None:
        """Import, edit, the edit again, the original again, deletions twice: over the server
        each step counts what it counts against a local database, and the server's record
        ends with the edit current and the deleted event retracted."""
        tokens: dict[str, str] = served.tokens  # type: ignore[attr-defined]
        local = ["--db", str(cli.tmp / "local.db"), "--keys", str(cli.tmp / "local-keys")]
        assert cli("case", "load", str(EXAMPLES / "corridors-case.yaml"), *local)[0] == 0
        assert cli("keys", "new", "acled", *local)[0] == 0
        edit = str(edited(cli.tmp))
        seen = []
        for i, (file, how) in enumerate(STEPS):
            path = edit if file == "EDITED" else file
            args = ["import", path, *how, "-p", "reporter=acled", "--quarantine", f"q{i}.csv"]
            remote = cli.json(*args, "--server", served.url, "--token", tokens["acled"],
                              "--keys", "org-keys")  # fmt: skip
            mine = cli.json(*args, *local)
            assert _counts(remote) == _counts(mine), (i, remote, mine)
            seen.append(remote["counts"])
        assert [(c["new"], c["corrected"], c["retracted"], c["unchanged"], c["stale"])
                for c in seen] == [(3, 0, 0, 0, 0), (0, 1, 0, 2, 0), (0, 0, 0, 3, 0),
                                   (0, 0, 0, 2, 1), (0, 0, 1, 0, 0),
                                   (0, 0, 0, 1, 0)]  # fmt: skip
        store = SqlStore.open(served.db)
        try:
            current = {s.observation.sources[0].ref: s.observation
                       for s in store.scan(Query(type="incident"))}  # fmt: skip
        finally:
            store.close()
        assert sorted(current) == ["XXX1001", "XXX1003"]
        assert current["XXX1001"].body.killed == 3 and current["XXX1001"].supersedes

    def test_another_organisation_is_quarantined_before_sending(
        self, served: Server, cli: Cli
    ) -> None:
        """An edit under another reporter is quarantined by the client, naming the event and
        both organisations; nothing is sent for it."""
        tokens: dict[str, str] = served.tokens  # type: ignore[attr-defined]
        base = ["--server", served.url, "--keys", "org-keys"]
        cli.json("import", str(EXAMPLES / "acled-events.csv"), *ACLED, "-p", "reporter=acled",
                 *base, "--token", tokens["acled"])  # fmt: skip
        s = cli.json("import", str(edited(cli.tmp)), *ACLED, "-p", "reporter=ngo-x", *base,
                     "--token", tokens["ngo-x"])  # fmt: skip
        assert s["counts"]["quarantined"] == 4 and s["accepted"] == 0
        errors = [r["error"] for r in s["first_rejected"]]
        assert any(e.startswith("XXX1001 is on the record") and "'acled'" in e
                   and "not 'ngo-x'" in e for e in errors)  # fmt: skip
