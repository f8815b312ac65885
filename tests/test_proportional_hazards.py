"""The proportional-hazards test: right size under the null, power against a fading effect, clear errors."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from crm_course.proportional_hazards import plot_schoenfeld, proportional_hazards_test
from crm_course.survival import cox_model


def _constant(n: int, rng: np.random.Generator, beta: float = 0.5) -> pd.DataFrame:
    x = rng.normal(size=n)
    t = rng.exponential(1 / np.exp(beta * x))
    censor = rng.exponential(2.0, n)
    return pd.DataFrame({"x": x, "duration": np.minimum(t, censor), "lapsed": t <= censor})


def _changing(n: int, rng: np.random.Generator, early: float, late: float) -> pd.DataFrame:
    """A binary x multiplies the hazard by ``early`` before t = 0.5 and by ``late`` after."""
    x = rng.integers(0, 2, n)
    first = rng.exponential(1 / np.where(x == 1, early, 1.0))
    second = 0.5 + rng.exponential(1 / np.where(x == 1, late, 1.0))
    return pd.DataFrame({"x": x, "duration": np.where(first < 0.5, first, second), "lapsed": True})


def test_rejects_at_its_nominal_rate_when_hazards_are_proportional():
    rng = np.random.default_rng(2002)
    p = np.array([proportional_hazards_test(cox_model(_constant(200, rng), "x", ties="breslow")).loc["x", "p_value"]
                  for _ in range(80)])
    # 5% nominal; with 80 replications a binomial 99% interval is about 0%-12.5%
    assert (p < 0.05).mean() < 0.125
    assert (p < 0.5).mean() < 0.7 and (p > 0.5).mean() < 0.7  # p-values spread, not piled at 0 or 1


@pytest.mark.parametrize("transform", ["rank", "km", "identity", "log"])
def test_detects_an_effect_that_fades_and_says_which_way(transform):
    rng = np.random.default_rng(7)
    fit = cox_model(_changing(1_000, rng, early=4.0, late=1.0), "x", ties="breslow")
    table = proportional_hazards_test(fit, transform=transform)
    assert table.loc["x", "p_value"] < 1e-4
    assert table.loc["x", "rho"] < 0  # the effect fades


def test_an_effect_that_grows_has_positive_rho():
    rng = np.random.default_rng(8)
    table = proportional_hazards_test(cox_model(_changing(1_000, rng, early=1.0, late=4.0), "x", ties="breslow"))
    assert table.loc["x", "p_value"] < 1e-4 and table.loc["x", "rho"] > 0


def test_one_term_global_equals_the_term_and_scale_does_not_matter():
    rng = np.random.default_rng(3)
    d = _changing(600, rng, early=2.0, late=1.0)
    table = proportional_hazards_test(cox_model(d, "x"))
    assert table.loc["GLOBAL", "statistic"] == pytest.approx(table.loc["x", "statistic"])
    assert list(table["df"]) == [1, 1]
    rescaled = proportional_hazards_test(cox_model(d.assign(x=10 * d["x"]), "x"))
    assert rescaled.loc["x", "statistic"] == pytest.approx(table.loc["x", "statistic"], rel=1e-6)


def test_two_terms_only_the_changing_one_is_flagged():
    rng = np.random.default_rng(11)
    d = _changing(1_200, rng, early=4.0, late=1.0)
    d["z"] = rng.normal(size=len(d))
    table = proportional_hazards_test(cox_model(d, "x + z", ties="breslow"))
    assert list(table.index) == ["x", "z", "GLOBAL"] and list(table["df"]) == [1, 1, 2]
    assert table.loc["x", "p_value"] < 1e-4 and table.loc["z", "p_value"] > 0.001


def test_bad_input_gets_a_clear_error():
    rng = np.random.default_rng(1)
    fit = cox_model(_constant(300, rng), "x")
    with pytest.raises(TypeError, match="result: expected a fitted Cox model"):
        proportional_hazards_test(pd.DataFrame())
    with pytest.raises(ValueError, match="transform: expected one of rank, km, identity, log; found 'sqrt'"):
        proportional_hazards_test(fit, transform="sqrt")
    zero = _constant(300, rng).assign(duration=lambda f: np.where(f.index < 20, 0.0, f["duration"]), lapsed=True)
    with pytest.raises(ValueError, match="transform: 'log' needs every event time > 0"):
        proportional_hazards_test(cox_model(zero, "x"), transform="log")
    with pytest.raises(ValueError, match=r"term: expected one of \['x'\]; found 'y'"):
        plot_schoenfeld(fit, "y")


def test_the_plot_shows_one_point_per_event_and_the_estimate():
    rng = np.random.default_rng(5)
    d = _changing(400, rng, early=3.0, late=1.0)
    fit = cox_model(d, "x")
    ax = plot_schoenfeld(fit, "x")
    assert len(ax.collections[0].get_offsets()) == int(d["lapsed"].sum())
    assert ax.get_xlabel() == "rank of event time"
    assert ax.get_ylabel() == "effect of x (log hazard ratio)"
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert dashed and dashed[0].get_ydata()[0] == pytest.approx(float(fit.params[0]))
    assert "p = " in ax.get_title()


def test_the_smoother_at_a_large_group_of_tied_times_is_their_mean_residual():
    # Many events at t = 0 (drop-out at a contact): LOWESS has no spread in time there, so the plot shows the tied
    # residuals' mean, finite and inside their range, with no warning.
    rng = np.random.default_rng(8)
    d = _changing(1_500, rng, early=2.0, late=1.0)
    d.loc[d.index[:600], "duration"] = 0.0
    fit = cox_model(d, "x")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        ax = plot_schoenfeld(fit, "x")
    points = ax.collections[0].get_offsets()
    smooth = ax.get_lines()[0]
    x, y = np.asarray(smooth.get_xdata()), np.asarray(smooth.get_ydata())
    assert np.isfinite(y).all()
    first = points[:, 0].min()
    at_tie = points[points[:, 0] == first, 1]
    assert len(at_tie) >= 600
    assert y[x == first] == pytest.approx(at_tie.mean())
