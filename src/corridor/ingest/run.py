"""Plan an import: read a file through a mapping file into accepted observations, duplicates,
skipped rows and rejected rows with reasons. Nothing is written here; the caller submits the
accepted observations and writes the rejected rows to quarantine.

Every data row ends somewhere: for each mapping that selects it, it is accepted, a duplicate of
an earlier row's observation, skipped (``skip_if_empty`` ...) or rejected; a row no mapping
selects is rejected too. So with one mapping, accepted + duplicates + skipped + rejected is the
number of data rows.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from corridor.errors import InputError
from corridor.ingest.fields import ENTITY_FIELDS
from corridor.ingest.mapping import ImportMapping, MappingFile
from corridor.ingest.readers import (
    Table,
    UnreadableRow,
    file_kind,
    has_sheets,
    open_table,
    sheet_names,
)
from corridor.ingest.readers.hxl import parse_tag_pattern
from corridor.ingest.rows import (
    Entity,
    Provenance,
    RowRejected,
    build_entity,
    build_observation,
    selects,
    skip_reason,
)
from corridor.ingest.values import cell_text
from corridor.model import BODY_TYPES, Observation, Registry
from corridor.model.bodies import personal_fields

__all__ = [
    "PROVENANCE_COLUMNS",
    "ImportPlan",
    "ImportSummary",
    "Planned",
    "Progress",
    "Rejection",
    "Skip",
    "copy_registry",
    "plan_import",
    "summarise",
]

# Columns the quarantine file adds; a file that has _file and _row is a corrected quarantine
# file, and its rows keep the provenance (and so the ids) of the rows they came from.
PROVENANCE_COLUMNS = ("_file", "_sheet", "_row", "_mapping", "_error")


class Progress(Protocol):
    """Told how far reading has got: ``start`` once per table read, then ``advance`` per row."""

    def start(self, label: str, total: int | None) -> None: ...

    def advance(self, n: int = 1) -> None: ...


@dataclass(frozen=True)
class Planned:
    """An observation made from a row by a mapping."""

    observation: Observation
    mapping: str
    row: int
    sheet: str | None = None
    replaces: str | None = None  # the source.ref of the record this row's record replaces


@dataclass(frozen=True)
class Rejection:
    """A row a mapping could not turn into an observation, with its original values."""

    file: str
    row: int
    sheet: str | None
    mapping: str | None
    error: str
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """'row 14, column trucks_in: ...' (with the sheet for workbooks)."""
        at = f"sheet {self.sheet}, row {self.row}" if self.sheet else f"row {self.row}"
        return f"{at}, {self.error}"


@dataclass(frozen=True)
class Skip:
    row: int
    sheet: str | None
    mapping: str
    reason: str


@dataclass
class ImportPlan:
    """What importing a file would do."""

    path: Path
    mapping_file: str
    rows: int = 0
    accepted: list[Planned] = field(default_factory=list)
    duplicates: list[Planned] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    has_sheets: bool = False
    personal_columns: set[str] = field(default_factory=set)  # columns feeding personal fields
    encoding: str | None = None  # of a text file: the codec read with
    encoding_source: str | None = None  # 'bom', 'utf-8', 'mapping' or 'detected'
    entities: list[Entity] = field(default_factory=list)  # places, checkpoints to put
    entity_counts: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> outcome -> n
    absent_sheets: list[str] = field(default_factory=list)  # optional sheets the file lacks
    entities_seen: set[tuple[str, str]] = field(default_factory=set)  # (type, id) counted
    hashtags: dict[str, str] = field(default_factory=dict)  # column -> HXL hashtag, if any
    kind: str = "csv"
    stale: int = 0  # skipped rows the record holds a later state of (ingest.revisions)

    @property
    def observations(self) -> list[Observation]:
        """The distinct observations to submit, in file order."""
        return [p.observation for p in self.accepted]

    def count_entity(self, kind: str, outcome: str) -> None:
        per = self.entity_counts.setdefault(
            kind, {"added": 0, "updated": 0, "unchanged": 0, "kept": 0}
        )
        per[outcome] += 1


def _resolve_columns(mf: MappingFile, m: ImportMapping, table: Table) -> dict[str, str]:
    """Map each column name the mapping uses to the header's spelling (exact, else ignoring
    case and spaces); MappingError at the mapping-file line if a column is missing."""
    header = list(table.columns)
    loose = {" ".join(c.split()).casefold(): c for c in header}
    aliases = {" ".join(a.split()).casefold(): c for a, c in table.aliases.items()}
    out: dict[str, str] = {}
    for name, path in m.referenced_columns():
        if name in out:
            continue
        if name in header:
            out[name] = name
            continue
        where = f"{table.path.name}, sheet {table.sheet}" if table.sheet else table.path.name
        if name.startswith("#"):  # an HXL tag pattern: the first column it matches
            pattern = parse_tag_pattern(name)
            found = next((c for c, t in zip(header, table.tags, strict=False)
                          if pattern.matches(t)), None)  # fmt: skip
            if found is None:
                tags = ", ".join(t.spec for t in table.tags if t is not None) or "none"
                raise mf.error(
                    ("mappings", m.index, *path),
                    f"no column of {where} is tagged {name!r} (hashtags: {tags})",
                )
            out[name] = found
            continue
        key = " ".join(name.split()).casefold()
        found = loose.get(key) or table.aliases.get(name) or aliases.get(key)
        if found is not None:
            out[name] = found
            continue
        if path[0] == "columns" and m.columns[str(path[1])].optional:
            continue  # a column the file may lack: its field stays empty
        close = difflib.get_close_matches(name, header, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise mf.error(
            ("mappings", m.index, *path),
            f"no column {name!r} in {where}; {hint}(columns: {', '.join(header)})",
        )
    return out


def _groups(
    mf: MappingFile, kind: str, sheet: str | None
) -> dict[tuple[str | None, int], list[ImportMapping]]:
    groups: dict[tuple[str | None, int], list[ImportMapping]] = {}
    for m in mf.mappings:
        s = (sheet or m.sheet) if has_sheets(kind) else None
        groups.setdefault((s, m.header_row), []).append(m)
    return groups


def _provenance(
    path: Path, table: Table, number: int, row: Mapping[str, Any]
) -> tuple[Provenance, str | None]:
    """The row's provenance, and the one mapping it is restricted to (quarantine files)."""
    if "_file" in table.columns and "_row" in table.columns:
        text = cell_text(row.get("_row"))
        if not text.isdigit() or int(text) < 1:
            raise RowRejected(f"column _row: {text!r} is not a row number")
        prov = Provenance(
            cell_text(row.get("_file")) or path.name,
            cell_text(row.get("_sheet")) or None,
            int(text),
        )
        return prov, cell_text(row.get("_mapping")) or None
    return Provenance(path.name, table.sheet, number), None


def _no_mapping(mappings: Iterable[ImportMapping]) -> str:
    conds = []
    for m in mappings:
        where = " and ".join(f"{c} is {' or '.join(map(repr, v))}" for c, v in m.where.items())
        conds.append(f"{m.label} wants {where}")
    return "no mapping selects this row (" + "; ".join(conds) + ")"


def plan_import(
    path: str | Path,
    mapping: MappingFile,
    registry: Registry | None = None,
    sheet: str | None = None,
    *,
    progress: Progress | None = None,
) -> ImportPlan:
    """Read ``path`` (CSV, or a workbook: the mapping's sheet, ``sheet``, or the first) through
    every mapping of ``mapping``; check references against ``registry`` when given.

    Raises InputError if the file cannot be read, MappingError if a mapping names a column the
    file does not have; bad rows never raise, they are rejected with a reason.
    ``progress`` hears of each table (with its estimated number of rows) and of each row read.
    """
    p = Path(path)
    kind = file_kind(p, mapping.format)
    if sheet is not None and not has_sheets(kind):
        raise InputError(
            f"a {kind.upper()} file has no sheets; only workbooks do (XLSX, XLS, ODS)",
            where=p.name,
        )
    plan = ImportPlan(p, mapping.file, has_sheets=has_sheets(kind), kind=kind)
    seen: dict[str, Planned] = {}
    known = Registry.of() if registry is None else copy_registry(registry)
    present: list[str] | None = None
    for (sheet_name, header_row), mappings in _groups(mapping, kind, sheet).items():
        if sheet_name is not None and all(m.optional for m in mappings):
            if present is None:
                present = sheet_names(p, mapping.format)
            if sheet_name not in present:
                plan.absent_sheets.append(sheet_name)
                continue
        table = open_table(
            p,
            sheet=sheet_name,
            header_row=header_row,
            encoding=mapping.encoding,
            delimiter=mapping.delimiter,
            format=mapping.format,
        )
        plan.encoding, plan.encoding_source = table.encoding, table.encoding_source
        cols = {m.label: _resolve_columns(mapping, m, table) for m in mappings}
        plan.personal_columns |= _personal_columns(mappings, cols)
        unescape = "_file" in table.columns and "_row" in table.columns  # a quarantine file
        if progress is not None:
            where = f"{p.name}, sheet {table.sheet}" if table.sheet else p.name
            progress.start(f"reading {where}", table.estimated_rows)
        plan.columns += [c for c in table.columns if c not in plan.columns]
        for c, tag in zip(table.columns, table.tags, strict=False):
            if tag is not None:
                plan.hashtags.setdefault(c, tag.spec)
        for number, row in table.rows():
            plan.rows += 1
            if progress is not None:
                progress.advance(1)
            if isinstance(row, UnreadableRow):
                plan.rejected.append(
                    Rejection(p.name, number, table.sheet, None, row.reason, row.values)
                )
                continue
            for extra in row:
                if extra not in plan.columns:
                    plan.columns.append(extra)
            if unescape:
                row = {k: unescape_cell(v) for k, v in row.items()}
            _plan_row(plan, seen, p, table, number, row, mappings, cols, registry, known)
    return plan


def copy_registry(registry: Registry) -> Registry:
    """A registry whose tables can grow without changing ``registry``."""
    return Registry(
        dict(registry.organisations),
        dict(registry.places),
        dict(registry.routes),
        dict(registry.checkpoints),
    )


def _plan_entity(
    plan: ImportPlan,
    m: ImportMapping,
    entity: Entity,
    registry: Registry | None,
    known: Registry,
) -> None:
    """Count a place or checkpoint a row gives (added, updated, unchanged, or kept: the record
    has another version and the mapping keeps it) and keep it to be put."""
    kinds = "places" if m.type == "place" else "checkpoints"
    table: dict[str, Any] = known.places if m.type == "place" else known.checkpoints
    planned = next((e for e in plan.entities if type(e) is type(entity) and e.id == entity.id),
                   None)  # fmt: skip
    if planned is not None:
        if planned != entity:
            raise RowRejected(f"{m.type} {entity.id!r} is given twice, with different values")
        return
    recorded = None
    if registry is not None:
        recorded = (registry.places if m.type == "place" else registry.checkpoints).get(entity.id)
    if recorded is not None and (recorded == entity or m.on_existing == "keep"):
        if (m.type, entity.id) not in plan.entities_seen:
            plan.entities_seen.add((m.type, entity.id))
            plan.count_entity(kinds, "unchanged" if recorded == entity else "kept")
        return
    table[entity.id] = entity
    plan.entities.append(entity)
    plan.count_entity(kinds, "added" if recorded is None else "updated")


def _personal_columns(
    mappings: Iterable[ImportMapping], cols: Mapping[str, Mapping[str, str]]
) -> set[str]:
    """The file's columns that a mapping reads into a field identifying a person."""
    out: set[str] = set()
    for m in mappings:
        body = BODY_TYPES.get(m.type)
        if body is None:
            continue
        personal = personal_fields(body)
        for target, spec in m.columns.items():
            if target.removeprefix("body.") in personal:
                out.update(cols[m.label].get(c, c) for c in spec.column)
    return out


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d+)*)$")


def escape_cell(text: str) -> str:
    """A cell as written to a quarantine CSV: one a spreadsheet would run as a formula
    (``=``, ``+``, ``-``, ``@``, tab, carriage return first) gets a leading ``'``; plain numbers
    such as ``-2`` stay as they are."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def unescape_cell(value: Any) -> Any:
    """The inverse of :func:`escape_cell`, for a quarantine file read back."""
    if isinstance(value, str) and value[:1] == "'" and value[1:].startswith(_FORMULA_START):
        return value[1:]
    return value


def _plan_row(
    plan: ImportPlan,
    seen: dict[str, Planned],
    path: Path,
    table: Table,
    number: int,
    row: Mapping[str, Any],
    mappings: list[ImportMapping],
    cols: Mapping[str, Mapping[str, str]],
    registry: Registry | None,
    known: Registry,
) -> None:
    try:
        prov, only = _provenance(path, table, number, row)
    except RowRejected as exc:
        plan.rejected.append(Rejection(path.name, number, table.sheet, None, str(exc), row))
        return
    if only is not None and all(m.label != only for m in mappings):
        plan.rejected.append(
            Rejection(prov.file, prov.row, prov.sheet, only, f"no mapping named {only!r}", row)
        )
        return
    outcomes = 0
    for m in mappings:
        if only is not None and m.label != only:
            continue
        c = cols[m.label]
        if not selects(m, row, c):
            continue
        outcomes += 1
        reason = skip_reason(m, number, row, c)
        if reason is not None:
            plan.skipped.append(Skip(prov.row, prov.sheet, m.label, reason))
            continue
        try:
            if m.type in ENTITY_FIELDS:
                _plan_entity(plan, m, build_entity(m, row, c, known), registry, known)
                continue
            obs = build_observation(m, row, c, prov, known if registry is not None else None)
        except RowRejected as exc:
            plan.rejected.append(Rejection(prov.file, prov.row, prov.sheet, m.label, str(exc), row))
            continue
        replaces = None
        if m.replaces_column is not None:
            replaces = cell_text(row.get(c.get(m.replaces_column, m.replaces_column))) or None
        planned = Planned(obs, m.label, prov.row, prov.sheet, replaces)
        if obs.id in seen:
            plan.duplicates.append(planned)
        else:
            seen[obs.id] = planned
            plan.accepted.append(planned)
    if outcomes == 0:
        plan.rejected.append(
            Rejection(prov.file, prov.row, prov.sheet, None, _no_mapping(mappings), row)
        )


@dataclass
class ImportSummary:
    """What an import did (or, with dry_run, would do)."""

    file: str
    mapping: str
    dry_run: bool
    rows: int
    accepted: int
    duplicates: int
    rejected: int
    skipped: int
    quarantine: str | None
    first_rejected: list[Rejection]
    tree_size: int | None
    encoding: str | None = None  # the text encoding read with (None for workbooks)
    encoding_source: str | None = None  # 'bom', 'utf-8', 'mapping' or 'detected'
    entities: dict[str, dict[str, int]] = field(default_factory=dict)
    absent_sheets: list[str] = field(default_factory=list)
    corrected: int = 0  # of ``accepted``: corrections (a revision superseding a version)
    retracted: int = 0  # of ``accepted``: retractions (a deletion)
    stale: int = 0  # of ``skipped``: the record holds a later state

    @property
    def counts(self) -> dict[str, int]:
        """Every row's outcome: new observations, corrected, retracted, unchanged (already on
        the record, or repeated in the file), stale, skipped, quarantined."""
        return {
            "new": self.accepted - self.corrected - self.retracted,
            "corrected": self.corrected,
            "retracted": self.retracted,
            "unchanged": self.duplicates,
            "stale": self.stale,
            "skipped": self.skipped - self.stale,
            "quarantined": self.rejected,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "mapping": self.mapping,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "quarantine": self.quarantine,
            "first_rejected": [
                {
                    "row": r.row,
                    **({"sheet": r.sheet} if r.sheet else {}),
                    "mapping": r.mapping,
                    "error": r.error,
                }
                for r in self.first_rejected
            ],
            "tree_size": self.tree_size,
            "encoding": self.encoding,
            "encoding_source": self.encoding_source,
            "entities": self.entities,
            "absent_sheets": self.absent_sheets,
            "counts": self.counts,
        }


def summarise(
    plan: ImportPlan,
    *,
    duplicate_ids: Iterable[str] = (),
    quarantine: str | Path | None = None,
    tree_size: int | None = None,
    dry_run: bool = False,
    first: int = 10,
) -> ImportSummary:
    """Counts for an import of ``plan`` where ``duplicate_ids`` were already in the record."""
    dup = set(duplicate_ids)
    already = sum(1 for p in plan.accepted if p.observation.id in dup)
    fresh = [p.observation for p in plan.accepted if p.observation.id not in dup]
    return ImportSummary(
        file=plan.path.name,
        mapping=plan.mapping_file,
        dry_run=dry_run,
        rows=plan.rows,
        accepted=len(plan.accepted) - already,
        duplicates=len(plan.duplicates) + already,
        rejected=len(plan.rejected),
        skipped=len(plan.skipped),
        quarantine=str(quarantine) if quarantine is not None else None,
        first_rejected=plan.rejected[:first],
        tree_size=tree_size,
        encoding=plan.encoding,
        encoding_source=plan.encoding_source,
        entities=plan.entity_counts,
        absent_sheets=plan.absent_sheets,
        corrected=sum(1 for o in fresh if o.supersedes is not None),
        retracted=sum(1 for o in fresh if o.type == "retraction"),
        stale=plan.stale,
    )
