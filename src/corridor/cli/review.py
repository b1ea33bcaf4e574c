"""`corridor review list|set`: the review queue (docs/review.md). Review states are signed
attestations of stance `reviewed`; the state of an observation is the latest one by an
organisation other than its reporter (`submitted` without one).

    corridor review list [--state S ...] [--type T] [--reporter ORG] [--checkpoint C]
                         [--from T --to T] [--as-of SIZE]
    corridor review set STATE --by ORG [the same filters] [--reason TEXT] [--dry-run]
"""

from typing import TYPE_CHECKING

import typer

from corridor.cli.context import (
    AsOfOption,
    DbOption,
    JsonOption,
    KeysOption,
    as_of_json,
    console,
    open_app,
    parse_time,
    print_basis,
    print_json,
)

if TYPE_CHECKING:
    from corridor.app.review import QueueItem, ReviewFilter

__all__ = ["register"]

STATES = "submitted | under-review | accepted | disputed"

review_app = typer.Typer(
    rich_markup_mode=None,
    help="The review queue: review states of observations, and bulk review actions.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")


def _filter(
    states: list[str], type_: str | None, reporter: str | None, checkpoint: str | None,
    since: str | None, until: str | None, tz: str | None, as_of: int | None,
) -> "ReviewFilter":  # fmt: skip
    from corridor.app.review import ReviewFilter

    return ReviewFilter(
        states=tuple(states), type=type_, reporter=reporter, checkpoint=checkpoint,
        start=parse_time(since, tz, "--from"), end=parse_time(until, tz, "--to"), as_of=as_of,
    )  # fmt: skip


def _row(i: "QueueItem") -> str:
    o = i.stored.observation
    st = i.state.status.replace("_", "-") + (f" by {i.state.by}" if i.state.by else "")
    return f"{i.stored.id[:12]}  {o.observed.start.isoformat()}  {o.type:<12} {o.reporter:<16} {st}"


StateOption = typer.Option([], "--state", help=f"Only entries in this state ({STATES}; repeat).")
TypeOption = typer.Option(None, "--type", help="Only this observation type.")
ReporterOption = typer.Option(None, "--reporter", help="Only this reporting organisation.")
CheckpointOption = typer.Option(None, "--checkpoint", help="Only this corridor checkpoint.")
FromOption = typer.Option(None, "--from", help="Period start (inclusive).")
ToOption = typer.Option(None, "--to", help="Period end (exclusive).")
TzOption = typer.Option(None, "--tz", help="Time zone for --from/--to without an offset.")


@review_app.command("list")
def review_list(
    state: list[str] = StateOption,
    type_: str | None = TypeOption,
    reporter: str | None = ReporterOption,
    checkpoint: str | None = CheckpointOption,
    since: str | None = FromOption,
    until: str | None = ToOption,
    tz: str | None = TzOption,
    as_of: int | None = AsOfOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """List the review queue: the current observations matching the filters, oldest first,
    each with its review state (and who set it)."""
    f = _filter(state, type_, reporter, checkpoint, since, until, tz, as_of)
    from corridor.app.shapes import review_item

    with open_app(db) as app:
        items = app.review.queue(f)
        if as_json:
            basis = as_of_json(app, as_of)
            doc = {"filter": f.to_json(), "items": [review_item(i) for i in items]}
            print_json(doc if basis is None else {"as_of": basis, **doc})
            return
        print_basis(app, as_of)
    for i in items:
        console.print(_row(i), highlight=False, markup=False)
    console.print(f"{len(items)} entr{'y' if len(items) == 1 else 'ies'}", highlight=False)


@review_app.command("set")
def review_set(
    new_state: str = typer.Argument(..., metavar="STATE", help=STATES + "."),
    by: str = typer.Option(..., "--by", help="The reviewing organisation (it signs)."),
    reason: str | None = typer.Option(None, "--reason", help="Why (kept on every statement)."),
    state: list[str] = StateOption,
    type_: str | None = TypeOption,
    reporter: str | None = ReporterOption,
    checkpoint: str | None = CheckpointOption,
    since: str | None = FromOption,
    until: str | None = ToOption,
    tz: str | None = TzOption,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Say which entries it would review; sign and write nothing."
    ),
    db: str | None = DbOption,
    keys: str | None = KeysOption,
    as_json: bool = JsonOption,
) -> None:
    """Put every entry of the queue matching the filters in review STATE: one signed
    attestation (stance reviewed) per entry, by the reviewing organisation's key, all written
    in one transaction or none.

    Entries already in STATE by that organisation are left alone; a set holding an
    observation the organisation reported is refused.
    """
    f = _filter(state, type_, reporter, checkpoint, since, until, tz, None)
    with open_app(db, keys) as app:
        done = app.review.set(new_state, f, by=by, reason=reason, dry_run=dry_run)
    if as_json:
        print_json(done.to_json())
        return
    verb = "would put" if dry_run else "put"
    label = done.state.replace("_", "-")
    for i in done.items:
        console.print(_row(i), highlight=False, markup=False)
    console.print(
        f"{verb} {len(done.items)} entr{'y' if len(done.items) == 1 else 'ies'} in review "
        f"state {label} by {by}" + (f" ({len(done.unchanged)} already were)" if done.unchanged
                                    else "")
        + ("" if dry_run or done.result is None else f"; log size {done.result.tree_size}"),
        highlight=False, markup=False,
    )  # fmt: skip
