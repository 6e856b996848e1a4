"""A guided workout prepared for the frame loop (`fitcoach.run.workout`): the exercise as
prescribed, who it is saved for, the voice coaching it gets, where its recording goes — the
choices the Workout page used to make itself. `prepare_workout` makes a `WorkoutSetup` (frozen)
on the GUI thread; the analysis thread then calls `setup.job(...)`, which creates the voice coach
and the session recorder there (the thread that uses a heavy object creates it) and returns the
`WorkoutJob`.

Recording names: `<profile>-<exercise>-<YYYYmmdd-HHMMSS>.npz` in the data folder's private
`recordings/`; a profile name is free text, so `/`, `\\`, control characters and `%` become `_`
(a name never leaves the folder or breaks the time stamp)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from fitcoach.app.database import Database, data_subdir
from fitcoach.core.session import Prescription, SessionRecorder

_UNSAFE = {"/", "\\", "%"}


def safe_name(text: str) -> str:
    """TEXT fit for a file name: path separators, `%` and control characters become `_`; an
    empty or dots-only name becomes `_`."""
    out = "".join("_" if ch in _UNSAFE or ord(ch) < 32 or ord(ch) == 127 else ch for ch in text)
    return out if out.strip(".") else "_"


def recording_path(profile: str, exercise_id: str, folder: Path | None = None,
                   when: time.struct_time | None = None) -> Path:
    """Where a workout's landmark recording goes (the folder is created 0700 if missing)."""
    folder = data_subdir("recordings") if folder is None else folder
    stamp = time.strftime("%Y%m%d-%H%M%S", when or time.localtime())
    return folder / f"{safe_name(profile)}-{safe_name(exercise_id)}-{stamp}.npz"


@dataclass(frozen=True)
class VoiceChoice:
    """The voice coach's settings (words per minute, volume 0-1)."""

    rate: int = 170
    volume: float = 1.0


def voice_for(settings, verbosity: str, enabled: bool = True) -> VoiceChoice | None:
    """The voice a workout gets: none when turned off (`enabled`), silent or muted."""
    if not enabled or verbosity == "silent" or settings.mute:
        return None
    return VoiceChoice(settings.voice_rate, settings.voice_volume)


@dataclass(frozen=True)
class WorkoutSetup:
    """Everything a guided workout needs but its frames, pose model and scorer: the exercise
    as prescribed (`Prescription.apply`), the prescription, the profile it is saved for (`db`
    None: not saved), the cue verbosity, the voice (None: none), the recording path (None:
    none) and whether the video is recorded beside it."""

    exercise: Any
    prescription: Prescription
    profile: str
    lang: str = "en"
    verbosity: str = "full"
    countdown_s: float = 5.0
    source_name: str = ""
    model_name: str | None = None
    voice: VoiceChoice | None = None
    record_path: Path | None = None
    record_video: bool = False
    db: Database | None = None

    def make_voice(self):
        """The `VoiceCoach` (on the thread that uses it), or None."""
        if self.voice is None:
            return None
        from fitcoach.voice.coach import VoiceCoach

        return VoiceCoach(self.exercise, self.lang, self.verbosity, rate=self.voice.rate, volume=self.voice.volume)

    def recorder_factory(self) -> Callable | None:
        """`WorkoutJob.recorder_factory`: the process's store (not closed by the run) and a
        `SessionRecorder` for this profile; None when nothing is saved."""
        if self.db is None:
            return None
        db, setup = self.db, self

        def make():
            return None, SessionRecorder(db.store(), setup.profile, setup.exercise.id, setup.source_name,
                                         setup.model_name, setup.prescription)

        return make

    def job(self, source, backend_factory=None, scorer=None, speed: float = 0.0, voice=None,
            extra_sinks: tuple = (), workout=None):
        """The `WorkoutJob` for `run.workout.build` / `run_workout`; `voice`: a coach made by
        `make_voice()` on the running thread."""
        from fitcoach.run.workout import WorkoutJob

        return WorkoutJob(source, self.exercise, self.prescription, countdown_s=self.countdown_s,
                          backend_factory=backend_factory, model_name=self.model_name, scorer=scorer,
                          lang=self.lang, verbosity=self.verbosity, speed=speed, voice=voice,
                          recorder_factory=self.recorder_factory(), record_path=self.record_path,
                          record_video=self.record_video, extra_sinks=tuple(extra_sinks), workout=workout)


def prepare_workout(db: Database | None, settings, exercise, prescription: Prescription, profile: str,
                    source, lang: str = "en", countdown_s: float = 5.0, program_verbosity: str | None = None,
                    voice: bool = True, record: bool = False, record_video: bool = False) -> WorkoutSetup:
    """A workout of EXERCISE as PRESCRIPTION for PROFILE ("me" when empty) on SOURCE: the
    program's verbosity before the settings', the settings' pose model (none for a landmark
    recording), a recording path when `record`."""
    profile = profile.strip() or "me"
    verbosity = program_verbosity or settings.verbosity
    ex = prescription.apply(exercise)  # target, tempo and safe range as prescribed: judged and enforced
    return WorkoutSetup(ex, prescription, profile, lang, verbosity, float(countdown_s),
                        str(getattr(source, "name", "")), settings.model if source.kind != "landmarks" else None,
                        voice_for(settings, verbosity, voice), recording_path(profile, ex.id) if record else None,
                        bool(record_video), db)
