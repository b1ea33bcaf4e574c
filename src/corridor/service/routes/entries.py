"""STAND-IN, to be replaced by svc-core's ``routes/entries.py`` (issue 9): ``POST /v1/entries``
exactly as the API contract says, with no authentication, so that the client and the CLI's
remote mode can be tested before svc-core's branch is merged.

Body ``{"entries": [{"entry": "<base64 of the signed entry bytes>", "personal": [{"field",
"salt": "<base64>", "value"}]}]}``; answer ``{"accepted": [ids], "duplicates": [ids],
"tree_size": N, "checkpoint": "<note text>"}``. A refused entry is a 422 naming it
(``entries[i]``) and the reason; nothing of a refused request is written.
"""

from __future__ import annotations

import binascii
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from corridor.app import Corridor, shapes
from corridor.errors import CorridorError
from corridor.service.deps import corridor_app
from corridor.service.errors import ApiError, status_of

router = APIRouter(prefix="/v1", tags=["observations"])


class Personal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str = Field(..., max_length=64)
    salt: str = Field(..., max_length=200)
    value: Any = None


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entry: str = Field(..., max_length=90_000)
    personal: list[Personal] = Field(default_factory=list, max_length=64)


class Submission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entries: list[Entry] = Field(..., min_length=1, max_length=10_000)


def _b64(text: str, where: str) -> bytes:
    try:
        return binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, f"{where}: not base64", code="invalid-input", subject=where) from None


@router.post("/entries", summary="Submit signed entries (STAND-IN, no authentication)")
def submit(body: Submission, app: Corridor = Depends(corridor_app)) -> dict[str, Any]:
    from corridor.recording import admit_entry

    entries = [_b64(e.entry, f"entries[{i}].entry") for i, e in enumerate(body.entries)]
    personal = {
        raw: [(p.field, _b64(p.salt, f"entries[{i}].personal[{j}].salt"), p.value)
              for j, p in enumerate(e.personal)]
        for i, (raw, e) in enumerate(zip(entries, body.entries, strict=True)) if e.personal
    }  # fmt: skip
    log = app.transparency_log()
    keys, demo, registry = log.verifiers(), log.demo_keys(), app.store.registry()
    for i, raw in enumerate(entries):  # name the entry a refusal concerns
        try:
            admit_entry(raw, keys, demo, registry)
        except CorridorError as exc:
            status, code = status_of(exc)
            where = f"entries[{i}]"
            raise ApiError(status, f"{where}: {exc}", code=code, subject=where) from None
    result = log.append_entries(entries, personal, pool=app.pool)
    return {**shapes.append_result(result), "checkpoint": log.latest_checkpoint().decode()}
