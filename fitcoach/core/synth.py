"""A synthetic exerciser: a 3-D kinematic skeleton seen by a virtual camera.

Why: the built-in demo (no camera, no clip) and the tests need motion whose truth is known —
how many reps, their tempo and range of motion — and they must not need the pose model. The
generator writes landmark recording v1, so everything downstream runs on the same path as
real data.

Model: a stick figure with adjustable segment lengths (body proportions) posed by joint
angles (degrees); forward kinematics gives the 33 MediaPipe landmarks in metres. The whole
body can be pitched (lying exercises). A pinhole camera at a given yaw (0 = the person faces
the camera, 90 = their right side faces it), elevation and distance projects them; MediaPipe-like
noise, visibility of self-occluded points, and dropped frames are added on request.

Motions are keyframe pairs: a *rest* pose and a *far* pose per exercise, blended by a phase
0..1 that follows the prescribed tempo with smooth (cosine) transitions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from fitcoach.core.landmarks import INDEX, LandmarkRecording


@dataclass(frozen=True)
class Body:
    """Segment lengths in metres (defaults: an adult of about 1.75 m)."""

    thigh: float = 0.45
    shin: float = 0.43
    trunk: float = 0.52
    upper_arm: float = 0.30
    forearm: float = 0.27
    hip_half_width: float = 0.10
    shoulder_half_width: float = 0.19
    neck: float = 0.12
    foot: float = 0.18

    def scaled(self, s: float, rng: np.random.Generator | None = None, spread: float = 0.0) -> "Body":
        vals = {}
        for k, v in self.__dict__.items():
            j = 1.0 + (rng.normal(0, spread) if rng is not None and spread else 0.0)
            vals[k] = v * s * j
        return Body(**vals)


@dataclass(frozen=True)
class Pose:
    """Joint angles in degrees. Sided values are (left, right)."""

    trunk_flex: float = 0.0  # trunk leaning forward from vertical
    body_pitch: float = 0.0  # whole body rotated forward (90 = lying face down, -90 = on the back)
    hip_flex: tuple[float, float] = (0.0, 0.0)  # thigh forward from hanging (relative to trunk)
    hip_abd: tuple[float, float] = (0.0, 0.0)
    knee_flex: tuple[float, float] = (0.0, 0.0)  # 0 = straight
    shoulder_flex: tuple[float, float] = (0.0, 0.0)  # arm forward from hanging
    shoulder_abd: tuple[float, float] = (0.0, 0.0)
    elbow_flex: tuple[float, float] = (0.0, 0.0)  # 0 = straight
    forearm_twist: tuple[float, float] = (0.0, 0.0)  # rotates the elbow-flex plane outward
    head_forward_m: float = 0.0  # head translated forward (forward-head posture)
    shrug_m: tuple[float, float] = (0.0, 0.0)  # shoulders raised toward the ears
    body_roll: float = 0.0  # whole body rolled about the forward axis (+ = onto the right side)
    trunk_side: float = 0.0  # trunk bent sideways (+ = toward the person's left)
    knee_valgus: tuple[float, float] = (0.0, 0.0)  # knees drift toward the midline (deg)
    heel_rise_m: float = 0.0  # heels lifted off the floor
    pelvis_roll: float = 0.0  # pelvis tilted in the frontal plane (+ = left hip higher: hip hitch)
    ankle_dorsi: tuple[float, float] = (0.0, 0.0)  # foot pulled up toward the shin (deg)


def _blend(a: Pose, b: Pose, p: float) -> Pose:
    out = {}
    for k in a.__dataclass_fields__:
        va, vb = getattr(a, k), getattr(b, k)
        if isinstance(va, tuple):
            out[k] = tuple(x + (y - x) * p for x, y in zip(va, vb))
        else:
            out[k] = va + (vb - va) * p
    return Pose(**out)


def _rot(axis: np.ndarray, deg: float) -> np.ndarray:
    """Rotation matrix about unit `axis` by `deg` (right-hand rule)."""
    a = math.radians(deg)
    x, y, z = axis / np.linalg.norm(axis)
    c, s, C = math.cos(a), math.sin(a), 1 - math.cos(a)
    return np.array(
        [
            [c + x * x * C, x * y * C - z * s, x * z * C + y * s],
            [y * x * C + z * s, c + y * y * C, y * z * C - x * s],
            [z * x * C - y * s, z * y * C + x * s, c + z * z * C],
        ]
    )


# Body frame: X = person's left, Y = up, Z = forward (out of the chest).
LEFT = np.array([1.0, 0.0, 0.0])
UP = np.array([0.0, 1.0, 0.0])
FWD = np.array([0.0, 0.0, 1.0])


def forward_kinematics(body: Body, pose: Pose) -> np.ndarray:
    """33 landmarks (33, 3) in metres, body frame (X left, Y up, Z forward), pelvis at origin."""
    pts = np.zeros((33, 3))
    # Trunk leans forward: rotate 'up' toward 'forward' about the left axis.
    r_trunk = _rot(FWD, -pose.trunk_side) @ _rot(LEFT, pose.trunk_flex)
    trunk_up = r_trunk @ UP
    trunk_fwd = r_trunk @ FWD
    for side, sgn in (("left", 1.0), ("right", -1.0)):
        i = 0 if side == "left" else 1
        hip = _rot(FWD, pose.pelvis_roll) @ (LEFT * sgn * body.hip_half_width)
        # Legs hang from the pelvis (the trunk tilts above it). Valgus: the thigh turns in and
        # the shin back out, so the knee moves toward the midline while the foot stays put.
        valgus = pose.knee_valgus[i]
        r_leg = _rot(FWD, sgn * (pose.hip_abd[i] - valgus)) @ _rot(LEFT, -pose.hip_flex[i])
        thigh_dir = r_leg @ -UP
        knee = hip + body.thigh * thigh_dir
        r_knee = _rot(FWD, sgn * 2.0 * valgus) @ r_leg @ _rot(LEFT, pose.knee_flex[i])
        shin_dir = r_knee @ -UP
        ankle = knee + body.shin * shin_dir
        r_foot = r_knee @ _rot(LEFT, -pose.ankle_dorsi[i])
        foot_fwd = r_foot @ FWD
        heel = ankle - 0.05 * foot_fwd + 0.04 * (r_foot @ -UP)
        toe = ankle + (body.foot - 0.05) * foot_fwd + 0.05 * (r_foot @ -UP)
        if pose.heel_rise_m:  # up on the toes: heel and ankle rise about the toe
            heel = heel + UP * pose.heel_rise_m
            ankle = ankle + UP * 0.7 * pose.heel_rise_m
        shoulder = trunk_up * (body.trunk + pose.shrug_m[i]) + r_trunk @ (LEFT * sgn * body.shoulder_half_width)
        r_arm = r_trunk @ _rot(FWD, sgn * pose.shoulder_abd[i]) @ _rot(LEFT, -pose.shoulder_flex[i])
        ua_dir = r_arm @ -UP
        elbow = shoulder + body.upper_arm * ua_dir
        flex_axis = r_arm @ _rot(-UP, sgn * pose.forearm_twist[i]) @ LEFT
        fa_dir = _rot(flex_axis, -pose.elbow_flex[i]) @ ua_dir
        wrist = elbow + body.forearm * fa_dir
        hand_side = np.cross(fa_dir, flex_axis)
        for j, v in (("hip", hip), ("knee", knee), ("ankle", ankle), ("heel", heel),
                     ("foot_index", toe), ("shoulder", shoulder), ("elbow", elbow), ("wrist", wrist)):
            pts[INDEX[f"{side}_{j}"]] = v
        pts[INDEX[f"{side}_pinky"]] = wrist + 0.08 * fa_dir - 0.03 * sgn * hand_side
        pts[INDEX[f"{side}_index"]] = wrist + 0.09 * fa_dir + 0.02 * sgn * hand_side
        pts[INDEX[f"{side}_thumb"]] = wrist + 0.05 * fa_dir + 0.04 * sgn * hand_side
    neck_base = trunk_up * body.trunk
    head = neck_base + trunk_up * body.neck + trunk_fwd * (0.02 + pose.head_forward_m)
    nose = head + trunk_up * 0.06 + trunk_fwd * 0.10
    pts[INDEX["nose"]] = nose
    for side, sgn in (("left", 1.0), ("right", -1.0)):
        lat = r_trunk @ (LEFT * sgn)
        pts[INDEX[f"{side}_ear"]] = head + trunk_up * 0.06 + lat * 0.075
        eye = head + trunk_up * 0.09 + trunk_fwd * 0.08 + lat * 0.035
        pts[INDEX[f"{side}_eye"]] = eye
        pts[INDEX[f"{side}_eye_inner"]] = eye - lat * 0.015
        pts[INDEX[f"{side}_eye_outer"]] = eye + lat * 0.015
        pts[INDEX[f"mouth_{side}"]] = head + trunk_up * 0.02 + trunk_fwd * 0.08 + lat * 0.025
    if pose.body_roll:
        pts = pts @ _rot(FWD, pose.body_roll).T
    if pose.body_pitch:
        pts = pts @ _rot(LEFT, pose.body_pitch).T
    return pts


# ---------------------------------------------------------------------------------------
# Motions: (rest pose, far pose) per exercise.


def _sym(v: float) -> tuple[float, float]:
    return (v, v)


MOTIONS: dict[str, tuple[Pose, Pose]] = {
    "squat": (
        Pose(trunk_flex=5, hip_flex=_sym(8), knee_flex=_sym(8), shoulder_flex=_sym(80), elbow_flex=_sym(60)),
        Pose(trunk_flex=40, hip_flex=_sym(105), knee_flex=_sym(105), shoulder_flex=_sym(85), elbow_flex=_sym(60)),
    ),
    "deadlift": (  # arms hang from the shoulders (shoulder_flex follows the trunk forward)
        Pose(trunk_flex=5, hip_flex=_sym(8), knee_flex=_sym(8), shoulder_flex=_sym(5)),
        Pose(trunk_flex=50, hip_flex=_sym(100), knee_flex=_sym(60), shoulder_flex=_sym(50)),
    ),
    "romanian_deadlift": (
        Pose(trunk_flex=5, hip_flex=_sym(8), knee_flex=_sym(8), shoulder_flex=_sym(5)),
        Pose(trunk_flex=55, hip_flex=_sym(85), knee_flex=_sym(20), shoulder_flex=_sym(55)),
    ),
    "hammer_curl": (
        Pose(shoulder_flex=_sym(5), elbow_flex=_sym(15), forearm_twist=_sym(45)),
        Pose(shoulder_flex=_sym(10), elbow_flex=_sym(135), forearm_twist=_sym(45)),
    ),
    "sit_to_stand": (
        Pose(trunk_flex=30, hip_flex=_sym(95), knee_flex=_sym(90), shoulder_flex=_sym(10), elbow_flex=_sym(80)),
        Pose(trunk_flex=3, hip_flex=_sym(5), knee_flex=_sym(5), shoulder_flex=_sym(10), elbow_flex=_sym(80)),
    ),
    "lunge": (
        Pose(trunk_flex=2, hip_flex=(25, -15), knee_flex=(5, 10)),
        Pose(trunk_flex=5, hip_flex=(85, -15), knee_flex=(95, 100)),
    ),
    "bicep_curl": (
        Pose(shoulder_flex=_sym(5), elbow_flex=_sym(15)),
        Pose(shoulder_flex=_sym(10), elbow_flex=_sym(135)),
    ),
    "shoulder_press": (
        Pose(shoulder_abd=_sym(85), elbow_flex=_sym(110), forearm_twist=_sym(90)),
        Pose(shoulder_abd=_sym(170), elbow_flex=_sym(8), forearm_twist=_sym(90)),
    ),
    "lateral_raise": (
        Pose(shoulder_abd=_sym(12), elbow_flex=_sym(10)),
        Pose(shoulder_abd=_sym(90), elbow_flex=_sym(10)),
    ),
    "front_raise": (
        Pose(shoulder_flex=_sym(8), elbow_flex=_sym(5)),
        Pose(shoulder_flex=_sym(95), elbow_flex=_sym(5)),
    ),
    "shoulder_abduction": (
        Pose(shoulder_abd=(10, 8), elbow_flex=_sym(5)),
        Pose(shoulder_abd=(160, 8), elbow_flex=_sym(5)),
    ),
    "shoulder_flexion": (
        Pose(shoulder_flex=(8, 5), elbow_flex=_sym(5)),
        Pose(shoulder_flex=(165, 5), elbow_flex=_sym(5)),
    ),
    "jumping_jack": (
        Pose(shoulder_abd=_sym(15), hip_abd=_sym(3), elbow_flex=_sym(10)),
        Pose(shoulder_abd=_sym(165), hip_abd=_sym(22), elbow_flex=_sym(10)),
    ),
    "pushup": (
        Pose(body_pitch=75, shoulder_flex=_sym(75), elbow_flex=_sym(5)),
        Pose(body_pitch=87, shoulder_flex=_sym(60), elbow_flex=_sym(95)),
    ),
    "situp": (
        Pose(body_pitch=-90, hip_flex=_sym(50), knee_flex=_sym(100), shoulder_abd=_sym(150), elbow_flex=_sym(140)),
        Pose(body_pitch=-90, trunk_flex=75, hip_flex=_sym(50), knee_flex=_sym(100), shoulder_abd=_sym(150), elbow_flex=_sym(140)),
    ),
    "glute_bridge": (
        Pose(body_pitch=-90, hip_flex=_sym(60), knee_flex=_sym(100)),
        Pose(body_pitch=-65, hip_flex=_sym(8), knee_flex=_sym(95)),
    ),
    "plank": (
        Pose(body_pitch=80, shoulder_flex=_sym(85), elbow_flex=_sym(90)),
        Pose(body_pitch=80, shoulder_flex=_sym(85), elbow_flex=_sym(90)),
    ),
    "side_lunge": (
        Pose(trunk_flex=3, hip_abd=_sym(22), knee_flex=_sym(3)),
        Pose(trunk_flex=30, hip_flex=(70, 5), hip_abd=(12, 35), knee_flex=(95, 3)),
    ),
    "shrug": (
        Pose(shoulder_abd=_sym(6), elbow_flex=_sym(5)),
        Pose(shoulder_abd=_sym(6), elbow_flex=_sym(5), shrug_m=_sym(0.055)),
    ),
    "crunch": (
        Pose(body_pitch=-90, hip_flex=_sym(50), knee_flex=_sym(100), shoulder_flex=_sym(40), elbow_flex=_sym(10)),
        Pose(body_pitch=-90, trunk_flex=32, hip_flex=_sym(50), knee_flex=_sym(100), shoulder_flex=_sym(40), elbow_flex=_sym(10)),
    ),
    "side_plank": (
        Pose(body_roll=70, shoulder_abd=(20, 80), elbow_flex=(5, 90), forearm_twist=(0, 0)),
        Pose(body_roll=70, shoulder_abd=(20, 80), elbow_flex=(5, 90), forearm_twist=(0, 0)),
    ),
    "straight_leg_raise": (
        Pose(body_pitch=-90, hip_flex=(2, 45), knee_flex=(2, 95)),
        Pose(body_pitch=-90, hip_flex=(70, 45), knee_flex=(4, 95)),
    ),
    "hurdle_step": (
        Pose(hip_flex=_sym(3), knee_flex=_sym(3), shoulder_flex=_sym(5)),
        Pose(trunk_flex=3, hip_flex=(95, 3), knee_flex=(95, 3), shoulder_flex=_sym(5)),
    ),
    "inline_lunge": (
        Pose(trunk_flex=2, hip_flex=(30, -22), knee_flex=(4, 8)),
        Pose(trunk_flex=4, hip_flex=(80, -20), knee_flex=(95, 105)),
    ),
    "shoulder_extension": (
        Pose(shoulder_flex=(2, 2), elbow_flex=_sym(5)),
        Pose(shoulder_flex=(-55, 2), elbow_flex=_sym(5)),
    ),
    "shoulder_scaption": (
        Pose(shoulder_abd=(10, 8), shoulder_flex=(5, 3), elbow_flex=_sym(5)),
        Pose(shoulder_abd=(140, 8), shoulder_flex=(35, 3), elbow_flex=_sym(5)),
    ),
    "shoulder_external_rotation": (
        Pose(shoulder_abd=(3, 3), elbow_flex=(90, 5), forearm_twist=(0, 0)),
        Pose(shoulder_abd=(3, 3), elbow_flex=(90, 5), forearm_twist=(-75, 0)),
    ),
    "chin_tuck": (
        Pose(head_forward_m=0.05),
        Pose(head_forward_m=0.0),
    ),
    "wall_angel": (
        Pose(shoulder_abd=_sym(85), elbow_flex=_sym(90), forearm_twist=_sym(90)),
        Pose(shoulder_abd=_sym(160), elbow_flex=_sym(25), forearm_twist=_sym(90)),
    ),
}

# Single-joint movements for the range-of-motion tests (`fitcoach assess rom`): the left side
# moves to a known angle (the test's truth), everything else stays still.
ROM_MOTIONS: dict[str, tuple[Pose, Pose, float]] = {
    "shoulder_flexion": (Pose(shoulder_flex=(0, 0)), Pose(shoulder_flex=(160, 0)), 160.0),
    "shoulder_extension": (Pose(shoulder_flex=(0, 0)), Pose(shoulder_flex=(-50, 0)), 50.0),
    "shoulder_abduction": (Pose(shoulder_abd=(0, 0)), Pose(shoulder_abd=(150, 0)), 150.0),
    "shoulder_external_rotation": (Pose(elbow_flex=(90, 0)), Pose(elbow_flex=(90, 0), forearm_twist=(-70, 0)), 70.0),
    "elbow_flexion": (Pose(elbow_flex=(0, 0)), Pose(elbow_flex=(140, 0)), 140.0),
    "hip_flexion": (Pose(), Pose(hip_flex=(110, 0), knee_flex=(110, 0)), 110.0),
    "hip_abduction": (Pose(), Pose(hip_abd=(40, 0)), 40.0),
    "knee_flexion": (Pose(), Pose(knee_flex=(125, 0)), 125.0),
    "ankle_dorsiflexion": (Pose(hip_flex=(90, 90), knee_flex=(90, 90)), Pose(hip_flex=(90, 90), knee_flex=(90, 90), ankle_dorsi=(18, 0)), 18.0),
}
for _k, (_a, _b, _truth) in ROM_MOTIONS.items():
    MOTIONS[f"rom_{_k}"] = (_a, _b)

# Which driver value the generator knows as truth, for tests: exercise -> (metric, side index)
HOLDS = {"plank", "side_plank"}


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
    r_yaw = _rot(UP, take.yaw_deg)
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
        pose = _blend(rest, far, phase[i])
        k = int(rep[i])
        if take.rep_faults and k >= 0 and take.rep_faults[k]:
            progress = min(1.0, phase[i] / max(depths[k], 1e-6))
            for fid, sev in sorted(take.rep_faults[k].items()):
                pose = faults[fid](pose, rest, sev * progress)
        if take.hold_faults:
            for fid, sev in sorted(take.hold_faults.items()):
                pose = faults[fid](pose, rest, sev)
        if take.alternate and k >= 0 and k % 2 == 1:
            pose = _mirror(pose)
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


def _mirror(p: Pose) -> Pose:
    swap = {k: tuple(reversed(getattr(p, k))) for k in p.__dataclass_fields__ if isinstance(getattr(p, k), tuple)}
    return replace(p, **swap)


def demo_take() -> Take:
    """The built-in demo: 8 squats seen obliquely, with realistic noise; one stops short of the
    target depth (counted, with "depth 115°, target ≤ 100°")."""
    depths = [1.0, 1.0, 0.55, 1.0, 1.0, 1.0, 1.0, 1.0]
    return Take(exercise="squat", reps=len(depths), depths=depths, yaw_deg=60, noise=0.003,
                drop_rate=0.02, tempo=(1.6, 0.4, 1.2, 0.8), seed=7)
