"""Reading observations: pages in log order with a cursor (the change feed), streamed as NDJSON
or CSV with no row cap, and one observation with its inclusion proof."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi import Query as QueryParam
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from corridor.app import Corridor, shapes
from corridor.errors import InputError
from corridor.service.auth import Principal, public
from corridor.service.deps import corridor_app
from corridor.service.errors import error_responses
from corridor.store.api import Query

router = APIRouter(prefix="/v1", tags=["observations"])

NDJSON = "application/x-ndjson"
CSV = "text/csv"
MAX_PAGE = 1000
#: observations per chunk written to a stream
CHUNK = 500

ObservationType = Literal[
    "crossing", "route_status", "convoy", "incident", "deployment", "population", "claim",
    "retraction", "attestation",
]


class ObservationPage(BaseModel):
    items: list[dict[str, Any]] = Field(description="observations (shapes.observation), in log "
                                        "order")  # fmt: skip
    next_after: int | None = Field(description="the cursor of the next page (the last item's "
                                   "log index), null when this page is the last")  # fmt: skip


class ProofBundle(BaseModel):
    log_index: int
    tree_size: int
    leaf_hash: str
    hashes: list[str]
    checkpoint: str


class ObservationDoc(BaseModel, extra="allow"):
    id: str
    log_index: int
    type: str
    reporter: str
    signed_by: list[str]
    proof: ProofBundle | None = Field(description="an inclusion proof against the latest signed "
                                      "checkpoint; null when none covers it yet")  # fmt: skip


def _time(value: str | None, name: str) -> Any:
    if value is None:
        return None
    from corridor.model import parse_instant

    try:
        return parse_instant(value, what=name)
    except ValueError as exc:  # InputError is a ValueError and names the parameter
        if isinstance(exc, InputError):
            raise
        raise InputError(str(exc), where=name) from None


def _format(request: Request, fmt: str | None) -> str:
    if fmt is not None:
        return fmt
    accept = request.headers.get("accept", "")
    if NDJSON in accept:
        return "ndjson"
    if CSV in accept:
        return "csv"
    return "json"


def _ndjson(rows: Iterator[Any]) -> Iterator[bytes]:
    lines: list[str] = []
    for s in rows:
        lines.append(json.dumps(shapes.observation(s), ensure_ascii=False))
        if len(lines) >= CHUNK:
            yield ("\n".join(lines) + "\n").encode()
            lines = []
    if lines:
        yield ("\n".join(lines) + "\n").encode()


def _cell(value: Any) -> Any:
    from corridor.ingest.run import escape_cell

    return escape_cell(value) if isinstance(value, str) else value


def _csv(rows: Iterator[Any]) -> Iterator[bytes]:
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(shapes.OBSERVATION_COLUMNS)
    for n, s in enumerate(rows, 1):
        out.writerow([_cell(v) for v in shapes.observation_row(s)])
        if n % CHUNK == 0:
            yield buf.getvalue().encode()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode()


_STREAMS = {
    NDJSON: {"schema": {"type": "string"}, "example": '{"id": "...", "log_index": 0}\n'},
    CSV: {"schema": {"type": "string"}, "example": ",".join(shapes.OBSERVATION_COLUMNS) + "\n"},
}


@router.get(
    "/observations",
    summary="Observations in log order, from a cursor (the change feed)",
    response_model=ObservationPage,
    responses={200: {"content": _STREAMS}},
)
def list_observations(
    request: Request,
    type: ObservationType | None = QueryParam(None, description="only this type"),
    start: str | None = QueryParam(None, max_length=64,
                                   description="period start (RFC 3339, with offset)"),
    end: str | None = QueryParam(None, max_length=64, description="period end (exclusive)"),
    reporter: str | None = QueryParam(None, max_length=64),
    route: str | None = QueryParam(None, max_length=64),
    checkpoint: str | None = QueryParam(None, max_length=64),
    direction: str | None = QueryParam(None, max_length=16),
    category: str | None = QueryParam(None, max_length=16),
    place: str | None = QueryParam(None, max_length=64),
    after: int | None = QueryParam(None, ge=-1, le=2**62, description="a log index: only "
                                   "entries appended after it (default: from the start)"),
    limit: int = QueryParam(100, ge=1, le=MAX_PAGE, description="a page's size (JSON only)"),
    format: Literal["json", "ndjson", "csv"] | None = QueryParam(
        None, description="or by Accept: application/x-ndjson, text/csv (streams: every "
        "entry after the cursor, no row cap)"),
    _reader: Principal | None = Depends(public),
    app: Corridor = Depends(corridor_app),
) -> Any:  # fmt: skip
    """Every observation matching the filters (a period filter keeps those overlapping
    [start, end)) appended after log index `after`, in log order. A JSON page holds at most
    `limit`; `next_after` (also the `Link: rel="next"` and `X-Next-After` headers) continues it.
    NDJSON and CSV stream every matching entry after the cursor, read a page at a time."""
    q = Query(
        type=type,
        start=_time(start, "start"),
        end=_time(end, "end"),
        reporter=reporter,
        route=route,
        checkpoint=checkpoint,
        direction=direction,
        category=category,
        place=place,
        after=-1 if after is None else after,
    )
    kind = _format(request, format)
    if kind == "ndjson":
        return StreamingResponse(_ndjson(app.observations.feed(q)), media_type=NDJSON)
    if kind == "csv":
        return StreamingResponse(
            _csv(app.observations.feed(q)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="observations.csv"'},
        )
    from dataclasses import replace

    rows = app.observations.list(replace(q, limit=limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    next_after = rows[-1].log_index if more else None
    headers = {}
    if next_after is not None:
        url = request.url.include_query_params(after=next_after)
        headers = {"Link": f'<{url}>; rel="next"', "X-Next-After": str(next_after)}
    return JSONResponse(
        {"items": [shapes.observation(s) for s in rows], "next_after": next_after},
        headers=headers,
    )


@router.get(
    "/observations/{observation_id}",
    summary="One observation, its signers, log index and inclusion proof",
    response_model=ObservationDoc,
    responses=error_responses(404),
)
def get_observation(
    observation_id: str = PathParam(min_length=1, max_length=64,
                                    description="an id, or a unique prefix of 6+ characters"),
    _reader: Principal | None = Depends(public),
    app: Corridor = Depends(corridor_app),
) -> Any:  # fmt: skip
    s = app.observations.show(observation_id)
    proofs, _missing = app.log.prove_many([(s.id, s.log_index)])
    attested = app.history.attestations([s.id]).get(s.id)
    return JSONResponse(
        {**shapes.observation(s, attestations=attested), "proof": proofs.get(s.id)}
    )
