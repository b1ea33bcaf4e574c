"""`corridor review list|set`: the review queue (docs/review.md). Review states are signed
attestations of stance `reviewed`; the state of an observation is the latest one by an
organisation other than its reporter (`submitted` without one).

    corridor review list [--state S ...] [--type T] [--reporter ORG] [--checkpoint C]
                         [--from T --to T] [--as-of SIZE]
    corridor review set STATE --by ORG [the same filters] [--reason TEXT] [--dry-run]

Both work on a server's record with --server URL (set signs here, with the key folder's key of
the reviewing organisation).
"""

from typing import TYPE_CHECKING, Any

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
from corridor.cli.remote import ServerOption, TokenOption, connect, use_server
from corridor.errors import InputError

if TYPE_CHECKING:
    from corridor.app.review import BulkReview, QueueItem, ReviewFilter

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
    from corridor.app.shapes import review_item

    return _doc_row(review_item(i))


def _doc_row(d: dict[str, Any]) -> str:
    """One line of the queue, from an entry's JSON (``shapes.review_item``)."""
    r = d["review"]
    st = r["status"].replace("_", "-") + (f" by {r['by']}" if r["by"] else "")
    obs = d["observed"]
    start = obs["start"] if isinstance(obs, dict) else obs
    return f"{d['id'][:12]}  {start}  {d['type']:<12} {d['reporter']:<16} {st}"


StateOption = typer.Option([], "--state", help=f"Only entries in this state ({STATES}; repeat).")
TypeOption = typer.Option(None, "--type", help="Only this observation type.")
ReporterOption = typer.Option(None, "--reporter", help="Only this reporting organisation.")
CheckpointOption = typer.Option(None, "--checkpoint", help="Only this corridor checkpoint.")
FromOption = typer.Option(None, "--from", help="Period start (inclusive).")
ToOption = typer.Option(None, "--to", help="Period end (exclusive).")
TzOption = typer.Option(None, "--tz", help="Time zone for --from/--to without an offset.")


@review_app.command("list")
def review_list(
    ctx: typer.Context,
    state: list[str] = StateOption,
    type_: str | None = TypeOption,
    reporter: str | None = ReporterOption,
    checkpoint: str | None = CheckpointOption,
    since: str | None = FromOption,
    until: str | None = ToOption,
    tz: str | None = TzOption,
    as_of: int | None = AsOfOption,
    db: str | None = DbOption,
    server: str | None = ServerOption,
    token: str | None = TokenOption,
    as_json: bool = JsonOption,
) -> None:
    """List the review queue: the current observations matching the filters, oldest first,
    each with its review state (and who set it); of a server's record with --server."""
    f = _filter(state, type_, reporter, checkpoint, since, until, tz, as_of)
    from corridor.app.review import review_status
    from corridor.app.shapes import review_item

    if server := use_server(ctx, server, db):
        with connect(server, token) as api:
            doc = api.review(
                states=[review_status(s) for s in f.states], start=f.start, end=f.end,
                as_of=as_of, type=type_, reporter=reporter, checkpoint=checkpoint,
            )  # fmt: skip
        if as_json:
            print_json(doc)
            return
        if doc.get("as_of"):
            b = doc["as_of"]
            console.print(f"as of signed checkpoint {b['tree_size']} (root {b['root']}, signed "
                          f"{b['signed_at']})", highlight=False, markup=False)  # fmt: skip
        docs = doc["items"]
    else:
        with open_app(db) as app:
            items = app.review.queue(f)
            if as_json:
                basis = as_of_json(app, as_of)
                out = {"filter": f.to_json(), "items": [review_item(i) for i in items]}
                print_json(out if basis is None else {"as_of": basis, **out})
                return
            print_basis(app, as_of)
        docs = [review_item(i) for i in items]
    for d in docs:
        console.print(_doc_row(d), highlight=False, markup=False)
    console.print(f"{len(docs)} entr{'y' if len(docs) == 1 else 'ies'}", highlight=False)


@review_app.command("set")
def review_set(
    ctx: typer.Context,
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
    server: str | None = ServerOption,
    token: str | None = TokenOption,
    as_json: bool = JsonOption,
) -> None:
    """Put every entry of the queue matching the filters in review STATE: one signed
    attestation (stance reviewed) per entry, by the reviewing organisation's key, all written
    in one transaction or none.

    Entries already in STATE by that organisation are left alone; a set holding an
    observation the organisation reported is refused. With --server, the queue is the
    server's and the statements are signed here, with the key folder's key of --by, and sent
    in one submission (at most 1,000 entries: one request, one transaction).
    """
    f = _filter(state, type_, reporter, checkpoint, since, until, tz, None)
    if server := use_server(ctx, server, db):
        done = _set_remote(server, token, keys, new_state, f, by, reason, dry_run)
    else:
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
        + ("" if dry_run or done.tree_size is None else f"; log size {done.tree_size}"),
        highlight=False, markup=False,
    )  # fmt: skip


def _set_remote(
    server: str,
    token: str | None,
    keys: str | None,
    new_state: str,
    f: "ReviewFilter",
    by: str,
    reason: str | None,
    dry_run: bool,
) -> "BulkReview":
    """``review set`` on a server's record: the server's queue, the same plan as over a
    database (:func:`corridor.app.review.plan_bulk`), the statements signed with the local
    key of ``by`` and sent in one request (the server appends a request in one transaction)."""
    from corridor.app.review import QueueItem, bulk_statements, plan_bulk, review_status
    from corridor.cli.remote import local_keys, stored_of
    from corridor.client.api import BATCH_ENTRIES
    from corridor.model.review import ReviewState

    state = review_status(new_state)
    with connect(server, token) as api:
        doc = api.review(
            states=[review_status(s) for s in f.states], start=f.start, end=f.end,
            type=f.type, reporter=f.reporter, checkpoint=f.checkpoint,
        )  # fmt: skip
        items = doc["items"]  # each an observation's shape and its "review" state
        states = [ReviewState(**d["review"]) for d in items]
        bare = [{k: v for k, v in d.items() if k != "review"} for d in items]
        queue = [QueueItem(s, st) for s, st in zip(stored_of(bare), states, strict=True)]
        done = plan_bulk(queue, state, by, dry_run=dry_run)
        if len(done.items) > BATCH_ENTRIES:
            raise InputError(
                f"{len(done.items)} entries in one review over a server; at most "
                f"{BATCH_ENTRIES} (one request, written in one transaction or not at all): "
                "narrow the filter", where="filter",
            )  # fmt: skip
        if dry_run or not done.items:
            return done
        obs = api.parse(bulk_statements(done, reason))
        sent = api.record(obs, local_keys(keys))
        done.written = [o.id for o in obs]
        done.tree_size = sent.tree_size
    return done
