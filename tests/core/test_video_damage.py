"""A video is called damaged when decoding ends before its duration, not when the header's frame
count is larger than what the stream delivers (sound phone videos do that: 391 listed, 371
decodable, the last frame at the container's duration)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")

from fitcoach.io.mp4_index import mp4_video_duration_s  # noqa: E402
from fitcoach.io.sources import VideoSource  # noqa: E402


def _mp4(path: Path, n: int = 60, fps: float = 30.0) -> Path:
    vw = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (64, 48))
    for i in range(n):
        img = np.zeros((48, 64, 3), np.uint8)
        img[:, (i % 64):] = 200  # a moving edge, so every frame is a real frame
        vw.write(img)
    vw.release()
    return path


def _boxes(data: bytes, start: int = 0, end: int | None = None):
    end = len(data) if end is None else end
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        yield kind, pos, size
        pos += size


def _faststart(src: Path, dst: Path) -> None:
    """Move the index (moov) before the media data, as web and phone exports do, shifting the
    chunk offsets: a file cut short then still has an index that gives the full duration."""
    data = src.read_bytes()
    tops = {k: (p, s) for k, p, s in _boxes(data)}
    mp, ms = tops[b"moov"]
    moov = bytearray(data[mp:mp + ms])

    def patch(buf: bytearray, start: int, end: int) -> None:
        for kind, p, s in _boxes(bytes(buf), start, end):
            if kind in (b"trak", b"mdia", b"minf", b"stbl"):
                patch(buf, p + 8, p + s)
            elif kind == b"stco":
                count = struct.unpack(">I", buf[p + 12:p + 16])[0]
                for i in range(count):
                    at = p + 16 + 4 * i
                    buf[at:at + 4] = struct.pack(">I", struct.unpack(">I", buf[at:at + 4])[0] + ms)

    patch(moov, 8, ms)
    fp, fs = tops[b"ftyp"]
    rest = data[fp + fs:mp] + data[mp + ms:]
    dst.write_bytes(data[fp:fp + fs] + bytes(moov) + rest)


def test_duration_comes_from_the_video_track(tmp_path):
    assert mp4_video_duration_s(_mp4(tmp_path / "a.mp4", 60, 30.0)) == pytest.approx(2.0, abs=0.01)
    assert mp4_video_duration_s(tmp_path / "missing.mp4") is None
    (tmp_path / "junk.mp4").write_bytes(b"\x00\x00\x00\x08junk" * 10)
    assert mp4_video_duration_s(tmp_path / "junk.mp4") is None


def test_header_listing_more_frames_than_the_stream_is_not_damage(tmp_path):
    src = VideoSource(_mp4(tmp_path / "phone.mp4", 60))
    src.n_frames = 64  # the header promises more frames than the stream delivers
    assert sum(1 for _ in src) == 60
    assert src.warnings == []  # the last frame sits at the track's duration: sound


def test_a_file_cut_short_is_still_called_damaged(tmp_path):
    fast = tmp_path / "fast.mp4"
    _faststart(_mp4(tmp_path / "whole.mp4", 90), fast)
    whole = VideoSource(fast)
    assert sum(1 for _ in whole) == 90 and whole.warnings == []
    data = fast.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.5)])
    src = VideoSource(cut)
    n = sum(1 for _ in src)
    assert 0 < n < 90
    assert len(src.warnings) == 1 and "truncated or damaged" in src.warnings[0] and "of 3.00 s" in src.warnings[0]
