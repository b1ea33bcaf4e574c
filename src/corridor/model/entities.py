"""The fixed parts of a case: organisations, places with every name in use, routes, checkpoints."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "ID_PATTERN",
    "Checkpoint",
    "Ident",
    "OrgKind",
    "Organisation",
    "Place",
    "PlaceName",
    "PublicKey",
    "Route",
]

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
Ident = Annotated[str, Field(pattern=ID_PATTERN, description="lower-case id: a-z 0-9 . _ -")]


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

    vkey: str = Field(description="C2SP note verifier key: name+keyid+base64(0x01||key)")
    demo: bool = Field(False, description="True for the deterministic demo keys of built-in cases")


class Organisation(_Frozen):
    id: Ident
    name: str = Field(min_length=1)
    kind: OrgKind
    note: str | None = None
    keys: tuple[PublicKey, ...] = ()


class PlaceName(_Frozen):
    """One name in use for a place, with its language and who uses it."""

    name: str = Field(min_length=1)
    lang: str | None = Field(None, description="BCP 47 tag, e.g. hy, az, ru, en")
    used_by: str | None = Field(None, description="who uses this name, e.g. 'Armenian sources'")


class Place(_Frozen):
    id: Ident
    names: tuple[PlaceName, ...] = Field(min_length=1)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    kind: str | None = Field(None, description="town, village, checkpoint, junction, area ...")
    note: str | None = None

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
    name: str = Field(min_length=1)
    places: tuple[Ident, ...] = Field(min_length=2, description="ordered place ids, end to end")
    note: str | None = None


class Checkpoint(_Frozen):
    id: Ident
    name: str = Field(min_length=1)
    place: Ident
    route: Ident
    operator: Ident | None = None
    note: str | None = None
