"""The team-quality scenario: observational staff coefficients go wrong, the randomised pilot does not."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import statsmodels.formula.api as smf

from crm_course.regression import engagement_drivers
from crm_course.world import simulate
from crm_course.world.params import WorldParams

PLANTED = {"paid_on_time": 8.0, "shared_desk": -6.0, "training_hours": 0.25, "empowered": 6.0}


def _agents(selection: float, engagement: float, seed: int = 3):
    p = WorldParams()
    staff = replace(p.staff, members_per_agent=5, team_quality_selection=selection, team_quality_engagement=engagement)
    world = simulate(n_members=6_000, seed=seed, params=replace(p, staff=staff))
    return world.tables["agents"].merge(world.truth["agents"], on="agent_id")


def _covers(fit, name, value):
    low, high = fit.conf_int().loc[name]
    return low <= value <= high


@pytest.fixture(scope="module")
def confounded():
    return _agents(0.8, 5.0)


def test_naive_drivers_are_biased_by_the_unseen_team(confounded):
    fit = engagement_drivers(confounded)
    for name in ("paid_on_time", "shared_desk", "training_hours"):
        assert not _covers(fit, name, PLANTED[name]), name
    assert fit.params["training_hours"] > PLANTED["training_hours"]  # better teams train more and engage more
    assert _covers(fit, "empowered", PLANTED["empowered"])  # randomised: no bias


def test_holding_team_quality_fixed_recovers_every_planted_driver(confounded):
    data = confounded.astype({"paid_on_time": int, "shared_desk": int, "empowered": int})
    fit = smf.ols("engagement ~ paid_on_time + shared_desk + training_hours + empowered + team_quality",
                  data).fit(cov_type="HC1")
    for name, value in PLANTED.items():
        assert _covers(fit, name, value), name
    assert _covers(fit, "team_quality", 5.0)


def test_without_the_scenario_the_naive_drivers_are_unbiased():
    fit = engagement_drivers(_agents(0.0, 0.0))
    for name, value in PLANTED.items():
        low, high = fit.conf_int(alpha=0.01 / 4).loc[name]  # four intervals at once
        assert low <= value <= high, name


def test_the_default_world_has_no_team_quality():
    truth = simulate(n_members=1_000, seed=1).truth["agents"]
    assert np.all(truth["team_quality"] == 0)


def test_team_quality_parameters_are_validated():
    p = WorldParams()
    with pytest.raises(ValueError, match="staff.team_quality_selection"):
        simulate(n_members=500, seed=1, params=replace(p, staff=replace(p.staff, team_quality_selection=-1.0)))
