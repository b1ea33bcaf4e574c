"""Commitments judged against the record: ``GET /v1/commitments?case=&at=&prove=&as_of=`` for
a built-in case's rules, ``POST /v1/commitments/check`` for rule files a client sends.

``items`` is what ``corridor check --json`` prints: per commitment its verdict (satisfied,
violated, undetermined, pending), counts and instances, each naming the observations it rests
on; with ``prove`` each evidence id becomes ``{"id": ..., <inclusion proof>}`` against the
latest signed checkpoint (``{"id": ...}`` alone, and listed in ``unproved``, when the entry is
beyond it). With ``as_of`` (the tree size of a signed checkpoint) the record is judged as it
stood then, ``at`` defaults to when that checkpoint was signed, proofs are against it, and the
answer's ``as_of`` names it, as ``corridor check --as-of`` does.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from corridor.app import Corridor, shapes
from corridor.app.commitments import CheckResult
from corridor.service.auth import published_figures
from corridor.service.deps import corridor_app
from corridor.service.errors import error_responses
from corridor.service.params import instant_or_basis

# published reads: anyone, unless the deployment makes reads token-only (CORRIDOR_PUBLIC_READS)
router = APIRouter(
    prefix="/v1",
    tags=["reads"],
    dependencies=[Depends(published_figures)],
    responses=error_responses(404),
)

#: The largest rule file a client may send, and how many in one request.
MAX_RULES_TEXT = 1 << 20
MAX_RULE_FILES = 16

AT = Query(None, description="Evaluation time, RFC 3339 with its offset [default: now; with "
           "as_of, when that checkpoint was signed].")  # fmt: skip
PROVE = Query(False, description="Attach an inclusion proof to each evidence entry.")
AS_OF_TEXT = "Judge the record as it stood at this tree size (a signed checkpoint's)."
AS_OF = Query(None, ge=0, le=2**63 - 1, description=AS_OF_TEXT)


def _answer(result: CheckResult) -> dict[str, Any]:
    return shapes.commitments(
        result.at, result.events, result.to_json(), result.unproved, result.basis
    )


@router.get("/commitments", summary="A built-in case's commitments, judged against the record")
def commitments(
    case: str = Query(..., description="A built-in case (GET /v1/cases), e.g. lachin-2023."),
    at: str | None = AT,
    prove: bool = PROVE,
    as_of: int | None = AS_OF,
    app: Corridor = Depends(corridor_app),
) -> dict[str, Any]:
    """The case's rules judged at ``at`` against the record, which must hold the case (404
    otherwise), and as of a signed checkpoint with ``as_of`` (404 for a size no checkpoint
    has). The same verdicts as ``corridor check --case NAME --db DB --json``."""
    loaded = app.cases.builtin(case)
    when = instant_or_basis(app, at, as_of)
    return _answer(
        app.commitments.check(
            list(loaded.rules), when, prove=prove, case=loaded, short_names=True, as_of=as_of
        )
    )


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        "rules.yaml", min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f-\x9f/\\]+$",
        description="The file's name, used in error positions (NAME:LINE:COLUMN).",
    )  # fmt: skip
    text: str = Field(..., max_length=MAX_RULES_TEXT, description="The rule file (YAML).")


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[RuleFile] = Field(..., min_length=1, max_length=MAX_RULE_FILES)
    case: str | None = Field(
        None, description="A built-in case the record must hold (as corridor check --case)."
    )
    at: str | None = Field(None, description="Evaluation time, RFC 3339 [default: now; with "
                           "as_of, when that checkpoint was signed].")  # fmt: skip
    prove: bool = False
    as_of: int | None = Field(None, ge=0, le=2**63 - 1, description=AS_OF_TEXT)


@router.post("/commitments/check", summary="Judge rule files a client sends against the record")
def check(body: CheckRequest, app: Corridor = Depends(corridor_app)) -> dict[str, Any]:
    """Rule files (the language of docs/rules.md) judged at ``at`` against the record; a bad
    rule is a 422 naming NAME:LINE:COLUMN. Nothing is written: a read that computes."""
    loaded = app.cases.builtin(body.case) if body.case is not None else None
    when = instant_or_basis(app, body.at, body.as_of)
    texts = [(r.name, r.text) for r in body.rules]
    return _answer(
        app.commitments.check_texts(
            texts, when, prove=body.prove, case=loaded, as_of=body.as_of
        )
    )
