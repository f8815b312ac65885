"""The holdout Pareto table and the plotting helpers of :mod:`crm_course.concentration`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_course import concentration


def _periods(noise: float, n: int = 20_000, seed: int = 1) -> pd.DataFrame:
    """Two periods of spend: a lasting gamma level per member times independent lognormal luck each period."""
    rng = np.random.default_rng(seed)
    level = rng.gamma(0.8, 1000.0, n)
    luck = rng.lognormal(-noise**2 / 2, noise, (2, n)) if noise > 0 else np.ones((2, n))
    return pd.DataFrame({"customer_id": np.arange(n), "first": level * luck[0], "second": level * luck[1]})


def test_holdout_pareto_hand_case():
    df = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5], "a": [10.0, 8, 1, 1, 0], "b": [4.0, 0, 5, 1, 0]})
    table = concentration.holdout_pareto(df, "a", "b", tops=(20, 40, 100))
    assert table["members"].tolist() == [1, 2, 5]
    np.testing.assert_allclose(table["calibration_share"], [0.5, 0.9, 1.0])
    np.testing.assert_allclose(table["holdout_share"], [0.4, 0.4, 1.0])
    np.testing.assert_allclose(table["holdout_best_share"], [0.5, 0.9, 1.0])


def test_without_luck_the_concentration_lasts():
    table = concentration.holdout_pareto(_periods(noise=0.0), "first", "second")
    np.testing.assert_allclose(table["holdout_share"], table["calibration_share"])
    np.testing.assert_allclose(table["holdout_best_share"], table["calibration_share"])


def test_luck_makes_the_top_members_regress_and_more_luck_regresses_more():
    small = concentration.holdout_pareto(_periods(noise=0.5), "first", "second", tops=(20,))
    large = concentration.holdout_pareto(_periods(noise=1.0), "first", "second", tops=(20,))
    for table in (small, large):
        row = table.loc[20]
        # The same members bring less of the next period than of the period that chose them, and less than the
        # next period's own top 20% (who are chosen knowing the outcome).
        assert row["holdout_share"] < row["calibration_share"] - 0.02
        assert row["holdout_share"] < row["holdout_best_share"] - 0.02
    gap = lambda t: t.loc[20, "calibration_share"] - t.loc[20, "holdout_share"]  # noqa: E731
    assert gap(large) > gap(small) + 0.02


def test_holdout_pareto_does_not_modify_its_input_and_names_bad_columns():
    df = _periods(noise=0.5, n=100)
    before = df.copy()
    concentration.holdout_pareto(df, "first", "second")
    pd.testing.assert_frame_equal(df, before)
    with pytest.raises(ValueError, match="'third'"):
        concentration.holdout_pareto(df, "first", "third")
    with pytest.raises(ValueError, match="holdout"):
        concentration.holdout_pareto(df, "first", "first")
    with pytest.raises(ValueError, match="customer_id"):
        concentration.holdout_pareto(pd.concat([df, df.head(1)]), "first", "second")
    with pytest.raises(ValueError, match="positive total"):
        concentration.holdout_pareto(df.assign(second=0.0), "first", "second")


def test_plots_draw_the_curves_they_are_given():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from crm_course import multilevel

    df = pd.DataFrame({"customer_id": [1, 2, 3, 4], "revenue": [0.0, 1.0, 3.0, 6.0], "profit": [-2.0, 5, 1, 0]})
    ax = concentration.plot_lorenz(concentration.lorenz_curve(df))
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0, 0, 0.1, 0.4, 1.0])
    ax = concentration.plot_whale_curve(concentration.whale_curve(df))
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0, 1.25, 1.5, 1.5, 1.0])
    # The two markers sit at the ends of the flat top: after the 2nd and the 3rd member.
    np.testing.assert_allclose(ax.lines[2].get_xdata(), [0.5, 0.75])
    with pytest.raises(ValueError, match="value_share"):
        concentration.plot_lorenz(pd.DataFrame({"member_share": [0.0, 1.0], "value_share": [0.0, 1.5]}))
    orders = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2, 3, 3, 3, 4],
                           "order_value": [900.0, 1100, 1000, 3000, 3500, 400, 500, 450, 8000]})
    shrunk = multilevel.shrunken_means(multilevel.order_value_model(orders))
    ax = multilevel.plot_shrinkage(shrunk, few=1, many=3, overall=1000.0)
    assert len(ax.collections) == 2 and ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="own_typical_value"):
        multilevel.plot_shrinkage(shrunk.assign(own_typical_value=0.0))
    plt.close("all")
