"""Tests of crm_course.clv: published CDNOW figures, planted-truth recovery, formulas, bad input."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crm_course.clv import bgnbd, checks, fitting, gamma_gamma
from crm_course.clv import BGNBDFitter, calibration_holdout, clv_contractual, clv_sensitivity, customer_lifetime_value, GammaGammaFitter, rfm_summary, simulate_bgnbd, simulate_gamma_gamma

DATA = Path(__file__).parent / "data"

# Fader, Hardie & Lee (2005a), CDNOW sample, 39-week calibration period.
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_LOG_LIKELIHOOD = -9582.4
# Fader & Hardie (2013), the same customers' repeat spend.
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}

TRUTH = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
SPEND_TRUTH = {"p": 6.0, "q": 4.0, "gamma": 15.0}


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cdnow_summary() -> pd.DataFrame:
    summary = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv", index_col="ID")
    return summary.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})


@pytest.fixture(scope="module")
def cdnow_orders() -> pd.DataFrame:
    orders = pd.read_csv(
        DATA / "CDNOW_sample.txt", sep=r"\s+", header=None,
        names=["master_id", "customer_id", "order_date", "cds", "order_value"], dtype={"order_date": str},
    )
    orders["order_date"] = pd.to_datetime(orders["order_date"], format="%Y%m%d")
    return orders


@pytest.fixture(scope="module")
def cdnow_from_orders(cdnow_orders) -> pd.DataFrame:
    return rfm_summary(cdnow_orders, "1997-09-30")


@pytest.fixture(scope="module")
def cdnow_model(cdnow_summary) -> BGNBDFitter:
    return BGNBDFitter().fit(cdnow_summary)


def _members(truth: dict, seed: int, n: int = 20_000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return simulate_bgnbd(n, **truth, T=rng.uniform(26.0, 52.0, n), rng=rng)


@pytest.fixture(scope="module")
def planted() -> BGNBDFitter:
    return BGNBDFitter().fit(_members(TRUTH, seed=11))


def _spend(truth: dict, seed: int, n: int = 20_000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frequency = rng.integers(1, 15, n)
    return pd.DataFrame({"frequency": frequency, "monetary_value": simulate_gamma_gamma(frequency, **truth, rng=rng)})


@pytest.fixture(scope="module")
def planted_spend() -> GammaGammaFitter:
    return GammaGammaFitter().fit(_spend(SPEND_TRUTH, seed=21))


# --------------------------------------------------------------------------
# Published results on the CDNOW sample
# --------------------------------------------------------------------------


def test_bgnbd_matches_fader_hardie_lee_2005_on_cdnow(cdnow_model):
    assert cdnow_model.params_.round(3).to_dict() == PUBLISHED_BGNBD
    assert cdnow_model.log_likelihood_ == pytest.approx(PUBLISHED_LOG_LIKELIHOOD, abs=0.05)
    assert cdnow_model.n_members_ == 2357


def test_bgnbd_from_raw_cdnow_transactions_matches_too(cdnow_from_orders):
    model = BGNBDFitter().fit(cdnow_from_orders)
    assert model.params_.round(3).to_dict() == PUBLISHED_BGNBD
    assert model.log_likelihood_ == pytest.approx(PUBLISHED_LOG_LIKELIHOOD, abs=0.05)


def test_gamma_gamma_matches_fader_hardie_on_cdnow_repeat_spend(cdnow_from_orders, cdnow_summary):
    # The published figures come from the exact mean spend; the shipped summary
    # rounds it to cents, which moves gamma by less than 0.01 (to 15.448).
    model = GammaGammaFitter().fit(cdnow_from_orders)
    assert model.params_.round(2).to_dict() == PUBLISHED_GAMMA_GAMMA
    assert model.n_members_ == (cdnow_summary["frequency"] > 0).sum() == 946
    rounded = GammaGammaFitter().fit(cdnow_summary).params_
    assert rounded.to_numpy() == pytest.approx(model.params_.to_numpy(), abs=0.01)


def test_rfm_summary_reproduces_the_published_cdnow_summary(cdnow_from_orders, cdnow_summary):
    ours = cdnow_from_orders.loc[cdnow_summary.index]
    assert (ours["frequency"] == cdnow_summary["frequency"]).all()
    # The published file is rounded to 2 decimals, half up.
    for column in ["recency", "T", "monetary_value"]:
        assert np.abs(ours[column] - cdnow_summary[column]).max() <= 0.005 + 1e-9, column


def test_calibration_holdout_on_cdnow(cdnow_orders, cdnow_from_orders):
    split = calibration_holdout(cdnow_orders, "1997-09-30", "1998-06-30")
    assert len(split) == 2357
    pd.testing.assert_frame_equal(split[list(cdnow_from_orders.columns)], cdnow_from_orders)
    assert (split["duration_holdout"] == 39.0).all()  # 273 days
    late = cdnow_orders[cdnow_orders["order_date"] > "1997-09-30"]
    days = late.groupby("customer_id")["order_date"].nunique()
    expected = days.reindex(split.index, fill_value=0)
    assert (split["frequency_holdout"] == expected).all()
    assert ((split["monetary_value_holdout"] > 0) == (expected > 0)).all()


def test_conditional_expectation_matches_the_papers_formula(cdnow_model):
    """Our Euler-transformed hypergeometric form equals eq. (10) of Fader, Hardie & Lee (2005a)."""
    from scipy.special import hyp2f1

    r, alpha, a, b = cdnow_model.params_
    t = 39.0
    x = np.array([0, 1, 2, 7, 30])
    tx = np.array([0.0, 1.71, 30.43, 35.0, 38.0])
    T = np.array([38.86, 38.86, 38.86, 38.86, 52.0])
    z = t / (alpha + T + t)
    bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    denominator = 1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x)
    paper = (a + b + x - 1) / (a - 1) * bracket / denominator
    np.testing.assert_allclose(cdnow_model.conditional_expected_purchases(t, x, tx, T), paper, rtol=1e-10)
    np.testing.assert_allclose(cdnow_model.conditional_expected_purchases(t, 0, 0.0, 0.0),
                               cdnow_model.expected_purchases(t), rtol=1e-12)


# --------------------------------------------------------------------------
# Recovery of a planted truth
# --------------------------------------------------------------------------


def test_bgnbd_recovers_planted_parameters(planted):
    summary = planted.summary
    for name, value in TRUTH.items():
        assert summary.loc[name, "lower_95"] <= value <= summary.loc[name, "upper_95"], name
    assert summary.attrs["standard_errors"] == fitting.SE_KIND


@pytest.mark.parametrize("name, changed", [("r", 0.5), ("alpha", 8.0), ("a", 1.6), ("b", 5.0)])
def test_bgnbd_estimate_follows_a_changed_truth(planted, name, changed):
    moved = BGNBDFitter().fit(_members({**TRUTH, name: changed}, seed=12))
    gap = moved.params_[name] - planted.params_[name]
    se = np.hypot(moved.standard_errors_[name], planted.standard_errors_[name])
    assert gap > 1.96 * se


def test_gamma_gamma_recovers_planted_parameters(planted_spend):
    summary = planted_spend.summary
    for name, value in SPEND_TRUTH.items():
        assert summary.loc[name, "lower_95"] <= value <= summary.loc[name, "upper_95"], name


@pytest.mark.parametrize("name, changed", [("p", 12.0), ("q", 8.0), ("gamma", 30.0)])
def test_gamma_gamma_estimate_follows_a_changed_truth(planted_spend, name, changed):
    moved = GammaGammaFitter().fit(_spend({**SPEND_TRUTH, name: changed}, seed=22))
    gap = moved.params_[name] - planted_spend.params_[name]
    assert gap > 1.96 * np.hypot(moved.standard_errors_[name], planted_spend.standard_errors_[name])


def test_fit_on_distinct_rows_with_weights_equals_fit_on_members():
    members = _members(TRUTH, seed=13, n=3_000)
    members["recency"] = members["recency"].round(0)
    members["T"] = members["T"].round(0)
    rows = members.value_counts(["frequency", "recency", "T"]).rename("n").reset_index()
    assert len(rows) < len(members)
    full = BGNBDFitter().fit(members)
    weighted = BGNBDFitter().fit(rows, weights=rows["n"])
    np.testing.assert_allclose(weighted.params_, full.params_, rtol=1e-6)
    np.testing.assert_allclose(weighted.standard_errors_, full.standard_errors_, rtol=1e-4)
    assert weighted.log_likelihood_ == pytest.approx(full.log_likelihood_)
    assert full.n_distinct_ == len(rows)


def test_fit_is_unit_free(cdnow_summary, cdnow_model):
    days = cdnow_summary.assign(recency=cdnow_summary["recency"] * 7, T=cdnow_summary["T"] * 7)
    in_days = BGNBDFitter().fit(days)
    np.testing.assert_allclose(in_days.params_[["r", "a", "b"]], cdnow_model.params_[["r", "a", "b"]], rtol=1e-5)
    assert in_days.params_["alpha"] == pytest.approx(7 * cdnow_model.params_["alpha"], rel=1e-5)


def test_fit_accepts_arrays_and_leaves_the_frame_alone(cdnow_summary, cdnow_model):
    before = cdnow_summary.copy()
    from_arrays = BGNBDFitter().fit(frequency=cdnow_summary["frequency"].to_numpy(),
                                    recency=cdnow_summary["recency"].tolist(), T=38.86 + 0 * cdnow_summary["T"])
    pd.testing.assert_frame_equal(cdnow_summary, before)
    assert from_arrays.n_members_ == 2357
    GammaGammaFitter().fit(cdnow_summary)
    customer_lifetime_value(cdnow_model, GammaGammaFitter().fit(cdnow_summary), cdnow_summary, **MONTHLY)
    pd.testing.assert_frame_equal(cdnow_summary, before)


def test_loglik_gradient_matches_finite_differences(cdnow_summary):
    x, tx, T = (cdnow_summary[c].to_numpy(dtype=float) for c in ["frequency", "recency", "T"])
    loglik = bgnbd._BGNBDLikelihood(x, tx, T, np.ones(len(x)))
    theta = np.array([0.3, 5.0, 0.7, 2.0])
    numeric = [(loglik(theta + h)[0] - loglik(theta - h)[0]) / 2e-6 for h in np.eye(4) * 1e-6]
    np.testing.assert_allclose(loglik(theta, True)[1], numeric, rtol=1e-5)

    repeat = x > 0
    spend = gamma_gamma._GammaGammaLikelihood(x[repeat], cdnow_summary["monetary_value"].to_numpy()[repeat],
                                              np.ones(repeat.sum()))
    theta = np.array([5.0, 3.0, 12.0])
    numeric = [(spend(theta + h)[0] - spend(theta - h)[0]) / 2e-6 for h in np.eye(3) * 1e-6]
    np.testing.assert_allclose(spend(theta, True)[1], numeric, rtol=1e-5)


# --------------------------------------------------------------------------
# Predictions
# --------------------------------------------------------------------------


def test_probability_alive_is_one_without_repeat_purchases(cdnow_model):
    T = np.array([0.5, 10.0, 38.86, 500.0])
    assert (cdnow_model.probability_alive(np.zeros(4), np.zeros(4), T) == 1.0).all()


def test_probability_alive_is_a_probability_that_fades_with_silence(cdnow_model):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 400, 5_000)
    T = rng.uniform(1, 1_000, 5_000)
    tx = np.where(x > 0, rng.uniform(0, 1, 5_000) * T, 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = cdnow_model.probability_alive(x, tx, T)
    assert ((p >= 0) & (p <= 1)).all()
    later = cdnow_model.probability_alive(3, 20.0, np.array([20.0, 30.0, 40.0, 80.0]))
    assert (np.diff(later) < 0).all()
    assert later[0] == pytest.approx(1 / (1 + cdnow_model.params_["a"] / (cdnow_model.params_["b"] + 2)))


def test_probability_alive_is_calibrated_on_simulated_members():
    rng = np.random.default_rng(5)
    members = simulate_bgnbd(50_000, **TRUTH, T=39.0, rng=rng, latent=True)
    p = BGNBDFitter.from_params(**TRUTH).probability_alive(members["frequency"], members["recency"], members["T"])
    assert isinstance(p, pd.Series)
    # Given the history, being alive is Bernoulli(P(alive)): the sum has this standard deviation.
    sd = np.sqrt((p * (1 - p)).sum())
    assert abs(members["alive"].sum() - p.sum()) < 4 * sd


def test_expected_purchases_agree_with_monte_carlo():
    model = BGNBDFitter.from_params(**TRUTH)
    members = simulate_bgnbd(200_000, **TRUTH, T=39.0, rng=np.random.default_rng(6))
    se = members["frequency"].std() / np.sqrt(len(members))
    assert abs(members["frequency"].mean() - model.expected_purchases(39.0)) < 4 * se
    assert model.expected_purchases(0.0) == 0.0
    assert (np.diff(model.expected_purchases(np.array([1.0, 10.0, 50.0, 500.0]))) > 0).all()


def test_conditional_expectations_average_to_the_unconditional_increment():
    """E over histories at T of E[Y(t) | history] = E[X(T + t)] - E[X(T)]."""
    model = BGNBDFitter.from_params(**TRUTH)
    members = simulate_bgnbd(200_000, **TRUTH, T=39.0, rng=np.random.default_rng(7))
    future = model.conditional_expected_purchases(26.0, members["frequency"], members["recency"], members["T"])
    se = future.std() / np.sqrt(len(future))
    assert abs(future.mean() - (model.expected_purchases(65.0) - model.expected_purchases(39.0))) < 4 * se


def test_conditional_expectation_broadcasts_and_predict_keeps_the_index(cdnow_model, cdnow_summary):
    horizons = cdnow_model.conditional_expected_purchases(np.array([10.0, 39.0, 78.0]), 2, 30.43, 38.86)
    assert horizons.shape == (3,) and (np.diff(horizons) > 0).all()
    single = cdnow_model.conditional_expected_purchases(39.0, 2, 30.43, 38.86)
    assert isinstance(single, float) and single == pytest.approx(horizons[1])
    predicted = cdnow_model.predict(39.0, cdnow_summary)
    assert predicted.index.equals(cdnow_summary.index)
    assert predicted.loc[1] == pytest.approx(single)


def test_conditional_expected_average_value_shrinks_to_the_population_mean(cdnow_from_orders):
    model = GammaGammaFitter().fit(cdnow_from_orders)
    p, q, gamma = model.params_
    population = p * gamma / (q - 1)
    assert model.conditional_expected_average_value(0, 123.0) == pytest.approx(population)
    values = model.conditional_expected_average_value(np.array([1, 5, 50, 5_000]), np.full(4, 100.0))
    assert (np.diff(values) > 0).all() and (population < values).all() and (values < 100.0).all()
    assert values[-1] == pytest.approx(100.0, rel=1e-2)


def test_fitted_models_are_unfitted_until_fit():
    assert "not fitted" in repr(BGNBDFitter())
    with pytest.raises(ValueError, match="not fitted yet"):
        _ = BGNBDFitter().summary


def test_from_params_predicts_without_standard_errors():
    model = BGNBDFitter.from_params(**PUBLISHED_BGNBD)
    assert model.params_.to_dict() == PUBLISHED_BGNBD
    assert model.summary["std_error"].isna().all()


# --------------------------------------------------------------------------
# Customer lifetime value
# --------------------------------------------------------------------------


# Weekly models discounted monthly at 15% a year, over three years.
MONTHLY = {"margin": 0.3, "time_unit": "W", "period": "M", "discount_rate": 1.15 ** (1 / 12) - 1, "horizon": 36}


@pytest.fixture(scope="module")
def cdnow_value(cdnow_from_orders):
    purchases = BGNBDFitter().fit(cdnow_from_orders)
    spend = GammaGammaFitter().fit(cdnow_from_orders)
    return purchases, spend, cdnow_from_orders


def test_clv_per_member_matches_a_hand_computation(cdnow_value):
    purchases, spend, summary = cdnow_value
    table = customer_lifetime_value(purchases, spend, summary, margin=0.3, time_unit="W", period="M",
                                    discount_rate=0.02, horizon=6)
    assert table.index.equals(summary.index)
    month = 365.25 / 12 / 7  # an average month, in weeks
    for member in [1, 2, 3, 1000]:
        x, tx, T, z = summary.loc[member, ["frequency", "recency", "T", "monetary_value"]]
        value = spend.conditional_expected_average_value(x, z)
        cumulative = [purchases.conditional_expected_purchases(month * k, x, tx, T) for k in range(7)]
        by_hand = sum(0.3 * value * (cumulative[k] - cumulative[k - 1]) / 1.02 ** k for k in range(1, 7))
        assert table.loc[member, "clv"] == pytest.approx(by_hand, rel=1e-10)
        assert table.loc[member, "expected_purchases"] == pytest.approx(cumulative[-1], rel=1e-10)


def test_clv_limits(cdnow_value):
    purchases, spend, summary = cdnow_value
    base = customer_lifetime_value(purchases, spend, summary, **MONTHLY)
    assert (customer_lifetime_value(purchases, spend, summary, **{**MONTHLY, "margin": 0.0})["clv"] == 0).all()
    longer = customer_lifetime_value(purchases, spend, summary, **{**MONTHLY, "horizon": 48})
    assert (longer["clv"] > base["clv"]).all()
    undiscounted = customer_lifetime_value(purchases, spend, summary, **{**MONTHLY, "discount_rate": 0.0})
    np.testing.assert_allclose(
        undiscounted["clv"], 0.3 * undiscounted["expected_average_value"] * undiscounted["expected_purchases"]
    )
    assert (undiscounted["clv"] > base["clv"]).all()


def test_clv_contractual_hand_cases():
    assert clv_contractual(100.0, 0.8, 0.1) == pytest.approx(80 / 0.3)
    assert clv_contractual(50.0, 0.5, 0.0) == pytest.approx(50.0)
    assert clv_contractual(100.0, 0.0, 0.1) == 0.0
    assert clv_contractual(-20.0, 0.5, 0.1) == pytest.approx(-10 / 0.6)
    assert clv_contractual(100.0, 1.0, 0.25) == pytest.approx(400.0)


def test_clv_contractual_is_the_discounted_sum_of_margins():
    m, r, d = 120.0, 0.85, 0.12
    periods = np.arange(1, 2_000)
    assert clv_contractual(m, r, d) == pytest.approx(np.sum(m * r**periods / (1 + d) ** periods))


def test_clv_contractual_rises_with_retention_and_falls_with_discount():
    retention = np.linspace(0, 1, 21)
    assert (np.diff(clv_contractual(100.0, retention, 0.1)) > 0).all()
    assert (np.diff(clv_contractual(100.0, 0.8, np.linspace(0, 1, 11))) < 0).all()


def test_clv_sensitivity_is_a_tidy_grid():
    table = clv_sensitivity([50.0, 100.0], [0.6, 0.7, 0.8, 0.9], [0.05, 0.1, 0.15])
    assert list(table.columns) == ["margin", "retention", "discount", "clv"]
    assert len(table) == 2 * 4 * 3
    assert not table.duplicated(["margin", "retention", "discount"]).any()
    np.testing.assert_allclose(table["clv"], clv_contractual(table["margin"], table["retention"], table["discount"]))
    assert table.pivot_table(index="retention", columns="discount", values="clv").shape == (4, 3)


# --------------------------------------------------------------------------
# Simulators and transactions
# --------------------------------------------------------------------------


def test_simulate_bgnbd_is_reproducible_and_a_valid_summary():
    one = simulate_bgnbd(5_000, **TRUTH, T=39.0, rng=np.random.default_rng(8))
    two = simulate_bgnbd(5_000, **TRUTH, T=39.0, rng=np.random.default_rng(8))
    pd.testing.assert_frame_equal(one, two)
    checks._rfm_input(one, None, None, None)
    assert (one["frequency"] > 0).any() and (one["frequency"] == 0).any()
    daily = simulate_bgnbd(5_000, **TRUTH, T=np.full(5_000, 39.0), rng=np.random.default_rng(8), period=1 / 7)
    days = daily["recency"] * 7
    assert np.allclose(days, days.round()) and (daily["T"] == 39.0).all()
    assert (daily["recency"] <= daily["T"]).all()


def test_simulated_spend_has_the_model_mean():
    rng = np.random.default_rng(9)
    frequency = pd.Series(np.full(50_000, 3), index=np.arange(50_000) + 100)
    spend = simulate_gamma_gamma(frequency, **SPEND_TRUTH, rng=rng)
    assert spend.index.equals(frequency.index)
    p, q, gamma = SPEND_TRUTH.values()
    # E[z] = p gamma / (q - 1); Var[z] = E[Var(z | nu)] + Var(E[z | nu]) for x = 3 purchases.
    sd = np.sqrt(p / 3 * gamma**2 / ((q - 1) * (q - 2)) + p**2 * gamma**2 / ((q - 1) ** 2 * (q - 2)))
    assert abs(spend.mean() - p * gamma / (q - 1)) < 4 * sd / np.sqrt(len(spend))
    assert (simulate_gamma_gamma([0, 0], **SPEND_TRUTH, rng=rng) == 0).all()


def test_rfm_summary_merges_orders_of_one_day_and_ignores_later_ones():
    orders = pd.DataFrame({
        "customer_id": ["a", "a", "a", "a", "b", "c"],
        "order_date": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 18:00", "2024-01-15 00:00", "2024-01-15 23:59",
                                      "2024-01-10 12:00", "2024-03-01 08:00"]),
        "order_value": [10.0, 5.0, 20.0, 30.0, 8.0, 1.0],
    })
    summary = rfm_summary(orders, "2024-01-29", time_unit="D")
    assert list(summary.index) == ["a", "b"]
    assert summary.loc["a"].tolist() == [1, 14.0, 28.0, 50.0]
    assert summary.loc["b"].tolist() == [0, 0.0, 19.0, 0.0]
    months = rfm_summary(orders, "2024-01-29", time_unit="M", value_col=None)
    assert list(months.columns) == ["frequency", "recency", "T"]
    assert months.loc["a", "T"] == pytest.approx(28 / (365.25 / 12))


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------


GOOD = pd.DataFrame({"frequency": [0, 2, 1], "recency": [0.0, 10.0, 3.0], "T": [20.0, 30.0, 5.0],
                     "monetary_value": [0.0, 12.0, 7.0]})
ORDERS = pd.DataFrame({"customer_id": [1, 1, 2],
                       "order_date": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-02"]),
                       "order_value": [1.0, 2.0, 3.0]})


def _with(**columns) -> pd.DataFrame:
    return GOOD.assign(**columns)


BAD_SUMMARIES = [
    (GOOD.drop(columns="T"), r"missing column\(s\) 'T'"),
    (GOOD.iloc[:0], r"at least 1 row"),
    (_with(recency=[0.0, np.nan, 3.0]), r"'recency' has 1 missing value"),
    (_with(recency=[0.0, -1.0, 3.0]), r"'recency' should be >= 0; found 1 value\(s\), e.g. -1.0"),
    (_with(recency=[0.0, 31.0, 3.0]), r"'recency' should be <= 'T'.*31.0 with T 30.0"),
    (_with(recency=[2.0, 10.0, 3.0]), r"'recency' should be 0 where 'frequency' is 0"),
    (_with(frequency=[0, 2.5, 1]), r"'frequency' should hold whole numbers >= 0.*2.5"),
    (_with(frequency=[0, -2, 1]), r"'frequency' should hold whole numbers >= 0.*-2"),
    (_with(T=[-1.0, 30.0, 5.0]), r"'T' should be >= 0"),
    (_with(T=["20", "30", "5"]), r"'T' should be a numeric column; found dtype"),
    (_with(frequency=[0, 0, 0], recency=[0.0, 0.0, 0.0]), r"'frequency' is 0 for every member"),
]


@pytest.mark.parametrize("summary, message", BAD_SUMMARIES)
def test_bgnbd_fit_rejects_bad_summaries(summary, message):
    with pytest.raises(ValueError, match=message):
        BGNBDFitter().fit(summary)


@pytest.mark.parametrize("call, error, message", [
    (lambda: BGNBDFitter().fit([1, 2]), TypeError, r"expected a pandas DataFrame; found list"),
    (lambda: BGNBDFitter().fit(GOOD, frequency=[1]), ValueError, r"either a summary DataFrame or the arrays"),
    (lambda: BGNBDFitter().fit(frequency=[1, 2], recency=[1.0, 2.0]), ValueError, r"T: required"),
    (lambda: BGNBDFitter().fit(frequency=[1, 2], recency=[1.0, 2.0], T=[5.0, 6.0, 7.0]), ValueError,
     r"expected arrays of one length"),
    (lambda: BGNBDFitter().fit(frequency=["1"], recency=[1.0], T=[5.0]), ValueError, r"frequency: expected numbers"),
    (lambda: BGNBDFitter().fit(GOOD, weights=[1, -1, 1]), ValueError, r"weights: expected finite numbers >= 0"),
    (lambda: BGNBDFitter().fit(GOOD, weights=[1, 1]), ValueError, r"weights: expected 3 value\(s\)"),
    (lambda: BGNBDFitter().fit(GOOD, weights=[0, 0, 0]), ValueError, r"weights: expected a positive total"),
    (lambda: BGNBDFitter().expected_purchases(1.0), ValueError, r"not fitted yet: call fit\(\) first"),
    (lambda: BGNBDFitter.from_params(r=1.0, alpha=1.0, a=1.0), ValueError, r"expected exactly r, alpha, a, b"),
    (lambda: BGNBDFitter.from_params(r=1.0, alpha=-1.0, a=1.0, b=1.0), ValueError, r"alpha: expected a number in"),
    (lambda: GammaGammaFitter().conditional_expected_average_value(1, 1.0), ValueError, r"not fitted yet"),
])
def test_bgnbd_fit_rejects_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("method, args, message", [
    ("expected_purchases", (-1.0,), r"t: expected numbers in \[0, inf\]; found -1.0"),
    ("expected_purchases", ("soon",), r"t: expected a number or an array of numbers"),
    ("probability_alive", (1, 5.0, 4.0), r"history: column 'recency' should be <= 'T'"),
    ("probability_alive", (0, 1.0, 4.0), r"history: column 'recency' should be 0 where 'frequency' is 0"),
    ("probability_alive", (1.5, 1.0, 4.0), r"history: column 'frequency' should hold whole numbers"),
    ("probability_alive", (1, np.nan, 4.0), r"history: column 'recency' has 1 missing value"),
    ("conditional_expected_purchases", (-5.0, 1, 1.0, 4.0), r"t: expected numbers in \[0, inf\]"),
    ("conditional_expected_purchases", ([1.0, 2.0], [1, 1, 1], [1.0] * 3, [4.0] * 3), r"t: expected a number or 3"),
    ("predict", (1.0, GOOD.drop(columns="recency")), r"missing column\(s\) 'recency'"),
])
def test_bgnbd_predictions_reject_bad_input(cdnow_model, method, args, message):
    with pytest.raises(ValueError, match=message):
        getattr(cdnow_model, method)(*args)


@pytest.mark.parametrize("summary, message", [
    (GOOD.drop(columns="monetary_value"), r"missing column\(s\) 'monetary_value'"),
    (_with(monetary_value=[0.0, 0.0, 7.0]), r"'monetary_value' should be > 0 where 'frequency' > 0"),
    (_with(monetary_value=[0.0, -3.0, 7.0]), r"'monetary_value' should be >= 0"),
    (_with(monetary_value=[0.0, np.nan, 7.0]), r"'monetary_value' has 1 missing value"),
    (_with(frequency=[0, 1.5, 1]), r"'frequency' should hold whole numbers"),
    (_with(frequency=[0, 0, 0]), r"'frequency' is 0 for every member"),
    (GOOD.iloc[:0], r"at least 1 row"),
])
def test_gamma_gamma_fit_rejects_bad_summaries(summary, message):
    with pytest.raises(ValueError, match=message):
        GammaGammaFitter().fit(summary)


def test_gamma_gamma_predictions_reject_bad_input(cdnow_value):
    _, spend, _ = cdnow_value
    with pytest.raises(ValueError, match=r"history: column 'monetary_value' should be >= 0"):
        spend.conditional_expected_average_value([1, 2], [5.0, -1.0])
    with pytest.raises(ValueError, match=r"history: column 'frequency' should hold whole numbers"):
        spend.conditional_expected_average_value([0.5], [5.0])
    with pytest.raises(ValueError, match=r"summary: pass either"):
        GammaGammaFitter().fit(GOOD, frequency=[1])


@pytest.mark.parametrize("kwargs, error, message", [
    ({"margin": 1.5}, ValueError, r"margin: expected a number in \[0, 1\]; found 1.5"),
    ({"horizon": 0}, ValueError, r"horizon: expected an integer in \[1, inf\]"),
    ({"horizon": 2.5}, ValueError, r"horizon: expected an integer"),
    ({"discount_rate": -0.1}, ValueError, r"discount_rate: expected a number in \[0, inf\]"),
    ({"period": "month"}, ValueError, r"period: expected one of \['D', 'W', 'M', 'Q', 'Y'\].*found 'month'"),
    ({"time_unit": None}, ValueError, r"time_unit: expected one of"),
    ({"summary": GOOD.drop(columns="monetary_value")}, ValueError, r"missing column\(s\) 'monetary_value'"),
    ({"summary": _with(recency=[0.0, 40.0, 3.0])}, ValueError, r"'recency' should be <= 'T'"),
    ({"purchases": BGNBDFitter()}, ValueError, r"BGNBDFitter is not fitted yet"),
    ({"spend": BGNBDFitter()}, TypeError, r"spend: expected a fitted GammaGammaFitter; found BGNBDFitter"),
    ({"purchases": GammaGammaFitter()}, TypeError, r"purchases: expected a fitted BGNBDFitter, MBGNBDFitter"),
])
def test_customer_lifetime_value_rejects_bad_input(cdnow_value, kwargs, error, message):
    purchases, spend, summary = cdnow_value
    arguments = {"purchases": purchases, "spend": spend, "summary": summary, **MONTHLY, **kwargs}
    with pytest.raises(error, match=message):
        customer_lifetime_value(**arguments)


@pytest.mark.parametrize("args, message", [
    ((100.0, 1.2, 0.1), r"retention: expected numbers in \[0, 1\]; found 1.2"),
    ((100.0, -0.1, 0.1), r"retention: expected numbers in \[0, 1\]"),
    ((100.0, 0.8, -0.1), r"discount: expected numbers in \[0, inf\]; found -0.1"),
    ((100.0, 1.0, 0.0), r"discount: expected > 0 where retention is 1"),
    (("a lot", 0.8, 0.1), r"margin: expected a number or an array of numbers"),
    ((np.nan, 0.8, 0.1), r"margin: expected numbers in \[-inf, inf\]; found nan"),
    (([1.0, 2.0], [0.5, 0.6, 0.7], 0.1), r"expected shapes that broadcast"),
])
def test_clv_contractual_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        clv_contractual(*args)


@pytest.mark.parametrize("args, message", [
    ((100.0, [], 0.1), r"retention: expected a number or a non-empty 1-D list"),
    ((100.0, [0.5, 1.5], 0.1), r"retention: expected numbers in \[0, 1\]; found 1.5"),
    ((100.0, [[0.5]], 0.1), r"retention: expected a number or a non-empty 1-D list"),
    ((100.0, 1.0, [0.0, 0.1]), r"discount: expected > 0 where retention is 1"),
])
def test_clv_sensitivity_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        clv_sensitivity(*args)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"n": 0}, ValueError, r"n: expected an integer in \[1, inf\]; found 0"),
    ({"n": 10.5}, ValueError, r"n: expected an integer"),
    ({"r": -1.0}, ValueError, r"r: expected a number in \(0, inf\)"),
    ({"b": 0.0}, ValueError, r"b: expected a number in \(0, inf\)"),
    ({"T": 0.0}, ValueError, r"T: expected numbers in \(0, inf\]"),
    ({"T": np.ones(3)}, ValueError, r"T: expected a number or an array of 10 values"),
    ({"rng": 42}, TypeError, r"rng: expected a numpy.random.Generator"),
    ({"period": -1.0}, ValueError, r"period: expected a number in \(0, inf\)"),
])
def test_simulate_bgnbd_rejects_bad_input(kwargs, error, message):
    arguments = {"n": 10, **TRUTH, "T": 39.0, "rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(error, match=message):
        simulate_bgnbd(**arguments)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"frequency": [1, -1]}, ValueError, r"frequency: column 'frequency' should hold whole numbers"),
    ({"frequency": [1, np.nan]}, ValueError, r"'frequency' has 1 missing value"),
    ({"q": 0.0}, ValueError, r"q: expected a number in \(0, inf\)"),
    ({"rng": None}, TypeError, r"rng: expected a numpy.random.Generator.*found NoneType"),
])
def test_simulate_gamma_gamma_rejects_bad_input(kwargs, error, message):
    arguments = {"frequency": [1, 2], **SPEND_TRUTH, "rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(error, match=message):
        simulate_gamma_gamma(**arguments)


@pytest.mark.parametrize("orders, kwargs, error, message", [
    (ORDERS.drop(columns="order_value"), {}, ValueError, r"missing column\(s\) 'order_value'"),
    (ORDERS.assign(order_date=["2024-01-01", "2024-01-05", "2024-01-02"]), {}, ValueError,
     r"'order_date' should be a datetime column \(parse it with pd.to_datetime\)"),
    (ORDERS.assign(order_value=[1.0, -2.0, 3.0]), {}, ValueError, r"'order_value' should be >= 0"),
    (ORDERS.assign(customer_id=[1, None, 2]), {}, ValueError, r"'customer_id' has 1 missing value"),
    (ORDERS.assign(order_date=pd.to_datetime(["2024-01-01", None, "2024-01-02"])), {}, ValueError,
     r"'order_date' has 1 missing value"),
    (ORDERS.iloc[:0], {}, ValueError, r"at least 1 row"),
    (ORDERS, {"time_unit": "Y"}, ValueError, r"time_unit: expected one of \['D', 'M', 'W'\]; found 'Y'"),
    (ORDERS, {"observation_end": "not a date"}, ValueError, r"observation_end: expected a date"),
    (ORDERS, {"observation_end": "2023-12-31"}, ValueError, r"expected orders on or before observation_end 2023-12-31"),
    (ORDERS.to_dict(), {}, TypeError, r"transactions: expected a pandas DataFrame"),
])
def test_rfm_summary_rejects_bad_input(orders, kwargs, error, message):
    arguments = {"observation_end": "2024-01-31", **kwargs}
    with pytest.raises(error, match=message):
        rfm_summary(orders, **arguments)


@pytest.mark.parametrize("calibration_end, observation_end, message", [
    ("2024-01-31", "2024-01-31", r"observation_end: expected a day after calibration_end 2024-01-31"),
    ("2023-06-30", "2024-01-31", r"expected orders on or before calibration_end 2023-06-30"),
    (None, "2024-01-31", r"calibration_end: expected a date"),
])
def test_calibration_holdout_rejects_bad_input(calibration_end, observation_end, message):
    with pytest.raises(ValueError, match=message):
        calibration_holdout(ORDERS, calibration_end, observation_end)


def test_bad_input_never_changes_the_callers_frame():
    bad = _with(recency=[0.0, 31.0, 3.0])
    before = bad.copy()
    with pytest.raises(ValueError):
        BGNBDFitter().fit(bad)
    pd.testing.assert_frame_equal(bad, before)


# --------------------------------------------------------------------------
# Module hygiene
# --------------------------------------------------------------------------



def test_import_stays_light():
    code = ("import sys, crm_course.clv; "
            "print(sorted(m for m in ('scipy', 'statsmodels', 'seaborn', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
