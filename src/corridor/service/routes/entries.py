"""Submitting observations: entries signed by their reporters elsewhere, verified and appended
here. The server never signs an observation; it signs the log's checkpoints."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, JsonValue

from corridor.app import Corridor
from corridor.app.observations import MAX_SUBMISSION, SignedEntry
from corridor.errors import InputError
from corridor.service.auth import Principal, require
from corridor.service.deps import corridor_app
from corridor.service.errors import error_responses
from corridor.service.publish import publish_later
from corridor.service.watches import watch_later

router = APIRouter(prefix="/v1", tags=["observations"])


class PersonalValue(BaseModel):
    """A personal value the entry commits to (salted), handed to the record, never the log."""

    field: str = Field(min_length=1, max_length=64, description="the body field, e.g. driver_name")
    salt: str = Field(max_length=1024, description="base64 of the salt (16 bytes or more)")
    value: JsonValue = Field(description="the value itself")


class SubmittedEntry(BaseModel):
    entry: str = Field(
        min_length=1,
        max_length=90_000,
        description="base64 of the signed entry bytes (corridor.ledger.entry.make_entry)",
    )
    personal: list[PersonalValue] = Field(default_factory=list, max_length=64)


class Submission(BaseModel):
    entries: list[SubmittedEntry] = Field(min_length=1, max_length=MAX_SUBMISSION)


class SubmissionResult(BaseModel):
    accepted: list[str] = Field(description="ids appended by this request")
    duplicates: list[str] = Field(description="ids already on the record (not an error)")
    tree_size: int = Field(description="the log's size after this append")
    checkpoint: str = Field(description="the latest signed checkpoint (a C2SP signed note), "
                            "covering every accepted entry")  # fmt: skip


def _b64(text: str, index: int, where: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        exc = InputError("is not base64", where=where)
        exc.subject = str(index)  # the entry's position, as for every error about an entry
        raise exc from None


@router.post(
    "/entries",
    summary="Submit signed entries (one or a batch)",
    response_model=SubmissionResult,
    responses=error_responses(403, 503),
)
def submit_entries(
    body: Submission,
    request: Request,
    principal: Principal = Depends(require("reporter")),
    app: Corridor = Depends(corridor_app),
) -> dict[str, Any]:
    """Verify and append entries, all or nothing: an entry that fails (framing, a signature,
    normal form, validation, an unknown reference, a personal value that does not open its
    commitment) is a 422 naming its position (`subject`), and nothing of the request is
    written. A reporter token submits only entries first-signed by its own organisation's
    registered key (403 naming the entry otherwise). An entry already on the record is
    listed in `duplicates`. An answer means the entries are committed."""
    items = [
        SignedEntry(
            _b64(e.entry, i, f"entries[{i}].entry"),
            tuple(
                (p.field, _b64(p.salt, i, f"entries[{i}].personal[{j}].salt"), p.value)
                for j, p in enumerate(e.personal)
            ),
        )
        for i, e in enumerate(body.entries)
    ]
    org = None if principal.role == "admin" else principal.org
    result, note = app.observations.submit(items, org=org)
    if result.accepted:
        publish_later(request)  # the new checkpoint to the log's witnesses, in the background
        watch_later(request)  # watches evaluated, webhooks delivered, in the background
    return {
        "accepted": result.accepted,
        "duplicates": result.duplicates,
        "tree_size": result.tree_size,
        "checkpoint": note.decode(),
    }
