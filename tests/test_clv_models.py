"""Tests of the MBG/NBD, Pareto/NBD, BG/BB and sBG fitters: published values, worked examples,
numerical integration and simulation, planted-truth recovery, weights, and refused fits."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crm_course.clv import (
    BGBBFitter,
    MBGNBDFitter,
    ParetoNBDFitter,
    SBGFitter,
    clv_contractual,
    rfm_summary,
    simulate_bgbb,
    simulate_mbgnbd,
    simulate_pareto_nbd,
    simulate_sbg,
)
from crm_course.clv import bgbb, mbgnbd, pareto_nbd, sbg

DATA = Path(__file__).parent / "data"

# lifetimes 0.11.3, ModifiedBetaGeoFitter().fit(x, t_x, T) with its defaults on
# tests/data/cdnow_customers_summary_with_transactions.csv (the same file as ours), and
# its summary's standard errors; the course never imports lifetimes, so they are recorded here.
LIFETIMES_MBGNBD = {"r": 0.5248377255676623, "alpha": 6.182988479133949, "a": 0.8913562809311403,
                    "b": 1.6140000256721425}
LIFETIMES_MBGNBD_SE = {"r": 0.083264, "alpha": 0.695597, "a": 0.154785, "b": 0.537472}
# Fader, Hardie & Lee (2005a), CDNOW, Pareto/NBD.
PUBLISHED_PARETO = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
PUBLISHED_PARETO_LL = -9594.98
# Fader, Hardie & Shang (2010), donations, BG/BB, and the log-likelihood of the same fit.
PUBLISHED_BGBB = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
PUBLISHED_BGBB_LL = -33225.6
# Fader & Hardie (2007), Table 1: customers still active at the start of years 0-12 (of 1,000).
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]
# ... and their sBG estimates from years 1-7.
PUBLISHED_SBG = {"regular": {"gamma": 0.704, "delta": 1.182}, "high end": {"gamma": 0.668, "delta": 3.806}}

MBG_TRUTH = {"r": 0.5, "alpha": 6.0, "a": 0.9, "b": 1.6}
PARETO_TRUTH = {"r": 0.55, "alpha": 10.6, "s": 0.6, "beta": 11.7}
BGBB_TRUTH = {"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.8}


def _rel(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.abs(b)))


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    summary = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv", index_col="ID")
    return summary.rename(columns={"x": "frequency", "t_x": "recency"})[["frequency", "recency", "T"]]


@pytest.fixture(scope="module")
def cdnow_exact() -> pd.DataFrame:
    orders = pd.read_csv(DATA / "CDNOW_sample.txt", sep=r"\s+", header=None,
                         names=["master_id", "customer_id", "order_date", "cds", "order_value"],
                         dtype={"order_date": str})
    orders["order_date"] = pd.to_datetime(orders["order_date"], format="%Y%m%d")
    return rfm_summary(orders, "1997-09-30", value_col=None)


@pytest.fixture(scope="module")
def donations() -> pd.DataFrame:
    return pd.read_csv(DATA / "donations.csv").rename(columns={"periods": "T"})


@pytest.fixture(scope="module")
def bgbb_donations(donations) -> BGBBFitter:
    return BGBBFitter().fit(donations, weights=donations["weights"])


def _cohort_T(n: int, rng: np.random.Generator) -> np.ndarray:
    # Members join over 12 weeks and are watched until one end date, in days (as CDNOW).
    return (39 * 7 + rng.integers(0, 84, n)) / 7


# --------------------------------------------------------------------------
# MBG/NBD
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mbg_cdnow(cdnow) -> MBGNBDFitter:
    return MBGNBDFitter().fit(cdnow)


def test_mbgnbd_agrees_with_lifetimes_on_cdnow_to_three_significant_digits(mbg_cdnow):
    assert _rel(mbg_cdnow.params_[list(LIFETIMES_MBGNBD)], list(LIFETIMES_MBGNBD.values())) < 5e-4
    assert _rel(mbg_cdnow.standard_errors_[list(LIFETIMES_MBGNBD_SE)], list(LIFETIMES_MBGNBD_SE.values())) < 5e-4
    assert mbg_cdnow.n_members_ == 2357


def test_mbgnbd_predictions_agree_with_lifetimes_formulas():
    # lifetimes 0.11.3's ModifiedBetaGeoFitter with params_ set to these values gives
    # conditional_probability_alive, expected_number_of_purchases_up_to_time(39),
    # conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86) and
    # probability_of_n_purchases_up_to_time(39, n) as recorded here.
    model = MBGNBDFitter.from_params(r=0.525, alpha=6.183, a=0.891, b=1.614)
    np.testing.assert_allclose(model.probability_alive([0, 2], [0.0, 30.43], [38.86, 38.86]),
                               [0.38973508, 0.70620227], rtol=1e-7)
    assert model.expected_purchases(39.0) == pytest.approx(1.1829536655971713, rel=1e-10)
    assert model.conditional_expected_purchases(39.0, 2, 30.43, 38.86) == pytest.approx(1.2629606232673432,
                                                                                        rel=1e-10)
    np.testing.assert_allclose(model.probability_of_purchases(np.arange(4), 39.0),
                               [0.58247318949, 0.18278307729, 0.08689482567, 0.04857044295], rtol=1e-9)


def test_mbgnbd_agrees_with_lifetimes_when_it_is_installed(cdnow, mbg_cdnow):
    lifetimes = pytest.importorskip("lifetimes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = lifetimes.ModifiedBetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert _rel(mbg_cdnow.params_[["r", "alpha", "a", "b"]], theirs.params_[["r", "alpha", "a", "b"]]) < 5e-4
    x, tx, T = cdnow["frequency"].to_numpy(), cdnow["recency"].to_numpy(), cdnow["T"].to_numpy()
    mbg_cdnow_theirs = MBGNBDFitter.from_params(**theirs.params_.to_dict())
    np.testing.assert_allclose(mbg_cdnow_theirs.probability_alive(x, tx, T),
                               theirs.conditional_probability_alive(x, tx, T), rtol=1e-9)
    np.testing.assert_allclose(mbg_cdnow_theirs.conditional_expected_purchases(20.0, x, tx, T),
                               theirs.conditional_expected_number_of_purchases_up_to_time(20.0, x, tx, T),
                               rtol=1e-8)


def test_mbgnbd_probability_alive_is_below_one_without_repeat_purchases(mbg_cdnow):
    r, alpha, a, b = mbg_cdnow.params_
    p = mbg_cdnow.probability_alive(0, 0.0, 38.86)
    assert p == pytest.approx(1 / (1 + a / b * ((alpha + 38.86) / alpha) ** r))
    assert 0 < p < 1


def test_mbgnbd_probabilities_sum_to_one_and_have_the_mean():
    model = MBGNBDFitter.from_params(**MBG_TRUTH)
    n = np.arange(3000)
    for t in (1.0, 39.0, 200.0):
        p = model.probability_of_purchases(n, t)
        assert p.sum() == pytest.approx(1.0, abs=1e-9)
        assert (p * n).sum() == pytest.approx(model.expected_purchases(t), rel=1e-8)


def test_mbgnbd_agrees_with_simulation():
    rng = np.random.default_rng(31)
    members = simulate_mbgnbd(200_000, **MBG_TRUTH, T=39.0, rng=rng, latent=True)
    model = MBGNBDFitter.from_params(**MBG_TRUTH)
    x = members["frequency"]
    se = x.std() / np.sqrt(len(x))
    assert abs(x.mean() - model.expected_purchases(39.0)) < 4 * se
    # The fitted histogram: share of members with 0, 1, 2, 3 repeat purchases.
    for k in range(4):
        p = model.probability_of_purchases(k, 39.0)
        assert abs((x == k).mean() - p) < 4 * np.sqrt(p * (1 - p) / len(x))
    alive = model.probability_alive(members["frequency"], members["recency"], members["T"])
    assert abs(members["alive"].sum() - alive.sum()) < 4 * np.sqrt((alive * (1 - alive)).sum())
    future = model.conditional_expected_purchases(26.0, members["frequency"], members["recency"], members["T"])
    increment = model.expected_purchases(65.0) - model.expected_purchases(39.0)
    assert abs(future.mean() - increment) < 4 * future.std() / np.sqrt(len(future))


@pytest.fixture(scope="module")
def mbg_planted() -> MBGNBDFitter:
    rng = np.random.default_rng(32)
    return MBGNBDFitter().fit(simulate_mbgnbd(30_000, **MBG_TRUTH, T=_cohort_T(30_000, rng), rng=rng, period=1 / 7))


def test_mbgnbd_recovers_planted_parameters(mbg_planted):
    summary = mbg_planted.summary
    for name, value in MBG_TRUTH.items():
        assert summary.loc[name, "lower_95"] <= value <= summary.loc[name, "upper_95"], name


@pytest.mark.parametrize("name, changed", [("r", 1.0), ("alpha", 12.0), ("a", 1.8), ("b", 3.2)])
def test_mbgnbd_estimate_follows_a_changed_truth(mbg_planted, name, changed):
    rng = np.random.default_rng(33)
    truth = {**MBG_TRUTH, name: changed}
    moved = MBGNBDFitter().fit(simulate_mbgnbd(30_000, **truth, T=_cohort_T(30_000, rng), rng=rng, period=1 / 7))
    gap = moved.params_[name] - mbg_planted.params_[name]
    assert gap > 1.96 * np.hypot(moved.standard_errors_[name], mbg_planted.standard_errors_[name])


def test_mbgnbd_gradient_matches_finite_differences(cdnow):
    x, tx, T = (cdnow[c].to_numpy(dtype=float) for c in ["frequency", "recency", "T"])
    loglik = mbgnbd._MBGNBDLikelihood(x, tx, T, np.ones(len(x)))
    theta = np.array([0.4, 5.0, 0.7, 2.0])
    numeric = [(loglik(theta + h)[0] - loglik(theta - h)[0]) / 2e-6 for h in np.eye(4) * 1e-6]
    np.testing.assert_allclose(loglik(theta, True)[1], numeric, rtol=1e-5)


# --------------------------------------------------------------------------
# Pareto/NBD
# --------------------------------------------------------------------------


def _pareto_reference(theta, x, tx, T):
    """P(alive) and log-likelihood by numerical integration of the likelihood's dropout term."""
    from scipy.integrate import quad
    from scipy.special import gammaln

    r, alpha, s, beta = theta
    # The dropout integral relative to the "alive" term, integrand scaled to 1 at tau = T.
    integrand = lambda u: np.exp(-(r + x) * np.log((alpha + u) / (alpha + T))  # noqa: E731
                                 - (s + 1) * np.log((beta + u) / (beta + T)))
    scaled = quad(integrand, tx, T, epsabs=0, epsrel=1e-12, limit=500)[0] if T > tx else 0.0
    d = np.log(s * scaled / (beta + T)) if scaled > 0 else -np.inf
    log_alive = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) \
        - (r + x) * np.log(alpha + T) - s * np.log(beta + T)
    return 1 / (1 + np.exp(d)), log_alive + np.logaddexp(0.0, d)


@pytest.fixture(scope="module")
def pareto_cdnow(cdnow_exact) -> ParetoNBDFitter:
    return ParetoNBDFitter().fit(cdnow_exact)


def test_pareto_nbd_reproduces_fader_hardie_lee_on_cdnow(pareto_cdnow, cdnow, cdnow_exact):
    assert pareto_cdnow.params_.round(3).to_dict() == PUBLISHED_PARETO
    assert round(pareto_cdnow.log_likelihood_, 2) == PUBLISHED_PARETO_LL
    # The shipped summary rounds times to 2 decimals, which moves beta by 0.001 on a flat ridge.
    rounded = ParetoNBDFitter().fit(cdnow)
    np.testing.assert_allclose(rounded.params_, pareto_cdnow.params_, rtol=2e-4)
    assert rounded.log_likelihood_ == pytest.approx(PUBLISHED_PARETO_LL, abs=0.01)


def test_pareto_nbd_likelihood_and_probability_alive_match_numerical_integration(cdnow_exact):
    theta = np.array(list(PUBLISHED_PARETO.values()))
    rows = cdnow_exact.drop_duplicates().iloc[::7]
    x, tx, T = (rows[c].to_numpy(dtype=float) for c in ["frequency", "recency", "T"])
    loglik = pareto_nbd._ParetoNBDLikelihood(x, tx, T, np.ones(len(x)))
    reference = np.array([_pareto_reference(theta, *row) for row in zip(x, tx, T)])
    assert loglik(theta)[0] == pytest.approx(reference[:, 1].sum(), rel=1e-11)
    model = ParetoNBDFitter.from_params(**PUBLISHED_PARETO)
    np.testing.assert_allclose(model.probability_alive(x, tx, T), reference[:, 0], rtol=1e-9)


@pytest.mark.parametrize("theta, history", [
    # Where lifetimes 0.11.3 returns NaN (scipy's hyp2f1 fails for z > 0.9 with large parameters).
    ((2.0, 1.0, 0.5, 200.0), (300, 2.0, 10.0)),
    ((2.0, 1.0, 0.5, 200.0), (150, 9.0, 10.0)),
    ((2.0, 1.0, 0.5, 200.0), (1000, 9.5, 10.0)),
    ((0.5, 0.5, 0.8, 50.0), (300, 2.0, 10.0)),
    ((0.5, 0.5, 0.8, 50.0), (1000, 9.5, 10.0)),
    # alpha far above beta, the other branch, and lifetimes' own overflow example.
    ((1.0, 300.0, 0.5, 0.2), (1000, 9.5, 10.0)),
    ((1.0, 300.0, 0.5, 0.2), (0, 0.0, 30.0)),
    ((10.465, 7.98565181e-03, 3.0516, 2.820), (400, 5.0, 6.0)),
    ((0.553, 10.578, 0.606, 11.669), (2000, 38.0, 39.0)),
])
def test_pareto_nbd_stays_exact_where_naive_evaluation_fails(theta, history):
    model = ParetoNBDFitter.from_params(**dict(zip(["r", "alpha", "s", "beta"], theta)))
    reference_alive, reference_ll = _pareto_reference(np.array(theta), *history)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        alive = model.probability_alive(*history)
        ll = pareto_nbd._ParetoNBDLikelihood(*(np.array([v], dtype=float) for v in history), np.ones(1))(
            np.array(theta))[0]
    assert alive == pytest.approx(reference_alive, rel=1e-9, abs=1e-300)
    assert ll == pytest.approx(reference_ll, rel=1e-11)


def test_hypergeometric_continued_fraction_matches_scipy_and_the_series():
    from scipy.special import hyp2f1

    rng = np.random.default_rng(34)
    b = np.exp(rng.uniform(np.log(0.01), np.log(1e4), 20_000))
    c = b + np.where(rng.random(20_000) < 0.5, np.exp(rng.uniform(np.log(0.01), np.log(1e3), 20_000)),
                     rng.integers(1, 100, 20_000) + 1.0)  # whole differences included
    z = rng.uniform(0, 0.9, 20_000)
    # Where scipy is used (z <= 0.9), the continued fraction agrees with it: either would do.
    np.testing.assert_allclose(pareto_nbd._continued_fraction(b, c, z), hyp2f1(1.0, b, c, z), rtol=1e-13)
    # Above 0.9 (where scipy may return NaN) it agrees with the power series summed term by term.
    for bb, cc, zz in [(1.5, 153.5, 0.948), (300.2, 301.8, 0.999), (0.6, 1.7, 0.999), (2000.5, 2002.1, 0.9999)]:
        k = np.arange(2_000_000)
        terms = np.exp(np.concatenate([[0.0], np.cumsum(np.log((bb + k) / (cc + k) * zz))[:-1]]))
        assert pareto_nbd._hyp2f1_one(bb, cc, zz)[0] == pytest.approx(np.sort(terms).sum(), rel=1e-12)


def test_pareto_nbd_expectations_match_integrals_and_probabilities():
    from scipy.integrate import quad
    from scipy.stats import gamma as gamma_dist

    theta = PARETO_TRUTH
    model = ParetoNBDFitter.from_params(**theta)
    r, alpha, s, beta = theta.values()
    for t in (1.0, 39.0, 300.0):
        # E[X(t)] = E[lambda] E[(1 - exp(-mu t)) / mu] with mu ~ Gamma(s, beta).
        inner = quad(lambda mu: -np.expm1(-mu * t) / mu * gamma_dist.pdf(mu, s, scale=1 / beta), 0, np.inf,
                     epsrel=1e-12, limit=500)[0]
        assert model.expected_purchases(t) == pytest.approx(r / alpha * inner, rel=1e-8)
        n = np.arange(600)  # beyond 600 purchases the mass is below 1e-10 even at t = 300
        p = model.probability_of_purchases(n, t)
        assert p.sum() == pytest.approx(1.0, abs=1e-10)
        assert (n * p).sum() == pytest.approx(model.expected_purchases(t), rel=1e-7)
    # s = 1 is a limit of the closed form, not a division by zero.
    near = ParetoNBDFitter.from_params(r=0.5, alpha=10.0, s=1.0 + 1e-9, beta=12.0)
    at = ParetoNBDFitter.from_params(r=0.5, alpha=10.0, s=1.0, beta=12.0)
    assert at.expected_purchases(39.0) == pytest.approx(near.expected_purchases(39.0), rel=1e-7)
    assert at.conditional_expected_purchases(39.0, 3, 20.0, 39.0) == pytest.approx(
        near.conditional_expected_purchases(39.0, 3, 20.0, 39.0), rel=1e-7)


def test_pareto_nbd_probability_of_purchases_matches_its_integral():
    from scipy.integrate import quad
    from scipy.special import gammaln

    for theta in (PARETO_TRUTH, {"r": 0.8, "alpha": 3.0, "s": 1.5, "beta": 20.0}):
        model = ParetoNBDFitter.from_params(**theta)
        r, alpha, s, beta = theta.values()
        for x, t in [(0, 39.0), (1, 5.0), (3, 39.0), (8, 100.0)]:
            log_c = gammaln(r + x) - gammaln(r) - gammaln(x + 1) + r * np.log(alpha)
            alive = np.exp(log_c + x * np.log(t) - (r + x) * np.log(alpha + t) + s * np.log(beta / (beta + t)))
            dead = quad(lambda u: np.exp(log_c + x * np.log(u) - (r + x) * np.log(alpha + u)
                                         + np.log(s) + s * np.log(beta) - (s + 1) * np.log(beta + u)),
                        0, t, epsabs=0, epsrel=1e-12)[0]
            assert model.probability_of_purchases(x, t) == pytest.approx(alive + dead, rel=1e-8)


def test_pareto_nbd_agrees_with_simulation():
    rng = np.random.default_rng(35)
    members = simulate_pareto_nbd(200_000, **PARETO_TRUTH, T=39.0, rng=rng, latent=True)
    model = ParetoNBDFitter.from_params(**PARETO_TRUTH)
    alive = model.probability_alive(members["frequency"], members["recency"], members["T"])
    assert abs(members["alive"].sum() - alive.sum()) < 4 * np.sqrt((alive * (1 - alive)).sum())
    for k in range(3):
        p = model.probability_of_purchases(k, 39.0)
        assert abs((members["frequency"] == k).mean() - p) < 4 * np.sqrt(p * (1 - p) / len(members))
    future = model.conditional_expected_purchases(26.0, members["frequency"], members["recency"], members["T"])
    increment = model.expected_purchases(65.0) - model.expected_purchases(39.0)
    assert abs(future.mean() - increment) < 4 * future.std() / np.sqrt(len(future))


@pytest.fixture(scope="module")
def pareto_planted() -> ParetoNBDFitter:
    rng = np.random.default_rng(36)
    return ParetoNBDFitter().fit(simulate_pareto_nbd(40_000, **PARETO_TRUTH, T=_cohort_T(40_000, rng), rng=rng,
                                                     period=1 / 7))


def test_pareto_nbd_recovers_planted_parameters(pareto_planted):
    summary = pareto_planted.summary
    for name, value in PARETO_TRUTH.items():
        assert summary.loc[name, "lower_95"] <= value <= summary.loc[name, "upper_95"], name


@pytest.mark.parametrize("name, changed", [("r", 1.1), ("alpha", 21.0), ("s", 1.5), ("beta", 40.0)])
def test_pareto_nbd_estimate_follows_a_changed_truth(pareto_planted, name, changed):
    rng = np.random.default_rng(37)
    truth = {**PARETO_TRUTH, name: changed}
    moved = ParetoNBDFitter().fit(simulate_pareto_nbd(40_000, **truth, T=_cohort_T(40_000, rng), rng=rng,
                                                      period=1 / 7))
    gap = moved.params_[name] - pareto_planted.params_[name]
    assert gap > 1.96 * np.hypot(moved.standard_errors_[name], pareto_planted.standard_errors_[name])


def test_pareto_nbd_fit_stays_finite_with_heavy_buyers(cdnow):
    heavy = pd.DataFrame({"frequency": [400, 800, 1500], "recency": [38.0, 10.0, 38.5], "T": [38.86] * 3})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = ParetoNBDFitter().fit(pd.concat([cdnow, heavy]))
    assert np.isfinite(model.log_likelihood_) and np.isfinite(model.standard_errors_).all()
    assert model.probability_alive(800, 10.0, 38.86) < 1e-6


# --------------------------------------------------------------------------
# BG/BB
# --------------------------------------------------------------------------


def test_bgbb_reproduces_fader_hardie_shang_on_donations(bgbb_donations):
    assert bgbb_donations.params_.round(3).to_dict() == PUBLISHED_BGBB
    assert round(bgbb_donations.log_likelihood_, 1) == PUBLISHED_BGBB_LL
    assert bgbb_donations.n_members_ == 11_104 and bgbb_donations.n_distinct_ == 22


def test_bgbb_reproduces_the_papers_table_6_and_hardies_spreadsheet(bgbb_donations, donations):
    # Table 6: P(alive in 2002) for donors whose last donation was in 1995 (none since), 1999 (two
    # repeat donations) and 2001 (six).
    alive = bgbb_donations.probability_alive([0, 2, 6], [0, 4, 6], [6, 6, 6])
    assert alive.round(2).tolist() == [0.11, 0.59, 0.93]
    # Hardie's BG/BB spreadsheet (note 010): expected donations in 2002-2006 summed over the donors,
    # and the expected number of donors with 0 and with 6 repeat donations in 1996-2001.
    future = bgbb_donations.predict(5, donations)
    assert round(float((future * donations["weights"]).sum()), 1) == 12884.2
    expected = 11_104 * bgbb_donations.probability_of_purchases([0, 6], 6)
    assert expected.round(1).tolist() == [3454.9, 1253.1]


def test_bgbb_formulas_agree_with_each_other_and_with_sums(bgbb_donations):
    model = bgbb_donations
    for n in (1, 6, 20):
        p = model.probability_of_purchases(np.arange(n + 1), n)
        assert p.sum() == pytest.approx(1.0, abs=1e-12)
        assert (np.arange(n + 1) * p).sum() == pytest.approx(model.expected_purchases(n), rel=1e-10)
        assert model.probability_of_purchases(n + 1, n) == 0.0
    # The expected opportunities alive, by their sum: alive at n + 1 and at each later one.
    a, b, g, d = model.params_
    from scipy.special import betaln
    x, n, horizon = 2, 6, 7
    per_step = np.exp(betaln(g, d + n + 1 + np.arange(horizon)) - betaln(g, d + n + 1))
    expected = model.probability_alive(x, 4, n) * (a + x) / (a + b + n) * per_step.sum()
    assert model.conditional_expected_purchases(horizon, x, 4, n) == pytest.approx(expected, rel=1e-10)
    assert bgbb._alive_opportunities(np.array([a, b, 1.0, d]), 7, 6) == pytest.approx(
        bgbb._alive_opportunities(np.array([a, b, 1.0 + 1e-7, d]), 7, 6), rel=1e-6)


def test_bgbb_agrees_with_simulation():
    rng = np.random.default_rng(38)
    donors = simulate_bgbb(200_000, **BGBB_TRUTH, T=6, rng=rng, latent=True)
    model = BGBBFitter.from_params(**BGBB_TRUTH)
    alive = model.probability_alive(donors["frequency"], donors["recency"], donors["T"])
    assert abs(donors["alive"].sum() - alive.sum()) < 4 * np.sqrt((alive * (1 - alive)).sum())
    for k in range(7):
        p = model.probability_of_purchases(k, 6)
        assert abs((donors["frequency"] == k).mean() - p) < 4 * np.sqrt(p * (1 - p) / len(donors))
    future = model.conditional_expected_purchases(5, donors["frequency"], donors["recency"], donors["T"])
    increment = model.expected_purchases(11) - model.expected_purchases(6)
    assert abs(future.mean() - increment) < 4 * future.std() / np.sqrt(len(future))


@pytest.fixture(scope="module")
def bgbb_planted() -> BGBBFitter:
    rng = np.random.default_rng(39)
    return BGBBFitter().fit(simulate_bgbb(40_000, **BGBB_TRUTH, T=rng.integers(4, 9, 40_000), rng=rng))


def test_bgbb_recovers_planted_parameters(bgbb_planted):
    summary = bgbb_planted.summary
    for name, value in BGBB_TRUTH.items():
        assert summary.loc[name, "lower_95"] <= value <= summary.loc[name, "upper_95"], name


@pytest.mark.parametrize("name, changed", [("alpha", 2.4), ("beta", 1.5), ("gamma", 1.3), ("delta", 5.6)])
def test_bgbb_estimate_follows_a_changed_truth(bgbb_planted, name, changed):
    rng = np.random.default_rng(40)
    truth = {**BGBB_TRUTH, name: changed}
    moved = BGBBFitter().fit(simulate_bgbb(40_000, **truth, T=rng.integers(4, 9, 40_000), rng=rng))
    gap = moved.params_[name] - bgbb_planted.params_[name]
    assert gap > 1.96 * np.hypot(moved.standard_errors_[name], bgbb_planted.standard_errors_[name])


def test_bgbb_gradient_matches_finite_differences(donations):
    loglik = bgbb._BGBBLikelihood(*(donations[c].to_numpy(dtype=float) for c in ["frequency", "recency", "T"]),
                                  donations["weights"].to_numpy(dtype=float))
    theta = np.array([1.0, 0.8, 0.7, 2.5])
    numeric = [(loglik(theta + h)[0] - loglik(theta - h)[0]) / 2e-6 for h in np.eye(4) * 1e-6]
    np.testing.assert_allclose(loglik(theta, True)[1], numeric, rtol=1e-5)


# --------------------------------------------------------------------------
# The BG/NBD's new methods (P(X(t) = x) of Fader, Hardie & Lee, 2005a, eq. 8)
# --------------------------------------------------------------------------


def test_bgnbd_probability_of_purchases_sums_to_one_and_matches_simulation():
    from crm_course.clv import BGNBDFitter, simulate_bgnbd

    truth = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    model = BGNBDFitter.from_params(**truth)
    n = np.arange(3000)
    p = model.probability_of_purchases(n, 39.0)
    assert p.sum() == pytest.approx(1.0, abs=1e-10)
    assert (n * p).sum() == pytest.approx(model.expected_purchases(39.0), rel=1e-9)
    assert model.probability_of_purchases(0, 0.0) == 1.0
    members = simulate_bgnbd(200_000, **truth, T=39.0, rng=np.random.default_rng(43))
    for k in range(4):
        share = model.probability_of_purchases(k, 39.0)
        assert abs((members["frequency"] == k).mean() - share) < 4 * np.sqrt(share * (1 - share) / len(members))


# --------------------------------------------------------------------------
# Weights: distinct rows with counts fit like the members
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fitter, members", [
    (MBGNBDFitter, lambda rng: simulate_mbgnbd(3_000, **MBG_TRUTH, T=39.0, rng=rng, period=1.0)),
    (ParetoNBDFitter, lambda rng: simulate_pareto_nbd(3_000, **PARETO_TRUTH, T=39.0, rng=rng, period=1.0)),
    (BGBBFitter, lambda rng: simulate_bgbb(3_000, **BGBB_TRUTH, T=6, rng=rng)),
])
def test_weighted_distinct_rows_fit_like_the_members(fitter, members):
    data = members(np.random.default_rng(41))
    rows = data.value_counts(["frequency", "recency", "T"]).rename("n").reset_index()
    assert len(rows) < len(data)
    full = fitter().fit(data)
    weighted = fitter().fit(rows, weights=rows["n"])
    np.testing.assert_allclose(weighted.params_, full.params_, rtol=1e-5)
    np.testing.assert_allclose(weighted.standard_errors_, full.standard_errors_, rtol=1e-3)
    assert weighted.log_likelihood_ == pytest.approx(full.log_likelihood_, rel=1e-10)
    assert weighted.n_members_ == full.n_members_ == 3_000 and full.n_distinct_ == len(rows)


def test_bgbb_on_the_donors_one_by_one_equals_the_pattern_table(donations, bgbb_donations):
    donors = donations.loc[donations.index.repeat(donations["weights"]), ["frequency", "recency", "T"]]
    model = BGBBFitter().fit(donors)
    np.testing.assert_allclose(model.params_, bgbb_donations.params_, rtol=1e-6)


# --------------------------------------------------------------------------
# sBG
# --------------------------------------------------------------------------


@pytest.mark.parametrize("segment, table", [("regular", REGULAR), ("high end", HIGH_END)])
def test_sbg_reproduces_fader_hardie_2007(segment, table):
    model = SBGFitter().fit(table[:8])  # years 1-7, as in the paper
    assert model.params_.round(3).to_dict() == PUBLISHED_SBG[segment]
    # The paper's point: the projection of years 8-12 from years 1-7 is close to what happened.
    projected = 100 * model.survival(np.arange(8, 13))
    actual = np.array(table[8:]) / 10
    assert np.abs(projected - actual).max() < 2.0  # percentage points
    assert model.n_members_ == 1000


def test_sbg_survival_retention_and_churn_fit_together():
    model = SBGFitter.from_params(**PUBLISHED_SBG["regular"])
    t = np.arange(1, 30)
    survival = model.survival(np.arange(30))
    np.testing.assert_allclose(survival[1:], np.cumprod(model.retention_rate(t)), rtol=1e-12)
    np.testing.assert_allclose(model.churn_probability(t), -np.diff(survival), rtol=1e-10)
    assert model.retention_rate(1) == pytest.approx(1.182 / (0.704 + 1.182))
    assert (np.diff(model.retention_rate(t)) > 0).all()  # retention rises with tenure: sorting
    projection = model.project(12, cohort_size=1000)
    assert projection["survivors"].iloc[0] == 1000 and np.isnan(projection["retention_rate"].iloc[0])
    np.testing.assert_allclose(projection["survival"], survival[:13])


def test_sbg_derl_is_the_discounted_sum_and_rises_with_renewals():
    model = SBGFitter.from_params(**PUBLISHED_SBG["high end"])
    d, t = 0.1, np.arange(0, 5000)
    for k in (0, 3, 10):
        by_sum = np.sum(model.survival(k + 1 + t) / model.survival(k) / (1 + d) ** t)
        assert model.derl(d, k) == pytest.approx(by_sum, rel=1e-9)
    assert (np.diff(model.derl(d, np.arange(10))) > 0).all()
    # A new customer who has just paid: 1 + DERL(0) / (1 + d) payments, discounted.
    new = np.sum(model.survival(t) / (1 + d) ** t)
    assert 1 + model.derl(d, 0) / (1 + d) == pytest.approx(new, rel=1e-9)


def test_sbg_without_heterogeneity_is_the_textbook_formula():
    # gamma, delta -> infinity with delta / (gamma + delta) = r: every customer retains with probability r.
    r, d = 0.8, 0.12
    homogeneous = SBGFitter.from_params(gamma=(1 - r) * 1e7, delta=r * 1e7)
    assert homogeneous.derl(d, 5) / (1 + d) == pytest.approx(clv_contractual(1.0, r, d), rel=1e-5)


def test_sbg_expected_lifetime():
    model = SBGFitter.from_params(gamma=2.5, delta=3.0)
    assert model.expected_lifetime() == pytest.approx(model.survival(np.arange(200_000)).sum(), rel=1e-6)
    assert SBGFitter.from_params(**PUBLISHED_SBG["regular"]).expected_lifetime() == np.inf


def test_sbg_recovers_a_planted_truth_and_pools_cohorts():
    rng = np.random.default_rng(42)
    cohorts = [simulate_sbg(5_000, 0.7, 1.2, periods, rng) for periods in (8, 5, 3)]
    model = SBGFitter().fit(cohorts)
    summary = model.summary
    for name, value in {"gamma": 0.7, "delta": 1.2}.items():
        assert summary.loc[name, "lower_95"] <= value <= summary.loc[name, "upper_95"], name
    assert model.n_members_ == 15_000 and model.cohort_size_ == 5_000
    moved = SBGFitter().fit([simulate_sbg(5_000, 0.7, 2.4, periods, rng) for periods in (8, 5, 3)])
    assert moved.params_["delta"] - model.params_["delta"] > 1.96 * np.hypot(moved.standard_errors_["delta"],
                                                                             model.standard_errors_["delta"])


def test_sbg_gradient_matches_finite_differences():
    loglik = sbg._SBGLikelihood([np.array(REGULAR[:8], dtype=float), np.array(HIGH_END[:5], dtype=float)])
    theta = np.array([0.8, 1.7])
    numeric = [(loglik(theta + h)[0] - loglik(theta - h)[0]) / 2e-6 for h in np.eye(2) * 1e-6]
    np.testing.assert_allclose(loglik(theta, True)[1], numeric, rtol=1e-6)


# --------------------------------------------------------------------------
# Refused fits and bad input
# --------------------------------------------------------------------------


SILENT = pd.DataFrame({"frequency": [1, 2, 3], "recency": [5.0, 7.0, 9.0], "T": [5.0, 7.0, 9.0]})
NO_REPEAT = pd.DataFrame({"frequency": [0, 0], "recency": [0.0, 0.0], "T": [5.0, 9.0]})
NO_TIME = pd.DataFrame({"frequency": [0, 1], "recency": [0.0, 0.0], "T": [0.0, 0.0]})


@pytest.mark.parametrize("fitter", [MBGNBDFitter, ParetoNBDFitter])
@pytest.mark.parametrize("data, message", [
    (NO_REPEAT, r"'frequency' is 0 for every member; the model needs some repeat purchases"),
    (NO_TIME, r"'T' is 0 for every member"),
    (SILENT, r"every member bought at the very end of observation \(recency equal to T\)"),
])
def test_continuous_fitters_refuse_data_that_cannot_identify_them(fitter, data, message):
    with pytest.raises(ValueError, match=message):
        fitter().fit(data)


@pytest.mark.parametrize("data, message", [
    (pd.DataFrame({"frequency": [0, 1, 2], "recency": [0, 2, 2], "T": [2, 2, 2]}),
     r"'T' is at most 2; the BG/BB needs at least 3 transaction opportunities"),
    (pd.DataFrame({"frequency": [0, 1, 2, 3], "recency": [0, 1, 2, 3], "T": [6, 6, 6, 6]}),
     r"no member missed an opportunity before their last transaction"),
    (pd.DataFrame({"frequency": [1, 2], "recency": [1.5, 2], "T": [6, 6]}), r"'recency' should hold whole numbers"),
    (pd.DataFrame({"frequency": [3, 2], "recency": [2, 2], "T": [6, 6]}),
     r"'recency' should be >= 'frequency'.*frequency 3.0 with recency 2.0"),
    (pd.DataFrame({"frequency": [0, 0], "recency": [0, 0], "T": [6, 6]}), r"'frequency' is 0 for every member"),
])
def test_bgbb_refuses_data_it_cannot_use(data, message):
    with pytest.raises(ValueError, match=message):
        BGBBFitter().fit(data)


@pytest.mark.parametrize("survivors, message", [
    ([1000, 600], r"at least 2 renewal periods"),
    ([1000, 1000, 1000], r"nobody cancelled"),
    ([1000, 0, 0], r"nobody renewed even once"),
    ([1000, 600, 700], r"counts that never rise.*600.0 then 700.0 at period 2"),
    ([1000, 600.5, 500], r"whole numbers of customers"),
    ([0, 0, 0], r"cohort size > 0"),
    ([[1000, 600, 500], [500]], r"survivors\[1\]: expected a 1-D sequence of at least 2 counts"),
    (pd.DataFrame({"a": [1000, 600, 500]}), r"found a DataFrame"),
    (["many", "few"], r"survivors: expected a number or an array of numbers"),
])
def test_sbg_refuses_bad_survival_tables(survivors, message):
    with pytest.raises(ValueError, match=message):
        SBGFitter().fit(survivors)


@pytest.mark.parametrize("call, message", [
    (lambda m: m.expected_purchases(-1.0), r"t: expected numbers in \[0, inf\]"),
    (lambda m: m.probability_alive(1, 5.0, 4.0), r"history: column 'recency' should be <= 'T'"),
    (lambda m: m.conditional_expected_purchases([1.0, 2.0], [1, 1, 1], [1.0] * 3, [4.0] * 3),
     r"t: expected a number or 3"),
    (lambda m: m.probability_of_purchases(1.5, 4.0), r"n: expected whole numbers of purchases"),
    (lambda m: m.probability_of_purchases([1, 2], [1.0, 2.0, 3.0]), r"n, t: expected shapes that broadcast"),
    (lambda m: m.predict(1.0, SILENT.drop(columns="T")), r"missing column\(s\) 'T'"),
])
@pytest.mark.parametrize("model", [MBGNBDFitter.from_params(**MBG_TRUTH), ParetoNBDFitter.from_params(**PARETO_TRUTH)])
def test_continuous_predictions_reject_bad_input(model, call, message):
    with pytest.raises(ValueError, match=message):
        call(model)


def test_bgbb_predictions_need_whole_opportunities():
    model = BGBBFitter.from_params(**PUBLISHED_BGBB)
    with pytest.raises(ValueError, match=r"t: expected whole numbers of transaction opportunities; found 2.5"):
        model.expected_purchases(2.5)
    with pytest.raises(ValueError, match=r"history: column 'T' should hold whole numbers"):
        model.probability_alive(1, 1, 5.5)
    with pytest.raises(ValueError, match=r"not fitted yet"):
        BGBBFitter().probability_alive(1, 1, 5)


@pytest.mark.parametrize("call, error, message", [
    (lambda: simulate_mbgnbd(0, **MBG_TRUTH, T=39.0, rng=np.random.default_rng(0)), ValueError, r"n: expected"),
    (lambda: simulate_pareto_nbd(10, **{**PARETO_TRUTH, "s": 0.0}, T=39.0, rng=np.random.default_rng(0)),
     ValueError, r"s: expected a number in \(0, inf\)"),
    (lambda: simulate_pareto_nbd(10, **PARETO_TRUTH, T=np.ones(3), rng=np.random.default_rng(0)), ValueError,
     r"T: expected a number or an array of 10 values"),
    (lambda: simulate_bgbb(10, **BGBB_TRUTH, T=2.5, rng=np.random.default_rng(0)), ValueError,
     r"T: expected whole numbers of opportunities"),
    (lambda: simulate_bgbb(10, **BGBB_TRUTH, T=6, rng=1), TypeError, r"rng: expected a numpy.random.Generator"),
    (lambda: simulate_sbg(100, 0.7, 1.2, 0, np.random.default_rng(0)), ValueError, r"periods: expected an integer"),
    (lambda: SBGFitter.from_params(gamma=0.7, delta=1.2).derl(0.0), ValueError, r"discount_rate: expected"),
    (lambda: SBGFitter.from_params(gamma=0.7, delta=1.2).survival(1.5), ValueError,
     r"t: expected whole numbers of periods"),
    (lambda: SBGFitter.from_params(gamma=0.7, delta=1.2).retention_rate(0), ValueError, r"t: expected numbers in \[1"),
])
def test_simulators_and_sbg_reject_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_simulators_are_reproducible_and_never_change_their_inputs():
    T = _cohort_T(500, np.random.default_rng(0))
    before = T.copy()
    for simulate, truth in ((simulate_mbgnbd, MBG_TRUTH), (simulate_pareto_nbd, PARETO_TRUTH)):
        one = simulate(500, **truth, T=T, rng=np.random.default_rng(1), period=1 / 7)
        two = simulate(500, **truth, T=T, rng=np.random.default_rng(1), period=1 / 7)
        pd.testing.assert_frame_equal(one, two)
        assert (one["recency"] <= one["T"]).all() and ((one["frequency"] > 0) | (one["recency"] == 0)).all()
    np.testing.assert_array_equal(T, before)
    donors = simulate_bgbb(500, **BGBB_TRUTH, T=6, rng=np.random.default_rng(1))
    assert ((donors["recency"] >= donors["frequency"]) & (donors["recency"] <= 6)).all()
