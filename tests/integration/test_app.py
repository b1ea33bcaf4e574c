"""The application layer on both backends: use cases over one database and key folder; reads
never write; windowed reads give what the whole record gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from corridor.app import Corridor
from corridor.app.commitments import evaluate_rules, load_rule_files
from corridor.errors import NotFoundError
from corridor.rules import events_from
from corridor.rules.filters import rule_types

AT = datetime(2023, 9, 30, 12, tzinfo=UTC)


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Corridor:
    """The built-in Lachin case loaded into a fresh database (SQLite file or PostgreSQL)."""
    with Corridor.open(db_url, tmp_path / "keys", create=True, workers=0) as a:
        a.cases.load(a.cases.read("lachin-2023"))
    return Corridor.open(db_url, tmp_path / "keys", workers=0)


def _checkpoints(app: Corridor) -> int:
    from sqlalchemy import text

    with app.store.read() as conn:
        return int(conn.execute(text("SELECT count(*) FROM log_checkpoints")).scalar_one())


class TestApplication:
    def test_reads_never_write(self, app: Corridor, tmp_path: Path) -> None:
        """Proofs, checks with proofs, verification and export sign no checkpoint."""
        with app:
            before = (_checkpoints(app), app.store.size())
            some = app.observations.list()[5]
            app.log.prove(some.id)
            case = app.cases.read("lachin-2023")
            app.commitments.check(case.rules, AT, prove=True, case=case)
            app.log.verify()
            app.log.export(tmp_path / "export")
            app.log.consistency(1)
            app.situation.at(AT)
            assert (_checkpoints(app), app.store.size()) == before

    def test_check_reads_only_what_the_rules_name(self, app: Corridor) -> None:
        """Judging over the rule types the files name, and only the history up to the instant,
        gives exactly the whole record's verdicts, at instants on, between and before reports."""
        with app:
            case = app.cases.read("lachin-2023")
            everything = [s.observation for s in app.observations.list()]
            registry = app.store.registry()
            types = rule_types(load_rule_files(case.rules, registry))
            # instants exactly on reports the rules read, between them, before them all
            starts = sorted({o.observed.start for o in everything if o.type in types})
            instants = [AT, starts[0], starts[len(starts) // 2], starts[-1],
                        starts[len(starts) // 3] + timedelta(seconds=1),
                        starts[0] - timedelta(days=1)]  # fmt: skip
            for at in instants:
                windowed = app.commitments.check(case.rules, at, case=case)
                whole = evaluate_rules(case.rules, everything, registry, at)
                assert windowed.to_json() == whole.to_json(), at
                # exactly the reports of those types that start at or before the instant
                wanted = [o for o in everything if o.type in types and o.observed.start <= at]
                assert windowed.events == len(events_from(wanted)), at
            early = app.commitments.check(case.rules, starts[len(starts) // 2], case=case)
            assert early.events < app.commitments.check(case.rules, AT, case=case).events

    def test_check_refuses_a_database_without_the_case(self, db_url: str, tmp_path: Path) -> None:
        """Judging a case's commitments against a database that lacks the case says so."""
        with Corridor.open(db_url, tmp_path / "keys", create=True) as app:
            app.cases.init()
            case = app.cases.read("lachin-2023")
            with pytest.raises(NotFoundError, match="does not hold case"):
                app.commitments.check(case.rules, AT, case=case)

    def test_keys_are_read_afresh(self, app: Corridor, tmp_path: Path) -> None:
        """A key registered by another application object is seen by this one at once."""
        from corridor.ledger.note import Signer

        with app, Corridor.open(app.settings.db, tmp_path / "keys2") as other:
            assert len(app.keys.list()) == len(other.keys.list())
            other.keys.add(Signer.generate("icrc").verifier.vkey)
            assert len(app.keys.list()) == len(other.keys.list())


class TestRuleTypes:
    def test_names_every_filter_type(self) -> None:
        """The Lachin rules name the observation types their filters select, no others."""
        import re

        from corridor.app.commitments import load_rule_files
        from corridor.cases import load_case

        case = load_case("lachin-2023")
        types = rule_types(load_rule_files(case.rules, case.registry))
        written = {
            m for f in case.rules
            for m in re.findall(r"\btype:\s*([a-z_]+)", Path(f).read_text(encoding="utf-8"))
        }
        assert types == written


class TestSupplyReads:
    def test_record_types_give_the_whole_records_result(self, app: Corridor) -> None:
        """The as-recorded scenario over the types it reads equals the run over everything."""
        from corridor.supply import compile_problem, run_single, single_summary

        with app:
            loaded = app.supply.load("lachin-2023", ["as-recorded"])
            (_source, sc, _explicit), = loaded
            some, _why = app.supply.record_observations()
            everything = [s.observation for s in app.observations.list()]
            assert some is not None and len(some) < len(everything)

            def summary(obs: list) -> dict:  # type: ignore[type-arg]
                return single_summary(run_single(compile_problem(sc, observations=obs)))

            assert summary(some) == summary(everything)
