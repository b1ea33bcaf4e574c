"""Commitments as code: a rule language, batch and online evaluation, verdicts with evidence.

Parse a rule file with :func:`parse_rules`, turn observations into :class:`Event` with
:func:`events_from`, and judge them with :func:`evaluate` (batch) or :class:`OnlineEvaluator`
(incremental). Pure core: no database, no command line, no file access.
"""

from corridor.errors import RuleError
from corridor.rules.checks import problems
from corridor.rules.evaluate import evaluate
from corridor.rules.events import Event, event_from, events_from, fact_key
from corridor.rules.language import (
    Absence,
    AnyOf,
    Commitment,
    Concurrent,
    Filter,
    Response,
    RuleSet,
    Sequence,
    Source,
    Standing,
    State,
    Step,
    Threshold,
    format_duration,
    parse_duration,
)
from corridor.rules.online import OnlineEvaluator
from corridor.rules.parse import parse_rules
from corridor.rules.verdict import (
    CommitmentResult,
    Instance,
    Verdict,
    results_to_json,
    with_attestations,
    worst,
)

__all__ = [
    "Absence",
    "AnyOf",
    "Commitment",
    "CommitmentResult",
    "Concurrent",
    "Event",
    "Filter",
    "Instance",
    "OnlineEvaluator",
    "Response",
    "RuleError",
    "RuleSet",
    "Sequence",
    "Source",
    "Standing",
    "State",
    "Step",
    "Threshold",
    "Verdict",
    "evaluate",
    "event_from",
    "events_from",
    "fact_key",
    "format_duration",
    "parse_duration",
    "parse_rules",
    "problems",
    "results_to_json",
    "with_attestations",
    "worst",
]
