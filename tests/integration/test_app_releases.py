"""Numbered releases and the review queue through the application, on both backends: releases
mark witnessed checkpoints (or say they are unwitnessed), number 1, 2, 3…, are recorded as
admin actions, and export byte for byte the same however the record grows; review states come
from signed attestations, bulk actions are all or nothing, accepted-only views.

The built-in Lachin case (DEMO-signed); the reviewer ngo-review and the witness w-test are
SYNTHETIC, made here."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.app import Corridor
from corridor.app.review import ReviewFilter
from corridor.errors import ConflictError, InputError, NotFoundError, SigningKeyError
from corridor.model import Organisation

REVIEWER = "ngo-review"


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Corridor:
    """The Lachin case in a fresh database, and a synthetic reviewing organisation with a key."""
    with Corridor.open(db_url, tmp_path / "keys", create=True, workers=0) as a:
        a.cases.load(a.cases.read("lachin-2023"))
        a.store.put_entities([Organisation(id=REVIEWER, name="Reviewer (synthetic)",
                                           kind="monitor")])  # fmt: skip
        a.keys.new(REVIEWER)
    return Corridor.open(db_url, tmp_path / "keys", workers=0)


def _witness(app: Corridor, tmp_path: Path) -> None:
    """A synthetic witness w-test, configured, that cosigns the latest checkpoint."""
    _path, vkey = app.witness.new("w-test")
    app.witnesses.add("w-test", "http://127.0.0.1:9/", vkey)
    app.witness.cosign("w-test", tmp_path / "w-test.state")


def _claim(app: Corridor, n: int) -> str:
    """A SYNTHETIC claim recorded by the reviewer (which holds a key): its id."""
    (o,) = app.observations.parse([{
        "type": "claim", "observed": f"2023-10-0{n}T12:00:00+04:00", "reporter": REVIEWER,
        "sources": [{"title": "synthetic test statement"}],
        "body": {"party": REVIEWER, "statement": f"statement {n} (synthetic)", "about": "test"},
    }])  # fmt: skip
    app.observations.record([o])
    return o.id


class TestReleases:
    def test_unwitnessed_is_refused_unless_asked(self, app: Corridor, tmp_path: Path) -> None:
        """Without a witness cosignature a release is refused (code not-witnessed); asked for
        as unwitnessed it is made and says so."""
        with app:
            with pytest.raises(InputError, match="no witnesses configured") as exc:
                app.releases.create(notes="first")
            assert exc.value.code == "not-witnessed"
            r = app.releases.create(notes="first", unwitnessed=True)
            assert (r.number, r.stored.unwitnessed, r.stored.witnesses) == (1, True, ())
            assert "NOT witnessed" in r.citation and "DEMO key" in r.citation

    def test_witnessed_numbered_and_recorded(self, app: Corridor, tmp_path: Path) -> None:
        """A witnessed checkpoint becomes release 1, the next 2; the citation names the tree
        size, root, the log key and the witness; each is an admin action; a checkpoint is
        released once, and a size never signed is not found."""
        from corridor.app import shapes

        with app:
            _witness(app, tmp_path)
            size = app.store.size()
            r1 = app.releases.create(notes="the first release")
            assert r1.number == 1 and r1.size == size
            assert r1.citation.startswith(f"release 1, tree size {size:,}, root ")
            assert r1.citation.endswith("witnessed by w-test")
            with pytest.raises(ConflictError, match="release 1 already"):
                app.releases.create(notes="again")
            with pytest.raises(NotFoundError) as exc:
                app.releases.create(notes="never signed", size=size + 5)
            assert exc.value.code == "no-checkpoint"
            # a witness configured, the next checkpoint not cosigned: refused, naming it
            case = app.cases.read("lachin-2023")
            some = app.observations.list()[0]
            app.history.attest(some.id, by=REVIEWER, stance="reviewed", review="accepted")
            with pytest.raises(InputError, match="w-test"):
                app.releases.create(notes="second")
            app.witness.cosign("w-test", tmp_path / "w-test.state")
            r2 = app.releases.create(notes="second")
            assert (r2.number, r2.size) == (2, size + 1)
            assert [r.number for r in app.releases.list()] == [1, 2]
            assert app.releases.show(1).citation == r1.citation
            assert app.releases.by_size() == {size: 1, size + 1: 2}
            with pytest.raises(NotFoundError, match="no release 3"):
                app.releases.show(3)
            actions = [a for a in app.access.actions(0, 1000) if a["action"] == "release.create"]
            assert [(a["subject"], a["detail"]["tree_size"]) for a in actions] == [
                ("1", size), ("2", size + 1)
            ]
            doc = shapes.release(r2)
            assert doc["witnessed_by"] == ["w-test"] and doc["witnessed"] is True
            assert case is not None

    @pytest.mark.parametrize("fmt", ["json", "ndjson", "csv"])
    def test_a_release_exports_the_same_bytes(
        self, app: Corridor, tmp_path: Path, fmt: str
    ) -> None:
        """The export of a release is byte for byte the same after corrections, retractions,
        attestations and reports are appended; the current export is not."""
        from corridor.store.api import Query

        with app:
            r = app.releases.create(notes="before the changes", unwitnessed=True)
            q = Query(as_of=app.releases.size_of(r.number))
            app.exports.write(fmt, tmp_path / f"a.{fmt}", q)
            convoy = next(s for s in app.observations.list() if s.observation.type == "convoy")
            mine = [_claim(app, n) for n in (1, 2)]
            app.history.correct(mine[0], reason="a later correction (synthetic)",
                                body={"statement": "corrected (synthetic)"})  # fmt: skip
            app.history.retract(mine[1], reason="withdrawn (synthetic)")
            app.history.attest(convoy.id, by=REVIEWER, stance="reviewed", review="accepted")
            app.exports.write(fmt, tmp_path / f"b.{fmt}", q)
            app.exports.write(fmt, tmp_path / f"now.{fmt}", Query())
        a, b = (tmp_path / f"a.{fmt}").read_bytes(), (tmp_path / f"b.{fmt}").read_bytes()
        assert a == b and len(a) > 1000
        assert (tmp_path / f"now.{fmt}").read_bytes() != a


class TestReview:
    def test_queue_states_and_bulk_actions(self, app: Corridor) -> None:
        """Every observation starts submitted; a bulk action signs one statement per entry of
        the filtered set (a dry run none); entries already in that state are left alone; the
        queue filters by state; accepted-only lists the accepted."""
        with app:
            everything = app.review.queue()
            assert everything and {i.state.status for i in everything} == {"submitted"}
            convoys = ReviewFilter(type="convoy")
            n = len(app.review.queue(convoys))
            size = app.store.size()
            dry = app.review.set("under-review", convoys, by=REVIEWER, dry_run=True)
            assert len(dry.items) == n and app.store.size() == size
            done = app.review.set("under_review", convoys, by=REVIEWER, reason="checking")
            assert len(done.written) == n and app.store.size() == size + n
            under = app.review.queue(ReviewFilter(states=("under_review",)))
            assert {i.stored.id for i in under} == {i.stored.id for i in dry.items}
            assert all(i.state.by == REVIEWER and i.state.reason == "checking" for i in under)
            again = app.review.set("under_review", convoys, by=REVIEWER)
            assert (again.items, len(again.unchanged), again.written) == ([], n, [])
            first = under[0].stored
            app.review.set("accepted", ReviewFilter(type="convoy", start=first.observation.start,
                                                    end=first.observation.end or None),
                           by=REVIEWER)  # fmt: skip
            accepted = app.observations.list(accepted_only=True)
            assert first.id in {s.id for s in accepted}
            assert all(s.observation.type == "convoy" for s in accepted)
            assert len(app.observations.list()) == len(everything)  # the log stays complete

    def test_bulk_actions_are_all_or_nothing(self, app: Corridor) -> None:
        """A set holding the reviewer's own report, or a reviewer without a key, writes
        nothing at all."""
        with app:
            size = app.store.size()
            with pytest.raises(InputError, match="does not review its own"):
                app.review.set("accepted", ReviewFilter(), by="corridor-case")
            app.store.put_entities([Organisation(id="ngo-nokey", name="No key (synthetic)",
                                                 kind="monitor")])  # fmt: skip
            with pytest.raises(SigningKeyError):
                app.review.set("accepted", ReviewFilter(type="convoy"), by="ngo-nokey")
            with pytest.raises(InputError, match="not a review state"):
                app.review.set("approved", ReviewFilter(), by=REVIEWER)
            assert app.store.size() == size

    def test_queue_as_of_a_checkpoint(self, app: Corridor) -> None:
        """The queue as of a signed size does not see later statements."""
        with app:
            size = app.store.size()
            app.review.set("disputed", ReviewFilter(type="convoy"), by=REVIEWER)
            past = app.review.queue(ReviewFilter(as_of=size, states=("disputed",)))
            now = app.review.queue(ReviewFilter(states=("disputed",)))
            assert past == [] and now
