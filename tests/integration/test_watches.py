"""Watches through the application, on both backends, delivering to a real HTTP receiver on
127.0.0.1 whose signature check is written from the Standard Webhooks specification
(tests/webhookkit.py): new matching entries, retries with doubling back-off, bounded attempts,
one delivery per (watch, event), verdict changes on the built-in Lachin case, and the checks on
destinations. Times are passed in explicitly (``now``), so nothing waits. SYNTHETIC data
besides the built-in case."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text

from corridor.app import Corridor
from corridor.app.watches import MAX_ATTEMPTS, backoff, message_id
from corridor.client.webhooks import destination_problem
from corridor.errors import AccessError, InputError, NotFoundError
from corridor.model import Organisation
from webhookkit import Receiver, receiver, verify

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "north-gate-case.yaml"
T0 = 1_800_000_000


def crossing(count: int, day: int = 5, checkpoint: str = "north-gate") -> dict[str, Any]:
    return {
        "type": "crossing",
        "observed": {"start": f"2024-01-{day:02d}T00:00:00Z",
                     "end": f"2024-01-{day + 1:02d}T00:00:00Z"},
        "reporter": "ngo-x",
        "sources": [{"title": "Gate log (synthetic test data)"}],
        "body": {"checkpoint": checkpoint, "direction": "inbound", "category": "vehicles",
                 "count": count},
    }  # fmt: skip


def record(app: Corridor, *items: dict[str, Any]) -> list[str]:
    obs = app.observations.parse(list(items))
    app.observations.record(obs)
    return [o.id for o in obs]


@pytest.fixture
def rx() -> Iterator[Receiver]:
    with receiver() as r:
        yield r


@pytest.fixture
def north(db_url: str, tmp_path: Path) -> Iterator[Corridor]:
    with Corridor.open(db_url, tmp_path / "keys", create=True, workers=0) as a:
        a.cases.load(a.cases.read(str(EXAMPLE)))
        a.keys.new("ngo-x")
        yield a


class TestEntries:
    def test_new_matching_entry_is_delivered_signed(self, north: Corridor, rx: Receiver) -> None:
        """An entry appended after the watch is delivered once, as entry.appended, with
        Standard Webhooks headers whose signature the receiver's own check accepts."""
        record(north, crossing(1, day=3))  # before the watch: not delivered
        w = north.watches.add("entries", {"checkpoint": "north-gate"}, rx.url)
        assert w["secret"].startswith("whsec_")
        (oid,) = record(north, crossing(7))
        r = north.watches.run(now=T0)
        assert (r.events, r.attempted, r.delivered) == (1, 1, 1)
        (got,) = rx.got
        assert verify(w["secret"], got)
        assert got.headers["webhook-id"] == message_id(w["id"], f"entry:{oid}")
        assert got.headers["webhook-timestamp"] == str(T0)
        body = json.loads(got.body)
        assert body["type"] == "entry.appended" and body["data"]["entry"]["id"] == oid
        assert "timestamp" in body

    def test_a_tampered_body_fails_the_check(self, north: Corridor, rx: Receiver) -> None:
        """The receiver's check is not vacuous: another body or secret does not verify."""
        w = north.watches.add("entries", {}, rx.url)
        record(north, crossing(7))
        north.watches.run(now=T0)
        (got,) = rx.got
        assert not verify(w["secret"], type(got)(got.headers, got.body + b" "))
        other = north.watches.add("entries", {}, rx.url)["secret"]
        assert not verify(other, got)

    def test_filter_leaves_out_other_entries(self, north: Corridor, rx: Receiver) -> None:
        """A watch on type route_status is not told of a crossing."""
        north.watches.add("entries", {"type": "route_status"}, rx.url)
        record(north, crossing(7))
        assert north.watches.run(now=T0).events == 0
        assert rx.got == []

    def test_retry_on_500_then_success_same_id(self, north: Corridor, rx: Receiver) -> None:
        """A 500 is retried after the back-off, with the same webhook-id; both attempts are
        recorded; not before it is due."""
        w = north.watches.add("entries", {}, rx.url)
        record(north, crossing(7))
        rx.answers = [500]
        assert north.watches.run(now=T0).delivered == 0
        assert north.watches.run(now=T0 + backoff(1) - 1).attempted == 0  # not due yet
        assert north.watches.run(now=T0 + backoff(1)).delivered == 1
        assert [g.headers["webhook-id"] for g in rx.got] == [rx.got[0].headers["webhook-id"]] * 2
        assert all(verify(w["secret"], g) for g in rx.got)
        (d,) = north.watches.deliveries(w["id"])
        assert d["status"] == "delivered" and d["attempts"] == 2
        assert [t["http_status"] for t in d["tries"]] == [500, 200]

    def test_gives_up_after_max_attempts(self, north: Corridor, rx: Receiver) -> None:
        """A receiver that always fails gets MAX_ATTEMPTS attempts, then the delivery is
        failed and never tried again; waits double."""
        w = north.watches.add("entries", {}, rx.url)
        record(north, crossing(7))
        rx.answers = [503] * (MAX_ATTEMPTS + 5)
        now = T0
        for n in range(1, MAX_ATTEMPTS + 1):
            north.watches.run(now=now)
            now += backoff(n)
        north.watches.run(now=now + 10**6)
        assert len(rx.got) == MAX_ATTEMPTS
        (d,) = north.watches.deliveries(w["id"])
        assert d["status"] == "failed" and d["attempts"] == MAX_ATTEMPTS
        assert backoff(2) == 2 * backoff(1)

    def test_unreachable_receiver_is_recorded(self, north: Corridor, rx: Receiver) -> None:
        """No answer is an attempt with its reason, and a retry."""
        w = north.watches.add("entries", {}, "http://127.0.0.1:9/nothing-listens")
        record(north, crossing(7))
        north.watches.run(now=T0)
        (d,) = north.watches.deliveries(w["id"])
        assert d["status"] == "pending" and d["tries"][0]["http_status"] is None
        assert d["tries"][0]["error"]

    def test_no_duplicate_per_watch_and_event(self, north: Corridor, rx: Receiver) -> None:
        """Evaluating again, or after the cursor was moved back (another process's slower
        round), makes no second delivery of one event."""
        w = north.watches.add("entries", {}, rx.url)
        record(north, crossing(7))
        north.watches.run(now=T0)
        north.watches.run(now=T0 + 1)
        with north.store.begin() as conn:  # as if a slower round had evaluated from 0
            conn.execute(text("UPDATE watches SET cursor = 0"))
        north.watches.run(now=T0 + 2)
        assert len(rx.got) == 1
        assert len(north.watches.deliveries(w["id"])) == 1

    def test_removed_watch_delivers_nothing(self, north: Corridor, rx: Receiver) -> None:
        """After removal, pending deliveries are cancelled and nothing new is made."""
        w = north.watches.add("entries", {}, rx.url)
        record(north, crossing(7))
        north.watches.evaluate(now=T0)
        north.watches.remove(w["id"])
        record(north, crossing(8, day=6))
        north.watches.run(now=T0 + 1)
        assert rx.got == []
        assert [d["status"] for d in north.watches.deliveries(w["id"])] == ["cancelled"]
        assert north.watches.list() == []

    def test_owner_only(self, north: Corridor, rx: Receiver) -> None:
        """Another owner can neither read nor remove a watch."""
        w = north.watches.add("entries", {}, rx.url, owner="tok_a")
        with pytest.raises(AccessError):
            north.watches.remove(w["id"], owner="tok_b")
        with pytest.raises(AccessError):
            north.watches.deliveries(w["id"], owner="tok_b")
        assert north.watches.list(owner="tok_b") == []
        assert [x["id"] for x in north.watches.list(owner="tok_a")] == [w["id"]]


class TestDestinations:
    @pytest.mark.parametrize(
        "url", ["ftp://example.org/x", "file:///etc/passwd", "http://", "gopher://h/",
                "http://user:pw@example.org/"],
    )  # fmt: skip
    def test_only_http_and_https(self, north: Corridor, url: str) -> None:
        """A watch's URL is http or https, with a host and no credentials."""
        with pytest.raises(InputError):
            north.watches.add("entries", {}, url)

    def test_private_destinations_refused_unless_allowed(self) -> None:
        """Loopback, private and link-local hosts are refused unless private destinations are
        allowed (the service's default is to refuse)."""
        for url in ("http://127.0.0.1:8000/", "http://10.1.2.3/", "http://169.254.169.254/",
                    "http://[::1]/", "http://localhost/"):  # fmt: skip
            assert destination_problem(url, allow_private=False), url
            assert destination_problem(url, allow_private=True) is None

    def test_refused_destination_is_a_recorded_attempt(self, north: Corridor, rx: Receiver
                                                       ) -> None:  # fmt: skip
        """With private destinations off, a delivery to 127.0.0.1 is not sent; the attempt
        says why."""
        w = north.watches.add("entries", {}, rx.url)
        record(north, crossing(7))
        north.watches.run(now=T0, allow_private=False)
        assert rx.got == []
        (d,) = north.watches.deliveries(w["id"])
        assert "not a public address" in d["tries"][0]["error"]

    def test_bad_filters(self, north: Corridor, rx: Receiver) -> None:
        """Unknown filter keys, a verdict watch without its case, a case not loaded."""
        with pytest.raises(InputError):
            north.watches.add("entries", {"colour": "red"}, rx.url)
        with pytest.raises(InputError):
            north.watches.add("verdict", {"commitment": "x"}, rx.url)
        with pytest.raises(NotFoundError):
            north.watches.add("verdict", {"case": "lachin-2023", "commitment": "x"}, rx.url)


@pytest.fixture
def lachin(db_url: str, tmp_path: Path) -> Iterator[Corridor]:
    with Corridor.open(db_url, tmp_path / "keys", create=True, workers=0) as a:
        a.cases.load(a.cases.read("lachin-2023"))
        a.registry.put(Organisation(id="test-monitor", name="Test monitor (synthetic)",
                                    kind="monitor"))  # fmt: skip
        a.keys.new("test-monitor")
        yield a


class TestVerdict:
    AT = "2023-09-30T12:00:00+04:00"

    def test_verdict_change_is_delivered_once(self, lachin: Corridor, rx: Receiver) -> None:
        """On the Lachin case, the ICJ commitment's daily window on 30 Sep 2023 is violated;
        a (synthetic) report that the road was open that day changes it: one verdict.changed
        delivery with the previous and current verdicts. Appending an unrelated entry
        changes nothing and delivers nothing more."""
        w = lachin.watches.add(
            "verdict", {"case": "lachin-2023", "commitment": "icj-2023-02-22", "at": self.AT},
            rx.url,
        )  # fmt: skip
        assert w["last"]["window"]["verdict"] == "violated"
        assert lachin.watches.run(now=T0).events == 0  # nothing changed
        record(lachin, {
            "type": "route_status", "observed": "2023-09-30T00:00:00+04:00",
            "reporter": "test-monitor", "sources": [{"title": "SYNTHETIC test report"}],
            "body": {"route": "lachin-road", "status": "open"},
        })  # fmt: skip
        r = lachin.watches.run(now=T0 + 1)
        assert (r.events, r.delivered) == (1, 1)
        (got,) = rx.got
        assert verify(w["secret"], got)
        body = json.loads(got.body)
        assert body["type"] == "verdict.changed"
        data = body["data"]
        assert data["commitment"] == "icj-2023-02-22"
        assert data["previous"]["window"]["verdict"] == "violated"
        assert data["current"]["window"]["verdict"] != "violated"
        record(lachin, {
            "type": "claim", "observed": "2023-09-30T10:00:00+04:00",
            "reporter": "test-monitor", "sources": [{"title": "SYNTHETIC test report"}],
            "body": {"party": "test-monitor", "statement": "unrelated", "about": "nothing"},
        })  # fmt: skip
        assert lachin.watches.run(now=T0 + 2).events == 0
        assert len(rx.got) == 1


class TestMigration:
    def test_upgrade_from_0005_and_back(self, north: Corridor) -> None:
        """Revision 0006 adds the three watch tables to a record written at 0005, and its
        downgrade removes them; the log verifies throughout."""
        from alembic import command

        from corridor.store import migrate

        store = north.store
        record(north, crossing(7))
        cfg = migrate._config()
        with store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0005")
        assert migrate.current_revision(store.engine) == "0005"
        with store.engine.connect() as conn:
            tables = sa_inspect(conn).get_table_names()
        assert "watches" not in tables and "watch_attempts" not in tables
        migrate.upgrade(store.engine)
        assert migrate.current_revision(store.engine) == migrate.HEAD_REVISION
        with store.engine.connect() as conn:
            tables = sa_inspect(conn).get_table_names()
        assert {"watches", "watch_deliveries", "watch_attempts"} <= set(tables)
        assert north.watches.list() == []
        assert north.log.verify()["ok"]


class TestCli:
    def test_add_run_deliveries_remove(self, cli: Any) -> None:
        """`corridor watch add` prints the secret once; `watch run --once` delivers to the
        receiver, signed; `watch deliveries` lists the attempt; `watch remove` ends it."""
        with receiver() as rx:
            assert cli("case", "load", str(EXAMPLE))[0] == 0
            assert cli("keys", "new", "ngo-x")[0] == 0
            code, out, err = cli("watch", "add", rx.url, "--checkpoint", "north-gate")
            assert code == 0, err
            secret = out.strip()
            assert secret.startswith("whsec_")
            code, out, _ = cli("watch", "list", "--json")
            (w,) = json.loads(out)
            assert "secret" not in w
            code, _out, err = cli(
                "record", "crossing", "--reporter", "ngo-x", "--checkpoint", "north-gate",
                "--direction", "inbound", "--category", "vehicles", "--count", "0",
                "--observed", "2024-01-05", "--end", "2024-01-06", "--tz", "UTC",
            )  # fmt: skip
            assert code == 0, err
            code, out, _ = cli("watch", "run", "--once")
            assert code == 0 and "1 new event(s); 1 attempt(s): 1 delivered" in out
            (got,) = rx.got
            assert verify(secret, got)
            code, out, _ = cli("watch", "deliveries", w["id"])
            assert "delivered after 1 attempt(s): 200" in out
            assert cli("watch", "remove", w["id"])[0] == 0
            assert "no watches" in cli("watch", "list")[1]
            code, _out, err = cli("watch", "add", "ftp://example.org/")
            assert code == 1 and "http or https" in err
