"""Concentration of customer value: skew, Pareto tables, Lorenz curves, the Gini coefficient and whale curves.

Chapter 1 uses it to show how far a few members bring most of the value, and the
capstone (:mod:`crm_course.kopilka.board`) measures Kopilka's inequality of spend
with :func:`gini`:

* :func:`distribution_summary` — how skewed a value is: mean against median,
  skewness, the tail;
* :func:`pareto_table` — the share of the total brought by the top 1, 5, 10, 20
  and 50% of members (the "80/20" table);
* :func:`lorenz_curve` — the points of the Lorenz curve of a non-negative value;
* :func:`gini` — the Gini coefficient: 0 when every member brings the same,
  close to 1 when one member brings everything;
* :func:`whale_curve` — cumulative profit from the most to the least profitable
  member, showing the members who destroy value (profit can be negative, which
  the Gini coefficient cannot handle);
* :func:`holdout_pareto` — the Pareto table of one period's best members, read
  again in the next period: how much of the concentration lasts (regression to
  the mean, Schmittlein, Cooper & Morrison, 1993);
* :func:`plot_lorenz` and :func:`plot_whale_curve` — the two curves, drawn.

Every function takes any DataFrame with one row per member and the columns to
describe as arguments; the defaults (``revenue``, ``profit``) are the columns
that :func:`crm_course.profitability.member_value` returns, and only defaults.
Keep the members with zero value: they are part of the customer base. Inputs are
checked and never modified; money is in the unit of the data (RUB for Kopilka).

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.concentration import gini, pareto_table
>>> from crm_course.profitability import member_value
>>> value = member_value(load("customers"), load("transactions"), load("contacts"))
>>> table = pareto_table(value, columns=("revenue",))
>>> bool(0.5 < table.loc[20, "revenue_share"] < 0.9)
True
>>> bool(0.5 < gini(value, "revenue") < 1)
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from crm_course.language import tr
from crm_course.validation import check_frame, check_number, check_range, check_unique

__all__ = [
    "distribution_summary",
    "pareto_table",
    "lorenz_curve",
    "gini",
    "whale_curve",
    "holdout_pareto",
    "plot_lorenz",
    "plot_whale_curve",
]


def _names(value: str | Iterable[str], argument: str) -> list[str]:
    """A column name or a list of them, as a list of str."""
    if isinstance(value, str):
        return [value]
    try:
        names = list(value)
    except TypeError:
        raise ValueError(f"{argument}: expected a column name or a list of column names; found {value!r}") from None
    bad = [n for n in names if not isinstance(n, str)]
    if bad:
        raise ValueError(f"{argument}: expected column names (text); found {bad[0]!r}")
    if len(set(names)) < len(names):
        raise ValueError(f"{argument}: a column is listed twice in {names}")
    return names


def distribution_summary(
    df: pd.DataFrame, columns: str | Sequence[str] = "revenue", *, key: str | None = "customer_id"
) -> pd.DataFrame:
    """How skewed a value is: mean against median, skewness, the tail.

    Parameters
    ----------
    df : DataFrame
        One row per member (e.g. from :func:`~crm_course.profitability.member_value`).
    columns : str or list of str, default "revenue"
        Numeric columns to describe.
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    DataFrame
        One row per column with ``members``, ``share_zero``, ``mean``,
        ``median``, ``mean_to_median`` (how many times the mean exceeds the
        median; ``NaN`` when the median is 0), ``skewness`` (the adjusted
        Fisher–Pearson coefficient, 0 for a symmetric distribution),
        ``p90``, ``p99`` and ``max``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"revenue": [0.0, 1.0, 1.0, 2.0, 16.0]})
    >>> distribution_summary(df).loc["revenue", ["mean", "median", "mean_to_median"]].tolist()
    [4.0, 1.0, 4.0]
    """
    cols = _names(columns, "columns")
    if not cols:
        raise ValueError("columns: expected at least one column name; found none")
    check_frame(df, {c: "numeric" for c in cols}, name="df")
    check_unique(df, key, name="df")
    rows = {}
    for col in cols:
        x = df[col].astype(float)
        median = float(x.median())
        rows[col] = {
            "members": int(len(x)),
            "share_zero": float((x == 0).mean()),
            "mean": float(x.mean()),
            "median": median,
            "mean_to_median": float(x.mean() / median) if median != 0 else np.nan,
            "skewness": float(x.skew()) if len(x) > 2 else np.nan,
            "p90": float(x.quantile(0.90)),
            "p99": float(x.quantile(0.99)),
            "max": float(x.max()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def _check_tops(tops: Any) -> list[float]:
    try:
        values = list(tops)
    except TypeError:
        raise ValueError(f"tops: expected a list of percentages such as (1, 5, 10, 20, 50); found {tops!r}") from None
    if not values:
        raise ValueError("tops: expected at least one percentage; found none")
    for v in values:
        check_number(v, "tops", low=0, high=100, inclusive=True)
        if v == 0:
            raise ValueError("tops: expected percentages above 0 (the top 0% holds nothing); found 0")
    return values


def pareto_table(
    df: pd.DataFrame,
    columns: str | Sequence[str] = ("revenue", "profit"),
    *,
    tops: Sequence[float] = (1, 5, 10, 20, 50),
    rank_by: str | None = None,
    key: str | None = "customer_id",
) -> pd.DataFrame:
    r"""Share of the total brought by the top members: the "80/20" table.

    For each percentage :math:`p` the top :math:`k = \lceil p\,n / 100 \rceil`
    of the :math:`n` members are taken, and their share of the column's
    total is reported.

    Parameters
    ----------
    df : DataFrame
        One row per member, e.g. from :func:`~crm_course.profitability.member_value`. Include the
        members with zero value: they are part of the customer base.
    columns : str or list of str, default ("revenue", "profit")
        Numeric columns whose concentration to report. The total of each
        must be positive. Negative values are allowed (profit): the top
        members' share can then exceed 1.
    tops : sequence of float, default (1, 5, 10, 20, 50)
        Percentages of members, each in (0, 100].
    rank_by : str, optional
        Rank the members by this column for every share. By default each
        column ranks the members by itself ("the top 20% by profit bring
        this share of profit").
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    DataFrame
        Indexed by ``top_percent``; ``members`` (how many members that is)
        and one ``<column>_share`` per column, as shares between 0 and 1.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"revenue": [50.0, 20, 10, 5, 5, 4, 3, 2, 1, 0]})
    >>> pareto_table(df, "revenue", tops=(10, 20, 50))  # doctest: +NORMALIZE_WHITESPACE
                 members  revenue_share
    top_percent
    10                 1            0.5
    20                 2            0.7
    50                 5            0.9
    """
    cols = _names(columns, "columns")
    if not cols:
        raise ValueError("columns: expected at least one column name; found none")
    needed = {c: "numeric" for c in cols}
    if rank_by is not None:
        needed[rank_by] = "numeric"
    check_frame(df, needed, name="df")
    check_unique(df, key, name="df")
    percents = _check_tops(tops)
    n = len(df)
    k = np.array([int(np.ceil(p * n / 100 - 1e-9)) for p in percents])
    k = np.clip(k, 1, n)
    out = pd.DataFrame({"members": k}, index=pd.Index(percents, name="top_percent"))
    for col in cols:
        total = float(df[col].sum())
        if not total > 0:
            raise ValueError(f"df: column {col!r} should have a positive total to compute shares; found {total:g}")
        key = df[rank_by] if rank_by is not None else df[col]
        order = np.argsort(-key.to_numpy(dtype=float), kind="stable")
        cumulative = np.cumsum(df[col].to_numpy(dtype=float)[order])
        out[f"{col}_share"] = cumulative[k - 1] / total
    return out


def lorenz_curve(df: pd.DataFrame, column: str = "revenue", *, key: str | None = "customer_id") -> pd.DataFrame:
    r"""Points of the Lorenz curve of a non-negative value.

    Members are sorted from the smallest value to the largest; the curve
    joins :math:`(0, 0)` and :math:`(i/n, \sum_{j \le i} x_{(j)} / \sum x)` for
    :math:`i = 1, \dots, n`. The diagonal is perfect equality; the further
    the curve sags below it, the more concentrated the value.

    Parameters
    ----------
    df : DataFrame
        One row per member.
    column : str, default "revenue"
        A numeric column with values >= 0 and a positive total.
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    DataFrame
        ``member_share`` and ``value_share``, ``n + 1`` rows from (0, 0) to
        (1, 1).

    Examples
    --------
    >>> import pandas as pd
    >>> lorenz_curve(pd.DataFrame({"revenue": [3.0, 0.0, 1.0]}))
       member_share  value_share
    0      0.000000         0.00
    1      0.333333         0.00
    2      0.666667         0.25
    3      1.000000         1.00
    """
    x = _nonnegative(df, column)
    check_unique(df, key, name="df")
    n = len(x)
    cum = np.concatenate([[0.0], np.cumsum(np.sort(x))])
    return pd.DataFrame({"member_share": np.arange(n + 1) / n, "value_share": cum / cum[-1]})


def _nonnegative(df: pd.DataFrame, column: str) -> np.ndarray:
    if not isinstance(column, str):
        raise ValueError(f"column: expected a column name (text); found {column!r}")
    check_frame(df, {column: "numeric"}, name="df")
    check_range(df, column, low=0, name="df")
    x = df[column].to_numpy(dtype=float)
    if not x.sum() > 0:
        raise ValueError(f"df: column {column!r} should have a positive total; found {x.sum():g}")
    return x


def gini(df: pd.DataFrame, column: str = "revenue", *, key: str | None = "customer_id") -> float:
    r"""Gini coefficient of a non-negative value: 0 when all members are equal.

    .. math::

        G = \frac{\sum_i \sum_j |x_i - x_j|}{2 n^2 \bar x}
          = \frac{2 \sum_{i=1}^{n} i\, x_{(i)}}{n \sum_i x_i} - \frac{n + 1}{n},

    with :math:`x_{(i)}` sorted ascending: one minus twice the area under the
    Lorenz curve of :func:`lorenz_curve`. It approaches 1 when one member
    holds everything (its maximum with :math:`n` members is
    :math:`1 - 1/n`).

    Parameters
    ----------
    df : DataFrame
        One row per member, members with zero value included.
    column : str, default "revenue"
        A numeric column with values >= 0 and a positive total. (Profit can
        be negative, which the Gini coefficient cannot handle: use
        :func:`whale_curve` for it.)
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    float

    Examples
    --------
    >>> import pandas as pd
    >>> gini(pd.DataFrame({"revenue": [1.0, 1.0, 1.0, 1.0]}))
    0.0
    >>> gini(pd.DataFrame({"revenue": [0.0, 0.0, 0.0, 4.0]}))
    0.75
    """
    x = np.sort(_nonnegative(df, column))
    check_unique(df, key, name="df")
    n = len(x)
    i = np.arange(1, n + 1)
    return float(2 * np.sum(i * x) / (n * x.sum()) - (n + 1) / n)


def whale_curve(df: pd.DataFrame, column: str = "profit", *, key: str | None = "customer_id") -> pd.DataFrame:
    """Cumulative profit from the most to the least profitable member.

    The curve rises above 100% of total profit while profitable members are
    added, peaks where the unprofitable ones begin, and falls back to 100%:
    the height of the hump is the profit the unprofitable members destroy
    (Kaplan & Narayanan, 2001).

    Parameters
    ----------
    df : DataFrame
        One row per member, e.g. from :func:`~crm_course.profitability.member_value`.
    column : str, default "profit"
        A numeric column; negative values allowed; the total must be positive.
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    DataFrame
        ``n + 1`` rows starting at (0, 0): ``member_share`` (share of members
        counted, most profitable first), ``cumulative_profit`` and
        ``profit_share`` (cumulative profit as a share of the total; 1 at the
        end).

    Examples
    --------
    >>> import pandas as pd
    >>> whale_curve(pd.DataFrame({"profit": [-2.0, 5.0, 1.0, 0.0]}))
       member_share  cumulative_profit  profit_share
    0          0.00                0.0          0.00
    1          0.25                5.0          1.25
    2          0.50                6.0          1.50
    3          0.75                6.0          1.50
    4          1.00                4.0          1.00
    """
    if not isinstance(column, str):
        raise ValueError(f"column: expected a column name (text); found {column!r}")
    check_frame(df, {column: "numeric"}, name="df")
    check_unique(df, key, name="df")
    x = df[column].to_numpy(dtype=float)
    total = x.sum()
    if not total > 0:
        raise ValueError(
            f"df: column {column!r} should have a positive total to draw a whale curve; found {total:g}"
        )
    cum = np.concatenate([[0.0], np.cumsum(-np.sort(-x))])
    n = len(x)
    return pd.DataFrame({"member_share": np.arange(n + 1) / n, "cumulative_profit": cum, "profit_share": cum / total})


def holdout_pareto(
    df: pd.DataFrame,
    calibration: str,
    holdout: str,
    *,
    tops: Sequence[float] = (1, 5, 10, 20, 50),
    key: str | None = "customer_id",
) -> pd.DataFrame:
    r"""The Pareto table of one period's top members, read again in a later period.

    Members are ranked by their value in the ``calibration`` period (say,
    2023 spend). For each percentage :math:`p`, the top :math:`p\%` of them
    are followed into the ``holdout`` period (2024): the table gives their
    share of the calibration total (the usual Pareto table), their share of
    the holdout total, and, for comparison, the share of the holdout total
    brought by the holdout period's *own* top :math:`p\%`.

    A member's value in one period is their lasting level plus luck, so the
    members who top one period are partly the lucky ones, and their share
    falls in the next: concentration measured in one period overstates the
    concentration a firm can count on (regression to the mean; Schmittlein,
    Cooper & Morrison, 1993). The gap between ``holdout_share`` and
    ``holdout_best_share`` is the part of next period's concentration that
    this period's ranking cannot see.

    Parameters
    ----------
    df : DataFrame
        One row per member, with a column per period. Keep the members with
        zero value in either period: they are part of the base.
    calibration, holdout : str
        Numeric columns: the value that ranks the members, and the value of
        the later period. Each must have a positive total.
    tops : sequence of float, default (1, 5, 10, 20, 50)
        Percentages of members, each in (0, 100].
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a member: a repeated value is an
        error. Checked when the table has the column; ``None`` skips it.

    Returns
    -------
    DataFrame
        Indexed by ``top_percent``: ``members``, ``calibration_share``,
        ``holdout_share`` (the same members' share of the holdout total) and
        ``holdout_best_share`` (the holdout period's own top members' share).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y2023": [10.0, 8, 1, 1, 0], "y2024": [4.0, 0, 5, 1, 0]})
    >>> holdout_pareto(df, "y2023", "y2024", tops=(20, 40))  # doctest: +NORMALIZE_WHITESPACE
                 members  calibration_share  holdout_share  holdout_best_share
    top_percent
    20                 1                0.5            0.4                 0.5
    40                 2                0.9            0.4                 0.9
    """
    if not isinstance(calibration, str) or not isinstance(holdout, str):
        raise ValueError(f"calibration, holdout: expected column names (text); found {calibration!r}, {holdout!r}")
    if calibration == holdout:
        raise ValueError(f"holdout: expected a column other than calibration; found {holdout!r} for both")
    ranked = pareto_table(df, [calibration, holdout], tops=tops, rank_by=calibration, key=key)
    own = pareto_table(df, holdout, tops=tops, key=key)
    return pd.DataFrame({
        "members": ranked["members"],
        "calibration_share": ranked[f"{calibration}_share"],
        "holdout_share": ranked[f"{holdout}_share"],
        "holdout_best_share": own[f"{holdout}_share"],
    })


def plot_lorenz(lorenz: pd.DataFrame, *, ax=None, label: str | None = None, diagonal: bool = True,
                shade: bool = True):
    """Draw a Lorenz curve from :func:`lorenz_curve`, with the line of perfect equality.

    Parameters
    ----------
    lorenz : DataFrame
        The output of :func:`lorenz_curve` (columns ``member_share`` and
        ``value_share``, shares between 0 and 1).
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default. Call again on the same Axes
        (with ``diagonal=False``) to compare two curves.
    label : str, optional
        Legend label of the curve (default: "members", in the current language).
    diagonal : bool, default True
        Draw the diagonal of perfect equality.
    shade : bool, default True
        Shade the area between the curve and the diagonal (half the Gini
        coefficient).

    Returns
    -------
    matplotlib Axes
        Axis labels are set; the title is the caller's.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> ax = plot_lorenz(lorenz_curve(pd.DataFrame({"revenue": [3.0, 0.0, 1.0]})))
    >>> ax.get_legend_handles_labels()[1]
    ['members', 'perfect equality']
    """
    import matplotlib.pyplot as plt

    from crm_course.plots import PALETTE, percent_axis

    check_frame(lorenz, {"member_share": "numeric", "value_share": "numeric"}, name="lorenz")
    for column in ("member_share", "value_share"):
        check_range(lorenz, column, low=0, high=1, name="lorenz")
    if ax is None:
        _, ax = plt.subplots()
    colour = PALETTE[len(ax.lines) % len(PALETTE)] if not diagonal else PALETTE[0]
    x, y = lorenz["member_share"].to_numpy(dtype=float), lorenz["value_share"].to_numpy(dtype=float)
    ax.plot(x, y, color=colour, label=tr("members") if label is None else label)
    if diagonal:
        ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label=tr("perfect equality"))
    if shade:
        ax.fill_between(x, y, x, color=colour, alpha=0.15)
    ax.set_xlabel(tr("Members, from smallest to largest (share)"))
    ax.set_ylabel(tr("Value they bring (cumulative share)"))
    percent_axis(ax, "x")
    percent_axis(ax, "y")
    ax.legend(loc="upper left")
    return ax


def plot_whale_curve(whale: pd.DataFrame, *, ax=None, annotate: bool = True):
    """Draw a whale curve from :func:`whale_curve`, marking where the losses begin.

    Parameters
    ----------
    whale : DataFrame
        The output of :func:`whale_curve` (columns ``member_share`` and
        ``profit_share``).
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    annotate : bool, default True
        Mark the last profitable and the first unprofitable member: the two
        ends of the flat top of the curve (members who earn nothing).

    Returns
    -------
    matplotlib Axes
        Axis labels are set; the title is the caller's.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> ax = plot_whale_curve(whale_curve(pd.DataFrame({"profit": [-2.0, 5.0, 1.0, 0.0]})))
    >>> float(max(ax.lines[0].get_ydata()))
    1.5
    """
    import matplotlib.pyplot as plt

    from crm_course.plots import PALETTE, percent_axis

    check_frame(whale, {"member_share": "numeric", "profit_share": "numeric"}, name="whale")
    check_range(whale, "member_share", low=0, high=1, name="whale")
    if ax is None:
        _, ax = plt.subplots()
    x, y = whale["member_share"].to_numpy(dtype=float), whale["profit_share"].to_numpy(dtype=float)
    ax.plot(x, y, color=PALETTE[0])
    ax.axhline(1.0, color="grey", linestyle=":")
    if annotate:
        # The flat top: every point within a rounding error of the peak.
        top = np.flatnonzero(y >= y.max() - 1e-12 * max(1.0, abs(y.max())))
        first, last = x[top[0]], x[top[-1]]
        ax.plot([first, last], [y.max()] * 2, "o", color=PALETTE[5])
        ax.annotate(tr("last profitable member"), (first, y.max()), xytext=(0.25, 0.75), textcoords="axes fraction",
                    arrowprops={"arrowstyle": "->", "color": "black"})
        ax.annotate(tr("first unprofitable member"), (last, y.max()), xytext=(0.55, 0.45), textcoords="axes fraction",
                    arrowprops={"arrowstyle": "->", "color": "black"})
    ax.set_xlabel(tr("Members, from most to least profitable (share)"))
    ax.set_ylabel(tr("Cumulative profit (share of total)"))
    percent_axis(ax, "x")
    percent_axis(ax, "y")
    return ax
