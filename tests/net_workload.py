"""The workload `tests/test_no_network.py` runs under strace: every model FitCoach ships, loaded
and used in one process for at least `--seconds` (default 65 s, longer than the ~20 s after which
ONNX Runtime 1.29-1.32's telemetry client makes its first DNS query).

In order: the form scorer and the planner network are loaded and kept alive for the whole run;
the demo recording is made and drawn into a video; that video is analysed through the MediaPipe
pose model with the scorer (`fitcoach analyze`); a session is saved and planned (the planner
network); a phrase is synthesised to a WAV (pyttsx3 + espeak-ng); then the desktop app runs
offscreen, replaying the demo in its Replay page, until the time is up. Run it with HOME and the
XDG folders pointing at an empty temporary folder; it writes its outputs into `OUT`.

    python tests/net_workload.py OUT [--seconds 65]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def _person_video(path: Path, seconds: float = 12.0, fps: float = 25.0) -> None:
    """A real photograph of a person (scikit-image's astronaut), panned slowly: MediaPipe finds
    a person in every frame (the demo video is a drawn skeleton, which it rightly ignores)."""
    import cv2
    import numpy as np
    from skimage import data

    img = np.ascontiguousarray(data.astronaut()[:, :, ::-1])
    h, w = img.shape[:2]
    vw = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for i in range(int(seconds * fps)):
        dx = int(20 * np.sin(i / 15.0))
        vw.write(np.roll(img, dx, axis=1))
    vw.release()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seconds", type=float, default=65.0)
    a = ap.parse_args()
    t0 = time.monotonic()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)

    from fitcoach.cli import main as cli
    from fitcoach.core.planner import default_capacity_model
    from fitcoach.core.scorer import load_default_scorer

    scorer, planner = load_default_scorer(), default_capacity_model()  # held until the end
    assert scorer is not None and planner is not None, "the shipped ONNX models are missing"

    def run(*argv: str) -> None:
        rc = cli(list(argv))
        print(f"[{time.monotonic() - t0:5.1f} s] fitcoach {' '.join(argv[:2])}: exit {rc}", flush=True)
        if rc != 0:
            raise SystemExit(f"fitcoach {' '.join(argv)} failed with {rc}")

    run("demo", "--save", str(out / "demo.npz"), "--annotate", str(out / "demo.mp4"))
    _person_video(out / "person.mp4")
    run("analyze", str(out / "person.mp4"), "-e", "squat", "--json", str(out / "video.json"))
    run("analyze", str(out / "demo.npz"), "-e", "squat", "--save", "--profile", "net", "--json", str(out / "rec.json"))
    run("plan", "--profile", "net", "--json", str(out / "plan.json"))
    run("say", "Push your knees out", "--out", str(out / "cue.wav"))

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from fitcoach.gui.app import MainWindow
    from fitcoach.gui.app import LazyScorer

    app = QApplication.instance() or QApplication(sys.argv[:1])
    w = MainWindow("en", LazyScorer())
    w.show()
    QTimer.singleShot(0, w.open_demo)
    left_ms = max(1000, int((a.seconds - (time.monotonic() - t0)) * 1000))
    QTimer.singleShot(left_ms, app.quit)
    app.exec()
    w.close()
    print(f"[{time.monotonic() - t0:5.1f} s] done; scorer {scorer.path.name}, planner held", flush=True)
    del scorer, planner
    return 0


if __name__ == "__main__":
    sys.exit(main())
