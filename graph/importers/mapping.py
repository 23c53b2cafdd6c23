"""Column mappings for spreadsheet imports: which column holds what, declared in a TOML file.

A mapping file has a ``[mapping]`` table (``kind`` = "participants" or "partners", ``network_type``,
``organisation_sector``, ``required``, optional ``sheet``), a ``[columns]`` table from field to the
column name (or a list of accepted names) and an optional ``[defaults]`` table of values used
when a cell is empty. See docs/curators.md.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import InputError

SHIPPED = Path(__file__).resolve().parent / "mappings"

FIELDS = {
    "participants": ("person", "role", "organisation", "network", "start", "end", "period", "job_title", "sector"),
    "partners": ("organisation", "network", "role", "start", "end", "period", "sector"),
}
ALWAYS_REQUIRED = {"participants": ("role", "network"), "partners": ("organisation", "network", "role")}

FIELD_HELP = {
    "person": "the person's name", "role": "the role", "organisation": "the organisation",
    "network": "the network", "start": "the start date", "end": "the end date", "period": "the period",
    "job_title": "the job title", "sector": "the organisation's sector",
}


@dataclass
class Mapping:
    """A parsed column mapping."""

    name: str
    kind: str
    columns: dict[str, list[str]]
    required: tuple[str, ...]
    network_type: str = "leernetwerk"
    organisation_sector: str = "overig"
    sheet: str | None = None
    defaults: dict[str, str] = field(default_factory=dict)


def shipped_mappings() -> list[str]:
    """The names of the mappings that come with leernet."""
    return sorted(p.stem for p in SHIPPED.glob("*.toml"))


def find_mapping(spec: str | Path | None) -> Path:
    """The mapping file a ``--mapping`` value names: a shipped mapping's name, or a path."""
    if spec is None or str(spec).strip() == "":
        raise InputError("a spreadsheet import needs a column mapping",
                         [f"pass --mapping with one of: {', '.join(shipped_mappings())}, or a .toml file"])
    text = str(spec)
    shipped = SHIPPED / f"{text}.toml"
    if "/" not in text and "\\" not in text and shipped.is_file():
        return shipped
    path = Path(text)
    if path.is_file():
        return path
    raise InputError(f"no mapping '{text}'",
                     [f"shipped mappings: {', '.join(shipped_mappings())}; or give the path of a .toml file"])


def load_mapping(spec: str | Path | None) -> Mapping:
    """Read and check a mapping; InputError naming the file, key and fix when it is wrong."""
    path = find_mapping(spec)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"mapping {path}: not valid TOML: {error}",
                         ["see docs/curators.md for the mapping file format"]) from error
    head = data.get("mapping", {})
    kind = head.get("kind")
    problems = []
    if kind not in FIELDS:
        problems.append(f"[mapping] kind = {kind!r}: use \"participants\" or \"partners\"")
        raise InputError(f"mapping {path}: {len(problems)} problem(s)", problems)
    columns: dict[str, list[str]] = {}
    for key, value in (data.get("columns") or {}).items():
        if key not in FIELDS[kind]:
            problems.append(f"[columns] {key}: unknown field for kind {kind}; use {', '.join(FIELDS[kind])}")
        elif isinstance(value, str) and value.strip():
            columns[key] = [value]
        elif isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
            columns[key] = list(value)
        else:
            problems.append(f"[columns] {key} = {value!r}: give a column name or a list of names")
    required = tuple(dict.fromkeys([*ALWAYS_REQUIRED[kind], *head.get("required", [])]))
    defaults = {k: str(v) for k, v in (data.get("defaults") or {}).items()}
    for key in required:
        if key not in FIELDS[kind]:
            problems.append(f"[mapping] required: unknown field {key!r}; use {', '.join(FIELDS[kind])}")
        elif key not in columns and key not in defaults:
            problems.append(f"[columns] {key}: required but no column given; add {key} = \"<column name>\"")
    for key in defaults:
        if key not in FIELDS[kind]:
            problems.append(f"[defaults] {key}: unknown field; use {', '.join(FIELDS[kind])}")
    if problems:
        raise InputError(f"mapping {path}: {len(problems)} problem(s)", problems)
    return Mapping(
        name=path.name, kind=kind, columns=columns, required=required,
        network_type=str(head.get("network_type", "leernetwerk")),
        organisation_sector=str(head.get("organisation_sector", "overig")),
        sheet=head.get("sheet"), defaults=defaults,
    )
