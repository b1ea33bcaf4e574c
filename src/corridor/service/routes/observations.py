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
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from corridor.app import Corridor, shapes
from corridor.errors import InputError, NotFoundError
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


def accepted_view(
    request: Request, principal: Principal | None, asked: bool
) -> bool:
    """Whether a read shows accepted entries only: when asked, or for a published read (no
    token) of a deployment whose public view is ``accepted`` (docs/review.md)."""
    app: Corridor = request.app.state.corridor
    return asked or (principal is None and app.settings.public_view == "accepted")


class ObservationPage(BaseModel):
    items: list[dict[str, Any]] = Field(description="observations (shapes.observation), in log "
                                        "order")  # fmt: skip
    next_after: int | None = Field(description="the cursor of the next page (the last item's "
                                   "log index), null when this page is the last")  # fmt: skip
    as_of: dict[str, Any] | None = Field(None, description="with as_of: the signed checkpoint "
                                         "the page rests on")  # fmt: skip


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
    chain: dict[str, Any] | None = Field(None, description="with chain=true: every version of "
                                         "the observation (shapes.chain)")  # fmt: skip


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


def _ndjson(rows: Iterator[Any], status: Any = None) -> Iterator[bytes]:
    """One observation a line, written a chunk at a time; with ``status`` (a function of a
    chunk of rows) each with its status in the history."""
    chunk: list[Any] = []

    def lines() -> bytes:
        docs = status(chunk) if status is not None else [shapes.observation(s) for s in chunk]
        return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs).encode()

    for s in rows:
        chunk.append(s)
        if len(chunk) >= CHUNK:
            yield lines()
            chunk = []
    if chunk:
        yield lines()


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
    responses={200: {"content": _STREAMS}, **error_responses(404)},
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
    history: bool | None = QueryParam(
        None, description="absent: the change feed, every entry; true: every entry with its "
        "status (current, superseded_by, retracted_by); false: the current state only (current "
        "versions of facts: no superseded versions, retractions or attestations)"),
    as_of: int | None = QueryParam(None, ge=0, le=2**62, description="the record as of the "
                                   "signed checkpoint of this tree size (its first entries)"),
    accepted_only: bool = QueryParam(False, description="only facts whose review state is "
                                     "accepted (published reads of a deployment with "
                                     "CORRIDOR_PUBLIC_VIEW=accepted always are)"),
    reader: Principal | None = Depends(public),
    app: Corridor = Depends(corridor_app),
) -> Any:  # fmt: skip
    """Every observation matching the filters (a period filter keeps those overlapping
    [start, end)) appended after log index `after`, in log order. A JSON page holds at most
    `limit`; `next_after` (also the `Link: rel="next"` and `X-Next-After` headers) continues it.
    NDJSON and CSV stream every matching entry after the cursor, read a page at a time.
    `history=false` and `accepted_only` filter a page, which may then hold fewer than `limit`
    entries while more follow; `as_of` bounds it to a signed checkpoint (the page says which)."""
    accepted = accepted_view(request, reader, accepted_only)
    current = history is False
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
        as_of=as_of,
    )

    def with_status(rows: list[Any]) -> list[dict[str, Any]]:
        after_ = app.history.successors([s.id for s in rows], as_of=as_of)
        return [shapes.observation(s, successor=after_.get(s.id), status=True) for s in rows]

    status = with_status if history else None
    kind = _format(request, format)
    basis = None if as_of is None else shapes.basis(app.log.basis(as_of))  # before any byte
    if kind in ("ndjson", "csv"):
        rows_ = app.observations.stream(q, current_only=current, accepted_only=accepted)
        if kind == "ndjson":
            return StreamingResponse(_ndjson(rows_, status), media_type=NDJSON)
        return StreamingResponse(
            _csv(rows_),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="observations.csv"'},
        )
    if status is None and not current and not accepted and basis is None:
        # the plain feed's page is made from the stored entries' bytes
        # (shapes.observation_json: the same members and values as shapes.observation,
        # without parsing each observation)
        items, next_page = app.observations.page_json(q, limit)
        fast_headers = {}
        if next_page is not None:
            url = request.url.include_query_params(after=next_page)
            fast_headers = {"Link": f'<{url}>; rel="next"', "X-Next-After": str(next_page)}
        body = b"".join(
            (
                b'{"items":[', b",".join(items), b'],"next_after":',
                b"null" if next_page is None else str(next_page).encode(), b"}",
            )
        )  # fmt: skip
        return Response(body, media_type="application/json", headers=fast_headers)
    rows, next_after = app.observations.page(
        q, limit=limit, current_only=current, accepted_only=accepted
    )
    headers = {}
    if next_after is not None:
        url = request.url.include_query_params(after=next_after)
        headers = {"Link": f'<{url}>; rel="next"', "X-Next-After": str(next_after)}
    docs = status(rows) if status is not None else [shapes.observation(s) for s in rows]
    doc: dict[str, Any] = {"items": docs, "next_after": next_after}
    if basis is not None:
        doc["as_of"] = basis
    return JSONResponse(doc, headers=headers)


@router.get(
    "/observations/{observation_id}",
    summary="One observation, its signers, log index and inclusion proof",
    response_model=ObservationDoc,
    responses=error_responses(404),
)
def get_observation(
    request: Request,
    observation_id: str = PathParam(min_length=1, max_length=64,
                                    description="an id, or a unique prefix of 6+ characters"),
    chain: bool = QueryParam(False, description="also every version of it, first to last, "
                             "with the attestations about each (`chain`)"),
    as_of: int | None = QueryParam(None, ge=0, le=2**62, description="as of the signed "
                                   "checkpoint of this tree size (the proof is against it)"),
    reader: Principal | None = Depends(public),
    app: Corridor = Depends(corridor_app),
) -> Any:  # fmt: skip
    """One entry (any version, current or not) and its inclusion proof; with `chain=true` the
    versions of the observation it belongs to (a correction's chain, a final retraction
    included). A published read of a deployment showing accepted entries only answers 404 for
    an entry not accepted."""
    s = app.observations.show(observation_id, as_of=as_of)
    if accepted_view(request, reader, False) and not app.review.accepted([s], as_of=as_of):
        raise NotFoundError(f"observation {s.id} is not published (not accepted in review)",
                            subject=observation_id)  # fmt: skip
    proofs, _missing = app.log.prove_many([(s.id, s.log_index)], as_of=as_of)
    attested = app.history.attestations([s.id], as_of=as_of).get(s.id)
    doc: dict[str, Any] = {
        **shapes.observation(s, attestations=attested), "proof": proofs.get(s.id)
    }
    if chain:
        doc["chain"] = shapes.chain(app.history.chain(s.id, as_of=as_of))
    if as_of is not None:
        doc["as_of"] = shapes.basis(app.log.basis(as_of))
    return JSONResponse(doc)
