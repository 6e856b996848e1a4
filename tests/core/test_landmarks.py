import io
import zipfile

import numpy as np
import pytest

from fitcoach.core.errors import RecordingError
from fitcoach.core.landmarks import SCHEMA, LandmarkRecording, load_recording, save_recording


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
