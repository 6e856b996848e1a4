"""Benchmark: decoding alone, the bare MediaPipe VIDEO loop, and the whole `analyze` pipeline.

    .venv/bin/python bench/bench_pipeline.py [CLIP] [--exercise ID] [--model full] [--repeat 1]

All three run in this one process on the same clip, so the ratios compare like with like:
- decode fps: OpenCV reading the clip, nothing else;
- bare fps: decode + PoseLandmarker.detect_for_video (same options as the app);
- pipeline fps: `fitcoach.core.analyze.analyze` end to end, with the form scorer (decode, pose, person tracking,
  smoothing, metrics, reps, rules, JSON);
- our own stages: `Pipeline.step` on the landmarks the model produced (no model), per frame,
  median and p95 in ms.
Goals (issue #2): pipeline / bare >= 0.9, our per-frame median <= 1 ms.
Default clip: ../shared/clips/squat/luizfcharry__MrPose__squat2.mp4 when present.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fitcoach.core.analyze import analyze  # noqa: E402
from fitcoach.core.exercises import ExerciseCatalog  # noqa: E402
from fitcoach.core.pipeline import Pipeline  # noqa: E402
from fitcoach.core.pose import MediaPipePose, PersonTracker  # noqa: E402
from fitcoach.core.scorer import load_default_scorer  # noqa: E402
from fitcoach.core.sources import Frame, VideoSource  # noqa: E402

DEFAULT_CLIP = REPO.parent / "shared" / "clips" / "squat" / "luizfcharry__MrPose__squat2.mp4"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("clip", nargs="?", default=str(DEFAULT_CLIP))
    ap.add_argument("--exercise", default="squat")
    ap.add_argument("--model", default="full")
    ap.add_argument("--max-frames", type=int, default=0, help="0 = whole clip")
    args = ap.parse_args()
    clip = Path(args.clip)
    if not clip.exists():
        print(f"clip not found: {clip} (pass one as the first argument)")
        return 2
    ex = ExerciseCatalog.load().get(args.exercise)
    scorer = load_default_scorer()  # as the app runs: rules + form scorer

    def frames():
        src = VideoSource(clip)
        for i, f in enumerate(src):
            if args.max_frames and i >= args.max_frames:
                break
            yield f
        src.close()

    # 1. decode only
    t0 = time.perf_counter()
    n = sum(1 for _ in frames())
    t_decode = time.perf_counter() - t0

    # 2. bare MediaPipe loop (decode + detect), keeping the landmarks for step 4
    pose = MediaPipePose(args.model)
    tracker = PersonTracker()
    kept: list[tuple[float, np.ndarray | None, np.ndarray | None]] = []
    t0 = time.perf_counter()
    for f in frames():
        c = tracker.choose(f.t_s, pose.detect(f.image_bgr, f.t_s))
        kept.append((f.t_s, None if c is None else c.image_xyzv, None if c is None else c.world_xyz_m))
    t_bare = time.perf_counter() - t0
    pose.close()

    # 3. the whole analyze pipeline
    src = VideoSource(clip)
    if args.max_frames:
        src.n_frames = min(src.n_frames or args.max_frames, args.max_frames)
    t0 = time.perf_counter()
    count = [0]

    class Limited:
        def __init__(self, s):
            self.s = s
            self.kind, self.name, self.frame_size, self.fps = s.kind, s.name, s.frame_size, s.fps
            self.n_frames, self.warnings = s.n_frames, s.warnings

        def __iter__(self):
            for i, f in enumerate(self.s):
                if args.max_frames and i >= args.max_frames:
                    break
                count[0] += 1
                yield f

        def close(self):
            self.s.close()

    out = analyze(Limited(src), ex, lambda: MediaPipePose(args.model), model_name=args.model, progress=False,
                  scorer=scorer)
    t_pipe = time.perf_counter() - t0

    # 4. our own stages per frame, on the model's landmarks (no model in the loop)
    pipe = Pipeline(ex, frame_size=src.frame_size, scorer=scorer)
    nan = np.full((33, 4), np.nan, np.float32)
    costs = []
    for i, (t, img, world) in enumerate(kept):
        fr = Frame(i, t, None, img if img is not None else nan, world)
        s = time.perf_counter()
        pipe.step(fr)
        costs.append((time.perf_counter() - s) * 1000)

    fps = lambda secs: n / secs if secs > 0 else float("nan")  # noqa: E731
    print(f"clip: {clip.name}  frames: {n}  size: {src.frame_size[0]}x{src.frame_size[1]}  model: {args.model}")
    print(f"decode only        : {fps(t_decode):7.1f} fps")
    print(f"bare MediaPipe loop: {fps(t_bare):7.1f} fps  ({1000 * t_bare / n:.1f} ms/frame)")
    print(f"analyze pipeline   : {fps(t_pipe):7.1f} fps  ({1000 * t_pipe / n:.1f} ms/frame)")
    print(f"ratio pipeline/bare: {t_bare / t_pipe:.3f}  (goal >= 0.9)")
    costs.sort()
    p95 = costs[int(0.95 * (len(costs) - 1))]
    print(f"our stages per frame: median {statistics.median(costs):.3f} ms, p95 {p95:.3f} ms  (goal median <= 1 ms)")
    print(f"reps counted: {out['summary']['reps']} (+{out['summary']['partial_reps']} partial)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
