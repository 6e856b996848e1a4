"""Benchmark: decoding alone, the bare MediaPipe VIDEO loop, and `analyze` (issue 15).

    .venv/bin/python bench/bench_pipeline.py [CLIP] [--exercise ID] [--model full] [--max-frames 450] [--repeat 2]

Everything runs in this one process on the same clip and model, interleaved (`--repeat` rounds
of: decode, bare, each analyze variant), and the medians are printed, with the load average:
- decode: OpenCV reading the clip, nothing else;
- bare: the plain sequential single-person loop written with MediaPipe's own API: decode,
  BGR->RGB (cv2.cvtColor), `detect_for_video` with num_poses=1, one after the other;
- analyze (defaults): `fitcoach.run.analyze.analyze` end to end as `fitcoach analyze` runs it
  (its default --people, the form scorer, cues, the landmark tape): decode on its own thread,
  pose, tracking, smoothing, metrics, reps, rules, JSON;
- analyze --people 1 / 2 / auto: the person-count strategies side by side;
- our own stages: `Pipeline.step` on the model's landmarks (no model), median and p95 ms.
Goals: analyze (defaults) / bare >= 1.0; our stages' median <= 1 ms.
Default clip: ../shared/clips/squat/luizfcharry__MrPose__squat2.mp4 (1280x720).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fitcoach.cli.common import DEFAULT_PEOPLE, backend_factory as _backend_factory  # noqa: E402
from fitcoach.run.analyze import analyze  # noqa: E402
from fitcoach.core.cues import CueEngine  # noqa: E402
from fitcoach.core.exercises import ExerciseCatalog  # noqa: E402
from fitcoach.core.models import pose_model_path  # noqa: E402
from fitcoach.core.pipeline import Pipeline  # noqa: E402
from fitcoach.core.scorer import load_default_scorer  # noqa: E402
from fitcoach.io.recordings import LandmarkTape  # noqa: E402
from fitcoach.core.frame import Frame  # noqa: E402
from fitcoach.io.sources import VideoSource  # noqa: E402  (after the sys.path line above)

DEFAULT_CLIP = REPO.parent / "shared" / "clips" / "squat" / "luizfcharry__MrPose__squat2.mp4"


class Limited:
    """The first `n` frames of a video source (0: all)."""

    def __init__(self, clip: Path, n: int) -> None:
        self.s = VideoSource(clip)
        self.n = n
        self.kind, self.name, self.frame_size, self.fps = self.s.kind, self.s.name, self.s.frame_size, self.s.fps
        self.n_frames = min(self.s.n_frames or n, n) if n else self.s.n_frames
        self.warnings = self.s.warnings

    def __iter__(self):
        for i, f in enumerate(self.s):
            if self.n and i >= self.n:
                break
            yield f

    def close(self):
        self.s.close()


def decode_only(clip, n) -> tuple[float, int]:
    t0 = time.perf_counter()
    src = Limited(clip, n)
    k = sum(1 for _ in src)
    src.close()
    return time.perf_counter() - t0, k


def bare(clip, n, model) -> tuple[float, list]:
    import cv2
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    opts = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(pose_model_path(model))),
                                        running_mode=vision.RunningMode.VIDEO, num_poses=1)
    lm = vision.PoseLandmarker.create_from_options(opts)
    cap = cv2.VideoCapture(str(clip))
    kept = []
    t0 = time.perf_counter()
    i = 0
    while not n or i < n:
        ok, img = cap.read()
        if not ok:
            break
        t_ms = int(round(cap.get(cv2.CAP_PROP_POS_MSEC)))
        t_ms = max(t_ms, kept[-1][0] + 1) if kept else t_ms
        res = lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB,
                                           data=cv2.cvtColor(img, cv2.COLOR_BGR2RGB)), t_ms)
        if res.pose_landmarks:
            p = res.pose_landmarks[0]
            img_l = np.array([(q.x, q.y, q.z, q.visibility or 0.0) for q in p], np.float32)
            w = np.array([(q.x, q.y, q.z) for q in res.pose_world_landmarks[0]], np.float32)
        else:
            img_l, w = None, None
        kept.append((t_ms, img_l, w))
        i += 1
    dt = time.perf_counter() - t0
    lm.close()
    cap.release()
    return dt, kept


def run_analyze(clip, n, ex, model, people, scorer) -> tuple[float, dict]:
    t0 = time.perf_counter()
    out = analyze(Limited(clip, n), ex, _backend_factory(model, people), model_name=model, progress=False,
                  scorer=scorer, cues=CueEngine(ex, "en", "full"), tape=LandmarkTape())
    return time.perf_counter() - t0, out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("clip", nargs="?", default=str(DEFAULT_CLIP))
    ap.add_argument("--exercise", default="squat")
    ap.add_argument("--model", default="full")
    ap.add_argument("--max-frames", type=int, default=450, help="0 = whole clip (default 450: 15 s at 30 fps)")
    ap.add_argument("--repeat", type=int, default=2, help="interleaved rounds; medians are reported")
    ap.add_argument("--variants", default="1,2,auto", help="--people variants of analyze besides the default")
    args = ap.parse_args()
    clip = Path(args.clip)
    if not clip.exists():
        print(f"clip not found: {clip} (pass one as the first argument)")
        return 2
    ex = ExerciseCatalog.load().get(args.exercise)
    scorer = load_default_scorer()  # as the app runs: rules + form scorer
    variants = [v for v in args.variants.split(",") if v and v != DEFAULT_PEOPLE]
    times: dict[str, list[float]] = {}
    outs: dict[str, dict] = {}
    kept = []
    n = 0
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), cores: {os.cpu_count()}", flush=True)
    for r in range(args.repeat):
        dt, n = decode_only(clip, args.max_frames)
        times.setdefault("decode only", []).append(dt)
        dt, kept = bare(clip, args.max_frames, args.model)
        times.setdefault("bare MediaPipe loop (1 person)", []).append(dt)
        for people in [DEFAULT_PEOPLE] + variants:
            label = f"analyze, defaults (--people {people})" if people == DEFAULT_PEOPLE else f"analyze --people {people}"
            dt, outs[people] = run_analyze(clip, args.max_frames, ex, args.model, people, scorer)
            times.setdefault(label, []).append(dt)
        print(f"round {r + 1}/{args.repeat} done, load {os.getloadavg()[0]:.2f}", flush=True)

    # our own stages per frame, on the model's landmarks (no model in the loop)
    pipe = Pipeline(ex, frame_size=VideoSource(clip).frame_size, scorer=scorer)
    nan = np.full((33, 4), np.nan, np.float32)
    costs = []
    for i, (t_ms, img, world) in enumerate(kept):
        fr = Frame(i, t_ms / 1000.0, None, img if img is not None else nan, world)
        s = time.perf_counter()
        pipe.step(fr)
        costs.append((time.perf_counter() - s) * 1000)

    size = VideoSource(clip).frame_size
    print(f"clip: {clip.name}  frames: {n}  size: {size[0]}x{size[1]}  model: {args.model}  "
          f"rounds: {args.repeat} (medians)")
    med = {k: statistics.median(v) for k, v in times.items()}
    t_bare = med["bare MediaPipe loop (1 person)"]
    for k, v in med.items():
        extra = "" if k == "decode only" else f"  x{t_bare / v:.2f} of bare"
        print(f"{k:<40}: {n / v:7.1f} fps  ({1000 * v / n:5.1f} ms/frame){extra}   "
              f"[{', '.join(f'{n / x:.1f}' for x in times[k])}]")
    d = f"analyze, defaults (--people {DEFAULT_PEOPLE})"
    print(f"ratio analyze (defaults) / bare: {t_bare / med[d]:.3f}  (goal >= 1.0)")
    costs.sort()
    p95 = costs[int(0.95 * (len(costs) - 1))]
    print(f"our stages per frame: median {statistics.median(costs):.3f} ms, p95 {p95:.3f} ms  (goal median <= 1 ms)")
    for people, out in outs.items():
        s = out["summary"]
        print(f"--people {people:<4}: reps {s['reps']} (+{s['partial_reps']} partial), frames with a person "
              f"{s['frames_with_person']}, with several {s['frames_multi_person']}")
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
