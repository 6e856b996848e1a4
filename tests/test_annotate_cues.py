"""--annotate burns the current cue into the video, Korean included (Qt's font engine, offscreen)."""

import json

import pytest

from fitcoach.cli import main

pytestmark = pytest.mark.gui


def test_korean_cue_is_drawn_into_the_video(tmp_path, monkeypatch):
    import cv2

    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    npz = tmp_path / "demo.npz"
    assert main(["demo", "--save", str(npz)]) == 0
    out, video = tmp_path / "o.json", tmp_path / "o.mp4"
    assert main(["analyze", str(npz), "-e", "squat", "--lang", "ko", "--json", str(out), "--annotate", str(video)]) == 0
    res = json.loads(out.read_text())
    first = next(c for c in res["cues"] if c["priority"] == "count")
    assert first["text"] == "하나"
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS)
    cap.set(cv2.CAP_PROP_POS_FRAMES, int(first["t_s"] * fps) + 3)
    ok, img = cap.read()
    assert ok
    band = img[int(img.shape[0] * 0.85):, :, :]
    # the cue is drawn in yellow on a black band: bright pixels with red > blue (BGR order)
    bright = (band.sum(axis=2) > 300) & (band[:, :, 2].astype(int) > band[:, :, 0].astype(int) + 40)
    assert bright.sum() > 50
