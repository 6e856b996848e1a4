"""Typed records of the history database, and the one place every stored JSON format is defined.

The store hands these out instead of raw rows: a JSON column is parsed once, here, and a value
that cannot be parsed is a `RecordError` naming the table, the row and the column. A program's
TOML is only ever read through the program validator (`ProgramRecord.program()` /
`ProgramRecord.toml()`).

Formats owned here:
- a rep as the analysis JSON carries it (`rep_to_json`, schema ``fitcoach.analysis/1``), which
  is also what `Store.add_rep` takes;
- the columns stored as JSON text: a rep's `faults`, a profile's `goals` / `conditions` /
  `avoid`, an assessment's `body` (`faults_text`, `tags_text`, `body_text` write them);
- the profile export (``fitcoach.profile-export/1``): `ProfileExport.to_json()` gives the rows
  as they are stored (JSON columns as text), `ProfileExport.from_rows()` reads them back.

Nothing here touches Qt, the disk or the network.
"""

from __future__ import annotations

import json
import math
from dataclasses import MISSING, dataclass, fields
from typing import Any, Mapping

from fitcoach.core.errors import FitCoachError

EXPORT_SCHEMA = "fitcoach.profile-export/1"


class RecordError(FitCoachError):
    """A stored value that cannot be read as what its column holds. Not a `StoreError` (which
    callers read as "no such profile"): the history is there, one value in it is not usable."""

    def __init__(self, table: str, row_id: Any, column: str, detail: str) -> None:
        self.table, self.row_id, self.column = table, row_id, column
        super().__init__(f"history database: table {table!r}, row id {row_id}, column {column!r}: {detail}")


# -- the analysis JSON of a rep ---------------------------------------------------------------------
def _r(x: float | None, nd: int = 3) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return round(float(x), nd)


def rep_to_json(r) -> dict:
    """A completed rep (`pipeline.RepRecord`) as the analysis JSON and `Store.add_rep` carry it."""
    return {
        "index": r.index,
        "side": r.side,
        "t_start_s": _r(r.t_start_s),
        "t_end_s": _r(r.t_end_s),
        "partial": r.partial,
        "partial_reason": r.partial_reason,
        "reached_target": r.reached_target,
        "driver": r.driver,
        "rom_deg": {"min": _r(r.rom_min, 1), "max": _r(r.rom_max, 1), "range": _r(r.rom_max - r.rom_min, 1)},
        "tempo_s": {
            "down": _r(r.tempo_down, 2),
            "bottom": _r(r.tempo_bottom, 2),
            "up": _r(r.tempo_up, 2),
            "top": _r(r.tempo_top, 2),
        },
        "view": r.view,
        "faults": [
            {"id": f.id, "message": f.message, "measured": f.measured, "target": f.target, "unit": f.unit,
             "source": f.source, "confidence": f.confidence}
            for f in r.faults
        ],
        "score": r.score,
        "score_basis": r.score_basis,
        "score_reasons": [dict(x) for x in r.score_reasons],
    }


def rep_row(set_id: int, rep: Mapping) -> tuple:
    """The `reps` columns (set_id ... faults, in INSERT order) of a rep in its analysis JSON."""
    return (set_id, rep["index"], rep["side"], rep["t_start_s"], rep["t_end_s"], int(rep["partial"]),
            rep.get("partial_reason"), rep["rom_deg"]["min"], rep["rom_deg"]["max"], rep["tempo_s"]["down"],
            rep["tempo_s"]["bottom"], rep["tempo_s"]["up"], rep["tempo_s"]["top"], rep.get("score"),
            faults_text(rep.get("faults", [])))


# -- JSON columns -------------------------------------------------------------------------------------
def faults_text(faults: list) -> str:
    return json.dumps(faults, ensure_ascii=False)


def tags_text(tags: list[str]) -> str:
    """A profile's goals / conditions / avoid."""
    return json.dumps(tags)


def body_text(body: dict) -> str:
    """An assessment's body."""
    return json.dumps(body, ensure_ascii=False)


def _parse(table: str, row: Mapping, column: str, want: type, default: str):
    raw = row.get(column)
    if raw is None:
        raw = default
    if not isinstance(raw, str):  # already parsed (an export read back from its JSON file)
        value = raw
    else:
        try:
            value = json.loads(raw)
        except ValueError as e:
            raise RecordError(table, row.get("id"), column, f"not valid JSON ({e})") from None
    if not isinstance(value, want):
        raise RecordError(table, row.get("id"), column,
                          f"expected a JSON {'list' if want is list else 'object'}, got {type(value).__name__}")
    return value


def _columns(cls, row: Mapping, **parsed) -> dict:
    out = {}
    for f in fields(cls):
        if f.name in parsed:
            out[f.name] = parsed[f.name]
        elif f.name in row:
            out[f.name] = row[f.name]
        elif f.default is not MISSING:
            out[f.name] = f.default
        else:
            raise RecordError(cls._table, row.get("id"), f.name, "missing")
    return out


class _Row:
    """Shared by the records: the row as stored (JSON columns as text)."""

    _table = ""
    _json: tuple[str, ...] = ()
    _order: tuple[str, ...] = ()  # the columns in the order the table (or the export's join) has them

    def to_row(self) -> dict:
        out = {}
        for name in self._order or [f.name for f in fields(self)]:
            v = getattr(self, name)
            out[name] = self._text(name, v) if name in self._json else v
        return out

    @classmethod
    def from_row(cls, row: Mapping):
        """The record of a stored row; records with JSON or special columns override this."""
        return cls(**_columns(cls, row))

    def _text(self, name: str, value) -> str:  # pragma: no cover - every JSON record overrides it
        raise NotImplementedError


# -- records --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProfileRecord(_Row):
    name: str
    id: int | None = None
    kind: str = "home"
    created_utc: float | None = None
    age_band: str | None = None
    level: str = "beginner"
    goals: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()

    _json = ("goals", "conditions", "avoid")
    _order = ("id", "name", "kind", "created_utc", "age_band", "level", "goals", "conditions", "avoid")
    _table = "profiles"
    @classmethod
    def from_row(cls, row: Mapping) -> "ProfileRecord":
        tags = {c: tuple(_parse("profiles", row, c, list, "[]")) for c in cls._json}
        out = _columns(cls, row, **tags)
        out["level"] = out["level"] or "beginner"
        return cls(**out)

    def _text(self, name: str, value) -> str:
        return tags_text(list(value))


@dataclass(frozen=True)
class SessionRecord(_Row):
    exercise_id: str
    started_utc: float
    id: int | None = None
    profile_id: int | None = None
    program_id: int | None = None
    source: str | None = None
    model: str | None = None
    scorer: str | None = None
    ended_utc: float | None = None

    _order = ("id", "profile_id", "program_id", "exercise_id", "source", "model", "scorer", "started_utc", "ended_utc")
    _table = "sessions"


@dataclass(frozen=True)
class SetRecord(_Row):
    session_id: int
    id: int | None = None
    idx: int = 1
    prescribed_reps: int | None = None
    started_utc: float | None = None
    ended_utc: float | None = None

    _order = ("id", "session_id", "idx", "prescribed_reps", "started_utc", "ended_utc")
    _table = "sets"


@dataclass(frozen=True)
class StoredRep(_Row):
    """A rep as stored (`reps` row), with its session's id, exercise and start and its set's
    number. (`pipeline.RepRecord` is the live rep the pipeline counts.)"""

    session_id: int
    exercise_id: str
    partial: bool
    id: int | None = None
    started_utc: float | None = None
    set_idx: int = 1
    set_id: int | None = None
    idx: int | None = None
    side: str | None = None
    t_start_s: float | None = None
    t_end_s: float | None = None
    partial_reason: str | None = None
    rom_min: float | None = None
    rom_max: float | None = None
    tempo_down: float | None = None
    tempo_bottom: float | None = None
    tempo_up: float | None = None
    tempo_top: float | None = None
    score: float | None = None
    faults: tuple = ()  # each a dict as in the analysis JSON (older rows: the id alone)

    _json = ("faults",)
    _order = ("session_id", "exercise_id", "started_utc", "set_idx", "id", "set_id", "idx", "side", "t_start_s",
              "t_end_s", "partial", "partial_reason", "rom_min", "rom_max", "tempo_down", "tempo_bottom", "tempo_up",
              "tempo_top", "score", "faults")
    _table = "reps"

    @classmethod
    def from_row(cls, row: Mapping) -> "StoredRep":
        out = _columns(cls, row, faults=tuple(_parse("reps", row, "faults", list, "[]")))
        out["partial"] = bool(out["partial"])
        out["set_idx"] = out["set_idx"] if out["set_idx"] is not None else 1
        return cls(**out)

    def to_row(self) -> dict:
        out = super().to_row()
        out["partial"] = int(self.partial)
        return out

    def _text(self, name: str, value) -> str:
        return faults_text(list(value))

    def fault_ids(self) -> list[str]:
        return [str(f.get("id") or "?") if isinstance(f, dict) else str(f) for f in self.faults]


@dataclass(frozen=True)
class CueRecord(_Row):
    session_id: int
    id: int | None = None
    t_s: float | None = None
    text: str | None = None
    priority: str | None = None
    reason: str | None = None

    _order = ("id", "session_id", "t_s", "text", "priority", "reason")
    _table = "cues"


@dataclass(frozen=True)
class SelfReport(_Row):
    session_id: int
    id: int | None = None
    pain: int | None = None
    rpe: int | None = None
    note: str | None = None
    created_utc: float | None = None

    _order = ("id", "session_id", "pain", "rpe", "note", "created_utc")
    _table = "self_reports"


@dataclass(frozen=True)
class AssessmentRecord(_Row):
    kind: str
    created_utc: float
    body: dict
    id: int | None = None
    profile_id: int | None = None

    _json = ("body",)
    _order = ("id", "profile_id", "kind", "created_utc", "body")
    _table = "assessments"

    @classmethod
    def from_row(cls, row: Mapping) -> "AssessmentRecord":
        return cls(**_columns(cls, row, body=_parse("assessments", row, "body", dict, "{}")))

    def _text(self, name: str, value) -> str:
        return body_text(value)


@dataclass(frozen=True)
class ProgramRecord(_Row):
    """A stored program version. Its content is only read through the validator: `program()`
    (the parsed `programs.Program`) or `toml()` (the validated file's tables, for callers that
    need to know which keys the physiotherapist wrote)."""

    name: str
    version: int
    body: str
    id: int | None = None
    created_utc: float | None = None
    profile_id: int | None = None

    _order = ("id", "profile_id", "name", "version", "body", "created_utc")
    _table = "programs"

    @classmethod
    def from_row(cls, row: Mapping) -> "ProgramRecord":
        out = _columns(cls, row)
        if not isinstance(out["body"], str):
            raise RecordError("programs", row.get("id"), "body", f"expected TOML text, got {type(out['body']).__name__}")
        return cls(**out)

    @property
    def label(self) -> str:
        return f"program {self.name!r} v{self.version}"

    def program(self, catalog=None):
        """The validated program; a `programs.ProgramError` naming this version when it is not
        valid (for this FitCoach and CATALOG)."""
        from fitcoach.core.programs import parse_program

        return parse_program(self.body, self.label, catalog)

    def toml(self, catalog=None) -> dict:
        """The program's TOML tables, after validating it (`program()`)."""
        import tomllib

        self.program(catalog)
        return tomllib.loads(self.body)


# -- the profile export --------------------------------------------------------------------------------
_TABLES = {"programs": ProgramRecord, "sessions": SessionRecord, "sets": SetRecord, "reps": StoredRep,
           "assessments": AssessmentRecord, "cues": CueRecord, "self_reports": SelfReport}


@dataclass(frozen=True)
class ProfileExport:
    """Everything stored for one profile, typed. Lists come in the order the store gives them
    (sessions and assessments oldest first; reps by session, set and rep)."""

    profile: ProfileRecord
    programs: tuple[ProgramRecord, ...] = ()
    sessions: tuple[SessionRecord, ...] = ()
    sets: tuple[SetRecord, ...] = ()
    reps: tuple[StoredRep, ...] = ()
    assessments: tuple[AssessmentRecord, ...] = ()
    cues: tuple[CueRecord, ...] = ()
    self_reports: tuple[SelfReport, ...] = ()
    schema: str = EXPORT_SCHEMA

    @classmethod
    def from_rows(cls, rows: Mapping) -> "ProfileExport":
        """From rows as the store holds them or as `to_json()` wrote them (missing lists: empty)."""
        if isinstance(rows, ProfileExport):
            return rows
        return cls(profile=ProfileRecord.from_row(rows["profile"]),
                   schema=rows.get("schema", EXPORT_SCHEMA),
                   **{t: tuple(rc.from_row(r) for r in rows.get(t) or ()) for t, rc in _TABLES.items()})

    def to_json(self) -> dict:
        """The export file's content (``fitcoach.profile-export/1``): the rows as stored."""
        out: dict = {"schema": self.schema, "profile": self.profile.to_row()}
        for t in ("programs", "sessions", "sets", "reps", "assessments", "cues", "self_reports"):
            out[t] = [r.to_row() for r in getattr(self, t)]
        return out

    def latest_program(self) -> ProgramRecord | None:
        """The newest stored program version (by time, then version), or None."""
        if not self.programs:
            return None
        return max(self.programs, key=lambda r: (r.created_utc or 0.0, r.version or 0))
