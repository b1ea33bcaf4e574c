"""`corridor correct`, `retract`, `attest`, `show`, `list --history` and `--as-of` from the
command line, on a SYNTHETIC two-monitor case; and the built-in Lachin case's attestations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from corridor.testing import Cli

CASE = """\
# SYNTHETIC: two made-up monitors at a made-up checkpoint
name: two-monitors
title: Two monitors (synthetic)
synthetic: true
organisations:
  - {id: ngo-x, name: "NGO X (synthetic)", kind: monitor}
  - {id: ngo-y, name: "NGO Y (synthetic)", kind: monitor}
places:
  - {id: north-gate, names: [North Gate], lat: 31.5, lon: 34.5}
  - {id: south-town, names: [South Town], lat: 31.3, lon: 34.3}
routes:
  - {id: north-road, name: North road, places: [north-gate, south-town]}
checkpoints:
  - {id: north-gate, name: North Gate, place: north-gate, route: north-road}
"""
RULES = """\
commitments:
  - id: daily-vehicles
    title: vehicles cross every day (synthetic)
    party: ngo-x
    source: {instrument: synthetic test, date: "2024-01-01"}
    tz: UTC
    kind: threshold
    from: 2024-01-05
    to: 2024-01-06
    every: 1d
    measure: sum(count)
    of: {type: crossing, checkpoint: north-gate}
    at_least: 1
    evidence: corroborated
"""


@pytest.fixture
def two(cli: Cli) -> Cli:
    (cli.tmp / "case.yaml").write_text(CASE)
    assert cli("case", "load", "case.yaml")[0] == 0
    for org in ("ngo-x", "ngo-y"):
        assert cli("keys", "new", org)[0] == 0
    return cli


def record(cli: Cli, count: int = 3) -> str:
    out = cli.json(
        "record", "crossing", "--reporter", "ngo-x", "--observed", "2024-01-05T08:00:00Z",
        "--end", "2024-01-05T09:00:00Z", "--checkpoint", "north-gate", "--direction", "inbound",
        "--category", "vehicles", "--count", str(count),
    )  # fmt: skip
    return str(out["accepted"][0])


def fails(cli: Cli, *args: str) -> str:
    code, _out, err = cli(*args)
    assert code == 1, err
    assert err.startswith("error: ") and "Traceback" not in err
    return err


class TestCorrect:
    def test_correct_then_show_the_chain(self, two: Cli) -> None:
        """A correction by the reporter is recorded; show lists both versions with the reason,
        and the current one is counted."""
        first = record(two)
        fixed = two.json("correct", first[:10], "--reason", "miscounted", "--set", "count=4")
        code, out, _ = two("show", first[:10])
        assert code == 0 and "2 versions" in out and "correction (miscounted), current" in out
        doc = two.json("show", first)
        assert doc["status"] == "superseded" and doc["superseded_by"] == fixed["id"]
        assert [v["id"] for v in doc["chain"]["versions"]] == [first, fixed["id"]]
        assert doc["chain"]["current"] == fixed["id"]
        (current,) = two.json("list")
        assert current["id"] == fixed["id"] and current["body"]["count"] == 4
        statuses = {o["id"]: o["status"] for o in two.json("list", "--history")}
        assert statuses == {first: "superseded", fixed["id"]: "current"}

    def test_another_organisation_may_not_correct(self, two: Cli) -> None:
        """A correction signed by another organisation is refused at admission, saying it may
        dispute instead; nothing is written."""
        first = record(two)
        n = two.rows()
        err = fails(two, "correct", first, "--reason", "x", "--set", "count=9", "--by", "ngo-y")
        assert "only its reporter 'ngo-x'" in err and "dispute" in err
        assert two.rows() == n

    def test_only_the_current_version(self, two: Cli) -> None:
        first = record(two)
        fixed = two.json("correct", first, "--reason", "miscounted", "--set", "count=4")["id"]
        err = fails(two, "correct", first, "--reason", "again", "--set", "count=5")
        assert fixed in err and "current version" in err

    def test_the_type_stays(self, two: Cli) -> None:
        first = record(two)
        replacement = two.tmp / "new.json"
        replacement.write_text(
            '{"type": "claim", "observed": "2024-01-05T08:00:00Z", "reporter": "ngo-x", '
            '"sources": [{"title": "synthetic"}], "body": {"party": "ngo-x", '
            '"statement": "it was 4", "about": "the count"}}'
        )
        err = fails(two, "correct", first, "--reason", "x", "--file", str(replacement))
        assert "keeps the type" in err


class TestRetractAndAttest:
    def test_retraction_removes_it_from_every_view(self, two: Cli) -> None:
        first = record(two)
        two.json("retract", first, "--reason", "double entry")
        assert two.json("list") == []
        s = two.json("status", "--at", "2024-01-06T00:00:00Z")
        assert s["crossings_last_7_days"] == [] and s["checkpoints_without_reports"] == [
            "north-gate"
        ]
        doc = two.json("show", first)
        assert doc["status"] == "retracted" and doc["chain"]["current"] is None
        err = fails(two, "correct", first, "--reason", "x", "--set", "count=1")
        assert "retracted" in err

    def test_attestations_everywhere(self, two: Cli) -> None:
        """A corroboration and a dispute are signed by the attesting organisations; list,
        show, status and check say who corroborated and who disputed; the corroboration makes
        the fact count for evidence: corroborated."""
        (two.tmp / "rules.yaml").write_text(RULES)
        first = record(two)
        (before,) = two.json("check", "rules.yaml", "--at", "2024-01-07T00:00:00Z")
        assert before["verdict"] == "undetermined"
        two.json("attest", first, "corroborates", "--by", "ngo-y", "--reason", "we saw 3")
        err = fails(two, "attest", first, "disputes", "--by", "ngo-y", "--figure", "5")
        assert "already attested" in err
        err = fails(two, "attest", first, "corroborates", "--by", "ngo-x")
        assert "its own" in err
        (item,) = two.json("list")
        assert [s["by"] for s in item["attestations"]["corroborated_by"]] == ["ngo-y"]
        s = two.json("status", "--at", "2024-01-06T00:00:00Z")
        assert s["attestations"][first]["corroborated_by"][0]["reason"] == "we saw 3"
        (after,) = two.json("check", "rules.yaml", "--at", "2024-01-07T00:00:00Z")
        assert after["verdict"] == "satisfied"
        assert after["attestations"][first]["corroborated_by"][0]["by"] == "ngo-y"
        code, out, _ = two("list")
        assert code == 0 and "attested" in out and "ngo-y" in out

    def test_review_status(self, two: Cli) -> None:
        first = record(two)
        two.json("attest", first, "reviewed", "--by", "ngo-y", "--review", "under-review")
        doc = two.json("show", first)
        assert doc["attestations"]["review"]["status"] == "under_review"
        err = fails(two, "attest", first, "reviewed", "--by", "ngo-y")
        assert "status" in err


class TestAsOf:
    def test_views_as_of_a_signed_checkpoint(self, two: Cli) -> None:
        """Every view as of a size rests on the checkpoint of that size and ignores what came
        after; an unsigned size is refused naming the nearest signed ones."""
        first = record(two)  # size 1
        fixed = two.json("correct", first, "--reason", "miscounted", "--set", "count=4")["id"]
        sizes = [c["tree_size"] for c in two.json("log", "checkpoints")["items"]]
        assert sizes == [0, 1, 2]
        doc = two.json("list", "--as-of", "1")
        assert doc["as_of"]["tree_size"] == 1 and [o["id"] for o in doc["items"]] == [first]
        assert two.json("show", first, "--as-of", "1")["status"] == "current"
        err = fails(two, "show", fixed, "--as-of", "1")
        assert "among the first 1 entries" in err
        at = ("--at", "2024-01-06T00:00:00Z")
        s1 = two.json("status", *at, "--as-of", "1")
        assert s1["crossings_last_7_days"][0]["low"] == 3 and s1["as_of"]["tree_size"] == 1
        assert two.json("status", *at)["crossings_last_7_days"][0]["low"] == 4
        err = fails(two, "status", "--as-of", "7")
        assert "no checkpoint of tree size 7" in err and "nearest is of size 2" in err
        code, out, _ = two("list", "--as-of", "1")
        assert code == 0 and "as of signed checkpoint 1" in out

    def test_check_as_of_rests_on_that_checkpoint(self, two: Cli) -> None:
        (two.tmp / "rules.yaml").write_text(RULES)
        first = record(two)
        two.json("attest", first, "corroborates", "--by", "ngo-y")
        at = ("--at", "2024-01-07T00:00:00Z")
        then = two.json("check", "rules.yaml", *at, "--as-of", "1", "--prove")
        assert then["as_of"]["tree_size"] == 1
        (c,) = then["commitments"]
        assert c["verdict"] == "undetermined"  # the corroboration came later
        (now,) = two.json("check", "rules.yaml", *at)
        assert now["verdict"] == "satisfied"

    def test_export_as_of_verifies(self, two: Cli) -> None:
        first = record(two)
        two.json("correct", first, "--reason", "miscounted", "--set", "count=4")
        code, out, err = two("log", "export", "site", "--as-of", "1")
        assert code == 0, err and "exported 1 entries" in out
        key = two("log", "key")[1].strip()
        code, out, err = two("verify", "site", "--key", key)
        assert code == 0, err
        assert (two.tmp / "site" / "checkpoint").read_text().split("\n")[1] == "1"


class TestLachin:
    def test_convoy_figures_attested(self, cli: Cli) -> None:
        """The built-in case's July 2023 convoy: each tonnage is corroborated by its source and
        disputed by the others, with their figures; the demo shows it."""
        assert cli("case", "load", "lachin-2023")[0] == 0
        s = cli.json("status", "--at", "2023-08-15T12:00:00+04:00")
        (convoy,) = [w for w in s["convoys_waiting"] if w["convoy"] == "am-convoy-2023-07"]
        att = {i: s["attestations"][i] for i in convoy["evidence"] if i in s["attestations"]}
        disputes: dict[str, Any] = {}
        for a in att.values():
            for d in a["disputed_by"]:
                disputes.setdefault(d["by"], set()).add((d.get("field"), d.get("figure")))
        assert disputes["am-gov"] == {("cargo", 360)}
        assert disputes["hetq"] == {("cargo", 361)}
        assert disputes["armradio"] == {("cargo", 400)}
        assert disputes["westernarmeniatv"] == {("vehicles", 21)}
        shown = cli.json("show", convoy["evidence"][0])
        assert shown["signature_note"].startswith("signed with a DEMO key")
        # the reports were appended first, the statements about them after: both sizes signed
        sizes = [c["tree_size"] for c in cli.json("log", "checkpoints")["items"]]
        assert sizes == [0, 93, 104]
        then = cli.json("status", "--at", "2023-08-15T12:00:00+04:00", "--as-of", "93")
        assert then["attestations"] == {} and then["convoys_waiting"] == s["convoys_waiting"]

    def test_demo_line(self, cli: Cli, tmp_path: Path) -> None:
        code, out, err = cli("demo", "--sections", "record")
        assert code == 0, err
        assert "400 t, 19 trucks: corroborated by armradio; disputed by am-gov (360 t)" in out
        assert "DEMO" in out and "As of signed checkpoint 93" in out

    def test_supply_as_of(self, cli: Cli) -> None:
        """As-recorded supply scenarios read the record as of a signed checkpoint, and say so;
        before any entry they have no record to read."""
        assert cli("case", "load", "lachin-2023")[0] == 0
        doc = cli.json("supply", "--case", "lachin-2023", "--scenario", "as-recorded",
                       "--as-of", "104")  # fmt: skip
        assert doc["as_of"]["tree_size"] == 104 and doc["scenarios"]
        err = fails(cli, "supply", "--case", "lachin-2023", "--scenario", "as-recorded",
                    "--as-of", "0")  # fmt: skip
        assert "holds no observations" in err
        err = fails(cli, "supply", "--case", "lachin-2023", "--as-of", "50")
        assert "no checkpoint of tree size 50" in err


class TestRemote:
    def test_a_server_lists_and_shows_what_the_database_does(self, two: Cli) -> None:
        """Over --server, list (current state and history) and show (status, chain,
        attestations) print what they print over the database: the CLI computes them from
        the server's change feed."""
        from corridor.testing import Server

        first = record(two)
        fixed = two.json("correct", first, "--reason", "miscounted", "--set", "count=4")["id"]
        other = record(two, count=9)
        two.json("attest", fixed, "disputes", "--by", "ngo-y", "--figure", "5")
        two.json("retract", other, "--reason", "double entry")
        with Server(two.db, two.tmp / "corridor-keys", two.tmp / "serve.log") as served:
            for args in (["list"], ["list", "--history"], ["list", "crossing", "--history"],
                         ["list", "attestation"], ["show", first[:10]], ["show", fixed]):
                for extra in ([], ["--json"]):
                    local = two(*args, *extra, "--db", two.db)
                    remote = two(*args, *extra, "--server", served.url)
                    assert local[0] == 0, local[2]
                    assert remote == local, args + extra
            # as of the checkpoint signed after the first record: its one entry, no history
            for args in (["list", "--as-of", "1"], ["list", "--history", "--as-of", "1"],
                         ["show", first[:10], "--as-of", "1"]):
                for extra in ([], ["--json"]):
                    local = two(*args, *extra, "--db", two.db)
                    remote = two(*args, *extra, "--server", served.url)
                    assert local[0] == 0, local[2]
                    assert remote == local, args + extra
            local_err = fails(two, "show", fixed, "--as-of", "1", "--db", two.db)
            err = fails(two, "show", fixed, "--as-of", "1", "--server", served.url)
            # the same refusal, the server named: an entry beyond the checkpoint is not in it
            assert err == local_err.rstrip("\n") + f" (server {served.url}, HTTP 404)\n"
