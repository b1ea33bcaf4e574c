"""The review state rule (corridor.model.review): the latest current review statement about
the current version by an organisation other than its reporter; submitted without one.
SYNTHETIC data (tests/historykit.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from corridor.model import Observation, parse_observation
from corridor.model.history import resolve
from corridor.model.review import SUBMITTED, ReviewState, review_state
from historykit import SOURCE, crossing, retraction

STATES = ("submitted", "under_review", "accepted", "disputed")
ORGS = ("ngo-x", "ngo-y", "ngo-z")  # ngo-x reports; the others review


def review(
    about: str, status: str, *, by: str, n: int, supersedes: str | None = None
) -> Observation:
    d: dict[str, object] = {
        "type": "attestation",
        "observed": f"2024-02-02T{n % 24:02d}:{n // 24 % 60:02d}:00+00:00",
        "reporter": by,
        "sources": SOURCE,
        "body": {"about": about, "stance": "reviewed", "review": status, "reason": f"step {n}"},
    }
    if supersedes is not None:
        d["supersedes"] = {"id": supersedes, "reason": "review corrected"}
    return parse_observation(d)


def state_of(entries: list[Observation], fact: Observation) -> ReviewState:
    got = resolve(entries)
    a = got.attestations.get(fact.id)
    return review_state(fact.reporter, a.reviews if a else ())


def test_a_submission_without_review_is_submitted() -> None:
    """No review statement: the state is submitted, by nobody."""
    o = crossing(3)
    assert state_of([o], o) == ReviewState(SUBMITTED, None, None)


def test_the_reporter_does_not_review_itself() -> None:
    """The reporter's own statements stay on record but set no state."""
    o = crossing(3)
    own = review(o.id, "accepted", by="ngo-x", n=1)
    assert state_of([o, own], o).status == SUBMITTED
    other = review(o.id, "under_review", by="ngo-y", n=2)
    assert state_of([o, other, own], o) == ReviewState("under_review", "ngo-y", other.id, "step 2")


def test_a_retracted_statement_counts_no_more() -> None:
    """Retracting the latest statement falls back to the one before it."""
    o = crossing(3)
    a = review(o.id, "under_review", by="ngo-y", n=1)
    b = review(o.id, "accepted", by="ngo-z", n=2)
    r = retraction(b.id, reporter="ngo-z", n=3)
    assert state_of([o, a, b], o).status == "accepted"
    assert state_of([o, a, b, r], o).status == "under_review"


def test_a_corrected_observation_is_reviewed_anew() -> None:
    """A correction is a new version: it starts submitted."""
    o = crossing(3)
    a = review(o.id, "accepted", by="ngo-y", n=1)
    c = crossing(4, supersedes=o.id)
    assert state_of([o, a, c], c).status == SUBMITTED
    assert state_of([o, a, c], o).status == "accepted"  # the old version keeps its history


#: one step: (who states, which status, retract or correct the statement of step k instead)
steps = st.lists(
    st.tuples(
        st.sampled_from(ORGS),
        st.sampled_from(STATES),
        st.sampled_from(["state", "state", "state", "retract", "correct"]),
        st.integers(0, 30),
    ),
    min_size=0,
    max_size=16,
)


@given(steps)
def test_the_state_is_the_last_valid_statement(plan: list[tuple[str, str, str, int]]) -> None:
    """After any sequence of review statements (new ones, some retracted or corrected, some by
    the reporter), the state is that of the last valid one, as a plain reference model says."""
    o = crossing(3)
    entries: list[Observation] = [o]
    live: list[tuple[Observation, int]] = []  # current statements and the step they count at
    for n, (by, status, what, k) in enumerate(plan, 1):
        if what != "state" and live:
            target, _at = live[k % len(live)]
            if what == "retract":
                entries.append(retraction(target.id, reporter=target.reporter, n=n))
                live = [(s, i) for s, i in live if s.id != target.id]
            else:
                fixed = review(o.id, status, by=target.reporter, n=n, supersedes=target.id)
                entries.append(fixed)
                live = [(s, i) for s, i in live if s.id != target.id] + [(fixed, n)]
            continue
        s = review(o.id, status, by=by, n=n)
        entries.append(s)
        live.append((s, n))
    counted = sorted(
        ((i, s) for s, i in live if s.reporter != o.reporter), key=lambda x: x[0]
    )
    want = ReviewState()
    if counted:
        s = counted[-1][1]
        want = ReviewState(s.body.review, s.reporter, s.id, s.body.reason)  # type: ignore[union-attr]
    assert state_of(entries, o) == want
