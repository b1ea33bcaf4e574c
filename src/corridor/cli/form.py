"""`corridor form xlsform OUT.xlsx`: the form checkpoint monitors fill in on their phones."""

from pathlib import Path

import typer

from corridor.cli.context import DbOption, err_console, open_app

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Forms for field collection (KoBoToolbox, ODK).", no_args_is_help=True
    )
    app.add_typer(group, name="form")

    @group.command("xlsform")
    def xlsform(
        out: Path = typer.Argument(..., metavar="OUT", help="The XLSX file to write."),
        reporter: str | None = typer.Option(
            None, "--reporter", help="The monitoring organisation whose monitors fill it in."
        ),
        version: str | None = typer.Option(
            None, "--version", help="The form's version [default: today's date and time]."
        ),
        force: bool = typer.Option(False, "--force", help="Replace OUT if it exists."),
        db: str | None = DbOption,
    ) -> None:
        """Write an XLSForm for checkpoint monitors: crossings per direction and category
        (zero included), convoys seen, route status, incidents, a GPS point.

        Its checkpoint list is the record's. Import the submissions with
        `corridor import FILE --preset checkpoint-form`.
        """
        with open_app(db) as app:
            n = app.exports.xlsform(out, reporter=reporter, version=version, force=force)
        err_console.print(f"wrote {out}: an XLSForm listing {n} checkpoints")
