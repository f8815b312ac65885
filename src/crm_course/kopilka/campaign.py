"""Kopilka's offer experiment prepared for its economics (chapters 5 and 6): contacts caused, plans A and B, the active subgroup.

Kopilka-specific: it adds to the ``offer_experiment`` table what
:func:`crm_course.campaign_economics.net_lift` needs to charge the campaign
for the support contacts it causes, and to estimate it on the members a
programme would actually reach.

* :func:`campaign_frame` — the experiment with ``contacts_30d`` (support
  contacts in the 30-day outcome window), ``active_before`` (ordered since
  ``active_since`` and before the campaign: the members active in the year a
  programme is sized on), ``send_cost`` (what sending the offer cost, by arm)
  and the two plans' costs: plan A pays the bonus cashback itself
  (``offer_cost``), plan B has the merchants fund it (``send_cost`` only);
* :func:`campaign_net_lift` — the personalised (or any) arm's lift net of the
  contacts it causes, for plan A or B, on everyone or on the active subgroup.

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.kopilka.campaign import campaign_net_lift
>>> tables = {name: load(name) for name in ("offer_experiment", "transactions", "contacts")}
>>> b = campaign_net_lift(tables["offer_experiment"], tables["transactions"], tables["contacts"], plan="B",
...                       contact_cost=180.0)
>>> round(float(b["gross_lift"]), 1), round(float(b["net_lift"]), 1)
(2.2, -0.8)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd

from crm_course.campaign_economics import events_in_window, net_lift
from crm_course.validation import check_frame, check_range, check_unique

__all__ = ["SEND_COST", "campaign_frame", "campaign_net_lift"]

#: RUB per offer sent, by arm (the world's ``CampaignParams``); the control arm is sent nothing.
SEND_COST: dict[str, float] = {"generic": 1.0, "personalised": 3.0}

#: What each plan charges the campaign: plan A pays the bonus cashback, plan B only sends.
PLAN_COST = {"A": "offer_cost", "B": "send_cost"}


def campaign_frame(
    campaign: pd.DataFrame,
    transactions: pd.DataFrame,
    contacts: pd.DataFrame,
    *,
    window_days: int = 30,
    active_since: str | pd.Timestamp = "2024-01-01",
    send_cost: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The offer experiment with the contacts it caused, the active subgroup and each plan's cost.

    Parameters
    ----------
    campaign : pandas.DataFrame
        Kopilka's ``offer_experiment`` (``customer_id``, ``campaign_date``,
        ``arm``, ``margin_30d``, ``offer_cost``).
    transactions, contacts : pandas.DataFrame
        Kopilka's orders (``customer_id``, ``order_date``) and support contacts
        (``customer_id``, ``contact_date``).
    window_days : int, default 30
        The outcome window, from the campaign date (the experiment's is 30 days).
    active_since : date, default "2024-01-01"
        ``active_before`` is True for members with an order on or after this
        date and before their campaign date.
    send_cost : mapping of arm to RUB, optional
        Defaults to :data:`SEND_COST`; arms not listed cost nothing to send.

    Returns
    -------
    pandas.DataFrame
        A copy of ``campaign`` with ``contacts_30d`` (named for
        ``window_days``), ``active_before``, ``send_cost``, ``profit`` (plan A:
        ``margin_30d - offer_cost``) and ``profit_cofunded`` (plan B:
        ``margin_30d - send_cost``).
    """
    check_frame(campaign, {"customer_id": "any", "campaign_date": "datetime", "arm": "any",
                           "margin_30d": "numeric", "offer_cost": "numeric"}, name="campaign")
    check_unique(campaign, "customer_id", name="campaign")
    check_range(campaign, "offer_cost", low=0, name="campaign")
    check_frame(transactions, {"customer_id": "any", "order_date": "datetime"}, name="transactions", min_rows=0)
    check_unique(transactions, "order_id", name="transactions")
    check_unique(contacts, "contact_id", name="contacts")
    since = pd.Timestamp(active_since)
    costs = dict(SEND_COST if send_cost is None else send_cost)
    for label, value in costs.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise ValueError(f"send_cost: expected a cost >= 0 in RUB for arm {label!r}; found {value!r}")
    counts = events_in_window(campaign, contacts, days=window_days, key="customer_id", start="campaign_date",
                              event_date="contact_date")
    start = transactions["customer_id"].map(pd.Series(campaign["campaign_date"].to_numpy(),
                                                      index=campaign["customer_id"].to_numpy()))
    before = (transactions["order_date"] >= since) & (transactions["order_date"] < start)
    active = campaign["customer_id"].isin(transactions.loc[before.fillna(False).to_numpy(dtype=bool), "customer_id"])
    send = campaign["arm"].astype(str).map(costs).fillna(0.0).astype(float)
    return campaign.assign(**{f"contacts_{window_days}d": counts.to_numpy()}, active_before=active.to_numpy(),
                           send_cost=send, profit=campaign["margin_30d"] - campaign["offer_cost"],
                           profit_cofunded=campaign["margin_30d"] - send)


def campaign_net_lift(
    campaign: pd.DataFrame,
    transactions: pd.DataFrame,
    contacts: pd.DataFrame,
    *,
    contact_cost: float,
    plan: Literal["A", "B"] = "A",
    active_only: bool = False,
    treated: str = "personalised",
    **options: Any,
) -> pd.Series:
    """One arm's lift per member per campaign, net of the contacts it causes, for plan A or B.

    Parameters
    ----------
    campaign, transactions, contacts : pandas.DataFrame
        As in :func:`campaign_frame`.
    contact_cost : float
        RUB per support contact: the course's fully loaded cost is 180 RUB, a
        marginal cost is lower (chapter 1).
    plan : {"A", "B"}, default "A"
        Plan A pays the bonus cashback (``offer_cost``); plan B has the merchants
        fund it, so Kopilka pays only ``send_cost``.
    active_only : bool, default False
        Estimate on the members who ordered in 2024 before the campaign (the
        ones a programme sized on the year's active members reaches).
    treated : str, default "personalised"
        The arm to report.
    **options
        Passed to :func:`campaign_frame` (``window_days``, ``active_since``,
        ``send_cost``).

    Returns
    -------
    pandas.Series
        The arm's row of :func:`crm_course.campaign_economics.net_lift`.
    """
    if plan not in PLAN_COST:
        raise ValueError(f"plan: expected 'A' (Kopilka pays the bonus) or 'B' (merchants fund it); found {plan!r}")
    frame = campaign_frame(campaign, transactions, contacts, **options)
    if active_only and not frame["active_before"].any():
        raise ValueError(
            "active_only: no member of campaign (column 'customer_id') has an order in transactions (columns "
            f"'customer_id', 'order_date') from {pd.Timestamp(options.get('active_since', '2024-01-01')).date()} "
            "up to the campaign date; expected some active members (do the two tables' customer_id match?)"
        )
    window = options.get("window_days", 30)
    try:
        out = net_lift(frame, "margin_30d", f"contacts_{window}d", contact_cost=contact_cost, cost=PLAN_COST[plan],
                       subgroup="active_before" if active_only else None, arms=None)
    except ValueError as err:
        if not active_only:
            raise
        raise ValueError(f"active_only (the members of campaign with an order in transactions before the "
                         f"campaign): {err}") from None
    rows = out[out["arm"] == treated]
    if rows.empty:
        raise ValueError(f"treated: expected one of the treated arms {list(out['arm'])}; found {treated!r}")
    return rows.iloc[0]
