"""Situation reports: ``GET /v1/reports/situation?at=&as_of=&format=html|pdf`` (what
``corridor report`` writes), a public read.

The report is computed as of one signed checkpoint (``as_of``, or the latest) and names it;
the same ``at`` and ``as_of`` give the same HTML bytes. ``case`` is a built-in case's name
only (a server never reads a path on a client's behalf).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from corridor.app import Corridor
from corridor.errors import InputError
from corridor.service.auth import published_figures
from corridor.service.deps import corridor_app
from corridor.service.errors import ApiError, error_responses
from corridor.service.params import instant

# published reads: anyone, unless the deployment makes reads token-only (CORRIDOR_PUBLIC_READS)
router = APIRouter(
    prefix="/v1",
    tags=["reads"],
    dependencies=[Depends(published_figures)],
    responses=error_responses(404),
)

#: The most Monte Carlo runs of the scenarios one request may ask for.
MAX_RUNS = 1000


@router.get(
    "/reports/situation",
    summary="A situation report (HTML or PDF) at an instant, as of a signed checkpoint",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
def situation_report(
    at: str | None = Query(
        None, description="The instant, RFC 3339 with its offset (the offset is the chart's "
        "days' zone unless `tz` is given) [default: when the checkpoint was signed]."
    ),
    as_of: int | None = Query(
        None, ge=0, description="Rest on the signed checkpoint of this tree size "
        "[default: the latest]."
    ),
    format: str = Query("html", pattern="^(html|pdf)$", description="html or pdf"),
    case: str | None = Query(
        None, description="A built-in case (GET /v1/cases): adds its commitments' verdicts "
        "and its supply scenarios."
    ),
    days: int = Query(30, ge=1, le=366, description="Days of the crossings chart."),
    tz: str | None = Query(None, description="Zone of the chart's days (IANA or +04:00)."),
    runs: int = Query(200, ge=1, le=MAX_RUNS, description="Monte Carlo runs of the scenarios."),
    seed: int = Query(1, ge=0, description="Seed of the Monte Carlo draws."),
    app: Corridor = Depends(corridor_app),
) -> Response:
    """The report ``corridor report --at AT --as-of SIZE --format FORMAT`` writes: the map,
    crossings per day, convoys waiting, incidents, verdicts and scenarios, every figure with
    its source and the signed checkpoint it rests on."""
    from corridor.model import parse_instant
    from corridor.model.timefmt import resolve_tz
    from corridor.report import ReportRequest, gather, render_html

    when = None
    if at is not None:
        instant(at, "at")  # a 422 naming the parameter when malformed
        when = parse_instant(at, None)  # keeps its offset: the days' zone
    zone = None
    if tz is not None:
        try:
            zone = resolve_tz(tz)
        except InputError as exc:
            raise ApiError(422, f"tz: {exc.reason}", code="invalid-input", subject="tz") from None
    if case is not None:
        app.cases.builtin(case)  # 404 for anything but a built-in case's name
    req = ReportRequest(at=when, as_of=as_of, tz=zone, tz_name=tz, days=days, case=case,
                        runs=runs, seed=seed)  # fmt: skip
    data = gather(app, req)
    html = render_html(data)
    size = data.basis["tree_size"]
    # what the report is about, for a client that saves it (`corridor report --server`)
    about = {"X-Report-At": data.at.isoformat(), "X-Report-Tree-Size": str(size)}
    if format == "pdf":
        from corridor.report import render_pdf

        return Response(
            render_pdf(html), media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="situation-{size}.pdf"', **about},
        )  # fmt: skip
    return HTMLResponse(html, headers=about)
