"""Embargo through the application and the CLI, on both backends: seal (a commitment only,
counted nowhere), reveal (checked at admission, then counted at its own time), history, as-of
reads, log verification. SYNTHETIC data: the North Gate example."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from corridor.app import Corridor
from corridor.errors import ConflictError, InputError, RecordError, TamperError
from corridor.model import Organisation
from corridor.store.api import Query
from corridor.testing import Cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "north-gate-case.yaml"
AT = datetime(2024, 1, 8, tzinfo=UTC)


def hidden(count: int = 7, reporter: str = "ngo-x", day: int = 5) -> dict[str, Any]:
    return {
        "type": "crossing",
        "observed": {"start": f"2024-01-{day:02d}T00:00:00+02:00",
                     "end": f"2024-01-{day + 1:02d}T00:00:00+02:00"},
        "reporter": reporter,
        "sources": [{"title": "Gate log (synthetic test data)"}],
        "body": {"checkpoint": "north-gate", "direction": "inbound", "category": "vehicles",
                 "count": count, "driver_name": "A. Driver (synthetic)"},
    }  # fmt: skip


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Any:
    with Corridor.open(db_url, tmp_path / "keys", create=True, workers=0) as a:
        a.cases.load(a.cases.read(str(EXAMPLE)))
        a.registry.put(Organisation(id="ngo-y", name="NGO Y (synthetic)", kind="monitor"))
        a.keys.new("ngo-x")
        a.keys.new("ngo-y")
        yield a


def _count(app: Corridor) -> int:
    return sum(
        s.observation.body.count or 0  # type: ignore[union-attr]
        for s in app.observations.list(Query(type="crossing"))
    )


class TestSealAndReveal:
    def test_sealed_is_listed_but_counted_nowhere(self, app: Corridor) -> None:
        """After sealing, the record lists one sealed entry and no crossing; the secret holds
        the salt and the observation, personal values included."""
        kept: list[dict[str, Any]] = []
        s = app.embargo.seal(hidden(), keep=kept.append)
        assert kept == [s.secret] and len(bytes.fromhex(s.secret["salt"])) == 32
        assert s.secret["observation"]["body"]["driver_name"] == "A. Driver (synthetic)"
        assert [x.id for x in app.embargo.sealed()] == [s.id]
        assert app.observations.list(Query(type="crossing")) == []
        listed = app.observations.list()
        assert [x.observation.type for x in listed] == ["sealed"]
        assert "count" not in json.dumps(listed[0].observation.content())

    def test_reveal_counts_at_its_own_time(self, app: Corridor) -> None:
        """The revealed crossing is current, observed when it was, and the seal is not
        listed any more; its personal value is held as for any observation."""
        s = app.embargo.seal(hidden(7), keep=lambda _s: None)
        w = app.embargo.reveal(s.id[:10], s.secret)
        assert w.result.accepted == [w.observation.id]
        assert _count(app) == 7
        crossing = app.observations.list(Query(type="crossing"))[0]
        assert crossing.observation.start == datetime.fromisoformat("2024-01-05T00:00:00+02:00")
        assert app.embargo.sealed() == []
        held = {f: v for f, _salt, v, _e in app.store.personal_values(w.observation.id)}
        assert held == {"driver_name": "A. Driver (synthetic)"}
        chain = app.history.chain(s.id)
        assert [v.observation.type for v in chain.versions] == ["sealed", "crossing"]
        assert chain.current == w.observation.id
        assert app.log.verify()["ok"]

    def test_changed_secret_is_refused_and_nothing_written(self, app: Corridor) -> None:
        """A reveal whose observation or salt differs from what was sealed is refused with a
        message naming the commitment; the log does not grow."""
        s = app.embargo.seal(hidden(7), keep=lambda _s: None)
        size = app.store.size()
        body = json.loads(json.dumps(s.secret))
        body["observation"]["body"]["count"] = 8
        with pytest.raises(RecordError, match="does not match the commitment"):
            app.embargo.reveal(s.id, body)
        salt = dict(s.secret, salt=("0" if s.secret["salt"][0] != "0" else "1")
                    + s.secret["salt"][1:])  # fmt: skip
        with pytest.raises(RecordError, match="does not match the commitment"):
            app.embargo.reveal(s.id, salt)
        assert app.store.size() == size

    def test_only_the_sealing_organisation_reveals(self, app: Corridor) -> None:
        """ngo-y cannot reveal ngo-x's seal, even with a matching-looking observation."""
        s = app.embargo.seal(hidden(7), keep=lambda _s: None)
        other = json.loads(json.dumps(s.secret))
        other["observation"]["reporter"] = "ngo-y"
        with pytest.raises(RecordError, match="only 'ngo-x', which sealed"):
            app.embargo.reveal(s.id, other)

    def test_second_different_reveal_is_a_conflict(self, app: Corridor) -> None:
        """Once revealed, a seal is not revealed again; the same reveal again is a
        duplicate, not an error."""
        s = app.embargo.seal(hidden(7), keep=lambda _s: None)
        app.embargo.reveal(s.id, s.secret)
        assert app.embargo.reveal(s.id, s.secret).result.accepted == []
        noted = json.loads(json.dumps(s.secret))
        noted["observation"]["note"] = "a different reveal"
        with pytest.raises(ConflictError, match="already revealed"):
            app.embargo.reveal(s.id, noted)

    def test_secret_of_another_seal_is_refused(self, app: Corridor) -> None:
        """A secret names the seal it opens."""
        a = app.embargo.seal(hidden(7), keep=lambda _s: None)
        b = app.embargo.seal(hidden(8), keep=lambda _s: None)
        with pytest.raises(InputError, match="opens sealed entry"):
            app.embargo.reveal(b.id, a.secret)

    def test_as_of_before_the_reveal_shows_the_seal(self, app: Corridor) -> None:
        """As of the checkpoint before the reveal, the seal is listed and nothing counted."""
        s = app.embargo.seal(hidden(7), keep=lambda _s: None)
        before = app.store.size()
        app.embargo.reveal(s.id, s.secret)
        assert [x.id for x in app.embargo.sealed(as_of=before)] == [s.id]
        assert app.observations.list(Query(type="crossing", as_of=before)) == []

    def test_keep_fails_nothing_is_logged(self, app: Corridor) -> None:
        """If the secret cannot be kept, the commitment is not logged (it could never be
        revealed)."""

        def fail(_s: dict[str, Any]) -> None:
            raise InputError("cannot write", where="secret")

        with pytest.raises(InputError):
            app.embargo.seal(hidden(7), keep=fail)
        assert app.store.size() == 0


class TestCli:
    def test_seal_reveal_and_show(self, cli: Cli) -> None:
        """`corridor seal` writes the secret with mode 0600 and logs the commitment; `sealed`
        and `show` say "sealed by ngo-x"; `reveal` logs the observation; `status` counts it."""
        assert cli("case", "load", str(EXAMPLE))[0] == 0
        assert cli("keys", "new", "ngo-x")[0] == 0
        obs = cli.tmp / "obs.json"
        data = hidden(7)
        del data["body"]["driver_name"]
        obs.write_text(json.dumps(data))
        code, out, err = cli("seal", str(obs), "--secret", "s.json", "--json")
        assert code == 0, err
        sealed_id = json.loads(out)["id"]
        assert stat.S_IMODE((cli.tmp / "s.json").stat().st_mode) == 0o600
        code, out, _ = cli("sealed")
        assert "sealed a crossing by ngo-x at 2024-01-05T00:00+02:00" in out
        code, out, _ = cli("list", "sealed")
        assert code == 0 and sealed_id[:12] in out
        code, out, _ = cli("show", sealed_id)
        assert "sealed, not revealed" in out
        code, out, _ = cli("status", "--at", "2024-01-08T00:00Z")
        assert "no data" in out
        assert "sealed crossing by ngo-x at 2024-01-05T00:00+02:00: not revealed" in out
        code, _out, err = cli("seal", str(obs), "--secret", "s.json")
        assert code == 1 and "not replacing a seal's secret" in err
        code, out, err = cli("reveal", sealed_id[:10], "--secret", "s.json")
        assert code == 0 and out.startswith("revealed "), err
        code, out, _ = cli("show", sealed_id)
        assert "then revealed" in out and "revealed, current" in out
        code, out, _ = cli("status", "--at", "2024-01-08T00:00Z")
        assert "inbound    vehicles  7" in out and "not revealed" not in out

    def test_tampered_secret_exits_1_with_a_message(self, cli: Cli) -> None:
        """A secret edited after sealing is refused with one line, no traceback."""
        assert cli("case", "load", str(EXAMPLE))[0] == 0
        assert cli("keys", "new", "ngo-x")[0] == 0
        obs = cli.tmp / "obs.json"
        obs.write_text(json.dumps(hidden(7)))
        code, out, _ = cli("seal", str(obs), "--secret", "s.json", "--json")
        sealed_id = json.loads(out)["id"]
        secret = json.loads((cli.tmp / "s.json").read_text())
        secret["observation"]["body"]["count"] = 70
        (cli.tmp / "t.json").write_text(json.dumps(secret))
        code, _out, err = cli("reveal", sealed_id, "--secret", "t.json")
        assert code == 1 and "does not match the commitment" in err
        assert "Traceback" not in err

    def test_seal_from_options(self, cli: Cli) -> None:
        """`corridor seal` without FILE builds the observation from --type, --reporter,
        --observed and --set, and its reveal counts."""
        assert cli("case", "load", str(EXAMPLE))[0] == 0
        assert cli("keys", "new", "ngo-x")[0] == 0
        code, out, err = cli(
            "seal", "--type", "crossing", "--reporter", "ngo-x", "--observed",
            "2024-01-05T00:00+02:00", "--end", "2024-01-06T00:00+02:00",
            "--set", "checkpoint=north-gate", "--set", "direction=inbound",
            "--set", "category=vehicles", "--set", "count=4", "--secret", "s.json", "--json",
        )  # fmt: skip
        assert code == 0, err
        sealed_id = json.loads(out)["id"]
        assert cli("reveal", sealed_id, "--secret", "s.json")[0] == 0
        code, out, _ = cli("status", "--at", "2024-01-08T00:00Z")
        assert "inbound    vehicles  4" in out
        code, _out, err = cli("seal", "--type", "crossing", "--secret", "t.json")
        assert code == 1 and "--reporter" in err


class TestVerification:
    def test_a_reveal_that_bypassed_admission_is_caught(self, app: Corridor) -> None:
        """A non-matching reveal written past the gate (signed, in the tree, under a signed
        checkpoint) fails `log verify` on that entry: verification re-checks the commitment."""
        from corridor.ledger.hashing import leaf_hash
        from corridor.model.embargo import reveal_content
        from corridor.recording import Recorder, TransparencyLog
        from corridor.recording.admission import admit_entry
        from corridor.store.columns import IndexedBatch, IndexedEntry

        s = app.embargo.seal(hidden(7), keep=lambda _s: None)
        changed = json.loads(json.dumps(s.secret["observation"]))
        changed["body"]["count"] = 9
        (bad,) = app.observations.parse(
            [reveal_content(changed, s.id, bytes.fromhex(s.secret["salt"]))]
        )
        store = app.store
        rec = Recorder(store, app.keyring)
        log = TransparencyLog(store, app.keyring)
        entry, _ = rec.prepare(bad)
        oid, cols, signers, demo, names = admit_entry(
            entry, log.verifiers(), log.demo_keys(), store.registry()
        )
        store.append_indexed(
            IndexedBatch.of([IndexedEntry(entry, oid, cols, signers, demo, (), names)]),
            extend_tree=log._extend,
            leaf_hash=leaf_hash,
        )  # no check: past the gate
        log.sign_checkpoint()
        with pytest.raises(TamperError, match=r"entry 1: .*does not match the commitment"):
            log.verify()
