"""Customer profitability: what each member brings in revenue, margin and profit, and what one more order is worth.

Chapter 1 ranks members by value, chapter 3 prices a conversion and chapter 5
looks at the relationship from both sides:

* :func:`member_value` — revenue, margin (commission minus cashback), support
  cost and profit of every member, members without orders included;
* :func:`value_per_order` — the expected margin of one more order from each
  customer: the margin rate times the customer's average past order, shrunk
  towards the typical order;
* :func:`relationship_value` — over a period, what each side gets: the member's
  cashback and the firm's margin net of support costs;
* :func:`switching_share` — which members a rival paying more cashback could
  lure (their gain exceeds their cost of switching), and the margin at risk.

Every function takes any DataFrame with the column names as arguments; Kopilka's
names (``customer_id``, ``order_date``, ``order_value``, ``commission``,
``cashback``, ``contact_date``, ``prior_orders``, ``prior_spend``) are only the
defaults, and so is the cost of a support contact (180 RUB, Kopilka's). Inputs are checked and never modified;
money is in the unit of the data (RUB for Kopilka).

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.profitability import member_value
>>> value = member_value(load("customers"), load("transactions"), load("contacts"))
>>> list(value.columns)
['customer_id', 'orders', 'revenue', 'margin', 'contacts', 'support_cost', 'profit']
>>> len(value) == len(load("customers"))
True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from crm_course.retention import _end_date
from crm_course.validation import check_frame, check_number, check_range, check_unique

__all__ = [
    "member_value",
    "value_per_order",
    "relationship_value",
    "switching_share",
]


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
    order_key: str | None = "order_id",
    contact_key: str | None = "contact_id",
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
        One row per order with ``customer``, ``order_value``, ``commission``
        and ``cashback`` (all >= 0).
    contacts : DataFrame, optional
        One row per support contact with ``customer``. Without it, support
        costs are zero.
    cost_per_contact : float, default 180
        Fully loaded cost of one contact (RUB for Kopilka; the world's
        ``SupportParams.cost_per_contact``).
    customer, order_value, commission, cashback : str
        Column names.
    order_key : str or None, default "order_id"
        Column of ``transactions`` that identifies an order: a repeated value
        is an error (it would be counted twice). Checked when the table has the
        column; ``None`` skips the check.
    contact_key : str or None, default "contact_id"
        Column of ``contacts`` that identifies a support contact: a repeated
        value is an error (it would be counted twice). Checked when the table
        has the column; ``None`` skips the check.

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
    check_unique(customers, customer, name="customers")
    check_frame(
        transactions,
        {customer: "any", order_value: "numeric", commission: "numeric", cashback: "numeric"},
        name="transactions",
        min_rows=0,
    )
    check_unique(transactions, order_key, name="transactions")
    for col in (order_value, commission, cashback):
        check_range(transactions, col, low=0, name="transactions")
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
        check_unique(contacts, contact_key, name="contacts")
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


def value_per_order(
    df: pd.DataFrame,
    margin_rate: float,
    *,
    orders: str = "prior_orders",
    spend: str = "prior_spend",
    prior_weight: float = 1.0,
    typical_order: float | None = None,
    key: str | None = "customer_id",
) -> pd.Series:
    """Expected margin of one more order from each customer.

    .. math:: v_i = r \\cdot \\frac{S_i + k\\,\\bar s}{N_i + k},

    the margin rate *r* (margin per rouble of order value) times the
    customer's average past order value, shrunk towards the typical order
    :math:`\\bar s` with the weight of *k* imaginary orders (customers with
    one past order are mostly typical; those with many are themselves).

    Parameters
    ----------
    df : pandas.DataFrame
    margin_rate : float
        Margin as a share of order value, e.g. margin / revenue in the
        training data.
    orders, spend : str
        Columns of past orders (count) and their total value.
    prior_weight : float
        *k*, at least 0.
    typical_order : float, optional
        :math:`\\bar s`; by default total spend / total orders in ``df``.
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    pandas.Series
        Named ``value_per_order``, in the money unit of ``spend``.

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"prior_orders": [0, 1], "prior_spend": [0.0, 3000.0]})
    >>> value_per_order(toy, 0.02, typical_order=1000.0).tolist()
    [20.0, 40.0]
    """
    check_number(margin_rate, "margin_rate", low=0, high=1)
    check_number(prior_weight, "prior_weight", low=0)
    check_frame(df, {orders: "numeric", spend: "numeric"}, name="data")
    check_unique(df, key, name="data")
    check_range(df, orders, low=0, name="data")
    check_range(df, spend, low=0, name="data")
    n = df[orders].astype(float)
    s = df[spend].astype(float)
    if typical_order is None:
        if n.sum() <= 0:
            raise ValueError("typical_order: data has no past orders to compute it from; pass typical_order=")
        typical_order = float(s.sum() / n.sum())
    check_number(typical_order, "typical_order", low=0)
    if prior_weight == 0 and (n == 0).any():
        raise ValueError("prior_weight: must be above 0 when some customers have no past orders")
    return (margin_rate * (s + prior_weight * typical_order) / (n + prior_weight)).rename("value_per_order")


def relationship_value(
    transactions: pd.DataFrame,
    contacts: pd.DataFrame,
    *,
    start: Any = None,
    end: Any = None,
    cost_per_contact: float = 180.0,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    value_col: str = "order_value",
    commission_col: str = "commission",
    cashback_col: str = "cashback",
    contact_date_col: str = "contact_date",
    order_key: str | None = "order_id",
    contact_key: str | None = "contact_id",
) -> pd.DataFrame:
    """What the relationship brings each side over a period: the member's cashback and the firm's margin.

    For every member with an order or a support contact between ``start``
    and ``end``: the member receives ``cashback``; the firm keeps
    ``margin = commission - cashback`` and pays ``cost_per_contact`` for each
    contact, leaving ``net_margin``. Pending orders count at their current
    commission and cashback; declined orders bring neither, but their
    contacts still cost.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Orders with customer, date, value, commission and cashback columns.
    contacts : pandas.DataFrame
        Support contacts with customer and date columns.
    start, end : date-like, optional
        The period (inclusive); default the whole data.
    cost_per_contact : float
        Fully loaded cost of handling a contact (Kopilka: 180 RUB,
        ``SupportParams.cost_per_contact``).
    customer_col, date_col, value_col, commission_col, cashback_col, contact_date_col : str
        Column names.
    order_key : str or None, default "order_id"
        Column of ``transactions`` that identifies an order: a repeated value
        is an error (it would be counted twice). Checked when the table has the
        column; ``None`` skips the check.
    contact_key : str or None, default "contact_id"
        Column of ``contacts`` that identifies a support contact: a repeated
        value is an error (it would be counted twice). Checked when the table
        has the column; ``None`` skips the check.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer: ``orders``, ``spend``, ``cashback``,
        ``commission``, ``margin``, ``contacts``, ``support_cost``,
        ``net_margin`` and ``cashback_rate`` (cashback / spend; NaN
        without spend).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 2], "order_date": pd.to_datetime(["2024-01-02"] * 3),
    ...                        "order_value": [1000.0, 500.0, 200.0], "commission": [60.0, 30.0, 0.0],
    ...                        "cashback": [40.0, 20.0, 0.0]})
    >>> contacts = pd.DataFrame({"customer_id": [2], "contact_date": pd.to_datetime(["2024-01-05"])})
    >>> relationship_value(orders, contacts)[["cashback", "margin", "support_cost", "net_margin"]]  # doctest: +NORMALIZE_WHITESPACE
                 cashback  margin  support_cost  net_margin
    customer_id
    1                60.0    30.0           0.0        30.0
    2                 0.0     0.0         180.0      -180.0
    """
    cost_per_contact = float(check_number(cost_per_contact, "cost_per_contact", low=0))
    money = {value_col: "numeric", commission_col: "numeric", cashback_col: "numeric"}
    check_frame(transactions, {customer_col: "any", date_col: "datetime", **money}, name="transactions")
    check_unique(transactions, order_key, name="transactions")
    for col in money:
        check_range(transactions, col, low=0, name="transactions")
    check_frame(contacts, {customer_col: "any", contact_date_col: "datetime"}, name="contacts", min_rows=0)
    check_unique(contacts, contact_key, name="contacts")
    dates = pd.concat([transactions[date_col], contacts[contact_date_col]])
    lo = _end_date(start, "start", dates.min())
    hi = _end_date(end, "end", dates.max())
    if hi < lo:
        raise ValueError(f"end: expected a day on or after start {lo.date()}; found {hi.date()}")
    tr = transactions[(transactions[date_col] >= lo) & (transactions[date_col] < hi + pd.Timedelta(days=1))]
    ct = contacts[(contacts[contact_date_col] >= lo) & (contacts[contact_date_col] < hi + pd.Timedelta(days=1))]
    if tr.empty and ct.empty:
        raise ValueError(f"transactions: no order or contact between {lo.date()} and {hi.date()}")
    per = tr.groupby(customer_col, sort=True, observed=True).agg(
        orders=(value_col, "size"), spend=(value_col, "sum"), cashback=(cashback_col, "sum"),
        commission=(commission_col, "sum"),
    )
    n_contacts = ct.groupby(customer_col, sort=True, observed=True).size().rename("contacts")
    out = per.join(n_contacts, how="outer")
    out[["orders", "contacts"]] = out[["orders", "contacts"]].fillna(0).astype(np.int64)
    out[["spend", "cashback", "commission"]] = out[["spend", "cashback", "commission"]].fillna(0.0)
    out["margin"] = out["commission"] - out["cashback"]
    out["support_cost"] = cost_per_contact * out["contacts"]
    out["net_margin"] = out["margin"] - out["support_cost"]
    spend = out["spend"].to_numpy()
    out["cashback_rate"] = np.divide(out["cashback"].to_numpy(), spend, out=np.full(len(out), np.nan), where=spend > 0)
    out.index.name = customer_col
    return out[["orders", "spend", "cashback", "commission", "margin", "contacts", "support_cost", "net_margin",
                "cashback_rate"]]


def switching_share(
    values: pd.DataFrame,
    *,
    extra_rate: float | Iterable[float],
    switching_cost: float | Iterable[float],
    spend_col: str = "spend",
    margin_col: str = "net_margin",
    key: str | None = "customer_id",
) -> pd.DataFrame:
    """Which members a rival could lure: the extra cashback they would earn exceeds their cost of switching.

    A member who spends ``S`` a year gains ``extra_rate * S`` by moving to a
    rival that pays ``extra_rate`` more cashback, and pays a one-off
    ``switching_cost`` (time to re-register, learning a new app, cashback
    still pending here). The member switches when the gain exceeds the cost
    (a deliberately simple, one-year view of the member's side).

    Parameters
    ----------
    values : pandas.DataFrame
        One row per member, e.g. from :func:`relationship_value` over a year.
    extra_rate : float or iterable of float
        The rival's extra cashback as a share of spend (0.01 = one point).
    switching_cost : float or iterable of float
        The member's cost of switching (RUB).
    spend_col, margin_col : str
        Columns with the member's yearly spend and the firm's margin on them.
    key : str or None, default "customer_id"
        Column of ``values`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    pandas.DataFrame
        One row per combination: ``extra_rate``, ``switching_cost``,
        ``share_switching`` (of members), ``margin_at_risk`` (the firm's
        margin on them) and ``margin_share_at_risk`` (of the total margin;
        NaN if the total is not positive).

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"spend": [1_000.0, 10_000.0, 50_000.0], "net_margin": [10.0, 100.0, 500.0]})
    >>> switching_share(v, extra_rate=0.01, switching_cost=[50.0, 200.0])[["switching_cost", "share_switching",
    ...                                                                   "margin_at_risk"]]
       switching_cost  share_switching  margin_at_risk
    0            50.0         0.666667           600.0
    1           200.0         0.333333           500.0
    """
    check_frame(values, {spend_col: "numeric", margin_col: "numeric"}, name="values")
    check_unique(values, key, name="values")
    check_range(values, spend_col, low=0, name="values")
    rates = np.atleast_1d(np.asarray(extra_rate, dtype=float))
    costs = np.atleast_1d(np.asarray(switching_cost, dtype=float))
    if rates.ndim != 1 or rates.size == 0 or not np.isfinite(rates).all() or (rates < 0).any() or (rates > 1).any():
        raise ValueError(f"extra_rate: expected one or more shares in [0, 1]; found {extra_rate!r}")
    if costs.ndim != 1 or costs.size == 0 or not np.isfinite(costs).all() or (costs < 0).any():
        raise ValueError(f"switching_cost: expected one or more amounts >= 0; found {switching_cost!r}")
    spend = values[spend_col].to_numpy(dtype=float)
    margin = values[margin_col].to_numpy(dtype=float)
    rr, cc = (g.ravel() for g in np.meshgrid(rates, costs, indexing="ij"))
    switch = rr[:, None] * spend[None, :] > cc[:, None]
    at_risk = switch @ margin
    total = margin.sum()
    return pd.DataFrame(
        {
            "extra_rate": rr,
            "switching_cost": cc,
            "share_switching": switch.mean(axis=1),
            "margin_at_risk": at_risk,
            "margin_share_at_risk": at_risk / total if total > 0 else np.full(rr.size, np.nan),
        }
    )
