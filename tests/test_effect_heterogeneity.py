"""Unit effects, their spread and prediction intervals; the world's firm-level effects and its dip scenario."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crm_course.effect_heterogeneity import effect_spread, unit_effects
from crm_course.event_study import event_study
from crm_course.panel import twfe_regression
from crm_course.world import simulate
from crm_course.world.params import WorldParams

H = "customer_heterogeneity"


def _world(seed: int = 5, **panel):
    p = WorldParams()
    return simulate(n_members=1_000, seed=seed, params=replace(p, panel=replace(p.panel, **panel)))


@pytest.fixture(scope="module")
def varied():
    return _world(effect_firm_sd=0.03)


# -- hand computations ------------------------------------------------------------------------

def test_dersimonian_laird_reproduces_the_bcg_meta_analysis():
    """Colditz et al. (1994), 13 BCG vaccine trials, log relative risks. The random-effects
    (DerSimonian-Laird) values are those metafor prints for these data (Viechtbauer, 2010,
    J. Statistical Software 36(3)): tau^2 = 0.3088, estimate -0.7141, SE 0.1787, Q = 152.2330."""
    trials = np.array([(4, 119, 11, 128), (6, 300, 29, 274), (3, 228, 11, 209), (62, 13536, 248, 12619),
                       (33, 5036, 47, 5761), (180, 1361, 372, 1079), (8, 2537, 10, 619), (505, 87886, 499, 87892),
                       (29, 7470, 45, 7232), (17, 1699, 65, 1600), (186, 50448, 141, 27197), (5, 2493, 3, 2338),
                       (27, 16886, 29, 17825)], dtype=float)
    tpos, tneg, cpos, cneg = trials.T
    y = np.log(tpos / (tpos + tneg)) - np.log(cpos / (cpos + cneg))
    v = 1 / tpos - 1 / (tpos + tneg) + 1 / cpos - 1 / (cpos + cneg)
    spread = effect_spread(pd.DataFrame({"effect": y, "std_error": np.sqrt(v)}))
    assert spread.tau**2 == pytest.approx(0.3088, abs=5e-5)
    assert spread.params["intercept"] == pytest.approx(-0.7141, abs=5e-5)
    assert np.sqrt(spread.cov.iloc[0, 0]) == pytest.approx(0.1787, abs=5e-5)
    assert spread.q == pytest.approx(152.2330, abs=5e-4) and spread.q_df == 12


def test_unit_effect_is_the_difference_in_differences_by_hand():
    toy = pd.DataFrame({"firm": [1] * 4 + [2] * 4 + [3] * 4, "year": [1, 2, 3, 4] * 3,
                        "start": [3.0] * 4 + [np.nan] * 8,
                        "y": [0.30, 0.32, 0.40, 0.41, 0.20, 0.21, 0.22, 0.23, 0.40, 0.41, 0.42, 0.43]})
    out = unit_effects(toy, unit="firm", time="year", start="start", outcome="y")
    # controls' means by year: 0.30, 0.31, 0.32, 0.33; firm 1 minus them: 0.00, 0.01 | 0.08, 0.08
    assert out["effect"].iloc[0] == pytest.approx(0.08 - 0.005)
    # pooled s from deviations around each half's mean: sqrt((2 * 0.005^2 + 0) / 2)
    assert out["std_error"].iloc[0] == pytest.approx(np.sqrt(2 * 0.005**2 / 2) * np.sqrt(1 / 2 + 1 / 2))
    assert out[["n_pre", "n_post"]].iloc[0].tolist() == [2, 2]
    assert toy.shape == (12, 4)  # not modified


# -- recovery on a simulated world ----------------------------------------------------------------

def test_recovers_the_average_line_and_the_firm_level_spread(varied):
    effects = unit_effects(varied.tables["merchant_panel"], moderator=H)
    spread = effect_spread(effects, moderator=H, center=0.5)
    se = np.sqrt(np.diag(spread.cov.to_numpy()))
    z = stats.norm.ppf(1 - 0.05 / 4)  # two intervals at once: Bonferroni
    assert abs(spread.params["intercept"] - 0.04) < z * se[0]
    assert abs(spread.params["slope"] - 0.12) < z * se[1]
    assert 0.015 < spread.tau < 0.045  # planted 0.03
    assert spread.q_p_value < 0.001


def test_prediction_intervals_cover_the_planted_firm_effects(varied):
    effects = unit_effects(varied.tables["merchant_panel"], moderator=H)
    spread = effect_spread(effects, moderator=H, center=0.5)
    pred = spread.predict(effects[H].to_numpy(), level=0.9)
    truth = varied.truth["merchant_panel"].set_index("merchant_id")["crm_effect"].reindex(effects["unit"]).to_numpy()
    inside = (truth >= pred["pred_low"].to_numpy()) & (truth <= pred["pred_high"].to_numpy())
    assert 0.8 < inside.mean() <= 1.0  # nominal 90% for a new firm
    covered_by_ci = (truth >= pred["conf_low"].to_numpy()) & (truth <= pred["conf_high"].to_numpy())
    assert covered_by_ci.mean() < 0.5  # an interval for the average is no interval for one firm
    assert (pred["pred_high"] - pred["pred_low"] > pred["conf_high"] - pred["conf_low"]).all()


def test_without_firm_level_spread_the_test_does_not_reject_and_tau_is_small():
    effects = unit_effects(_world(effect_firm_sd=0.0).tables["merchant_panel"], moderator=H)
    spread = effect_spread(effects, moderator=H, center=0.5)
    assert spread.tau < 0.01 and spread.q_p_value > 0.01


def test_a_larger_planted_spread_moves_tau_up():
    taus = [effect_spread(unit_effects(_world(effect_firm_sd=sd).tables["merchant_panel"], moderator=H),
                          moderator=H).tau for sd in (0.0, 0.03, 0.06)]
    assert taus[0] < taus[1] < taus[2]


def test_the_default_world_plants_firm_level_spread_and_zero_restores_the_line():
    world = _world()
    truth = world.truth["merchant_panel"]
    h = world.tables["merchant_panel"].groupby("merchant_id")[H].first().reindex(truth["merchant_id"]).to_numpy()
    own = truth["crm_effect"].to_numpy() - (0.04 + 0.12 * (h - 0.5))
    assert WorldParams().panel.effect_firm_sd == 0.015
    # 250 draws of Normal(0, 0.015): the sample SD lies within 0.012-0.018 with probability > 0.999
    assert 0.012 < own.std() < 0.018 and abs(own.mean()) < 0.004
    flat = _world(effect_firm_sd=0.0)
    h0 = flat.tables["merchant_panel"].groupby("merchant_id")[H].first().reindex(truth["merchant_id"]).to_numpy()
    assert np.allclose(flat.truth["merchant_panel"]["crm_effect"].to_numpy(), 0.04 + 0.12 * (h0 - 0.5))


# -- the Ashenfelter-dip scenario ---------------------------------------------------------------

def test_adoption_after_a_dip_fails_the_pretrend_test_and_biases_two_way_fixed_effects():
    clean = _world(seed=11).tables["merchant_panel"]
    dipped = _world(seed=11, pre_adoption_dip=0.03, dip_years=1).tables["merchant_panel"]
    study = event_study(dipped, n_boot=199, seed=1)
    assert study.pretrend_test()["p_value"] < 0.01
    assert event_study(clean, n_boot=199, seed=1).pretrend_test()["p_value"] > 0.01
    biased, fair = twfe_regression(dipped).params["crm_active"], twfe_regression(clean).params["crm_active"]
    assert 0.004 < biased - fair < 0.03  # part of the recovery from the dip is counted as CRM's effect


# -- bad input ------------------------------------------------------------------------------------

def test_bad_input_gets_a_clear_error(varied):
    panel = varied.tables["merchant_panel"]
    everyone = panel.assign(crm_adoption_year=panel["crm_adoption_year"].fillna(2020))
    with pytest.raises(ValueError, match="never-treated"):
        unit_effects(everyone)
    wobbly = panel.assign(customer_heterogeneity=np.arange(len(panel)) / len(panel))
    with pytest.raises(ValueError, match="'customer_heterogeneity' should be constant within a unit"):
        unit_effects(wobbly, moderator=H)
    with pytest.raises(ValueError, match="missing column|not found|'repeat_rate'"):
        unit_effects(panel.drop(columns="repeat_rate"))
    ok = pd.DataFrame({"effect": [0.1, 0.2, 0.3], "std_error": [0.1, 0.0, 0.1]})
    with pytest.raises(ValueError, match="'std_error' should be > 0; found 0.0"):
        effect_spread(ok)
    with pytest.raises(ValueError, match="at least 3 units"):
        effect_spread(ok.iloc[:2].assign(std_error=0.1))
    spread = effect_spread(unit_effects(panel, moderator=H), moderator=H)
    with pytest.raises(ValueError, match="values: expected the 'customer_heterogeneity' values"):
        spread.predict()
    with pytest.raises(ValueError, match="level: expected a number in \\(0, 1\\)"):
        spread.predict([0.5], level=95)
