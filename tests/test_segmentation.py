"""The spread of a value inside segments, and the two segment plots of :mod:`crm_course.segmentation`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_course import segmentation


@pytest.fixture
def members() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame({"cluster": np.repeat([1, 2], 1000),
                         "profit": np.concatenate([rng.normal(100, 50, 1000), rng.normal(0, 200, 1000)])})


def test_spread_matches_numpy_quantiles_and_leaves_the_input_alone(members):
    before = members.copy()
    spread = segmentation.spread_by_segment(members, "cluster", "profit")
    assert list(spread.columns) == ["p10", "p50", "p90"] and list(spread.index) == [1, 2]
    for cluster, group in members.groupby("cluster"):
        np.testing.assert_allclose(spread.loc[cluster], np.quantile(group["profit"], [0.1, 0.5, 0.9]))
    # The wider planted spread of cluster 2 shows: about 2 x 1.2816 x 200 against 2 x 1.2816 x 50.
    width = spread["p90"] - spread["p10"]
    assert 400 < width[2] < 620 and 100 < width[1] < 160
    pd.testing.assert_frame_equal(members, before)


@pytest.mark.parametrize("kwargs, message", [
    ({"column": "margin"}, "'margin'"),
    ({"quantiles": (0.9, 0.5, 0.1)}, "quantiles"),
    ({"quantiles": (0.1, 0.5)}, "quantiles"),
])
def test_spread_bad_arguments_name_what_is_wrong(members, kwargs, message):
    with pytest.raises(ValueError, match=message):
        segmentation.spread_by_segment(members, "cluster", **{"column": "profit", **kwargs})


def test_plots_draw_the_table_they_are_given(members):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    spread = segmentation.spread_by_segment(members, "cluster", "profit")
    ax = segmentation.plot_spread(spread)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), spread["p50"])
    with pytest.raises(ValueError, match="'p10'"):
        segmentation.plot_spread(spread.drop(columns="p10"))
    with pytest.raises(ValueError, match="increasing"):
        segmentation.plot_spread(spread.rename(columns={"p10": "p90", "p90": "p10"}))
    profile = pd.DataFrame({"member_share": [0.25, 0.75], "share_of_profit": [1.2, -0.2]}, index=["a", "b"])
    ax = segmentation.plot_segment_shares(profile, ["member_share", "share_of_profit"], labels=["members", "profit"])
    np.testing.assert_allclose([p.get_height() for p in ax.patches], [0.25, 0.75, 1.2, -0.2])
    with pytest.raises(ValueError, match="labels"):
        segmentation.plot_segment_shares(profile, ["member_share"], labels=["members", "profit"])
    plt.close("all")
