"""Uplift metrics: a hand computation, planted truths, bootstrap coverage and bad input (crm_course.uplift_metrics)."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pandas as pd
import pytest

from crm_course import uplift, uplift_metrics
from crm_course.uplift_metrics import auuc, plot_qini, qini_band, qini_coefficient, qini_curve

# --------------------------------------------------------------------------
# A hand computation on twelve customers
# --------------------------------------------------------------------------
#
#  row  score  arm  y      six treated (T), six control (C); ties at 0.9, 0.7 and 0.1
#   1    0.9    T   1
#   2    0.9    T   0      block 0.9: only treated customers (the control term is 0)
#   3    0.8    C   0
#   4    0.7    T   1
#   5    0.7    C   1      block 0.7
#   6    0.6    C   0
#   7    0.5    T   1
#   8    0.4    C   1
#   9    0.3    T   0
#  10    0.2    C   0
#  11    0.1    T   0
#  12    0.1    C   1      block 0.1
#
#  block  k  Nt Nc Rt Rc   g = Rt - Rc Nt/Nc   qini = g/6   f = (Rt/Nt - Rc/Nc) k     uplift = f/12
#  0.9    2  2  0  1  0    1                   1/6          (1/2 - 0) 2   = 1         1/12
#  0.8    3  2  1  1  0    1                   1/6          (1/2 - 0) 3   = 3/2       1/8
#  0.7    5  3  2  2  1    2 - 3/2 = 1/2       1/12         (2/3 - 1/2) 5 = 5/6       5/72
#  0.6    6  3  3  2  1    1                   1/6          (2/3 - 1/3) 6 = 2         1/6
#  0.5    7  4  3  3  1    3 - 4/3 = 5/3       5/18         (3/4 - 1/3) 7 = 35/12     35/144
#  0.4    8  4  4  3  2    1                   1/6          (3/4 - 1/2) 8 = 2         1/6
#  0.3    9  5  4  3  2    3 - 10/4 = 1/2      1/12         (3/5 - 1/2) 9 = 9/10      3/40
#  0.2   10  5  5  3  2    1                   1/6          (3/5 - 2/5) 10 = 2        1/6
#  0.1   12  6  6  3  3    0                   0            0                         0
#
#  The average effect is 3/6 - 3/6 = 0, so the random line is 0 and Q is the area under
#  qini over the shares k/12 (trapezoids). With qini in 36ths (0 6 6 3 6 10 6 3 6 0) and
#  the steps of k (2 1 2 1 1 1 1 1 2):
#    2(0+6) + (6+6) + 2(6+3) + (3+6) + (6+10) + (10+6) + (6+3) + (3+6) + 2(6+0) = 113,
#    Q = 113 / (2 * 12 * 36) = 113/864.
#  AUUC, uplift in 720ths (0 60 90 50 120 175 120 54 120 0):
#    2(60) + 150 + 2(140) + 170 + 295 + 295 + 174 + 174 + 2(120) = 1898,
#    AUUC = 1898 / (2 * 12 * 720) = 1898/17280; random = 0.
#  Perfect ranking (treated responders 1, 4, 7 first; control responders 5, 8, 12 last):
#    k = 3 (Nt 3, Nc 0, Rt 3): qini 3/6; k = 9 (Nt 6, Nc 3, Rt 3, Rc 0): 3/6; k = 12: 0.
#    Area = (3/12)(1/2)/2 + (6/12)(1/2) + (3/12)(1/2)/2 = 3/8, so normalised Q = (113/864)/(3/8) = 113/324.

HAND = pd.DataFrame({
    "score": [0.9, 0.9, 0.8, 0.7, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.1],
    "group": list("TTCTCCTCTCTC"),
    "y": [1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1],
})
KW = {"treatment": "T", "control": "C", "arm": "group", "arms": None}
# Shuffled, so that ties cannot be resolved by the order of the rows.
HAND = HAND.sample(frac=1, random_state=4).reset_index(drop=True)


def _f(values):
    return [float(F(v)) for v in values]


def test_qini_curve_matches_the_hand_computation():
    curve = qini_curve(HAND, "score", "y", **KW)
    assert curve["n_targeted"].tolist() == [0, 2, 3, 5, 6, 7, 8, 9, 10, 12]
    assert curve["n_treated"].tolist() == [0, 2, 2, 3, 3, 4, 4, 5, 5, 6]
    assert curve["n_control"].tolist() == [0, 0, 1, 2, 3, 3, 4, 4, 5, 6]
    assert curve["outcome_treated"].tolist() == [0, 1, 1, 2, 2, 3, 3, 3, 3, 3]
    assert curve["outcome_control"].tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]
    np.testing.assert_allclose(curve["share_targeted"], np.array([0, 2, 3, 5, 6, 7, 8, 9, 10, 12]) / 12)
    np.testing.assert_allclose(curve["qini"], _f(["0", "1/6", "1/6", "1/12", "1/6", "5/18", "1/6", "1/12",
                                                   "1/6", "0"]), atol=1e-15)
    np.testing.assert_allclose(curve["uplift"], _f(["0", "1/12", "1/8", "5/72", "1/6", "35/144", "1/6", "3/40",
                                                     "1/6", "0"]), atol=1e-15)
    np.testing.assert_allclose(curve["random"], 0, atol=1e-15)


def test_qini_coefficient_and_auuc_match_the_hand_computation():
    assert qini_coefficient(HAND, "score", "y", **KW)["qini_coefficient"] == pytest.approx(113 / 864, abs=1e-15)
    assert qini_coefficient(HAND, "score", "y", normalise=True, **KW)["qini_coefficient"] == pytest.approx(
        113 / 324, abs=1e-15)
    a = auuc(HAND, "score", "y", **KW)
    assert a["auuc"] == pytest.approx(1898 / 17280, abs=1e-15)
    assert a["random"] == pytest.approx(0, abs=1e-15)


def test_the_random_line_ends_at_the_average_effect():
    shifted = HAND.assign(y=HAND["y"] + 2.5 * (HAND["group"] == "T"))  # a constant effect of 2.5 on top
    curve = qini_curve(shifted, "score", "y", **KW)
    assert curve["random"].iloc[-1] == pytest.approx(2.5)
    assert curve["qini"].iloc[-1] == pytest.approx(2.5) and curve["uplift"].iloc[-1] == pytest.approx(2.5)
    np.testing.assert_allclose(curve["random"], curve["share_targeted"] * 2.5)
    # A constant effect adds exactly the random line to the uplift curve (k/n times the effect), so
    # the excess of AUUC over random is unchanged. The Qini adds N_t(k)/N_t times the effect instead,
    # which differs from k/n wherever the arms are unbalanced among the targeted: Q moves.
    before, after = auuc(HAND, "score", "y", **KW), auuc(shifted, "score", "y", **KW)
    assert after["auuc"] - after["random"] == pytest.approx(before["auuc"] - before["random"])
    assert after["random"] == pytest.approx(1.25)
    assert qini_coefficient(shifted, "score", "y", **KW)["qini_coefficient"] != pytest.approx(113 / 864)


def test_uplift_column_is_the_cumulative_gain_curve_of_uplift_module():
    # Without ties, f(k)/n is uplift.uplift_curve's value per customer at the share k/n.
    rng = np.random.default_rng(11)
    n = 300
    df = pd.DataFrame({"arm": rng.choice(["personalised", "none"], n), "converted": rng.random(n) < 0.3,
                       "score": rng.random(n)})
    mine = qini_curve(df, "score")
    both = (mine["n_treated"] >= 2) & (mine["n_control"] >= 2)  # where uplift_curve reports a lift
    theirs = uplift.uplift_curve(df, "score", "converted", shares=mine.loc[both, "share_targeted"])
    np.testing.assert_allclose(theirs["value_per_customer"], mine.loc[both, "uplift"], rtol=1e-12, atol=1e-15)


def test_inputs_are_not_modified_and_other_arms_are_ignored():
    df = HAND.copy()
    extra = pd.concat([HAND, pd.DataFrame({"score": [5.0, 5.0], "group": ["X", "X"], "y": [1, 1]})],
                      ignore_index=True)
    before = extra.copy()
    q = qini_coefficient(extra, "score", "y", **KW)["qini_coefficient"]
    assert q == pytest.approx(113 / 864)
    pd.testing.assert_frame_equal(extra, before)
    pd.testing.assert_frame_equal(HAND, df)


# --------------------------------------------------------------------------
# Planted truth: the uplift rises in a feature, tau(x) = a + b x with x ~ U(0, 1)
# --------------------------------------------------------------------------


def _world(n: int, rng: np.random.Generator, a: float = -0.05, b: float = 0.2, base: float = 0.1):
    x = rng.random(n)
    treated = rng.random(n) < 0.5
    converted = rng.random(n) < base + treated * (a + b * x)
    return pd.DataFrame({"arm": np.where(treated, "personalised", "none"), "converted": converted, "x": x})


def _true_qini(score_of_x, a, b, rng, n=2_000_000):
    """Population Q of a score: G(phi) = E[tau 1{top phi}] minus the random line, integrated (by simulation)."""
    x = rng.random(n)
    s = score_of_x(x, rng)
    tau = (a + b * x)[np.argsort(-s)]
    g = np.r_[0, np.cumsum(tau)] / n
    share = np.arange(n + 1) / n
    return float(np.sum(np.diff(share) * (g[1:] + g[:-1]) / 2) - tau.mean() / 2)


def test_true_uplift_ranking_recovers_b_over_12_and_a_changed_truth_moves_it():
    rng = np.random.default_rng(2024)
    df = _world(50_000, rng)
    q = qini_coefficient(df, "x", n_boot=100, rng=rng, level=0.99)
    assert q["ci_low"] < 0.2 / 12 < q["ci_high"]
    assert q["ci_high"] - q["ci_low"] < 0.2 / 12  # informative, not a band that covers anything
    steeper = qini_coefficient(_world(50_000, rng, b=0.4), "x", n_boot=100, rng=rng, level=0.99)
    assert steeper["ci_low"] < 0.4 / 12 < steeper["ci_high"]
    assert steeper["qini_coefficient"] > q["ci_high"]
    # Only b matters: a level shift of the uplift leaves Q where it was.
    shifted = qini_coefficient(_world(50_000, rng, a=0.05), "x", n_boot=100, rng=rng, level=0.99)
    assert shifted["ci_low"] < 0.2 / 12 < shifted["ci_high"]


def test_simulated_population_value_agrees_with_the_closed_form():
    rng = np.random.default_rng(5)
    assert _true_qini(lambda x, r: x, -0.05, 0.2, rng) == pytest.approx(0.2 / 12, rel=1e-3)


def test_random_score_gives_about_zero_and_a_reversed_score_goes_negative():
    rng = np.random.default_rng(99)
    df = _world(50_000, rng)
    noise = qini_coefficient(df, rng.random(len(df)), n_boot=100, rng=rng, level=0.99)
    assert noise["ci_low"] < 0 < noise["ci_high"]
    assert abs(noise["qini_coefficient"]) < 0.2 / 12 / 4
    reversed_ = qini_coefficient(df, -df["x"], n_boot=100, rng=rng, level=0.99)
    assert reversed_["ci_high"] < 0
    assert reversed_["ci_low"] < -0.2 / 12 < reversed_["ci_high"]


def test_a_perfect_score_beats_a_noisy_one_and_each_recovers_its_own_truth():
    rng = np.random.default_rng(7)
    noisy_truth = _true_qini(lambda x, r: x + r.normal(0, 0.3, len(x)), -0.05, 0.2, rng)
    assert 0 < noisy_truth < 0.2 / 12
    df = _world(50_000, rng)
    df["noisy"] = df["x"] + rng.normal(0, 0.3, len(df))
    perfect = qini_coefficient(df, "x", n_boot=100, rng=rng, level=0.99)
    noisy = qini_coefficient(df, "noisy", n_boot=100, rng=rng, level=0.99)
    assert noisy["ci_low"] < noisy_truth < noisy["ci_high"]
    assert perfect["qini_coefficient"] > noisy["qini_coefficient"]
    # Normalised by the ranking that knows the outcomes, both stay well below 1.
    for score in ("x", "noisy"):
        assert 0 < qini_coefficient(df, score, normalise=True)["qini_coefficient"] < 1


def test_auuc_recovers_its_planted_value():
    # AUUC = integral of G(phi) = a/2 + b/3 for the true ranking; random targeting gives (a + b/2)/2.
    rng = np.random.default_rng(31)
    a, b = -0.05, 0.2
    out = auuc(_world(50_000, rng, a=a, b=b), "x", n_boot=100, rng=rng, level=0.99)
    assert out["ci_low"] < a / 2 + b / 3 < out["ci_high"]
    assert out["random"] == pytest.approx((a + b / 2) / 2, abs=0.004)


def test_bootstrap_intervals_cover_the_truth_at_about_their_nominal_rate():
    # 200 experiments of 1,500 customers; 90% intervals for Q and for the curve at half the base.
    rng = np.random.default_rng(12345)
    a, b, reps, level = -0.05, 0.2, 200, 0.90
    truth_q = b / 12
    truth_half = a * 0.5 + b * 0.5 - b * 0.25 / 2
    hit_q = hit_half = 0
    for _ in range(reps):
        df = _world(1_500, rng, a=a, b=b)
        q = qini_coefficient(df, "x", n_boot=150, rng=rng, level=level)
        hit_q += q["ci_low"] <= truth_q <= q["ci_high"]
        band = qini_band(df, "x", rng=rng, n_boot=150, level=level, shares=[0.5])
        hit_half += band["ci_low"].iloc[0] <= truth_half <= band["ci_high"].iloc[0]
    # Three binomial standard errors around 0.90 for 200 experiments: 0.836 to 0.964.
    tol = 3 * np.sqrt(level * (1 - level) / reps)
    assert abs(hit_q / reps - level) < tol, hit_q / reps
    assert abs(hit_half / reps - level) < tol, hit_half / reps


def test_bootstrap_is_reproducible_with_a_seeded_generator_and_resamples_within_arms():
    df = _world(3_000, np.random.default_rng(1))
    one = qini_coefficient(df, "x", n_boot=50, rng=np.random.default_rng(8))
    two = qini_coefficient(df, "x", n_boot=50, rng=8)
    pd.testing.assert_series_equal(one, two)
    y, t, ends = uplift_metrics._experiment(df, "x", "converted", "arm", "personalised", "none", uplift_metrics.ARMS)
    for share, qini, _ in uplift_metrics._replicates(y, t, ends, 5, np.random.default_rng(3)):
        assert share.shape == qini.shape == (5, len(ends) + 1)
    # Every replicate keeps the experiment's arm sizes: the shares end at 1 with the same N_t.
    captured = []
    real = uplift_metrics._curves
    monkey = lambda y_, t_, e_, w=None: captured.append(w) or real(y_, t_, e_, w)  # noqa: E731
    uplift_metrics._curves = monkey
    try:
        list(uplift_metrics._replicates(y, t, ends, 4, np.random.default_rng(3)))
    finally:
        uplift_metrics._curves = real
    w = captured[0]
    assert (w[:, t].sum(axis=1) == t.sum()).all() and (w[:, ~t].sum(axis=1) == (~t).sum()).all()
    assert (w.std(axis=1) > 0).all()  # resampled, not the original sample


def test_band_is_chunked_the_same_as_in_one_go(monkeypatch):
    df = _world(1_000, np.random.default_rng(2))
    whole = qini_band(df, "x", rng=np.random.default_rng(4), n_boot=40, shares=[0.25, 0.5, 0.75])
    monkeypatch.setattr(uplift_metrics, "_CELLS_PER_CHUNK", 3_000)  # three replicates at a time
    chunked = qini_band(df, "x", rng=np.random.default_rng(4), n_boot=40, shares=[0.25, 0.5, 0.75])
    pd.testing.assert_frame_equal(whole, chunked)


def test_plot_qini_draws_curve_random_line_and_band():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    df = _world(2_000, np.random.default_rng(6))
    bands = {"uplift ranking": qini_band(df, "x", rng=1, n_boot=50),
             "no information": qini_curve(df, np.random.default_rng(0).random(len(df)))}
    ax = plot_qini(bands, scale=100, ylabel="Extra conversions per 100 treated customers")
    assert ax.get_legend_handles_labels()[1] == ["uplift ranking", "no information", "random targeting"]
    assert len(ax.collections) == 1  # one band: qini_curve has none
    assert ax.get_title() == "Qini curve" and "%" in ax.get_xlabel()
    plt.close(ax.figure)


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------


@pytest.mark.parametrize("call", [
    lambda d: qini_curve(d, "score", "missing", **KW),
    lambda d: qini_coefficient(d, "nope", "y", **KW),
    lambda d: auuc(d, [1.0, 2.0], "y", **KW),
    lambda d: qini_curve(d, np.r_[np.nan, np.ones(11)], "y", **KW),
    lambda d: qini_curve(d, "score", "y", treatment="Z", control="C", arm="group", arms=None),
    lambda d: qini_coefficient(d, "score", "y", level=1.5, **KW),
    lambda d: qini_band(d, "score", "y", rng=1, shares=[0.5, 1.2], **KW),
    lambda d: qini_band(d, "score", "y", rng=1, n_boot=1, **KW),
    lambda d: qini_coefficient(d, "score", "y", n_boot=-1, **KW),
    lambda d: qini_coefficient(d.assign(y=0), "score", "y", normalise=True, **KW),
    lambda d: plot_qini(d),
])
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call(HAND)


def test_bootstrap_without_a_generator_says_so():
    with pytest.raises(TypeError, match="rng: expected a numpy.random.Generator"):
        qini_coefficient(HAND, "score", "y", n_boot=10, **KW)
    with pytest.raises(TypeError, match="rng"):
        auuc(HAND, "score", "y", n_boot=10, rng="seven", **KW)
    with pytest.raises(TypeError, match="curves"):
        plot_qini([])


def test_relative_band_is_the_gain_over_random_and_has_no_width_at_the_end():
    df = _world(2_000, np.random.default_rng(5))
    grid = [0.0, 0.25, 0.5, 0.75, 1.0]
    plain = qini_band(df, "x", rng=np.random.default_rng(6), n_boot=200, shares=grid)
    gain = qini_band(df, "x", rng=np.random.default_rng(6), n_boot=200, shares=grid, relative=True)
    assert gain["qini"].to_numpy() == pytest.approx((plain["qini"] - plain["random"]).to_numpy())
    assert (gain["random"] == 0).all()
    assert gain[["qini", "ci_low", "ci_high"]].iloc[-1].abs().max() < 1e-12
    # The total lift's noise is gone: at every depth the band is narrower than the plain one.
    assert ((gain["ci_high"] - gain["ci_low"]) <= (plain["ci_high"] - plain["ci_low"]) + 1e-12).all()
    assert (gain["ci_high"] - gain["ci_low"]).iloc[2] > 0
