"""Rules made for some camera views only are judged only from those views, by the rule and by the
form scorer alike (issue 17: a side-view squat got "Knees cave inward", a front-view-only fault,
from the model's probability alone)."""

import pytest

from fitcoach.core import synth
from fitcoach.core.pipeline import Pipeline
from fitcoach.core.scorer import RepScore
from fitcoach.io.sources import RecordingSource


class SureOfValgus:
    """A scorer that is certain every squat rep has knee valgus (and nothing else)."""

    exercises = ["squat"]

    def knows(self, exercise_id):
        return exercise_id in self.exercises

    def score(self, vector, exercise_id):
        return RepScore(score=40.0, fault_p={"knee_valgus": 0.99})


def _faults(catalog, yaw):
    rec, _ = synth.generate(synth.Take(exercise="squat", reps=4, yaw_deg=yaw, noise=0.002, seed=5))
    pipe = Pipeline(catalog.get("squat"), frame_size=rec.frame_size, scorer=SureOfValgus())
    for frame in RecordingSource(rec):
        pipe.step(frame)
    pipe.finish()
    assert len([r for r in pipe.reps if not r.partial]) == 4
    return [(r.view, f.id, f.source) for r in pipe.reps for f in r.faults]


@pytest.mark.parametrize("yaw", [90, 70])
def test_side_view_squat_gets_no_front_view_fault_even_when_the_model_says_so(catalog, yaw):
    found = _faults(catalog, yaw)
    assert all(view == "side" for view, _, _ in found) or not found
    assert not [f for f in found if f[1] == "knee_valgus"], found


def test_front_view_squat_keeps_the_models_knee_valgus(catalog):
    found = _faults(catalog, 0)
    assert [f for f in found if f == ("front", "knee_valgus", "model")], found
