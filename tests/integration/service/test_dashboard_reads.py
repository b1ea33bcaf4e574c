"""The reads the dashboard adds to the API, over the built-in Lachin case: ``GET /v1/summary``,
the situation as of a signed checkpoint, an observation's attestations."""

from __future__ import annotations

import httpx

from corridor.testing import Server

CONVOY_400T = "4b25fd57e0d54270d1e92752b2b7240d112e695f3663523153c55a36994a0c94"


def test_summary_names_the_held_case_and_its_span(client_lachin: Server) -> None:
    """The summary gives the size, the span of the facts, the held case with its zone and the
    DEMO-labelled log key."""
    s = httpx.get(f"{client_lachin.url}/v1/summary").json()
    assert s["size"] > 0 and s["span"]["first"] < s["span"]["last"]
    assert s["cases"][0]["name"] == "lachin-2023" and s["cases"][0]["tz"] == "+04:00"
    assert s["log"] == httpx.get(f"{client_lachin.url}/v1/log/key").json()


def test_situation_as_of_a_checkpoint_predates_the_statements(client_lachin: Server) -> None:
    """As of the checkpoint signed before the attestations, the situation names none; now it
    names the convoy's disputes."""
    base = client_lachin.url
    sizes = [c["tree_size"] for c in httpx.get(f"{base}/v1/summary").json()["checkpoints"]]
    at = "2023-08-15T12:00:00+04:00"
    now = httpx.get(f"{base}/v1/situation", params={"at": at}).json()
    before = httpx.get(f"{base}/v1/situation", params={"at": at, "as_of": sizes[1]}).json()
    assert CONVOY_400T in now["attestations"] and before["attestations"] == {}
    bad = httpx.get(f"{base}/v1/situation", params={"at": at, "as_of": sizes[1] + 1})
    assert bad.status_code in {404, 422}


def test_an_observation_carries_its_attestations(client_lachin: Server) -> None:
    """The 400 t figure of the July convoy lists who corroborated and who disputed it."""
    doc = httpx.get(f"{client_lachin.url}/v1/observations/{CONVOY_400T}").json()
    assert {a["by"] for a in doc["attestations"]["disputed_by"]} >= {"am-gov", "hetq"}
    assert doc["proof"] is None or doc["proof"]["log_index"] == doc["log_index"]


def test_an_as_of_beyond_int64_is_a_422_not_a_server_error(client_lachin: Server) -> None:
    """A tree size no database column can hold is refused as input on every dashboard read."""
    big = {"as_of": str(2**64)}
    for path, params in (("/v1/summary", big), ("/v1/situation", big),
                         ("/v1/crossings/daily", {**big, "start": "2023-09-01"})):  # fmt: skip
        r = httpx.get(client_lachin.url + path, params=params)
        assert r.status_code == 422, (path, r.text)
