"""`corridor token`: API tokens for the HTTP service (made, listed, revoked locally)."""

import typer

from corridor.cli.context import DbOption, JsonOption, console, err_console, open_app, print_json

__all__ = ["register"]

token_app = typer.Typer(
    rich_markup_mode=None, help="API tokens for the HTTP service.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    org: str | None = typer.Argument(
        None, help="Its organisation (a reporter's); omit it, or give -, for an admin token."
    ),
    role: str = typer.Option(
        "reporter", "--role", help="admin, reporter, reader or witness."
    ),
    expires_days: int = typer.Option(
        90, "--expires-days", min=0, max=3650, help="Days until it expires (0: never)."
    ),
    label: str | None = typer.Option(None, "--label", help="What it is for, shown in lists."),
    scope: list[str] = typer.Option(
        [], "--scope", help="Narrow it to these scopes (repeat; default: all of its role's)."
    ),
    db: str | None = DbOption,
) -> None:
    """Make an API token. The token is printed once, on stdout; the record keeps only its
    SHA-256 hash, and lists it by its id."""
    with open_app(db) as app:
        token, shape = app.access.create_token(
            None if org in (None, "-") else org,
            role,
            expires_days=expires_days or None,
            label=label,
            scopes=scope or None,
        )
    print(token, flush=True)
    expires = shape["expires_at"] or "never"
    err_console.print(
        f"token {shape['id']} ({shape['role']}{', ' + shape['org'] if shape['org'] else ''}; "
        f"expires {expires}): shown this once, store it now"
    )


@token_app.command("list")
def token_list(db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """List tokens by id (never the tokens themselves)."""
    with open_app(db) as app:
        rows = app.access.tokens()
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    t = Table()
    t.add_column("id", no_wrap=True)
    for c in ("org", "role", "label", "expires", "last used", "state"):
        t.add_column(c, overflow="fold")
    for r in rows:
        state = "revoked " + r["revoked_at"] if r["revoked_at"] else "active"
        t.add_row(r["id"], r["org"] or "", r["role"], r["label"] or "",
                  r["expires_at"] or "never", r["last_used_at"] or "", state)  # fmt: skip
    console.print(t)


@token_app.command("revoke")
def token_revoke(
    token_id: str = typer.Argument(..., metavar="ID", help="The token's id."),
    db: str | None = DbOption,
) -> None:
    """Revoke a token, at once."""
    with open_app(db) as app:
        shape = app.access.revoke(token_id)
    console.print(f"revoked {shape['id']} at {shape['revoked_at']}")
