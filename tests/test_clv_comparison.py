"""Tests of model comparison, holdout errors, fit tables and the plots of crm_course.clv (drawn with Agg)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crm_course.clv import (  # noqa: E402
    BGBBFitter,
    BGNBDFitter,
    GammaGammaFitter,
    MBGNBDFitter,
    ParetoNBDFitter,
    SBGFitter,
    calibration_holdout,
    compare_models,
    frequency_histogram,
    frequency_recency_matrix,
    holdout_errors,
    holdout_validation,
    plot_calibration_vs_holdout,
    plot_frequency_recency_matrix,
    plot_period_transactions,
    plot_probability_alive_matrix,
    plot_survival,
    plot_tracking,
    probability_alive_matrix,
    repeat_purchase_tracking,
)

DATA = Path(__file__).parent / "data"
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def orders() -> pd.DataFrame:
    orders = pd.read_csv(DATA / "CDNOW_sample.txt", sep=r"\s+", header=None,
                         names=["master_id", "customer_id", "order_date", "cds", "order_value"],
                         dtype={"order_date": str})
    orders["order_date"] = pd.to_datetime(orders["order_date"], format="%Y%m%d")
    return orders


@pytest.fixture(scope="module")
def split(orders) -> pd.DataFrame:
    return calibration_holdout(orders, "1997-09-30", "1998-06-30")


@pytest.fixture(scope="module")
def models(split) -> dict:
    return {"BG/NBD": BGNBDFitter().fit(split), "MBG/NBD": MBGNBDFitter().fit(split),
            "Pareto/NBD": ParetoNBDFitter().fit(split)}


# --------------------------------------------------------------------------
# compare_models
# --------------------------------------------------------------------------


def test_compare_models_on_cdnow_gives_the_published_log_likelihoods(models):
    table = compare_models(models)
    assert table.index.tolist() == ["BG/NBD", "MBG/NBD", "Pareto/NBD"]
    # Fader, Hardie & Lee (2005a): BG/NBD -9582.4, Pareto/NBD -9595.0.
    assert round(table.loc["BG/NBD", "log_likelihood"], 1) == -9582.4
    assert round(table.loc["Pareto/NBD", "log_likelihood"], 1) == -9595.0
    k, n, ll = table["parameters"], table["members"], table["log_likelihood"]
    np.testing.assert_allclose(table["aic"], 2 * k - 2 * ll)
    np.testing.assert_allclose(table["bic"], k * np.log(2357) - 2 * ll)
    assert (n == 2357).all() and table["delta_aic"].min() == 0.0
    assert table["delta_bic"].idxmin() == table["log_likelihood"].idxmax()  # same number of parameters
    assert table.loc["Pareto/NBD", "delta_aic"] == pytest.approx(2 * (ll["MBG/NBD"] - ll["Pareto/NBD"]))


def test_compare_models_refuses_what_does_not_compare(models, split):
    donations = pd.read_csv(DATA / "donations.csv").rename(columns={"periods": "T"})
    bgbb = BGBBFitter().fit(donations, weights=donations["weights"])
    with pytest.raises(ValueError, match=r"expected models of one kind of data.*continuous time, discrete opportunities"):
        compare_models({"BG/NBD": models["BG/NBD"], "BG/BB": bgbb})
    with pytest.raises(ValueError, match=r"expected models fitted to the same data; found different numbers of members"):
        compare_models({"all": models["BG/NBD"], "half": BGNBDFitter().fit(split.iloc[:1000])})
    with pytest.raises(ValueError, match=r"has no log-likelihood \(a model from from_params\)"):
        compare_models({"fitted": models["BG/NBD"], "given": BGNBDFitter.from_params(r=1.0, alpha=1.0, a=1.0, b=1.0)})
    with pytest.raises(ValueError, match=r"models: expected a non-empty dict"):
        compare_models([models["BG/NBD"]])
    with pytest.raises(TypeError, match=r"models\['x'\]: expected a fitted model.*not fitted yet"):
        compare_models({"x": BGNBDFitter()})
    high = SBGFitter().fit(HIGH_END[:8])
    assert compare_models({"sBG": high}).loc["sBG", "members"] == 1000


# --------------------------------------------------------------------------
# holdout_errors
# --------------------------------------------------------------------------


def test_holdout_errors_are_the_per_member_errors_by_group():
    data = pd.DataFrame({"frequency": [0, 0, 1, 3], "recency": [0.0, 0.0, 5.0, 9.0], "T": [10.0] * 4,
                         "frequency_holdout": [0, 2, 1, 0], "duration_holdout": [5.0] * 4})
    model = BGNBDFitter.from_params(r=0.5, alpha=5.0, a=0.8, b=3.0)
    predicted = model.predict(5.0, data).to_numpy()
    table = holdout_errors({"m": model}, data, max_frequency=2)
    assert table.index.get_level_values(0).tolist() == ["0", "1", "2+", "all"]
    zero = table.loc[("0", "m")]
    assert zero["members"] == 2 and zero["actual"] == 1.0
    assert zero["predicted"] == pytest.approx(predicted[:2].mean())
    assert zero["bias"] == pytest.approx(predicted[:2].mean() - 1.0)
    assert zero["mae"] == pytest.approx(np.mean(np.abs(predicted[:2] - [0, 2])))
    assert zero["rmse"] == pytest.approx(np.sqrt(np.mean((predicted[:2] - [0, 2]) ** 2)))
    everyone = table.loc[("all", "m")]
    assert everyone["members"] == 4
    assert everyone["mae"] == pytest.approx(np.mean(np.abs(predicted - [0, 2, 1, 0])))


def test_holdout_errors_agree_with_holdout_validation_for_every_model(models, split):
    table = holdout_errors(models, split)
    assert set(table.index.get_level_values("model")) == set(models)
    for name, model in models.items():
        reference = holdout_validation(model, split)
        mine = table.xs(name, level="model")
        np.testing.assert_allclose(mine["predicted"], reference["predicted"])
        np.testing.assert_allclose(mine["actual"], reference["actual"])
        assert (mine["members"].to_numpy() == reference["members"].to_numpy()).all()
        assert (mine["rmse"] >= mine["mae"] - 1e-12).all()


@pytest.mark.parametrize("kwargs, error, message", [
    ({"models": {}}, ValueError, r"models: expected a non-empty dict"),
    ({"models": {"x": GammaGammaFitter.from_params(p=1.0, q=2.0, gamma=3.0)}}, TypeError,
     r"expected a model with predict\(\)"),
    ({"max_frequency": 0}, ValueError, r"max_frequency: expected an integer in \[1, inf\]"),
    ({"data": pd.DataFrame({"frequency": [1]})}, ValueError, r"missing column\(s\)"),
])
def test_holdout_errors_rejects_bad_input(models, split, kwargs, error, message):
    arguments = {"models": models, "data": split, **kwargs}
    with pytest.raises(error, match=message):
        holdout_errors(**arguments)


# --------------------------------------------------------------------------
# Fit tables
# --------------------------------------------------------------------------


def test_frequency_histogram_sums_the_models_probabilities(models, split):
    model = models["BG/NBD"]
    table = frequency_histogram(model, split)
    assert table.index.tolist() == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert table["actual"].sum() == 2357 and table["expected"].sum() == pytest.approx(2357)
    assert table["actual"].iloc[0] == (split["frequency"] == 0).sum() == 1411
    by_member = sum(model.probability_of_purchases(2, t) for t in split["T"])
    assert table.loc["2", "expected"] == pytest.approx(by_member, rel=1e-10)
    assert table.attrs["degrees_of_freedom"] == 8 - 1 - 4
    assert table.attrs["chi_square"] == pytest.approx(table["chi_square"].sum())
    assert 0 <= table.attrs["p_value"] <= 1


def test_the_fit_histogram_tells_a_right_model_from_a_wrong_one():
    from crm_course.clv import simulate_bgnbd

    members = simulate_bgnbd(20_000, r=0.3, alpha=4.0, a=0.8, b=2.5, T=39.0, rng=np.random.default_rng(61))
    right = frequency_histogram(BGNBDFitter().fit(members), members)
    wrong = frequency_histogram(BGNBDFitter.from_params(r=0.6, alpha=4.0, a=0.8, b=2.5), members)
    assert right.attrs["p_value"] > 0.01 and wrong.attrs["p_value"] < 1e-6


def test_the_matrices_hold_the_models_predictions(models):
    model = models["Pareto/NBD"]
    expected = frequency_recency_matrix(model, 38.86, t=10.0, max_frequency=5)
    assert expected.shape == (6, 39) and expected.index.tolist() == list(range(6))
    assert expected.loc[3, 20.0] == pytest.approx(model.conditional_expected_purchases(10.0, 3, 20.0, 38.86))
    assert expected.loc[0, 0.0] == pytest.approx(model.conditional_expected_purchases(10.0, 0, 0.0, 38.86))
    assert expected.loc[0].iloc[1:].isna().all() and not expected.loc[1:].isna().any().any()
    alive = probability_alive_matrix(model, 38.86, max_frequency=5)
    assert alive.loc[4, 30.0] == pytest.approx(model.probability_alive(4, 30.0, 38.86))
    # More recent last purchases mean more likely alive, for every frequency.
    assert (alive.loc[1:].diff(axis=1).iloc[:, 1:] > 0).all().all()


def test_the_bgbb_matrix_blanks_impossible_histories():
    model = BGBBFitter.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
    alive = probability_alive_matrix(model, 6)
    assert alive.shape == (7, 7)
    assert alive.loc[2, 4.0] == pytest.approx(0.5895, abs=5e-4)  # Table 6 of Fader, Hardie & Shang (2010)
    assert np.isnan(alive.loc[3, 2.0]) and np.isnan(alive.loc[0, 1.0]) and not np.isnan(alive.loc[3, 3.0])
    with pytest.raises(ValueError, match=r"T: expected a whole number of opportunities for BGBBFitter"):
        probability_alive_matrix(model, 6.5)


@pytest.mark.parametrize("kwargs, message", [
    ({"T": -1.0}, r"T: expected a number in \(0, inf\)"),
    ({"recency": [0.0, 50.0]}, r"recency: expected a 1-D grid of times in \[0, T=38.86\]"),
    ({"max_frequency": 0}, r"max_frequency: expected an integer"),
])
def test_matrices_reject_bad_input(models, kwargs, message):
    arguments = {"T": 38.86, **kwargs}
    with pytest.raises(ValueError, match=message):
        probability_alive_matrix(models["BG/NBD"], **arguments)


# --------------------------------------------------------------------------
# Plots: what they show
# --------------------------------------------------------------------------


def test_period_transactions_plot_shows_both_histograms(models, split):
    model = models["MBG/NBD"]
    ax = plot_period_transactions(model, split)
    table = frequency_histogram(model, split)
    heights = [patch.get_height() for patch in ax.patches]
    np.testing.assert_allclose(heights[:8], table["actual"])
    np.testing.assert_allclose(heights[8:], table["expected"])
    assert [t.get_text() for t in ax.get_xticklabels()] == table.index.tolist()
    assert ax.get_xlabel() == "Repeat purchases in the calibration period" and ax.get_ylabel() == "Members"
    assert "MBGNBDFitter" in ax.get_title() and f"chi-square {table.attrs['chi_square']:.1f}" in ax.get_title()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Actual", "Model"]


def test_calibration_vs_holdout_plot_shows_the_conditional_expectations(models, split):
    model = models["Pareto/NBD"]
    ax = model.plot_calibration_vs_holdout(split)
    table = holdout_validation(model, split).drop(index="all")
    actual, predicted = ax.get_lines()
    np.testing.assert_allclose(actual.get_ydata(), table["actual"])
    np.testing.assert_allclose(predicted.get_ydata(), table["predicted"])
    assert actual.get_label() == "Actual" and predicted.get_label() == "Model"
    assert ax.get_ylabel() == "Mean purchases in the holdout period"
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "7+"


@pytest.mark.parametrize("cumulative", [True, False])
def test_tracking_plot_shows_weekly_purchases(models, orders, cumulative):
    model = models["BG/NBD"]
    ax = plot_tracking(model, orders, "1997-09-30", "1998-06-30", cumulative=cumulative)
    table = repeat_purchase_tracking(model, orders, "1997-09-30", "1998-06-30")
    actual, predicted, end = ax.get_lines()
    expected_actual = table["actual"].to_numpy(dtype=float)
    expected_model = table["predicted"].to_numpy()
    if not cumulative:
        expected_actual, expected_model = np.diff(expected_actual, prepend=0), np.diff(expected_model, prepend=0)
    np.testing.assert_allclose(actual.get_ydata(), expected_actual)
    np.testing.assert_allclose(predicted.get_ydata(), expected_model)
    assert len(actual.get_xdata()) == len(table) == 78
    assert pd.Timestamp(end.get_xdata()[0]) == table.loc[table["calibration"], "week_end"].max()
    assert end.get_label() == "End of calibration"
    assert ax.get_ylabel() == ("Cumulative repeat purchases" if cumulative else "Repeat purchases in the week")
    assert ax.get_xlabel() == "Week ending"


def test_heat_maps_show_the_matrices(models):
    model = models["BG/NBD"]
    ax = plot_frequency_recency_matrix(model, 38.86, t=39.0, max_frequency=10, unit="weeks")
    table = frequency_recency_matrix(model, 38.86, t=39.0, max_frequency=10)
    image = ax.get_images()[0]
    np.testing.assert_allclose(np.ma.filled(image.get_array(), np.nan), table.to_numpy())
    assert ax.get_ylabel() == "Frequency: repeat purchases"
    assert ax.get_xlabel() == "Recency: time of the last repeat purchase (weeks after the first)"
    assert image.colorbar.ax.get_ylabel() == "Expected purchases in the next 39 weeks"
    ax = model.plot_probability_alive_matrix(38.86, max_frequency=10, unit="weeks")
    image = ax.get_images()[0]
    np.testing.assert_allclose(np.ma.filled(image.get_array(), np.nan),
                               probability_alive_matrix(model, 38.86, max_frequency=10).to_numpy())
    assert image.get_clim() == (0.0, 1.0) and image.colorbar.ax.get_ylabel() == "Probability alive"


def test_survival_plot_shows_the_model_and_the_cohort():
    model = SBGFitter().fit(HIGH_END[:8])
    ax = plot_survival(model, HIGH_END, unit="years")
    curve, points = ax.get_lines()
    np.testing.assert_allclose(curve.get_ydata(), 100 * model.survival(np.arange(13)))
    np.testing.assert_allclose(points.get_ydata(), np.array(HIGH_END) / 10)
    assert ax.get_ylabel() == "Customers still active (% of cohort)"
    assert ax.get_xlabel() == "Renewal periods (years) since acquisition"
    assert "gamma 0.668, delta 3.806" in ax.get_title()
    alone = model.plot_survival(horizon=20)
    assert len(alone.get_lines()) == 1 and len(alone.get_lines()[0].get_xdata()) == 21
    with pytest.raises(TypeError, match=r"model: expected an SBGFitter"):
        plot_survival(BGNBDFitter.from_params(r=1.0, alpha=1.0, a=1.0, b=1.0))


def test_plot_methods_draw_what_the_functions_draw(models, split):
    model = models["BG/NBD"]
    by_method = model.plot_period_transactions(split, max_frequency=5)
    by_function = plot_period_transactions(model, split, max_frequency=5)
    assert [p.get_height() for p in by_method.patches] == [p.get_height() for p in by_function.patches]
    fig, ax = plt.subplots()
    assert model.plot_frequency_recency_matrix(38.86, ax=ax) is ax
