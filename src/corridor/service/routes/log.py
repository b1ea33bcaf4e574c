"""The log over HTTP: C2SP tlog-tiles under ``/v1/log/`` (any tiles client verifies it), proofs,
and the keys to check it with.

    GET /v1/log/checkpoint                  the latest signed checkpoint, with cosignatures
    GET /v1/log/tile/<L>/<N>[.p/<W>]        hash tiles (N as x001/x234/067)
    GET /v1/log/tile/entries/<N>[.p/<W>]    entry bundles (big-endian uint16 length prefixes)
    GET /v1/log/keys                        the organisations' verifier keys (an export's keys)
    GET /v1/log/key                         the log's verifier key
    GET /v1/log/proof/inclusion?index=|id=  an inclusion proof against the latest checkpoint
    GET /v1/log/proof/consistency?old=&new= a consistency proof between two signed sizes

Only what the latest signed checkpoint covers is served; each answer is byte for byte the file of
the same path in ``corridor log export``. Public reads: no token.
"""

from __future__ import annotations

import gzip
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from corridor.app import Corridor, shapes
from corridor.errors import InputError, NotFoundError
from corridor.ledger.tiles import TILE_WIDTH, TileRef, parse_tile_path
from corridor.service.deps import corridor_app
from corridor.service.errors import error_responses

__all__ = ["IMMUTABLE", "PARTIAL", "router"]

# every log path may answer 404: a tile, an entry or a size the latest checkpoint does not cover
router = APIRouter(prefix="/v1/log", tags=["log"], responses=error_responses(404))

#: Full tiles and bundles never change.
IMMUTABLE = "public, max-age=31536000, immutable"
#: A partial tile of a given width never changes either, but the log may stop serving it once
#: the full tile exists (C2SP tlog-tiles): cached briefly.
PARTIAL = "public, max-age=60"
TEXT = "text/plain; charset=utf-8"
MAX_SIZE = 2**63 - 1  # tree sizes and indexes are int64
OCTETS = "application/octet-stream"

_TILE_DOC = (
    "`N` is the tile index in three-digit path elements, all but the last prefixed by `x` "
    "(1234067 → `x001/x234/067`), optionally followed by `.p/W` for a partial tile of width W "
    "(1–255). 404 for a tile the latest signed checkpoint does not cover."
)


def _tile_ref(path: str) -> TileRef:
    ref = parse_tile_path(path)
    if ref is None:
        raise NotFoundError(f"{path} is not a tile path (C2SP tlog-tiles)", subject=path)
    return ref


def _octets(data: bytes, ref: TileRef, request: Request | None = None) -> Response:
    headers = {"Cache-Control": IMMUTABLE if ref.width == TILE_WIDTH else PARTIAL}
    if request is not None:  # entry bundles SHOULD be compressed (C2SP tlog-tiles)
        headers["Vary"] = "Accept-Encoding"
        accepts = request.headers.get("accept-encoding", "")
        if "gzip" in {a.split(";")[0].strip() for a in accepts.split(",")}:
            data = gzip.compress(data, compresslevel=6, mtime=0)
            headers["Content-Encoding"] = "gzip"
    return Response(data, media_type=OCTETS, headers=headers)


@router.get(
    "/checkpoint",
    summary="The latest signed checkpoint (C2SP tlog-checkpoint), with witness cosignatures",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
)
def checkpoint(app: Corridor = Depends(corridor_app)) -> Response:
    return Response(
        app.log.latest_checkpoint(), media_type=TEXT, headers={"Cache-Control": "no-cache"}
    )


@router.get(
    "/tile/entries/{index:path}",
    summary="An entry bundle (C2SP tlog-tiles)",
    description=_TILE_DOC,
    response_class=Response,
    responses={200: {"content": {OCTETS: {}}}},
)
def entry_bundle(index: str, request: Request, app: Corridor = Depends(corridor_app)) -> Response:
    ref = _tile_ref(f"tile/entries/{index}")
    return _octets(app.log.entry_bundle(ref.index, ref.width), ref, request)


@router.get(
    "/tile/{level}/{index:path}",
    summary="A hash tile (C2SP tlog-tiles)",
    description="`level` is 0–63. " + _TILE_DOC,
    response_class=Response,
    responses={200: {"content": {OCTETS: {}}}},
)
def tile(level: str, index: str, app: Corridor = Depends(corridor_app)) -> Response:
    ref = _tile_ref(f"tile/{level}/{index}")
    if ref.level < 0:  # tile/entries/... matched by the route above
        raise NotFoundError(f"tile/{level}/{index} is not a tile path", subject=level)
    return _octets(app.log.tile(ref.level, ref.index, ref.width), ref)


@router.get(
    "/keys",
    summary="The organisations' verifier keys (the keys file of an export)",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
)
def keys(app: Corridor = Depends(corridor_app)) -> Response:
    return Response(app.log.keys_file(), media_type=TEXT, headers={"Cache-Control": "no-cache"})


@router.get("/key", summary="The log's verifier key (C2SP signed-note vkey)")
def key(app: Corridor = Depends(corridor_app)) -> dict[str, Any]:
    vkey, demo = app.log.key()
    return shapes.log_key(vkey, demo)


@router.get("/proof/inclusion", summary="An inclusion proof against the latest signed checkpoint")
def inclusion(
    index: int | None = Query(None, ge=0, le=MAX_SIZE, description="The entry's log index."),
    id: str | None = Query(None, min_length=6, description="An observation id (or prefix)."),
    app: Corridor = Depends(corridor_app),
) -> dict[str, Any]:
    if (index is None) == (id is None):
        raise InputError("give exactly one of index and id", where="query")
    if index is not None:
        return app.log.prove_index(index)
    assert id is not None
    return app.log.prove(id)


@router.get(
    "/proof/consistency", summary="A consistency proof between two signed tree sizes (RFC 9162)"
)
def consistency(
    old: int = Query(..., ge=0, le=MAX_SIZE, description="The older tree size."),
    new: int | None = Query(
        None,
        ge=0,
        le=MAX_SIZE,
        description="The newer tree size [default: the latest signed checkpoint].",
    ),
    app: Corridor = Depends(corridor_app),
) -> dict[str, Any]:
    return app.log.consistency(old, new, signed=True)
