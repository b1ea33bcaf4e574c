"""The review state of an observation, from the review statements made about it
(docs/review.md).

A review statement is an attestation of stance ``reviewed`` whose ``review`` is one of
``submitted``, ``under_review``, ``accepted``, ``disputed``. The **rule**: the review state of
the current version of an observation is the ``review`` of the latest current review statement
about that version (in log order) by a *reviewing organisation*, any organisation other than
the observation's reporter; with none, it is ``submitted``. So:

- every observation on the record is ``submitted`` until a reviewer says otherwise;
- the reporter's own review statements stay on the record but set nothing (nobody reviews their
  own report);
- a reviewer changes the state by a new statement (or by correcting its statement: the
  correction counts at its own place in the log); a retracted statement counts no more;
- a correction of the observation is a new version, reviewed anew: it starts ``submitted``
  (statements about the older version stay with it, in its history).

Pure: :func:`review_state` reads statements, nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from corridor.model.bodies import ReviewStatus
from corridor.model.history import Statement

__all__ = ["REVIEW_STATES", "SUBMITTED", "ReviewState", "review_state"]

REVIEW_STATES = tuple(s.value for s in ReviewStatus)
SUBMITTED = ReviewStatus.submitted.value


@dataclass(frozen=True)
class ReviewState:
    """Where an observation stands in review: its status, the reviewing organisation and the
    statement that set it (both None while it is a plain submission)."""

    status: str = SUBMITTED
    by: str | None = None
    id: str | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "by": self.by, "id": self.id, "reason": self.reason}


def review_state(reporter: str, statements: Iterable[Statement]) -> ReviewState:
    """The review state of an observation reported by ``reporter``, given the current review
    statements about it in log order (other statements are passed over)."""
    state = ReviewState()
    for s in statements:
        if s.stance != "reviewed" or s.review not in REVIEW_STATES or s.by == reporter:
            continue
        state = ReviewState(s.review, s.by, s.id, s.reason)
    return state
