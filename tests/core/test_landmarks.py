import io
import zipfile

import numpy as np
import pytest

from fitcoach.core.errors import RecordingError
from fitcoach.core.landmarks import SCHEMA, LandmarkRecording
from fitcoach.io.recordings import load_recording, save_recording


def _rec(n=5, world=True):
    t = np.arange(n, dtype=np.float64) / 30
    img = np.random.default_rng(0).random((n, 33, 4)).astype(np.float32)
    img[2] = np.nan  # nobody seen in frame 2
    w = np.zeros((n, 33, 3), dtype=np.float32) if world else None
    return LandmarkRecording(t, img, w, (640, 480))


def _write_npz(path, **arrays):
    np.savez(path, **arrays)


def test_round_trip_and_deterministic_bytes(tmp_path):
    rec = _rec()
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    save_recording(a, rec)
    save_recording(b, rec)
    assert a.read_bytes() == b.read_bytes()
    back = load_recording(a)
    assert back.frame_size == (640, 480)
    np.testing.assert_array_equal(back.t_s, rec.t_s)
    np.testing.assert_array_equal(back.image_xyzv, rec.image_xyzv)  # NaN rows survive
    assert np.isnan(back.image_xyzv[2]).all()


def test_world_is_optional(tmp_path):
    p = tmp_path / "r.npz"
    save_recording(p, _rec(world=False))
    assert load_recording(p).world_xyz_m is None


def _good_arrays(n=4):
    return dict(
        schema=np.array(SCHEMA),
        t_s=np.arange(n, dtype=np.float64),
        image_xyzv=np.zeros((n, 33, 4), np.float32),
        frame_size=np.array([640, 480], np.int32),
    )


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(t_s=np.array([0.0, 1.0, 1.0, 2.0])), "strictly increasing; frame 2"),
        (dict(t_s=np.array([0.0, 2.0, 1.0, 3.0])), "frame 2"),
        (dict(t_s=np.arange(4, dtype=np.float32)), "t_s must be float64"),
        (dict(image_xyzv=np.zeros((4, 33, 3), np.float32)), "image_xyzv must be float32 (4, 33, 4)"),
        (dict(image_xyzv=np.zeros((4, 33, 4), np.float64)), "image_xyzv must be float32"),
        (dict(image_xyzv=np.full((4, 33, 4), 2.0, np.float32)), "visibility"),
        (dict(world_xyz_m=np.zeros((4, 17, 3), np.float32)), "world_xyz_m"),
        (dict(schema=np.array("something/2")), "schema must be"),
        (dict(frame_size=np.array([640, 480], np.int64)), "frame_size must be int32"),
        (dict(frame_size=np.array([0, 480], np.int32)), "frame_size"),
        (dict(extra=np.zeros(3)), "unknown key"),
    ],
)
def test_malformed_recordings_name_the_field(tmp_path, change, message):
    arrays = _good_arrays()
    arrays.update(change)
    p = tmp_path / "bad.npz"
    _write_npz(p, **arrays)
    with pytest.raises(RecordingError) as e:
        load_recording(p)
    assert message in str(e.value)
    assert str(p) in str(e.value)


def test_missing_key(tmp_path):
    arrays = _good_arrays()
    del arrays["t_s"]
    p = tmp_path / "bad.npz"
    _write_npz(p, **arrays)
    with pytest.raises(RecordingError, match="missing key"):
        load_recording(p)


def test_pickled_object_array_is_refused(tmp_path):
    arrays = _good_arrays()
    arrays["t_s"] = np.array([{"evil": 1}] * 4, dtype=object)
    p = tmp_path / "pickle.npz"
    np.savez(p, **arrays)  # numpy pickles object arrays when saving
    with pytest.raises(RecordingError, match="not a valid landmark recording"):
        load_recording(p)


def test_not_a_zip(tmp_path):
    p = tmp_path / "text.npz"
    p.write_text("hello")
    with pytest.raises(RecordingError, match="not a readable .npz"):
        load_recording(p)


def test_missing_file(tmp_path):
    with pytest.raises(RecordingError, match="no such file"):
        load_recording(tmp_path / "nope.npz")


def test_zip_entries_have_fixed_dates(tmp_path):
    p = tmp_path / "a.npz"
    save_recording(p, _rec())
    with zipfile.ZipFile(p) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert io.BytesIO(p.read_bytes())


# --- bounded cost: headers are checked before anything is allocated -------------------------

def _npy(arr):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=False)
    return buf.getvalue()


def _header_only(shape, descr, body=b""):
    """An .npy member whose header claims `shape` but whose data is only `body`."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue() + body


def _zip(path, members, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _good_members(n=4):
    return {f"{k}.npy": _npy(v) for k, v in _good_arrays(n).items()}


def _peak_mib(fn):
    """Peak traced allocation while fn() runs (numpy reports its buffers to tracemalloc)."""
    import tracemalloc

    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / 2**20


@pytest.mark.parametrize(
    "key, shape, descr, message",
    [
        # measured before: np.load tried to allocate 49.2 GiB (MemoryError, a traceback)
        ("image_xyzv", (100_000_000, 33, 4), "<f4", "image_xyzv must be float32 (4, 33, 4)"),
        # before: allocated 800 MB, then failed at EOF
        ("t_s", (100_000_000,), "<f8", "at most 648000 (3 h at 60 fps)"),
        ("schema", (), "<U500000000", "schema must be the string"),  # 2 GB for one string
        ("frame_size", (2_000_000_000,), "<i4", "frame_size must be int32 (2,)"),
    ],
)
def test_header_claiming_a_huge_array_is_refused_before_allocating(tmp_path, key, shape, descr, message):
    members = _good_members()
    members[f"{key}.npy"] = _header_only(shape, descr, b"\0" * 1000)
    p = tmp_path / "bomb.npz"
    _zip(p, members)
    errors = []

    def load():
        with pytest.raises(RecordingError) as e:
            load_recording(p)
        errors.append(str(e.value))

    assert _peak_mib(load) < 5
    assert message in errors[0] and str(p) in errors[0]


def test_frame_cap(tmp_path):
    MAX_FRAMES = 648_000  # 3 h at 60 fps (fitcoach.core.landmarks.MAX_FRAMES)
    n = MAX_FRAMES + 1  # compressed zeros: a small file that would unpack to 350 MB of arrays
    members = _good_members()
    members["t_s.npy"] = _npy(np.zeros(n))
    members["image_xyzv.npy"] = _header_only((n, 33, 4), "<f4", bytes(n * 33 * 16))
    p = tmp_path / "long.npz"
    _zip(p, members)
    assert p.stat().st_size < 2_000_000
    with pytest.raises(RecordingError, match=f"t_s claims {n} frames; at most {MAX_FRAMES}"):
        load_recording(p)


def test_header_bigger_than_the_data_is_truncation(tmp_path):
    members = _good_members()
    members["image_xyzv.npy"] = _header_only((4, 33, 4), "<f4", b"\0" * 100)  # 2112 bytes claimed
    p = tmp_path / "short.npz"
    _zip(p, members)
    with pytest.raises(RecordingError, match=r"image_xyzv: the header says float32 \(4, 33, 4\) \(2112 bytes\) "
                                             r"but the archive holds 100 bytes of data \(truncated\)"):
        load_recording(p)


def test_damaged_deflate_stream_names_file_and_key(tmp_path):
    p = tmp_path / "r.npz"
    save_recording(p, _rec(n=50))
    data = bytearray(p.read_bytes())
    with zipfile.ZipFile(p) as zf:
        info = zf.getinfo("image_xyzv.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 40, start + 80):
        data[i] ^= 0xFF
    p.write_bytes(bytes(data))
    with pytest.raises(RecordingError) as e:  # before: zlib.error escaped (a traceback)
        load_recording(p)
    assert str(p) in str(e.value) and "image_xyzv" in str(e.value)
    assert "\n" not in str(e.value)


def test_zip_with_many_entries_is_refused_from_its_directory(tmp_path):
    members = _good_members()
    members.update({f"junk{i}": b"" for i in range(2000)})
    p = tmp_path / "many.npz"
    _zip(p, members, zipfile.ZIP_STORED)
    with pytest.raises(RecordingError, match="its zip directory lists 2004 entries"):
        load_recording(p)


def test_stored_and_deflated_only(tmp_path):
    for save in (np.savez, np.savez_compressed):  # what numpy writes still loads
        p = tmp_path / f"{save.__name__}.npz"
        save(p, **_good_arrays())
        assert len(load_recording(p)) == 4
    p = tmp_path / "bz.npz"
    _zip(p, _good_members(), zipfile.ZIP_BZIP2)  # np.load reads it; bzip2 bombs decompress slowly
    with pytest.raises(RecordingError, match="zip compression method 12"):
        load_recording(p)


# --- values: visibility, coordinates, time, frame size ---------------------------------------

@pytest.mark.parametrize(
    "change, message",
    [
        (lambda a: a["image_xyzv"].__setitem__((1, 5, 3), np.inf),
         "visibility (channel 3) must lie in [0, 1] or be NaN; frame 1, landmark 5 (right_eye) is inf"),
        (lambda a: a["image_xyzv"].__setitem__((2, 0, 3), -np.inf), "frame 2, landmark 0 (nose) is -inf"),
        (lambda a: a.__setitem__("frame_size", np.array([100_000, 480], np.int32)), "up to 8192"),
        (lambda a: a["t_s"].__setitem__(3, 1e300), "t_s at frame 3 is 1e+300 s; must lie within ±1e+07 s"),
    ],
)
def test_impossible_values_are_errors(tmp_path, change, message):
    arrays = _good_arrays()
    change(arrays)
    p = tmp_path / "bad.npz"
    _write_npz(p, **arrays)
    with pytest.raises(RecordingError) as e:
        load_recording(p)
    assert message in str(e.value) and str(p) in str(e.value)


def _with_world(n=100):
    a = _good_arrays(n)
    a["t_s"] = a["t_s"] / 30
    a["image_xyzv"][:] = 0.5
    a["world_xyz_m"] = np.zeros((n, 33, 3), np.float32)
    return a


@pytest.mark.parametrize(
    "key, index, value, words",
    [
        ("image_xyzv", (slice(None), 13, 0), 1e30, "image_xyzv x at frame 7, landmark 13 (left_elbow) is 1e+30"),
        ("image_xyzv", (slice(None), 0, 1), -np.inf, "image_xyzv y at frame 7, landmark 0 (nose) is -inf"),
        ("image_xyzv", (slice(None), 0, 2), 1e6, "image_xyzv z at frame 7"),
        ("world_xyz_m", (slice(None), 23, 2), np.inf, "world_xyz_m z at frame 7, landmark 23 (left_hip) is inf"),
        ("world_xyz_m", (slice(None), 23, 0), 50.0, "world coordinates must lie within ±10 m"),
    ],
)
def test_a_few_impossible_frames_become_nobody_seen_with_a_warning(tmp_path, key, index, value, words):
    arrays = _with_world()
    arrays[key][(slice(7, 9),) + index[1:]] = value  # frames 7 and 8 of 100
    p = tmp_path / "few.npz"
    _write_npz(p, **arrays)
    rec = load_recording(p)
    assert np.isnan(rec.image_xyzv[7:9]).all() and np.isnan(rec.world_xyz_m[7:9]).all()
    assert np.isfinite(rec.image_xyzv[[0, 6, 9, 99]]).all()  # the other frames are untouched
    (w,) = rec.warnings
    assert w.startswith(f"{p}: frames 7, 8 treated as nobody seen") and words in w

    # too many such frames: the file is not in the format (e.g. pixels instead of 0..1)
    arrays[key][(slice(0, 50),) + index[1:]] = value
    _write_npz(p, **arrays)
    with pytest.raises(RecordingError, match="50 of 100 frames are like this"):
        load_recording(p)


def test_dropped_frames_reach_the_analysis_warnings(tmp_path, catalog):
    from fitcoach.run.analyze import analyze
    from fitcoach.io.sources import RecordingSource

    arrays = _with_world()
    arrays["image_xyzv"][3, 15, :2] = 1e30
    p = tmp_path / "one.npz"
    _write_npz(p, **arrays)
    out = analyze(RecordingSource(p), catalog.get("squat"))
    assert any(w.startswith(f"{p}: frame 3 treated as nobody seen") for w in out["warnings"])
    assert out["errors"] == []


def test_nan_still_means_unknown(tmp_path):
    arrays = _with_world()
    arrays["image_xyzv"][4] = np.nan
    arrays["world_xyz_m"][5, 3] = np.nan
    p = tmp_path / "nan.npz"
    _write_npz(p, **arrays)
    assert load_recording(p).warnings == ()
