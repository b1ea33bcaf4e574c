"""An import's summary for people: counts, where the quarantine is, the first rejected rows."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from corridor.ingest import ImportSummary

__all__ = ["SHOWN_REJECTED", "print_summary"]

SHOWN_REJECTED = 5
_ENCODING_NOTE = {
    "bom": "by its byte-order mark",
    "mapping": "as the mapping file says",
    "detected": "detected; if names look wrong, set encoding: in the mapping file",
}


def print_summary(s: ImportSummary, console: Console) -> None:
    """The summary for people: counts, where the quarantine is, the first rejected rows."""
    would = "would be " if s.dry_run else ""
    head = "Dry run of" if s.dry_run else "Imported"
    console.print(f"{head} [bold]{escape(s.file)}[/] with {escape(s.mapping)}")
    t = Table(box=None, show_header=False, padding=(0, 2, 0, 2))
    t.add_column(style="bold")
    t.add_column(justify="right")
    t.add_column(style="dim")
    t.add_row("rows", str(s.rows), "")
    t.add_row("accepted", str(s.accepted), f"{would}added to the log")
    if s.corrected or s.retracted:
        t.add_row("", "", f"of which {s.corrected} corrected, {s.retracted} retracted")
    t.add_row("duplicates", str(s.duplicates), "already in the record (unchanged)")
    t.add_row("skipped", str(s.skipped), "by the mapping (skip_if_empty, skip_if, skip_rows)")
    if s.stale:
        t.add_row("", "", f"of which {s.stale} stale: the record holds a later version")
    if s.quarantine:
        where = f"quarantined in {escape(s.quarantine)}"
    elif s.rejected and s.dry_run:
        where = "would be quarantined"
    else:
        where = ""
    t.add_row("rejected", str(s.rejected), where)
    if s.encoding:
        t.add_row("encoding", escape(s.encoding), _ENCODING_NOTE.get(s.encoding_source or "", ""))
    for kind, counts in s.entities.items():
        what = ", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n)
        changed = counts["added"] + counts["updated"]
        t.add_row(kind, str(changed), f"{would}added or updated ({what or 'none'})")
    for sheet in s.absent_sheets:
        t.add_row("absent", escape(sheet), "this table is not in the file: nothing read from it")
    console.print(t)
    if s.rejected:
        console.print("First rejected rows:")
        shown = s.first_rejected[:SHOWN_REJECTED]
        several = len({r.mapping for r in shown}) > 1
        for r in shown:
            by = f"  [dim](mapping {escape(r.mapping)})[/]" if several and r.mapping else ""
            console.print(f"  {escape(r.message)}{by}")
        if s.rejected > SHOWN_REJECTED:
            console.print(f"  … and {s.rejected - SHOWN_REJECTED} more")
        if s.quarantine:
            console.print(
                "Fix them in the quarantine file and import it again with the same mapping."
            )
    if s.dry_run:
        console.print("Dry run: nothing was written.")
    elif s.tree_size is not None:
        console.print(f"Log size: {s.tree_size}")
