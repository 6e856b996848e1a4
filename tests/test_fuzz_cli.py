"""Fuzz the command line's numeric options, and the measured bad inputs of issue 12 through the
real entry point under an address-space limit.

Property: exit code 0 or 2; on 2 exactly one line on stderr naming the option (or file) and,
for options, the allowed range; never a traceback; bounded time and memory; no file written
but the outputs asked for (and the speech cache for `say`, which is its job).
"""

from __future__ import annotations

import io
import math
import os
import resource
import subprocess
import sys
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitcoach.cli.parser import build_parser
from fitcoach.core import synth
from fitcoach.core.landmarks import SCHEMA
from fitcoach.io.recordings import save_recording
from tests.core.test_fuzz_inputs import run_cli, sandbox  # noqa: F401  (a fixture)

FUZZ = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
REPO = Path(__file__).resolve().parent.parent

# the documented ranges (settings.toml's voice_rate, voice_volume, camera; fitcoach.voice.tts)
RATE_WPM, VOLUME, CAMERA = (80, 300), (0.0, 1.0), (0, 9)
# every numeric option: (command words, option, int or float, lo, hi)
NUMERIC = [
    (["analyze", "x.npz", "-e", "squat"], "--fps", float, 0.1, 1000.0),
    (["record", "x.mp4", "o.npz"], "--fps", float, 0.1, 1000.0),
    (["assess", "posture"], "--fps", float, 0.1, 1000.0),
    (["assess", "rom", "x.mp4", "--test", "knee_flexion", "--side", "left"], "--fps", float, 0.1, 1000.0),
    (["say", "hello"], "--rate", int, *RATE_WPM),
    (["say", "hello"], "--volume", float, *VOLUME),
    (["live"], "--camera", int, *CAMERA),
    (["live"], "--rate", int, *RATE_WPM),
    (["train", "scorer"], "--takes", int, 1, 10_000),
    (["train", "scorer"], "--heldout-takes", int, 1, 10_000),
    (["train", "scorer"], "--epochs", int, 1, 100_000),
    (["train", "scorer"], "--seed", int, 0, 2**32 - 1),
    (["train", "scorer"], "--workers", int, 1, 64),
    (["analyze", "x.npz", "-e", "squat"], "--people", int, 1, 2),
]
TRICKY = ["nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e3", "1e999", "-0", "0", " 5 ", "0x10", "5.0", "+7",
          "1_000", "", "٣", "१२०", "1e-320", "9" * 30, "9" * 5000, "12\n", "a\nb", "\x00", "--", "-5"]


def values():
    return st.one_of(
        st.sampled_from(TRICKY),
        st.floats().map(repr),
        st.integers(-(2**70), 2**70).map(str),
        st.integers(-10, 1100).map(str),
        st.text(max_size=12),
    )


def parse(argv):
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        try:
            return 0, build_parser().parse_args(argv), err.getvalue()
        except SystemExit as e:
            return e.code, None, err.getvalue()


COUNT = {"options": 0, "options_accepted": 0, "e2e": 0}


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    """How many fuzz cases ran (shown with pytest -s)."""
    yield
    print(f"\nCLI fuzz cases run: {COUNT}")


@settings(max_examples=500, **FUZZ)
@given(spec=st.sampled_from(NUMERIC), value=values(), joined=st.booleans())
def test_fuzz_numeric_options(spec, value, joined):
    COUNT["options"] += 1
    words, option, kind, lo, hi = spec
    argv = words + ([f"{option}={value}"] if joined else [option, value])
    rc, args, err = parse(argv)
    assert "Traceback" not in err
    if rc == 0:
        COUNT["options_accepted"] += 1
        got = getattr(args, option.lstrip("-").replace("-", "_"))
        assert type(got) is kind and math.isfinite(got) and lo <= got <= hi, (argv, got)
        assert err == ""
    else:
        assert rc == 2
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("fitcoach"), lines
        if option != "--people" and joined and value != "--":  # the value reached our validator
            assert f"argument {option}: must be a " in lines[0] and f"from {lo:g} to {hi:g}" in lines[0], lines[0]


@settings(max_examples=200, **FUZZ)
@given(text=st.text(max_size=600) | st.sampled_from(["", " ", "\t", "a\x00b", "x" * 501, "무릎을 바깥으로"]))
def test_fuzz_say_text(text):
    rc, args, err = parse(["say", text])
    if rc == 0:
        assert args.text.strip() and len(args.text) <= 500 and "\x00" not in args.text
    else:
        assert rc == 2 and len(err.splitlines()) == 1
        assert "argument text: " in err or text.startswith("-")  # "-x" reads as an option


def _recording(path: Path) -> Path:
    rec, _ = synth.generate(synth.Take(exercise="squat", reps=1, fps=15.0, lead_in_s=0.2, tail_s=0.2))
    save_recording(path, rec)
    return path


@settings(max_examples=40, **FUZZ)
@given(value=values())
def test_fuzz_analyze_fps_end_to_end(sandbox, value):  # noqa: F811
    COUNT["e2e"] += 1
    rec = sandbox / "in" / "r.npz"
    if not rec.exists():
        _recording(rec)
    out = sandbox / "cwd" / "o.json"
    rc, lines = run_cli(["analyze", str(rec), "-e", "squat", f"--fps={value}", "--json", str(out), "--no-progress",
                         "--no-scorer"], sandbox, {out})
    if rc == 2:
        assert "--fps" in lines[0]


@settings(max_examples=20, **FUZZ)
@given(rate=st.sampled_from(["170", "80", "300", "-100", "79", "301", "nan", "1e3"]),
       volume=st.sampled_from(["1", "0", "0.5", "nan", "-0.1", "1.01", "inf"]))
def test_fuzz_say_end_to_end(sandbox, rate, volume):  # noqa: F811
    """A valid voice synthesises into --out (and the speech cache, by design); anything else is
    one line. Without a speech engine the run is one line too ("speech engine unavailable")."""
    COUNT["e2e"] += 1
    out = sandbox / "cwd" / "say.wav"
    cache = sandbox / "cache" / "fitcoach" / "tts"
    argv = ["say", "hello", f"--rate={rate}", f"--volume={volume}", "--out", str(out)]
    rc, lines = run_cli(argv, sandbox, {out}, also_allowed=lambda p: p.parent == cache and p.suffix == ".wav")
    valid = rate in ("170", "80", "300") and volume in ("1", "0", "0.5")
    if not valid:
        assert rc == 2 and ("--rate" in lines[0] or "--volume" in lines[0])


# --- the measured cases, through the real entry point, memory-limited ----------------------

MEMORY_LIMIT = 1536 * 2**20  # the process imports numpy, OpenCV, onnxruntime: ~1 GiB of address space
TIME_LIMIT_S = 60


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _header_only(shape, descr, body=b""):
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue() + body


def _npy(arr):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=False)
    return buf.getvalue()


def _bomb(path: Path, key: str, shape, descr) -> Path:
    n = 4
    members = {"schema": _npy(np.array(SCHEMA)), "t_s": _npy(np.arange(n, dtype=np.float64)),
               "image_xyzv": _npy(np.zeros((n, 33, 4), np.float32)),
               "frame_size": _npy(np.array([640, 480], np.int32))}
    members[key] = _header_only(shape, descr, b"\0" * 1000)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for k, v in members.items():
            zf.writestr(f"{k}.npy", v)
    return path


def _damaged(path: Path) -> Path:
    _recording(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("image_xyzv.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 40, start + 80):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def _values(path: Path, frames: slice, key: str, index, value) -> Path:
    rec, _ = synth.generate(synth.demo_take())
    img, world = rec.image_xyzv.copy(), rec.world_xyz_m.copy()
    (img if key == "image" else world)[(frames,) + index] = value
    np.savez_compressed(path, schema=np.array(SCHEMA), t_s=rec.t_s, image_xyzv=img, world_xyz_m=world,
                        frame_size=np.array(rec.frame_size, np.int32))  # save_recording would refuse it
    return path


def _exercise(folder: Path, value: str) -> Path:
    text = (REPO / "exercises" / "squat.toml").read_text(encoding="utf-8").replace("max = 50.0", f"max = {value}")
    folder.mkdir(exist_ok=True)
    (folder / "squat.toml").write_text(text, encoding="utf-8")
    return folder / "squat.toml"


# (name, make(tmp) -> argv, exit code, words on the one stderr line); "before" is what the
# same input did on the code before this change (measured, see the report of issue 12)
MEASURED = [
    ("header claims (1e8, 33, 4)",  # before: MemoryError for 49.2 GiB, a traceback, exit 1
     lambda t: ["analyze", str(_bomb(t / "b.npz", "image_xyzv", (100_000_000, 33, 4), "<f4")), "-e", "squat"],
     2, "image_xyzv must be float32 (4, 33, 4), got float32 (100000000, 33, 4)"),
    ("t_s header claims 1e8 frames",  # before: 800 MB allocated, then an EOF error
     lambda t: ["analyze", str(_bomb(t / "b.npz", "t_s", (100_000_000,), "<f8")), "-e", "squat"],
     2, "t_s claims 100000000 frames; at most 648000 (3 h at 60 fps)"),
    ("damaged deflate stream",  # before: zlib.error traceback, exit 1
     lambda t: ["analyze", str(_damaged(t / "d.npz")), "-e", "squat"], 2, "(image_xyzv): damaged compressed data"),
    ("visibility = inf",  # before: analysed, exit 0, no warning
     lambda t: ["analyze", str(_values(t / "v.npz", slice(5, 6), "image", (slice(None), 3), np.inf)), "-e", "squat"],
     2, "visibility (channel 3) must lie in [0, 1] or be NaN; frame 5, landmark 0 (nose) is inf"),
    ("x/y = 1e30 in two frames, annotated",  # before: cv2.error traceback from --annotate
     lambda t: ["analyze", str(_values(t / "x.npz", slice(10, 12), "image", (slice(13, 17), slice(0, 2)), 1e30)),
                "-e", "squat", "--annotate", str(t / "a.mp4")],
     0, "frames 10, 11 treated as nobody seen"),
    ("world = inf in most frames",  # before: analysed, exit 0, no warning
     lambda t: ["analyze", str(_values(t / "w.npz", slice(0, 900), "world", (23, 2), np.inf)), "-e", "squat"],
     2, "world_xyz_m z at frame 0, landmark 23 (left_hip) is inf"),
    ("--fps 0", lambda t: ["analyze", str(t), "-e", "squat", "--fps", "0"], 2,  # before: ZeroDivisionError
     "argument --fps: must be a number from 0.1 to 1000 frames per second, got '0'"),
    ("--fps nan", lambda t: ["analyze", str(t), "-e", "squat", "--fps", "nan"], 2, "argument --fps: must be"),
    ("--fps -5", lambda t: ["analyze", str(t), "-e", "squat", "--fps", "-5"], 2, "argument --fps: must be"),
    ("--fps inf", lambda t: ["analyze", str(t), "-e", "squat", "--fps", "inf"], 2, "argument --fps: must be"),
    ('say ""', lambda t: ["say", ""], 2, "argument text: nothing to say"),  # before: AssertionError
    ("say --rate -100", lambda t: ["say", "hi", "--rate", "-100", "--out", str(t / "s.wav")], 2,  # before: exit 0
     "argument --rate: must be a whole number from 80 to 300 words per minute, got '-100'"),
    ("say --volume nan", lambda t: ["say", "hi", "--volume", "nan", "--out", str(t / "s.wav")], 2,  # before: exit 0
     "argument --volume: must be a number from 0 to 1, got 'nan'"),
    ("exercise rule max = nan",  # before: loaded, the rule silently off
     lambda t: ["exercises", "validate", str(_exercise(t / "ex", "nan"))], 2, "rules[0].max: nan is not a finite number"),
    ("exercise rule max = 1e308", lambda t: ["exercises", "validate", str(_exercise(t / "ex", "1e308"))], 2,
     "rules[0].max: must lie in [0, 180] deg, got 1e+308"),
]


@pytest.mark.parametrize("name, make, code, words", MEASURED, ids=[m[0] for m in MEASURED])
def test_measured_cases_through_the_entry_point(tmp_path, name, make, code, words):
    root = tmp_path / "run"
    root.mkdir()
    argv = make(tmp_path)
    env = dict(os.environ, HOME=str(root / "home"), XDG_CACHE_HOME=str(root / "cache"),
               XDG_DATA_HOME=str(root / "data"), XDG_CONFIG_HOME=str(root / "config"),
               FITCOACH_DATA_DIR=str(root / "data" / "fitcoach"), QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=str(REPO))
    before = {p for p in tmp_path.rglob("*") if p.is_file()}
    p = subprocess.run([sys.executable, "-m", "fitcoach", *argv, "--no-progress"] if argv[0] == "analyze"
                       else [sys.executable, "-m", "fitcoach", *argv],
                       cwd=root, env=env, capture_output=True, text=True, timeout=TIME_LIMIT_S,
                       preexec_fn=_limit_memory)
    lines = p.stderr.splitlines()
    assert "Traceback" not in p.stderr, p.stderr
    assert p.returncode == code, p.stderr
    if code == 2:
        assert len(lines) == 1 and words in lines[0], lines
    else:
        assert any(words in line for line in lines) and all(line.startswith("fitcoach: warning: ") for line in lines)
    written = {q for q in tmp_path.rglob("*") if q.is_file()} - before
    assert written <= {tmp_path / "a.mp4"}, written
