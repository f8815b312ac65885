"""Decisions on expected value, and the value of information: closed forms against simulation."""

from __future__ import annotations

import numpy as np
import pytest

from crm_course.decision import net_benefit, value_of_information


def test_evpi_and_evsi_agree_with_monte_carlo():
    rng = np.random.default_rng(2002)
    m, s, sigma = -10_000.0, 40_000.0, 20_000.0
    theta = rng.normal(m, s, 400_000)
    evpi_mc = np.maximum(theta, 0).mean() - max(m, 0)
    signal = theta + rng.normal(0, sigma, theta.size)
    posterior_mean = m + s**2 / (s**2 + sigma**2) * (signal - m)
    evsi_mc = np.where(posterior_mean > 0, theta, 0).mean() - max(m, 0)  # act on the pilot, earn the truth
    table = value_of_information(m, s, sampling_sd=sigma)
    assert table["evpi"].iloc[0] == pytest.approx(evpi_mc, rel=0.02)
    assert table["evsi"].iloc[0] == pytest.approx(evsi_mc, rel=0.03)


def test_standard_normal_evpi_is_the_density_at_zero():
    assert value_of_information(0.0, 1.0)["evpi"].iloc[0] == pytest.approx(1 / np.sqrt(2 * np.pi))


def test_a_bigger_pilot_is_worth_more_but_never_more_than_perfect_information():
    table = value_of_information(5_000, 30_000, sampling_sd=[1e9, 40_000, 10_000, 1_000, 0.0], pilot_cost=2_000)
    evsi = table["evsi"].to_numpy()
    assert evsi[0] == pytest.approx(0, abs=1e-3)  # a useless pilot is worth nothing
    assert np.all(np.diff(evsi) > 0)
    assert evsi[-1] == pytest.approx(table["evpi"].iloc[0])
    assert (evsi <= table["evpi"].iloc[0] + 1e-9).all()
    assert table["pilot_net"].tolist() == pytest.approx((evsi - 2_000).tolist())


def test_information_is_worth_nothing_when_nothing_is_uncertain_or_the_answer_is_clear():
    assert value_of_information(1_000, 0.0, sampling_sd=10.0)["evsi"].iloc[0] == 0.0
    clear = value_of_information(1e6, 1_000, sampling_sd=100)
    assert clear["evpi"].iloc[0] < 1e-6 and clear["decision_now"].iloc[0] == "invest"


def test_the_decision_follows_the_expected_value_not_the_interval():
    out = net_benefit(120_000, 80_000, 100_000, level=0.9)
    assert out["decision"] == "invest" and out["expected_net"] == 20_000
    assert out["net_low"] < 0 < out["net_high"]  # a loss is possible, yet investing has positive expectation
    assert out["probability_loss"] == pytest.approx(0.4013, abs=1e-4)
    assert net_benefit(90_000, 1.0, 100_000)["decision"] == "do not invest"


def test_bad_input_gets_a_clear_error():
    with pytest.raises(ValueError, match="prior_sd: expected a number in \\[0, inf\\]; found -1"):
        value_of_information(0, -1)
    with pytest.raises(ValueError, match="sampling_sd: expected a number"):
        value_of_information(0, 1, sampling_sd=["a lot"])
    with pytest.raises(ValueError, match="sampling_sd and pilot_cost: expected single values or sequences"):
        value_of_information(0, 1, sampling_sd=[1, 2], pilot_cost=[1, 2, 3])
    with pytest.raises(ValueError, match="cost: expected a number in \\[0, inf\\]"):
        net_benefit(1, 1, -5)
    with pytest.raises(ValueError, match="benefit_mean: expected a number"):
        net_benefit(float("nan"), 1, 0)
