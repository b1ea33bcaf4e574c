"""`corridor release`, `corridor review`, `corridor export --release`, `corridor list
--accepted-only` and the releases in `corridor log checkpoints`, from the command line, on a
SYNTHETIC two-monitor case (ngo-x reports, ngo-y reviews; the witness w-test is synthetic)."""

from __future__ import annotations

import pytest
from test_cli_history import fails, record, two  # noqa: F401  (the fixture)

from corridor.testing import Cli


def test_release_create_list_show(two: Cli) -> None:  # noqa: F811
    """Refused without a witness (with the hint); --unwitnessed makes release 1, which list,
    show and log checkpoints name; export --release gives the same bytes after appends."""
    first = record(two)
    err = fails(two, "release", "create", "--notes", "first")
    assert "no witnesses configured" in err and "--unwitnessed" in err
    code, out, _ = two("release", "create", "--notes", "first [synthetic]", "--unwitnessed")
    assert code == 0 and out.startswith("release 1, tree size 1, root ")
    assert "NOT witnessed" in out
    code, out, _ = two("release", "list")
    assert code == 0 and "first [synthetic]" in out
    shown = two.json("release", "show", "1")
    assert shown["number"] == 1 and shown["tree_size"] == 1 and shown["witnessed"] is False
    cps = two.json("log", "checkpoints")["items"]
    assert [c["release"] for c in cps if c["tree_size"] == 1] == [1]
    assert two("export", "a.csv", "--release", "1")[0] == 0
    two.json("correct", first, "--reason", "miscounted", "--set", "count=4")
    record(two, 7)
    assert two("export", "b.csv", "--release", "1")[0] == 0
    assert two("export", "c.csv", "--as-of", "1")[0] == 0
    a = (two.tmp / "a.csv").read_bytes()
    assert a == (two.tmp / "b.csv").read_bytes() == (two.tmp / "c.csv").read_bytes()
    assert two("log", "export", "tiles", "--release", "1")[0] == 0
    assert (two.tmp / "tiles" / "checkpoint").read_text().splitlines()[1] == "1"
    fails(two, "release", "show", "2")
    fails(two, "export", "d.csv", "--release", "1", "--as-of", "1")
    err = fails(two, "export", "d.csv", "--as-of", "99")
    assert "no checkpoint of tree size 99" in err and "corridor log checkpoints" in err


def test_a_witnessed_release(two: Cli) -> None:  # noqa: F811
    """A checkpoint cosigned by a configured witness is released without --unwitnessed and
    its citation names the witness."""
    record(two)
    vkey = two("witness", "new", "w-test")[1].strip().splitlines()[-1].split()[-1]
    assert two("log", "witness", "add", "w-test", "http://127.0.0.1:9/", vkey)[0] == 0
    err = fails(two, "release", "create", "--notes", "n")
    assert "w-test" in err
    assert two("witness", "cosign", "--name", "w-test", "--state", "w.state")[0] == 0
    code, out, _ = two("release", "create", "--notes", "n")
    assert code == 0 and out.strip().endswith("witnessed by w-test"), out


@pytest.mark.parametrize("dry", [True, False])
def test_review_list_and_set(two: Cli, dry: bool) -> None:  # noqa: F811
    """review set signs one statement per entry of the filtered queue (nothing with
    --dry-run); review list filters by state; list --accepted-only shows the accepted."""
    ids = [record(two, n) for n in (1, 2)]
    doc = two.json("review", "list")
    assert [i["review"]["status"] for i in doc["items"]] == ["submitted", "submitted"]
    args = ["review", "set", "accepted", "--by", "ngo-y", "--reporter", "ngo-x", "--json"]
    done = two.json(*args, *(["--dry-run"] if dry else []))
    assert done["entries"] == ids and (done["statements"] == []) is dry
    accepted = two.json("review", "list", "--state", "accepted")["items"]
    assert [i["id"] for i in accepted] == ([] if dry else ids)
    shown = [o["id"] for o in two.json("list", "--accepted-only")]
    assert shown == ([] if dry else ids)
    assert len(two.json("list")) == 2
    err = fails(two, "review", "set", "accepted", "--by", "ngo-x")
    assert "does not review its own" in err
    fails(two, "review", "set", "approved", "--by", "ngo-y")
