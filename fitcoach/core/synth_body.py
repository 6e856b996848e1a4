"""The synthetic exerciser's body: a 3-D stick figure posed by joint angles.

A skeleton with adjustable segment lengths (`Body`, body proportions) posed by joint angles in
degrees (`Pose`, a (left, right) pair per joint); `forward_kinematics` gives the 33 MediaPipe
landmarks in metres, in the body's frame (x = the person's left, y = up, z = forward). The
whole body can be pitched (lying exercises). Motions built from these poses are
`fitcoach.core.synth_motions`; the camera, timing and noise are `fitcoach.core.synth`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from fitcoach.core.landmarks import INDEX


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


def blend(a: Pose, b: Pose, p: float) -> Pose:
    out = {}
    for k in a.__dataclass_fields__:
        va, vb = getattr(a, k), getattr(b, k)
        if isinstance(va, tuple):
            out[k] = tuple(x + (y - x) * p for x, y in zip(va, vb))
        else:
            out[k] = va + (vb - va) * p
    return Pose(**out)


def rotation(axis: np.ndarray, deg: float) -> np.ndarray:
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
    r_trunk = rotation(FWD, -pose.trunk_side) @ rotation(LEFT, pose.trunk_flex)
    trunk_up = r_trunk @ UP
    trunk_fwd = r_trunk @ FWD
    for side, sgn in (("left", 1.0), ("right", -1.0)):
        i = 0 if side == "left" else 1
        hip = rotation(FWD, pose.pelvis_roll) @ (LEFT * sgn * body.hip_half_width)
        # Legs hang from the pelvis (the trunk tilts above it). Valgus: the thigh turns in and
        # the shin back out, so the knee moves toward the midline while the foot stays put.
        valgus = pose.knee_valgus[i]
        r_leg = rotation(FWD, sgn * (pose.hip_abd[i] - valgus)) @ rotation(LEFT, -pose.hip_flex[i])
        thigh_dir = r_leg @ -UP
        knee = hip + body.thigh * thigh_dir
        r_knee = rotation(FWD, sgn * 2.0 * valgus) @ r_leg @ rotation(LEFT, pose.knee_flex[i])
        shin_dir = r_knee @ -UP
        ankle = knee + body.shin * shin_dir
        r_foot = r_knee @ rotation(LEFT, -pose.ankle_dorsi[i])
        foot_fwd = r_foot @ FWD
        heel = ankle - 0.05 * foot_fwd + 0.04 * (r_foot @ -UP)
        toe = ankle + (body.foot - 0.05) * foot_fwd + 0.05 * (r_foot @ -UP)
        if pose.heel_rise_m:  # up on the toes: heel and ankle rise about the toe
            heel = heel + UP * pose.heel_rise_m
            ankle = ankle + UP * 0.7 * pose.heel_rise_m
        shoulder = trunk_up * (body.trunk + pose.shrug_m[i]) + r_trunk @ (LEFT * sgn * body.shoulder_half_width)
        r_arm = r_trunk @ rotation(FWD, sgn * pose.shoulder_abd[i]) @ rotation(LEFT, -pose.shoulder_flex[i])
        ua_dir = r_arm @ -UP
        elbow = shoulder + body.upper_arm * ua_dir
        flex_axis = r_arm @ rotation(-UP, sgn * pose.forearm_twist[i]) @ LEFT
        fa_dir = rotation(flex_axis, -pose.elbow_flex[i]) @ ua_dir
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
        pts = pts @ rotation(FWD, pose.body_roll).T
    if pose.body_pitch:
        pts = pts @ rotation(LEFT, pose.body_pitch).T
    return pts


def mirror(p: Pose) -> Pose:
    """The same pose with left and right swapped."""
    swap = {k: tuple(reversed(getattr(p, k))) for k in p.__dataclass_fields__ if isinstance(getattr(p, k), tuple)}
    return replace(p, **swap)
