"""`corridor init`, `corridor case list`, `corridor case load`."""

import typer

from corridor.cli.context import DbOption, JsonOption, KeysOption, console, open_app, print_json

__all__ = ["register"]

case_app = typer.Typer(
    rich_markup_mode=None, help="Built-in cases and your own case files.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(case_app, name="case")

    @app.command("init")
    def init(
        origin: str | None = typer.Option(
            None,
            help="The log's origin line, e.g. 'monitor.example.org/corridor' "
            "[default: corridor.local/<database name>].",
        ),
        db: str | None = DbOption,
        keys: str | None = KeysOption,
    ) -> None:
        """Create (or upgrade) the database and the log's signing key."""
        with open_app(db, keys, create=True) as corridor:
            info = corridor.cases.init(origin)
            url = corridor.store.engine.url.render_as_string(hide_password=True)
        console.print(f"database ready: {url}")
        console.print(f"log origin: {info.origin}")
        console.print(f"log verifier key: {info.vkey}")
        if info.key_path is not None:
            console.print(f"log signing key: {info.key_path} (keep it private)")


@case_app.command("list")
def case_list(as_json: bool = JsonOption) -> None:
    """List the built-in cases."""
    with open_app(None) as corridor:
        cases = corridor.cases.list()
    if as_json:
        from corridor.app import shapes

        print_json(shapes.cases(cases))
        return
    from rich.table import Table

    t = Table()
    t.add_column("name")
    t.add_column("title")
    for k, v in cases.items():
        t.add_row(k, v)
    console.print(t)


@case_app.command("load")
def case_load(
    name: str = typer.Argument(
        ..., metavar="NAME|PATH", help="A built-in case name, or a case YAML file or folder."
    ),
    db: str | None = DbOption,
    keys: str | None = KeysOption,
    as_json: bool = JsonOption,
) -> None:
    """Load a case: organisations, places, routes, checkpoints and observations.

    Observations go through the log like any other (signed by their reporter; a built-in
    case's reporters sign with deterministic DEMO keys). Loading twice adds nothing.
    """
    from corridor.app import shapes

    with open_app(db, keys, create=True) as corridor:
        case = corridor.cases.read(name)
        result = corridor.cases.load(case)
    if as_json:
        print_json(shapes.case_loaded(case, result))
        return
    console.print(
        f"loaded {case.name}: {len(case.organisations)} organisations, {len(case.places)} places, "
        f"{len(case.routes)} routes, {len(case.checkpoints)} checkpoints; "
        f"{len(result.accepted)} observations added, {len(result.duplicates)} already present "
        f"(log size {result.tree_size})"
    )
