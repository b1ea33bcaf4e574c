"""Many submitters against several workers on PostgreSQL: `corridor serve --workers 3` as a
real process, eight threads of four organisations (each with its own key made with the CLI and
its own reporter token) submitting for a few seconds, two of them racing with the very same
entries. Then: the acknowledged ids are exactly the ids in the log, each acknowledged once; log
indices run 0..N-1 with no gap or duplicate; every checkpoint a submitter got back verifies,
covers what it acknowledged and is a prefix of the final tree; every stored checkpoint is
consistent with the next; and `corridor log verify` passes."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from svc_core import CLI, EXAMPLE_CASE, crossing, entries_body, pg_schema, serve, sign

from corridor.ledger.checkpoint import verify_checkpoint
from corridor.ledger.merkle import verify_consistency
from corridor.ledger.note import Verifier
from corridor.recording import TransparencyLog
from corridor.recording.keyring import Keyring
from corridor.store.sql import SqlStore

ORGS = ("ngo-x", "ngo-a", "ngo-b", "ngo-c")
THREADS = 8
SECONDS = 4.0


def _cli(env: dict[str, str], *args: str) -> str:
    r = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    return r.stdout


@pytest.mark.postgres
@pytest.mark.slow
def test_concurrent_submitters_one_log(tmp_path: Path) -> None:
    with pg_schema("svccore_conc") as db:
        keys = tmp_path / "keys"
        env = {**os.environ, "CORRIDOR_DB": db, "CORRIDOR_KEYS": str(keys)}
        _cli(env, "case", "load", str(EXAMPLE_CASE))
        from corridor.app import Corridor
        from corridor.model import Organisation

        with Corridor.open(db, keys) as app:
            for org in ORGS[1:]:
                app.registry.put(Organisation(id=org, name=f"{org} (synthetic)", kind="monitor"))
        tokens = {}
        for org in ORGS:
            _cli(env, "keys", "new", org)
            tokens[org] = _cli(env, "token", "create", org, "--role", "reporter").strip()
        ring = Keyring(keys)
        signers = {org: ring.load(org) for org in ORGS}

        acked: list[list[str]] = [[] for _ in range(THREADS)]
        answers: list[list[dict[str, Any]]] = [[] for _ in range(THREADS)]
        errors: list[str] = []
        start = threading.Barrier(THREADS)

        def submitter(k: int, url: str) -> None:
            org = ORGS[k % len(ORGS)]
            # threads 0 and 4 (both ngo-x) submit the very same entries: a race for each one
            seed = 0 if k in (0, 4) else k
            n = 0
            with httpx.Client(base_url=url, timeout=60,
                              headers={"Authorization": f"Bearer {tokens[org]}"}) as c:
                start.wait()
                deadline = time.monotonic() + SECONDS
                while time.monotonic() < deadline:
                    size = 1 + n % 5
                    batch = [sign(crossing(org, seed * 5000 + n + i), signers[org])
                             for i in range(size)]  # fmt: skip
                    n += size
                    r = c.post("/v1/entries", json=entries_body(*batch))
                    if r.status_code != 200:
                        errors.append(f"{r.status_code} {r.text}")
                        return
                    doc = r.json()
                    acked[k] += doc["accepted"]
                    answers[k].append(doc)

        with serve(db, keys, workers=3, log=tmp_path / "server.log") as url:
            threads = [threading.Thread(target=submitter, args=(k, url)) for k in range(THREADS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=120)
        assert errors == []
        assert all(answers), "every submitter got answers"
        every = [oid for ids in acked for oid in ids]
        assert len(every) == len(set(every)), "an id was acknowledged twice"
        assert answers[0] and answers[4]
        raced = {oid for doc in answers[0] + answers[4] for oid in doc["duplicates"]}

        store = SqlStore.open(db)
        try:
            rows = [(i, oid) for i, _e, _lh, oid, _cols in store.entries()]
            assert [i for i, _ in rows] == list(range(len(rows))), "a gap or a duplicate index"
            assert {oid for _, oid in rows} == set(every), "acknowledged != in the log"
            assert len(rows) == len(every)
            assert raced <= set(every)
            log = TransparencyLog(store, ring)
            v: Verifier = log.verifier
            tree = log.tree(fresh=True)
            for docs in answers:
                for doc in docs:
                    cp = verify_checkpoint(doc["checkpoint"].encode(), log.origin, v)
                    assert cp.size >= doc["tree_size"], "a checkpoint that misses its entries"
                    assert tree.root(cp.size) == cp.root, "a checkpoint not of this tree"
            stored = store.checkpoint_rows()
            assert len(stored) > 1
            for (a, ra, _na), (b, rb, _nb) in itertools.pairwise(stored):
                verify_consistency(a, b, ra, rb, tree.consistency_proof(a, b))
            assert stored[-1][0] == len(rows)
        finally:
            store.close()
        verified = json.loads(_cli(env, "log", "verify", "--json"))
        assert verified["size"] == len(rows) and verified["beyond_checkpoint"] == 0
