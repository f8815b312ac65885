"""Tests of crm_course.retention, survival, finance and profitability: recovery of planted effects, hand-computed cases, bad input.

Recovery tests simulate the Kopilka world at a fixed seed. The planted
per-contact drop-out effect (``SupportParams.dropout_per_csat_point``) is a
parameter of a logit on the hidden truth, so it is recovered directly. The
Cox hazard ratio of CSAT on the observable "lapsed" event is not a planted
parameter (lapsing mixes the BG/NBD drop-out, slow buyers and the CSAT
effect), so its tests check what the design implies: no effect when the
planted effect is zero, a protective effect at the default, and a stronger
one when the planted effect grows.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from crm_course.kopilka.support import contacts_at_risk
from crm_course import finance, profitability, retention, survival
from crm_course.clv import evaluation
from crm_course.clv import BGNBDFitter, calibration_holdout, clv_contractual, simulate_bgnbd
from crm_course.world import simulate
from crm_course.world.params import WorldParams

END = "2024-12-29"


def _world(dropout_per_csat_point: float | None = None, seed: int = 11, n: int = 20_000):
    params = WorldParams()
    if dropout_per_csat_point is not None:
        params = replace(params, support=replace(params.support, dropout_per_csat_point=dropout_per_csat_point))
    return simulate(n, seed, params)


@pytest.fixture(scope="module")
def world():
    return _world()


@pytest.fixture(scope="module")
def orders():
    return pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 2, 3],
            "order_date": pd.to_datetime(
                ["2023-01-02", "2023-01-16", "2023-12-25", "2023-02-06", "2023-02-06", "2024-05-01"]
            ),
            "order_value": [1000.0, 500.0, 2000.0, 300.0, 700.0, 100.0],
            "commission": [60.0, 30.0, 120.0, 0.0, 42.0, 5.0],
            "cashback": [40.0, 20.0, 80.0, 0.0, 28.0, 3.0],
        }
    )


@pytest.fixture(scope="module")
def contacts():
    return pd.DataFrame(
        {
            "contact_id": [1, 2, 3],
            "customer_id": [1, 2, 1],
            "contact_date": pd.to_datetime(["2023-01-16", "2023-03-01", "2023-06-01"]),
            "csat": [2, 5, 4],
            "payout_received": [False, False, True],
            "first_contact_resolution": [True, False, True],
            "reason": ["payout", "declined order", "other"],
        }
    )


def _cox_on_world(w):
    tr, ct = w.tables["transactions"], w.tables["contacts"]
    experience = survival.support_experience(ct, tr)
    data = survival.lapse_durations(tr, origin=experience["first_contact_date"], observation_end=END).join(experience)
    fit = survival.cox_model(data, "first_csat + first_payout_received + np.log1p(orders_before)")
    return survival.hazard_ratios(fit).loc["first_csat"]


# --------------------------------------------------------------------------
# Recovery: the planted drop-out after a poor contact
# --------------------------------------------------------------------------


def test_logit_on_hidden_truth_recovers_planted_dropout_per_csat_point(world):
    """dropout_per_csat_point and dropout_intercept are the logit's two coefficients: both inside the 95% CIs."""
    planted = world.params.support
    fit = survival.contact_dropout_logit(contacts_at_risk(world))
    ci = fit.conf_int()
    assert ci.loc["csat_shortfall", 0] < planted.dropout_per_csat_point < ci.loc["csat_shortfall", 1]
    assert ci.loc["Intercept", 0] < planted.dropout_intercept < ci.loc["Intercept", 1]


def test_logit_estimate_moves_with_the_planted_effect():
    weak = survival.contact_dropout_logit(contacts_at_risk(_world(0.2))).params["csat_shortfall"]
    strong = survival.contact_dropout_logit(contacts_at_risk(_world(1.0))).params["csat_shortfall"]
    assert weak < 0.4 < 0.8 < strong


def test_contacts_at_risk_excludes_members_who_had_already_left(world):
    at_risk = contacts_at_risk(world)
    members = world.truth["members"].set_index("customer_id")
    week_left = members["dropout_week"].reindex(at_risk["customer_id"]).to_numpy(dtype=float, na_value=np.inf)
    assert (week_left >= at_risk["week"].to_numpy()).all()
    # Every drop-out after a contact is among the at-risk contacts.
    assert at_risk["dropped_out_after"].sum() == world.truth["contacts"]["dropped_out_after"].sum()
    assert len(at_risk) < len(world.tables["contacts"])


# --------------------------------------------------------------------------
# Recovery: the CSAT hazard ratio on observable data
# --------------------------------------------------------------------------


def test_cox_finds_lower_lapse_hazard_after_a_better_first_contact(world):
    """At the default planted effect the hazard ratio per CSAT point is below 1, with its whole CI."""
    hr = _cox_on_world(world)
    assert hr["upper"] < 1


def test_cox_hazard_ratio_is_one_when_csat_does_not_cause_dropout():
    """With dropout_per_csat_point = 0 nothing links CSAT to lapsing: the 95% CI covers a hazard ratio of 1."""
    hr = _cox_on_world(_world(0.0))
    assert hr["lower"] < 1 < hr["upper"]


def test_cox_hazard_ratio_falls_as_the_planted_effect_grows():
    default = _cox_on_world(_world(0.55))
    strong = _cox_on_world(_world(1.1))
    assert strong["log_hr"] < default["log_hr"] - 2 * np.hypot(strong["std_error"], default["std_error"])


def test_cox_model_recovers_a_known_coefficient():
    rng = np.random.default_rng(3)
    x = rng.normal(size=4_000)
    t = rng.exponential(1 / np.exp(0.7 * x))
    c = rng.exponential(2.0, size=x.size)
    data = pd.DataFrame({"x": x, "duration": np.minimum(t, c), "lapsed": t <= c})
    row = survival.hazard_ratios(survival.cox_model(data, "x")).loc["x"]
    assert row["lower"] < np.exp(0.7) < row["upper"]
    assert row["hazard_ratio"] == pytest.approx(np.exp(row["log_hr"]))


# --------------------------------------------------------------------------
# Lapse durations and Kaplan-Meier
# --------------------------------------------------------------------------


def test_lapse_durations_hand_case(orders):
    out = survival.lapse_durations(orders, lapse_weeks=26, observation_end="2024-06-30")
    # 1: orders on Jan 2 and 16, then a 49-week gap: lapsed 2 weeks after the first order (the return is ignored).
    # 2: one purchase day, then nothing: lapsed at duration 0.
    # 3: first order 2024-05-01, later than 2024-06-30 minus 26 weeks: cannot be followed, left out.
    assert out.index.tolist() == [1, 2]
    assert out["duration"].tolist() == [2.0, 0.0]
    assert out["lapsed"].tolist() == [True, True]


def test_lapse_durations_censors_at_end_minus_window(orders):
    out = survival.lapse_durations(orders, lapse_weeks=60, observation_end="2024-06-30")
    # With 60 weeks, customer 1's 49-week gap is no lapse; after 2023-12-25 only 27 weeks are seen.
    censor_weeks = ((pd.Timestamp("2024-06-30") - pd.Timedelta(weeks=60)) - pd.Timestamp("2023-01-02")).days / 7
    assert not out.loc[1, "lapsed"]
    assert out.loc[1, "duration"] == pytest.approx(censor_weeks)


def test_lapse_durations_with_origin_ignores_earlier_orders(orders):
    origin = pd.Series(pd.to_datetime(["2023-01-16"]), index=pd.Index([1], name="customer_id"))
    out = survival.lapse_durations(orders, lapse_weeks=26, observation_end="2024-06-30", origin=origin)
    assert out.loc[1, "duration"] == 0.0 and out.loc[1, "lapsed"]
    origin = pd.Series(pd.to_datetime(["2023-12-01"]), index=[1])
    out = survival.lapse_durations(orders, lapse_weeks=26, observation_end="2024-06-30", origin=origin)
    # Ordered on 2023-12-25, 24 days after the origin, then 27 weeks without: lapsed at 24 days.
    assert out.loc[1, "duration"] == pytest.approx(24 / 7)


def test_kaplan_meier_of_lapses_recovers_a_known_lifetime_distribution():
    """Members buy every week until a geometric death; KM of the lapse event matches the true survival."""
    rng = np.random.default_rng(6)
    n = 3_000
    first = pd.Timestamp("2023-01-02") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    weeks_alive = rng.geometric(0.03, n) - 1  # last purchase week after the first order
    owner = np.repeat(np.arange(n), weeks_alive + 1)
    offset = np.concatenate([np.arange(k + 1) for k in weeks_alive])
    orders = pd.DataFrame({"customer_id": owner, "order_date": first[owner] + pd.to_timedelta(7 * offset, unit="D")})
    end = pd.Timestamp("2025-06-30")
    orders = orders[orders["order_date"] <= end]
    durations = survival.lapse_durations(orders, lapse_weeks=8, observation_end=end)
    # Member by member: the duration is the last purchase week, censored at end - 8 weeks - first order.
    censor = ((end - pd.Timedelta(weeks=8)) - first).days.to_numpy() / 7
    assert durations["duration"].to_numpy() == pytest.approx(np.minimum(weeks_alive, censor))
    assert (durations["lapsed"].to_numpy() == (weeks_alive <= censor)).all()
    at = survival.survival_at(survival.kaplan_meier(durations), [10.0, 40.0]).set_index("time")
    truth = {10.0: 0.97**11, 40.0: 0.97**41}  # P(last purchase week > t)
    for t, s in truth.items():
        assert at.loc[t, "lower_95"] < s < at.loc[t, "upper_95"]


def test_kaplan_meier_hand_case_and_groups():
    d = pd.DataFrame({"duration": [1.0, 2.0, 2.0, 3.0, 1.0, 4.0], "lapsed": [True, True, False, True, False, True],
                      "channel": ["a", "a", "a", "a", "b", "b"]})
    curves = survival.kaplan_meier(d, group="channel")
    a = curves[curves["group"] == "a"]
    assert a["survival"].tolist() == pytest.approx([1.0, 0.75, 0.5, 0.0])
    assert (a["lower_95"] <= a["survival"] + 1e-12).all() and (a["survival"] <= a["upper_95"] + 1e-12).all()
    b = curves[curves["group"] == "b"]
    assert b["time"].tolist() == [0.0, 4.0] and b["survival"].tolist() == [1.0, 0.0]
    at = survival.survival_at(curves, [0.5, 2.5, 10.0])
    assert at.loc[at["group"] == "a", "survival"].tolist() == pytest.approx([1.0, 0.5, 0.0])


def test_logrank_separates_different_curves_and_not_equal_ones():
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"duration": np.r_[rng.exponential(1, 400), rng.exponential(2, 400)], "lapsed": True,
                      "group": np.repeat(["fast", "slow"], 400)})
    assert survival.logrank_test(d, group="group")["p_value"] < 0.001
    same = d.assign(group=np.tile(["x", "y"], 400))
    same["duration"] = rng.exponential(1, 800)
    assert survival.logrank_test(same, group="group")["p_value"] > 0.01


# --------------------------------------------------------------------------
# Cohorts, support experience
# --------------------------------------------------------------------------


def test_cohort_retention_hand_case():
    orders = pd.DataFrame({"customer_id": [1, 1, 2, 3, 3],
                           "order_date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-01-20", "2024-04-02",
                                                         "2024-04-03"])})
    table = retention.cohort_retention(orders, cohort_freq="Q", period_days=30, observation_end="2024-04-30")
    q1 = table[table["cohort"] == "2024Q1"].set_index("period")
    assert q1["members"].tolist() == [2, 2, 2]
    assert q1["active"].tolist() == [2, 1, 0]
    # Customer 3 (first order 2024-04-02) has only 29 days observed: no full period, so no row.
    assert set(table["cohort"]) == {"2024Q1"}
    assert (table.loc[table["period"] == 0, "retention"] == 1).all()


def test_cohort_retention_on_world_is_censored_member_by_member(world):
    table = retention.cohort_retention(world.tables["transactions"], observation_end=END)
    first = world.tables["transactions"].groupby("customer_id")["order_date"].min()
    assert table.loc[table["period"] == 0, "members"].sum() == int(((pd.Timestamp(END) - first).dt.days + 1 >= 30).sum())
    # The number of members observed never grows with age.
    assert (table.groupby("cohort")["members"].diff().dropna() <= 0).all()
    assert table["retention"].between(0, 1).all()


def test_retention_rate_hand_case(orders):
    out = retention.retention_rate(orders, base=("2023-01-01", "2023-06-30"), following=("2023-07-01", "2024-06-30"))
    # Active in the first half of 2023: customers 1 and 2; of them only 1 ordered again (2023-12-25).
    assert out["members"] == 2 and out["retained"] == 1
    assert out["std_error"] == pytest.approx(np.sqrt(0.25 / 2))


def test_retention_rate_on_world_matches_a_direct_count(world):
    tr = world.tables["transactions"]
    out = retention.retention_rate(tr, base=("2023-01-01", "2023-12-31"), following=("2024-01-01", "2024-12-31"))
    years = tr.groupby("customer_id")["order_date"].agg(lambda d: set(d.dt.year))
    base = years[years.map(lambda y: 2023 in y)]
    assert out["members"] == len(base)
    assert out["retention"] == pytest.approx(base.map(lambda y: 2024 in y).mean())


def test_support_experience_hand_case(orders, contacts):
    out = survival.support_experience(contacts, orders)
    assert out.loc[1, "contacts"] == 2 and out.loc[1, "mean_csat"] == 3.0 and out.loc[1, "min_csat"] == 2
    assert out.loc[1, "first_csat"] == 2 and out.loc[1, "first_reason"] == "payout"
    assert out.loc[1, "orders_before"] == 2  # the orders of Jan 2 and Jan 16 (the contact's day)
    assert out.loc[2, "orders_before"] == 2  # two orders on one day both count
    assert not out.loc[2, "first_first_contact_resolution"]


# --------------------------------------------------------------------------
# BG/NBD holdout checks
# --------------------------------------------------------------------------


def test_holdout_validation_on_a_pure_bgnbd_population():
    """Holdout purchases drawn from the true process: the fitted model's total lies within sampling error."""
    rng = np.random.default_rng(8)
    cal = simulate_bgnbd(8_000, r=0.65, alpha=4.5, a=0.8, b=4.0, T=52.0, rng=rng, latent=True)
    t = 26.0
    alive = cal["alive"].to_numpy()
    count = np.minimum(rng.poisson(cal["purchase_rate"].to_numpy() * t), rng.geometric(cal["dropout_probability"]))
    cal["frequency_holdout"] = np.where(alive, count, 0)
    cal["duration_holdout"] = t
    table = evaluation.holdout_validation(BGNBDFitter().fit(cal), cal, max_frequency=5)
    assert table.index.tolist() == ["0", "1", "2", "3", "4", "5+", "all"]
    assert table.loc["all", "members"] == 8_000
    se_total = cal["frequency_holdout"].std() * np.sqrt(len(cal))
    assert abs(table.loc["all", "predicted_total"] - table.loc["all", "actual_total"]) < 3 * se_total
    assert table.loc[["0", "1", "2", "3", "4", "5+"], "members"].sum() == 8_000


def test_holdout_validation_on_the_world_predicts_the_total_within_five_percent(world):
    data = calibration_holdout(world.tables["transactions"], "2024-06-30", END)
    data = data[data["T"] > 0]
    table = evaluation.holdout_validation(BGNBDFitter().fit(data), data)
    assert table.loc["all", "predicted_total"] == pytest.approx(table.loc["all", "actual_total"], rel=0.05)


def test_repeat_purchase_tracking_counts_and_predictions():
    model = BGNBDFitter().fit(simulate_bgnbd(2_000, 0.5, 5.0, 0.8, 3.0, 30.0, np.random.default_rng(5)))
    orders = pd.DataFrame({"customer_id": [1, 1, 1, 2, 3],
                           "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-20", "2024-01-03",
                                                         "2024-01-25"])})
    track = evaluation.repeat_purchase_tracking(model, orders, "2024-01-14", "2024-01-28")
    assert track["actual"].tolist() == [0, 0, 1, 1]  # customer 3 was born after calibration
    assert track["calibration"].tolist() == [True, True, False, False]
    t1 = (track["week_end"].iloc[-1] - pd.Timestamp("2024-01-01")).days / 7
    t2 = (track["week_end"].iloc[-1] - pd.Timestamp("2024-01-03")).days / 7
    assert track["predicted"].iloc[-1] == pytest.approx(model.expected_purchases(t1) + model.expected_purchases(t2))


# --------------------------------------------------------------------------
# The contractual CLV formula and the retention lever
# --------------------------------------------------------------------------


@pytest.mark.parametrize("m, r, d", [(100.0, 0.8, 0.1), (250.0, 0.5, 0.0), (40.0, 0.95, 0.12)])
def test_clv_formula_equals_the_discounted_sum_of_margins(m, r, d):
    t = np.arange(1, 5_000)
    series = np.sum(m * r**t / (1 + d) ** t)
    assert clv_contractual(m, r, d) == pytest.approx(series, rel=1e-9)
    lever = retention.retention_lever(m, r, d, points=0.01)
    assert lever.loc[0, "clv"] == pytest.approx(series, rel=1e-9)


def test_retention_lever_hand_values_and_shape():
    lever = retention.retention_lever(100.0, [0.5, 0.7, 0.9], 0.1)
    assert lever["gain"].tolist() == pytest.approx([100 - 250 / 3, 0.75 * 100 / 0.35 - 70 / 0.4, 633.333333 - 450])
    # The same five points are worth more, in money and in share, the higher the base retention.
    assert lever["gain"].is_monotonic_increasing and lever["gain_share"].is_monotonic_increasing
    # The derivative of m r / (1 + d - r) in r is m (1 + d) / (1 + d - r)^2.
    small = retention.retention_lever(100.0, 0.7, 0.1, points=1e-6)
    assert small.loc[0, "gain"] / 1e-6 == pytest.approx(100 * 1.1 / 0.4**2, rel=1e-4)


# --------------------------------------------------------------------------
# The programme: cash flows, Monte Carlo, break-even
# --------------------------------------------------------------------------

INPUTS = dict(members=10_000, margin_per_member=(300.0, 10.0), retention=(0.6, 0.02), campaigns_per_year=4,
              targeted_share=0.5, campaign_lift=(3.0, 1.5), contacted_share=0.3, engagement_gain=(8.0, 2.0),
              csat_per_engagement=(0.03, 0.01), log_hr_per_csat=(-0.1, 0.03))
COSTS = dict(process_upfront=50_000.0, process_annual=10_000.0, people_annual=5_000.0)


def _point_npv(inputs, costs, horizon, d):
    v = {k: (x[0] if isinstance(x, tuple) else x) for k, x in inputs.items()}
    pers = v["members"] * v["targeted_share"] * v["campaigns_per_year"] * v["campaign_lift"]
    hr = np.exp(v["log_hr_per_csat"] * v["engagement_gain"] * v["csat_per_engagement"])
    kept = v["members"] * v["contacted_share"] * (v["retention"] ** hr - v["retention"])
    ret = kept * v["margin_per_member"] / (1 + d - v["retention"])
    flows = [-costs["process_upfront"]] + [pers + ret - costs["process_annual"] - costs["people_annual"]] * horizon
    return sum(f / (1 + d) ** t for t, f in enumerate(flows))


def test_programme_cash_flows_match_a_hand_computation():
    flows = finance.programme_cash_flows(INPUTS, COSTS, horizon=3, discount=0.15)
    assert flows.index.tolist() == [0, 1, 2, 3]
    assert flows.loc[1, "personalisation"] == pytest.approx(10_000 * 0.5 * 4 * 3.0)
    assert flows.loc[0, "costs"] == 50_000 and flows.loc[2, "costs"] == 15_000
    assert flows["cumulative"].iloc[-1] == pytest.approx(_point_npv(INPUTS, COSTS, 3, 0.15))


def test_monte_carlo_without_uncertainty_is_the_point_estimate():
    certain = {k: (v[0] if isinstance(v, tuple) else v) for k, v in INPUTS.items()}
    draws = finance.npv_monte_carlo(certain, COSTS, horizon=3, discount=0.15, n_draws=50, rng=np.random.default_rng(0))
    assert np.allclose(draws["npv"], _point_npv(INPUTS, COSTS, 3, 0.15))
    assert finance.npv_summary(draws)["probability_loss"] in (0.0, 1.0)


def test_monte_carlo_probability_of_loss_matches_the_normal_formula():
    """Only the campaign lift is uncertain and the NPV is linear in it: P(NPV < 0) = Phi(-mean / sd)."""
    one = {k: (v[0] if isinstance(v, tuple) else v) for k, v in INPUTS.items()}
    one["campaign_lift"] = (1.8, 0.8)
    draws = finance.npv_monte_carlo(one, COSTS, horizon=3, discount=0.15, n_draws=40_000, rng=np.random.default_rng(1))
    annuity = sum(1.15**-t for t in (1, 2, 3))
    sd = 10_000 * 0.5 * 4 * 0.8 * annuity
    mean = _point_npv(one, COSTS, 3, 0.15)
    assert draws["npv"].std() == pytest.approx(sd, rel=0.02)
    summary = finance.npv_summary(draws)
    assert summary["probability_loss"] == pytest.approx(norm.cdf(-mean / sd), abs=0.01)
    assert summary["npv_low"] < summary["median_npv"] < summary["npv_high"]


def test_monte_carlo_is_reproducible_and_keeps_inputs_in_range():
    a = finance.npv_monte_carlo(INPUTS, COSTS, n_draws=2_000, rng=np.random.default_rng(4))
    b = finance.npv_monte_carlo(INPUTS, COSTS, n_draws=2_000, rng=np.random.default_rng(4))
    pd.testing.assert_frame_equal(a, b)
    assert a["retention"].between(0, 1, inclusive="neither").all()
    assert a["npv"].to_numpy() == pytest.approx((a["pv_personalisation"] + a["pv_retention"] - a["pv_costs"]).to_numpy())


@pytest.mark.parametrize("parameter", ["campaign_lift", "members", "costs", "targeted_share", "log_hr_per_csat"])
def test_break_even_brings_npv_to_zero(parameter):
    value = finance.break_even(INPUTS, COSTS, parameter, horizon=3, discount=0.15)
    trial = dict(INPUTS)
    costs = dict(COSTS)
    if parameter == "costs":
        costs = {k: v * value for k, v in COSTS.items()}
    else:
        trial[parameter] = value
    assert _point_npv(trial, costs, 3, 0.15) == pytest.approx(0.0, abs=1e-4)


def test_break_even_linear_case():
    annuity = sum(1.15**-t for t in (1, 2, 3))
    npv0 = _point_npv(INPUTS, COSTS, 3, 0.15)
    slope = 10_000 * 0.5 * 4 * annuity
    assert finance.break_even(INPUTS, COSTS, "campaign_lift") == pytest.approx(3.0 - npv0 / slope, rel=1e-8)


def test_break_even_campaign_lift_does_not_depend_on_the_measured_lift():
    """The bar a campaign must clear is set by costs and reach, not by what the offer earned (plans A and B)."""
    high = finance.break_even({**INPUTS, "campaign_lift": (3.0, 1.5)}, COSTS, "campaign_lift")
    negative = finance.break_even({**INPUTS, "campaign_lift": (-5.0, 1.5)}, COSTS, "campaign_lift")
    assert negative == pytest.approx(high, rel=1e-8)
    assert _point_npv({**INPUTS, "campaign_lift": negative}, COSTS, 3, 0.15) == pytest.approx(0.0, abs=1e-4)


def test_break_even_members_explains_a_negative_margin_per_member():
    """With a campaign that loses money on each member, no base size pays; the message says why, with the number."""
    losing = {**INPUTS, "campaign_lift": (-1.0, 1.5)}
    one = {**losing, "members": 1}
    per_member = _point_npv(one, COSTS, 3, 0.15) - _point_npv({**one, "members": 0}, COSTS, 3, 0.15)
    assert per_member < 0
    with pytest.raises(ValueError, match="loses money at any number of members") as info:
        finance.break_even(losing, COSTS, "members")
    assert "each member adds a negative present value" in str(info.value)
    assert f"({per_member:+,.2f} RUB over 3 years" in str(info.value)
    # The same programme with a profitable campaign has a break-even base.
    assert finance.break_even(INPUTS, COSTS, "members") > 0


def test_break_even_costs_and_reach_messages():
    losing = {**INPUTS, "campaign_lift": (-1.0, 1.5)}
    with pytest.raises(ValueError, match="loses money even at zero cost"):
        finance.break_even(losing, COSTS, "costs")
    with pytest.raises(ValueError, match="makes money .* whatever multiple"):
        finance.break_even(INPUTS, {k: 0.0 for k in COSTS}, "costs")
    with pytest.raises(ValueError, match="no member is reached"):
        finance.break_even({**INPUTS, "members": 0}, COSTS, "campaign_lift")
    with pytest.raises(ValueError, match="makes money at every value of it from 0 to 1"):
        finance.break_even(INPUTS, {k: 0.0 for k in COSTS}, "targeted_share")


# --------------------------------------------------------------------------
# The member's side
# --------------------------------------------------------------------------


def test_relationship_value_hand_case(orders, contacts):
    out = profitability.relationship_value(orders, contacts, start="2023-01-01", end="2023-12-31", cost_per_contact=180.0)
    assert out.loc[1, "orders"] == 3 and out.loc[1, "contacts"] == 2
    assert out.loc[1, "margin"] == pytest.approx(210 - 140)
    assert out.loc[1, "net_margin"] == pytest.approx(70 - 360)
    assert out.loc[2, "cashback_rate"] == pytest.approx(28 / 1000)
    assert 3 not in out.index  # customer 3 ordered in 2024


def test_switching_share_hand_case():
    v = pd.DataFrame({"spend": [1_000.0, 10_000.0, 50_000.0], "net_margin": [10.0, -100.0, 500.0]})
    out = profitability.switching_share(v, extra_rate=[0.0, 0.01], switching_cost=50.0)
    assert out["share_switching"].tolist() == pytest.approx([0.0, 2 / 3])
    assert out["margin_at_risk"].tolist() == pytest.approx([0.0, 400.0])
    assert out["margin_share_at_risk"].tolist() == pytest.approx([0.0, 400 / 410])


def test_helpers_do_not_modify_their_input(orders, contacts):
    before_o, before_c = orders.copy(), contacts.copy()
    retention.cohort_retention(orders)
    survival.lapse_durations(orders)
    survival.support_experience(contacts, orders)
    profitability.relationship_value(orders, contacts)
    origin = pd.Series(pd.to_datetime(["2023-01-02"]), index=pd.Index([1], name="customer_id"))
    before_origin = origin.copy()
    survival.lapse_durations(orders, origin=origin, observation_end="2024-06-30")
    pd.testing.assert_series_equal(origin, before_origin)
    pd.testing.assert_frame_equal(orders, before_o)
    pd.testing.assert_frame_equal(contacts, before_c)


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------


def _durations():
    return pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "lapsed": [True, False, True, True], "g": list("aabb"),
                         "x": [0.1, 0.4, 0.2, 0.9]})


BAD_CALLS = [
    ("cohort_retention", lambda o, c: retention.cohort_retention(o.drop(columns="order_date")), "missing column"),
    ("cohort_retention", lambda o, c: retention.cohort_retention(o.assign(order_date="2024-01-01")), "datetime"),
    ("cohort_retention", lambda o, c: retention.cohort_retention(o.iloc[:0]), "at least 1 row"),
    ("cohort_retention", lambda o, c: retention.cohort_retention(o, cohort_freq="Y"), "cohort_freq"),
    ("cohort_retention", lambda o, c: retention.cohort_retention(o, period_days=0), "period_days"),
    ("cohort_retention", lambda o, c: retention.cohort_retention(o, observation_end="2020-01-01"), "no.*orders|found none"),
    ("retention_rate", lambda o, c: retention.retention_rate(o, base=("2023-01-01",), following=("2024-01-01", "2024-12-31")), "base"),
    ("retention_rate", lambda o, c: retention.retention_rate(o, base=("2023-01-01", "2023-12-31"), following=("2023-06-01", "2024-12-31")), "following"),
    ("retention_rate", lambda o, c: retention.retention_rate(o, base=("2019-01-01", "2019-12-31"), following=("2020-01-01", "2020-12-31")), "no order"),
    ("retention_rate", lambda o, c: retention.retention_rate(o.drop(columns="customer_id"), base=("2023-01-01", "2023-12-31"), following=("2024-01-01", "2024-12-31")), "missing column"),
    ("lapse_durations", lambda o, c: survival.lapse_durations(o, lapse_weeks=-1), "lapse_weeks"),
    ("lapse_durations", lambda o, c: survival.lapse_durations(o, observation_end="not a date"), "observation_end"),
    ("lapse_durations", lambda o, c: survival.lapse_durations(o, origin=pd.Series(["2023-01-01"], index=[1])), "datetime"),
    ("lapse_durations", lambda o, c: survival.lapse_durations(o, lapse_weeks=500), "nobody can be followed"),
    ("support_experience", lambda o, c: survival.support_experience(c.drop(columns="csat")), "missing column"),
    ("support_experience", lambda o, c: survival.support_experience(c.assign(csat=[1, 7, 3])), "should lie in"),
    ("support_experience", lambda o, c: survival.support_experience(c, o.drop(columns="order_date")), "missing column"),
    ("kaplan_meier", lambda o, c: survival.kaplan_meier(_durations().assign(duration=[-1.0, 1, 2, 3])), "should lie in"),
    ("kaplan_meier", lambda o, c: survival.kaplan_meier(_durations(), event="x"), "boolean"),
    ("kaplan_meier", lambda o, c: survival.kaplan_meier(_durations(), group="nope"), "missing column"),
    ("kaplan_meier", lambda o, c: survival.kaplan_meier(_durations().iloc[:0]), "at least 1 row"),
    ("survival_at", lambda o, c: survival.survival_at(survival.kaplan_meier(_durations()), -1.0), "times"),
    ("survival_at", lambda o, c: survival.survival_at(_durations(), 1.0), "missing column"),
    ("logrank_test", lambda o, c: survival.logrank_test(_durations().assign(g="a"), group="g"), "at least two groups"),
    ("logrank_test", lambda o, c: survival.logrank_test(_durations(), group="missing"), "missing column"),
    ("cox_model", lambda o, c: survival.cox_model(_durations(), "nope + x"), "covariates"),
    ("cox_model", lambda o, c: survival.cox_model(_durations(), "duration ~ x"), "right-hand side"),
    ("cox_model", lambda o, c: survival.cox_model(_durations(), ""), "covariates"),
    ("cox_model", lambda o, c: survival.cox_model(_durations().assign(lapsed=False), "x"), "no observed event"),
    ("cox_model", lambda o, c: survival.cox_model(_durations(), "x", ties="exact"), "ties"),
    ("cox_model", lambda o, c: survival.cox_model(_durations().assign(x=[0.1, np.nan, 0.2, 0.3]), "x"), "missing values"),
    ("contact_dropout_logit", lambda o, c: survival.contact_dropout_logit(c), "missing column"),
    ("contact_dropout_logit", lambda o, c: survival.contact_dropout_logit(c.assign(dropped_out_after=False)), "both outcomes"),
    ("contact_dropout_logit", lambda o, c: survival.contact_dropout_logit(c.assign(dropped_out_after=[True, False, True], csat=[0, 2, 3])), "should lie in"),
    ("holdout_validation", lambda o, c: evaluation.holdout_validation(BGNBDFitter(), pd.DataFrame({"frequency": [1]})), "missing column"),
    ("holdout_validation", lambda o, c: evaluation.holdout_validation("model", pd.DataFrame()), "BGNBDFitter"),
    ("repeat_purchase_tracking", lambda o, c: evaluation.repeat_purchase_tracking(BGNBDFitter(), o, "2024-01-01", "2023-01-01"), "observation_end"),
    ("repeat_purchase_tracking", lambda o, c: evaluation.repeat_purchase_tracking(BGNBDFitter(), o, "2020-01-01", "2024-12-31"), "found none"),
    ("retention_lever", lambda o, c: retention.retention_lever(100.0, 0.98, 0.1), "retention"),
    ("retention_lever", lambda o, c: retention.retention_lever(-5.0, 0.5, 0.1), "margin"),
    ("retention_lever", lambda o, c: retention.retention_lever(100.0, 0.5, -0.1), "discount"),
    ("retention_lever", lambda o, c: retention.retention_lever(100.0, "high", 0.1), "retention"),
    ("programme_cash_flows", lambda o, c: finance.programme_cash_flows({**INPUTS, "members": -1}, COSTS), "members"),
    ("programme_cash_flows", lambda o, c: finance.programme_cash_flows({k: v for k, v in INPUTS.items() if k != "retention"}, COSTS), "missing"),
    ("programme_cash_flows", lambda o, c: finance.programme_cash_flows({**INPUTS, "churn": 0.1}, COSTS), "unknown"),
    ("programme_cash_flows", lambda o, c: finance.programme_cash_flows({**INPUTS, "retention": (1.4, 0.1)}, COSTS), "retention"),
    ("programme_cash_flows", lambda o, c: finance.programme_cash_flows({**INPUTS, "campaign_lift": (3.0, -1.0)}, COSTS), "standard error"),
    ("programme_cash_flows", lambda o, c: finance.programme_cash_flows(INPUTS, {**COSTS, "people_annual": -5.0}), "people_annual"),
    ("programme_cash_flows", lambda o, c: finance.programme_cash_flows(INPUTS, COSTS, horizon=0), "horizon"),
    ("npv_monte_carlo", lambda o, c: finance.npv_monte_carlo(INPUTS, COSTS, rng=1), "Generator"),
    ("npv_monte_carlo", lambda o, c: finance.npv_monte_carlo(INPUTS, COSTS, n_draws=0, rng=np.random.default_rng()), "n_draws"),
    ("npv_monte_carlo", lambda o, c: finance.npv_monte_carlo([1, 2], COSTS, rng=np.random.default_rng()), "inputs"),
    ("npv_summary", lambda o, c: finance.npv_summary(pd.DataFrame({"npv": [1.0]})), "missing column"),
    ("break_even", lambda o, c: finance.break_even(INPUTS, COSTS, "weather"), "parameter"),
    ("break_even", lambda o, c: finance.break_even(INPUTS, {k: 0.0 for k in COSTS}, "targeted_share"), "no value"),
    ("relationship_value", lambda o, c: profitability.relationship_value(o.assign(cashback=-1.0), c), "should lie in"),
    ("relationship_value", lambda o, c: profitability.relationship_value(o.drop(columns="commission"), c), "missing column"),
    ("relationship_value", lambda o, c: profitability.relationship_value(o, c, start="2024-01-01", end="2023-01-01"), "end"),
    ("relationship_value", lambda o, c: profitability.relationship_value(o, c, cost_per_contact=-1), "cost_per_contact"),
    ("switching_share", lambda o, c: profitability.switching_share(pd.DataFrame({"spend": [1.0]}), extra_rate=0.01, switching_cost=1), "missing column"),
    ("switching_share", lambda o, c: profitability.switching_share(pd.DataFrame({"spend": [1.0], "net_margin": [1.0]}), extra_rate=2, switching_cost=1), "extra_rate"),
    ("switching_share", lambda o, c: profitability.switching_share(pd.DataFrame({"spend": [1.0], "net_margin": [1.0]}), extra_rate=0.01, switching_cost=-1), "switching_cost"),
]


@pytest.mark.parametrize("call, message", [(c, m) for _, c, m in BAD_CALLS], ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(BAD_CALLS)])
def test_bad_input_raises_a_clear_error(orders, contacts, call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call(orders, contacts)


def test_every_public_function_has_a_bad_input_test():
    tested = {name for name, _, _ in BAD_CALLS}
    modules = (retention, survival, finance)
    public = {n for m in modules for n in m.__all__ if callable(getattr(m, n))} - {"hazard_ratios"}
    public |= {"relationship_value", "switching_share", "holdout_validation", "repeat_purchase_tracking"}
    assert public <= tested, public - tested


def test_contacts_at_risk_and_hazard_ratios_reject_wrong_objects():
    with pytest.raises(TypeError, match="World"):
        contacts_at_risk(pd.DataFrame())
    with pytest.raises(TypeError, match="Cox model"):
        survival.hazard_ratios(pd.DataFrame())
