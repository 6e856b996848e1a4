import numpy as np
import pytest

from fitcoach.core.filters import LandmarkSmoother, OneEuro


def test_one_euro_reduces_jitter_when_still():
    rng = np.random.default_rng(0)
    f = OneEuro(min_cutoff_hz=1.5, beta=4.0)
    raw = 0.5 + rng.normal(0, 0.005, 300)
    out = np.array([f.filter(i / 30, np.array([v]))[0] for i, v in enumerate(raw)])
    assert out[30:].std() < raw[30:].std() / 2


def test_one_euro_follows_fast_motion():
    f = OneEuro(min_cutoff_hz=1.5, beta=4.0)
    t = np.arange(60) / 30
    x = np.where(t < 1.0, 0.2, 0.7)
    out = np.array([f.filter(ti, np.array([xi]))[0] for ti, xi in zip(t, x)])
    # within 5 frames (0.17 s) of a step the output has covered 90 % of it
    assert out[30 + 5] > 0.2 + 0.9 * 0.5


@pytest.mark.parametrize("t2", [0.0, -0.1])
def test_time_must_increase(t2):
    f = OneEuro()
    f.filter(0.0, np.zeros(2))
    with pytest.raises(ValueError, match="strictly increase"):
        f.filter(t2, np.zeros(2))
    s = LandmarkSmoother()
    s.step(0.0, np.full((33, 4), 0.5, np.float32))
    with pytest.raises(ValueError):
        s.step(t2, np.full((33, 4), 0.5, np.float32))


def _frame(x, vis=0.9):
    a = np.full((33, 4), x, dtype=np.float32)
    a[:, 3] = vis
    return a


def test_short_gap_is_filled_and_flagged_long_gap_is_nan():
    s = LandmarkSmoother(max_gap_s=0.25)
    for i in range(10):
        out = s.step(i / 30, _frame(0.5))
        assert not out.predicted.any()
    # knee (25) disappears for 3 frames (0.1 s): predicted, flagged
    for i in range(10, 13):
        fr = _frame(0.5)
        fr[25] = np.nan
        out = s.step(i / 30, fr)
        assert out.predicted[25] and not out.predicted[24]
        assert np.isfinite(out.image_xyzv[25]).all()
    # gone for 0.5 s: after max_gap it is NaN, never an invented point
    for i in range(13, 28):
        fr = _frame(0.5)
        fr[25] = np.nan
        out = s.step(i / 30, fr)
    assert np.isnan(out.image_xyzv[25]).all() and not out.predicted[25]


def test_whole_body_gap_then_reset():
    s = LandmarkSmoother(max_gap_s=0.25)
    s.step(0.0, _frame(0.2))
    s.step(1 / 30, _frame(0.2))
    out = s.step(2 / 30, None)  # one missed detection: predicted
    assert out.predicted.all()
    out = s.step(1.0, None)  # long absence: nothing
    assert np.isnan(out.image_xyzv).all()
    out = s.step(1.0 + 1 / 30, _frame(0.8))  # a new shot: no smearing from the old one
    assert out.image_xyzv[0, 0] == pytest.approx(0.8)


def test_low_visibility_point_is_not_measured():
    s = LandmarkSmoother(min_visibility=0.5)
    out = s.step(0.0, _frame(0.5, vis=0.2))
    assert np.isnan(out.image_xyzv[:, 0]).all()
