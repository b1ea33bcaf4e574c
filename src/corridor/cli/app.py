"""The `corridor` command: one Typer app; each command group lives in its own module.

Errors are translated here, once: a CorridorError becomes a one-line message on stderr and an
exit code from :data:`EXIT_CODES` (the CLI's own table: 1 for bad input, 2 for a failed
verification); nothing a user types yields a traceback.
"""

import sys

import typer

from corridor.errors import CorridorError, VerificationError

app = typer.Typer(
    name="corridor",
    help="Open, verifiable monitoring of contested humanitarian corridors and checkpoints.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # plain help: rendering it with Rich (and its Markdown parser) would double start-up time
    rich_markup_mode=None,
)

# Command modules register themselves here. Each exposes register(app: typer.Typer) -> None.
# Keep this list sorted; add one line per module.
_COMMAND_MODULES: list[str] = [
    "cases",
    "check",
    "crossings",
    "demo",
    "embargo",
    "export",
    "form",
    "history",
    "importer",
    "keys",
    "log",
    "observations",
    "release",
    "report",
    "review",
    "serve",
    "site",
    "status",
    "supply",
    "tokens",
    "watch",
    "witness",
]


#: Exit code per error class; the first class an error is an instance of wins.
EXIT_CODES: tuple[tuple[type[CorridorError], int], ...] = (
    (VerificationError, 2),
    (CorridorError, 1),
)


#: What to do next, per error code (errors name no command; the CLI suggests one).
HINTS: dict[str, str] = {
    "no-database": "create one with `corridor init`, or load a case: "
    "`corridor case load lachin-2023`",
    "schema-missing": "run `corridor init`",
    "schema-old": "run `corridor init` to upgrade it",
    "no-log": "run `corridor init`",
    "no-signing-key": "make one with `corridor keys new {subject}`",
    "key-not-registered": "if it is a new key of {subject} on purpose, register it with "
    "`corridor keys add VKEY --rotate`",
    "key-rotation": "add --rotate to register it as a rotation",
    "no-checkpoint": "`corridor log checkpoints` lists the signed sizes",
    "not-witnessed": "send it to the witnesses with `corridor log checkpoint`, or add "
    "--unwitnessed to release it anyway",
}


#: What to do next about a server's answer (an error carrying ``server``): the local hints
#: above would name commands for a database the user does not have.
REMOTE_HINTS: dict[str, str] = {
    "unauthenticated": "give an API token with --token or CORRIDOR_TOKEN",
    "forbidden": "the token's role or organisation does not allow this",
    "server-unreachable": "is `corridor serve` running there, and is the URL right?",
    "rate-limited": "too many requests for this token; wait a minute",
}


def exit_code(exc: CorridorError) -> int:
    return next(code for cls, code in EXIT_CODES if isinstance(exc, cls))


def message(exc: CorridorError) -> str:
    """The one line printed for an error: its message, and a hint where the CLI has one."""
    hints = REMOTE_HINTS if getattr(exc, "server", None) else HINTS
    hint = hints.get(exc.code or "")
    if hint:
        hint = hint.format(subject=exc.subject or "…")
    return f"error: {exc}" + (f" ({hint})" if hint else "")


def _register_all() -> None:
    import importlib

    for name in _COMMAND_MODULES:
        importlib.import_module(f"corridor.cli.{name}").register(app)


_register_all()


def main(argv: list[str] | None = None) -> int:
    """Console entry point: run the app, translating corridor errors into exit codes.

    Exit codes: 0 success; 1 bad input (a one-line message names the file, row or field);
    2 a verification failed, or the command line itself was malformed (usage error).
    """
    try:
        app(args=argv, prog_name="corridor", standalone_mode=True)
    except CorridorError as exc:
        print(message(exc), file=sys.stderr)
        return exit_code(exc)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def run() -> None:  # pragma: no cover - console script wrapper
    sys.exit(main())
