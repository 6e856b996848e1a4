"""The synthetic exerciser's motions: a (rest pose, far pose) pair per exercise.

`MOTIONS[exercise]` are the two keyframes `fitcoach.core.synth` blends by a phase 0..1 that
follows the prescribed tempo; `ROM_MOTIONS` move one joint of the left side to a known angle
(the range-of-motion tests' truth) and are in `MOTIONS` as ``rom_<name>``; `HOLDS` are the
exercises held still at the far pose. Written from each exercise's definition (exercises/*.toml),
one pose per line; `sym(v)` is the same angle on both sides.
"""

from __future__ import annotations

from fitcoach.core.synth_body import Pose


def sym(v: float) -> tuple[float, float]:
    """The same angle on the left and the right."""
    return (v, v)


MOTIONS: dict[str, tuple[Pose, Pose]] = {
    "squat": (
        Pose(trunk_flex=5, hip_flex=sym(8), knee_flex=sym(8), shoulder_flex=sym(80), elbow_flex=sym(60)),
        Pose(trunk_flex=40, hip_flex=sym(105), knee_flex=sym(105), shoulder_flex=sym(85), elbow_flex=sym(60)),
    ),
    "deadlift": (  # arms hang from the shoulders (shoulder_flex follows the trunk forward)
        Pose(trunk_flex=5, hip_flex=sym(8), knee_flex=sym(8), shoulder_flex=sym(5)),
        Pose(trunk_flex=50, hip_flex=sym(100), knee_flex=sym(60), shoulder_flex=sym(50)),
    ),
    "romanian_deadlift": (
        Pose(trunk_flex=5, hip_flex=sym(8), knee_flex=sym(8), shoulder_flex=sym(5)),
        Pose(trunk_flex=55, hip_flex=sym(85), knee_flex=sym(20), shoulder_flex=sym(55)),
    ),
    "hammer_curl": (
        Pose(shoulder_flex=sym(5), elbow_flex=sym(15), forearm_twist=sym(45)),
        Pose(shoulder_flex=sym(10), elbow_flex=sym(135), forearm_twist=sym(45)),
    ),
    "sit_to_stand": (
        Pose(trunk_flex=30, hip_flex=sym(95), knee_flex=sym(90), shoulder_flex=sym(10), elbow_flex=sym(80)),
        Pose(trunk_flex=3, hip_flex=sym(5), knee_flex=sym(5), shoulder_flex=sym(10), elbow_flex=sym(80)),
    ),
    "lunge": (
        Pose(trunk_flex=2, hip_flex=(25, -15), knee_flex=(5, 10)),
        Pose(trunk_flex=5, hip_flex=(85, -15), knee_flex=(95, 100)),
    ),
    "bicep_curl": (
        Pose(shoulder_flex=sym(5), elbow_flex=sym(15)),
        Pose(shoulder_flex=sym(10), elbow_flex=sym(135)),
    ),
    "shoulder_press": (
        Pose(shoulder_abd=sym(85), elbow_flex=sym(110), forearm_twist=sym(90)),
        Pose(shoulder_abd=sym(170), elbow_flex=sym(8), forearm_twist=sym(90)),
    ),
    "lateral_raise": (
        Pose(shoulder_abd=sym(12), elbow_flex=sym(10)),
        Pose(shoulder_abd=sym(90), elbow_flex=sym(10)),
    ),
    "front_raise": (
        Pose(shoulder_flex=sym(8), elbow_flex=sym(5)),
        Pose(shoulder_flex=sym(95), elbow_flex=sym(5)),
    ),
    "shoulder_abduction": (
        Pose(shoulder_abd=(10, 8), elbow_flex=sym(5)),
        Pose(shoulder_abd=(160, 8), elbow_flex=sym(5)),
    ),
    "shoulder_flexion": (
        Pose(shoulder_flex=(8, 5), elbow_flex=sym(5)),
        Pose(shoulder_flex=(165, 5), elbow_flex=sym(5)),
    ),
    "jumping_jack": (
        Pose(shoulder_abd=sym(15), hip_abd=sym(3), elbow_flex=sym(10)),
        Pose(shoulder_abd=sym(165), hip_abd=sym(22), elbow_flex=sym(10)),
    ),
    "pushup": (
        Pose(body_pitch=75, shoulder_flex=sym(75), elbow_flex=sym(5)),
        Pose(body_pitch=87, shoulder_flex=sym(60), elbow_flex=sym(95)),
    ),
    "situp": (
        Pose(body_pitch=-90, hip_flex=sym(50), knee_flex=sym(100), shoulder_abd=sym(150), elbow_flex=sym(140)),
        Pose(body_pitch=-90, trunk_flex=75, hip_flex=sym(50), knee_flex=sym(100), shoulder_abd=sym(150), elbow_flex=sym(140)),
    ),
    "glute_bridge": (
        Pose(body_pitch=-90, hip_flex=sym(60), knee_flex=sym(100)),
        Pose(body_pitch=-65, hip_flex=sym(8), knee_flex=sym(95)),
    ),
    "plank": (
        Pose(body_pitch=80, shoulder_flex=sym(85), elbow_flex=sym(90)),
        Pose(body_pitch=80, shoulder_flex=sym(85), elbow_flex=sym(90)),
    ),
    "side_lunge": (
        Pose(trunk_flex=3, hip_abd=sym(22), knee_flex=sym(3)),
        Pose(trunk_flex=30, hip_flex=(70, 5), hip_abd=(12, 35), knee_flex=(95, 3)),
    ),
    "shrug": (
        Pose(shoulder_abd=sym(6), elbow_flex=sym(5)),
        Pose(shoulder_abd=sym(6), elbow_flex=sym(5), shrug_m=sym(0.055)),
    ),
    "crunch": (
        Pose(body_pitch=-90, hip_flex=sym(50), knee_flex=sym(100), shoulder_flex=sym(40), elbow_flex=sym(10)),
        Pose(body_pitch=-90, trunk_flex=32, hip_flex=sym(50), knee_flex=sym(100), shoulder_flex=sym(40), elbow_flex=sym(10)),
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
        Pose(hip_flex=sym(3), knee_flex=sym(3), shoulder_flex=sym(5)),
        Pose(trunk_flex=3, hip_flex=(95, 3), knee_flex=(95, 3), shoulder_flex=sym(5)),
    ),
    "inline_lunge": (
        Pose(trunk_flex=2, hip_flex=(30, -22), knee_flex=(4, 8)),
        Pose(trunk_flex=4, hip_flex=(80, -20), knee_flex=(95, 105)),
    ),
    "shoulder_extension": (
        Pose(shoulder_flex=(2, 2), elbow_flex=sym(5)),
        Pose(shoulder_flex=(-55, 2), elbow_flex=sym(5)),
    ),
    "shoulder_scaption": (
        Pose(shoulder_abd=(10, 8), shoulder_flex=(5, 3), elbow_flex=sym(5)),
        Pose(shoulder_abd=(140, 8), shoulder_flex=(35, 3), elbow_flex=sym(5)),
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
        Pose(shoulder_abd=sym(85), elbow_flex=sym(90), forearm_twist=sym(90)),
        Pose(shoulder_abd=sym(160), elbow_flex=sym(25), forearm_twist=sym(90)),
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
