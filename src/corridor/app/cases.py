"""Cases: list the built-in ones, load one (entities, then observations through the log), and
initialise a database's log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from corridor.cases import BUILTIN, Case, builtin_cases, load_case
from corridor.errors import NotFoundError
from corridor.model import Observation
from corridor.model.history import names_another
from corridor.store.api import AppendResult

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor
    from corridor.recording import LogInfo

__all__ = ["CaseCases", "is_builtin"]


def _names_another(o: Observation) -> bool:
    return names_another(o)


def is_builtin(case: Case) -> bool:
    """A case shipped with corridor (signed with DEMO keys), as opposed to a user's case file."""
    return case.name in BUILTIN and case.path.parent == BUILTIN[case.name]


class CaseCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def list(self) -> dict[str, str]:
        """Built-in case names and titles."""
        return builtin_cases()

    def builtin(self, name: str) -> Case:
        """A built-in case by name only, never a path (NotFoundError): what a server reads on a
        client's behalf."""
        if name not in BUILTIN:
            raise NotFoundError(
                f"no built-in case {name!r} (built-in: {', '.join(sorted(BUILTIN))})",
                subject=name,
            )
        return load_case(name)

    def read(self, name_or_path: str) -> Case:
        """A built-in case by name, or a case file or folder, validated."""
        return load_case(name_or_path)

    def init(self, origin: str | None = None) -> LogInfo:
        """Give the database its log identity (origin and checkpoint key), once."""
        from corridor.recording import init_log

        return init_log(self.app.store, self.app.keyring, origin=origin)

    def load(self, case: Case) -> AppendResult:
        """Put a case's entities in the store and its observations through the log.

        A built-in case's reporters sign with DEMO keys, registered as such; the log then gets a
        DEMO checkpoint key too if it has none. Loading twice adds nothing.
        """
        from corridor.recording import Recorder, TransparencyLog, demo_signer, init_log

        store = self.app.store
        demo = is_builtin(case)
        store.put_entities(case.organisations, case.places, case.routes, case.checkpoints)
        self.app.access.record(
            "case.load",
            case.name,
            {
                "organisations": len(case.organisations),
                "places": len(case.places),
                "routes": len(case.routes),
                "checkpoints": len(case.checkpoints),
            },
        )
        if store.get_meta("log_origin") is None:
            init_log(store, self.app.keyring, demo=demo)
        if demo:
            log = TransparencyLog(store, self.app.keyring)
            for org in sorted({o.reporter for o in case.observations}):
                log.register(org, demo_signer(org), demo=True)
        recorder = Recorder(
            store,
            self.app.keyring,
            demo_orgs=frozenset(o.id for o in case.organisations) if demo else frozenset(),
            pool=self.app.pool,
        )
        # the reports first, then what is said about them (corrections, retractions,
        # attestations), each a write with its signed checkpoint: the record as the reports
        # alone stood can be cited (--as-of)
        reports = [o for o in case.observations if not _names_another(o)]
        statements = [o for o in case.observations if _names_another(o)]
        result = recorder.submit(reports)
        if statements:
            more = recorder.submit(statements)
            result.accepted += more.accepted
            result.duplicates += more.duplicates
            result.tree_size = more.tree_size
        return result

    def holds(self, case: Case) -> bool:
        """Whether the record holds the case: its organisations and every observation it ships."""
        store = self.app.store
        registry = store.registry()
        if any(o.id not in registry.organisations for o in case.organisations):
            return False
        ids = [o.id for o in case.observations]
        return len(store.existing_ids(ids)) == len(set(ids))
