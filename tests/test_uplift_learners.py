"""Recovery tests of the direct uplift methods (transformed outcome, X-learner) and of multi-action policy values.

Each test simulates a Kopilka world at a fixed seed, where
:func:`crm_course.kopilka.truth.planted_campaign_effects` gives every member's
true conversion lift and true incremental profit, fits with the helper and
asserts that the truth lies in the estimate's interval; a world with a
stronger planted persuasion must move the estimate.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from crm_course.experiments import history_features
from crm_course.kopilka.truth import planted_campaign_effects
from crm_course.uplift_learners import (cross_fit_learner, fit_transformed_outcome, fit_x_learner, policy_value,
                                        transformed_outcome)
from crm_course.world import simulate
from crm_course.world.params import WorldParams

FEATURES = ["log_orders", "log_spend", "no_history", "log_recency", "tenure_years"]
Z99 = 2.576


def _campaign(world):
    exp = history_features(world.tables["offer_experiment"])
    exp["profit"] = exp["margin_30d"] - exp["offer_cost"]
    truth = planted_campaign_effects(world).set_index("customer_id").loc[exp["customer_id"]]
    truth.index = exp.index
    return exp, truth


@pytest.fixture(scope="module")
def world():
    return _campaign(simulate(30_000, seed=41))


@pytest.fixture(scope="module")
def stronger():
    p = WorldParams()
    return _campaign(simulate(30_000, seed=41, params=replace(p, campaign=replace(p.campaign,
                                                                                  persuade_personalised=0.15))))


def test_transformed_outcome_mean_is_the_difference_in_means_with_design_weights():
    toy = pd.DataFrame({"arm": ["personalised", "none", "none", "personalised", "generic"],
                        "y": [3.0, 1.0, 2.0, 0.0, 9.0]})
    z = transformed_outcome(toy, "y", arms=None)
    e = 2 / 4
    assert z.tolist()[:4] == [3.0 / e, -1.0 / (1 - e), -2.0 / (1 - e), 0.0] and np.isnan(z.iloc[4])
    assert z.mean() == pytest.approx(toy["y"][[0, 3]].mean() - toy["y"][[1, 2]].mean())


def test_average_uplift_of_the_transformed_outcome_recovers_the_planted_lift(world):
    exp, truth = world
    est = fit_transformed_outcome(exp, FEATURES).average_effect(exp, level=0.99)
    sample = exp["arm"].isin(["personalised", "none"])
    assert est["ci_low"] < truth.loc[sample, "lift_personalised"].mean() < est["ci_high"]


def test_average_profit_uplift_recovers_the_planted_incremental_profit(world):
    exp, truth = world
    est = fit_transformed_outcome(exp, FEATURES, "profit").average_effect(exp, level=0.99)
    sample = exp["arm"].isin(["personalised", "none"])
    assert est["ci_low"] < truth.loc[sample, "profit_personalised"].mean() < est["ci_high"]


def test_the_slope_of_the_effect_recovers_the_best_linear_fit_to_the_true_lifts(world):
    exp, truth = world
    sample = exp["arm"].isin(["personalised", "none"]).to_numpy()
    m = exp.loc[sample, "log_orders"]
    lift = truth.loc[sample, "lift_personalised"]
    true_slope = np.cov(m, lift)[0, 1] / m.var()
    fit = fit_transformed_outcome(exp, ["log_orders"]).results["uplift"]
    low, high = fit.conf_int(alpha=0.01).loc["log_orders"]
    assert low < true_slope < high
    assert low > 0  # the planted learning relationship is visible in the effect model itself


def test_a_stronger_planted_persuasion_moves_the_direct_estimates(world, stronger):
    exp, truth = world
    exp2, truth2 = stronger
    a = fit_transformed_outcome(exp, FEATURES).average_effect(exp)
    b = fit_transformed_outcome(exp2, FEATURES).average_effect(exp2)
    # The planted change raises the true mean lift by several standard errors of the difference.
    sample = exp["arm"].isin(["personalised", "none"])
    true_change = truth2.loc[sample, "lift_personalised"].mean() - truth.loc[sample, "lift_personalised"].mean()
    se = np.hypot(a["se"], b["se"])
    assert true_change > 4 * se
    assert abs((b["average_uplift"] - a["average_uplift"]) - true_change) < Z99 * se
    x_a = fit_x_learner(exp, FEATURES).predict(exp).mean()
    x_b = fit_x_learner(exp2, FEATURES).predict(exp2).mean()
    assert abs((x_b - x_a) - true_change) < Z99 * se


def test_x_learner_average_agrees_with_the_truth_within_the_transformed_outcome_standard_error(world):
    exp, truth = world
    sample = exp["arm"].isin(["personalised", "none"])
    se = fit_transformed_outcome(exp, FEATURES).average_effect(exp)["se"]
    # The X-learner's average uses outcome models, so it is at least as precise as the Horvitz-Thompson mean.
    assert abs(fit_x_learner(exp, FEATURES).predict(exp).mean() - truth.loc[sample, "lift_personalised"].mean()) \
        < Z99 * se


def test_cross_fitted_direct_uplift_ranks_members_by_their_true_lift(world):
    exp, truth = world
    for method in ("transformed_outcome", "x_learner"):
        pred = cross_fit_learner(exp, FEATURES, method=method)["uplift"]
        assert np.corrcoef(pred, truth["lift_personalised"])[0, 1] > 0.3, method


def test_policy_value_of_three_actions_recovers_its_planted_value(world):
    exp, truth = world
    policy = np.where(exp["prior_orders"] >= 3, "personalised", np.where(exp["prior_orders"] >= 1, "generic", "none"))
    est = policy_value(exp, policy, "profit", level=0.99)
    planted = (np.where(policy == "personalised", truth["profit_personalised"], 0.0)
               + np.where(policy == "generic", truth["profit_generic"], 0.0)).mean()
    assert est["ci_low"] < planted < est["ci_high"]
    assert est["share_personalised"] + est["share_generic"] + est["share_none"] == pytest.approx(1.0)


def test_policy_value_with_two_arms_equals_targeting_value(world):
    from crm_course.uplift import targeting_value

    exp, _ = world
    send = exp["prior_orders"].to_numpy() > 2
    two = exp[exp["arm"].isin(["none", "personalised"])]
    mask = send[exp["arm"].isin(["none", "personalised"]).to_numpy()]
    a = policy_value(two, np.where(mask, "personalised", "none"), "profit")
    b = targeting_value(two, mask, "profit")
    assert a["value_per_customer"] == pytest.approx(b["value_per_customer"])
    assert a["se"] == pytest.approx(b["se"])


@pytest.mark.parametrize(("call", "match"), [
    (lambda d: transformed_outcome(d, "nope", arms=None), "nope"),
    (lambda d: fit_transformed_outcome(d, [], "y", arms=None), "features: expected at least one"),
    (lambda d: fit_transformed_outcome(d, ["x"], "y", arms=None, propensity=1.5), "propensity"),
    (lambda d: fit_x_learner(d, ["x"], "y", kind="tree", arms=None), "kind"),
    (lambda d: cross_fit_learner(d, ["x"], "y", method="forest", arms=None), "method"),
    (lambda d: policy_value(d, ["generic"] * len(d), "y", arms=None), "policy: expected arm labels"),
    (lambda d: policy_value(d, ["none"] * 3, "y", arms=None), "policy: expected one arm label per row"),
])
def test_bad_input_names_the_argument(call, match):
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"arm": ["personalised", "none"] * 10, "y": rng.random(20), "x": rng.random(20)})
    with pytest.raises(ValueError, match=match):
        call(d)
