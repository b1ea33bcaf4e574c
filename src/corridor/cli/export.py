"""`corridor export OUT`: any filtered view of the record as CSV, XLSX, HXL, GeoJSON, JSON,
NDJSON or a redacted SQLite database; streamed, no row cap."""

from pathlib import Path

import typer

from corridor.cli.context import DbOption, JsonOption, err_console, open_app, parse_time, print_json
from corridor.errors import InputError

__all__ = ["register"]

FORMATS = ("csv", "xlsx", "hxl", "geojson", "json", "ndjson", "sqlite")
BODY_TYPES = ("crossing", "route_status", "convoy", "incident", "deployment", "population", "claim")
_BY_SUFFIX = {
    ".csv": "csv", ".xlsx": "xlsx", ".hxl": "hxl", ".geojson": "geojson", ".json": "json",
    ".ndjson": "ndjson", ".jsonl": "ndjson", ".db": "sqlite", ".sqlite": "sqlite",
    ".sqlite3": "sqlite",
}  # fmt: skip


def _format(out: str, given: str | None) -> str:
    if given is not None:
        if given not in FORMATS:
            raise InputError(
                f"unknown format {given!r}; expected one of {', '.join(FORMATS)}", where="--format"
            )
        return given
    name = out.lower()
    if name.endswith(".hxl.csv"):
        return "hxl"
    found = _BY_SUFFIX.get(Path(name).suffix)
    if found is None:
        raise InputError(
            f"cannot tell the format from {out!r}; give --format ({', '.join(FORMATS)})",
            where="OUT",
        )
    return found


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export(
        out: str = typer.Argument(
            ..., metavar="OUT", help="File to write, or '-' for standard output (text formats)."
        ),
        format_: str | None = typer.Option(
            None, "--format", "-f",
            help=f"One of {', '.join(FORMATS)} [default: from OUT's extension].",
        ),
        type_: str | None = typer.Option(None, "--type", help="Only this observation type."),
        since: str | None = typer.Option(None, "--from", help="Period start (inclusive)."),
        until: str | None = typer.Option(None, "--to", help="Period end (exclusive)."),
        tz: str | None = typer.Option(None, help="Time zone for --from/--to without an offset."),
        route: str | None = typer.Option(None, help="Only this route."),
        checkpoint: str | None = typer.Option(None, help="Only this checkpoint."),
        direction: str | None = typer.Option(None, help="inbound or outbound."),
        category: str | None = typer.Option(None, help="persons, vehicles or cargo."),
        reporter: str | None = typer.Option(None, help="Only this reporting organisation."),
        place: str | None = typer.Option(None, help="Only this place."),
        hashtags: bool | None = typer.Option(
            None, "--hashtags/--no-hashtags",
            help="An HXL hashtag row under the header (csv, xlsx, hxl) [default: hxl only].",
        ),
        layer: str = typer.Option(
            "observations", "--layer",
            help="GeoJSON: observations (of the view), checkpoints, routes or places.",
        ),
        as_of: int | None = typer.Option(
            None, "--as-of", metavar="SIZE", min=0,
            help="The record as it stood at the signed checkpoint of this tree size: the same "
            "bytes every time.",
        ),
        release: int | None = typer.Option(
            None, "--release", metavar="N", min=1,
            help="The record as of release N (corridor release list): the same bytes every time.",
        ),
        force: bool = typer.Option(False, "--force", help="Replace OUT if it exists."),
        db: str | None = DbOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Export a filtered view of the record (the filters of `corridor list`), streamed.

        Only public content is written: personal values (a driver's name) never are.
        What is exported imports again, with no mapping, to the same observations. As of a
        release (or a signed tree size) the export is reproducible: byte for byte the same
        however the record grows after it.
        """
        if as_of is not None and release is not None:
            raise InputError("give --release or --as-of, not both", where="--release")
        fmt = _format(out, format_)
        if type_ is not None and type_ not in BODY_TYPES:
            raise InputError(
                f"unknown type {type_!r}; expected one of {', '.join(BODY_TYPES)}", where="--type"
            )
        from corridor.store.api import Query

        q = Query(
            type=type_,
            start=parse_time(since, tz, "--from"),
            end=parse_time(until, tz, "--to"),
            route=route,
            checkpoint=checkpoint,
            direction=direction,
            category=category,
            reporter=reporter,
            place=place,
        )
        target = None if out == "-" else Path(out)
        with open_app(db) as app:
            if release is not None:
                as_of = app.releases.size_of(release)
            if as_of is not None:
                from dataclasses import replace

                q = replace(q, as_of=as_of)
            result = app.exports.write(fmt, target, q, hashtags=hashtags, layer=layer, force=force)
        if as_json and target is not None:
            print_json(result.to_json())
        elif target is not None:
            err_console.print(f"exported {result.count} {result.layer} to {target} ({fmt})")
