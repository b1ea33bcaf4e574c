"""`corridor correct`, `corridor retract`, `corridor attest`: new signed entries about an
observation already on the record (docs/record.md, Corrections, retractions and attestations).

    corridor correct ID --reason TEXT [--set FIELD=VALUE ...] [--observed T --end T] ...
    corridor retract ID --reason TEXT
    corridor attest ID --by ORG corroborates|disputes|reviewed [--figure F --field NAME ...]

The record keeps every version; views show the current one (``corridor show ID`` lists them).
"""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from corridor.cli.context import (
    DbOption,
    JsonOption,
    KeysOption,
    console,
    field_value,
    open_app,
    parse_time,
    print_json,
)
from corridor.errors import InputError

if TYPE_CHECKING:
    from corridor.app.history import Written

__all__ = ["register"]

STANCES = ("corroborates", "disputes", "reviewed")
REVIEWS = ("submitted", "under-review", "accepted", "disputed")


def _report(kind: str, w: "Written", target: str | None, as_json: bool) -> None:
    if as_json:
        from corridor.app.shapes import append_result

        print_json({"id": w.observation.id, **append_result(w.result)})
        return
    about = f" of {target}" if target else ""
    if w.result.accepted:
        console.print(f"recorded {kind} {w.observation.id}{about} (log size {w.result.tree_size})")
    else:
        console.print(f"already recorded: {w.observation.id} (nothing written)")


def _read_json(file: Path) -> dict[str, Any]:
    import json  # here, not at the top: every command's start-up would pay for it

    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text("utf-8")
        data = json.loads(text)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=str(file)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg} at line {exc.lineno}", where=str(file)) from None
    if not isinstance(data, dict):
        raise InputError("the corrected observation must be one JSON object", where=str(file))
    return data


def register(app: typer.Typer) -> None:
    @app.command("correct")
    def correct(
        id_: str = typer.Argument(
            ..., metavar="ID", help="The observation's current version (id or 6+ characters)."
        ),
        reason: str = typer.Option(..., "--reason", help="Why it is corrected (kept on record)."),
        set_: list[str] = typer.Option(
            [], "--set", "-s",
            help="A body field to change, FIELD=VALUE (repeat); values parse as JSON where they "
            "can, null removes the field.",
        ),
        observed: str | None = typer.Option(None, help="Corrected time observed (ISO 8601)."),
        end: str | None = typer.Option(None, help="Corrected end of the observed period."),
        tz: str | None = typer.Option(None, help="Time zone for times written without an offset."),
        source: str | None = typer.Option(None, help="Replace the sources with this title."),
        source_url: str | None = typer.Option(None, help="URL of that source."),
        caveat: list[str] = typer.Option([], "--caveat", help="Replace the caveats (repeat)."),
        note: str | None = typer.Option(None, help="Replace the note."),
        file: Path | None = typer.Option(
            None, "--file", "-f",
            help="The corrected observation in full, as JSON (instead of changes; '-' is stdin).",
        ),
        by: str | None = typer.Option(
            None, "--by", help="Organisation signing it [default: the observation's reporter, "
            "the only one the record accepts]."
        ),
        db: str | None = DbOption,
        keys: str | None = KeysOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Correct an observation: a new signed version that supersedes it, with a reason.

        Only the observation's reporter may correct it; a correction keeps its type. The
        record keeps both versions; every view counts the new one.
        """
        body: dict[str, Any] = {}
        for kv in set_:
            if "=" not in kv:
                raise InputError(f"{kv!r} is not FIELD=VALUE", where="--set")
            k, v = kv.split("=", 1)
            body[k.strip()] = field_value(v.strip())
        replacement = _read_json(file) if file is not None else None
        if replacement is not None and (body or observed or source or caveat or note):
            raise InputError("give the corrected observation in full (--file) or the changes "
                             "(--set, --observed, ...), not both", where="--file")
        period: dict[str, Any] | None = None
        if observed is not None:
            period = {"start": parse_time(observed, tz, "--observed")}
            if end is not None:
                period["end"] = parse_time(end, tz, "--end")
        elif end is not None:
            raise InputError("give --observed with --end (the corrected period)", where="--end")
        sources = None
        if source is not None:
            sources = [{"title": source, **({"url": source_url} if source_url else {})}]
        with open_app(db, keys) as corridor:
            w = corridor.history.correct(
                id_, reason=reason, body=body or None, observed=period, sources=sources,
                caveats=caveat or None, note=note, by=by, replacement=replacement,
            )
            target = w.observation.supersedes.id if w.observation.supersedes else None
        _report("correction", w, target, as_json)

    @app.command("retract")
    def retract(
        id_: str = typer.Argument(
            ..., metavar="ID", help="The observation's current version (id or 6+ characters)."
        ),
        reason: str = typer.Option(..., "--reason", help="Why it is withdrawn (kept on record)."),
        at: str | None = typer.Option(None, "--at", help="When it is withdrawn [default: now]."),
        tz: str | None = typer.Option(None, help="Time zone for --at without an offset."),
        source: str | None = typer.Option(None, help="Source title of the retraction."),
        source_url: str | None = typer.Option(None, help="URL of that source."),
        by: str | None = typer.Option(
            None, "--by", help="Organisation signing it [default: the observation's reporter, "
            "the only one the record accepts]."
        ),
        db: str | None = DbOption,
        keys: str | None = KeysOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Retract an observation: a signed statement by its reporter that withdraws it.

        The record keeps it; no view, rule or scenario counts it any more. A retraction is
        final.
        """
        with open_app(db, keys) as corridor:
            w = corridor.history.retract(
                id_, reason=reason, at=parse_time(at, tz, "--at"), source=source,
                source_url=source_url, by=by,
            )
        body = w.observation.body
        _report("retraction", w, getattr(body, "retracts", None), as_json)

    @app.command("attest")
    def attest(
        id_: str = typer.Argument(
            ..., metavar="ID", help="The observation (id or 6+ characters)."
        ),
        stance: str = typer.Argument(..., metavar="STANCE", help=" | ".join(STANCES) + "."),
        by: str = typer.Option(..., "--by", help="The attesting organisation (it signs)."),
        figure: float | None = typer.Option(
            None, "--figure", help="disputes: the organisation's own figure."
        ),
        field: str | None = typer.Option(
            None, "--field", help="The body field the statement is about (e.g. count, "
            "vehicles; cargo for a convoy's tonnage)."
        ),
        reason: str | None = typer.Option(None, "--reason", help="Why (a dispute needs a figure "
                                          "or a reason)."),
        review: str | None = typer.Option(
            None, "--review", help="reviewed: " + " | ".join(REVIEWS) + "."
        ),
        at: str | None = typer.Option(None, "--at", help="When it was stated [default: now]."),
        tz: str | None = typer.Option(None, help="Time zone for --at without an offset."),
        source: str | None = typer.Option(None, help="Source title of the statement."),
        source_url: str | None = typer.Option(None, help="URL of that source."),
        db: str | None = DbOption,
        keys: str | None = KeysOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Attest an observation of another organisation: it corroborates it (saw the same),
        disputes it (with its own figure or a reason), or gives the status of a review.

        Signed by the attesting organisation; `evidence: corroborated` rules count a
        corroboration as a second organisation behind the fact.
        """
        if stance not in STANCES:
            raise InputError(f"{stance!r} is not one of {', '.join(STANCES)}", where="STANCE")
        if review is not None and review not in REVIEWS:
            raise InputError(f"{review!r} is not one of {', '.join(REVIEWS)}", where="--review")
        with open_app(db, keys) as corridor:
            w = corridor.history.attest(
                id_, by=by, stance=stance, field=field, figure=figure, reason=reason,
                review=review, at=parse_time(at, tz, "--at"), source=source,
                source_url=source_url,
            )
        _report("attestation", w, getattr(w.observation.body, "about", None), as_json)
