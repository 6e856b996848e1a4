"""Posture and ROM assessments on synthetic bodies with known posture and joint angles."""


import numpy as np
import pytest

from fitcoach.core import assess, synth
from fitcoach.core.errors import InputError
from fitcoach.core.landmarks import LandmarkRecording
from fitcoach.io.sources import RecordingSource


def still(pose, yaw, seconds=1.0, noise=0.002, world=True):
    rec, _ = synth.generate(synth.Take(exercise="still", motion=(pose, pose), reps=0, lead_in_s=seconds,
                                       tail_s=0.0, yaw_deg=yaw, noise=noise))
    if not world:
        rec = LandmarkRecording(rec.t_s, rec.image_xyzv, None, rec.frame_size)
    return assess.person_frames(RecordingSource(rec))


def by_id(out):
    return {f["id"]: f for f in out["findings"]}


def test_forward_head_is_found_with_norm_source_and_correctives(catalog):
    upright = by_id(assess.assess_posture(None, still(synth.Pose(), -90), catalog))
    forward = by_id(assess.assess_posture(None, still(synth.Pose(head_forward_m=0.14), -90), catalog))
    cva_ok, cva_fwd = upright["craniovertebral_angle"], forward["craniovertebral_angle"]
    assert cva_ok["status"] == "within" and cva_fwd["status"] == "outside"
    assert cva_fwd["value"] < cva_ok["value"] - 20
    assert "chin_tuck" in cva_fwd["corrective_exercises"]
    assert "50.6" in cva_fwd["norm"] and cva_fwd["source"]
    assert 0 < cva_fwd["uncertainty"] < 10
    assert upright["head_tilt"]["status"] == "not_assessed"


def test_front_view_asymmetries_have_signs(catalog):
    out = by_id(assess.assess_posture(still(synth.Pose(pelvis_roll=6.0, trunk_side=4.0), 0), None, catalog))
    assert out["pelvic_tilt"]["value"] == pytest.approx(-6.0, abs=1.5)  # left hip higher -> negative
    assert out["pelvic_tilt"]["status"] == "outside"
    assert out["frontal_trunk_lean"]["value"] == pytest.approx(4.0, abs=1.5)
    level = by_id(assess.assess_posture(still(synth.Pose(), 0), None, catalog))
    assert all(level[k]["status"] == "within" for k in ("pelvic_tilt", "shoulder_height_asymmetry", "head_tilt"))


def test_knee_valgus_reads_positive():
    out = by_id(assess.assess_posture(still(synth.Pose(knee_valgus=(8.0, 8.0)), 0), None))
    assert out["knee_alignment_left"]["value"] > 8 and out["knee_alignment_right"]["value"] > 8


def test_wrong_view_and_missing_person_are_clear_errors(catalog):
    with pytest.raises(InputError, match="looks like a front view"):
        assess.assess_posture(None, still(synth.Pose(), 0), catalog, ("a.jpg", "side.jpg"))
    with pytest.raises(InputError, match="side.jpg: no person"):
        assess.assess_posture(None, [], catalog, ("a.jpg", "side.jpg"))
    with pytest.raises(InputError, match="front and/or a side"):
        assess.assess_posture(None, None, catalog)


def test_off_square_camera_raises_uncertainty(catalog):
    square = by_id(assess.assess_posture(still(synth.Pose(), 0), None, catalog))
    turned = by_id(assess.assess_posture(still(synth.Pose(), 25), None, catalog))
    assert turned["shoulder_height_asymmetry"]["uncertainty"] > square["shoulder_height_asymmetry"]["uncertainty"]


ROM_TESTS = sorted(assess.load_rom_tests()[0])


@pytest.mark.parametrize("test_id", ROM_TESTS)
def test_rom_square_on_within_3_degrees(test_id):
    tests, _ = assess.load_rom_tests()
    rest, far, truth = synth.ROM_MOTIONS[test_id]
    yaw = -90.0 if tests[test_id]["view"] == "side" else 0.0
    errs = []
    for seed in range(3):
        rng = np.random.default_rng(seed)
        body = synth.Body().scaled(float(rng.uniform(0.9, 1.1)), rng, 0.04)
        rec, _ = synth.generate(synth.Take(exercise=f"rom_{test_id}", reps=1, tempo=(2.0, 1.0, 2.0, 0.5),
                                           yaw_deg=yaw, noise=0.002, body=body, seed=seed, lead_in_s=1.5))
        r = assess.assess_rom(assess.person_frames(RecordingSource(rec)), test_id, "left")
        errs.append(abs(r["max_deg"] - truth))
        assert r["normal"][1] > 0 and "AAOS" in r["norm_source"]
    assert float(np.median(errs)) <= 3.0, errs


def test_rom_out_of_plane_movement_is_flagged():
    # shoulder flexion is a side-view test; filmed from the front the arm comes toward the camera
    rec, _ = synth.generate(synth.Take(exercise="rom_shoulder_flexion", reps=1, tempo=(2.0, 1.0, 2.0, 0.5),
                                       yaw_deg=0.0, noise=0.002, lead_in_s=1.0))
    r = assess.assess_rom(assess.person_frames(RecordingSource(rec)), "shoulder_flexion", "left")
    assert any("out of the image plane" in w for w in r["warnings"])
    assert r["uncertainty_deg"] > 5


def test_rom_errors_name_the_problem():
    frames = still(synth.Pose(), -90)
    with pytest.raises(InputError, match="unknown ROM test"):
        assess.assess_rom(frames, "neck_twist", "left")
    with pytest.raises(InputError, match="no person"):
        assess.assess_rom([], "knee_flexion", "left", "clip.mp4")


def test_reports_are_in_korean_where_asked():
    from fitcoach.reports import assessment_html as report_html

    finding = {"id": "craniovertebral_angle", "name": {"en": "Forward head posture", "ko": "거북목"}, "view": "side",
               "value": 44.0, "uncertainty": 2.0, "norm": "≈ 50.6°", "source": "published", "status": "outside",
               "corrective_exercises": ["chin_tuck"]}
    ko = report_html.posture_html({"findings": [finding]}, "ko")
    en = report_html.posture_html({"findings": [finding]}, "en")
    assert "항목" in ko and "정상 범위 밖" in ko and "측면" in ko and "선별 검사" in ko and "Finding" not in ko
    assert "Finding" in en and "항목" not in en


def test_every_posture_norm_is_explained_in_korean_too():
    from fitcoach.core.assess import load_norms

    for n in load_norms():
        assert n.get("norm_text_ko") and n.get("source_ko"), n["id"]
        for a, b in ((n["norm_text"], n["norm_text_ko"]),):  # the same numbers in both languages
            import re

            assert sorted(re.findall(r"\d+(?:\.\d+)?", a)) == sorted(re.findall(r"\d+(?:\.\d+)?", b)), n["id"]
