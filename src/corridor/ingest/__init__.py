"""Import files through mappings: readers (CSV, XLSX, XLS, ODS), the mapping format, rows into
observations, and the quarantine of rows that cannot be imported. See docs/import.md."""

from corridor.ingest.mapping import (
    ColumnSpec,
    ImportMapping,
    MappingFile,
    NumberFormat,
    SourceSpec,
    load_mapping,
    parse_mapping,
)
from corridor.ingest.quarantine import (
    check_quarantine_target,
    default_quarantine_path,
    write_quarantine,
)
from corridor.ingest.readers import Table, open_table
from corridor.ingest.run import (
    ImportPlan,
    ImportSummary,
    Planned,
    Progress,
    Rejection,
    Skip,
    plan_import,
    summarise,
)
from corridor.ingest.values import parse_number, parse_time

__all__ = [
    "ColumnSpec",
    "ImportMapping",
    "ImportPlan",
    "ImportSummary",
    "MappingFile",
    "NumberFormat",
    "Planned",
    "Progress",
    "Rejection",
    "Skip",
    "SourceSpec",
    "Table",
    "check_quarantine_target",
    "default_quarantine_path",
    "load_mapping",
    "open_table",
    "parse_mapping",
    "parse_number",
    "parse_time",
    "plan_import",
    "summarise",
    "write_quarantine",
]
