"""Supply scenario runs: ``POST /v1/supply/runs`` (what ``corridor supply --json`` prints).

Bounded so that no request takes minutes: at most :data:`MAX_RUNS` Monte Carlo runs, and at
most :data:`MAX_CELLS` cells (runs × days × commodities, over every scenario of the request),
about a second of work on a 2-core machine. Only built-in scenarios run (a scenario name is
never read as a path on the server).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from corridor.app import Corridor, shapes
from corridor.app.supply import cells
from corridor.service.auth import published_figures
from corridor.service.deps import corridor_app
from corridor.service.errors import ApiError, error_responses

# published reads: anyone, unless the deployment makes reads token-only (CORRIDOR_PUBLIC_READS)
router = APIRouter(
    prefix="/v1",
    tags=["reads"],
    dependencies=[Depends(published_figures)],
    responses=error_responses(404),
)

MAX_RUNS = 10_000
MAX_CELLS = 50_000_000


class SupplyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    case: str = Field(..., description="A built-in case (GET /v1/cases), e.g. lachin-2023.")
    scenarios: list[str] = Field(
        default_factory=list, max_length=64,
        description="Built-in scenarios of the case, by name [default: all of them].",
    )  # fmt: skip
    runs: int = Field(1, ge=1, le=MAX_RUNS, description="1: one central run; more: Monte Carlo.")
    seed: int = Field(1, ge=0, le=2**63 - 1, description="Seed of the Monte Carlo draws.")
    from_: dt.date | None = Field(None, alias="from", description="Report from this day.")
    to: dt.date | None = Field(None, description="End the scenarios on this day (exclusive).")
    as_of: int | None = Field(
        None, ge=0, le=2**63 - 1,
        description="As-recorded scenarios read the record as it stood at this tree size (a "
        "signed checkpoint's); the answer's as_of names it.",
    )  # fmt: skip


@router.post("/supply/runs", summary="Run a case's supply scenarios (central or Monte Carlo)")
def run(body: SupplyRequest, app: Corridor = Depends(corridor_app)) -> dict[str, Any]:
    """Needs, stocks and shortfalls per commodity under the case's scenarios; as-recorded
    scenarios read the record's deliveries. Nothing is written; ``plot`` is always null."""
    app.cases.builtin(body.case)  # 404 for a case that is not built in, as for commitments
    loaded = app.supply.load(body.case, body.scenarios, body.from_, body.to, files=False)
    work = cells(loaded, body.runs)
    if work > MAX_CELLS:
        raise ApiError(
            422, f"runs: {body.runs} runs make {work:,} cells (runs × days × commodities), over "
            f"the limit of {MAX_CELLS:,} for one request; ask for fewer runs or scenarios",
            code="invalid-input", subject="runs",
        )  # fmt: skip
    basis = None if body.as_of is None else app.log.basis(body.as_of)  # 404 before any work
    result = app.supply.run(
        loaded, runs=body.runs, seed=body.seed, report_from=body.from_, as_of=body.as_of
    )
    return shapes.supply_result(body.case, body.runs, body.seed, result.results, result.skipped,
                                None, basis)  # fmt: skip
