"""Access over HTTP, against a real server: tokens and roles (401 vs 403), expiry and
revocation at once, the admin record, rate limits, and the `corridor token` commands."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import text
from svc_core import CoreServer, crossing, entries_body, prepare_record, serve, sign

from corridor.app import Corridor
from corridor.testing import Cli


def _error(r: object) -> dict[str, object]:
    body = r.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    return body["error"]  # type: ignore[no-any-return]


class TestTokens:
    def test_no_token_is_401_with_a_challenge(self, core_server: CoreServer) -> None:
        """An admin route without a token: 401, the envelope, WWW-Authenticate."""
        with core_server.client() as c:
            r = c.get("/v1/tokens")
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert _error(r)["code"] == "unauthenticated"

    @pytest.mark.parametrize(
        "header",
        [
            "Bearer ctk_aaaaaaaaaaaa_" + "A" * 43,  # well formed, unknown
            "Bearer not-a-token",
            "Basic dXNlcjpwYXNz",
            "Bearer",
        ],
    )
    def test_bad_tokens_are_401_even_on_public_reads(
        self, core_server: CoreServer, header: str
    ) -> None:
        """A token that is not valid is refused wherever it is sent, never ignored."""
        with core_server.client() as c:
            r = c.get("/v1/registry", headers={"Authorization": header})
        assert r.status_code == 401, r.text
        assert "www-authenticate" in r.headers
        assert _error(r)["status"] == 401

    def test_a_guessed_secret_for_a_real_id_is_unknown(self, core_server: CoreServer) -> None:
        """The right id with another secret says the same as an unknown id."""
        real = core_server.tokens["reader"]
        forged = real[:17] + ("B" if real[17] != "B" else "C") + real[18:]
        with core_server.client(forged) as c:
            r = c.get("/v1/registry")
        assert r.status_code == 401 and _error(r)["message"] == "unknown token"

    @pytest.mark.parametrize("name", ["reporter", "reader", "witness"])
    def test_short_roles_are_403(self, core_server: CoreServer, name: str) -> None:
        """A valid token whose role does not allow the request: 403, naming what it needs."""
        with core_server.client(name) as c:
            r = c.post("/v1/tokens", json={"org": "ngo-x", "role": "reporter"})
        assert r.status_code == 403
        err = _error(r)
        assert err["code"] == "forbidden" and "admin" in str(err["message"])
        assert "www-authenticate" not in r.headers

    def test_reader_cannot_submit(self, core_server: CoreServer) -> None:
        with core_server.client("reader") as c:
            r = c.post("/v1/entries", json=entries_body(b"{}"))
        assert r.status_code == 403

    def test_made_over_http_used_then_revoked(self, core_server: CoreServer) -> None:
        """An admin makes a reporter token; it submits; revoked, it is refused at once; the
        creation and revocation are in the admin record with the admin token's id as actor."""
        with core_server.client("admin") as admin:
            made = admin.post("/v1/tokens", json={"org": "ngo-x", "role": "reporter",
                                                  "label": "field team", "expires_days": 1})
            assert made.status_code == 201, made.text
            doc = made.json()
            assert doc["token"].startswith(f"ctk_{doc['id']}_")
            assert (doc["org"], doc["role"], doc["scopes"]) == ("ngo-x", "reporter",
                                                                ["read", "submit"])
            assert doc["expires_at"].endswith("Z") and doc["revoked_at"] is None
            listed = {t["id"]: t for t in admin.get("/v1/tokens").json()["items"]}
            assert "token" not in listed[doc["id"]]
            entry = sign(crossing("ngo-x", 500), core_server.signers["ngo-x"])
            with core_server.client(doc["token"]) as reporter:
                assert reporter.post("/v1/entries", json=entries_body(entry)).status_code == 200
                listed = {t["id"]: t for t in admin.get("/v1/tokens").json()["items"]}
                assert listed[doc["id"]]["last_used_at"] is not None
                gone = admin.delete(f"/v1/tokens/{doc['id']}")
                assert gone.status_code == 200 and gone.json()["revoked_at"] is not None
                r = reporter.post("/v1/entries", json=entries_body(entry))
                assert r.status_code == 401 and "revoked" in str(_error(r)["message"])
            assert admin.delete("/v1/tokens/nosuchtoken").status_code == 404
            actions = admin.get("/v1/admin/actions", params={"limit": 1000}).json()["items"]
        admin_id = core_server.tokens["admin"][4:16]
        mine = [(a["action"], a["actor"]) for a in actions if a["subject"] == doc["id"]]
        assert mine == [("token.create", admin_id), ("token.revoke", admin_id)]

    def test_admin_token_cannot_have_an_org_and_reporter_needs_one(
        self, core_server: CoreServer
    ) -> None:
        with core_server.client("admin") as admin:
            a = admin.post("/v1/tokens", json={"org": "ngo-x", "role": "admin"})
            b = admin.post("/v1/tokens", json={"role": "reporter"})
            c = admin.post("/v1/tokens", json={"org": "nobody", "role": "reporter"})
            d = admin.post("/v1/tokens", json={"role": "reader", "scopes": ["submit"]})
        assert (a.status_code, b.status_code, c.status_code, d.status_code) == (422, 422, 404, 422)
        assert _error(a)["subject"] == "org" or "org" in str(_error(a)["message"])

    def test_an_expired_token_is_refused(self, core_server: CoreServer) -> None:
        with core_server.app() as app:
            token, shape = app.access.create_token(None, "reader")
            with app.store.engine.begin() as conn:
                conn.execute(text("UPDATE api_tokens SET expires_at = :t WHERE id = :i"),
                             {"t": int(time.time()) - 1, "i": shape["id"]})
        with core_server.client(token) as c:
            r = c.get("/v1/registry")
        assert r.status_code == 401 and "expired" in str(_error(r)["message"])

    def test_a_narrowed_admin_token(self, core_server: CoreServer) -> None:
        """An admin token with only the tokens scope manages tokens and nothing else."""
        with core_server.client("admin") as admin:
            narrow = admin.post("/v1/tokens", json={"role": "admin", "scopes": ["tokens"]}).json()
        with core_server.client(narrow["token"]) as c:
            assert c.get("/v1/tokens").status_code == 200
            r = c.post("/v1/places", json={"id": "nowhere", "names": ["Nowhere (synthetic)"]})
            assert r.status_code == 403 and "registry" in str(_error(r)["message"])


class TestAdminRecord:
    def test_registry_and_key_writes_are_recorded(self, core_server: CoreServer) -> None:
        """The admin record names the local operator for what was set up locally, and the
        admin token for writes over HTTP; it is readable by admins only."""
        with core_server.client("admin") as admin:
            r = admin.post("/v1/places", json={"id": "east-gate", "names": ["East Gate"]})
            assert r.status_code in (200, 201)
            doc = admin.get("/v1/admin/actions", params={"limit": 1000}).json()
        with core_server.client("reader") as reader:
            assert reader.get("/v1/admin/actions").status_code == 403
        by = {(a["action"], a["subject"]): a["actor"] for a in doc["items"]}
        assert by[("key.register", "ngo-x")].startswith("cli:")
        assert by[("case.load", "north-gate-example")].startswith("cli:")
        assert by[("organisation.add", "ngo-y")].startswith("cli:")
        assert by[("place.add", "east-gate")] == core_server.tokens["admin"][4:16]
        seqs = [a["seq"] for a in doc["items"]]
        assert seqs == sorted(seqs) and doc["next_after"] is None
        with core_server.client("admin") as admin:
            page = admin.get("/v1/admin/actions", params={"limit": 2}).json()
            rest = admin.get("/v1/admin/actions", params={"after": page["next_after"]}).json()
        assert [a["seq"] for a in page["items"] + rest["items"]][: len(seqs)] == seqs


class TestRateLimit:
    def test_429_with_retry_after_per_token_and_per_address(self, tmp_path: Path) -> None:
        """Three requests a minute: the fourth is a 429 with Retry-After; another token, and
        the anonymous address, have their own buckets."""
        db = str(tmp_path / "rl.db")
        tokens, _ = prepare_record(db, tmp_path / "keys")
        with serve(db, tmp_path / "keys", env={"CORRIDOR_RATE_LIMIT": "3"}) as url:
            import httpx

            def get(token: str | None) -> httpx.Response:
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                return httpx.get(f"{url}/v1/registry", headers=headers, timeout=10)

            got = [get(tokens["reader"]).status_code for _ in range(4)]
            limited = get(tokens["reader"])
            other = get(tokens["witness"])
            anonymous = [get(None).status_code for _ in range(4)]
        assert got[:3] == [200, 200, 200] and got[3] == 429
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.json()["error"]["code"] == "rate-limited"
        assert other.status_code == 200
        # the server's start-up check (anonymous, from this address) took one already
        assert anonymous == [200, 200, 429, 429]


class TestTokenOnlyReads:
    def test_reads_need_a_token_when_not_public(self, tmp_path: Path) -> None:
        import httpx

        db = str(tmp_path / "private.db")
        tokens, _ = prepare_record(db, tmp_path / "keys")
        with serve(db, tmp_path / "keys", env={"CORRIDOR_PUBLIC_READS": "0"}) as url:
            anonymous = httpx.get(f"{url}/v1/observations", timeout=10)
            reader = httpx.get(f"{url}/v1/observations", timeout=10,
                               headers={"Authorization": f"Bearer {tokens['reader']}"})
        assert anonymous.status_code == 401 and reader.status_code == 200


class TestCli:
    def test_token_create_list_revoke(self, north: Cli) -> None:
        """The token is printed once (stdout, alone), then only its id; revoking works once."""
        code, out, err = north("token", "create", "ngo-x", "--role", "reporter", "--label", "t1")
        assert code == 0, err
        token = out.strip()
        assert token.startswith("ctk_") and len(token.splitlines()) == 1
        token_id = token[4:16]
        assert token_id in err and "once" in err
        listed = north.json("token", "list")
        assert [(t["id"], t["org"], t["label"]) for t in listed] == [(token_id, "ngo-x", "t1")]
        code, out, _ = north("token", "list")
        assert token_id in out and token not in out
        code, out, err = north("token", "create", "--role", "admin", "--expires-days", "0")
        assert code == 0, err
        # (two tokens made in the same second list in id order: find the admin one by role)
        (admin,) = [t for t in north.json("token", "list") if t["role"] == "admin"]
        assert admin["expires_at"] is None and admin["org"] is None
        code, out, err = north("token", "revoke", token_id)
        assert code == 0 and "revoked" in out
        assert north("token", "revoke", "nosuch")[0] == 1
        code, _out, err = north("token", "create", "--role", "reporter")
        assert code == 1 and "organisation" in err
        with Corridor.open(north.db) as app:
            actions = [(a["action"], a["actor"][:4]) for a in app.access.actions()]
        assert ("token.create", "cli:") in actions and ("token.revoke", "cli:") in actions
