"""Tests of crm_course.experiments and crm_course.uplift: recovery of the planted campaign effects, hand-computed
small cases and bad inputs.

The planted truth of the campaign is not literally a parameter for most estimands. A member sent
offer *a* places an extra order with probability delta_a * r (r = 1 if active, lapsed_responsiveness
if the member has silently dropped out), so the true conversion lift of member i is
(1 - b_i) * delta_a * r_i with b_i the member's chance of buying anyway. These member-level truths
come from the world's hidden tables through ``planted_campaign_effects``; the tests compare each
estimator with the population quantity it targets (a mean lift, or the best linear approximation of
the lifts in log(1 + prior orders) for the linear interaction model). The persuadable share of
members with no prior order is the exception: nobody without an order has dropped out, so it
estimates the planted ``persuade_*`` parameter itself.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from crm_course.campaign_economics import net_lift
from crm_course.kopilka.campaign import campaign_frame
from crm_course.kopilka.truth import planted_campaign_effects
from crm_course import experiments, profitability, uplift
from crm_course.world import simulate
from crm_course.world.params import WorldParams

N_RECOVERY = 60_000  # members: the conversion lifts' standard errors are then about 0.4 percentage points
SEED = 31


def _experiment(world) -> pd.DataFrame:
    exp = experiments.history_features(world.tables["offer_experiment"])
    exp["profit"] = exp["margin_30d"] - exp["offer_cost"]
    return exp


def _truth(world, exp) -> pd.DataFrame:
    truth = planted_campaign_effects(world).set_index("customer_id").loc[exp["customer_id"]]
    truth.index = exp.index
    return truth


def _blp_slope(truth: pd.DataFrame, lift: pd.Series) -> float:
    """Slope of the best straight line through the members' true lifts against log(1 + prior orders)."""
    return float(np.polyfit(np.log1p(truth["prior_orders"].to_numpy(dtype=float)), lift.to_numpy(), 1)[0])


@pytest.fixture(scope="module")
def default_world():
    world = simulate(n_members=N_RECOVERY, seed=SEED)
    exp = _experiment(world)
    return world, exp, _truth(world, exp)


@pytest.fixture(scope="module")
def steep_world():
    """The same world with a learning relationship 2.5 times as steep.

    The change has to be large for a 2-standard-error separation: the slope of
    the linear-probability interaction is estimated with a standard error of
    about 0.005, and lapsed members dilute the planted slope.
    """
    p = WorldParams()
    params = replace(p, campaign=replace(p.campaign, persuade_personalised_per_log_order=0.25))
    world = simulate(n_members=N_RECOVERY, seed=SEED, params=params)
    exp = _experiment(world)
    return world, exp, _truth(world, exp)


def _toy(n_per_arm: int = 40, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arms = np.repeat(list(experiments.ARMS), n_per_arm)
    n = len(arms)
    orders = rng.poisson(2, n)
    return pd.DataFrame({
        "arm": arms,
        "converted": rng.random(n) < np.where(arms == "none", 0.2, 0.35),
        "revenue_30d": rng.gamma(2.0, 300.0, n),
        "margin_30d": rng.gamma(2.0, 10.0, n),
        "profit": rng.normal(10, 5, n),
        "prior_orders": orders,
        "prior_spend": orders * rng.gamma(4.0, 750.0, n),
        "weeks_since_last_order": np.where(orders > 0, rng.uniform(1, 30, n), np.nan),
        "tenure_weeks": rng.uniform(5, 80, n),
    })


# --------------------------------------------------------------------------
# Recovery of the planted effects
# --------------------------------------------------------------------------


def test_planted_truth_reproduces_the_control_rate_and_the_persuaded_share(default_world):
    """Checks the truth itself: the base rate b (computed from the hidden purchase rates) matches
    the no-offer arm's conversion, and delta * r matches who the world actually persuaded."""
    world, exp, truth = default_world
    control = exp["arm"] == "none"
    rate = exp.loc[control, "converted"].mean()
    se = np.sqrt(rate * (1 - rate) / control.sum())
    assert abs(truth.loc[control, "base_rate"].mean() - rate) < 1.96 * se
    persuaded = world.truth["campaign"].set_index("customer_id").loc[exp["customer_id"], "persuaded"].to_numpy()
    for arm in ("generic", "personalised"):
        inside = (exp["arm"] == arm).to_numpy()
        share = persuaded[inside].mean()
        se = np.sqrt(share * (1 - share) / inside.sum())
        assert abs(truth.loc[inside, f"persuasion_{arm}"].mean() - share) < 1.96 * se


def test_arm_summary_recovers_the_planted_conversion_lifts(default_world):
    """The difference in conversion rates estimates the mean of the members' true lifts."""
    _, exp, truth = default_world
    summary = experiments.arm_summary(exp, "converted").set_index("arm")
    for arm in ("generic", "personalised"):
        true_lift = truth[f"lift_{arm}"].mean()
        assert summary.loc[arm, "lift_ci_low"] < true_lift < summary.loc[arm, "lift_ci_high"]
    assert summary.loc["personalised", "lift"] > summary.loc["generic", "lift"]


def test_persuadable_share_without_history_recovers_the_planted_parameters(default_world):
    """Members with no prior order are all active (drop-out follows orders), so the persuadable
    share equals persuade_generic and persuade_personalised + per_log_order * log(1) exactly."""
    _, exp, _ = default_world
    params = WorldParams().campaign
    shares = uplift.persuadable_share(exp[exp["prior_orders"] == 0]).set_index("arm")
    assert shares.loc["generic", "ci_low"] < params.persuade_generic < shares.loc["generic", "ci_high"]
    assert shares.loc["personalised", "ci_low"] < params.persuade_personalised < shares.loc["personalised", "ci_high"]


def test_logit_average_marginal_effects_recover_the_planted_lifts(default_world):
    """The logit's average discrete changes estimate the mean true lift, covariates or not."""
    _, exp, truth = default_world
    model = experiments.fit_lift_model(exp, covariates=list(experiments.HISTORY_FEATURES))
    effects = experiments.arm_effects(model).set_index("comparison")
    for arm in ("generic", "personalised"):
        row = effects.loc[f"{arm} - none"]
        assert row["ci_low"] < truth[f"lift_{arm}"].mean() < row["ci_high"]
    row = effects.loc["personalised - generic"]
    extra = (truth["lift_personalised"] - truth["lift_generic"]).mean()
    assert row["ci_low"] < extra < row["ci_high"]


def test_interaction_recovers_the_growth_of_the_personalised_advantage(default_world):
    """The LPM interaction estimates the slope of the best linear approximation of the true lifts in
    log(1 + prior orders) -- not the planted per_log_order, which lapsed members dilute."""
    _, exp, truth = default_world
    vs_generic = experiments.fit_lift_model(exp, moderator="prior_orders", kind="ols", control="generic")
    ci = vs_generic.conf_int().loc["personalised:log1p_prior_orders"]
    true_slope = _blp_slope(truth, truth["lift_personalised"] - truth["lift_generic"])
    assert true_slope > 0
    assert ci.iloc[0] < true_slope < ci.iloc[1]
    vs_none = experiments.fit_lift_model(exp, moderator="prior_orders", kind="ols")
    for arm in ("generic", "personalised"):
        ci = vs_none.conf_int().loc[f"{arm}:log1p_prior_orders"]
        assert ci.iloc[0] < _blp_slope(truth, truth[f"lift_{arm}"]) < ci.iloc[1]


def test_conditional_effects_by_history_recover_the_planted_lift_of_newcomers(default_world):
    """At zero prior orders the LPM's conditional effect targets the intercept of the same line."""
    _, exp, truth = default_world
    model = experiments.fit_lift_model(exp, moderator="prior_orders", kind="ols")
    at_zero = experiments.arm_effects(model, at=[0]).set_index("comparison").loc["personalised - none"]
    intercept = np.polyfit(np.log1p(truth["prior_orders"]), truth["lift_personalised"], 1)[1]
    assert at_zero["ci_low"] < intercept < at_zero["ci_high"]
    assert at_zero["effect"] == pytest.approx(model.params["personalised"], abs=1e-12)


def test_a_steeper_learning_relationship_moves_the_estimate_up(default_world, steep_world):
    _, exp, _ = default_world
    _, steep_exp, steep_truth = steep_world
    term = "personalised:log1p_prior_orders"
    base = experiments.fit_lift_model(exp, moderator="prior_orders", kind="ols", control="generic")
    steep = experiments.fit_lift_model(steep_exp, moderator="prior_orders", kind="ols", control="generic")
    assert steep.params[term] - base.params[term] > 2 * np.hypot(steep.bse[term], base.bse[term])
    ci = steep.conf_int().loc[term]
    assert ci.iloc[0] < _blp_slope(steep_truth, steep_truth["lift_personalised"] - steep_truth["lift_generic"]) < ci.iloc[1]


def _targeting_rules(world, exp):
    """The notebook's rules: expected incremental profit > 0, and as many offers to the likeliest buyers."""
    cp = world.params.campaign
    pred = uplift.cross_fit_uplift(exp, seed=2002)
    tx = world.tables["transactions"]
    before = tx[tx["order_date"] < exp["campaign_date"].iloc[0]]
    margin_rate = (before["commission"] - before["cashback"]).sum() / before["order_value"].sum()
    value = profitability.value_per_order(exp, margin_rate, typical_order=before["order_value"].mean())
    expected = uplift.expected_incremental_profit(pred, value, cost_per_offer=cp.send_cost_personalised,
                                                  incentive_per_conversion=cp.bonus_cashback)
    uplift_rule = (expected > 0).to_numpy()
    propensity_rule = (pred["treated"].rank(ascending=False, method="first") <= uplift_rule.sum()).to_numpy()
    return uplift_rule, propensity_rule


@pytest.mark.parametrize("n_members, seed", [(20_000, 2002), (20_000, 7)], ids=["default world", "seed 7"])
def test_uplift_targeting_beats_propensity_targeting_in_planted_profit(n_members, seed):
    """Judged by each held-out member's true expected profit from the personalised offer (the
    realised 30-day profit is far too noisy for 20,000 members): the uplift rule makes money and
    more than sending to everyone, and the propensity rule, with as many offers, does worse."""
    world = simulate(n_members=n_members, seed=seed)
    exp = _experiment(world)
    truth = _truth(world, exp)
    uplift_rule, propensity_rule = _targeting_rules(world, exp)
    gain = truth["profit_personalised"].to_numpy()
    blanket, by_uplift, propensity = gain.mean(), (gain * uplift_rule).mean(), (gain * propensity_rule).mean()
    assert by_uplift > 0
    assert by_uplift > blanket  # targeting beats sending to everyone
    assert by_uplift > propensity + 0.1  # RUB per member of the base
    assert 0.02 < uplift_rule.mean() < 0.6


def test_propensity_targets_are_sure_things(default_world):
    """The likeliest buyers would mostly buy anyway: their true base rate is far above the uplift
    rule's targets', so they cost more in bonuses per offer."""
    world, exp, truth = default_world
    uplift_rule, propensity_rule = _targeting_rules(world, exp)
    assert truth.loc[propensity_rule, "base_rate"].mean() > 2 * truth.loc[uplift_rule, "base_rate"].mean()
    targeted = exp[propensity_rule]
    cost_p = experiments.arm_summary(targeted, "offer_cost").set_index("arm").loc["personalised", "mean"]
    cost_u = experiments.arm_summary(exp[uplift_rule], "offer_cost").set_index("arm").loc["personalised", "mean"]
    assert cost_p > cost_u + 1.0


def test_no_persuasion_means_no_lift_and_no_targeting_gain():
    p = WorldParams()
    params = replace(p, campaign=replace(p.campaign, persuade_generic=0.0, persuade_personalised=0.0,
                                         persuade_personalised_per_log_order=0.0))
    world = simulate(n_members=20_000, seed=SEED, params=params)
    exp = _experiment(world)
    summary = experiments.arm_summary(exp, "converted").set_index("arm")
    for arm in ("generic", "personalised"):
        assert summary.loc[arm, "lift_ci_low"] < 0 < summary.loc[arm, "lift_ci_high"]
    truth = _truth(world, exp)
    assert (truth["lift_personalised"] == 0).all()
    uplift_rule, _ = _targeting_rules(world, exp)
    assert (truth["profit_personalised"].to_numpy() * uplift_rule).mean() < 0


# --------------------------------------------------------------------------
# Hand-computed small cases
# --------------------------------------------------------------------------


def test_arm_summary_matches_hand_computation():
    df = pd.DataFrame({"arm": ["none"] * 4 + ["generic"] * 5,
                       "y": [0.0, 1.0, 2.0, 3.0, 2.0, 4.0, 6.0, 8.0, 10.0]})
    out = experiments.arm_summary(df, "y", arms=None).set_index("arm")
    assert out.loc["none", "mean"] == pytest.approx(1.5)
    assert out.loc["generic", "mean"] == pytest.approx(6.0)
    se = np.sqrt(np.var([0, 1, 2, 3], ddof=1) / 4 + np.var([2, 4, 6, 8, 10], ddof=1) / 5)
    assert out.loc["generic", "lift"] == pytest.approx(4.5)
    assert out.loc["generic", "lift_se"] == pytest.approx(se)
    assert out.loc["generic", "lift_ci_low"] == pytest.approx(4.5 - 1.959964 * se, rel=1e-5)
    assert np.isnan(out.loc["none", "lift"])
    assert list(out.index) == ["none", "generic"]


def test_persuadable_share_matches_hand_computation():
    df = pd.DataFrame({"arm": ["none"] * 10 + ["personalised"] * 10,
                       "converted": [1] * 2 + [0] * 8 + [1] * 6 + [0] * 4,
                       "band": ["a", "b"] * 10})
    row = uplift.persuadable_share(df).iloc[0]
    pc, pt = 0.2, 0.6
    assert row["share"] == pytest.approx((pt - pc) / (1 - pc))
    vc, vt = np.var([1] * 2 + [0] * 8, ddof=1) / 10, np.var([1] * 6 + [0] * 4, ddof=1) / 10
    assert row["se"] == pytest.approx(np.sqrt(vt / (1 - pc) ** 2 + (1 - pt) ** 2 * vc / (1 - pc) ** 4))
    assert row["lift_se"] == pytest.approx(np.sqrt(vt + vc))
    by_band = uplift.persuadable_share(df, by="band")
    assert list(by_band["band"]) == ["a", "b"]


def test_balance_table_matches_hand_computation():
    df = pd.DataFrame({"arm": ["none", "none", "generic", "generic", "personalised", "personalised"],
                       "x": [1.0, 3.0, 2.0, 6.0, 2.0, 2.0],
                       "r": [1.0, np.nan, 2.0, 3.0, np.nan, np.nan]})
    out = experiments.balance_table(df, ["x", "r"]).set_index("variable")
    assert out.loc["share of customers", "none"] == pytest.approx(1 / 3)
    assert out.loc["share of customers", "p_value"] == pytest.approx(1.0)
    smd_generic = (4.0 - 2.0) / np.sqrt((8.0 + 2.0) / 2)
    smd_personalised = 0.0 / np.sqrt((0.0 + 2.0) / 2)
    assert out.loc["x", "max_abs_std_diff"] == pytest.approx(max(smd_generic, smd_personalised))
    assert out.loc["r: share missing", "personalised"] == pytest.approx(1.0)
    assert out.loc["r", "none"] == pytest.approx(1.0)


def test_unequal_arm_sizes_fail_the_sample_ratio_check():
    df = pd.DataFrame({"arm": ["none"] * 600 + ["generic"] * 400, "x": np.arange(1000.0)})
    p_equal = experiments.balance_table(df, ["x"], arms=None).set_index("variable").loc["share of customers", "p_value"]
    assert p_equal < 1e-9
    p_planned = experiments.balance_table(df, ["x"], arms=None, expected_shares={"none": 0.6, "generic": 0.4})
    assert p_planned.set_index("variable").loc["share of customers", "p_value"] == pytest.approx(1.0)


def test_saturated_logit_effect_equals_the_difference_in_rates():
    df = _toy(200, seed=3)
    model = experiments.fit_lift_model(df)
    effects = experiments.arm_effects(model).set_index("comparison")
    rates = df.groupby("arm")["converted"].mean()
    assert effects.loc["generic - none", "effect"] == pytest.approx(rates["generic"] - rates["none"], abs=1e-8)
    assert effects.loc["personalised - generic", "effect"] == pytest.approx(
        rates["personalised"] - rates["generic"], abs=1e-8)
    welch = experiments.arm_summary(df, "converted").set_index("arm").loc["generic", "lift_se"]
    assert effects.loc["generic - none", "se"] == pytest.approx(welch, rel=0.02)


def test_ols_effects_equal_the_coefficients():
    df = _toy(100, seed=4)
    model = experiments.fit_lift_model(df, "revenue_30d", moderator="prior_orders", kind="ols")
    at = experiments.arm_effects(model, at=[0, 3], contrasts=False)
    b = model.params
    row = at[(at["arm"] == "generic") & (at["prior_orders"] == 3)].iloc[0]
    assert row["effect"] == pytest.approx(b["generic"] + b["generic:log1p_prior_orders"] * np.log1p(3))
    assert model.cov_type == "HC1"
    assert len(at) == 4


def test_uplift_curve_matches_targeting_value():
    df = pd.DataFrame({"arm": ["personalised", "none"] * 4,
                       "profit": [5.0, 1.0, 4.0, 2.0, -2.0, 0.0, -1.0, 1.0],
                       "score": [4, 4, 3, 3, 2, 2, 1, 1]})
    curve = uplift.uplift_curve(df, "score", shares=[0, 0.5, 1], arms=None)
    assert curve["value_per_customer"].tolist() == pytest.approx([0.0, 1.5, 0.5])
    assert curve["random"].tolist() == pytest.approx([0.0, 0.25, 0.5])
    half = uplift.targeting_value(df, df["score"] >= 3, arms=None)
    assert half["value_per_customer"] == pytest.approx(1.5)
    assert half["lift_among_targeted"] == pytest.approx(3.0)
    se = np.sqrt(np.var([5.0, 4.0], ddof=1) / 2 + np.var([1.0, 2.0], ddof=1) / 2)
    assert half["se"] == pytest.approx(0.5 * se)
    assert curve["se"].iloc[1] == pytest.approx(0.5 * se)


def test_value_and_expected_profit_match_hand_computation():
    toy = pd.DataFrame({"prior_orders": [0, 1, 3], "prior_spend": [0.0, 3000.0, 3000.0]})
    v = profitability.value_per_order(toy, 0.02, typical_order=1000.0, prior_weight=1.0)
    assert v.tolist() == pytest.approx([20.0, 40.0, 0.02 * 4000.0 / 4])
    pred = pd.DataFrame({"treated": [0.9, 0.2], "control": [0.9, 0.1], "uplift": [0.0, 0.1]})
    profit = uplift.expected_incremental_profit(pred, [50.0, 60.0], cost_per_offer=3.0, incentive_per_conversion=10.0)
    assert profit.tolist() == pytest.approx([-12.0, 1.0])
    # Each extra conversion also brings a cost (support contacts): only the uplift is charged it.
    charged = uplift.expected_incremental_profit(pred, [50.0, 60.0], cost_per_offer=3.0, incentive_per_conversion=10.0,
                                                 cost_per_extra_conversion=[5.0, 20.0])
    assert charged.tolist() == pytest.approx([-12.0, 0.1 * (60.0 - 20.0) - 3.0 - 10.0 * 0.2])


def test_history_features_code_missing_recency_with_a_flag():
    df = _toy(5)
    out = experiments.history_features(df)
    assert set(experiments.HISTORY_FEATURES) <= set(out.columns)
    none = df["weeks_since_last_order"].isna()
    assert (out.loc[none, "no_history"] == 1).all() and (out.loc[none, "log_recency"] == 0).all()
    assert out["log_orders"].tolist() == pytest.approx(np.log1p(df["prior_orders"]).tolist())
    assert "log_orders" not in df.columns


def test_split_sample_is_stratified_reproducible_and_disjoint():
    df = _toy(101)
    train, test = uplift.split_sample(df, 0.5, seed=5)
    again_train, _ = uplift.split_sample(df, 0.5, seed=5)
    assert train.index.equals(again_train.index)
    assert train.index.intersection(test.index).empty
    assert len(train) + len(test) == len(df)
    assert test["arm"].value_counts().to_dict() == {a: 50 for a in experiments.ARMS} or \
        test["arm"].value_counts().to_dict() == {a: 51 for a in experiments.ARMS}


def test_cross_fitting_predicts_each_fold_with_the_other_folds():
    df = experiments.history_features(_toy(150, seed=6))
    features = ["log_orders", "tenure_years"]  # few features: the toy arms are small
    pred = uplift.cross_fit_uplift(df, features, seed=1)
    assert sorted(pred["fold"].unique()) == [0, 1]
    inside = pred["fold"] == 0
    refit = uplift.fit_uplift_model(df[~inside], features)
    direct = refit.predict(df[inside])
    pd.testing.assert_frame_equal(pred.loc[inside, ["treated", "control", "uplift"]], direct)
    # balanced within arms
    counts = pd.crosstab(df["arm"], pred["fold"])
    assert (counts.max(axis=1) - counts.min(axis=1) <= 1).all()


def test_uplift_model_recovers_a_simple_uplift():
    rng = np.random.default_rng(8)
    n = 6000
    x = rng.normal(size=n)
    arm = rng.choice(["none", "personalised"], size=n)
    p = 1 / (1 + np.exp(-(-1 + x + 0.8 * (arm == "personalised"))))
    df = pd.DataFrame({"arm": arm, "x": x, "converted": rng.random(n) < p})
    model = uplift.fit_uplift_model(df, ["x"], arms=None)
    pred = model.predict(pd.DataFrame({"x": [0.0]}))
    true = 1 / (1 + np.exp(0.2)) - 1 / (1 + np.exp(1.0))
    assert pred["uplift"].iloc[0] == pytest.approx(true, abs=0.04)


def test_helpers_do_not_modify_their_input():
    df = _toy(60, seed=9)
    original = df.copy()
    feats = experiments.history_features(df)
    feats_copy = feats.copy()
    experiments.arm_summary(df, ["converted", "profit"])
    experiments.balance_table(df)
    uplift.persuadable_share(df)
    experiments.fit_lift_model(df, moderator="prior_orders")
    uplift.split_sample(df)
    uplift.cross_fit_uplift(feats, ["log_orders", "tenure_years"])
    uplift.uplift_curve(df, df["prior_orders"].astype(float), shares=[0, 0.5, 1])
    uplift.targeting_value(df, df["prior_orders"] > 1)
    profitability.value_per_order(df, 0.02)
    experiments.balance_test(feats)
    pd.testing.assert_frame_equal(df, original)
    pd.testing.assert_frame_equal(feats, feats_copy)


def test_categorical_arm_column_and_custom_names_work():
    df = _toy(50).rename(columns={"arm": "group", "converted": "bought"})
    df["group"] = pd.Categorical(df["group"].map({"none": "holdout", "generic": "a", "personalised": "b"}),
                                 categories=["holdout", "b", "a"])
    out = experiments.arm_summary(df, "bought", arm="group", control="holdout", arms=None)
    assert list(out["arm"]) == ["holdout", "b", "a"]
    model = experiments.fit_lift_model(df, "bought", arm="group", control="holdout", arms=None)
    assert list(model.params.index) == ["const", "b", "a"]


# --------------------------------------------------------------------------
# Bad inputs
# --------------------------------------------------------------------------


@pytest.fixture()
def toy():
    return _toy(30)


def test_a_single_arm_is_rejected(toy):
    one = toy[toy["arm"] == "none"]
    with pytest.raises(ValueError, match="at least two arms"):
        experiments.arm_summary(one, "converted")
    with pytest.raises(ValueError, match="at least two arms"):
        experiments.fit_lift_model(one)
    with pytest.raises(ValueError, match="at least two arms"):
        uplift.persuadable_share(one)


def test_unknown_arm_labels_are_rejected(toy):
    bad = toy.assign(arm=toy["arm"].replace({"personalised": "Personalised"}))
    for call in (lambda: experiments.arm_summary(bad, "converted"), lambda: experiments.balance_table(bad),
                 lambda: experiments.fit_lift_model(bad), lambda: uplift.persuadable_share(bad),
                 lambda: uplift.uplift_curve(bad, "prior_orders")):
        with pytest.raises(ValueError, match="unknown label"):
            call()


def test_a_missing_control_arm_is_named(toy):
    with pytest.raises(ValueError, match="control arm 'holdout'"):
        experiments.arm_summary(toy, "converted", control="holdout", arms=None)
    no_control = toy[toy["arm"] != "none"]
    with pytest.raises(ValueError, match="control arm 'none' has no rows"):
        experiments.arm_summary(no_control, "converted")


def test_missing_outcomes_are_rejected(toy):
    bad = toy.assign(converted=toy["converted"].astype(float))
    bad.loc[3, "converted"] = np.nan
    for call in (lambda: experiments.arm_summary(bad, "converted"), lambda: uplift.persuadable_share(bad),
                 lambda: experiments.fit_lift_model(bad), lambda: uplift.fit_uplift_model(experiments.history_features(bad)),
                 lambda: uplift.targeting_value(bad, bad["prior_orders"] > 0, "converted"),
                 lambda: uplift.uplift_curve(bad, "prior_orders", "converted")):
        with pytest.raises(ValueError, match="missing value"):
            call()
    missing_arm = toy.assign(arm=toy["arm"].astype(object))
    missing_arm.loc[0, "arm"] = None
    with pytest.raises(ValueError, match="every row needs an arm"):
        experiments.arm_summary(missing_arm, "converted")


def test_missing_columns_are_named(toy):
    with pytest.raises(ValueError, match="missing column.*'margin'"):
        experiments.arm_summary(toy, ["converted", "margin"])
    with pytest.raises(ValueError, match="missing column.*'treatment'"):
        experiments.arm_summary(toy, "converted", arm="treatment")
    with pytest.raises(ValueError, match="missing column.*'log_orders'"):
        uplift.fit_uplift_model(toy)
    with pytest.raises(ValueError, match="missing column.*'log_orders'"):
        experiments.balance_test(toy)
    with pytest.raises(ValueError, match="missing column.*'prior_spend'"):
        experiments.history_features(toy.drop(columns="prior_spend"))
    with pytest.raises(ValueError, match="missing column.*'uplift'"):
        uplift.expected_incremental_profit(pd.DataFrame({"treated": [0.5]}), 10.0, cost_per_offer=1.0)


def test_wrong_dtypes_are_rejected(toy):
    text = toy.assign(converted=toy["converted"].map({True: "yes", False: "no"}))
    with pytest.raises(ValueError, match="'converted' should be a numeric column"):
        experiments.arm_summary(text, "converted")
    with pytest.raises(ValueError, match="'revenue_30d' should be a boolean"):
        experiments.fit_lift_model(toy, "revenue_30d")
    with pytest.raises(ValueError, match="'revenue_30d' should be a boolean"):
        uplift.persuadable_share(toy, "revenue_30d")
    with pytest.raises(ValueError, match="'arm' should be a numeric or boolean"):
        experiments.balance_table(toy, ["arm"])
    with pytest.raises(ValueError, match="'weeks_since_last_order' should be a numeric"):
        experiments.history_features(toy.assign(weeks_since_last_order="3"))


def test_empty_frames_and_non_frames_are_rejected(toy):
    with pytest.raises(ValueError, match="at least 1 row"):
        experiments.arm_summary(toy.iloc[:0], "converted")
    with pytest.raises(ValueError, match="at least 1 row"):
        experiments.history_features(toy.iloc[:0])
    with pytest.raises(TypeError, match="expected a pandas DataFrame"):
        experiments.arm_summary(toy.to_dict(), "converted")
    with pytest.raises(TypeError, match="expected a World"):
        planted_campaign_effects(toy)


def test_impossible_values_are_rejected(toy):
    with pytest.raises(ValueError, match="'prior_orders' should lie in"):
        experiments.history_features(toy.assign(prior_orders=-toy["prior_orders"] - 1))
    with pytest.raises(ValueError, match="'prior_orders' should lie in"):
        experiments.fit_lift_model(toy.assign(prior_orders=toy["prior_orders"] - 5), moderator="prior_orders")
    with pytest.raises(ValueError, match="margin_rate"):
        profitability.value_per_order(toy, 1.5)
    with pytest.raises(ValueError, match="prior_weight"):
        profitability.value_per_order(toy, 0.02, prior_weight=0)
    with pytest.raises(ValueError, match="cost_per_offer"):
        uplift.expected_incremental_profit(pd.DataFrame({"treated": [0.5], "uplift": [0.1]}), 10.0, cost_per_offer=-1.0)
    with pytest.raises(ValueError, match="value_per_conversion"):
        uplift.expected_incremental_profit(pd.DataFrame({"treated": [0.5], "uplift": [0.1]}), [-5.0], cost_per_offer=1.0)
    with pytest.raises(ValueError, match="cost_per_extra_conversion"):
        uplift.expected_incremental_profit(pd.DataFrame({"treated": [0.5], "uplift": [0.1]}), 5.0, cost_per_offer=1.0,
                                           cost_per_extra_conversion=[-1.0])
    with pytest.raises(ValueError, match="level"):
        experiments.arm_summary(toy, "converted", level=95)
    with pytest.raises(ValueError, match="test_share"):
        uplift.split_sample(toy, 1.0)
    with pytest.raises(ValueError, match="n_folds"):
        uplift.cross_fit_uplift(experiments.history_features(toy), n_folds=1)
    with pytest.raises(ValueError, match="expected_shares"):
        experiments.balance_table(toy, expected_shares={"none": 0.5, "generic": 0.5})


def test_bad_model_settings_are_rejected(toy):
    with pytest.raises(ValueError, match="kind"):
        experiments.fit_lift_model(toy, kind="probit")
    with pytest.raises(ValueError, match="transform"):
        experiments.fit_lift_model(toy, moderator="prior_orders", transform="log")
    with pytest.raises(ValueError, match="treatment"):
        uplift.fit_uplift_model(experiments.history_features(toy), treatment="vip")
    with pytest.raises(ValueError, match="treatment"):
        uplift.fit_uplift_model(experiments.history_features(toy), treatment="none")
    with pytest.raises(ValueError, match="at least one"):
        experiments.balance_table(toy, [])
    with pytest.raises(ValueError, match="clashing column names"):
        experiments.fit_lift_model(toy.assign(arm=toy["arm"].replace({"generic": "a b", "personalised": "a-b"})), arms=None)


def test_arm_effects_needs_a_lift_model(toy):
    import statsmodels.api as sm

    other = sm.OLS(toy["profit"], sm.add_constant(toy["prior_orders"].astype(float))).fit()
    with pytest.raises(TypeError, match="fit_lift_model"):
        experiments.arm_effects(other)
    plain = experiments.fit_lift_model(toy)
    with pytest.raises(ValueError, match="no moderator"):
        experiments.arm_effects(plain, at=[1])
    moderated = experiments.fit_lift_model(toy, moderator="prior_orders")
    with pytest.raises(ValueError, match="at least 0"):
        experiments.arm_effects(moderated, at=[-2])


def test_scores_and_targets_must_fit_the_data(toy):
    with pytest.raises(ValueError, match="one value per row"):
        uplift.uplift_curve(toy, np.ones(5))
    with pytest.raises(ValueError, match="finite"):
        uplift.uplift_curve(toy, np.full(len(toy), np.nan))
    with pytest.raises(ValueError, match="shares"):
        uplift.uplift_curve(toy, "prior_orders", shares=[0.5, 1.5])
    with pytest.raises(ValueError, match="one True/False per row"):
        uplift.targeting_value(toy, [True, False])
    with pytest.raises(ValueError, match="treatment"):
        uplift.targeting_value(toy, toy["prior_orders"] > 0, treatment="vip")
    with pytest.raises(ValueError, match="same index"):
        uplift.uplift_curve(toy, pd.Series(np.ones(len(toy)), index=np.arange(len(toy)) + 1000))


def _contacts_world(contact_probability: float):
    """A world where no order is declined, so every contact an order causes falls in its own week."""
    base = WorldParams()
    params = replace(base, purchases=replace(base.purchases, decline_probability=0.0),
                     support=replace(base.support, contact_probability=contact_probability))
    world = simulate(n_members=40_000, seed=SEED, params=params)
    frame = campaign_frame(world.tables["offer_experiment"], world.tables["transactions"], world.tables["contacts"])
    measured = net_lift(frame, contact_cost=0.0, arms=None).set_index("arm").loc["personalised"]
    return world, planted_campaign_effects(world, contact_cost=180.0), measured


def test_planted_contacts_are_recovered_by_the_randomised_contact_lift_and_move_with_the_truth():
    world, truth, measured = _contacts_world(0.15)
    planted = truth["contacts_personalised"].mean()
    se = measured["contacts_lift_se"]
    assert abs(measured["contacts_lift"] - planted) < 1.96 * se
    # Charging contacts lowers each member's planted profit by exactly the cost of the contacts caused.
    uncharged = planted_campaign_effects(world)
    np.testing.assert_allclose(uncharged["profit_personalised"] - truth["profit_personalised"],
                               180.0 * truth["contacts_personalised"], rtol=1e-12, atol=1e-12)
    assert (truth["contacts_personalised"] > 0).mean() > 0.5
    # A world where orders bring three times as many contacts: the planted and measured lifts move with it.
    _, truth3, measured3 = _contacts_world(0.45)
    planted3 = truth3["contacts_personalised"].mean()
    assert planted3 > 2.5 * planted
    assert abs(measured3["contacts_lift"] - planted3) < 1.96 * measured3["contacts_lift_se"]
    assert measured3["contacts_lift"] - measured["contacts_lift"] > 2 * np.hypot(se, measured3["contacts_lift_se"])
