"""Fuzz: landmark recordings, exercise files and landmarks to draw, from mutated valid inputs.

The property for every input a user can hand FitCoach: it is either accepted (and then
satisfies every documented limit) or refused with one line naming the file, exit code 2,
never a traceback, in bounded time and memory, writing nothing but the output asked for.
Recordings and exercise files go through `fitcoach.cli.main` in-process (stderr captured);
the loader's memory is measured with tracemalloc (numpy reports its buffers to it).
tests/test_fuzz_cli.py runs the memory-sensitive cases through the real entry point under an
address-space limit.
"""

from __future__ import annotations

import io
import re
import time
import tracemalloc
import types
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fitcoach.cli import main
from fitcoach.core import landmarks as lm
from fitcoach.core import synth
from fitcoach.core.errors import RecordingError, ValidationError
from fitcoach.core.exercises import load_exercise_file
from fitcoach.core.resources import exercises_dir
from fitcoach.io.recordings import load_recording

FUZZ = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
TIME_LIMIT_S = 5.0  # per case; a case takes ~20 ms here
LOAD_PEAK_MIB = 32  # the base recording holds ~30 KB of arrays


# --- the sandbox: a temp cwd, HOME and XDG dirs; every file in it is accounted for --------

@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    for d in ("home", "cache", "data", "config", "cwd", "in"):
        (tmp_path / d).mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(tmp_path / "data" / "fitcoach"))
    monkeypatch.chdir(tmp_path / "cwd")
    return tmp_path


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def run_cli(argv: list[str], root: Path, outputs: set[Path] = frozenset(),
            also_allowed=lambda p: False) -> tuple[int, list[str]]:
    """main(argv) in-process: checks the exit code, stderr, time and the files written (only
    `outputs`, or files `also_allowed(path)` accepts)."""
    before = _files(root)
    out, err = io.StringIO(), io.StringIO()
    t0 = time.perf_counter()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as e:  # argparse
            rc = e.code
    elapsed = time.perf_counter() - t0
    text = err.getvalue()
    lines = text.splitlines()
    assert "Traceback" not in text, text
    assert rc in (0, 2), (rc, text)
    if rc == 2:
        assert len(lines) == 1 and lines[0].startswith("fitcoach"), lines
    else:  # a result may carry warnings, each one line of its own
        assert all(line.startswith("fitcoach: warning: ") for line in lines), lines
    assert elapsed < TIME_LIMIT_S, (argv, elapsed)
    written = _files(root) - before
    stray = {p for p in written - set(outputs) if not also_allowed(p)}
    assert not stray, stray
    for p in written:  # leave the sandbox as it was for the next example
        p.unlink()
    return rc, lines


# --- recordings ------------------------------------------------------------------------------

def _base_recording() -> lm.LandmarkRecording:
    rec, _ = synth.generate(synth.Take(exercise="squat", reps=1, fps=15.0, lead_in_s=0.2, tail_s=0.2))
    n = min(len(rec), 40)
    return lm.LandmarkRecording(rec.t_s[:n].copy(), rec.image_xyzv[:n].copy(), rec.world_xyz_m[:n].copy(),
                                rec.frame_size)


def _bytes_of(save) -> bytes:
    buf = io.BytesIO()
    save(buf)
    return buf.getvalue()


BASE = _base_recording()
BASE_ARRAYS = {"schema": np.array(lm.SCHEMA), "t_s": BASE.t_s, "image_xyzv": BASE.image_xyzv,
               "world_xyz_m": BASE.world_xyz_m, "frame_size": np.array(BASE.frame_size, np.int32)}
BASE_STORED = _bytes_of(lambda f: np.savez(f, **BASE_ARRAYS))
BASE_DEFLATED = _bytes_of(lambda f: np.savez_compressed(f, **BASE_ARRAYS))
DESCRS = ["<f4", "<f8", "<i4", "<i8", ">f4", "|u1", "|b1", "<U20", "<U100000000", "|O", "<c8", "<M8[s]", "|V16"]
SPECIAL = [np.nan, np.inf, -np.inf, 1e30, -1e30, 3e38, 0.0, 0.5, 1.0, -0.0, 11.5, -10.5, 1e-40]


def _npy(arr) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=False)
    return buf.getvalue()


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _header(shape, descr, body: bytes) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_2_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue() + body


@st.composite
def recordings(draw) -> bytes:
    kind = draw(st.sampled_from(["truncate", "flip", "overwrite", "header", "arrays", "values", "values"]))
    if kind == "values":  # the right layout; a few values anywhere (1e30, inf, NaN, huge times...)
        arrays = {k: v.copy() for k, v in BASE_ARRAYS.items()}
        for _ in range(draw(st.integers(1, 6))):
            key = draw(st.sampled_from(["t_s", "image_xyzv", "world_xyz_m", "frame_size"]))
            a = arrays[key]
            at = tuple(draw(st.integers(0, n - 1)) for n in a.shape)
            if key == "frame_size":
                a[at] = draw(st.integers(-2**31, 2**31 - 1) | st.integers(1, 9000))
            else:
                rows = draw(st.integers(1, 4))  # the same value in a few consecutive frames
                a[(slice(at[0], at[0] + rows),) + at[1:]] = draw(st.sampled_from(SPECIAL) | st.floats(width=32))
        if draw(st.booleans()):
            del arrays["world_xyz_m"]
        return _zip({f"{k}.npy": _npy(v) for k, v in arrays.items()})
    if kind in ("truncate", "flip", "overwrite"):
        data = bytearray(draw(st.sampled_from([BASE_STORED, BASE_DEFLATED])))
        if kind == "truncate":
            return bytes(data[: draw(st.integers(0, len(data) - 1))])
        if kind == "flip":
            for _ in range(draw(st.integers(1, 8))):
                data[draw(st.integers(0, len(data) - 1))] ^= 1 << draw(st.integers(0, 7))
            return bytes(data)
        at = draw(st.integers(0, len(data) - 1))
        chunk = draw(st.binary(min_size=1, max_size=64))
        data[at: at + len(chunk)] = chunk
        return bytes(data)
    members = {f"{k}.npy": _npy(v) for k, v in BASE_ARRAYS.items()}
    if kind == "header":  # one member's header claims any shape and dtype; the body is short
        key = draw(st.sampled_from(sorted(BASE_ARRAYS)))
        shape = tuple(draw(st.lists(st.one_of(st.integers(0, 50), st.integers(0, 2**40)), max_size=4)))
        body = b"\0" * draw(st.integers(0, 30_000))
        members[f"{key}.npy"] = _header(shape, draw(st.sampled_from(DESCRS)), body)
    else:  # arrays of any small shape and dtype, values anywhere; keys missing or extra
        for key in draw(st.lists(st.sampled_from(sorted(BASE_ARRAYS)), max_size=5, unique=True)):
            dtype = draw(st.sampled_from([np.float32, np.float64, np.int32, np.int64, np.uint8]))
            shape = draw(st.sampled_from([(), (2,), (40,), (40, 33, 4), (40, 33, 3), (3, 33, 4), (0,), (40, 2)]))
            if np.issubdtype(dtype, np.floating):
                elements = st.sampled_from(SPECIAL) | st.floats(width=32, allow_subnormal=False)
            else:
                elements = st.integers(np.iinfo(dtype).min, np.iinfo(dtype).max)
            members[f"{key}.npy"] = _npy(draw(hnp.arrays(dtype, shape, elements=elements,
                                                         fill=st.sampled_from([0, 1]) if dtype != np.float32 else
                                                         st.sampled_from(SPECIAL))))
        if draw(st.booleans()):
            members[draw(st.sampled_from(["extra.npy", "image_xyzv", "../x.npy", "t_s.npy.npy"]))] = _npy(np.zeros(2))
        if draw(st.booleans()) and len(members) > 1:
            del members[draw(st.sampled_from(sorted(members)))]
    return _zip(members, draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])))


def check_recording(rec: lm.LandmarkRecording) -> None:
    """Everything load_recording promises about what it returns (the documented limits of
    fitcoach/core/landmarks.py: 3 h at 60 fps, |t| <= 1e7 s, x, y in [-10, 11], |z| <= 100,
    world within 10 m, frames up to 8192 px a side)."""
    t, img, world = rec.t_s, rec.image_xyzv, rec.world_xyz_m
    n = len(t)
    assert t.dtype == np.float64 and t.shape == (n,) and 1 <= n <= 648_000
    assert np.isfinite(t).all() and (np.diff(t) > 0).all() and np.abs(t).max() <= 1e7
    assert img.dtype == np.float32 and img.shape == (n, 33, 4)
    v = img[..., 3]
    assert (np.isnan(v) | ((v >= 0) & (v <= 1))).all()
    xy, z = img[..., :2], img[..., 2]
    assert (np.isnan(xy) | ((xy >= -10) & (xy <= 11))).all()
    assert (np.isnan(z) | (np.abs(z) <= 100)).all()
    if world is not None:
        assert world.dtype == np.float32 and world.shape == (n, 33, 3)
        assert (np.isnan(world) | (np.abs(world) <= 10)).all()
    assert all(1 <= s <= 8192 for s in rec.frame_size)


RUNS = {"recordings": 0, "recordings_accepted": 0, "exercises": 0, "exercises_accepted": 0, "draw": 0}


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    """How many fuzz cases ran (shown with pytest -s)."""
    yield
    print(f"\nfuzz cases run: {RUNS}")


@settings(max_examples=400, **FUZZ)
@given(data=recordings())
@example(data=BASE_STORED)
@example(data=BASE_DEFLATED)
def test_fuzz_recordings(sandbox, data):
    RUNS["recordings"] += 1
    path = sandbox / "in" / "r.npz"
    path.write_bytes(data)
    # the loader alone: bounded memory; accepted means every limit holds
    tracemalloc.start()
    try:
        try:
            rec = load_recording(path)
        except RecordingError as e:
            rec, msg = None, str(e)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < LOAD_PEAK_MIB * 2**20, peak
    if data in (BASE_STORED, BASE_DEFLATED):
        assert rec is not None  # the seeds are valid, so the mutations start from a good file
    if rec is None:
        assert msg.startswith(str(path)) and "\n" not in msg and len(msg) < 600, msg
    else:
        RUNS["recordings_accepted"] += 1
        check_recording(rec)
    # and the whole command
    out = sandbox / "cwd" / "o.json"
    rc, lines = run_cli(["analyze", str(path), "-e", "squat", "--json", str(out), "--no-progress", "--no-scorer"],
                        sandbox, {out})
    if rec is None:
        assert rc == 2 and str(path) in lines[0]


# --- exercise files --------------------------------------------------------------------------

BASES = {name: (exercises_dir() / f"{name}.toml").read_text(encoding="utf-8") for name in ("squat", "plank")}
NUMBER = re.compile(r"(?<== )[-+]?\d[\d_]*(\.\d+)?([eE][-+]?\d+)?")
TOKENS = ["nan", "+nan", "-nan", "inf", "+inf", "-inf", "1e308", "-1e308", "1e999", "0", "-0.0", "-1", "0.0001",
          "99999999999999999999", "1" + "0" * 30, "1e-320", "181", "-91", "60.5", "601", "1_000"]
WRONG = ['"text"', "[1, 2]", "{ a = 1 }", "true", "1979-05-27", "[]", '""', "[[1], [2]]", '"\\u0000"']


@st.composite
def exercise_files(draw) -> tuple[str, str]:
    name = draw(st.sampled_from(sorted(BASES)))
    text = BASES[name]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["number", "number", "number", "delete", "extra", "type", "char"]))
        lines = text.split("\n")
        if kind == "number":
            spots = list(NUMBER.finditer(text))
            if not spots:
                continue
            m = draw(st.sampled_from(spots))
            new = draw(st.sampled_from(TOKENS) | st.floats().map(repr).filter(lambda s: s != "nan")
                       | st.integers(-10**20, 10**20).map(str))
            text = text[: m.start()] + new + text[m.end():]
        elif kind == "delete":
            del lines[draw(st.integers(0, len(lines) - 1))]
            text = "\n".join(lines)
        elif kind == "extra":
            lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(
                ["bogus = 1", "max = 3", "[extra]", "[[rules]]", 'id = "x"', "min = nan", "side = 'left'"])))
            text = "\n".join(lines)
        elif kind == "type":
            i = draw(st.integers(0, len(lines) - 1))
            if " = " in lines[i]:
                lines[i] = lines[i].split(" = ")[0] + " = " + draw(st.sampled_from(WRONG))
            text = "\n".join(lines)
        else:
            i = draw(st.integers(0, len(text) - 1))
            text = text[:i] + draw(st.characters()) + text[i + 1:]
    return name, text


def check_exercise(ex) -> None:
    """An accepted file's numbers are all finite and within their documented ranges."""
    from fitcoach.core.exercises import metric_range

    def within(v, lo, hi):
        assert v is None or (np.isfinite(v) and lo <= v <= hi), (v, lo, hi)

    if ex.driver is not None:
        d = ex.driver
        lo, hi = metric_range(d.metric)
        for v in (d.rest, d.target, ex.safe_min, ex.safe_max):
            within(v, lo, hi)
        within(d.min_excursion, 0.1 * abs(d.rest - d.target), 1.5 * abs(d.rest - d.target))
        within(d.min_rep_s, 0.05, 60)
        within(d.max_rep_s, 0.5, 600)
    if ex.tempo is not None:
        for v in (ex.tempo.down, ex.tempo.bottom, ex.tempo.up, ex.tempo.top):
            within(v, 0, 60)
    for bound in [r.bound for r in ex.rules] + list(ex.hold):
        within(bound.min, *metric_range(bound.metric))
        within(bound.max, *metric_range(bound.metric))
        assert bound.min is not None or bound.max is not None
    for r in ex.rules:
        within(r.persistence_s, 0, 60)


@pytest.fixture
def small_recording(sandbox):
    p = sandbox / "in" / "small.npz"
    p.write_bytes(BASE_DEFLATED)
    return p


@settings(max_examples=400, **FUZZ)
@given(case=exercise_files())
def test_fuzz_exercise_files(sandbox, small_recording, case):
    RUNS["exercises"] += 1
    name, text = case
    folder = sandbox / "in" / "ex"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    rc, lines = run_cli(["exercises", "validate", str(path)], sandbox)
    try:
        ex = load_exercise_file(path)
    except ValidationError as e:
        assert rc == 2 and lines[0] == f"fitcoach: error: {e}" and str(path) in lines[0]
        return
    assert rc == 0
    RUNS["exercises_accepted"] += 1
    check_exercise(ex)
    # an exercise that validates must analyse without a crash
    out = sandbox / "cwd" / "o.json"
    run_cli(["analyze", str(small_recording), "-e", name, "--exercises-dir", str(folder), "--json", str(out),
             "--no-progress", "--no-scorer"], sandbox, {out})


# --- drawing ---------------------------------------------------------------------------------

def test_skeleton_at_1e30_is_clipped_to_the_frame():
    """Before: cv2.error from cv2.line (a landmark at 1e30 does not fit an int)."""
    from fitcoach.io.annotate import draw_skeleton

    pts = np.full((33, 4), 0.5, np.float32)
    pts[13:17, :2] = 1e30  # left/right elbow and wrist far away down-right
    pts[0, :2] = np.inf  # the nose: not finite, skipped
    img = np.zeros((100, 200, 3), np.uint8)
    draw_skeleton(img, types.SimpleNamespace(image_xyzv=pts, predicted=None))
    drawn = img.any(axis=2)
    assert drawn[50, 100]  # the joints at the centre
    assert drawn[50:, 100:].sum() > 100  # the bones towards 1e30 run to the frame's corner
    assert not drawn[:40, :90].any()  # and nowhere they do not go


def test_clip_segment():
    from fitcoach.io.annotate import clip_segment

    assert clip_segment(np.array([10.0, 10.0]), np.array([20.0, 30.0]), 100, 100) == ((10, 10), (20, 30))
    assert clip_segment(np.array([50.0, 50.0]), np.array([1e30, 50.0]), 100, 100) == ((50, 50), (103, 50))
    assert clip_segment(np.array([-1e3, -1e3]), np.array([1e3, 1e3]), 100, 100) == ((-4, -4), (103, 103))
    # both ends astronomically far: float64 cannot place the visible part, but it stays in frame
    seg = clip_segment(np.array([-1e30, -1e30]), np.array([1e30, 1e30]), 100, 100)
    assert seg is None or all(-4 <= v <= 103 for pt in seg for v in pt)
    assert clip_segment(np.array([200.0, 0.0]), np.array([300.0, 50.0]), 100, 100) is None


@settings(max_examples=300, **FUZZ)
@given(
    pts=hnp.arrays(np.float32, (33, 4), elements=st.floats(width=32) | st.sampled_from(SPECIAL)),
    size=st.tuples(st.integers(1, 64), st.integers(1, 64)),
)
def test_fuzz_draw_skeleton(pts, size):
    """Any landmark values draw without an error, and only inside the image."""
    from fitcoach.io.annotate import draw_skeleton

    RUNS["draw"] += 1
    w, h = size
    img = np.zeros((h, w, 3), np.uint8)
    draw_skeleton(img, types.SimpleNamespace(image_xyzv=pts, predicted=None))
    assert img.shape == (h, w, 3)
    from fitcoach.io.annotate import clip_segment

    xy = pts[:, :2].astype(np.float64) * (w, h)
    for a, b in lm.SKELETON_EDGES:
        if np.isfinite(xy[[a, b]]).all():
            seg = clip_segment(xy[a], xy[b], w, h)
            if seg is not None:
                assert all(-5 <= x <= w + 4 and -5 <= y <= h + 4 for x, y in seg), seg


@pytest.mark.parametrize("fps", [1e9, 1e-4, float("nan")])
def test_annotator_takes_any_recording_frame_rate(tmp_path, catalog, fps):
    """A recording's rate is what its timestamps say (a 1e-9 s step is 1e9 fps); before, the
    video writer refused it: "cannot write a video here", which was not the problem."""
    from fitcoach.io.annotate import Annotator

    a = Annotator(tmp_path / "a.mp4", (64, 48), fps, catalog.get("squat"))
    a.close()
    assert (tmp_path / "a.mp4").exists()
