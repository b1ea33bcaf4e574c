"""The read routes against a real server over the Lachin case: the same JSON as the CLI's
``--json`` over the same database, times as RFC 3339, bad input a 422 in the one envelope."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from corridor.cases import BUILTIN
from corridor.cli.app import main
from corridor.service.routes.supply import MAX_CELLS, MAX_RUNS
from corridor.store.api import Query
from corridor.testing import Server as Served

AT = "2023-09-25T00:00:00Z"


def local_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    capsys.readouterr()
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def get(served: Served, path: str, **params: Any) -> httpx.Response:
    return httpx.get(served.url + path, params=params, timeout=60)


def envelope(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"}
    return dict(body["error"])


class TestSituation:
    @pytest.mark.parametrize("at", ["2023-01-15T00:00:00Z", "2023-08-20T00:00:00Z", AT])
    def test_same_json_as_status(
        self, client_lachin: Served, capsys: pytest.CaptureFixture[str], at: str
    ) -> None:
        """GET /v1/situation?at= is `corridor status --json --at` over the same database."""
        want = local_json(capsys, "status", "--at", at, "--db", client_lachin.db)
        got = get(client_lachin, "/v1/situation", at=at)
        assert got.status_code == 200
        assert got.json() == want
        assert want["routes"]

    def test_an_offset_is_answered_in_utc(self, client_lachin: Served) -> None:
        """The same instant with an offset gives the same answer, its times in UTC."""
        utc = get(client_lachin, "/v1/situation", at=AT).json()
        local = get(client_lachin, "/v1/situation", at="2023-09-25T04:00:00+04:00").json()
        assert local == utc
        assert datetime.fromisoformat(utc["at"]).utcoffset().total_seconds() == 0  # type: ignore[union-attr]

    @pytest.mark.parametrize(
        ("at", "why"),
        [
            ("yesterday", "not an ISO 8601"),
            ("2023-09-25T00:00", "no UTC offset"),
            ("1695600000", "not an ISO 8601"),
            ("3000-01-01T00:00:00Z", "out of range"),
        ],
    )
    def test_a_bad_instant_is_a_422_naming_the_field(
        self, client_lachin: Served, at: str, why: str
    ) -> None:
        err = envelope(get(client_lachin, "/v1/situation", at=at), 422)
        assert err["code"] == "invalid-input"
        assert err["subject"] == "at"
        assert err["message"].startswith("at: ") and why in err["message"]

    def test_without_at_it_is_now(self, client_lachin: Served) -> None:
        doc = get(client_lachin, "/v1/situation").json()
        assert abs((datetime.now().astimezone() - datetime.fromisoformat(doc["at"])).days) == 0


class TestPopulation:
    def test_the_counts_of_the_window_each_as_recorded(self, client_lachin: Served) -> None:
        """GET /v1/population is every population count of the record that started in the
        ``days`` before ``at``, oldest first, each with its reporter and claim; the latest of
        each series is the situation's figure."""
        from corridor.store.sql import SqlStore

        at, days = "2023-09-30T00:00:00Z", 30
        doc = get(client_lachin, "/v1/population", at=at, days=days).json()
        end = datetime.fromisoformat(at)
        start = end - timedelta(days=days)
        store = SqlStore.open(client_lachin.db)
        try:
            want = sorted(
                (s.observation for s in store.query(Query(type="population"))
                 if start <= s.observation.start < end),
                key=lambda o: (o.start, o.id),
            )  # fmt: skip
        finally:
            store.close()
        assert [f["id"] for f in doc["figures"]] == [o.id for o in want] and len(want) > 10
        assert [f["persons"] for f in doc["figures"]] == [o.body.persons for o in want]  # type: ignore[union-attr]
        assert datetime.fromisoformat(doc["start"]) == start
        arrivals = [f for f in doc["figures"] if f["kind"] == "cumulative_arrivals"]
        assert {tuple(f["claim_of"]) for f in arrivals} == {("am-gov",)}
        assert {f["origin"] for f in arrivals} == {"karabakh"}
        latest = get(client_lachin, "/v1/situation", at=at).json()["population"]
        assert arrivals[-1] in latest

    def test_before_the_first_count_there_is_none(self, client_lachin: Served) -> None:
        doc = get(client_lachin, "/v1/population", at="2021-01-01T00:00:00Z").json()
        assert doc["figures"] == []

    @pytest.mark.parametrize("days", [0, 1831])
    def test_the_window_is_bounded(self, client_lachin: Served, days: int) -> None:
        err = envelope(get(client_lachin, "/v1/population", at=AT, days=days), 422)
        assert err["subject"] == "query.days"  # FastAPI validates the query parameter

    def test_as_of_a_checkpoint(self, client_lachin: Served) -> None:
        """As of a signed checkpoint, the answer holds only counts the log held then, and
        names the checkpoint."""
        from corridor.store.sql import SqlStore

        size = TestAsOf.size(client_lachin)
        doc = get(client_lachin, "/v1/population", at=AT, as_of=size).json()
        assert doc["as_of"]["tree_size"] == size
        every = get(client_lachin, "/v1/population", at=AT).json()["figures"]
        store = SqlStore.open(client_lachin.db)
        try:
            held = {s.id for s in store.query(Query(type="population")) if s.log_index < size}
        finally:
            store.close()
        assert [f["id"] for f in doc["figures"]] == [f["id"] for f in every if f["id"] in held]


class TestCommitments:
    def test_same_verdicts_as_check(
        self, client_lachin: Served, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """items is `corridor check --case --db --json`; with when and over how many."""
        want = local_json(capsys, "check", "--case", "lachin-2023", "--at", AT,
                          "--db", client_lachin.db)  # fmt: skip
        doc = get(client_lachin, "/v1/commitments", case="lachin-2023", at=AT).json()
        assert doc["items"] == want
        assert doc["at"] == "2023-09-25T00:00:00+00:00"
        assert doc["observations"] > 0 and doc["unproved"] == []
        assert {c["verdict"] for c in want} >= {"violated"}

    def test_prove_attaches_checked_inclusion_proofs(
        self, client_lachin: Served, capsys: pytest.CaptureFixture[str]
    ) -> None:
        want = local_json(capsys, "check", "--case", "lachin-2023", "--at", AT, "--prove",
                          "--db", client_lachin.db, "--keys", str(client_lachin.keys))  # fmt: skip
        doc = get(client_lachin, "/v1/commitments", case="lachin-2023", at=AT, prove="true")
        items = doc.json()["items"]
        assert items == want
        evidence = [e for c in items for i in c["instances"] for e in i["evidence"]]
        assert evidence and all("log_index" in e and e["hashes"] is not None for e in evidence)

    def test_rules_sent_by_a_client(
        self, client_lachin: Served, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """POST /v1/commitments/check judges the rule file sent, as check RULES --db does."""
        rules = BUILTIN["lachin-2023"] / "rules.yaml"
        want = local_json(capsys, "check", str(rules), "--at", AT, "--db", client_lachin.db)
        r = httpx.post(client_lachin.url + "/v1/commitments/check", timeout=60, json={
            "rules": [{"name": "rules.yaml", "text": rules.read_text()}], "at": AT})  # fmt: skip
        assert r.status_code == 200, r.text
        assert r.json()["items"] == want

    def test_a_bad_rule_names_file_line_and_column(self, client_lachin: Served) -> None:
        r = httpx.post(client_lachin.url + "/v1/commitments/check", timeout=60, json={
            "rules": [{"name": "mine.yaml", "text": "commitments:\n  - id: x\n    nope: 1\n"}]})
        err = envelope(r, 422)
        assert err["message"].startswith("mine.yaml:")
        assert err["code"] == "invalid-input"

    def test_unknown_or_missing_case(self, client_lachin: Served) -> None:
        err = envelope(get(client_lachin, "/v1/commitments", case="../../etc/passwd"), 404)
        assert "no built-in case" in err["message"]
        err = envelope(get(client_lachin, "/v1/commitments"), 422)
        assert "case" in (err["subject"] or "")

    def test_a_case_path_is_never_read(self, client_lachin: Served) -> None:
        """A path where a case name belongs is refused, not read on the server."""
        path = str(BUILTIN["lachin-2023"])
        assert get(client_lachin, "/v1/commitments", case=path).status_code == 404


class TestSupply:
    @pytest.mark.parametrize("runs", [1, 40])
    def test_same_json_as_supply(
        self, client_lachin: Served, capsys: pytest.CaptureFixture[str], runs: int
    ) -> None:
        """POST /v1/supply/runs is `corridor supply --json` over the same database."""
        want = local_json(capsys, "supply", "--case", "lachin-2023", "--runs", str(runs),
                          "--db", client_lachin.db)  # fmt: skip
        r = httpx.post(client_lachin.url + "/v1/supply/runs", timeout=60,
                       json={"case": "lachin-2023", "runs": runs})  # fmt: skip
        assert r.status_code == 200, r.text
        assert r.json() == want

    def test_runs_are_bounded(self, client_lachin: Served) -> None:
        """Too many runs, or runs × days × commodities over the limit: a 422 naming runs."""
        post = lambda body: httpx.post(  # noqa: E731
            client_lachin.url + "/v1/supply/runs", json=body, timeout=60)
        err = envelope(post({"case": "lachin-2023", "runs": MAX_RUNS + 1}), 422)
        assert "runs" in (err["subject"] or "")
        err = envelope(post({"case": "lachin-2023", "runs": MAX_RUNS}), 422)
        assert err["subject"] == "runs" and f"{MAX_CELLS:,}" in err["message"]

    def test_an_unknown_case(self, client_lachin: Served) -> None:
        r = httpx.post(client_lachin.url + "/v1/supply/runs", json={"case": "x"}, timeout=60)
        assert envelope(r, 404)["message"].startswith("no built-in case 'x'")

    def test_a_scenario_is_never_a_server_path(self, client_lachin: Served) -> None:
        scenario = str(BUILTIN["lachin-2023"] / "scenarios" / "aghdam-only.yaml")
        r = httpx.post(client_lachin.url + "/v1/supply/runs", timeout=60,
                       json={"case": "lachin-2023", "scenarios": [scenario]})  # fmt: skip
        assert "not a built-in scenario" in envelope(r, 422)["message"]


class TestAsOf:
    """Commitments and supply as of a signed checkpoint: what ``check --as-of`` and ``supply
    --as-of`` print over the same database, the checkpoint named in the answer."""

    @staticmethod
    def size(served: Served) -> int:
        return int(get(served, "/v1/summary").json()["checkpoints"][1]["tree_size"])

    def test_commitments_as_of_a_checkpoint(
        self, client_lachin: Served, capsys: pytest.CaptureFixture[str]
    ) -> None:
        size = self.size(client_lachin)
        want = local_json(capsys, "check", "--case", "lachin-2023", "--at", AT,
                          "--as-of", str(size), "--db", client_lachin.db)  # fmt: skip
        doc = get(client_lachin, "/v1/commitments", case="lachin-2023", at=AT, as_of=size).json()
        assert doc["items"] == want["commitments"] and doc["as_of"] == want["as_of"]
        assert doc["as_of"]["tree_size"] == size
        now = get(client_lachin, "/v1/commitments", case="lachin-2023", at=AT).json()
        assert "as_of" not in now and doc["observations"] <= now["observations"]

    def test_at_defaults_to_when_the_checkpoint_was_signed(self, client_lachin: Served) -> None:
        doc = get(client_lachin, "/v1/commitments", case="lachin-2023",
                  as_of=self.size(client_lachin)).json()  # fmt: skip
        signed = datetime.fromisoformat(doc["as_of"]["signed_at"])
        assert datetime.fromisoformat(doc["at"]) == signed

    def test_rules_sent_as_of_a_checkpoint(
        self, client_lachin: Served, capsys: pytest.CaptureFixture[str]
    ) -> None:
        rules = BUILTIN["lachin-2023"] / "rules.yaml"
        size = self.size(client_lachin)
        want = local_json(capsys, "check", str(rules), "--at", AT, "--as-of", str(size),
                          "--db", client_lachin.db)  # fmt: skip
        r = httpx.post(client_lachin.url + "/v1/commitments/check", timeout=60, json={
            "rules": [{"name": "rules.yaml", "text": rules.read_text()}], "at": AT,
            "as_of": size})  # fmt: skip
        assert r.status_code == 200, r.text
        assert r.json()["items"] == want["commitments"] and r.json()["as_of"] == want["as_of"]

    def test_supply_as_of_a_checkpoint(
        self, client_lachin: Served, capsys: pytest.CaptureFixture[str]
    ) -> None:
        size = self.size(client_lachin)
        want = local_json(capsys, "supply", "--case", "lachin-2023", "--as-of", str(size),
                          "--db", client_lachin.db)  # fmt: skip
        r = httpx.post(client_lachin.url + "/v1/supply/runs", timeout=60,
                       json={"case": "lachin-2023", "as_of": size})  # fmt: skip
        assert r.status_code == 200, r.text
        assert r.json() == want and want["as_of"]["tree_size"] == size

    def test_a_size_no_checkpoint_has_is_a_404(self, client_lachin: Served) -> None:
        """Every read as of a tree size that no signed checkpoint has is a 404 in the one
        envelope, before any work; a size no column can hold is a 422."""
        bad = self.size(client_lachin) + 1
        assert envelope(get(client_lachin, "/v1/commitments", case="lachin-2023", as_of=bad),
                        404)["code"]  # fmt: skip
        rules = (BUILTIN["lachin-2023"] / "rules.yaml").read_text()
        for path, body in (("/v1/commitments/check", {"rules": [{"text": rules}], "as_of": bad}),
                           ("/v1/supply/runs", {"case": "lachin-2023", "as_of": bad})):  # fmt: skip
            envelope(httpx.post(client_lachin.url + path, json=body, timeout=60), 404)
            body["as_of"] = 2**64
            envelope(httpx.post(client_lachin.url + path, json=body, timeout=60), 422)
        envelope(get(client_lachin, "/v1/situation", as_of=bad), 404)
        envelope(get(client_lachin, "/v1/crossings/daily", start="2023-08-01", as_of=bad), 404)

    def test_situation_as_of_a_checkpoint(
        self, client_lachin: Served, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The situation as of a checkpoint names it, as ``status --as-of --json`` does; asked
        again (its body then cached) it still does; without ``at`` it is the situation when
        that checkpoint was signed."""
        size = self.size(client_lachin)
        want = local_json(capsys, "status", "--at", AT, "--as-of", str(size),
                          "--db", client_lachin.db)  # fmt: skip
        for _again in range(2):
            doc = get(client_lachin, "/v1/situation", at=AT, as_of=size).json()
            assert doc == want and doc["as_of"]["tree_size"] == size
        assert "as_of" not in get(client_lachin, "/v1/situation", at=AT).json()
        signed = get(client_lachin, "/v1/situation", as_of=size).json()
        assert datetime.fromisoformat(signed["at"]) == datetime.fromisoformat(
            signed["as_of"]["signed_at"]
        )

    def test_daily_crossings_as_of_a_checkpoint(
        self, client_lachin: Served, capsys: pytest.CaptureFixture[str]
    ) -> None:
        size = self.size(client_lachin)
        want = local_json(capsys, "crossings", "--from", "2023-08-01", "--to", "2023-08-09",
                          "--as-of", str(size), "--db", client_lachin.db)  # fmt: skip
        doc = get(client_lachin, "/v1/crossings/daily", start="2023-08-01", end="2023-08-10",
                  as_of=size).json()  # fmt: skip
        assert doc == want and doc["as_of"]["tree_size"] == size


class TestCases:
    def test_same_as_case_list(
        self, client_lachin: Served, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert get(client_lachin, "/v1/cases").json() == {
            "items": local_json(capsys, "case", "list")
        }


def test_reads_need_no_token_and_are_in_the_openapi(client_lachin: Served) -> None:
    """Public reads answer without a token; each is documented in /openapi.json."""
    paths = get(client_lachin, "/openapi.json").json()["paths"]
    for p in ("/v1/situation", "/v1/commitments", "/v1/commitments/check", "/v1/supply/runs",
              "/v1/cases"):  # fmt: skip
        assert p in paths
    assert get(client_lachin, "/v1/cases").status_code == 200
