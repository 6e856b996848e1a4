"""A synthetic exerciser: a 3-D kinematic skeleton seen by a virtual camera.

Why: the built-in demo (no camera, no clip) and the tests need motion whose truth is known —
how many reps, their tempo and range of motion — and they must not need the pose model. The
generator writes landmark recording v1, so everything downstream runs on the same path as
real data.

Model: a stick figure with adjustable segment lengths (body proportions) posed by joint
angles (degrees; `fitcoach.core.synth_body`); forward kinematics gives the 33 MediaPipe
landmarks in metres. The whole body can be pitched (lying exercises). A pinhole camera at a given yaw (0 = the person faces
the camera, 90 = their right side faces it), elevation and distance projects them; MediaPipe-like
noise, visibility of self-occluded points, and dropped frames are added on request.

Motions are keyframe pairs: a *rest* pose and a *far* pose per exercise
(`fitcoach.core.synth_motions`), blended here by a phase 0..1 that follows the prescribed tempo
with smooth (cosine) transitions. `Body`, `Pose`, `MOTIONS`, ... are re-exported here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from fitcoach.core.landmarks import INDEX, LandmarkRecording
from fitcoach.core.synth_body import (  # noqa: F401  (Body, Pose, ...: re-exported, the import path callers use)
    FWD,
    LEFT,
    UP,
    Body,
    Pose,
    blend,
    forward_kinematics,
    mirror,
    rotation,
)
from fitcoach.core.synth_motions import HOLDS, MOTIONS, ROM_MOTIONS  # noqa: F401


@dataclass
class Take:
    """What to generate. Angles in degrees, times in seconds."""

    exercise: str = "squat"
    reps: int = 5
    tempo: tuple[float, float, float, float] = (1.5, 0.5, 1.2, 0.8)  # down, bottom, up, top
    depth: float = 1.0  # fraction of the far pose reached (1 = full); per-rep list allowed
    depths: list[float] | None = None
    lead_in_s: float = 1.0
    tail_s: float = 1.0
    fps: float = 30.0
    yaw_deg: float = 90.0  # 0 = facing the camera, 90 = right side to the camera
    elevation_deg: float = 5.0
    distance_m: float = 3.2
    frame_size: tuple[int, int] = (640, 480)
    noise: float = 0.0  # std of image noise, normalised units (MediaPipe-like ~0.003)
    drop_rate: float = 0.0  # fraction of frames with nobody detected
    body: Body = field(default_factory=Body)
    seed: int = 0
    alternate: bool = False  # lunge-style: swap left/right every rep
    hold_s: float = 0.0  # for holds: seconds in position
    # Faults injected on purpose (ids from synth_faults.FAULTS): one {id: severity 0..1} per
    # rep, or for holds one dict for the whole hold.
    rep_faults: list[dict[str, float]] | None = None
    hold_faults: dict[str, float] | None = None
    vis_drop_rate: float = 0.0  # chance per landmark and frame that its visibility collapses
    motion: tuple[Pose, Pose] | None = None  # (rest, far) instead of MOTIONS[exercise] (e.g. a still posture)
    jitter: float = 0.0  # slow (correlated) landmark wander, normalised units


@dataclass(frozen=True)
class Truth:
    rep_windows: list[tuple[float, float]]  # (start, end) seconds of each rep
    tempo: tuple[float, float, float, float]
    depths: list[float]
    sides: list[str]
    hold_s: float


def _smooth(u: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * min(max(u, 0.0), 1.0))


def _timeline(take: Take) -> tuple[np.ndarray, np.ndarray, np.ndarray, Truth]:
    """Per-frame time, phase (0..1 scaled by depth) and rep index (-1 outside reps)."""
    down, bottom, up, top = take.tempo
    depths = take.depths or [take.depth] * take.reps
    if take.exercise in HOLDS:
        total = take.lead_in_s + take.hold_s + take.tail_s
    else:
        total = take.lead_in_s + sum(down + bottom + up + top for _ in depths) + take.tail_s
    n = int(round(total * take.fps))
    t = np.arange(n, dtype=np.float64) / take.fps
    phase = np.zeros(n)
    rep = np.full(n, -1)
    windows = []
    t0 = take.lead_in_s
    if take.exercise not in HOLDS:
        for k, dep in enumerate(depths):
            t1, t2, t3, t4 = t0 + down, t0 + down + bottom, t0 + down + bottom + up, t0 + down + bottom + up + top
            for i, ti in enumerate(t):
                if t0 <= ti < t1:
                    phase[i] = dep * _smooth((ti - t0) / down)
                elif t1 <= ti < t2:
                    phase[i] = dep
                elif t2 <= ti < t3:
                    phase[i] = dep * (1 - _smooth((ti - t2) / up))
                if t0 <= ti < t3:
                    rep[i] = k
            windows.append((t0, t3))
            t0 = t4
    sides = []
    for k in range(len(depths)):
        sides.append(("left" if k % 2 == 0 else "right") if take.alternate else "both")
    truth = Truth(windows, take.tempo, list(depths), sides, take.hold_s)
    return t, phase, rep, truth


def _camera_project(
    pts_body: np.ndarray, take: Take, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Body-frame points -> (image_xyzv (33,4), world (33,3) camera-aligned, y down)."""
    # Person stands at the origin of the world; rotate the body by yaw about the vertical axis.
    r_yaw = rotation(UP, take.yaw_deg)
    world_up = pts_body @ r_yaw.T  # still Y up; Z toward the camera when yaw = 0
    # Camera looks along -Z (toward the person) from distance, raised by elevation.
    el = math.radians(take.elevation_deg)
    center = np.array([0.0, 0.9, 0.0])
    cam = center + np.array([0.0, math.sin(el), math.cos(el)]) * take.distance_m
    fwd = center - cam
    fwd /= np.linalg.norm(fwd)
    right = np.cross(fwd, UP)
    right /= np.linalg.norm(right)
    down = np.cross(fwd, right)
    rel = world_up - cam
    xc, yc, zc = rel @ right, rel @ down, rel @ fwd
    w, h = take.frame_size
    f = 0.9 * max(w, h)
    u = (f * xc / zc + w / 2) / w
    v = (f * yc / zc + h / 2) / h
    # MediaPipe z: depth relative to the hips, roughly in the same scale as x.
    hip_depth = (zc[INDEX["left_hip"]] + zc[INDEX["right_hip"]]) / 2
    z = (zc - hip_depth) * f / (zc.mean() * w)
    vis = np.full(33, 0.98)
    # Self-occlusion: the side turned away from the camera is less visible.
    lateral = np.array([1.0, 0.0, 0.0]) @ r_yaw.T  # person's left in world
    toward = -fwd
    facing_left = float(np.dot(lateral, toward))  # > 0: left side toward the camera
    for name, i in INDEX.items():
        # (At 45 deg both sides are still well seen; beyond ~55 deg the far side is occluded.)
        if name.startswith("right_") and facing_left > 0.82:
            vis[i] = 0.4 + 0.2 * (1 - facing_left)
        elif name.startswith("left_") and facing_left < -0.82:
            vis[i] = 0.4 + 0.2 * (1 + facing_left)
    img = np.stack([u, v, z, vis], axis=1)
    if take.noise > 0:
        img[:, :2] += rng.normal(0, take.noise, (33, 2))
        img[:, 3] = np.clip(img[:, 3] + rng.normal(0, 0.03, 33), 0, 1)
    pelvis = (world_up[INDEX["left_hip"]] + world_up[INDEX["right_hip"]]) / 2
    world = np.stack([(world_up - pelvis) @ right, (world_up - pelvis) @ down, (world_up - pelvis) @ fwd], axis=1)
    if take.noise > 0:
        world += rng.normal(0, take.noise * 3, world.shape)
    return img.astype(np.float32), world.astype(np.float32)


def generate(take: Take) -> tuple[LandmarkRecording, Truth]:
    """Render a take to a landmark recording plus its ground truth."""
    if take.motion is None and take.exercise not in MOTIONS:
        raise ValueError(
            f"no synthetic motion for exercise {take.exercise!r}; available: {', '.join(sorted(MOTIONS))}"
        )
    rng = np.random.default_rng(take.seed)
    rest, far = take.motion or MOTIONS[take.exercise]
    t, phase, rep, truth = _timeline(take)
    n = len(t)
    img = np.empty((n, 33, 4), dtype=np.float32)
    world = np.empty((n, 33, 3), dtype=np.float32)
    depths = take.depths or [take.depth] * take.reps
    faults = _fault_table(take.exercise) if (take.rep_faults or take.hold_faults) else {}
    wander = np.zeros((33, 2))
    for i in range(n):
        pose = blend(rest, far, phase[i])
        k = int(rep[i])
        if take.rep_faults and k >= 0 and take.rep_faults[k]:
            progress = min(1.0, phase[i] / max(depths[k], 1e-6))
            for fid, sev in sorted(take.rep_faults[k].items()):
                pose = faults[fid](pose, rest, sev * progress)
        if take.hold_faults:
            for fid, sev in sorted(take.hold_faults.items()):
                pose = faults[fid](pose, rest, sev)
        if take.alternate and k >= 0 and k % 2 == 1:
            pose = mirror(pose)
        pts = forward_kinematics(take.body, pose)
        # Put the lowest point on the floor (lying exercises) or the feet (standing).
        pts[:, 1] -= pts[:, 1].min()
        img[i], world[i] = _camera_project(pts, take, rng)
        if take.jitter > 0:
            wander = 0.9 * wander + rng.normal(0, take.jitter * 0.44, (33, 2))
            img[i, :, :2] += wander.astype(np.float32)
        if take.vis_drop_rate > 0:
            hit = rng.random(33) < take.vis_drop_rate
            img[i, hit, 3] = rng.uniform(0.05, 0.45, int(hit.sum()))
        if take.drop_rate > 0 and rng.random() < take.drop_rate:
            img[i] = np.nan
            world[i] = np.nan
    rec = LandmarkRecording(t_s=t, image_xyzv=img, world_xyz_m=world, frame_size=take.frame_size)
    return rec, truth


def _fault_table(exercise: str) -> dict:
    from fitcoach.core.synth_faults import FAULTS  # the fault module builds on this one

    return FAULTS.get(exercise, {})


def demo_take() -> Take:
    """The built-in demo: 8 squats seen obliquely, with realistic noise; one stops short of the
    target depth (counted, with "depth 115°, target ≤ 100°")."""
    depths = [1.0, 1.0, 0.55, 1.0, 1.0, 1.0, 1.0, 1.0]
    return Take(exercise="squat", reps=len(depths), depths=depths, yaw_deg=60, noise=0.003,
                drop_rate=0.02, tempo=(1.6, 0.4, 1.2, 0.8), seed=7)
