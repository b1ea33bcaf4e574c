"""`corridor demo`'s lines for the record's later parts: the review queue, a citable release,
and embargo and watches shown on a scratch copy that never enters the demo's record."""

from __future__ import annotations

import sqlite3

from corridor.testing import Cli


class TestDemoLines:
    def test_review_release_embargo_and_watch_lines(self, cli: Cli) -> None:
        """The demo prints the review queue's states, release 1's citation (unwitnessed, DEMO
        key), a sealed entry revealed against its commitment and the verdict change a watch
        delivers."""
        code, out, err = cli("demo", "--dir", "d", "--sections", "record,log,embargo")
        assert code == 0, err
        assert "Review queue: 93 submitted" in out
        assert "release 1, tree size 104, root " in out
        assert "(a DEMO key), NOT witnessed" in out
        assert "sealed " in out and "counted nowhere" in out
        assert "revealed " in out and "checked against the commitment" in out
        assert "daily verdict violated → pending" in out

    def test_the_synthetic_report_never_enters_the_demo_record(self, cli: Cli) -> None:
        """The embargo section works on a scratch copy: the kept record holds no entry of the
        synthetic monitor, and its log still verifies."""
        assert cli("demo", "--dir", "d", "--sections", "embargo")[0] == 0
        db = cli.tmp / "d" / "corridor.db"
        with sqlite3.connect(db) as conn:
            (n,) = conn.execute(
                "SELECT count(*) FROM observations WHERE reporter = 'demo-monitor'"
            ).fetchone()
            (orgs,) = conn.execute(
                "SELECT count(*) FROM organisations WHERE id = 'demo-monitor'"
            ).fetchone()
        assert (n, orgs) == (0, 0)
        assert cli("log", "verify", "--db", str(db))[0] == 0
