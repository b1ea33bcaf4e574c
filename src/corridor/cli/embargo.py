"""`corridor seal`, `corridor reveal`, `corridor sealed`: embargoed observations
(docs/embargo.md).

    corridor seal OBSERVATION.json --secret seal.secret.json [--grain day|month|year]
    corridor reveal SEALED_ID --secret seal.secret.json
    corridor sealed

Sealing logs only a salted commitment; the salt and the observation go to the secret file
(mode 0600), which the organisation keeps. The reveal is checked against the commitment.
seal and reveal work on a server's record with --server URL (signed here, with the key
folder's key of the reporter).
"""

import os
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
from corridor.cli.remote import ServerOption, TokenOption, connect, local_keys, use_server
from corridor.errors import InputError

if TYPE_CHECKING:
    from corridor.app.embargo import Record
    from corridor.client import Client

__all__ = ["register"]

GRAINS = ("day", "month", "year")


def _read_json(file: Path, what: str) -> dict[str, Any]:
    import json  # here, not at the top: every command's start-up would pay for it

    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text("utf-8")
        data = json.loads(text)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=str(file)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg} at line {exc.lineno}", where=str(file)) from None
    if not isinstance(data, dict):
        raise InputError(f"{what} must be one JSON object", where=str(file))
    return data


def _from_options(
    type_: str | None, reporter: str | None, observed: str | None, end: str | None,
    tz: str | None, set_: list[str], title: str | None,
) -> dict[str, Any]:  # fmt: skip
    for value, option in ((type_, "--type"), (reporter, "--reporter"), (observed, "--observed")):
        if value is None:
            raise InputError("give FILE, or the observation's --type, --reporter and "
                             "--observed", where=option)  # fmt: skip
    start = parse_time(observed, tz, "--observed")
    assert start is not None
    period: dict[str, Any] = {"start": start.isoformat()}
    stop = parse_time(end, tz, "--end")
    if stop is not None:
        period["end"] = stop.isoformat()
    body: dict[str, Any] = {}
    for kv in set_:
        if "=" not in kv:
            raise InputError(f"{kv!r} is not FIELD=VALUE", where="--set")
        k, v = kv.split("=", 1)
        body[k.strip()] = field_value(v.strip())
    return {
        "type": type_, "reporter": reporter, "observed": period,
        "sources": [{"title": title or f"report by {reporter}"}], "body": body,
    }  # fmt: skip


def _keeper(path: Path) -> Any:
    """Write the secret to ``path``, created new with mode 0600 (never over another file)."""

    def keep(secret: dict[str, Any]) -> None:
        import json

        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise InputError("exists; not replacing a seal's secret", where=str(path)) from None
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror}", where=str(path)) from None
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(secret, f, ensure_ascii=False, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())

    return keep


def _through(api: "Client", keys: str | None) -> "Record":
    """Appending through a server: each observation signed here with its reporter's key from
    the key folder, then submitted."""
    from corridor.store.api import AppendResult

    def record(observations: list[Any]) -> AppendResult:
        sent = api.record(observations, local_keys(keys))
        return AppendResult(sent.accepted, sent.duplicates, sent.tree_size)

    return record


def register(app: typer.Typer) -> None:
    @app.command("seal")
    def seal(
        ctx: typer.Context,
        file: Path | None = typer.Argument(
            None,
            metavar="[FILE]",
            help="The observation to seal, as JSON ('-' is stdin); or "
            "give it with --type, --reporter, --observed and --set.",
        ),
        type_: str | None = typer.Option(None, "--type", help="Its type (without FILE)."),
        reporter: str | None = typer.Option(None, "--reporter", help="Its reporter, who signs."),
        observed: str | None = typer.Option(None, "--observed", help="When (ISO 8601)."),
        end: str | None = typer.Option(None, "--end", help="End of the observed period."),
        tz: str | None = typer.Option(None, "--tz", help="Zone for times without an offset."),
        set_: list[str] = typer.Option(
            [], "--set", "-s", help="A body field, FIELD=VALUE (repeat; JSON values parse)."
        ),
        title: str | None = typer.Option(
            None, "--source-title", help="The hidden observation's source (without FILE)."
        ),
        secret: Path = typer.Option(
            ...,
            "--secret",
            help="Where to write the secret (salt and observation; mode 0600). "
            "Keep it: without it the observation cannot be revealed.",
        ),
        grain: str = typer.Option(
            "day",
            "--grain",
            help="How coarsely the sealed entry discloses when: " + " | ".join(GRAINS) + ".",
        ),
        hide_type: bool = typer.Option(
            False, "--hide-type", help="Do not disclose the observation's type either."
        ),
        source: str | None = typer.Option(
            None, help="Source title of the sealed entry [default: 'sealed by ORG']."
        ),
        db: str | None = DbOption,
        keys: str | None = KeysOption,
        server: str | None = ServerOption,
        token: str | None = TokenOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Seal an observation: log only a salted commitment to it, signed by its reporter.

        The record shows "sealed by ORG at T" and counts it nowhere until it is revealed. The
        salt (32 random bytes) and the observation go to the secret file, readable by you only.
        """
        if grain not in GRAINS:
            raise InputError(f"{grain!r} is not one of {', '.join(GRAINS)}", where="--grain")
        given = any(x is not None for x in (type_, reporter, observed, end, title)) or set_
        if file is not None and given:
            raise InputError("give the observation as FILE or as options, not both",
                             where="FILE")  # fmt: skip
        if file is not None:
            data = _read_json(file, "the observation")
        else:
            data = _from_options(type_, reporter, observed, end, tz, set_, title)
        how = {"keep": _keeper(secret), "grain": grain, "disclose_type": not hide_type,
               "source": source}  # fmt: skip
        if server := use_server(ctx, server, db):
            from corridor.app import embargo

            with connect(server, token) as api:
                s = embargo.seal(data, parse=api.parse, record=_through(api, keys), **how)
        else:
            with open_app(db, keys) as corridor:
                s = corridor.embargo.seal(data, **how)
        if as_json:
            from corridor.app.shapes import append_result

            print_json({"id": s.id, "secret": str(secret), **append_result(s.written.result)})
            return
        o = s.written.observation
        if s.written.result.accepted:
            console.print(
                f"sealed {s.id} by {o.reporter} (log size {s.written.result.tree_size}); "
                f"secret in {secret} (mode 0600): keep it to reveal the observation"
            )
        else:
            console.print(f"already recorded: {s.id} (nothing written)")

    @app.command("reveal")
    def reveal(
        ctx: typer.Context,
        sealed_id: str = typer.Argument(
            ..., metavar="SEALED_ID", help="The sealed entry (id or 6+ characters)."
        ),
        secret: Path = typer.Option(..., "--secret", help="The secret file `corridor seal` wrote."),
        db: str | None = DbOption,
        keys: str | None = KeysOption,
        server: str | None = ServerOption,
        token: str | None = TokenOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Reveal a sealed observation: log it, signed by the organisation that sealed it.

        The record refuses a reveal that does not match the commitment exactly (salt and
        observation), by another organisation, or of an entry already revealed. Once revealed,
        the observation counts in every view at its own observed time.
        """
        data = _read_json(secret, "the secret")
        if server := use_server(ctx, server, db):
            from corridor.app import embargo
            from corridor.cli.remote import stored_of

            embargo.secret_parts(data)  # a bad secret is refused before the entry is asked for
            with connect(server, token) as api:
                doc = api.observation(sealed_id)  # the id a prefix names, with its proof
                (target,) = stored_of([{k: v for k, v in doc.items() if k != "proof"}])
                w = embargo.reveal(target, data, parse=api.parse, record=_through(api, keys))
        else:
            with open_app(db, keys) as corridor:
                w = corridor.embargo.reveal(sealed_id, data)
        if as_json:
            from corridor.app.shapes import append_result

            print_json({"id": w.observation.id, **append_result(w.result)})
            return
        sealed = w.observation.reveals.sealed if w.observation.reveals else sealed_id
        if w.result.accepted:
            console.print(
                f"revealed {w.observation.id} (sealed {sealed}; log size {w.result.tree_size})"
            )
        else:
            console.print(f"already recorded: {w.observation.id} (nothing written)")

    @app.command("sealed")
    def sealed(
        as_of: int | None = typer.Option(None, "--as-of", help="As of this tree size."),
        db: str | None = DbOption,
        as_json: bool = JsonOption,
    ) -> None:
        """List the sealed entries not revealed yet: who sealed what kind, and roughly when."""
        from corridor.app.shapes import observation

        with open_app(db) as corridor:
            rows = corridor.embargo.sealed(as_of=as_of)
            if as_json:
                print_json([observation(s) for s in rows])
                return
        if not rows:
            console.print("no sealed entries awaiting a reveal")
        for s in rows:
            o = s.observation
            what = getattr(o.body, "hides", None)
            when = o.start.isoformat(timespec="minutes")
            if o.end is not None:
                when += f" → {o.end.isoformat(timespec='minutes')}"
            kind = f" a {what}" if what else ""
            console.print(f"{s.id[:12]}  sealed{kind} by {o.reporter} at {when}: not revealed")
