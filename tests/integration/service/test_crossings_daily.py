"""``GET /v1/crossings/daily`` over the built-in Lachin case: the charts' aggregate."""

from __future__ import annotations

import httpx

from corridor.testing import Server


class TestCrossingsDaily:
    def test_the_exodus_days_are_ranges_with_their_claimants(self, client_lachin: Server) -> None:
        """The September 2023 exodus: competing daily figures stay a range, with who claims
        each; a day without a report is absent."""
        r = httpx.get(
            f"{client_lachin.url}/v1/crossings/daily",
            params={"start": "2023-09-01", "end": "2023-10-01", "tz": "+04:00"},
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["days"] == 30 and body["tz"] == "UTC+04:00"
        out = next(s for s in body["series"] if (s["direction"], s["category"]) ==
                   ("outbound", "persons"))  # fmt: skip
        days = {c["day"]: c for c in out["days"]}
        assert "2023-09-02" not in days
        disputed = [c for c in days.values() if c["low"] != c["high"]]
        assert disputed and all(c["figures"] and c["disputed"] for c in disputed)
        assert all(f["claim_of"] for c in disputed for f in c["figures"])

    def test_a_bad_day_or_zone_is_a_422_naming_the_parameter(self, client_lachin: Server) -> None:
        """A malformed date or zone is refused in the error envelope, naming the parameter."""
        for params, subject in (({"start": "2023-13-01"}, "start"),
                                ({"start": "2023-09-01", "tz": "Mars/Base"}, "tz")):  # fmt: skip
            r = httpx.get(f"{client_lachin.url}/v1/crossings/daily", params=params)
            assert r.status_code == 422
            assert r.json()["error"]["subject"] == subject

    def test_an_end_before_the_start_is_refused(self, client_lachin: Server) -> None:
        """Days that run backwards are a 422, not an empty answer."""
        r = httpx.get(f"{client_lachin.url}/v1/crossings/daily",
                      params={"start": "2023-09-10", "end": "2023-09-01"})  # fmt: skip
        assert r.status_code == 422, r.text


class TestRemote:
    def test_remote_mode_prints_the_servers_answer(
        self, client_lachin: Server, capsys: object
    ) -> None:
        """``corridor crossings --server URL --json`` prints what the server computed."""
        import json

        from corridor.cli.app import main

        args = ["crossings", "--from", "2023-09-01", "--to", "2023-09-30", "--tz", "+04:00"]
        assert main([*args, "--server", client_lachin.url, "--json"]) == 0
        remote = json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
        direct = httpx.get(f"{client_lachin.url}/v1/crossings/daily",
                           params={"start": "2023-09-01", "end": "2023-10-01",
                                   "tz": "+04:00"}).json()  # fmt: skip
        assert remote == direct
