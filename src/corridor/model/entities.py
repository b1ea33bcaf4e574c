"""The fixed parts of a case: organisations, places with every name in use, routes, checkpoints."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

__all__ = [
    "ID_PATTERN",
    "PROSE_PATTERN",
    "TEXT_PATTERN",
    "Checkpoint",
    "Ident",
    "OrgKind",
    "Organisation",
    "Place",
    "PlaceName",
    "Prose",
    "PublicKey",
    "Route",
    "Text",
    "check_text",
]

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
Ident = Annotated[str, Field(pattern=ID_PATTERN, description="lower-case id: a-z 0-9 . _ -")]


# Text ends up in terminals, CSV files and browsers. Control characters (C0, DEL, C1) are refused
# in every text field; free text (Prose: note, caveats, text, statement) may hold tab, line feed
# and carriage return. Format characters (bidi marks, ZWJ) are kept: Arabic, Hebrew and Indic
# text needs them. The check is a pattern, run by pydantic-core without a Python call per field;
# record_error_from turns its mismatch into check_text's message.
TEXT_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"
PROSE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
Text = Annotated[str, StringConstraints(pattern=TEXT_PATTERN)]
Prose = Annotated[str, StringConstraints(pattern=PROSE_PATTERN)]
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_PROSE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def check_text(value: str, *, prose: bool = False) -> str:
    """Return ``value`` if it holds no control character (prose may hold tab and newlines);
    else raise ValueError naming the first one by its code point (such as U+001B)."""
    m = (_CONTROL_PROSE if prose else _CONTROL).search(value)
    if m:
        allowed = " (only free text, such as a note, may hold tabs and line breaks)"
        allowed = allowed if m.group() in "\t\n\r" else ""
        raise ValueError(
            f"contains the control character U+{ord(m.group()):04X} at position "
            f"{m.start() + 1}{allowed}"
        )
    return value


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class OrgKind(StrEnum):
    monitor = "monitor"
    operator = "operator"
    party = "party"
    humanitarian = "humanitarian"
    mediator = "mediator"
    court = "court"
    media = "media"


class PublicKey(_Frozen):
    """An Ed25519 verifier key registered for an organisation (filled by the log)."""

    vkey: Text = Field(description="C2SP note verifier key: name+keyid+base64(0x01||key)")
    demo: bool = Field(False, description="True for the deterministic demo keys of built-in cases")


class Organisation(_Frozen):
    id: Ident
    name: Text = Field(min_length=1)
    kind: OrgKind
    note: Prose | None = None
    keys: tuple[PublicKey, ...] = ()


class PlaceName(_Frozen):
    """One name in use for a place, with its language and who uses it."""

    name: Text = Field(min_length=1)
    lang: Text | None = Field(None, description="BCP 47 tag, e.g. hy, az, ru, en")
    used_by: Text | None = Field(None, description="who uses this name, e.g. 'Armenian sources'")


class Place(_Frozen):
    id: Ident
    names: tuple[PlaceName, ...] = Field(min_length=1)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    kind: Text | None = Field(None, description="town, village, checkpoint, junction, area ...")
    note: Prose | None = None

    @field_validator("names", mode="before")
    @classmethod
    def _names(cls, v: object) -> object:
        # Accept plain strings for names: "Khankendi" == {name: Khankendi}
        if isinstance(v, list | tuple):
            return tuple({"name": x} if isinstance(x, str) else x for x in v)
        if isinstance(v, str):
            return ({"name": v},)
        return v

    @model_validator(mode="after")
    def _both_coords(self) -> Place:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self

    @property
    def label(self) -> str:
        """Every name in use, joined: 'Khankendi / Stepanakert'. Picks no side."""
        seen: list[str] = []
        for n in self.names:
            if n.name not in seen:
                seen.append(n.name)
        return " / ".join(seen)


class Route(_Frozen):
    id: Ident
    name: Text = Field(min_length=1)
    places: tuple[Ident, ...] = Field(min_length=2, description="ordered place ids, end to end")
    note: Prose | None = None


class Checkpoint(_Frozen):
    id: Ident
    name: Text = Field(min_length=1)
    place: Ident
    route: Ident
    operator: Ident | None = None
    note: Prose | None = None
