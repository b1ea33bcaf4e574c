"""Read a case from YAML: validate every item, check every reference, name FILE:LINE:COLUMN.

An observation of a case may carry ``ref: NAME`` (a label local to the case, not part of the
observation); a later correction, retraction or attestation names it as ``"@NAME"`` where an id
goes (``supersedes.id``, ``body.retracts``, ``body.about``). The case's corrections,
retractions and attestations are checked as admission checks them (docs/record.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from corridor.errors import ConflictError, InputError, RecordError
from corridor.model import (
    Checkpoint,
    Observation,
    Organisation,
    Place,
    Registry,
    Route,
    parse_instant,
    record_error_from,
)
from corridor.model.history import Entry, History
from corridor.model.observation import parse_observation
from corridor.source import YamlDoc, load_yaml_file

__all__ = ["BUILTIN", "Case", "builtin_cases", "load_case"]

_HERE = Path(__file__).parent
BUILTIN: dict[str, Path] = {"lachin-2023": _HERE / "lachin_2023"}

_TOP_KEYS = {
    "name",
    "title",
    "description",
    "synthetic",
    "timezone",
    "demo",
    "organisations",
    "places",
    "routes",
    "checkpoints",
    "observations",
    "include",
    "rules",
    "scenarios",
    "sources",
}


@dataclass
class Case:
    """A loaded, validated case."""

    name: str
    title: str
    path: Path
    description: str = ""
    synthetic: bool = False
    organisations: list[Organisation] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    checkpoints: list[Checkpoint] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    rules: list[Path] = field(default_factory=list)
    scenarios: list[Path] = field(default_factory=list)
    demo_dates: list[datetime] = field(default_factory=list)

    @property
    def registry(self) -> Registry:
        return Registry.of(self.organisations, self.places, self.routes, self.checkpoints)


def builtin_cases() -> dict[str, str]:
    """Built-in case name -> title."""
    out = {}
    for name, folder in BUILTIN.items():
        doc = _read(folder / "case.yaml")
        title = doc.data.get("title", name) if isinstance(doc.data, Mapping) else name
        out[name] = str(title)
    return out


def _read(path: Path) -> YamlDoc:
    """A case file or an included file, read within bounds in the one YAML dialect."""
    return load_yaml_file(str(path))


def _items(doc: YamlDoc, key: str, model: type[BaseModel]) -> list[Any]:
    raw = doc.data.get(key) or []
    if not isinstance(raw, list):
        raise InputError(f"{key} must be a list", where=doc.where(key))
    out = []
    for i, item in enumerate(raw):
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            err = record_error_from(exc)
            loc = err.field
            sub = tuple(loc.split(".")) if loc else ()
            path = (key, i, *(int(p) if p.isdigit() else p for p in sub))
            raise RecordError(
                err.reason, field=f"{key}[{i}]" + (f".{loc}" if loc else ""), where=doc.where(*path)
            ) from None
    return out


def load_case(name_or_path: str | Path) -> Case:
    """Load a built-in case by name, or a case YAML file, or a folder holding ``case.yaml``."""
    if isinstance(name_or_path, str) and name_or_path in BUILTIN:
        path = BUILTIN[name_or_path] / "case.yaml"
    else:
        path = Path(name_or_path)
        if _is_dir(path):
            path = path / "case.yaml"
        if not _exists(path):
            known = ", ".join(BUILTIN)
            raise InputError(
                f"no such case file or folder, and not a built-in case (built-in: {known})",
                where=str(name_or_path),
            )
    doc = _read(path)
    if not isinstance(doc.data, Mapping):
        raise InputError("a case file must be a YAML mapping", where=doc.where())
    for k in doc.data:
        if k not in _TOP_KEYS:
            raise InputError(
                f"unknown key {k!r}; expected some of {', '.join(sorted(_TOP_KEYS))}",
                where=doc.where(k),
            )
    base = path.parent
    case = Case(
        name=str(doc.data.get("name") or path.parent.name),
        title=str(doc.data.get("title") or doc.data.get("name") or path.stem),
        path=path,
        description=str(doc.data.get("description") or ""),
        synthetic=bool(doc.data.get("synthetic", False)),
    )
    docs = [doc]
    for i, inc in enumerate(_list(doc, "include")):
        p = base / str(inc)
        if not _is_file(p):
            raise InputError(f"included file {inc!r} does not exist", where=doc.where("include", i))
        sub = _read(p)
        if not isinstance(sub.data, Mapping):
            raise InputError("an included file must be a YAML mapping", where=sub.where())
        docs.append(sub)
    for d in docs:
        case.organisations += _items(d, "organisations", Organisation)
        case.places += _items(d, "places", Place)
        case.routes += _items(d, "routes", Route)
        case.checkpoints += _items(d, "checkpoints", Checkpoint)
    _check_unique(doc, case)
    reg = case.registry
    for d in docs:
        for i, r in enumerate(_items(d, "routes", Route)):
            reg.check_route(r, where=d.where("routes", i))
        for i, c in enumerate(_items(d, "checkpoints", Checkpoint)):
            reg.check_checkpoint(c, where=d.where("checkpoints", i))
    tz = doc.data.get("timezone")
    if tz is not None and not isinstance(tz, str):
        raise InputError("timezone must be a zone name or offset", where=doc.where("timezone"))
    refs: dict[str, str] = {}
    history = History()
    for d in docs:
        raw = d.data.get("observations") or []
        if not isinstance(raw, list):
            raise InputError("observations must be a list", where=d.where("observations"))
        for i, item in enumerate(raw):
            where = d.where("observations", i)
            if not isinstance(item, Mapping):
                raise RecordError("an observation must be a mapping", where=where)
            item, ref = _resolve_refs(item, refs, d, i)
            obs = parse_observation(_with_tz(item, tz, where), where=where)
            reg.check(obs, where=where)
            try:
                history.add(Entry.of(obs))
            except RecordError as exc:
                raise RecordError(exc.reason, field=exc.field, where=where) from None
            except ConflictError as exc:
                raise RecordError(exc.message, where=where) from None
            if ref is not None:
                refs[ref] = obs.id
            case.observations.append(obs)
    for key, target in (("rules", case.rules), ("scenarios", case.scenarios)):
        for i, rel in enumerate(_list(doc, key)):
            p = base / str(rel)
            if not _is_file(p):
                raise InputError(f"{key} file {rel!r} does not exist", where=doc.where(key, i))
            target.append(p)
    demo = doc.data.get("demo") or {}
    if not isinstance(demo, Mapping):
        raise InputError("demo must be a mapping (status_at: [...])", where=doc.where("demo"))
    for i, d in enumerate(_list(doc, "demo", "status_at")):
        try:
            case.demo_dates.append(parse_instant(str(d), tz))
        except ValueError as exc:
            raise InputError(str(exc), where=doc.where("demo", "status_at", i)) from None
    return case


_REF_PATHS = (("supersedes", "id"), ("body", "retracts"), ("body", "about"))


def _resolve_refs(
    item: Mapping[str, Any], refs: Mapping[str, str], doc: YamlDoc, i: int
) -> tuple[dict[str, Any], str | None]:
    """The item without its ``ref`` label, with every ``"@NAME"`` it names replaced by the id
    of the observation labelled NAME before it; and its own label."""
    out = dict(item)
    ref = out.pop("ref", None)
    if ref is not None and (not isinstance(ref, str) or not ref or ref in refs):
        why = "is used twice" if ref in refs else "must be a name"
        raise RecordError(
            f"the label {ref!r} {why}", field="ref", where=doc.where("observations", i, "ref")
        )
    for outer, key in _REF_PATHS:
        part = out.get(outer)
        value = part.get(key) if isinstance(part, Mapping) else None
        if isinstance(value, str) and value.startswith("@"):
            assert isinstance(part, Mapping)
            if value[1:] not in refs:
                raise RecordError(
                    f"no observation labelled {value[1:]!r} before this one (ref: {value[1:]})",
                    field=f"{outer}.{key}",
                    where=doc.where("observations", i, outer, key),
                )
            out[outer] = {**part, key: refs[value[1:]]}
    return out, ref


def _list(doc: YamlDoc, *path: str) -> list[Any]:
    """The list at ``path`` (empty when absent), or InputError naming the key."""
    value: Any = doc.data
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{'.'.join(path)} must be a list", where=doc.where(*path))
    return value


def _is_dir(p: Path) -> bool:
    try:
        return p.is_dir()
    except (OSError, ValueError):
        return False


def _exists(p: Path) -> bool:
    try:
        return p.exists()
    except (OSError, ValueError):
        return False


def _is_file(p: Path) -> bool:
    """Whether ``p`` names something to read (an unusable name, e.g. too long, is not)."""
    try:
        return p.exists() and not p.is_dir()
    except (OSError, ValueError):
        return False


def _check_unique(doc: YamlDoc, case: Case) -> None:
    for key, items in (
        ("organisations", case.organisations),
        ("places", case.places),
        ("routes", case.routes),
        ("checkpoints", case.checkpoints),
    ):
        seen: set[str] = set()
        for it in items:
            if it.id in seen:
                raise RecordError(f"duplicate id {it.id!r}", field=key, where=doc.name)
            seen.add(it.id)


def _with_tz(item: Mapping[str, Any], tz: str | None, where: str) -> dict[str, Any]:
    """Apply the case's default time zone to naive observed/reported times."""
    out = dict(item)
    if tz is None:
        return out
    try:
        obs = out.get("observed")
        if isinstance(obs, str | datetime):
            out["observed"] = {"start": parse_instant(obs, tz)}
        elif isinstance(obs, Mapping):
            out["observed"] = {
                k: (parse_instant(v, tz) if k in ("start", "end") and v is not None else v)
                for k, v in obs.items()
            }
        if out.get("reported_at") is not None:
            out["reported_at"] = parse_instant(out["reported_at"], tz)
    except ValueError as exc:
        raise RecordError(str(exc), field="observed", where=where) from None
    return out
