"""Revisions a source makes to records corridor already holds: an edited record (the same id
in the source, a newer version, other content) or a deleted one (ACLED's deletions list).

corridor's log keeps everything, so a revision must become a new signed observation that names
the one it revises: a correction or a retraction (issue 10). Until those types exist, an import
finds revisions here and refuses them row by row, saying which observation each would revise
(:data:`NOT_YET`); nothing is recorded for them, and everything else imports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from corridor.model import Observation

__all__ = ["NOT_YET", "Recorded", "Revision", "find_deletions", "find_edits", "version_key"]

#: Why a revision is refused for now.
NOT_YET = (
    "recording it needs a {what} observation naming {old} (issue 10), which this corridor does "
    "not have yet; nothing was recorded for this row"
)


@dataclass(frozen=True)
class Recorded:
    """An observation on the record that a source id (``source.ref``) names."""

    id: str
    version: str | None


@dataclass(frozen=True)
class Revision:
    """A change the source made to a record corridor holds."""

    kind: Literal["edit", "deletion", "stale"]
    ref: str  # the record's id in the source (an ACLED event_id_cnty)
    revises: str  # the id of the observation on the record
    new: Observation | None = None  # an edit's new version
    old_version: str | None = None
    new_version: str | None = None

    @property
    def message(self) -> str:
        if self.kind == "stale":
            return (
                f"{self.ref}: version {self.new_version} is older than the record's "
                f"{self.old_version} (observation {self.revises[:12]}); skipped"
            )
        what = "correction" if self.kind == "edit" else "retraction"
        change = (
            f"edited (version {self.old_version} → {self.new_version})"
            if self.kind == "edit"
            else "deleted by the source"
        )
        return f"{self.ref} was {change}: " + NOT_YET.format(
            what=what, old=f"observation {self.revises[:12]}"
        )


def version_key(version: str | None) -> tuple[int, int | str]:
    """Versions compare as numbers when both are whole numbers (ACLED's Unix timestamps),
    else as text; a missing version is the oldest."""
    if version is None:
        return (0, 0)
    text = version.strip()
    return (1, int(text)) if text.isdigit() else (2, text)


def find_edits(
    observations: Iterable[Observation], recorded: Mapping[str, Recorded]
) -> dict[str, Revision]:
    """For each observation (by id) whose ``source.ref`` the record already holds with other
    content: an edit (newer or equal version) or a stale copy (older version)."""
    out: dict[str, Revision] = {}
    for obs in observations:
        src = obs.sources[0]
        if src.ref is None or src.ref not in recorded:
            continue
        old = recorded[src.ref]
        if old.id == obs.id:
            continue
        stale = version_key(src.version) < version_key(old.version)
        out[obs.id] = Revision(
            "stale" if stale else "edit", src.ref, old.id, obs, old.version, src.version
        )
    return out


def find_deletions(refs: Iterable[str], recorded: Mapping[str, Recorded]) -> list[Revision]:
    """The deletions among ``refs`` (ids the source deleted) that the record holds."""
    return [
        Revision("deletion", ref, recorded[ref].id, old_version=recorded[ref].version)
        for ref in refs
        if ref in recorded
    ]
