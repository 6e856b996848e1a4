"""Today's plan: the next session planned from a profile's history (`core.planner.plan_next`
with the shipped capacity model), which item a session starts with, the item of an exercise,
and the last session's results the Today page shows under the plan."""

from __future__ import annotations

from dataclasses import dataclass

from fitcoach.app.database import Database
from fitcoach.app.history import load_export


@dataclass(frozen=True)
class PlanRead:
    """The plan (`plan_next`'s dict) and the export it was made from; both None when the profile
    has no history (`problem` None) or the history cannot be read (`problem`: why)."""

    plan: dict | None
    export: dict | None = None
    problem: str | None = None


def plan_for(db: Database, profile: str, catalog, model=None) -> PlanRead:
    """The next session of PROFILE; MODEL: a capacity model (default: the shipped one)."""
    from fitcoach.core.planner import default_capacity_model, plan_next

    read = load_export(db, profile)
    if read.export is None:
        return PlanRead(None, None, read.problem)
    return PlanRead(plan_next(read.export, catalog, model or default_capacity_model()), read.export)


def todo(plan: dict | None) -> list[dict]:
    """The items in the order the session does them: the corrective routines first (they
    prepare the main work), then the planned exercises the planner has not stopped."""
    plan = plan or {}
    return list(plan.get("correctives", [])) + [i for i in plan.get("items", []) if i.get("mode") != "stop"]


def first_item(plan: dict | None) -> dict | None:
    """What the session starts with (see `todo`), or None."""
    items = todo(plan)
    return items[0] if items else None


def item_for(plan: dict | None, exercise_id: str) -> dict | None:
    """The plan's item (corrective or planned, even stopped) for EXERCISE_ID, or None."""
    plan = plan or {}
    return next((i for i in list(plan.get("correctives", [])) + list(plan.get("items", []))
                 if i["exercise"] == exercise_id), None)


def last_results(export: dict, catalog) -> tuple[dict, dict | None] | None:
    """The most recent session (`report.summarize`'s row: reps against the prescription, ROM,
    score) and its self-report (or None); None without sessions."""
    from fitcoach.reports import summarize

    sessions = summarize(export, catalog)["sessions"]
    if not sessions:
        return None
    s = sessions[-1]
    return s, next((r for r in export["self_reports"] if r["session_id"] == s["id"]), None)
