"""Observation bodies: what was seen. One class per type name used in files and on the CLI.

Fields that identify a person carry ``json_schema_extra={"personal": True}``: they never enter the
log; the log holds a salted hash that commits to them (see docs/log.md, Privacy).
"""

from __future__ import annotations

import functools
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from corridor.model.entities import Ident, Prose, Text

__all__ = [
    "ACCESS_CATEGORIES",
    "BODY_TYPES",
    "FACT_TYPES",
    "MAX_COUNT",
    "MAX_FIGURE",
    "MAX_TONNES",
    "OBS_ID_PATTERN",
    "SEALED_TYPE",
    "STATEMENT_TYPES",
    "Attestation",
    "Body",
    "CargoLine",
    "Category",
    "Claim",
    "ConvoyEvent",
    "ConvoyState",
    "Count",
    "Crossing",
    "Deployment",
    "DeploymentStatus",
    "Direction",
    "Figure",
    "Incident",
    "IncidentCategory",
    "ObsId",
    "Outcome",
    "PopulationCount",
    "PopulationKind",
    "Retraction",
    "ReviewStatus",
    "RouteState",
    "RouteStatus",
    "Sealed",
    "Stance",
    "Tonnes",
    "personal_fields",
]

PERSONAL: dict[str, Any] = {"personal": True}

# Bounds on figures (docs/record.md). A count is at most a billion: no checkpoint, convoy, force
# or place a monitor records comes near it, and sums over a million observations then stay exact
# in IEEE doubles (< 2**53), which is what canonical JSON and every summary computes with. A
# tonnage is finite and at most a million tonnes per observation or cargo line (several of the
# largest cargo ships), so supply totals in grams stay far below overflow. A claimed figure is
# finite and its magnitude at most 10**15.
MAX_COUNT = 1_000_000_000
MAX_TONNES = 1_000_000.0
MAX_FIGURE = 1e15

Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Tonnes = Annotated[float, Field(ge=0, le=MAX_TONNES, allow_inf_nan=False)]
Figure = Annotated[float, Field(ge=-MAX_FIGURE, le=MAX_FIGURE, allow_inf_nan=False)]

OBS_ID_PATTERN = r"^[0-9a-f]{64}$"
ObsId = Annotated[
    str, Field(pattern=OBS_ID_PATTERN, description="an observation id: 64 lower-case hex digits")
]


class Direction(StrEnum):
    """Relative to the enclave or route end: inbound goes toward it, outbound away from it."""

    inbound = "inbound"
    outbound = "outbound"


class Category(StrEnum):
    persons = "persons"
    vehicles = "vehicles"
    cargo = "cargo"


class Outcome(StrEnum):
    passed = "passed"
    denied = "denied"
    turned_back = "turned_back"


class RouteState(StrEnum):
    open = "open"
    restricted = "restricted"
    closed = "closed"


class ConvoyState(StrEnum):
    planned = "planned"
    dispatched = "dispatched"
    waiting = "waiting"
    inspected = "inspected"
    crossed = "crossed"
    delivered = "delivered"
    turned_back = "turned_back"
    returned = "returned"


class IncidentCategory(StrEnum):
    """ACAPS's nine humanitarian access constraints (OCHA's access monitoring and reporting
    framework), then ceasefire-violation types, then anything else."""

    denial_of_needs = "denial_of_needs"  # 1 denial of existence of needs or entitlements
    restriction_of_access = "restriction_of_access"  # 2 to services and assistance
    impediment_to_entry = "impediment_to_entry"  # 3 impediments to entering the country
    restriction_of_movement = "restriction_of_movement"  # 4 within the country
    interference = "interference"  # 5 in implementation of humanitarian activities
    violence_against_humanitarians = "violence_against_humanitarians"  # 6 personnel, assets
    insecurity = "insecurity"  # 7 ongoing insecurity or hostilities affecting assistance
    explosive_hazards = "explosive_hazards"  # 8 mines and explosive hazards
    physical_constraints = "physical_constraints"  # 9 in the environment
    ceasefire_small_arms = "ceasefire_small_arms"
    ceasefire_heavy_weapons = "ceasefire_heavy_weapons"
    ceasefire_drone_strike = "ceasefire_drone_strike"
    ceasefire_offensive = "ceasefire_offensive"
    ceasefire_other = "ceasefire_other"
    other = "other"


ACCESS_CATEGORIES: dict[IncidentCategory, int] = {
    c: i + 1 for i, c in enumerate(list(IncidentCategory)[:9])
}


class DeploymentStatus(StrEnum):
    deployed = "deployed"
    withdrawn = "withdrawn"


class PopulationKind(StrEnum):
    resident = "resident"
    displaced = "displaced"
    cumulative_arrivals = "cumulative_arrivals"


class Stance(StrEnum):
    """What an attestation says about an observation (docs/record.md, Attestations)."""

    corroborates = "corroborates"  # the attesting organisation saw the same
    disputes = "disputes"  # it gives another figure, or a reason the report is wrong
    reviewed = "reviewed"  # the status of a review of the observation


class ReviewStatus(StrEnum):
    submitted = "submitted"
    under_review = "under_review"
    accepted = "accepted"
    disputed = "disputed"


class _Body(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
    TYPE: ClassVar[str]


class Crossing(_Body):
    """What passed (or was stopped) at a checkpoint: one vehicle, or a count for a period."""

    TYPE: ClassVar[str] = "crossing"
    type: Literal["crossing"] = "crossing"
    checkpoint: Ident
    direction: Direction
    category: Category
    count: Count | None = Field(None, description="persons, vehicles or cargo units")
    tonnes: Tonnes | None = None
    commodity: Text | None = None
    operator: Ident | None = Field(None, description="escort or operator organisation")
    outcome: Outcome = Outcome.passed
    convoy: Text | None = None
    vehicle: Text | None = None
    driver_name: Text | None = Field(None, json_schema_extra=PERSONAL)
    driver_phone: Text | None = Field(None, json_schema_extra=PERSONAL)

    @model_validator(mode="after")
    def _something_counted(self) -> Crossing:
        if self.count is None and self.tonnes is None:
            raise ValueError("a crossing needs a count (explicit 0 allowed) or tonnes")
        return self


class RouteStatus(_Body):
    TYPE: ClassVar[str] = "route_status"
    type: Literal["route_status"] = "route_status"
    route: Ident
    status: RouteState
    who_may_pass: tuple[Text, ...] = Field((), description="e.g. ICRC, peacekeepers")
    place: Ident | None = Field(None, description="where the route is blocked or controlled")


class CargoLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
    commodity: Text = Field(min_length=1)
    tonnes: Tonnes


class ConvoyEvent(_Body):
    TYPE: ClassVar[str] = "convoy"
    type: Literal["convoy"] = "convoy"
    convoy: Text = Field(min_length=1, description="convoy id, stable across its events")
    state: ConvoyState
    place: Ident | None = None
    route: Ident | None = None
    checkpoint: Ident | None = None
    organiser: Ident | None = None
    vehicles: Count | None = None
    cargo: tuple[CargoLine, ...] = ()
    contact_phone: Text | None = Field(None, json_schema_extra=PERSONAL)


class Incident(_Body):
    TYPE: ClassVar[str] = "incident"
    type: Literal["incident"] = "incident"
    category: IncidentCategory
    place: Ident | None = None
    route: Ident | None = None
    checkpoint: Ident | None = None
    actors: tuple[Text, ...] = ()
    killed: Count | None = None
    injured: Count | None = None
    missing: Count | None = None
    text: Prose | None = None
    victim_names: tuple[Text, ...] | None = Field(None, json_schema_extra=PERSONAL)


class Deployment(_Body):
    TYPE: ClassVar[str] = "deployment"
    type: Literal["deployment"] = "deployment"
    force: Text = Field(min_length=1, description="organisation id or force name")
    place: Ident | None = None
    route: Ident | None = None
    strength: Count | None = None
    status: DeploymentStatus


class PopulationCount(_Body):
    TYPE: ClassVar[str] = "population"
    type: Literal["population"] = "population"
    place: Ident = Field(description="place or area the count is for")
    persons: Count
    kind: PopulationKind
    origin: Ident | None = Field(None, description="for arrivals: where people came from")
    vehicles: Count | None = None


class Claim(_Body):
    TYPE: ClassVar[str] = "claim"
    type: Literal["claim"] = "claim"
    party: Text = Field(min_length=1, description="who makes the claim (organisation id or name)")
    statement: Prose = Field(min_length=1, description="the quoted statement")
    about: Text = Field(min_length=1, description="what it is about")
    figure: Figure | None = None


class Retraction(_Body):
    """The reporter withdraws its observation ``retracts`` (the current version of it): the
    record keeps both, and no view counts the observation any more."""

    TYPE: ClassVar[str] = "retraction"
    type: Literal["retraction"] = "retraction"
    retracts: ObsId
    reason: Prose = Field(min_length=1)


class Attestation(_Body):
    """Another organisation's signed statement about the observation ``about``.

    ``corroborates``: it saw the same; ``disputes``: with its own ``figure`` (of the body field
    ``field``; for a convoy, ``cargo`` names its total tonnage) or a ``reason``; ``reviewed``:
    the ``review`` status of the observation.
    """

    TYPE: ClassVar[str] = "attestation"
    type: Literal["attestation"] = "attestation"
    about: ObsId
    stance: Stance
    field: Ident | None = Field(None, description="the body field the statement is about")
    figure: Figure | None = Field(None, description="disputes: the attesting party's own figure")
    review: ReviewStatus | None = None
    reason: Prose | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Attestation:
        if self.stance is Stance.reviewed:
            if self.review is None:
                raise ValueError("a review statement needs its status (review)")
            if self.figure is not None or self.field is not None:
                raise ValueError("a review statement gives no figure or field")
        elif self.review is not None:
            raise ValueError("review is only for the stance reviewed")
        if self.stance is Stance.corroborates and self.figure is not None:
            raise ValueError("a corroboration gives no figure of its own (dispute instead)")
        if self.stance is Stance.disputes and self.figure is None and not self.reason:
            raise ValueError("a dispute needs the disputing party's own figure or a reason")
        return self


class Sealed(_Body):
    """An embargoed observation: only a commitment to it (docs/embargo.md). ``commitment`` is
    the SHA-256 of a domain tag, a 32-byte random salt and the hidden observation's canonical
    form; ``hides`` (optional) is the hidden observation's type, and the envelope's observed
    period the coarse time the organisation chooses to disclose. A later reveal by the same
    organisation carries the salt and the observation, and admission checks it against this."""

    TYPE: ClassVar[str] = "sealed"
    type: Literal["sealed"] = "sealed"
    commitment: Annotated[
        str, Field(pattern=OBS_ID_PATTERN, description="hex SHA-256 of the salted observation")
    ]
    hides: Ident | None = Field(None, description="the type of the hidden observation")

    @model_validator(mode="after")
    def _fact_type(self) -> Sealed:
        if self.hides is not None and self.hides not in FACT_TYPES:
            raise ValueError(
                f"hides: {self.hides!r} is not an observation type; expected one of "
                + ", ".join(sorted(FACT_TYPES))
            )
        return self


Body = (
    Crossing
    | RouteStatus
    | ConvoyEvent
    | Incident
    | Deployment
    | PopulationCount
    | Claim
    | Retraction
    | Attestation
    | Sealed
)

BODY_TYPES: dict[str, type[_Body]] = {
    c.TYPE: c
    for c in (
        Crossing,
        RouteStatus,
        ConvoyEvent,
        Incident,
        Deployment,
        PopulationCount,
        Claim,
        Retraction,
        Attestation,
        Sealed,
    )
}

STATEMENT_TYPES = frozenset({Retraction.TYPE, Attestation.TYPE})
"""Types whose entries speak about another entry rather than about the corridor: no view,
rule or scenario counts them as observations (docs/record.md)."""

SEALED_TYPE = "sealed"
"""An embargoed observation's commitment (docs/embargo.md): neither a fact nor a statement; no
view, rule or scenario counts it, and it shows as sealed until its reveal replaces it."""

FACT_TYPES = frozenset(BODY_TYPES) - STATEMENT_TYPES - {SEALED_TYPE}
"""Types that report what was seen: crossing, route_status, convoy, incident, deployment,
population, claim."""


@functools.cache
def personal_fields(body_type: type[BaseModel]) -> frozenset[str]:
    """Names of the body fields that identify a person (kept out of the log)."""
    out = set()
    for name, f in body_type.model_fields.items():
        extra = f.json_schema_extra
        if isinstance(extra, dict) and extra.get("personal"):
            out.add(name)
    return frozenset(out)
