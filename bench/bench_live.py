"""Benchmark: a file played as live (as a camera delivers it) through the guided-workout runner.

    .venv/bin/python bench/bench_live.py [CLIP] [--seconds 60] [--size 640x480] [--models full,lite] [--people auto]

The clip is decoded, resized to --size and delivered at its own timestamps by a capture thread
(looped until --seconds of clip time); the analysis takes the newest frame whenever it is ready
(`fitcoach.run.frames.LatestWins`) and runs the whole workout chain (pipeline, workout, cues,
live figures). Printed per model:
- wall time vs clip time (goal <= 1.02x: live is never slowed down),
- frames analysed per second and frames dropped (what the hardware allows),
- frame-to-result latency p50 / p95: from the moment the capture thread had the frame to the
  end of its analysis (goal p95 <= 60 ms).
Default clip: ../shared/clips/squat/luizfcharry__MrPose__squat2.mp4. About --seconds per model.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fitcoach.cli.common import DEFAULT_PEOPLE, backend_factory as _backend_factory  # noqa: E402
from fitcoach.core.exercises import ExerciseCatalog  # noqa: E402
from fitcoach.core.scorer import load_default_scorer  # noqa: E402
from fitcoach.core.session import Prescription  # noqa: E402
from fitcoach.core.frame import Frame  # noqa: E402
from fitcoach.io.sources import VideoSource  # noqa: E402  (after the sys.path line above)
from fitcoach.run.workout import WorkoutJob, run_workout  # noqa: E402

DEFAULT_CLIP = REPO.parent / "shared" / "clips" / "squat" / "luizfcharry__MrPose__squat2.mp4"


class LoopedClip:
    """A clip, resized, looped until `seconds` of clip time (as a camera of that size would give)."""

    kind = "video"

    def __init__(self, clip: Path, seconds: float, size: tuple[int, int]) -> None:
        self.clip, self.seconds, self.frame_size = clip, seconds, size
        v = VideoSource(clip)
        self.fps, self.name, self.n_frames, self.warnings = v.fps, str(clip), None, []
        v.close()
        self.last_t = 0.0

    def __iter__(self):
        import cv2

        off, i = 0.0, 0
        while True:
            v = VideoSource(self.clip)
            t = 0.0
            for f in v:
                t = off + f.t_s
                if t > self.seconds:
                    v.close()
                    return
                self.last_t = t
                yield Frame(i, t, cv2.resize(f.image_bgr, self.frame_size, interpolation=cv2.INTER_AREA))
                i += 1
            v.close()
            off = t + 1.0 / (self.fps or 30.0)

    def close(self) -> None:
        pass


class Wall:
    """Wall time from the first analysed frame to the end of the run."""

    def __init__(self) -> None:
        self.t0 = self.t1 = None

    def frame(self, ctx, frame, res) -> None:
        if self.t0 is None:
            self.t0 = ctx.frames.grab_time  # when the first frame arrived
            self.first_t = frame.t_s

    def finish(self, ctx) -> None:
        self.t1 = time.monotonic()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("clip", nargs="?", default=str(DEFAULT_CLIP))
    ap.add_argument("--exercise", default="squat")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--size", default="640x480")
    ap.add_argument("--models", default="full,lite")
    ap.add_argument("--people", default=DEFAULT_PEOPLE)
    args = ap.parse_args()
    clip = Path(args.clip)
    if not clip.exists():
        print(f"clip not found: {clip} (pass one as the first argument)")
        return 2
    size = tuple(int(x) for x in args.size.lower().split("x"))
    ex = ExerciseCatalog.load().get(args.exercise)
    scorer = load_default_scorer()
    rows = []
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), cores: {os.cpu_count()}", flush=True)
    for model in args.models.split(","):
        src = LoopedClip(clip, args.seconds, size)
        wall = Wall()
        job = WorkoutJob(src, ex, Prescription.for_exercise(ex, sets=50, reps=100, rest_s=5.0), countdown_s=1.0,
                         backend_factory=_backend_factory(model, args.people), model_name=model, scorer=scorer,
                         speed=1.0, extra_sinks=(wall,))
        out = run_workout(job)
        clip_s = src.last_t - wall.first_t
        wall_s = wall.t1 - wall.t0
        live = out["live"]
        n = out["input"]["frames_analysed"]
        dropped = out["input"]["frames_dropped"]
        rows.append((model, wall_s, clip_s, n, dropped, live))
        print(f"{model}: done, load {os.getloadavg()[0]:.2f}", flush=True)
    print(f"clip: {clip.name} played as live at {size[0]}x{size[1]}, {args.seconds:.0f} s, --people {args.people}")
    for model, wall_s, clip_s, n, dropped, live in rows:
        delivered = n + dropped
        print(f"{model:5s}: wall {wall_s:6.2f} s / clip {clip_s:6.2f} s = x{wall_s / clip_s:.3f} (goal <= 1.02)  "
              f"analysed {n / wall_s:5.1f} fps of {delivered / wall_s:5.1f} delivered, dropped {dropped} "
              f"({100 * dropped / max(1, delivered):.0f} %)  latency p50 {live['latency_ms_p50']} ms, "
              f"p95 {live['latency_ms_p95']} ms (goal p95 <= 60)")
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
