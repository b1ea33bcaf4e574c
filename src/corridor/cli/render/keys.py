"""Registered keys as plain aligned text: one key per line, never folded (a verifier key split
over two lines cannot be copied), and without Rich, so that ``corridor keys list`` starts fast."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["keys_table"]

DEMO_NOTE = "DEMO key (public seed)"


def keys_table(rows: Sequence[tuple[str, str, bool]]) -> str:
    """(organisation, verifier key, demo) rows as columns separated by two spaces."""
    if not rows:
        return "no keys registered\n"
    header = ("organisation", "verifier key", "note")
    lines = [header, *((o, v, DEMO_NOTE if d else "") for o, v, d in rows)]
    w0 = max(len(r[0]) for r in lines)
    w1 = max(len(r[1]) for r in lines)
    out = [f"{o:<{w0}}  {v:<{w1}}  {n}".rstrip() for o, v, n in lines]
    return "\n".join(out) + "\n"
