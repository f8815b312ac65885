"""Chapter 4, section 7.2: the team-quality scenario against its planted truth, and the joint test of section 4.5.

The scenario world of :func:`crm_course.kopilka.support.team_quality_agents` plants a
confounder (team quality) behind pay, desks, training and engagement. The naive
engagement regression must miss the planted effects; holding the confounder fixed must
recover them; a changed truth must move the repaired estimate; the randomised pilot
stays unbiased throughout.
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.formula.api as smf

from crm_course.data import load
from crm_course.inference import joint_test
from crm_course.kopilka.support import support_frame, team_quality_agents
from crm_course.ratings import csat_ordered_logit
from crm_course.regression import engagement_drivers
from crm_course.world.params import StaffParams

STAFF = StaffParams()
PLANTED = {"paid_on_time": STAFF.engagement_paid_on_time, "shared_desk": STAFF.engagement_shared_desk,
           "training_hours": STAFF.engagement_training_per_hour, "empowered": STAFF.engagement_empowered}


def _repaired(agents):
    data = agents.astype({"paid_on_time": int, "shared_desk": int, "empowered": int})
    return smf.ols("engagement ~ paid_on_time + shared_desk + training_hours + empowered + team_quality",
                   data).fit(cov_type="HC1")


def _inside(fit, term, value):
    low, high = fit.conf_int().loc[term]
    return bool(low <= value <= high)


@pytest.fixture(scope="module")
def scenario():
    return team_quality_agents()


def test_the_naive_regression_misses_every_observational_driver_and_keeps_the_randomised_one(scenario):
    naive = engagement_drivers(scenario)
    for term in ("paid_on_time", "shared_desk", "training_hours"):
        assert not _inside(naive, term, PLANTED[term]), term
        # Biased away from zero: better teams have better conditions *and* more engaged agents.
        assert abs(naive.params[term]) > abs(PLANTED[term]), term
    assert _inside(naive, "empowered", PLANTED["empowered"])


def test_holding_team_quality_fixed_recovers_every_planted_value(scenario):
    fit = _repaired(scenario)
    for term, value in PLANTED.items():
        assert _inside(fit, term, value), term
    assert _inside(fit, "team_quality", 5.0)


def test_a_changed_truth_moves_the_repaired_estimate_and_the_bias():
    weak, strong = team_quality_agents(engagement=2.0), team_quality_agents(engagement=10.0)
    fit_weak, fit_strong = _repaired(weak), _repaired(strong)
    assert _inside(fit_weak, "team_quality", 2.0) and _inside(fit_strong, "team_quality", 10.0)
    assert not _inside(fit_weak, "team_quality", 10.0)
    bias = [engagement_drivers(a).params["paid_on_time"] - PLANTED["paid_on_time"] for a in (weak, strong)]
    assert bias[1] > bias[0] > 0  # a stronger confounder, a larger bias


def test_without_the_confounder_the_naive_regression_is_right():
    agents = team_quality_agents(0.0, 0.0)
    assert np.all(agents["team_quality"] == 0)
    naive = engagement_drivers(agents)
    for term, value in PLANTED.items():
        low, high = naive.conf_int(alpha=0.01 / 4).loc[term]  # four intervals read at once
        assert low <= value <= high, term


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"selection": -0.1}, "selection: expected a number in"),
    ({"engagement": "5"}, "engagement: expected a number"),
    ({"n_members": 0}, "n_members: expected an integer"),
    ({"members_per_agent": 2.5}, "members_per_agent: expected an integer"),
    ({"seed": -1}, "seed: expected an integer"),
])
def test_the_scenario_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        team_quality_agents(**kwargs)


# -- the joint test of section 4.5 ---------------------------------------------------------


def test_one_term_joint_test_is_the_t_test_squared():
    fit = engagement_drivers(load("agents"))
    test = joint_test(fit, ["shared_desk"])
    assert test["statistic"] == pytest.approx(fit.tvalues["shared_desk"] ** 2)
    assert test["p_value"] == pytest.approx(fit.pvalues["shared_desk"])
    assert test["df_denom"] == fit.df_resid


def test_the_review_figures_of_the_model_holding_both_forms():
    """Issue 15: empowered:fit 1.06 (SE 0.39), and joint p = 0.36 for the three separate interactions."""
    frame = support_frame(load("contacts"), load("agents"))
    both = csat_ordered_logit(frame, "empowered * (interested_in_autonomy + able + respected) + empowered:fit + fit"
                                     " + not_paid_out + paid_on_time + shared_desk + training_hours")
    assert round(both.params["empowered:fit"], 2) == 1.06 and round(both.bse["empowered:fit"], 2) == 0.39
    separate = ["empowered:interested_in_autonomy", "empowered:able", "empowered:respected"]
    test = joint_test(both, separate)
    assert round(test["p_value"], 2) == 0.36 and test["df"] == 3 and np.isnan(test["df_denom"])


@pytest.mark.parametrize(("terms", "match"), [
    ([], "terms: expected a non-empty list"),
    ("shared_desk", "terms: expected a non-empty list"),
    (["desk"], r"terms: unknown term\(s\) \['desk'\]"),
    (["shared_desk", "shared_desk"], "terms: expected each coefficient once"),
])
def test_the_joint_test_rejects_bad_terms(terms, match):
    fit = engagement_drivers(load("agents"))
    with pytest.raises(ValueError, match=match):
        joint_test(fit, terms)
