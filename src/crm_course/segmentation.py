"""Behavioural segmentation of customers: RFM scores and named segments, segment profiles and k-means clusters.

Chapter 1 uses it to set segments against the individual customer:

* :func:`rfm_scores` — recency, frequency and monetary value of every member
  with an order, their scores (quintiles by default) and a named segment of
  :data:`RFM_SEGMENTS`;
* :func:`segment_profile` — one line per segment: its size, its averages and
  its share of totals;
* :func:`cluster_members` — k-means on standardised features, with clusters
  numbered in a stable order;
* :func:`spread_by_segment` and :func:`plot_spread` — the spread of a value
  (profit, say) inside each segment, as quantiles, and its picture;
* :func:`plot_segment_shares` — each segment's share of members, revenue and
  profit side by side.

K-means assumes round clusters of similar spread and always returns ``k``
groups, whether or not the data fall into groups: it describes, it does not
discover.

Every function takes any DataFrame with the column names as arguments; Kopilka's
names (``customer_id``, ``order_date``, ``order_value``) are only the defaults.
Inputs are checked and never modified.

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.segmentation import RFM_SEGMENTS, rfm_scores, segment_profile
>>> profile = segment_profile(rfm_scores(load("transactions")))
>>> list(profile.index) == list(RFM_SEGMENTS)
True
>>> round(float(profile["member_share"].sum()), 6)
1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from crm_course.concentration import _names
from crm_course.language import tr, tr_noop
from crm_course.spend_models import _check_timestamp
from crm_course.validation import check_frame, check_number, check_range, check_unique

__all__ = [
    "RFM_SEGMENTS",
    "rfm_scores",
    "segment_profile",
    "cluster_members",
    "spread_by_segment",
    "plot_spread",
    "plot_segment_shares",
]


#: RFM segments from best to worst, as assigned by :func:`rfm_scores`.
RFM_SEGMENTS: tuple[str, ...] = ("Champions", "Loyal", "Promising", "Needs attention", "At risk", "Hibernating")


def _quantile_score(x: pd.Series, bins: int) -> pd.Series:
    """1 + floor(bins * share of members with a strictly lower value): ties share a score."""
    below = x.rank(method="min") - 1
    return (1 + np.floor(bins * below / len(x))).astype("int64")


def _rfm_segment(r: pd.Series, f: pd.Series) -> pd.Categorical:
    conditions = [
        (r >= 4) & (f >= 4),
        (r >= 3) & (f >= 3),
        (r >= 4),
        (r >= 3),
        (f >= 3),
    ]
    labels = np.select(conditions, list(RFM_SEGMENTS[:5]), default=RFM_SEGMENTS[5])
    return pd.Categorical(labels, categories=list(RFM_SEGMENTS), ordered=True)


def rfm_scores(
    transactions: pd.DataFrame,
    *,
    as_of: Any = None,
    bins: int = 5,
    customer: str = "customer_id",
    date: str = "order_date",
    value: str = "order_value",
    key: str | None = "order_id",
) -> pd.DataFrame:
    r"""Recency, frequency and monetary value, their scores and a named segment.

    For each member with at least one order before ``as_of``: recency (days
    since the last order), frequency (number of orders) and monetary value
    (total order value). Each is scored 1 to ``bins`` by where the member
    stands among all members,

    .. math::

        \text{score}_i = 1 + \left\lfloor \text{bins} \times
            \frac{\#\{j : x_j < x_i\}}{n} \right\rfloor ,

    so 5 marks the top fifth, members with equal values share a score (a
    score can stay empty when many members tie, as the many one-order
    members do), and for recency the sign is turned so that *recent* buyers
    score high. Segments, from the recency (R) and frequency (F) scores:

    ===============  ======================
    Champions        R >= 4 and F >= 4
    Loyal            R >= 3 and F >= 3, not Champions
    Promising        R >= 4 and F <= 2 (recent, few orders)
    Needs attention  R = 3 and F <= 2
    At risk          R <= 2 and F >= 3 (were good, gone quiet)
    Hibernating      R <= 2 and F <= 2
    ===============  ======================

    Parameters
    ----------
    transactions : DataFrame
        One row per order with ``customer``, ``date`` (datetime) and
        ``value`` (>= 0).
    as_of : date, optional
        The day the scores are computed; orders on or after it are ignored.
        Default: the day after the last order.
    bins : int, default 5
        Number of score levels (5 gives quintile scores); at least 2.
    customer, date, value : str
        Column names.
    key : str or None, default "order_id"
        Column of ``transactions`` that identifies an order: a repeated value
        is an error (it would be counted twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    DataFrame
        One row per member with an order, sorted by ``customer``:
        ``recency_days``, ``frequency``, ``monetary``, ``r_score``,
        ``f_score``, ``m_score``, ``rfm_cell`` (e.g. ``"545"``) and
        ``segment`` (ordered categorical, :data:`RFM_SEGMENTS`). Members
        without orders have no recency and are not scored.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "customer_id": [1, 1, 1, 2, 3, 3],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-03-30",
    ...                                   "2024-01-10", "2024-03-01", "2024-03-20"]),
    ...     "order_value": [100.0, 50.0, 70.0, 500.0, 40.0, 30.0]})
    >>> rfm_scores(orders, as_of="2024-04-01", bins=3)[["customer_id", "recency_days", "frequency", "rfm_cell"]]
       customer_id  recency_days  frequency rfm_cell
    0            1             2          3      332
    1            2            82          1      113
    2            3            12          2      221
    """
    check_frame(transactions, {customer: "any", date: "datetime", value: "numeric"}, name="transactions")
    check_unique(transactions, key, name="transactions")
    check_range(transactions, value, low=0, name="transactions")
    if transactions[customer].isna().any():
        raise ValueError(f"transactions: column {customer!r} has missing value(s)")
    bins = int(check_number(bins, "bins", low=2, high=100, integer=True))
    if as_of is None:
        stamp = transactions[date].max().normalize() + pd.Timedelta(days=1)
    else:
        stamp = _check_timestamp(as_of, "as_of")
    before = transactions[transactions[date] < stamp]
    if before.empty:
        raise ValueError(f"as_of: no order falls before {stamp.date()}; the first order is on {transactions[date].min().date()}")
    g = before.groupby(customer, sort=True)
    out = pd.DataFrame(
        {
            "recency_days": (stamp - g[date].max()).dt.days.astype("int64"),
            "frequency": g.size().astype("int64"),
            "monetary": g[value].sum().astype(float),
        }
    )
    out["r_score"] = _quantile_score(-out["recency_days"], bins)
    out["f_score"] = _quantile_score(out["frequency"], bins)
    out["m_score"] = _quantile_score(out["monetary"], bins)
    out["rfm_cell"] = (
        out["r_score"].astype(str) + out["f_score"].astype(str) + out["m_score"].astype(str)
    )
    if bins == 5:
        out["segment"] = _rfm_segment(out["r_score"], out["f_score"])
    else:
        # The named segments are defined on quintile scores; rescale the others.
        r = np.ceil(out["r_score"] * 5 / bins)
        f = np.ceil(out["f_score"] * 5 / bins)
        out["segment"] = _rfm_segment(r, f)
    return out.reset_index()


def segment_profile(
    df: pd.DataFrame,
    segment: str = "segment",
    *,
    columns: Sequence[str] = ("recency_days", "frequency", "monetary"),
    share_of: Sequence[str] = ("monetary",),
    key: str | None = "customer_id",
) -> pd.DataFrame:
    """One line per segment: its size, its averages and its share of totals.

    Parameters
    ----------
    df : DataFrame
        One row per member with a ``segment`` column (RFM segments from
        :func:`rfm_scores`, clusters from :func:`cluster_members`, or your
        own).
    segment : str, default "segment"
        The column holding each member's segment.
    columns : sequence of str
        Numeric columns to average within each segment (``mean_<column>``).
    share_of : sequence of str
        Numeric columns whose total to split between segments
        (``share_of_<column>``; shares add up to 1 when every total is
        positive).
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    DataFrame
        Indexed by segment (in category order for a categorical column):
        ``members``, ``member_share``, the means and the shares.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"segment": ["a", "a", "b"], "monetary": [10.0, 30.0, 60.0]})
    >>> segment_profile(df, columns=["monetary"], share_of=["monetary"])  # doctest: +NORMALIZE_WHITESPACE
             members  member_share  mean_monetary  share_of_monetary
    segment
    a              2      0.666667           20.0                0.4
    b              1      0.333333           60.0                0.6
    """
    cols = _names(columns, "columns")
    shares = _names(share_of, "share_of")
    check_frame(df, {segment: "any", **{c: "numeric" for c in dict.fromkeys(cols + shares)}}, name="df")
    check_unique(df, key, name="df")
    if df[segment].isna().any():
        raise ValueError(f"df: column {segment!r} has {int(df[segment].isna().sum())} missing value(s)")
    g = df.groupby(segment, observed=True, sort=True)
    out = pd.DataFrame({"members": g.size().astype("int64")})
    out["member_share"] = out["members"] / len(df)
    for col in cols:
        out[f"mean_{col}"] = g[col].mean().astype(float)
    for col in shares:
        total = float(df[col].sum())
        if total == 0:
            raise ValueError(f"df: column {col!r} sums to 0; its shares are undefined")
        out[f"share_of_{col}"] = g[col].sum().astype(float) / total
    out.index.name = segment
    return out


def cluster_members(
    df: pd.DataFrame,
    features: Sequence[str],
    *,
    k: int = 4,
    seed: int = 0,
    n_init: int = 10,
    order_by: str | None = None,
    key: str | None = "customer_id",
) -> pd.DataFrame:
    r"""Segment members by k-means on standardised features.

    Each feature is standardised (mean 0, standard deviation 1) so that no
    unit dominates; k-means then finds ``k`` centres that minimise the sum
    of squared distances of members to their nearest centre (Lloyd's
    algorithm with k-means++ starts, the best of ``n_init`` runs). Clusters
    are numbered 1 to ``k`` from the lowest to the highest mean of
    ``order_by``, so the numbering is stable across runs.

    K-means assumes round clusters of similar spread and always returns
    ``k`` groups, whether or not the data fall into groups: it describes,
    it does not discover.

    Parameters
    ----------
    df : DataFrame
        One row per member.
    features : sequence of str
        Numeric columns (transform skewed ones first, e.g. with ``np.log1p``).
    k : int, default 4
        Number of clusters, at least 2 and fewer than the members.
    seed : int, default 0
        Seed of the random starts: the same seed gives the same clusters.
    n_init : int, default 10
        Number of random starts; the run with the smallest within-cluster
        sum of squares is kept.
    order_by : str, optional
        Feature that orders the cluster numbers (default: the first).
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    DataFrame
        A copy of ``df`` with an integer column ``cluster`` (1 to ``k``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [0.0, 0.1, 0.2, 5.0, 5.1, 5.2]})
    >>> cluster_members(df, ["x"], k=2)["cluster"].tolist()
    [1, 1, 1, 2, 2, 2]
    """
    feats = _names(features, "features")
    if not feats:
        raise ValueError("features: expected at least one column name; found none")
    check_frame(df, {f: "numeric" for f in feats}, name="df", min_rows=2)
    check_unique(df, key, name="df")
    k = int(check_number(k, "k", low=2, high=len(df) - 1, integer=True))
    check_number(seed, "seed", low=0, integer=True)
    n_init = int(check_number(n_init, "n_init", low=1, integer=True))
    order_by = feats[0] if order_by is None else order_by
    if order_by not in feats:
        raise ValueError(f"order_by: expected one of the features {feats}; found {order_by!r}")
    from scipy.cluster.vq import ClusterError, kmeans2

    x = df[feats].to_numpy(dtype=float)
    sd = x.std(axis=0)
    if (sd == 0).any():
        flat = [f for f, s in zip(feats, sd) if s == 0]
        raise ValueError(f"df: feature(s) {flat} take a single value; they cannot separate members")
    z = (x - x.mean(axis=0)) / sd
    rng = np.random.default_rng(seed)
    best, best_ss = None, np.inf
    for _ in range(n_init):
        try:
            centres, labels = kmeans2(z, k, minit="++", seed=rng, missing="raise")
        except ClusterError:  # a start that left a cluster empty: try the next one
            continue
        ss = float(((z - centres[labels]) ** 2).sum())
        if ss < best_ss and len(np.unique(labels)) == k:
            best, best_ss = labels, ss
    if best is None:
        raise ValueError(f"k: k-means could not form {k} non-empty clusters; choose a smaller k")
    means = pd.Series(x[:, feats.index(order_by)]).groupby(best).mean()
    rank = {old: new for new, old in enumerate(means.sort_values(kind="stable").index, start=1)}
    out = df.copy()
    out["cluster"] = pd.Series(best, index=df.index).map(rank).astype("int64")
    return out


def spread_by_segment(
    df: pd.DataFrame,
    segment: str = "segment",
    column: str = "profit",
    *,
    quantiles: Sequence[float] = (0.1, 0.5, 0.9),
) -> pd.DataFrame:
    """Quantiles of a value inside each segment: what a segment average hides.

    Parameters
    ----------
    df : DataFrame
        One row per member, with the segment and the value.
    segment : str, default "segment"
        Column of segment labels (or cluster numbers).
    column : str, default "profit"
        A numeric column; negative values allowed.
    quantiles : sequence of float, default (0.1, 0.5, 0.9)
        Quantiles in [0, 1], increasing; the first and last are drawn as the
        ends of the bar by :func:`plot_spread`, the middle one as the point.

    Returns
    -------
    DataFrame
        One row per segment (in the order of the labels), one column per
        quantile, named by its percentile (``p10``, ``p50``, ``p90``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"segment": ["a", "a", "a", "b", "b"], "profit": [-1.0, 0.0, 5.0, 2.0, 4.0]})
    >>> spread_by_segment(df, quantiles=(0.0, 0.5, 1.0))  # doctest: +NORMALIZE_WHITESPACE
              p0  p50  p100
    segment
    a       -1.0  0.0   5.0
    b        2.0  3.0   4.0
    """
    if not isinstance(segment, str) or not isinstance(column, str):
        raise ValueError(f"segment, column: expected column names (text); found {segment!r}, {column!r}")
    check_frame(df, {segment: "any", column: "numeric"}, name="df")
    if df[segment].isna().any():
        raise ValueError(f"df: column {segment!r} has missing segment label(s)")
    try:
        qs = [float(q) for q in quantiles]
    except (TypeError, ValueError):
        raise ValueError(f"quantiles: expected numbers in [0, 1]; found {quantiles!r}") from None
    if len(qs) != 3 or any(not 0 <= q <= 1 for q in qs) or not qs[0] < qs[1] < qs[2]:
        raise ValueError(f"quantiles: expected three increasing numbers in [0, 1]; found {quantiles!r}")
    grouped = df.groupby(segment, observed=True, sort=True)[column]
    out = grouped.quantile(qs).unstack()
    out.columns = [f"p{100 * q:g}" for q in qs]
    return out


#: Index names read as words on a segment plot's axis (in the current language); others are shown as they are.
_SEGMENT_WORDS = {"segment": tr_noop("segment"), "cluster": tr_noop("cluster")}


def _segment_axis(name: object) -> str:
    """The x-axis label of a segment plot: the index's name, as a word when it is "segment" or "cluster"."""
    return tr(_SEGMENT_WORDS.get(name, "segment")) if name is None or name in _SEGMENT_WORDS else str(name)


def plot_spread(
    spread: pd.DataFrame,
    columns: Sequence[str] = ("p10", "p50", "p90"),
    *,
    ax=None,
    ylabel: str | None = None,
):
    """Draw :func:`spread_by_segment`'s table: a point at the middle quantile, a bar to the outer two.

    Parameters
    ----------
    spread : DataFrame
        The output of :func:`spread_by_segment` (one row per segment).
    columns : sequence of three str, default ("p10", "p50", "p90")
        The low, middle and high quantile columns (the default quantiles of
        :func:`spread_by_segment`).
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    ylabel : str, optional
        The value's name and unit (default: "Value, low and high quantiles and
        median", in the current language).

    Returns
    -------
    matplotlib Axes
        A horizontal line at zero; the x axis lists the segments. The title is the caller's.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> df = pd.DataFrame({"segment": ["a", "a", "a", "b", "b"], "profit": [-1.0, 0.0, 5.0, 2.0, 4.0]})
    >>> ax = plot_spread(spread_by_segment(df))
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['a', 'b']
    """
    import matplotlib.pyplot as plt

    from crm_course.plots import PALETTE

    cols = _names(columns, "columns")
    if len(cols) != 3:
        raise ValueError(f"columns: expected three column names (low, middle, high); found {cols}")
    check_frame(spread, dict.fromkeys(cols, "numeric"), name="spread")
    low, mid, high = (spread[c].to_numpy(dtype=float) for c in cols)
    if (low > mid).any() or (mid > high).any():
        raise ValueError("spread: expected each row's quantiles in increasing order (low, middle, high)")
    if ax is None:
        _, ax = plt.subplots()
    x = np.arange(len(spread))
    ax.errorbar(x, mid, yerr=[mid - low, high - mid], fmt="o", color=PALETTE[0], capsize=6)
    ax.axhline(0, color="grey", linestyle=":")
    ax.set_xticks(x, [str(label) for label in spread.index])
    ax.set_xlabel(_segment_axis(spread.index.name))
    ax.set_ylabel(tr("Value, low and high quantiles and median") if ylabel is None else ylabel)
    return ax


def plot_segment_shares(
    profile: pd.DataFrame,
    columns: Sequence[str] = ("member_share", "share_of_monetary", "share_of_profit"),
    *,
    labels: Sequence[str] | None = None,
    ax=None,
):
    """Bars of each segment's shares side by side, from :func:`segment_profile`.

    Parameters
    ----------
    profile : DataFrame
        One row per segment, e.g. from :func:`segment_profile` with
        ``share_of=["monetary", "profit"]``.
    columns : sequence of str
        Share columns to draw (numbers; a profit share can be negative).
    labels : sequence of str, optional
        Legend label of each column (default: "members", "revenue", "profit",
        in the current language, for the default columns).
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib Axes
        The y axis in percent; the title is the caller's.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> profile = pd.DataFrame({"member_share": [0.2, 0.8], "share_of_monetary": [0.6, 0.4]}, index=["top", "rest"])
    >>> ax = plot_segment_shares(profile, ["member_share", "share_of_monetary"], labels=["members", "revenue"])
    >>> [round(float(p.get_height()), 1) for p in ax.patches]
    [0.2, 0.8, 0.6, 0.4]
    """
    import matplotlib.pyplot as plt

    from crm_course.plots import PALETTE, percent_axis

    cols = _names(columns, "columns")
    labels = [tr("members"), tr("revenue"), tr("profit")] if labels is None else list(labels)
    if len(labels) != len(cols) or not cols:
        raise ValueError(f"labels: expected one label for each of the {len(cols)} column(s); found {len(labels)}")
    check_frame(profile, dict.fromkeys(cols, "numeric"), name="profile")
    if ax is None:
        _, ax = plt.subplots()
    x = np.arange(len(profile))
    width = 0.8 / len(cols)
    for i, (col, label) in enumerate(zip(cols, labels, strict=True)):
        ax.bar(x + (i - (len(cols) - 1) / 2) * width, profile[col].to_numpy(dtype=float), width=width,
               color=PALETTE[i % len(PALETTE)], label=label)
    ax.set_xticks(x, [str(label) for label in profile.index], rotation=20)
    ax.set_xlabel(_segment_axis(profile.index.name))
    ax.set_ylabel(tr("Share of the total"))
    percent_axis(ax, "y")
    ax.legend()
    return ax
