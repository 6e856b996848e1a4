"""Which prescription a workout starts with: today's plan (the item the Today page started), then
the profile's newest program (if it has the exercise), then the exercise file's defaults —
with the program's safe range kept under a plan that does not set one (the physiotherapist's
limits stay). `prescription_for` returns it typed, with where each value came from.

Reads the profile's programs only (not the whole history), each validated by
`fitcoach.core.programs` when read; a program that no longer validates is ignored (the
exercise's defaults apply). Runs on the caller's thread."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping

from fitcoach.app.database import Database
from fitcoach.core.errors import FitCoachError
from fitcoach.core.programs import Program, latest_program
from fitcoach.core.session import Prescription

PLAN, PROGRAM, EXERCISE = "plan", "program", "exercise"
FIELDS = ("sets", "reps", "hold_s", "rest_s", "tempo", "target", "safe_min", "safe_max")


@dataclass(frozen=True)
class PrescriptionChoice:
    """The prescription, the layer it came from (`PLAN`, `PROGRAM`, `EXERCISE`), the program
    behind it (name, version; None without one) with its voice setting, and `origins`: for each
    field of `Prescription`, the layer that gave its value."""

    prescription: Prescription
    source: str
    program_name: str | None = None
    program_version: int | None = None
    verbosity: str | None = None  # the program's voice coaching ("silent", "counts", "full") or None
    origins: Mapping[str, str] = field(default_factory=dict)


def latest_program_of(db: Database, profile: str, catalog) -> tuple[Program, int] | None:
    """The profile's newest stored program (validated) and its version; None when the profile
    or the program does not exist. Raises the program's `ValidationError` when it no longer
    validates, and the store's `FitCoachError` when the history cannot be read."""
    rows = [r.to_row() for r in db.store().programs(profile)]
    return latest_program({"programs": rows}, catalog)


def _program_origins(item) -> dict[str, str]:
    given = {"sets": True, "rest_s": True, "reps": True, "hold_s": True, "tempo": bool(item.tempo),
             "target": item.target is not None, "safe_min": item.safe_min is not None,
             "safe_max": item.safe_max is not None}
    return {k: PROGRAM if given[k] else EXERCISE for k in FIELDS}


def from_program(db: Database, profile: str, exercise, catalog) -> PrescriptionChoice:
    """The profile's program for EXERCISE, else the exercise's defaults (also when the history
    cannot be read or the program no longer validates)."""
    defaults = PrescriptionChoice(Prescription.for_exercise(exercise), EXERCISE,
                                  origins={k: EXERCISE for k in FIELDS})
    try:
        found = latest_program_of(db, profile or "me", catalog)
    except (ValueError, FitCoachError):  # no usable program: the exercise's defaults
        return defaults
    if found is None:
        return defaults
    prog, version = found
    item = next((i for i in prog.items if i.id == exercise.id), None)
    if item is None:
        return replace(defaults, verbosity=prog.verbosity)
    return PrescriptionChoice(Prescription.from_program_item(item, exercise), PROGRAM, prog.name, version,
                              prog.verbosity, _program_origins(item))


def prescription_for(db: Database, profile: str, exercise, catalog,
                     plan_item: dict | None = None) -> PrescriptionChoice:
    """Today's plan item (when given), then the program, then the exercise's defaults. Under a
    plan item without `safe_range_deg` the program's safe range stays, and its target too
    unless the plan sets `target_rom_deg`."""
    base = from_program(db, profile, exercise, catalog)
    if plan_item is None:
        return base
    p = Prescription.from_plan_item(plan_item, exercise)
    origins = {k: PLAN for k in FIELDS}
    if not plan_item.get("tempo"):
        origins["tempo"] = EXERCISE
    if "target_rom_deg" not in plan_item:
        origins["target"] = base.origins["target"] if "safe_range_deg" not in plan_item else EXERCISE
    if "safe_range_deg" not in plan_item:  # the physiotherapist's limits stay
        b = base.prescription
        p = replace(p, safe_min=b.safe_min, safe_max=b.safe_max,
                    target=b.target if "target_rom_deg" not in plan_item else p.target)
        origins["safe_min"], origins["safe_max"] = base.origins["safe_min"], base.origins["safe_max"]
    return replace(base, prescription=p, source=PLAN, origins=origins)
