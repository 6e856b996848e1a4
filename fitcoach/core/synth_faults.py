"""Form faults the synthetic exerciser can commit on purpose, labelled, per exercise.

A fault is a change to the pose that grows with the rep's progress (0 at rest, full at the far
end), scaled by a severity in [0, 1]. Ids match the rule ids in `exercises/*.toml` where a rule
exists, so the form scorer's probabilities and the rule checks speak of the same thing.

"partial_range" is not here: it is a rep's depth (`Take.depths`), labelled by the generator.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from fitcoach.core.synth_body import Pose

FaultFn = Callable[[Pose, Pose, float], Pose]  # (pose, rest pose, amount 0..1) -> pose


def _add(**deltas: float | tuple[float, float]) -> FaultFn:
    def fn(pose: Pose, _rest: Pose, a: float) -> Pose:
        changes = {}
        for k, d in deltas.items():
            v = getattr(pose, k)
            if isinstance(v, tuple):
                dd = d if isinstance(d, tuple) else (d, d)
                changes[k] = (v[0] + a * dd[0], v[1] + a * dd[1])
            else:
                changes[k] = v + a * float(d)  # type: ignore[arg-type]
        return replace(pose, **changes)

    return fn


def _asymmetry(pose: Pose, rest: Pose, a: float) -> Pose:
    """The right side lags: its sided angles fall back toward rest by up to 45 %."""
    changes = {}
    for k in pose.__dataclass_fields__:
        v, r = getattr(pose, k), getattr(rest, k)
        if isinstance(v, tuple):
            changes[k] = (v[0], v[1] + (r[1] - v[1]) * 0.45 * a)
    return replace(pose, **changes)


def _scale_far(field_name: str, keep: float) -> FaultFn:
    """Only part of the motion in one joint (e.g. feet that do not jump apart)."""

    def fn(pose: Pose, rest: Pose, a: float) -> Pose:
        v, r = getattr(pose, field_name), getattr(rest, field_name)
        k = 1.0 - (1.0 - keep) * a
        if isinstance(v, tuple):
            return replace(pose, **{field_name: tuple(ri + (vi - ri) * k for vi, ri in zip(v, r))})
        return replace(pose, **{field_name: r + (v - r) * k})

    return fn


LEAN_BACK = _add(trunk_flex=-15.0)
SHRUG = _add(shrug_m=(0.045, 0.045))

FAULTS: dict[str, dict[str, FaultFn]] = {
    "squat": {
        "knee_valgus": _add(knee_valgus=(12.0, 12.0)),
        "forward_lean": _add(trunk_flex=28.0),
        "heels_rising": _add(heel_rise_m=0.06),
    },
    "sit_to_stand": {"knee_valgus": _add(knee_valgus=(12.0, 12.0))},
    "pushup": {
        "hips_sag": _add(hip_flex=(-20.0, -20.0)),
        "hips_pike": _add(hip_flex=(28.0, 28.0)),
        "elbows_flare": _add(shoulder_abd=(55.0, 55.0)),
    },
    "plank": {"hips_sag": _add(hip_flex=(-20.0, -20.0)), "hips_pike": _add(hip_flex=(28.0, 28.0))},
    "lunge": {
        "torso_lean": _add(trunk_flex=28.0),
        "knee_valgus": _add(knee_valgus=(14.0, 0.0)),
        "knee_past_toes": _add(knee_flex=(28.0, 0.0)),
    },
    "inline_lunge": {"torso_lean": _add(trunk_flex=25.0)},
    "side_lunge": {"torso_lean": _add(trunk_flex=30.0)},
    "bicep_curl": {"elbow_drift": _add(shoulder_flex=(40.0, 40.0)), "swinging": LEAN_BACK},
    "shoulder_press": {"back_arch": LEAN_BACK, "asymmetry": _asymmetry},
    "front_raise": {"swinging": LEAN_BACK},
    "lateral_raise": {"shrugging": SHRUG, "asymmetry": _asymmetry},
    "wall_angel": {"shrugging": SHRUG, "asymmetry": _asymmetry},
    "shoulder_scaption": {"shrugging": SHRUG},
    "jumping_jack": {"feet_not_apart": _scale_far("hip_abd", 0.15)},
    "situp": {"legs_straighten": _add(knee_flex=(-45.0, -45.0))},
    "crunch": {"sitting_up": _add(trunk_flex=45.0)},
    "straight_leg_raise": {"knee_bends": _add(knee_flex=(35.0, 0.0)), "hip_hitch": _add(pelvis_roll=12.0)},
    "hurdle_step": {"torso_sway": _add(trunk_side=-14.0)},
    "shoulder_abduction": {"trunk_lean": _add(trunk_side=-14.0), "shoulder_hike": _add(shrug_m=(0.05, 0.0))},
    "shoulder_flexion": {"back_arch": LEAN_BACK},
    "shoulder_extension": {"trunk_lean": _add(trunk_flex=18.0)},
    "shoulder_external_rotation": {"elbow_away": _add(shoulder_abd=(35.0, 0.0))},
    "chin_tuck": {"slouching": _add(trunk_flex=22.0)},
    "glute_bridge": {},
    "shrug": {},
    "side_plank": {},
}


def fault_ids(exercise: str) -> list[str]:
    return sorted(FAULTS.get(exercise, {}))
