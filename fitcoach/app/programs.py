"""A patient's programs for the physiotherapist (the Programs page, `fitcoach profiles program`):
the patient's details with the newest program, saving a program as the next version, the
program file written from the table's cells, the progress report and the FHIR export.

A program is always read through `fitcoach.core.programs`' parser (`parse_program`), from the
store as from a file: a stored program that no longer validates (an exercise left the catalog)
is reported, never used. Runs on the caller's thread."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from fitcoach.app.database import Database, StoreError
from fitcoach.core.errors import ValidationError
from fitcoach.core.programs import Program, latest_program, parse_program

COLUMNS = ("id", "sets", "reps", "hold_s", "tempo", "rest_s", "safe_min", "safe_max", "target")
TEXT_KEYS = ("id", "tempo")  # written as TOML strings; the others as numbers when they are


@dataclass(frozen=True)
class Patient:
    """A patient as stored: `stored` False for a name not in the history yet; the newest program
    (validated) and its version, or None; `problem`: why the stored program cannot be used."""

    name: str
    stored: bool = False
    age_band: str | None = None
    level: str | None = None
    conditions: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    program: Program | None = None
    version: int | None = None
    problem: str | None = None


def load_patient(db: Database, name: str, catalog) -> Patient:
    """NAME's details and newest program. Raises the store's `FitCoachError` when the history
    cannot be opened or read."""
    store = db.store()
    try:
        prof = store.profile_record(name).to_row()
    except StoreError:
        return Patient(name)  # not stored yet: a new patient
    rows = [r.to_row() for r in store.programs(name)]
    found, problem = None, None
    try:
        found = latest_program({"programs": rows}, catalog)
    except ValidationError as e:  # stored, but no longer valid (e.g. an exercise left the catalog)
        problem = str(e)
    return Patient(name, True, prof.get("age_band"), prof.get("level"),
                   tuple(json.loads(prof.get("conditions") or "[]")), tuple(json.loads(prof.get("avoid") or "[]")),
                   found[0] if found else None, found[1] if found else None, problem)


def unknown_exercises(ids, catalog) -> list[str]:
    """The ids in IDS that are not exercises of CATALOG."""
    return [i for i in ids if i not in catalog.ids()]


def save_program(db: Database, profile: str, program: Program) -> int:
    """Store a validated PROGRAM as the next version of its name for PROFILE (created if new);
    the version."""
    store = db.store()
    return store.add_program(store.profile(profile), program)


def _value(key: str, text: str) -> str:
    if key in TEXT_KEYS:
        return json.dumps(text)
    try:
        float(text)
        return text
    except ValueError:
        return json.dumps(text)  # let validation name the field


def program_toml(name: str, sessions_per_week: int, notes: str, verbosity: str | None,
                 rows: list[dict[str, str]]) -> str:
    """The program file (schema 1) for a name, sessions a week, notes, voice coaching (None: the
    patient's own setting) and exercise rows of cell texts by `COLUMNS` key (empty: left out)."""
    lines = ["schema_version = 1", f"name = {json.dumps(name.strip(), ensure_ascii=False)}",
             f"sessions_per_week = {sessions_per_week}", f"notes = {json.dumps(notes, ensure_ascii=False)}"]
    if verbosity:
        lines.append(f"verbosity = {json.dumps(verbosity)}")
    for row in rows:
        lines.append("[[exercise]]")
        for key in COLUMNS:
            text = (row.get(key) or "").strip()
            if text:
                lines.append(f"{key} = {_value(key, text)}")
    return "\n".join(lines) + "\n"


def check_program(text: str, where: str, catalog) -> Program:
    """TEXT validated as a program (`ProgramError` lists every problem with its field)."""
    return parse_program(text, where, catalog)


def write_progress_report(db: Database, profile: str, path: str | Path, catalog) -> Path:
    """PROFILE's progress report (HTML, or PDF by the suffix) written to PATH."""
    from fitcoach.reports import write_report

    write_report(db.store().export_profile(profile), Path(path), catalog)
    return Path(path)


def write_fhir(db: Database, profile: str, path: str | Path) -> Path:
    """PROFILE's FHIR bundle (pseudonymised with the installation's salt; only the model files
    that are installed and verified) written 0600 to PATH."""
    from fitcoach.reports import fhir
    from fitcoach.io.private_files import write_private_text

    store = db.store()
    bundle = fhir.bundle(store.export_profile(profile), store.salt(), fhir.verified_models())
    write_private_text(path, json.dumps(bundle, indent=1, ensure_ascii=False) + "\n")
    return Path(path)
