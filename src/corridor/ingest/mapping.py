"""The mapping file: how the rows of a CSV or XLSX file become observations (docs/import.md).

``load_mapping(path)`` reads the YAML, validates it with Pydantic, then checks it against the
model: every mapped field exists on the body of the mapping's ``type`` or on the envelope, every
required body field is filled, times will carry an offset. Any problem raises one
:class:`~corridor.errors.MappingError` whose ``where`` is ``FILE:LINE:COLUMN``.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from corridor.errors import MappingError
from corridor.ingest.values import (
    cell_text,
    date_text,
    is_empty,
    parse_number,
)
from corridor.source import Marks, locate, parse_yaml, read_source

__all__ = [
    "ColumnSpec",
    "ImportMapping",
    "MappingFile",
    "NumberFormat",
    "SourceSpec",
    "load_mapping",
    "parse_mapping",
    "preset_mapping",
]

Path_ = tuple[str | int, ...]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _texts(v: object) -> object:
    """A scalar or a list of scalars as a tuple of cell texts."""
    if v is None:
        return ()
    if isinstance(v, list | tuple):
        return tuple(cell_text(x) for x in v)
    return (cell_text(v),)


class NumberFormat(_Strict):
    """How numbers are written in a column: '30,000', '1.234,5', '12 t'."""

    decimal: Literal[".", ","] = "."
    thousands: str | None = Field(
        None, description="group separator; default ',' (or '.' with a decimal comma); '' none"
    )
    unit: tuple[str, ...] = Field((), description="suffixes to drop, e.g. t, tonnes")

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, v: object) -> object:
        return _texts(v)

    def parse(self, value: Any) -> int | float:
        return parse_number(value, decimal=self.decimal, thousands=self.thousands, units=self.unit)


class ColumnSpec(_Strict):
    """Where one field comes from: a column (or several read as one), and how to read it."""

    column: tuple[str, ...] = Field(min_length=1, description="column name, or names joined")
    format: str | None = Field(None, description="strptime format of a time column")
    tz: str | None = Field(None, description="IANA zone or ±HH:MM for times without an offset")
    period: Literal["hour", "day", "week"] | None = None
    number: NumberFormat | None = None
    map: dict[str, Any] | None = Field(None, description="value translation table")
    default: Any = Field(None, description="used when the cell is empty")
    split: str | None = Field(None, description="separator of a list cell")
    optional: bool = Field(False, description="the file may lack the column: the field is empty")
    join: Annotated[str, StringConstraints(strip_whitespace=False)] | None = Field(
        None, description="text between several columns read as one"
    )
    otherwise: Any = Field(None, description="with map: the value of a cell the map lacks")
    slug: bool | str | None = Field(
        None, description="make an id of the text (lower case, '-' between words); a text: "
        "a prefix put before it"
    )

    @field_validator("column", mode="before")
    @classmethod
    def _column(cls, v: object) -> object:
        return (v,) if isinstance(v, str) else v

    @field_validator("map", mode="before")
    @classmethod
    def _map_keys(cls, v: object) -> object:
        if isinstance(v, dict):
            return {cell_text(k): x for k, x in v.items()}
        return v

    @property
    def label(self) -> str:
        """'column trucks_in' or 'columns date + time', for messages."""
        if len(self.column) == 1:
            return f"column {self.column[0]}"
        return "columns " + " + ".join(self.column)

    def translate(self, value: Any) -> Any:
        """Apply the ``map`` table: exact text first, then ignoring case; others pass unchanged."""
        if self.map is None or is_empty(value):
            return value
        text = cell_text(value)
        if text in self.map:
            return self.map[text]
        folded = text.casefold()
        for k, x in self.map.items():
            if k.casefold() == folded:
                return x
        return value if self.otherwise is None else self.otherwise


class SourceSpec(_Strict):
    """The source every observation of a mapping cites; the importer adds file, sheet and row."""

    title: str | None = Field(None, min_length=1)
    url: str | None = None
    document: str | None = None
    date: str | None = None
    claim_of: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _not_importer_fields(cls, v: object) -> object:
        if isinstance(v, dict) and (own := sorted({"file", "sheet", "row"} & set(v))):
            raise ValueError(f"{', '.join(own)}: the importer fills file, sheet and row itself")
        return v

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: object) -> object:
        return date_text(v) if v is not None else None


class ImportMapping(_Strict):
    """One mapping: each row it selects becomes one observation of ``type``."""

    name: str | None = None
    type: str
    reporter: str | None = Field(None, description="organisation id of the reporter")
    source: SourceSpec = Field(default_factory=lambda: SourceSpec.model_validate({}))
    constants: dict[str, Any] = Field(default_factory=dict, description="fixed field values")
    columns: dict[str, ColumnSpec] = Field(default_factory=dict, description="field <- column")
    skip_if_empty: tuple[str, ...] = ()
    skip_if: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    skip_rows: tuple[int, ...] = ()
    where: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    sheet: str | None = None
    optional: bool = Field(False, description="the sheet may be absent: then read nothing")
    detect_revisions: bool = Field(
        False,
        description="a source.ref the record holds with other content and a newer "
        "source.version is a revision: recorded as a correction (an older one is stale)",
    )
    replaces_column: str | None = Field(
        None,
        description="a column naming the source.ref of the record this row's record replaces "
        "(KoBoToolbox's and ODK's meta/deprecatedID): recorded as a correction of it",
    )
    on_existing: Literal["keep", "update"] = Field(
        "keep", description="place, checkpoint: keep an entity the record has, or update it"
    )
    header_row: int = Field(1, ge=1)

    # Fixed values of fields, read and checked at load: constants, reporter, source.*.
    _fixed: dict[str, Any] = PrivateAttr(default_factory=dict)
    _index: int = PrivateAttr(0)

    @field_validator("columns", mode="before")
    @classmethod
    def _columns(cls, v: object) -> object:
        if isinstance(v, dict):
            return {k: {"column": x} if isinstance(x, str | list) else x for k, x in v.items()}
        return v

    @field_validator("skip_if_empty", mode="before")
    @classmethod
    def _skip_if_empty(cls, v: object) -> object:
        return _texts(v)

    @field_validator("skip_if", "where", mode="before")
    @classmethod
    def _conditions(cls, v: object) -> object:
        if isinstance(v, dict):
            return {cell_text(k): _texts(x) for k, x in v.items()}
        return v

    @field_validator("skip_rows", mode="before")
    @classmethod
    def _skip_rows(cls, v: object) -> object:
        if not isinstance(v, list | tuple):
            v = [v]
        out: list[object] = []
        for item in v:
            if isinstance(item, str) and re.fullmatch(r"\s*\d+\s*-\s*\d+\s*", item):
                a, b = (int(x) for x in item.split("-"))
                if b < a:
                    raise ValueError(f"range {item!r} ends before it starts")
                out += range(a, b + 1)
            else:
                out.append(item)
        return tuple(out)

    @property
    def fixed(self) -> dict[str, Any]:
        """Field values that are the same for every row (constants, reporter, source)."""
        return self._fixed

    @property
    def label(self) -> str:
        """The mapping's name (given, or its type) as shown in summaries and quarantine."""
        return self.name or self.type

    @property
    def index(self) -> int:
        """Position in the mapping file's list (0-based)."""
        return self._index

    def referenced_columns(self) -> list[tuple[str, Path_]]:
        """Every column name this mapping reads, with the mapping-file path that names it."""
        out: list[tuple[str, Path_]] = []
        for target, spec in self.columns.items():
            out += [(c, ("columns", target, "column")) for c in spec.column]
        out += [(c, ("skip_if_empty",)) for c in self.skip_if_empty]
        out += [(c, ("skip_if", c)) for c in self.skip_if]
        out += [(c, ("where", c)) for c in self.where]
        if self.replaces_column is not None:
            out.append((self.replaces_column, ("replaces_column",)))
        return out


class MappingFile(_Strict):
    """A mapping file: one or more mappings, and how to read a CSV."""

    mappings: tuple[ImportMapping, ...] = Field(min_length=1)
    encoding: str | None = Field(None, description="CSV text encoding; sniffed if not given")
    delimiter: str | None = Field(None, min_length=1, max_length=1, description="CSV delimiter")
    format: Literal["form"] | None = Field(
        None, description="form: a KoBoToolbox or ODK Central submission export"
    )
    preset: str | None = Field(None, description="the preset this file was made from")

    _file: str = PrivateAttr("<mapping>")
    _marks: Marks | None = PrivateAttr(None)

    @property
    def file(self) -> str:
        return self._file

    def position(self, path: Path_) -> str:
        """FILE:LINE:COLUMN of the deepest known node on ``path`` (or just FILE)."""
        return locate(self._file, self._marks, tuple(path))

    def error(self, path: Path_, reason: str) -> MappingError:
        """A MappingError at ``path``, saying where in the file and which key."""
        return MappingError(
            f"{_dotted(path)}: {reason}" if path else reason, where=self.position(path)
        )


def _dotted(path: Path_) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


_KNOWN_KEYS = sorted(
    set(MappingFile.model_fields)
    | set(ImportMapping.model_fields)
    | set(ColumnSpec.model_fields)
    | set(NumberFormat.model_fields)
    | set(SourceSpec.model_fields)
)


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _pydantic_error(mf: MappingFile, exc: ValidationError) -> MappingError:
    errs = exc.errors(include_url=False)
    # A list whose only item is bad is also "too short": report the item, not the list.
    errs = [e for e in errs if e.get("type") != "too_short"] or errs
    first = errs[0]
    path: Path_ = tuple(first.get("loc", ()))
    msg = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    if first.get("type") == "extra_forbidden" and path:
        msg = f"unknown key {path[-1]!r}{_suggest(str(path[-1]), _KNOWN_KEYS)}"
    elif first.get("type") == "missing":
        msg = "missing; this key is required"
    elif first.get("type") == "too_short" and path == ("mappings",):
        msg = "give at least one mapping"
    more = len(errs) - 1
    if more:
        msg += f" (and {more} more problem{'s' if more > 1 else ''})"
    return mf.error(path, msg)


def parse_mapping(text: str, name: str = "<mapping>") -> MappingFile:
    """Parse and check a mapping file's text; ``name`` is used in error positions."""
    shell = MappingFile.model_construct(mappings=())
    shell._file = name
    doc = parse_yaml(text, name, error=MappingError)
    data, marks = doc.data, doc.marks
    shell._marks = marks
    if not isinstance(data, dict):
        raise MappingError(
            "a mapping file is a YAML mapping with a 'mappings:' list (see docs/import.md)",
            where=name,
        )
    if "preset" in data:
        from corridor.ingest.presets import expand

        data = expand(data, shell.error)
    try:
        mf = MappingFile.model_validate(data)
    except ValidationError as exc:
        raise _pydantic_error(shell, exc) from None
    mf._file, mf._marks = name, marks
    from corridor.ingest.checks import check_mapping

    check_mapping(mf)
    return mf


def preset_mapping(name: str, params: dict[str, Any]) -> MappingFile:
    """The mapping file a preset makes with ``params`` (``corridor import --preset NAME``)."""
    from corridor.ingest.presets import expand

    shell = MappingFile.model_construct(mappings=())
    shell._file = f"preset {name}"
    data = expand({"preset": name, **params}, shell.error)
    try:
        mf = MappingFile.model_validate(data)
    except ValidationError as exc:
        raise _pydantic_error(shell, exc) from None
    mf._file = shell._file
    from corridor.ingest.checks import check_mapping

    check_mapping(mf)
    return mf


def load_mapping(path: str | Path) -> MappingFile:
    """Read and check a mapping file; MappingError (FILE:LINE:COLUMN) if it is malformed."""
    p = Path(path)
    return parse_mapping(read_source(p, MappingError, what="mapping file"), p.name)
