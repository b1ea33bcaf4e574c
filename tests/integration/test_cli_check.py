"""`corridor check` end to end: the built-in case's commitments, bad rules, a daily-counts CSV
imported through a mapping, and inclusion proofs for the evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corridor.cli.app import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CASE_IDS = [
    "icj-2023-02-22", "trilateral-2020-art4", "trilateral-2020-art6", "az-offer-2023-08-31",
    "eu-proposal-2023-09-01", "us-call-2023-09",
]
DAILY_RULE = """\
tz: UTC
commitments:
  - id: north-gate-daily
    title: Trucks pass North Gate every day in each direction
    party: ngo-x
    source: {instrument: example access agreement, date: "2023-07-01"}
    from: 2023-07-01
    to: 2023-07-11
    kind: threshold
    every: 1d
    measure: sum(count)
    of: {type: crossing, checkpoint: north-gate, category: vehicles}
    for_each: direction
    at_least: 1
"""


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CORRIDOR_DB", raising=False)
    monkeypatch.delenv("CORRIDOR_KEYS", raising=False)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


class TestCheckCase:
    def test_six_commitments(self, capsys: pytest.CaptureFixture[str]) -> None:
        """`corridor check --case lachin-2023` prints the six commitments with verdicts and
        the evidence they rest on."""
        code, out, _ = run(capsys, "check", "--case", "lachin-2023", "--at", "2023-10-02")
        assert code == 0
        for cid in CASE_IDS:
            assert cid in out
        assert "violated" in out and "undetermined" in out
        assert "evidence 7dbd06b0" in out or "evidence" in out
        assert "shooting at the Hakari bridge" in out

    def test_json(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--json prints one object per commitment with verdict, counts and instances whose
        evidence are observation ids."""
        code, out, _ = run(capsys, "check", "--case", "lachin-2023", "--at", "2023-10-02", "--json")
        assert code == 0
        doc = json.loads(out)
        assert [c["id"] for c in doc] == CASE_IDS
        by_id = {c["id"]: c for c in doc}
        assert by_id["icj-2023-02-22"]["verdict"] == "violated"
        assert by_id["trilateral-2020-art4"]["verdict"] == "undetermined"
        art6 = by_id["trilateral-2020-art6"]
        assert art6["verdict"] == "violated"
        assert set(art6["counts"]) == {"satisfied", "violated", "undetermined", "pending"}
        inst = art6["instances"][0]
        assert {"key", "start", "end", "verdict", "value", "evidence"} <= set(inst)
        assert all(isinstance(e, str) and len(e) == 64 for e in inst["evidence"])

    def test_prove(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """With the record in a database, --prove attaches to each evidence entry an inclusion
        proof against the log's signed checkpoint."""
        db = str(tmp_path / "case.db")
        assert run(capsys, "case", "load", "lachin-2023", "--db", db)[0] == 0
        code, out, _ = run(capsys, "check", "--case", "lachin-2023", "--db", db, "--prove",
                           "--json", "--at", "2023-10-02")
        assert code == 0
        doc = json.loads(out)
        entries = [e for c in doc for i in c["instances"] for e in i["evidence"]]
        assert entries
        for e in entries:
            assert {"id", "log_index", "tree_size", "leaf_hash", "hashes", "checkpoint"} <= set(e)

    def test_prove_needs_database(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--prove without a database is refused with a hint."""
        code, _, err = run(capsys, "check", "--case", "lachin-2023", "--prove")
        assert code == 1 and "--prove needs the record in a database" in err


class TestBadRules:
    @pytest.mark.parametrize(
        ("good", "bad", "token", "reason"),
        [
            ("every: 1d", "evry: 1d", "evry", "unknown field 'evry'"),
            ("checkpoint: north-gate", "checkpoint: south-gate", "south-gate",
             "unknown checkpoint 'south-gate'"),
            ("every: 1d", "every: 1day", "1day", "malformed duration"),
            ("for_each: direction", "for_each: driver", "driver",
             "for_each: crossing has no field"),
            ("from: 2023-07-01", "from: 2023-08-01", "2023-08-01", "is not before to"),
        ],
    )
    def test_reported_before_evaluation(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, good: str, bad: str, token: str,
        reason: str,
    ) -> None:
        """A bad rule exits 1 with FILE:LINE:COLUMN and the reason, and nothing is evaluated."""
        text = DAILY_RULE.replace(good, bad)
        path = tmp_path / "bad.yaml"
        path.write_text(text)
        code, out, err = run(capsys, "check", str(path), "--case",
                             str(EXAMPLES / "north-gate-case.yaml"))
        at = text.index(token)
        line, col = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
        assert code == 1
        assert err.startswith(f"error: {path}:{line}:{col}: ")
        assert reason in err
        assert out == ""

    def test_needs_rules(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Without a rule file or --case the command explains what it needs."""
        code, _, err = run(capsys, "check")
        assert code == 1 and "give a rule file" in err


class TestDailyCountsImport:
    def test_one_verdict_per_day(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A daily-counts CSV imported through a mapping, judged by a threshold rule: one verdict
        per day and direction; the explicit zeros violated, days without a report (not given,
        or quarantined) undetermined."""
        keys = tmp_path / "keys"
        opts = ["--db", str(tmp_path / "record.db"), "--keys", str(keys)]
        assert run(capsys, "case", "load", str(EXAMPLES / "north-gate-case.yaml"), *opts)[0] == 0
        assert run(capsys, "keys", "new", "ngo-x", *opts)[0] == 0  # registered on purpose
        assert run(capsys, "import", str(EXAMPLES / "daily-counts.csv"), "--map",
                   str(EXAMPLES / "daily-counts.map.yaml"), *opts)[0] == 0
        (tmp_path / "daily.yaml").write_text(DAILY_RULE)
        code, out, _ = run(capsys, "check", "daily.yaml", "--at", "2023-07-12", "--json", *opts)
        assert code == 0
        (c,) = json.loads(out)
        got = {i["key"]: i["verdict"] for i in c["instances"]}
        assert len(got) == 20
        assert got["inbound@2023-07-03"] == got["outbound@2023-07-03"] == "violated"
        assert got["outbound@2023-07-05"] == "undetermined"  # outbound count not reported
        assert got["inbound@2023-07-07"] == "undetermined"  # row quarantined ("3x")
        assert got["outbound@2023-07-08"] == "undetermined"  # row quarantined (-2)
        assert got["inbound@2023-07-01"] == "satisfied"
        assert list(got.values()).count("satisfied") == 15
        assert c["verdict"] == "violated"
