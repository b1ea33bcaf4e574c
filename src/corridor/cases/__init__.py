"""Cases: a corridor's organisations, places, routes and checkpoints, with optional observations,
rules and scenarios, in a YAML file or folder (see docs/cases.md). Built-in cases live here."""

from __future__ import annotations

from corridor.cases.loader import BUILTIN, Case, builtin_cases, load_case

__all__ = ["BUILTIN", "Case", "builtin_cases", "load_case"]
