"""Sensitivity of the indirect effect to a confounded mediator: the closed form recovers a planted truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_course.mediation import mediation_effects, mediation_sensitivity


def _confounded(n: int, rng: np.random.Generator, g: float):
    """T randomised; an unmeasured U raises both the mediator and (by g) the outcome."""
    t = rng.integers(0, 2, n).astype(bool)
    u = rng.normal(size=n)
    m = 0.8 * t + u + rng.normal(size=n)
    y = 0.3 * t + 0.5 * m + g * u + rng.normal(size=n)
    rho = g * 1.0 / np.sqrt(2.0 * (g**2 + 1.0))  # corr(U + e_m, g U + e_y)
    return pd.DataFrame({"empowered": t, "engagement": m, "mean_csat": y}), 0.8 * 0.5, rho


def test_at_zero_correlation_it_is_the_product_of_coefficients():
    data, _, _ = _confounded(2_000, np.random.default_rng(1), g=0.0)
    table = mediation_sensitivity(data, rho=[0.0])
    assert table["acme"].iloc[0] == pytest.approx(mediation_effects(data, n_boot=10).loc["indirect", "estimate"])


def test_at_the_true_confounding_it_recovers_the_planted_indirect_effect():
    data, truth, rho = _confounded(40_000, np.random.default_rng(2), g=0.6)
    naive = mediation_effects(data, n_boot=10).loc["indirect", "estimate"]
    assert naive > truth + 0.1  # the confounder inflates the naive indirect effect
    at_truth = mediation_sensitivity(data, rho=[rho])["acme"].iloc[0]
    assert at_truth == pytest.approx(truth, abs=0.02)


def test_it_vanishes_at_the_residual_correlation_and_falls_with_rho():
    data, _, _ = _confounded(5_000, np.random.default_rng(3), g=0.3)
    table = mediation_sensitivity(data)
    assert table["rho"].iloc[0] == -0.9 and table["rho"].iloc[-1] == 0.9 and len(table) == 37
    assert np.all(np.diff(table["acme"]) < 0)
    zero = table.attrs["rho_at_zero"]
    assert mediation_sensitivity(data, rho=[zero])["acme"].iloc[0] == pytest.approx(0, abs=1e-12)


def test_bad_input_gets_a_clear_error():
    data, _, _ = _confounded(200, np.random.default_rng(4), g=0.0)
    with pytest.raises(ValueError, match="rho: expected correlations strictly between -1 and 1"):
        mediation_sensitivity(data, rho=[0.5, 1.0])
    with pytest.raises(ValueError, match="covariates: expected a list of column names"):
        mediation_sensitivity(data, covariates="x")
    with pytest.raises(ValueError, match="'empowered'"):
        mediation_sensitivity(data.assign(empowered=True))
    with pytest.raises(ValueError, match="engagement"):
        mediation_sensitivity(data.drop(columns="engagement"))


def test_the_bootstrap_band_holds_the_curve_and_reaches_zero_before_it_does():
    data, _, _ = _confounded(400, np.random.default_rng(4), g=0.0)
    grid = np.round(np.arange(-0.9, 0.9001, 0.01), 2)
    table = mediation_sensitivity(data, rho=grid, n_boot=300, seed=5)
    assert np.all(table["acme_low"] <= table["acme"]) and np.all(table["acme"] <= table["acme_high"])
    reaches, vanishes = table.attrs["rho_band_reaches_zero"], table.attrs["rho_at_zero"]
    assert 0 <= reaches < vanishes
    # the band is a bootstrap of the same curve: seeded, reproducible; without n_boot there is none
    again = mediation_sensitivity(data, rho=grid, n_boot=300, seed=5)
    assert again["acme_low"].equals(table["acme_low"])
    assert "acme_low" not in mediation_sensitivity(data, rho=grid).columns
    with pytest.raises(ValueError, match="n_boot"):
        mediation_sensitivity(data, n_boot=-1)
