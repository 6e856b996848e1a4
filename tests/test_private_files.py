"""fitcoach.io.private_files: files 0600 and folders 0700 whatever the umask, atomic replace,
no temporary file left behind, and OpenCV's VideoWriter keeping a pre-created file's mode."""

import os
import stat
import sys
from pathlib import Path

import numpy as np
import pytest

from fitcoach.io import private_files as pf

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
UMASKS = [0o022, 0o000]


@pytest.fixture(params=UMASKS, ids=["umask022", "umask000"])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def mode(p) -> int:
    return stat.S_IMODE(os.lstat(p).st_mode)


def test_private_dir_creates_every_missing_level_0700_and_leaves_existing_parents(tmp_path, umask):
    tmp_path.chmod(0o755)
    leaf = tmp_path / "a" / "b" / "c"
    assert pf.private_dir(leaf) == leaf
    assert [mode(p) for p in (leaf, leaf.parent, leaf.parent.parent)] == [0o700] * 3
    assert mode(tmp_path) == 0o755  # a folder that was there already (the user's) is not changed


def test_private_dir_tightens_an_existing_folder_of_ours(tmp_path, umask):
    d = tmp_path / "cache"
    d.mkdir()
    d.chmod(0o755)  # made by an older FitCoach
    pf.private_dir(d)
    assert mode(d) == 0o700
    (tmp_path / "f").write_text("x")
    with pytest.raises(OSError):
        pf.private_dir(tmp_path / "f")


@pytest.mark.parametrize("how", ["text", "bytes", "open_w", "open_wb"])
def test_written_files_are_0600_and_replace_an_old_0644_file(tmp_path, umask, how):
    p = tmp_path / "export.json"
    p.write_text("old")
    p.chmod(0o644)
    if how == "text":
        pf.write_private_text(p, "héllo\n")
    elif how == "bytes":
        pf.write_private_bytes(p, "héllo\n".encode())
    else:
        with pf.open_private(p, "w" if how == "open_w" else "wb") as f:
            f.write("héllo\n" if how == "open_w" else "héllo\n".encode())
    assert p.read_bytes() == "héllo\n".encode()
    assert mode(p) == 0o600
    assert sorted(x.name for x in tmp_path.iterdir()) == ["export.json"]  # no temporary file left


def test_missing_output_folders_are_created_0700(tmp_path, umask):
    p = pf.write_private_text(tmp_path / "new" / "deeper" / "r.html", "<p>")
    assert mode(p) == 0o600 and mode(p.parent) == 0o700 and mode(p.parent.parent) == 0o700


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    p = tmp_path / "report.pdf"
    p.write_bytes(b"the old report")
    with pytest.raises(RuntimeError):
        with pf.open_private(p, "wb") as f:
            f.write(b"half a rep")
            raise RuntimeError("matplotlib failed")
    assert p.read_bytes() == b"the old report"
    assert [x.name for x in tmp_path.iterdir()] == ["report.pdf"]


def test_a_device_is_written_into_not_replaced(tmp_path):
    before = os.stat("/dev/null")
    pf.write_private_text("/dev/null", "discarded")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino and after.st_mode == before.st_mode


def test_opencv_writes_into_the_precreated_0600_file(tmp_path, umask):
    import cv2

    p = tmp_path / "v.mp4"
    w = pf.private_video_writer(p, "mp4v", 30.0, (64, 48))
    assert w.isOpened() and mode(p) == 0o600
    ino = os.stat(p).st_ino
    for i in range(10):
        w.write(np.full((48, 64, 3), i * 20, np.uint8))
    w.release()
    assert mode(p) == 0o600 and os.stat(p).st_ino == ino  # FFmpeg truncated it, kept the inode and mode
    cap = cv2.VideoCapture(str(p))
    assert cap.isOpened() and int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 10
    cap.release()


def test_a_video_writer_that_cannot_open_leaves_no_empty_file(tmp_path):
    p = tmp_path / "v.unknown-container"
    w = pf.private_video_writer(p, "mp4v", 30.0, (64, 48))
    assert not w.isOpened()
    assert not p.exists()


def test_precreate_private_truncates_an_existing_file_to_0600(tmp_path):
    p = Path(tmp_path / "x.wav")
    p.write_bytes(b"0123456789")
    p.chmod(0o644)
    assert pf.precreate_private(p) is False
    assert p.read_bytes() == b"" and mode(p) == 0o600


def test_errors_name_the_file_asked_for_not_the_temporary(tmp_path):
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("x")
    with pytest.raises(IsADirectoryError) as e:
        pf.write_private_text(tmp_path / "adir", "x")
    assert e.value.filename == str(tmp_path / "adir")
    with pytest.raises(NotADirectoryError) as e:
        pf.write_private_text(tmp_path / "afile" / "x.json", "x")
    assert e.value.filename == str(tmp_path / "afile" / "x.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir", "afile"]
