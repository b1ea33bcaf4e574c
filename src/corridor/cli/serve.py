"""`corridor serve`: the HTTP API (FastAPI on Uvicorn) over the record."""

import os

import typer

from corridor.cli.context import DbOption, KeysOption, err_console
from corridor.errors import InputError

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    db: str | None = DbOption,
    keys: str | None = KeysOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to listen on."),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=64,
        help="Worker processes (several need PostgreSQL: SQLite has one writer).",
    ),
    log_level: str = typer.Option("info", "--log-level", help="Uvicorn's log level."),
) -> None:
    """Serve the record over HTTP: the API under /v1, its docs at /docs, the log as C2SP
    tlog-tiles. Each organisation signs its own entries; the server never holds their keys."""
    import copy

    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from corridor.app.settings import Settings

    settings = Settings.load(db, keys)
    if workers > 1 and settings.db.startswith("sqlite"):
        raise InputError(
            f"{workers} workers need PostgreSQL; an SQLite database has one writer", where="workers"
        )
    # Every worker process reads its settings from the environment, once (the factory).
    os.environ["CORRIDOR_DB"] = settings.db
    os.environ["CORRIDOR_KEYS"] = str(settings.keys)
    shown = "127.0.0.1" if host in {"0.0.0.0", ""} else host
    err_console.print(f"corridor: serving {settings.db} on http://{shown}:{port}/docs")
    # corridor's own loggers (e.g. corridor.witnesses: what each witness answered) print
    # beside Uvicorn's, at the same level
    log_config = copy.deepcopy(LOGGING_CONFIG)
    log_config["loggers"]["corridor"] = {
        "handlers": ["default"], "level": log_level.upper(), "propagate": False
    }
    uvicorn.run(
        "corridor.service.app:from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        log_config=log_config,
        proxy_headers=False,
    )
