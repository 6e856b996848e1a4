"""The store's reads: typed records (`fitcoach.core.records`) of a profile's history, on the
store's own read connection (`self._read`, opened by `Store`), never through the writer thread.
A damaged page met while reading raises `DatabaseDamaged` (`guard`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from fitcoach.core.records import (AssessmentRecord, CueRecord, ProfileExport, ProfileRecord, ProgramRecord,
                                   SelfReport, SessionRecord, SetRecord, StoredRep)
from fitcoach.io.store.errors import StoreError, guard


class StoreReads:
    """What `Store` answers from the database (its base class): profiles, programs, sessions,
    sets, reps, assessments, cues, self-reports and the whole export of a profile."""

    path: Path
    _read: sqlite3.Connection | None

    @guard
    def program(self, profile: str, name: str, version: int | None = None) -> ProgramRecord:
        """A stored program version (the newest without VERSION); its content is read through
        the validator (`ProgramRecord.program()`)."""
        pid = self.profile_id(profile)
        row = self._read.execute(
            "SELECT * FROM programs WHERE profile_id = ? AND name = ? " + ("AND version = ? " if version else "")
            + "ORDER BY version DESC LIMIT 1", (pid, name, version) if version else (pid, name)).fetchone()
        if row is None:
            raise StoreError(f"profile {profile!r} has no program {name!r}")
        return ProgramRecord.from_row(dict(row))

    def program_text(self, profile: str, name: str, version: int | None = None) -> str:
        """The stored TOML of a program version, as the physiotherapist wrote it."""
        return self.program(profile, name, version).body

    @guard
    def profile_names(self) -> list[str]:
        return [r[0] for r in self._read.execute("SELECT name FROM profiles ORDER BY name").fetchall()]

    @guard
    def profile_id(self, name: str) -> int:
        row = self._read.execute("SELECT id FROM profiles WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise StoreError(f"no profile named {name!r}")
        return row[0]

    @guard
    def latest_session(self, profile: str) -> int:
        pid = self.profile_id(profile)
        row = self._read.execute("SELECT id FROM sessions WHERE profile_id = ? ORDER BY started_utc DESC LIMIT 1",
                                 (pid,)).fetchone()
        if row is None:
            raise StoreError(f"profile {profile!r} has no sessions yet")
        return row[0]

    def _rows(self, sql: str, *args) -> list[dict]:
        return [dict(r) for r in self._read.execute(sql, args).fetchall()]

    @guard
    def profile_record(self, name: str) -> ProfileRecord:
        pid = self.profile_id(name)
        return ProfileRecord.from_row(self._rows("SELECT * FROM profiles WHERE id = ?", pid)[0])

    def _records(self, record, sql: str, profile: str) -> list:
        """`record.from_row` of each row SQL (one `?`: the profile's id) returns."""
        return [record.from_row(r) for r in self._rows(sql, self.profile_id(profile))]

    @guard
    def programs(self, profile: str) -> list[ProgramRecord]:
        """Every stored program version of PROFILE, as inserted (oldest first)."""
        return self._records(ProgramRecord, "SELECT * FROM programs WHERE profile_id = ?", profile)

    @guard
    def sessions(self, profile: str) -> list[SessionRecord]:
        return self._records(SessionRecord, "SELECT * FROM sessions WHERE profile_id = ? ORDER BY started_utc", profile)

    @guard
    def sets(self, profile: str) -> list[SetRecord]:
        return self._records(SetRecord, "SELECT st.* FROM sets st JOIN sessions s ON st.session_id = s.id "
                             "WHERE s.profile_id = ?", profile)

    @guard
    def reps(self, profile: str) -> list[StoredRep]:
        """PROFILE's reps by session start, set and rep, each with its session and set number."""
        return self._records(StoredRep, "SELECT s.id AS session_id, s.exercise_id, s.started_utc, st.idx AS set_idx, "
                             "r.* FROM reps r JOIN sets st ON r.set_id = st.id JOIN sessions s ON st.session_id = s.id "
                             "WHERE s.profile_id = ? ORDER BY s.started_utc, st.idx, r.idx", profile)

    @guard
    def assessments(self, profile: str) -> list[AssessmentRecord]:
        return self._records(AssessmentRecord, "SELECT * FROM assessments WHERE profile_id = ? ORDER BY created_utc",
                             profile)

    @guard
    def cues(self, profile: str) -> list[CueRecord]:
        return self._records(CueRecord, "SELECT c.* FROM cues c JOIN sessions s ON c.session_id = s.id "
                             "WHERE s.profile_id = ?", profile)

    @guard
    def self_reports(self, profile: str) -> list[SelfReport]:
        return self._records(SelfReport, "SELECT r.* FROM self_reports r JOIN sessions s ON r.session_id = s.id "
                             "WHERE s.profile_id = ?", profile)

    def export_profile(self, profile: str) -> dict:
        """The export file's content (``fitcoach.profile-export/1``): `export(profile).to_json()`."""
        return self.export(profile).to_json()

    @guard
    def export(self, profile: str) -> ProfileExport:
        """Everything stored for PROFILE, typed (`ProfileExport.to_json()`: the export file)."""
        return ProfileExport(
            profile=self.profile_record(profile), programs=tuple(self.programs(profile)),
            sessions=tuple(self.sessions(profile)), sets=tuple(self.sets(profile)), reps=tuple(self.reps(profile)),
            assessments=tuple(self.assessments(profile)), cues=tuple(self.cues(profile)),
            self_reports=tuple(self.self_reports(profile)))

    @guard
    def integrity(self) -> str:
        return self._read.execute("PRAGMA integrity_check").fetchone()[0]
