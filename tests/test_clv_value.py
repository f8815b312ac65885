"""Tests of CLV with explicit units: conversions, refusals, every purchase model, intervals, contractual values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_course.clv import (
    BGBBFitter,
    BGNBDFitter,
    GammaGammaFitter,
    MBGNBDFitter,
    ParetoNBDFitter,
    SBGFitter,
    clv_contractual,
    clv_sensitivity,
    contractual_value,
    customer_lifetime_value,
    periodic_rate,
    simulate_bgbb,
    simulate_bgnbd,
    simulate_gamma_gamma,
)

TRUTH = {"r": 0.3, "alpha": 4.0, "a": 0.8, "b": 2.5}
SPEND = {"p": 6.0, "q": 4.0, "gamma": 15.0}
MONTH_IN_WEEKS = 365.25 / 12 / 7
YEARLY_15 = periodic_rate(0.15, "Y", "M")


@pytest.fixture(scope="module")
def members() -> pd.DataFrame:
    rng = np.random.default_rng(51)
    out = simulate_bgnbd(8_000, **TRUTH, T=rng.uniform(30.0, 52.0, 8_000), rng=rng, period=1 / 7)
    out["monetary_value"] = simulate_gamma_gamma(out["frequency"], **SPEND, rng=rng)
    return out


@pytest.fixture(scope="module")
def fitted(members) -> tuple[BGNBDFitter, GammaGammaFitter]:
    return BGNBDFitter().fit(members), GammaGammaFitter().fit(members)


def _monthly(**more):
    return {"margin": 0.2, "time_unit": "W", "period": "M", "discount_rate": YEARLY_15, "horizon": 24, **more}


def _by_hand(model, spend, summary, member, *, length, rate, horizon, margin):
    x, tx, T, z = summary.loc[member, ["frequency", "recency", "T", "monetary_value"]]
    value = spend.conditional_expected_average_value(x, z)
    cumulative = [model.conditional_expected_purchases(length * k, x, tx, T) for k in range(horizon + 1)]
    return sum(margin * value * (cumulative[k] - cumulative[k - 1]) / (1 + rate) ** k for k in range(1, horizon + 1))


# --------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------


def test_periodic_rate_converts_both_ways():
    monthly = periodic_rate(0.15, "Y", "M")
    assert monthly == pytest.approx(1.15 ** (1 / 12) - 1, rel=1e-12)
    assert periodic_rate(monthly, "M", "Y") == pytest.approx(0.15, rel=1e-12)
    assert periodic_rate(0.01, "W", "D") == pytest.approx(1.01 ** (1 / 7) - 1)
    with pytest.raises(ValueError, match=r"per: expected one of \['D', 'W', 'M', 'Q', 'Y'\]"):
        periodic_rate(0.1, "year", "M")


def test_the_output_states_its_units(fitted, members):
    table = customer_lifetime_value(*fitted, members, **_monthly())
    assert table.attrs["time_unit"] == "W" and table.attrs["period"] == "M" and table.attrs["horizon"] == 24
    assert table.attrs["discount_rate"] == YEARLY_15
    assert table.attrs["annual_discount_rate"] == pytest.approx(0.15, rel=1e-12)
    assert table.attrs["margin"] == 0.2 and table.attrs["interval"] is None


def test_a_month_is_converted_into_the_models_weeks(fitted, members):
    table = customer_lifetime_value(*fitted, members, **_monthly())
    for member in members.index[:25:5]:
        expected = _by_hand(*fitted, members, member, length=MONTH_IN_WEEKS, rate=YEARLY_15, horizon=24, margin=0.2)
        assert table.loc[member, "clv"] == pytest.approx(expected, rel=1e-10)


def test_the_same_customers_in_days_or_weeks_are_worth_the_same(members, fitted):
    in_days = members.assign(recency=members["recency"] * 7, T=members["T"] * 7)
    days = customer_lifetime_value(BGNBDFitter().fit(in_days), fitted[1], in_days, **_monthly(time_unit="D"))
    weeks = customer_lifetime_value(*fitted, members, **_monthly())
    np.testing.assert_allclose(days["clv"], weeks["clv"], rtol=1e-5)


def test_quarterly_and_monthly_discounting_of_one_rate_nearly_agree(fitted, members):
    monthly = customer_lifetime_value(*fitted, members, **_monthly())
    quarterly = customer_lifetime_value(*fitted, members, **_monthly(period="Q", horizon=8,
                                                                     discount_rate=periodic_rate(0.15, "Y", "Q")))
    # Same two years and the same yearly rate: only the discounting grid differs.
    ratio = quarterly["clv"].sum() / monthly["clv"].sum()
    assert 0.98 < ratio < 1.0


@pytest.mark.parametrize("kwargs, message", [
    ({"period": "W", "discount_rate": 0.15},
     r"0.15 a week compounds to 146,835% a year.*periodic_rate\(0.15, 'Y', 'W'\) = 0.002682 a week"),
    ({"period": "M", "discount_rate": 0.15},
     r"0.15 a month compounds to 435% a year.*periodic_rate\(0.15, 'Y', 'M'\) = 0.01171 a month"),
    ({"time_unit": "weeks"}, r"time_unit: expected one of \['D', 'W', 'M', 'Q', 'Y'\]"),
    ({"period": None}, r"period: expected one of"),
])
def test_mixed_up_units_are_refused_with_the_conversion(fitted, members, kwargs, message):
    with pytest.raises(ValueError, match=message):
        customer_lifetime_value(*fitted, members, **_monthly(**kwargs))


def test_a_yearly_rate_said_to_be_yearly_is_accepted(fitted, members):
    yearly = customer_lifetime_value(*fitted, members, **_monthly(period="Y", discount_rate=0.15, horizon=2))
    assert yearly.attrs["annual_discount_rate"] == 0.15 and (yearly["clv"] > 0).all()


@pytest.mark.parametrize("missing", ["time_unit", "period", "discount_rate", "horizon", "margin"])
def test_every_unit_must_be_given(fitted, members, missing):
    arguments = _monthly()
    del arguments[missing]
    with pytest.raises(TypeError, match=missing):
        customer_lifetime_value(*fitted, members, **arguments)


# --------------------------------------------------------------------------
# Every purchase model
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fitter", [MBGNBDFitter, ParetoNBDFitter])
def test_clv_with_the_other_continuous_models_matches_a_hand_computation(members, fitted, fitter):
    model = fitter().fit(members)
    table = customer_lifetime_value(model, fitted[1], members, **_monthly(horizon=6))
    for member in members.index[:40:8]:
        expected = _by_hand(model, fitted[1], members, member, length=MONTH_IN_WEEKS, rate=YEARLY_15, horizon=6,
                            margin=0.2)
        assert table.loc[member, "clv"] == pytest.approx(expected, rel=1e-10)
    np.testing.assert_allclose(table["probability_alive"],
                               model.probability_alive(members["frequency"], members["recency"], members["T"]))


def test_clv_with_the_bgbb_discounts_once_per_opportunity():
    rng = np.random.default_rng(52)
    donors = simulate_bgbb(5_000, 1.2, 0.75, 0.66, 2.8, T=6, rng=rng)
    donors["monetary_value"] = simulate_gamma_gamma(donors["frequency"], **SPEND, rng=rng)
    model, spend = BGBBFitter().fit(donors), GammaGammaFitter().fit(donors)
    table = customer_lifetime_value(model, spend, donors, margin=1.0, time_unit="Y", period="Y", discount_rate=0.1,
                                    horizon=5)
    for member in donors.index[:30:6]:
        expected = _by_hand(model, spend, donors, member, length=1, rate=0.1, horizon=5, margin=1.0)
        assert table.loc[member, "clv"] == pytest.approx(expected, rel=1e-10)
    with pytest.raises(ValueError, match=r"the BGBBFitter moves in steps of one year.*found a rate per month.*"
                                         r"periodic_rate\(0.01, 'M', 'Y'\) = 0.1268"):
        customer_lifetime_value(model, spend, donors, margin=1.0, time_unit="Y", period="M", discount_rate=0.01,
                                horizon=60)


# --------------------------------------------------------------------------
# Intervals from parameter uncertainty
# --------------------------------------------------------------------------


def test_delta_interval_matches_a_parametric_bootstrap(fitted, members):
    purchases, spend = fitted
    table = customer_lifetime_value(purchases, spend, members, **_monthly(interval=0.95))
    assert "delta-method" in table.attrs["interval"]
    assert ((table["clv_lower"] < table["clv"]) & (table["clv"] < table["clv_upper"])).all()
    delta_se = (np.log(table["clv_upper"]) - np.log(table["clv_lower"])) / (2 * 1.959964)
    rng = np.random.default_rng(53)
    some = members.iloc[:400:40]
    draws = []
    for _ in range(300):
        p = rng.multivariate_normal(purchases.params_, purchases.variance_matrix_)
        s = rng.multivariate_normal(spend.params_, spend.variance_matrix_)
        drawn = customer_lifetime_value(BGNBDFitter.from_params(**dict(zip(purchases._names, p))),
                                        GammaGammaFitter.from_params(**dict(zip(spend._names, s))), some, **_monthly())
        draws.append(np.log(drawn["clv"].to_numpy()))
    bootstrap_se = np.std(draws, axis=0, ddof=1)
    np.testing.assert_allclose(delta_se.loc[some.index], bootstrap_se, rtol=0.2)


def test_the_interval_covers_the_value_under_the_planted_truth(fitted, members):
    table = customer_lifetime_value(*fitted, members, **_monthly(interval=0.95))
    true = customer_lifetime_value(BGNBDFitter.from_params(**TRUTH), GammaGammaFitter.from_params(**SPEND), members,
                                   **_monthly())
    inside = (table["clv_lower"] <= true["clv"]) & (true["clv"] <= table["clv_upper"])
    assert inside.mean() > 0.9
    narrower = customer_lifetime_value(*fitted, members, **_monthly(interval=0.5))
    assert (narrower["clv_upper"] - narrower["clv_lower"] < table["clv_upper"] - table["clv_lower"]).all()


def test_an_interval_needs_fitted_models(members):
    with pytest.raises(ValueError, match=r"interval: the models have no standard errors"):
        customer_lifetime_value(BGNBDFitter.from_params(**TRUTH), GammaGammaFitter.from_params(**SPEND), members,
                                **_monthly(interval=0.95))
    with pytest.raises(ValueError, match=r"interval: expected a number in \(0, 1\)"):
        customer_lifetime_value(BGNBDFitter.from_params(**TRUTH), GammaGammaFitter.from_params(**SPEND), members,
                                **_monthly(interval=95))


# --------------------------------------------------------------------------
# Contractual values
# --------------------------------------------------------------------------


def test_contractual_value_is_the_margin_times_derl_with_units():
    model = SBGFitter.from_params(gamma=0.704, delta=1.182)
    table = contractual_value(model, margin=50.0, time_unit="Y", discount_rate=0.1, period="Y", renewals=[0, 1, 5])
    np.testing.assert_allclose(table["derl"], model.derl(0.1, [0, 1, 5]))
    np.testing.assert_allclose(table["residual_value"], 50.0 * table["derl"])
    np.testing.assert_allclose(table["retention_next"], model.retention_rate([1, 2, 6]))
    assert table.index.tolist() == [0, 1, 5]
    assert table.attrs == {"time_unit": "Y", "period": "Y", "discount_rate": 0.1, "annual_discount_rate": 0.1,
                           "margin": 50.0}
    # Ignoring the sorting of loyal customers (one retention rate, the textbook formula) undervalues them.
    assert table["residual_value"].iloc[2] > (1 + 0.1) * clv_contractual(50.0, table["retention_next"].iloc[0], 0.1)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"period": "M", "discount_rate": 0.008}, ValueError,
     r"the sBG model moves in steps of one year.*periodic_rate\(0.008, 'M', 'Y'\) = 0.1003"),
    ({"discount_rate": 0.0}, ValueError, r"discount_rate: expected > 0"),
    ({"renewals": [0, 1.5]}, ValueError, r"renewals: expected whole numbers of periods"),
    ({"margin": "a lot"}, ValueError, r"margin: expected a number"),
    ({"model": BGNBDFitter.from_params(**TRUTH)}, TypeError, r"model: expected a fitted SBGFitter"),
    ({"model": SBGFitter()}, ValueError, r"SBGFitter is not fitted yet"),
])
def test_contractual_value_rejects_bad_input(kwargs, error, message):
    arguments = {"model": SBGFitter.from_params(gamma=0.704, delta=1.182), "margin": 50.0, "time_unit": "Y",
                 "discount_rate": 0.1, "period": "Y", **kwargs}
    with pytest.raises(error, match=message):
        contractual_value(**arguments)


def test_the_textbook_formula_checks_its_period_when_told():
    assert clv_contractual(100.0, 0.8, 0.15, period="Y") == clv_contractual(100.0, 0.8, 0.15)
    with pytest.raises(ValueError, match=r"0.15 a month compounds to 435% a year"):
        clv_contractual(100.0, 0.8, 0.15, period="M")
    grid = clv_sensitivity(100.0, [0.7, 0.8], [0.1, 0.15], period="Y")
    assert grid.attrs["period"] == "Y"
    with pytest.raises(ValueError, match=r"a month compounds"):
        clv_sensitivity(100.0, [0.7, 0.8], [0.01, 0.15], period="M")
