r"""How customers differ: value, concentration, behaviour and partial pooling (chapter 1).

The chapter's argument is that a customer is an individual, not the average of
a segment. These helpers measure how far that is true of a customer base:

* **value** — :func:`member_value` (revenue, margin, support cost and profit
  per member) and :func:`distribution_summary` (skew, mean against median);
* **concentration** — :func:`pareto_table`, :func:`lorenz_curve`,
  :func:`gini` and :func:`whale_curve` (cumulative profit, showing the
  members who destroy value);
* **behaviour** — :func:`rfm_scores` (recency, frequency, monetary scores and
  named segments), :func:`segment_profile` and :func:`cluster_members`
  (k-means);
* **"who you are" against "what you do"** — :func:`next_period_spend` builds
  the data, :func:`spend_regression` fits one OLS model with HC1 standard
  errors and :func:`compare_spend_models` compares demographics with past
  behaviour in and out of sample; :func:`first_order_data` and
  :func:`first_order_model` estimate the demographic purchase-rate ratios
  directly (exponential–gamma timing model);
* **a segment of one** — :func:`order_value_model` (a random-intercept model
  of log order value), :func:`variance_components` (between- and
  within-member variance, the intra-class correlation, member-clustered
  sandwich intervals) and :func:`shrunken_means` (partially pooled member
  means);
* :func:`planted_truth` — what the Kopilka simulation planted, to hold the
  estimates against.

Every function takes a DataFrame with Kopilka's column names as defaults
(pass your own names to use your data), checks it, never modifies it and
returns a tidy DataFrame or a statsmodels result. Money is in the unit of the
data (RUB for Kopilka).

Examples
--------
>>> from crm_course.data import load
>>> from crm_course import heterogeneity as het
>>> value = het.member_value(load("customers"), load("transactions"), load("contacts"))
>>> table = het.pareto_table(value, columns=("revenue",))
>>> bool(0.5 < table.loc[20, "revenue_share"] < 0.9)
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from crm_course.validation import check_frame, check_number, check_range

__all__ = [
    "DEMOGRAPHICS",
    "BEHAVIOUR",
    "RFM_SEGMENTS",
    "member_value",
    "distribution_summary",
    "pareto_table",
    "lorenz_curve",
    "gini",
    "whale_curve",
    "rfm_scores",
    "segment_profile",
    "cluster_members",
    "next_period_spend",
    "spend_regression",
    "compare_spend_models",
    "first_order_data",
    "first_order_model",
    "rate_ratios",
    "order_value_model",
    "variance_components",
    "shrunken_means",
    "planted_truth",
]

#: Kopilka's sign-up form: "who you are".
DEMOGRAPHICS: tuple[str, ...] = ("channel", "age_band", "region", "device")
#: Past behaviour built by :func:`next_period_spend`: "what you do".
BEHAVIOUR: tuple[str, ...] = ("past_orders", "past_spend", "weeks_since_last_order", "tenure_weeks")
#: RFM segments from best to worst, as assigned by :func:`rfm_scores`.
RFM_SEGMENTS: tuple[str, ...] = ("Champions", "Loyal", "Promising", "Needs attention", "At risk", "Hibernating")


# ---------------------------------------------------------------------------
# Small shared pieces
# ---------------------------------------------------------------------------


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


def _check_timestamp(value: Any, argument: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"{argument}: expected a date such as '2024-01-01'; found {value!r}") from None
    if stamp is pd.NaT:
        raise ValueError(f"{argument}: expected a date such as '2024-01-01'; found {value!r}")
    return stamp


def _check_unique(df: pd.DataFrame, column: str, name: str) -> None:
    dup = df[column].duplicated()
    if dup.any():
        raise ValueError(
            f"{name}: column {column!r} should identify each row once; found {int(dup.sum())} "
            f"duplicate(s), e.g. {df.loc[dup, column].iloc[0]!r}"
        )


def _levels(series: pd.Series, reference: Any | None, column: str) -> list:
    """The levels of a categorical predictor, the reference level first."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna().unique())
        levels = [c for c in series.cat.categories if c in present]
    else:
        levels = sorted(series.dropna().unique(), key=str)
    if reference is not None:
        if reference not in levels:
            raise ValueError(
                f"reference: {reference!r} is not a level of column {column!r}; found levels {levels}"
            )
        levels = [reference] + [lev for lev in levels if lev != reference]
    return levels


def _design(
    df: pd.DataFrame,
    categorical: Sequence[str],
    numeric: Sequence[str],
    reference: Mapping[str, Any] | None,
    *,
    intercept: bool,
) -> pd.DataFrame:
    """Dummy-coded design matrix with patsy-style names such as ``channel[T.social]``."""
    reference = dict(reference or {})
    parts = {}
    if intercept:
        parts["Intercept"] = np.ones(len(df))
    for col in categorical:
        levels = _levels(df[col], reference.get(col), col)
        values = df[col].to_numpy()
        for level in levels[1:]:
            parts[f"{col}[T.{level}]"] = (values == level).astype(float)
    for col in numeric:
        parts[col] = df[col].to_numpy(dtype=float)
    return pd.DataFrame(parts, index=df.index)


def _split_predictors(df: pd.DataFrame, columns: Sequence[str], name: str) -> tuple[list[str], list[str]]:
    """Numeric columns enter as they are, every other column as categories."""
    categorical, numeric = [], []
    for col in columns:
        series = df[col]
        if series.isna().any():
            raise ValueError(f"{name}: column {col!r} has {int(series.isna().sum())} missing value(s); drop or fill them first")
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            categorical.append(col)
        else:
            numeric.append(col)
    return categorical, numeric


def _check_reference(reference: Any, columns: Sequence[str]) -> dict:
    if reference is None:
        return {}
    if not isinstance(reference, Mapping):
        raise ValueError(f"reference: expected a mapping such as {{'channel': 'search'}}; found {reference!r}")
    unknown = [c for c in reference if c not in columns]
    if unknown:
        raise ValueError(f"reference: {unknown} are not among the categorical predictors {list(columns)}")
    return dict(reference)


# ---------------------------------------------------------------------------
# Value per member
# ---------------------------------------------------------------------------


def member_value(
    customers: pd.DataFrame,
    transactions: pd.DataFrame,
    contacts: pd.DataFrame | None = None,
    *,
    cost_per_contact: float = 180.0,
    customer: str = "customer_id",
    order_value: str = "order_value",
    commission: str = "commission",
    cashback: str = "cashback",
) -> pd.DataFrame:
    r"""Revenue, margin, support cost and profit of every member.

    .. math::

        \text{revenue}_i = \sum_{o \in i} \text{order value}_o, \qquad
        \text{profit}_i = \sum_{o \in i} (\text{commission}_o - \text{cashback}_o)
                          - c \times \text{contacts}_i

    where :math:`c` is the cost of handling one support contact. Declined
    orders carry no commission and no cashback in the Kopilka data, so they
    add revenue (the member's spending) but no margin.

    Parameters
    ----------
    customers : DataFrame
        One row per member; only ``customer`` is used. Members without orders
        are kept, with zeros.
    transactions : DataFrame
        One row per order with ``customer``, ``order_value`` (>= 0),
        ``commission`` and ``cashback``.
    contacts : DataFrame, optional
        One row per support contact with ``customer``. Without it, support
        costs are zero.
    cost_per_contact : float, default 180
        Fully loaded cost of one contact (RUB for Kopilka; the world's
        ``SupportParams.cost_per_contact``).
    customer, order_value, commission, cashback : str
        Column names.

    Returns
    -------
    DataFrame
        One row per member, in the order of ``customers``: ``customer``,
        ``orders``, ``revenue``, ``margin`` (commission minus cashback),
        ``contacts``, ``support_cost`` and ``profit``.

    Examples
    --------
    >>> import pandas as pd
    >>> customers = pd.DataFrame({"customer_id": [1, 2, 3]})
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 2], "order_value": [100.0, 300.0, 50.0],
    ...                        "commission": [8.0, 24.0, 4.0], "cashback": [5.0, 15.0, 2.5]})
    >>> contacts = pd.DataFrame({"customer_id": [2]})
    >>> member_value(customers, orders, contacts, cost_per_contact=10)
       customer_id  orders  revenue  margin  contacts  support_cost  profit
    0            1       2    400.0    12.0         0           0.0    12.0
    1            2       1     50.0     1.5         1          10.0    -8.5
    2            3       0      0.0     0.0         0           0.0     0.0
    """
    check_frame(customers, {customer: "any"}, name="customers")
    if customers[customer].isna().any():
        raise ValueError(f"customers: column {customer!r} has missing value(s)")
    _check_unique(customers, customer, "customers")
    check_frame(
        transactions,
        {customer: "any", order_value: "numeric", commission: "numeric", cashback: "numeric"},
        name="transactions",
        min_rows=0,
    )
    check_range(transactions, order_value, low=0, name="transactions")
    check_number(cost_per_contact, "cost_per_contact", low=0)
    ids = customers[customer]
    unknown = ~transactions[customer].isin(ids)
    if unknown.any():
        raise ValueError(
            f"transactions: {int(unknown.sum())} order(s) belong to no member of customers "
            f"(e.g. {customer}={transactions.loc[unknown, customer].iloc[0]!r}); pass the matching customers table"
        )
    orders = transactions.groupby(customer, sort=False)
    n_orders = orders.size()
    revenue = orders[order_value].sum()
    margin = (transactions[commission] - transactions[cashback]).groupby(transactions[customer], sort=False).sum()
    if contacts is not None:
        check_frame(contacts, {customer: "any"}, name="contacts", min_rows=0)
        unknown = ~contacts[customer].isin(ids)
        if unknown.any():
            raise ValueError(
                f"contacts: {int(unknown.sum())} contact(s) belong to no member of customers "
                f"(e.g. {customer}={contacts.loc[unknown, customer].iloc[0]!r})"
            )
        n_contacts = contacts.groupby(customer, sort=False).size()
    else:
        n_contacts = pd.Series(dtype="int64")
    out = pd.DataFrame({customer: ids.to_numpy()})
    key = out[customer]
    out["orders"] = key.map(n_orders).fillna(0).astype("int64").to_numpy()
    out["revenue"] = key.map(revenue).fillna(0.0).astype(float).to_numpy()
    out["margin"] = key.map(margin).fillna(0.0).astype(float).to_numpy()
    out["contacts"] = key.map(n_contacts).fillna(0).astype("int64").to_numpy()
    out["support_cost"] = out["contacts"] * float(cost_per_contact)
    out["profit"] = out["margin"] - out["support_cost"]
    return out


def distribution_summary(df: pd.DataFrame, columns: str | Sequence[str] = "revenue") -> pd.DataFrame:
    """How skewed a value is: mean against median, skewness, the tail.

    Parameters
    ----------
    df : DataFrame
        One row per member (e.g. from :func:`member_value`).
    columns : str or list of str, default "revenue"
        Numeric columns to describe.

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


# ---------------------------------------------------------------------------
# Concentration
# ---------------------------------------------------------------------------


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
) -> pd.DataFrame:
    r"""Share of the total brought by the top members: the "80/20" table.

    For each percentage :math:`p` the top :math:`k = \lceil p\,n / 100 \rceil`
    of the :math:`n` members are taken, and their share of the column's
    total is reported.

    Parameters
    ----------
    df : DataFrame
        One row per member, e.g. from :func:`member_value`. Include the
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


def lorenz_curve(df: pd.DataFrame, column: str = "revenue") -> pd.DataFrame:
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


def gini(df: pd.DataFrame, column: str = "revenue") -> float:
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
    n = len(x)
    i = np.arange(1, n + 1)
    return float(2 * np.sum(i * x) / (n * x.sum()) - (n + 1) / n)


def whale_curve(df: pd.DataFrame, column: str = "profit") -> pd.DataFrame:
    """Cumulative profit from the most to the least profitable member.

    The curve rises above 100% of total profit while profitable members are
    added, peaks where the unprofitable ones begin, and falls back to 100%:
    the height of the hump is the profit the unprofitable members destroy
    (Kaplan & Narayanan, 2001).

    Parameters
    ----------
    df : DataFrame
        One row per member, e.g. from :func:`member_value`.
    column : str, default "profit"
        A numeric column; negative values allowed; the total must be positive.

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
    x = df[column].to_numpy(dtype=float)
    total = x.sum()
    if not total > 0:
        raise ValueError(
            f"df: column {column!r} should have a positive total to draw a whale curve; found {total:g}"
        )
    cum = np.concatenate([[0.0], np.cumsum(-np.sort(-x))])
    n = len(x)
    return pd.DataFrame({"member_share": np.arange(n + 1) / n, "cumulative_profit": cum, "profit_share": cum / total})


# ---------------------------------------------------------------------------
# RFM and segments
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Who you are against what you do
# ---------------------------------------------------------------------------


def next_period_spend(
    customers: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    split: Any = "2024-01-01",
    horizon_days: int = 364,
    joined_before: Any = "2023-07-01",
    joined_from: Any = None,
    demographics: Sequence[str] = DEMOGRAPHICS,
    customer: str = "customer_id",
    signup: str = "signup_date",
    date: str = "order_date",
    value: str = "order_value",
) -> pd.DataFrame:
    """Past behaviour before a split date and spend in the period after it.

    The members who joined before ``joined_before`` (and on or after
    ``joined_from``) are followed: their behaviour is measured from orders
    before ``split`` and their outcome is the value of their orders in
    ``[split, split + horizon_days)``. With the defaults: members who joined
    in the first half of 2023, behaviour in 2023, spend in 2024.

    Parameters
    ----------
    customers : DataFrame
        One row per member with ``customer``, ``signup`` (datetime) and the
        ``demographics`` columns.
    transactions : DataFrame
        One row per order with ``customer``, ``date`` (datetime) and
        ``value``.
    split : date, default "2024-01-01"
        First day of the outcome period.
    horizon_days : int, default 364
        Length of the outcome period in days (52 weeks). The transactions
        must reach to its last week.
    joined_before, joined_from : date
        The sign-up window of the members followed; ``joined_before`` must
        not be after ``split``.
    demographics : sequence of str
        Columns of ``customers`` to carry over.
    customer, signup, date, value : str
        Column names.

    Returns
    -------
    DataFrame
        One row per member followed: ``customer``, the demographics,
        ``tenure_weeks`` (weeks from sign-up to ``split``), ``past_orders``,
        ``past_spend``, ``weeks_since_last_order`` (from the last order to
        ``split``; the tenure for members who never ordered),
        ``never_ordered`` (bool) and ``next_spend``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> panel = next_period_spend(load("customers"), load("transactions"))
    >>> list(panel.columns[-4:])
    ['past_spend', 'weeks_since_last_order', 'never_ordered', 'next_spend']
    """
    demo = _names(demographics, "demographics")
    check_frame(customers, {customer: "any", signup: "datetime", **{d: "any" for d in demo}}, name="customers")
    _check_unique(customers, customer, "customers")
    check_frame(transactions, {customer: "any", date: "datetime", value: "numeric"}, name="transactions")
    check_range(transactions, value, low=0, name="transactions")
    split = _check_timestamp(split, "split")
    horizon = int(check_number(horizon_days, "horizon_days", low=1, integer=True))
    end = split + pd.Timedelta(days=horizon)
    joined_before = _check_timestamp(joined_before, "joined_before")
    if joined_before > split:
        raise ValueError(
            f"joined_before: expected a date no later than split ({split.date()}); found {joined_before.date()}"
        )
    last_order = transactions[date].max()
    if last_order < end - pd.Timedelta(days=7):
        raise ValueError(
            f"horizon_days: the outcome period runs to {end.date()}, but the last order is on "
            f"{last_order.date()}; shorten horizon_days or move split earlier"
        )
    keep = customers[signup] < joined_before
    if joined_from is not None:
        joined_from = _check_timestamp(joined_from, "joined_from")
        keep &= customers[signup] >= joined_from
    cohort = customers.loc[keep, [customer, *demo, signup]].reset_index(drop=True)
    if cohort.empty:
        raise ValueError("joined_before/joined_from: no member joined in that window")
    in_cohort = transactions[customer].isin(cohort[customer])
    past = transactions[in_cohort & (transactions[date] < split)].groupby(customer)
    future = transactions[in_cohort & (transactions[date] >= split) & (transactions[date] < end)]
    key = cohort[customer]
    tenure = (split - cohort[signup]).dt.days / 7
    last = key.map(past[date].max())
    since = (split - last).dt.days / 7
    out = cohort.drop(columns=[signup])
    out["tenure_weeks"] = tenure.to_numpy(dtype=float)
    out["past_orders"] = key.map(past.size()).fillna(0).astype("int64").to_numpy()
    out["past_spend"] = key.map(past[value].sum()).fillna(0.0).astype(float).to_numpy()
    out["weeks_since_last_order"] = since.fillna(tenure).to_numpy(dtype=float)
    out["never_ordered"] = last.isna().to_numpy()
    out["next_spend"] = key.map(future.groupby(customer)[value].sum()).fillna(0.0).astype(float).to_numpy()
    return out


def _check_predictors(
    df: pd.DataFrame, outcome: str, demographics: Any, behaviour: Any
) -> tuple[list[str], list[str]]:
    if not isinstance(outcome, str):
        raise ValueError(f"outcome: expected a column name (text); found {outcome!r}")
    demo = _names(demographics, "demographics")
    beh = _names(behaviour, "behaviour")
    if not demo and not beh:
        raise ValueError("demographics/behaviour: expected at least one predictor; found none")
    both = set(demo) & set(beh)
    if both:
        raise ValueError(f"demographics/behaviour: column(s) {sorted(both)} are listed in both")
    if outcome in demo or outcome in beh:
        raise ValueError(f"outcome: {outcome!r} is also listed as a predictor")
    check_frame(df, {outcome: "numeric", **{d: "any" for d in demo}, **{b: "numeric" for b in beh}}, name="df")
    for d in demo:
        if df[d].isna().any():
            raise ValueError(f"df: column {d!r} has {int(df[d].isna().sum())} missing value(s); drop or fill them first")
    return demo, beh


def _spend_design(df, demo, beh, reference):
    cat, num = _split_predictors(df, demo, "df")
    reference = _check_reference(reference, cat)
    return _design(df, cat, num + list(beh), reference, intercept=True)


def spend_regression(
    df: pd.DataFrame,
    outcome: str = "next_spend",
    demographics: Sequence[str] = DEMOGRAPHICS,
    behaviour: Sequence[str] = (),
    *,
    reference: Mapping[str, Any] | None = None,
    cov_type: str = "HC1",
):
    r"""OLS of next-period spend on demographics and, optionally, past behaviour.

    .. math::

        y_i = \beta_0 + \sum_k \gamma_k\, d_{ik} + \sum_m \delta_m\, b_{im} + \varepsilon_i

    with :math:`d_{ik}` dummies for the levels of each categorical
    demographic (the first level, or ``reference``, is the baseline) and
    :math:`b_{im}` the behaviour columns as they are. Coefficients are in
    the outcome's unit (RUB of next-period spend per unit of the predictor).
    Spend is skewed and its spread grows with its level, so the standard
    errors are heteroskedasticity-robust (HC1) by default. The model
    describes association, not cause.

    Parameters
    ----------
    df : DataFrame
        One row per member, e.g. from :func:`next_period_spend`.
    outcome : str, default "next_spend"
        Numeric outcome column.
    demographics : sequence of str
        Predictors; text, categorical and boolean columns are dummy-coded,
        numeric ones enter as they are.
    behaviour : sequence of str, default ()
        Numeric predictors of past behaviour (e.g. :data:`BEHAVIOUR`).
    reference : mapping, optional
        Baseline level of categorical predictors, e.g. ``{"channel": "search"}``.
    cov_type : str, default "HC1"
        statsmodels covariance type ("HC1", "HC3", "nonrobust", ...).

    Returns
    -------
    statsmodels RegressionResults
        Term names follow patsy: ``channel[T.referral]``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> panel = next_period_spend(load("customers"), load("transactions"))
    >>> who = spend_regression(panel)
    >>> what = spend_regression(panel, behaviour=BEHAVIOUR)
    >>> bool(what.rsquared > who.rsquared)
    True
    """
    demo, beh = _check_predictors(df, outcome, demographics, behaviour)
    if not isinstance(cov_type, str):
        raise ValueError(f"cov_type: expected a statsmodels covariance type such as 'HC1'; found {cov_type!r}")
    import statsmodels.api as sm

    x = _spend_design(df, demo, beh, reference)
    if len(df) <= x.shape[1]:
        raise ValueError(f"df: expected more rows than the {x.shape[1]} coefficients; found {len(df)}")
    y = df[outcome].astype(float).rename(outcome)
    return sm.OLS(y, x).fit(cov_type=cov_type)


def compare_spend_models(
    df: pd.DataFrame,
    outcome: str = "next_spend",
    demographics: Sequence[str] = DEMOGRAPHICS,
    behaviour: Sequence[str] = BEHAVIOUR,
    *,
    folds: int = 5,
    seed: int = 0,
    reference: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    r"""Who you are against what you do: fit in sample and error out of sample.

    Four OLS models of ``outcome`` are compared: no predictor (everyone is
    predicted the average), demographics only, past behaviour only, and
    both. In-sample :math:`R^2` flatters a model with many predictors; the
    out-of-sample figures come from ``folds``-fold cross-validation (members
    split at random, with ``seed``, into ``folds`` groups; each group is
    predicted by the model fitted on the others, the same split for every
    model):

    .. math::

        R^2_{\text{out}} = 1 - \frac{\sum_i (y_i - \hat y_{i,-f(i)})^2}{\sum_i (y_i - \bar y)^2}.

    Parameters
    ----------
    df : DataFrame
        One row per member, e.g. from :func:`next_period_spend`.
    outcome, demographics, behaviour, reference
        As in :func:`spend_regression`; both predictor lists must be non-empty.
    folds : int, default 5
        Number of cross-validation folds, 2 to the number of members.
    seed : int, default 0
        Seed of the random split.

    Returns
    -------
    DataFrame
        Indexed by ``model`` ("no predictors", "who you are (demographics)",
        "what you do (past behaviour)", "both"): ``coefficients``, ``r2``
        (in sample), ``r2_out_of_sample``, ``rmse_out_of_sample`` and
        ``mae_out_of_sample`` (typical errors in the outcome's unit).

    Examples
    --------
    >>> from crm_course.data import load
    >>> panel = next_period_spend(load("customers"), load("transactions"))
    >>> table = compare_spend_models(panel)
    >>> list(table.index)
    ['no predictors', 'who you are (demographics)', 'what you do (past behaviour)', 'both']
    """
    demo, beh = _check_predictors(df, outcome, demographics, behaviour)
    if not demo or not beh:
        raise ValueError("demographics/behaviour: expected at least one column in each list to compare them")
    folds = int(check_number(folds, "folds", low=2, high=len(df), integer=True))
    check_number(seed, "seed", low=0, integer=True)
    y = df[outcome].to_numpy(dtype=float)
    full = _spend_design(df, demo, beh, reference)
    demo_cols = [c for c in full.columns if c == "Intercept" or any(c == d or c.startswith(f"{d}[T.") for d in demo)]
    beh_cols = ["Intercept", *beh]
    designs = {
        "no predictors": full[["Intercept"]],
        "who you are (demographics)": full[demo_cols],
        "what you do (past behaviour)": full[beh_cols],
        "both": full,
    }
    fold = np.random.default_rng(seed).permutation(len(df)) % folds
    sst = float(((y - y.mean()) ** 2).sum())
    rows = {}
    for name, x in designs.items():
        xm = x.to_numpy(dtype=float)
        beta = np.linalg.lstsq(xm, y, rcond=None)[0]
        r2 = 1 - float(((y - xm @ beta) ** 2).sum()) / sst
        pred = np.empty_like(y)
        for f in range(folds):
            test = fold == f
            b = np.linalg.lstsq(xm[~test], y[~test], rcond=None)[0]
            pred[test] = xm[test] @ b
        err = y - pred
        rows[name] = {
            "coefficients": xm.shape[1],
            "r2": r2 if name != "no predictors" else 0.0,
            "r2_out_of_sample": 1 - float((err**2).sum()) / sst,
            "rmse_out_of_sample": float(np.sqrt((err**2).mean())),
            "mae_out_of_sample": float(np.abs(err).mean()),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "model"
    return out


# ---------------------------------------------------------------------------
# The purchase rate, estimated directly: time to the first order
# ---------------------------------------------------------------------------


def first_order_data(
    customers: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    end: Any,
    covariates: Sequence[str] = ("channel", "age_band"),
    customer: str = "customer_id",
    signup: str = "signup_date",
    date: str = "order_date",
) -> pd.DataFrame:
    """Days from sign-up to the first order, censored at ``end``.

    Parameters
    ----------
    customers : DataFrame
        One row per member with ``customer``, ``signup`` (datetime) and the
        ``covariates``.
    transactions : DataFrame
        One row per order with ``customer`` and ``date`` (datetime).
    end : date
        The day observation stops (orders on or after it are ignored).
        Stop before anything that pushes members to buy for another reason,
        such as a campaign.
    covariates : sequence of str
        Columns of ``customers`` to carry over.
    customer, signup, date : str
        Column names.

    Returns
    -------
    DataFrame
        One row per member who joined before ``end``: ``customer``, the
        covariates, ``days_observed`` (whole days from sign-up to ``end``),
        ``days_to_first_order`` (whole days from sign-up to the first order;
        ``NaN`` if none before ``end``) and ``ordered`` (bool).

    Examples
    --------
    >>> from crm_course.data import load
    >>> first = first_order_data(load("customers"), load("transactions"), end="2024-09-30")
    >>> bool((first["days_to_first_order"].dropna() >= 0).all())
    True
    """
    cov = _names(covariates, "covariates")
    check_frame(customers, {customer: "any", signup: "datetime", **{c: "any" for c in cov}}, name="customers")
    _check_unique(customers, customer, "customers")
    check_frame(transactions, {customer: "any", date: "datetime"}, name="transactions", min_rows=0)
    end = _check_timestamp(end, "end")
    members = customers.loc[customers[signup] < end, [customer, signup, *cov]].reset_index(drop=True)
    if members.empty:
        raise ValueError(f"end: no member joined before {end.date()}")
    first = transactions[transactions[date] < end].groupby(customer)[date].min()
    first_date = members[customer].map(first)
    days = (first_date - members[signup]).dt.days
    early = days < 0
    if early.any():
        raise ValueError(
            f"transactions: {int(early.sum())} member(s) ordered before signing up "
            f"(e.g. {customer}={members.loc[early, customer].iloc[0]!r}); check the dates"
        )
    out = members.drop(columns=[signup])
    out["days_observed"] = (end - members[signup]).dt.days.astype("int64").to_numpy()
    out["days_to_first_order"] = days.astype(float).to_numpy()
    out["ordered"] = days.notna().to_numpy()
    return out


@lru_cache(maxsize=1)
def _exponential_gamma_model() -> type:
    """The exponential–gamma timing model as a statsmodels likelihood model (built on first use)."""
    from statsmodels.base.model import GenericLikelihoodModel
    from statsmodels.tools.numdiff import approx_fprime

    class ExponentialGammaFirstOrder(GenericLikelihoodModel):
        """Time to the first purchase with gamma heterogeneity and covariates.

        ``endog`` is the whole number of periods before the first purchase
        (-1 when censored); ``observed`` the number of periods observed.
        Parameters: the log rate ratios of ``exog`` (no constant), then
        ``log_r`` and ``log_alpha``.
        """

        def __init__(self, endog, exog, observed, per_period, **kwargs):
            self.observed = np.asarray(observed, dtype=float)
            self.per_period = float(per_period)
            super().__init__(endog, exog, extra_params_names=["log_r", "log_alpha"], **kwargs)
            # No constant: log_alpha plays its part, so every column of exog is a slope.
            self.k_constant = 0
            self.df_model = float(self.exog.shape[1])
            self.df_resid = float(len(self.endog) - self.exog.shape[1] - self.k_extra)

        def _pieces(self, params):
            beta, log_r, log_alpha = params[:-2], params[-2], params[-1]
            r, alpha = np.exp(log_r), np.exp(log_alpha)
            m = np.exp(self.exog @ beta) / self.per_period
            event = self.endog >= 0
            t0 = np.where(event, self.endog, self.observed)
            t1 = np.where(event, self.endog + 1, self.observed)
            return beta, r, alpha, log_alpha, m, event, t0, t1

        def loglikeobs(self, params):
            _, r, alpha, log_alpha, m, event, t0, t1 = self._pieces(params)
            log_s0 = r * (log_alpha - np.log(alpha + m * t0))
            log_s1 = r * (log_alpha - np.log(alpha + m * t1))
            # log(S(t) - S(t+1)) for an order in period t; log S(T) if none by T.
            with np.errstate(divide="ignore"):
                return np.where(event, log_s0 + np.log(-np.expm1(log_s1 - log_s0)), log_s0)

        def score_obs(self, params):
            _, r, alpha, log_alpha, m, event, t0, t1 = self._pieces(params)

            def parts(t):
                log_s = r * (log_alpha - np.log(alpha + m * t))
                frac = m * t / (alpha + m * t)
                # d log S / d beta (times x), d log S / d log r, d log S / d log alpha
                return log_s, -r * frac, log_s, r * frac

            s0, b0, lr0, la0 = parts(t0)
            s1, b1, lr1, la1 = parts(t1)
            w1 = np.where(event, np.exp(s1 - s0), 0.0)
            denom = np.where(event, -np.expm1(s1 - s0), 1.0)
            combine = lambda g0, g1: np.where(event, (g0 - w1 * g1) / denom, g0)  # noqa: E731
            g_beta = combine(b0, b1)[:, None] * self.exog
            return np.column_stack([g_beta, combine(lr0, lr1), combine(la0, la1)])

        def score(self, params):
            return self.score_obs(params).sum(axis=0)

        def hessian(self, params):
            return approx_fprime(params, self.score, centered=True)

        def fit(self, start_params=None, method="bfgs", maxiter=2000, **kwargs):
            return super().fit(start_params=start_params, method=method, maxiter=maxiter, disp=0, **kwargs)

    return ExponentialGammaFirstOrder


def first_order_model(
    df: pd.DataFrame,
    covariates: Sequence[str] = ("channel", "age_band"),
    *,
    time: str = "days_to_first_order",
    observed: str = "days_observed",
    per_period: float = 7.0,
    reference: Mapping[str, Any] | None = None,
):
    r"""How demographics scale the purchase rate: the exponential–gamma timing model.

    A member buys at the times of a Poisson process with rate
    :math:`\lambda_i = \lambda_{0i} \exp(x_i'\beta)` per period, where
    :math:`\lambda_{0i} \sim \text{Gamma}(r, \alpha)` (shape :math:`r`, rate
    :math:`\alpha`) is the individual, unobserved part and
    :math:`\exp(\beta_k)` is the *rate ratio* of covariate level :math:`k`
    against the baseline. Integrating over :math:`\lambda_{0i}`, the chance
    of no order in the first :math:`t` periods is

    .. math::

        S_i(t) = \left(\frac{\alpha}{\alpha + e^{x_i'\beta}\, t}\right)^{r},

    the exponential–gamma (Pareto II) model of time to first purchase with
    covariates (Fader, Hardie & Zeithammer, 2003). Times are recorded in
    whole days, so a member whose first order came on day :math:`d` adds
    :math:`\log[S_i(d) - S_i(d+1)]` to the log-likelihood and a member with
    no order in :math:`T` observed days adds :math:`\log S_i(T)` (days are
    divided by ``per_period`` to express rates per week).

    Why the first order: a member can only drop out *after* buying, so the
    wait for the first order is free of drop-out and of its knock-on effects
    (support contacts, dissatisfaction); the model is then exact for a
    Poisson buyer. Counting all orders would mix the purchase rate with
    drop-out. Assumptions: constant rates while the member waits; covariates
    act multiplicatively; gamma heterogeneity; no event that pushes members
    to buy (stop the clock before a campaign).

    Standard errors are model-based (the inverse of the observed
    information, a numerical derivative of the analytic score).

    Parameters
    ----------
    df : DataFrame
        One row per member, e.g. from :func:`first_order_data`.
    covariates : sequence of str
        Categorical (dummy-coded) or numeric columns. Use few: each adds a
        parameter.
    time : str, default "days_to_first_order"
        Whole days from sign-up to the first order, missing (NaN) when the
        member had not ordered by the end of observation.
    observed : str, default "days_observed"
        Whole days the member was observed (> 0).
    per_period : float, default 7
        Days per period of the reported rates (7: per week).
    reference : mapping, optional
        Baseline level per categorical covariate, e.g. ``{"channel": "search"}``.

    Returns
    -------
    statsmodels GenericLikelihoodModelResults
        Parameters: the log rate ratios (``channel[T.referral]``, ...), then
        ``log_r`` and ``log_alpha`` (for the baseline levels, in periods).
        :func:`rate_ratios` turns them into ratios with confidence intervals.

    Examples
    --------
    >>> from crm_course.data import load
    >>> first = first_order_data(load("customers"), load("transactions"), end="2024-09-30")
    >>> fit = first_order_model(first, ["channel"], reference={"channel": "search"})
    >>> bool(fit.mle_retvals["converged"])
    True
    """
    cov = _names(covariates, "covariates")
    if not cov:
        raise ValueError("covariates: expected at least one column name; found none")
    check_frame(df, {observed: "numeric", time: "any", **{c: "any" for c in cov}}, name="df")
    if not pd.api.types.is_numeric_dtype(df[time]):
        raise ValueError(f"df: column {time!r} should be a numeric column; found dtype {df[time].dtype}")
    check_range(df, observed, low=0, inclusive=False, name="df")
    check_number(per_period, "per_period", low=0, inclusive=False)
    t = df[time].to_numpy(dtype=float)
    obs = df[observed].to_numpy(dtype=float)
    done = ~np.isnan(t)
    if (t[done] < 0).any():
        raise ValueError(f"df: column {time!r} should be >= 0 (or missing when no order); found {t[done].min():g}")
    if (t[done] % 1 != 0).any() or (obs % 1 != 0).any():
        raise ValueError(f"df: columns {time!r} and {observed!r} should hold whole days (0, 1, 2, ...)")
    late = done & (t >= obs)
    if late.any():
        raise ValueError(
            f"df: {int(late.sum())} member(s) have {time!r} >= {observed!r}; an order must fall inside the observed days"
        )
    if not done.any():
        raise ValueError(f"df: column {time!r} is missing for every member; nobody ordered, the rate cannot be estimated")
    cat, num = _split_predictors(df, cov, "df")
    reference = _check_reference(reference, cat)
    x = _design(df, cat, num, reference, intercept=False)
    if x.shape[1] == 0:
        raise ValueError(f"covariates: every column in {cov} takes a single value; nothing to compare")
    endog = pd.Series(np.where(done, t, -1.0), index=df.index, name=time)
    model = _exponential_gamma_model()(endog, x, obs, per_period)
    # Start at r = 1 with the exponential model's rate: alpha = 1 / rate.
    exposure = np.where(done, t + 0.5, obs).sum() / per_period
    start = np.r_[np.zeros(x.shape[1]), 0.0, np.log(exposure / done.sum())]
    result = model.fit(start_params=start)
    if not result.mle_retvals.get("converged", False):
        import warnings

        warnings.warn("first_order_model: the optimiser did not converge; check the data", RuntimeWarning, stacklevel=2)
    return result


def rate_ratios(result, level: float = 0.95) -> pd.DataFrame:
    """Rate ratios and the gamma parameters of a :func:`first_order_model` fit.

    Parameters
    ----------
    result
        The result of :func:`first_order_model`.
    level : float, default 0.95
        Confidence level of the Wald intervals (computed on the log scale
        and exponentiated, so they are not symmetric).

    Returns
    -------
    DataFrame
        Indexed by ``term``: one row per covariate level (``estimate`` is the
        rate ratio against the baseline), then ``r`` (shape of the gamma
        heterogeneity: the smaller, the more members differ) and ``alpha``
        (its rate for the baseline levels, in periods). Columns
        ``estimate``, ``conf_low``, ``conf_high``, ``std_error_log``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> first = first_order_data(load("customers"), load("transactions"), end="2024-09-30")
    >>> fit = first_order_model(first, ["channel"], reference={"channel": "search"})
    >>> list(rate_ratios(fit).index)
    ['channel[T.social]', 'channel[T.referral]', 'channel[T.partner]', 'r', 'alpha']
    """
    if type(getattr(result, "model", None)) is not _exponential_gamma_model():
        raise TypeError(f"result: expected the result of first_order_model(); found {type(result).__name__}")
    check_number(level, "level", low=0, high=1, inclusive=False)
    names = list(result.model.exog_names)
    params = np.asarray(result.params, dtype=float)
    bse = np.asarray(result.bse, dtype=float)
    from scipy.stats import norm

    z = norm.ppf(0.5 + level / 2)
    index = [n.replace("log_", "") if n in {"log_r", "log_alpha"} else n for n in names]
    return pd.DataFrame(
        {
            "estimate": np.exp(params),
            "conf_low": np.exp(params - z * bse),
            "conf_high": np.exp(params + z * bse),
            "std_error_log": bse,
        },
        index=pd.Index(index, name="term"),
    )


# ---------------------------------------------------------------------------
# A segment of one: random intercepts and partial pooling
# ---------------------------------------------------------------------------


def _log_values(transactions: pd.DataFrame, customer: str, value: str, log: bool) -> pd.DataFrame:
    check_frame(transactions, {customer: "any", value: "numeric"}, name="transactions", min_rows=2)
    if transactions[customer].isna().any():
        raise ValueError(f"transactions: column {customer!r} has missing value(s)")
    if log:
        check_range(transactions, value, low=0, inclusive=False, name="transactions")
    y = np.log(transactions[value].to_numpy(dtype=float)) if log else transactions[value].to_numpy(dtype=float)
    return pd.DataFrame({"group": transactions[customer].to_numpy(), "y": y})


def order_value_model(
    transactions: pd.DataFrame,
    *,
    customer: str = "customer_id",
    value: str = "order_value",
    log: bool = True,
    sample_members: int | None = None,
    seed: int = 0,
):
    r"""Random-intercept model of (log) order value, members as groups.

    .. math::

        \log v_{ij} = \mu + b_i + \varepsilon_{ij}, \qquad
        b_i \sim N(0, \sigma_b^2), \quad \varepsilon_{ij} \sim N(0, \sigma_w^2)

    for order :math:`j` of member :math:`i`. :math:`\sigma_b^2` is how much
    members differ in their typical order, :math:`\sigma_w^2` how much one
    member's orders vary around their own typical value. Fitted by REML with
    statsmodels' MixedLM. Under the Gamma–Gamma spend model (Fader, Hardie &
    Lee, 2005) log order values are not normal, but REML still estimates the
    two variances consistently; use :func:`variance_components` for
    intervals that do not lean on normality.

    Parameters
    ----------
    transactions : DataFrame
        One row per order with ``customer`` and ``value`` (> 0 on the log scale).
    customer, value : str
        Column names.
    log : bool, default True
        Model the logarithm of the value (order values are skewed).
    sample_members : int, optional
        Fit on all orders of this many members drawn at random (MixedLM
        loops over members, so a sample keeps large data fast; the variance
        estimates stay unbiased). Default: all members.
    seed : int, default 0
        Seed of the sample.

    Returns
    -------
    statsmodels MixedLMResults
        ``cov_re`` holds :math:`\sigma_b^2`, ``scale`` :math:`\sigma_w^2`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> member = np.repeat(np.arange(500), 4)  # 500 members, 4 orders each
    >>> values = np.exp(7 + rng.normal(0, 0.6, 500)[member] + rng.normal(0, 0.5, 2000))
    >>> fit = order_value_model(pd.DataFrame({"customer_id": member, "order_value": values}))
    >>> round(float(fit.cov_re.iloc[0, 0]), 2), round(float(fit.scale), 2)  # planted 0.36 and 0.25
    (0.38, 0.25)
    """
    data = _log_values(transactions, customer, value, bool(log))
    check_number(seed, "seed", low=0, integer=True)
    if sample_members is not None:
        n_members = data["group"].nunique()
        k = int(check_number(sample_members, "sample_members", low=2, integer=True))
        if k < n_members:
            members = pd.unique(data["group"])
            chosen = np.random.default_rng(seed).choice(members, size=k, replace=False)
            data = data[data["group"].isin(chosen)]
    counts = data["group"].value_counts()
    if (counts > 1).sum() < 2:
        raise ValueError(
            "transactions: at least two members need two or more orders to separate the "
            "between-member from the within-member variance"
        )
    import statsmodels.api as sm

    name = f"log_{value}" if log else value
    endog = pd.Series(data["y"].to_numpy(), name=name)
    exog = pd.DataFrame({"Intercept": np.ones(len(data))})
    model = sm.MixedLM(endog, exog, groups=data["group"].to_numpy())
    model._crm_course_log = bool(log)  # read by shrunken_means
    return model.fit(reml=True)


def _check_mixed(result) -> None:
    from statsmodels.regression.mixed_linear_model import MixedLMResults

    if not isinstance(result, MixedLMResults) and not isinstance(getattr(result, "_results", None), MixedLMResults):
        raise TypeError(f"result: expected the result of order_value_model() (a MixedLM fit); found {type(result).__name__}")
    if result.model.k_re != 1 or result.model.k_vc != 0:
        raise ValueError("result: expected a model with one random intercept and no other random effects")


def variance_components(result, level: float = 0.95) -> pd.DataFrame:
    r"""Between- and within-member variance, the intra-class correlation and their intervals.

    .. math::

        \text{ICC} = \frac{\sigma_b^2}{\sigma_b^2 + \sigma_w^2}

    is the share of the variation in (log) order value that lies *between*
    members — how much knowing who ordered tells about the order.

    Intervals: Wald intervals from a sandwich (member-clustered) covariance
    of the two variances, :math:`A^{-1} B A^{-1}`, where :math:`A` is the
    expected information of the one-way random-effects model and :math:`B`
    the sum over members of the outer products of their score
    contributions (computed in closed form from each member's count, sum and
    sum of squares of residuals). Unlike the model-based errors, these stay
    valid when the data are not normal (log order values under the
    Gamma–Gamma model have heavier tails); the ICC's interval follows by the
    delta method. (statsmodels' own ``bse_re`` refers to a rescaled
    parameter and is not the standard error of :math:`\sigma_b^2`.)

    Parameters
    ----------
    result
        A fit from :func:`order_value_model` (one random intercept).
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    DataFrame
        Indexed by ``component``: ``between_member_variance``,
        ``within_member_variance``, ``icc``; columns ``estimate``,
        ``std_error`` (robust), ``conf_low``, ``conf_high``,
        ``std_error_model`` (from the expected information, assuming
        normality).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> member = np.repeat(np.arange(200), 4)
    >>> values = np.exp(7 + rng.normal(0, 0.6, 200)[member] + rng.normal(0, 0.5, 800))
    >>> vc = variance_components(order_value_model(pd.DataFrame({"customer_id": member, "order_value": values})))
    >>> list(vc.index)
    ['between_member_variance', 'within_member_variance', 'icc']
    """
    _check_mixed(result)
    check_number(level, "level", low=0, high=1, inclusive=False)
    from scipy.stats import norm

    model = result.model
    e = np.asarray(model.endog, dtype=float) - np.asarray(model.exog, dtype=float) @ np.asarray(result.fe_params)
    groups = pd.factorize(np.asarray(model.groups))[0]
    n = np.bincount(groups).astype(float)
    s = np.bincount(groups, e)
    q = np.bincount(groups, e * e)
    b = float(np.asarray(result.cov_re)[0, 0])
    w = float(result.scale)
    lam = w + n * b
    score_b = -0.5 * n / lam + 0.5 * s**2 / lam**2
    e_v2_e = (q - 2 * b * s**2 / lam + n * b * b * s**2 / lam**2) / w**2
    score_w = -0.5 * ((n - 1) / w + 1 / lam) + 0.5 * e_v2_e
    scores = np.column_stack([score_b, score_w])
    info = 0.5 * np.array(
        [
            [np.sum(n**2 / lam**2), np.sum(n / lam**2)],
            [np.sum(n / lam**2), np.sum((n - 1) / w**2 + 1 / lam**2)],
        ]
    )
    inv = np.linalg.inv(info)
    robust = inv @ (scores.T @ scores) @ inv
    icc = b / (b + w)
    grad = np.array([w, -b]) / (b + w) ** 2
    se = np.sqrt([robust[0, 0], robust[1, 1], grad @ robust @ grad])
    se_model = np.sqrt([inv[0, 0], inv[1, 1], grad @ inv @ grad])
    est = np.array([b, w, icc])
    z = norm.ppf(0.5 + level / 2)
    return pd.DataFrame(
        {
            "estimate": est,
            "std_error": se,
            "conf_low": est - z * se,
            "conf_high": est + z * se,
            "std_error_model": se_model,
        },
        index=pd.Index(["between_member_variance", "within_member_variance", "icc"], name="component"),
    )


def shrunken_means(
    result,
    transactions: pd.DataFrame | None = None,
    *,
    customer: str = "customer_id",
    value: str = "order_value",
) -> pd.DataFrame:
    r"""Each member's own mean against the partially pooled (shrunken) mean.

    With :math:`n_i` orders and own mean :math:`\bar y_i` (of log values),
    the best linear unbiased prediction of the member's typical value is

    .. math::

        \hat\mu_i = \hat\mu + w_i (\bar y_i - \hat\mu), \qquad
        w_i = \frac{n_i \sigma_b^2}{n_i \sigma_b^2 + \sigma_w^2},

    a weighted average of the member's own mean and the mean of all members.
    With one order the member's own data get the weight
    :math:`\sigma_b^2 / (\sigma_b^2 + \sigma_w^2)`, the ICC; with many
    orders the weight approaches 1 — a "segment of one" earns its own
    estimate order by order.

    Parameters
    ----------
    result
        A fit from :func:`order_value_model`.
    transactions : DataFrame, optional
        Orders to compute the means from (e.g. all members when the model
        was fitted on a sample). Default: the data the model was fitted on.
        Must be on the model's scale: the log is taken when the model's
        outcome is named ``log_<value>``.
    customer, value : str
        Column names in ``transactions``.

    Returns
    -------
    DataFrame
        One row per member: ``customer``, ``orders``, ``own_mean``,
        ``weight``, ``shrunken_mean`` (on the model's scale) and, for a log
        model, ``own_typical_value`` and ``shrunken_typical_value`` — the
        geometric means back on the money scale.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2, 3, 3, 3, 4],
    ...                        "order_value": [900.0, 1100, 1000, 3000, 3500, 400, 500, 450, 8000]})
    >>> means = shrunken_means(order_value_model(orders))
    >>> bool((means["weight"] < 1).all())
    True
    """
    _check_mixed(result)
    model = result.model
    if model.k_fe != 1:
        raise ValueError("result: expected an intercept-only model from order_value_model()")
    log = bool(getattr(model, "_crm_course_log", str(model.endog_names).startswith("log_")))
    if transactions is None:
        data = pd.DataFrame({"group": np.asarray(model.groups), "y": np.asarray(model.endog, dtype=float)})
    else:
        data = _log_values(transactions, customer, value, log)
    g = data.groupby("group", sort=True)["y"]
    b = float(np.asarray(result.cov_re)[0, 0])
    w = float(result.scale)
    mu = float(np.asarray(result.fe_params)[0])
    out = pd.DataFrame({"orders": g.size().astype("int64"), "own_mean": g.mean()})
    out["weight"] = out["orders"] * b / (out["orders"] * b + w)
    out["shrunken_mean"] = mu + out["weight"] * (out["own_mean"] - mu)
    if log:
        out["own_typical_value"] = np.exp(out["own_mean"])
        out["shrunken_typical_value"] = np.exp(out["shrunken_mean"])
    out.index.name = customer
    return out.reset_index()


# ---------------------------------------------------------------------------
# The planted truth
# ---------------------------------------------------------------------------


def planted_truth(params=None, *, reference: Mapping[str, str] | None = None) -> pd.DataFrame:
    r"""What the Kopilka simulation planted for chapter 1, to compare estimates with.

    * Rate ratios of channel and age band against the baseline levels, and
      the gamma heterogeneity of the purchase rate (``r``; ``alpha`` per
      week for the baseline levels), as estimated by
      :func:`first_order_model`.
    * The variance components of log order value. Under the Gamma–Gamma
      model an order is :math:`v = g / \nu_i` with
      :math:`g \sim \text{Gamma}(p, 1)` and
      :math:`\nu_i \sim \text{Gamma}(q, \gamma)`, so
      :math:`\log v = -\log \nu_i + \log g`: the between-member variance is
      :math:`\psi_1(q)` and the within-member variance :math:`\psi_1(p)`,
      with :math:`\psi_1` the trigamma function; the ICC follows.

    Parameters
    ----------
    params : WorldParams, optional
        The world's parameters (default: ``WorldParams()``).
    reference : mapping, optional
        Baseline levels; default ``{"channel": "search", "age_band": "18-24"}``.

    Returns
    -------
    DataFrame
        Indexed by ``term`` (names match :func:`rate_ratios` and
        :func:`variance_components`), with ``truth`` and ``meaning``.

    Examples
    --------
    >>> truth = planted_truth()
    >>> round(float(truth.loc["channel[T.referral]", "truth"]), 2)
    1.3
    """
    from scipy.special import polygamma

    from crm_course.world.params import WorldParams

    params = WorldParams() if params is None else params
    if not isinstance(params, WorldParams):
        raise TypeError(f"params: expected a WorldParams; found {type(params).__name__}")
    reference = {"channel": "search", "age_band": "18-24", **dict(reference or {})}
    mp, pp = params.members, params.purchases
    rows = {}
    base = 1.0
    for col, multipliers in (("channel", mp.channel_rate_multiplier), ("age_band", mp.age_band_rate_multiplier)):
        ref = reference[col]
        if ref not in multipliers:
            raise ValueError(f"reference: {ref!r} is not a level of {col}; levels are {list(multipliers)}")
        base *= multipliers[ref]
        for level, mult in multipliers.items():
            if level != ref:
                rows[f"{col}[T.{level}]"] = (mult / multipliers[ref], f"purchase rate of {col} {level} / {ref}")
    rows["r"] = (pp.r, "shape of the gamma spread of purchase rates")
    rows["alpha"] = (pp.alpha / base, "rate of that gamma for the baseline levels (weeks)")
    between = float(polygamma(1, pp.spend_q))
    within = float(polygamma(1, pp.spend_p))
    rows["between_member_variance"] = (between, "variance of members' typical log order value, trigamma(spend_q)")
    rows["within_member_variance"] = (within, "variance of a member's log order values, trigamma(spend_p)")
    rows["icc"] = (between / (between + within), "intra-class correlation of log order value")
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["truth", "meaning"])
    out.index.name = "term"
    return out
