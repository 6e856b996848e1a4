"""Health data is readable by the user only: a whole session through the real command line, in a
temporary HOME / XDG_* / FITCOACH_DATA_DIR, under umask 022 and 000, then a walk over every file
and folder under the temporary root: files 0600, folders FitCoach made 0700, folders that were
there before unchanged, and nothing written outside the data, cache, config and output folders.

Also the writers one by one (landmark recordings, annotated videos, the voice cache and its
partial WAVs) so a failure names the writer."""

import fnmatch
import os
import stat
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")

PROGRAM = """schema_version = 1
name = "Kim Minji knee rehab"
sessions_per_week = 3
notes = "Kim: pain-free range only"
[[exercise]]
id = "squat"
sets = 3
reps = 10
tempo = "2-0-2-1"
rest_s = 60
"""

# Files other libraries write into the user's cache and config folders while FitCoach runs. They
# are not FitCoach's and hold no user data, so they are not held to FitCoach's modes; anything
# else outside FitCoach's own folders fails the test.
THIRD_PARTY = {
    # (matplotlib's font cache goes into FitCoach's own cache folder: fitcoach/reports/)
    "xdg-config/pulse": "PulseAudio client folder (libpulse, loaded by espeak-ng)",
    "xdg-config/pulse/*-runtime": "PulseAudio client's link to its runtime folder",
}


def _mode(p: Path) -> int:
    return stat.S_IMODE(os.lstat(p).st_mode)


def _tree(root: Path) -> dict[str, int]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            out[str(p.relative_to(root))] = os.lstat(p).st_mode
    return out


def _run(argv, env, cwd, umask, timeout=180):
    r = subprocess.run([sys.executable, "-m", "fitcoach", *argv], env=env, cwd=cwd, capture_output=True, text=True,
                       timeout=timeout, preexec_fn=lambda: os.umask(umask))
    assert r.returncode == 0 and "Traceback" not in r.stderr, (argv, r.stdout[-2000:], r.stderr[-2000:])
    return r


@pytest.mark.parametrize("umask", [0o022, 0o000], ids=["umask022", "umask000"])
def test_a_whole_session_writes_only_private_files_in_its_own_folders(tmp_path, umask):
    import cv2

    root = tmp_path
    for d in ("home", "xdg-data", "xdg-cache", "xdg-config", "xdg-state", "out", "in/frames"):
        (root / d).mkdir(parents=True)
        (root / d).chmod(0o755)
    (root / "in" / "prog.toml").write_text(PROGRAM, encoding="utf-8")
    for i in range(3):  # a tiny "video" for `record` (an image folder: the pose model runs on it)
        cv2.imwrite(str(root / "in" / "frames" / f"{i:03d}.png"), np.full((120, 160, 3), 40 * i, np.uint8))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "FITCOACH_", "MPL"))}
    env.update(HOME=str(root / "home"), XDG_DATA_HOME=str(root / "xdg-data"), XDG_CACHE_HOME=str(root / "xdg-cache"),
               XDG_CONFIG_HOME=str(root / "xdg-config"), XDG_STATE_HOME=str(root / "xdg-state"),
               FITCOACH_DATA_DIR=str(root / "xdg-data" / "fitcoach"), MPLBACKEND="Agg", QT_QPA_PLATFORM="offscreen")
    import fitcoach  # the subprocesses run the same fitcoach as this test, not whichever is installed

    env["PYTHONPATH"] = os.pathsep.join([str(Path(fitcoach.__file__).resolve().parent.parent)]
                                        + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    before = _tree(root)
    out = root / "out"
    run = lambda *argv, **k: _run(list(argv), env, out, umask, **k)  # noqa: E731
    run("demo", "--save", "demo.npz")
    run("analyze", "demo.npz", "-e", "squat", "--save", "--profile", "p1", "--json", "a.json",
        "--annotate", "a.mp4", "--no-progress")
    run("record", str(root / "in" / "frames"), "rec.npz", "--no-progress")
    run("say", "hello", "--out", "hi.wav")
    run("program", "import", str(root / "in" / "prog.toml"), "--profile", "p1")
    run("program", "export", "Kim Minji knee rehab", "--profile", "p1", "--out", "programs/knee/prog.toml")
    for name in ("e.json", "e.csv", "e.fhir.json"):
        run("data", "export", "--profile", "p1", "--out", name)
    run("report", "--profile", "p1", "--out", "r.html")
    run("report", "--profile", "p1", "--out", "r.pdf")
    run("data", "backup", "--file", "b.db")
    after = _tree(root)

    written = {"out/" + n for n in ("demo.npz", "a.json", "a.mp4", "rec.npz", "hi.wav", "e.json", "e.csv",
                                    "e.fhir.json", "r.html", "r.pdf", "b.db", "b.db.sha256", "programs/knee/prog.toml")}
    assert written <= set(after), sorted(written - set(after))
    own = ("xdg-data/fitcoach", "xdg-cache/fitcoach", "xdg-config/fitcoach", "out")
    assert any(p.startswith("xdg-cache/fitcoach/tts/") and p.endswith(".wav") for p in after)  # the voice cache
    bad, outside = [], []
    for rel, m in sorted(after.items()):
        if rel in before:
            if m != before[rel]:
                bad.append(f"{rel}: was {oct(before[rel])}, now {oct(m)} (not FitCoach's to change)")
            continue
        if any(fnmatch.fnmatch(rel, pat) for pat in THIRD_PARTY):
            continue
        if not any(rel == o or rel.startswith(o + "/") for o in own):
            outside.append(rel)
            continue
        if stat.S_ISDIR(m):
            want = 0o700
        elif stat.S_ISREG(m):
            want = 0o600
        else:
            bad.append(f"{rel}: not a file or folder ({oct(m)})")
            continue
        if stat.S_IMODE(m) != want:
            bad.append(f"{rel}: {oct(stat.S_IMODE(m))}, want {oct(want)}")
    assert not outside, f"written outside FitCoach's folders: {outside}"
    assert not bad, "\n".join(bad)
    assert not [p for p in after if p.endswith((".tmp", ".part.wav"))], "temporary files left behind"


def test_landmark_recordings_are_0600_whatever_the_umask(tmp_path, demo_npz):
    from fitcoach.io.recordings import load_recording, save_recording

    rec = load_recording(demo_npz)
    old = os.umask(0)
    try:
        save_recording(tmp_path / "r.npz", rec)
        save_recording(tmp_path / "r2.npz", rec)
    finally:
        os.umask(old)
    assert _mode(tmp_path / "r.npz") == 0o600
    assert (tmp_path / "r.npz").read_bytes() == (tmp_path / "r2.npz").read_bytes()  # still deterministic
    assert len(load_recording(tmp_path / "r.npz")) == len(rec)


def test_annotated_videos_are_0600_from_the_start(tmp_path, demo_npz):
    from fitcoach.cli import main

    video = tmp_path / "a.mp4"
    video.write_bytes(b"an older, world-readable video")
    video.chmod(0o644)
    old = os.umask(0)
    try:
        assert main(["analyze", str(demo_npz), "-e", "squat", "--json", str(tmp_path / "o.json"),
                     "--annotate", str(video), "--no-progress"]) == 0
    finally:
        os.umask(old)
    assert _mode(video) == 0o600 and _mode(tmp_path / "o.json") == 0o600
    assert video.stat().st_size > 10_000


# --- the voice cache, with a stand-in speech engine (the real one runs in the session above) ------


class _Voice:
    id = "gmw/en-us"
    languages = ["en-us"]


class _FakeEngine:
    """Writes a WAV the way pyttsx3's espeak driver does (wave.open(name, "wb")); "fail" writes
    a truncated file, as espeak-ng does when it is killed or has no voice data."""

    def __init__(self):
        self._job = None

    def getProperty(self, name):
        return [_Voice()] if name == "voices" else None

    def setProperty(self, name, value):
        pass

    def save_to_file(self, text, filename):
        self._job = (text, filename)

    def runAndWait(self):
        text, filename = self._job
        if text == "fail":
            Path(filename).write_bytes(b"RIFF")
            return
        with wave.open(filename, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes(np.zeros(1600, np.int16).tobytes())

    def stop(self):
        pass


@pytest.fixture
def fake_tts(monkeypatch):
    import pyttsx3

    monkeypatch.setattr(pyttsx3, "init", lambda *a, **k: _FakeEngine())


def test_voice_cache_wavs_are_0600_and_failures_leave_no_part(tmp_path, fake_tts, monkeypatch):
    from fitcoach.voice.tts import Synthesizer, cache_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "cache" / "fitcoach").mkdir(parents=True)
    (tmp_path / "cache" / "fitcoach").chmod(0o755)  # made by an older FitCoach
    old = os.umask(0)
    try:
        folder = cache_dir()
        s = Synthesizer("en", folder=folder)
        try:
            good = s.wav("knees out").result(timeout=10)
            with pytest.raises(Exception, match="no audio"):
                s.wav("fail").result(timeout=10)
        finally:
            s.close()
    finally:
        os.umask(old)
    assert _mode(folder) == 0o700 and _mode(folder.parent) == 0o700
    assert _mode(good) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == [good.name]  # no .part.wav from the failure


def test_voice_cache_removes_stale_parts_and_tightens_old_wavs(tmp_path, fake_tts):
    from fitcoach.voice.tts import STALE_PART_S, Synthesizer

    folder = tmp_path / "tts"
    folder.mkdir()
    stale, fresh, old_wav = folder / "en-aaaa.part.wav", folder / ".en-bbbb.x1.part.wav", folder / "en-cccc.wav"
    for p in (stale, fresh, old_wav):
        p.write_bytes(b"RIFF....")
        p.chmod(0o644)
    t = time.time() - STALE_PART_S - 60
    os.utime(stale, (t, t))  # left by a process that was killed long ago
    Synthesizer("en", folder=folder).close()
    assert not stale.exists()
    assert fresh.exists()  # may be another FitCoach's synthesis in progress
    assert _mode(old_wav) == 0o600
