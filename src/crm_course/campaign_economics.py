"""What a randomised campaign earns per member once the costs it causes downstream are charged (chapter 5).

A campaign's lift in margin is not what it earns the firm: the extra orders
it causes bring extra support contacts, and each contact costs money. With
randomised arms both effects are causal, so the lift net of the contact cost
is estimated the same way as the lift itself, from one outcome per member:

.. math::

    y_i = \\text{margin}_i - \\text{cost}_i - c \\cdot \\text{contacts}_i ,
    \\qquad \\widehat{\\text{net lift}}_a = \\bar y_a - \\bar y_{\\text{control}},

where :math:`c` is the cost of one contact. Its standard error is the
unequal-variance (Welch) error of that difference: computing it on
:math:`y_i` carries the covariance between a member's margin and contacts,
which adding the two lifts' errors would miss.

* :func:`events_in_window` counts each unit's events (support contacts,
  complaints, returns) in a window that starts at the unit's own date;
* :func:`net_lift` gives, for every treated arm and contact cost, the gross
  lift, the lift in contacts, what those contacts cost and the net lift with
  its standard error, optionally on a subgroup (the randomisation holds within
  any subgroup defined before the campaign).

Which contact cost to charge is a decision, not a fact: the *marginal* cost of
one more contact (the agent's time) is lower than the *fully loaded* cost
(which spreads fixed support overheads over the contacts). Pass both to see how
the answer moves.

Any DataFrame with one row per unit, an arm column and numeric outcome columns
works: column names are arguments, and Kopilka's names are only the defaults.

Examples
--------
>>> import pandas as pd
>>> from crm_course.campaign_economics import net_lift
>>> toy = pd.DataFrame({"arm": ["none"] * 4 + ["personalised"] * 4,
...                     "margin_30d": [0.0, 10, 0, 10, 20, 10, 20, 10],
...                     "offer_cost": [0.0] * 4 + [3.0] * 4,
...                     "contacts_30d": [0, 0, 0, 1, 1, 0, 1, 0]})
>>> net_lift(toy, contact_cost=10.0, arms=None)[["arm", "gross_lift", "contacts_lift", "net_lift"]]
            arm  gross_lift  contacts_lift  net_lift
0  personalised         7.0           0.25       4.5
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from crm_course.experiments import ARMS, arm_summary
from crm_course.validation import check_frame, check_number, check_range, check_unique

__all__ = ["events_in_window", "net_lift"]


def events_in_window(
    units: pd.DataFrame,
    events: pd.DataFrame,
    *,
    days: int = 30,
    key: str = "customer_id",
    start: str = "campaign_date",
    event_date: str = "contact_date",
) -> pd.Series:
    """Count each unit's events dated within ``days`` days from the unit's own start date.

    An event counts when ``start <= event_date < start + days`` (whole days),
    the same half-open window as a campaign's 30-day outcomes.

    Parameters
    ----------
    units : pandas.DataFrame
        One row per unit, with ``key`` and ``start`` (a datetime column).
    events : pandas.DataFrame
        One row per event, with ``key`` and ``event_date`` (a datetime column).
        Events of units not in ``units`` are ignored.
    days : int, default 30
        Length of the window in days.
    key, start, event_date : str
        Column names.

    Returns
    -------
    pandas.Series
        Integer counts, one per row of ``units`` (same index), named
        ``f"events_{days}d"``; a unit without events counts 0.

    Examples
    --------
    >>> import pandas as pd
    >>> units = pd.DataFrame({"customer_id": [1, 2], "campaign_date": pd.to_datetime(["2024-09-30"] * 2)})
    >>> events = pd.DataFrame({"customer_id": [1, 1, 1, 3],
    ...                        "contact_date": pd.to_datetime(["2024-09-29", "2024-09-30", "2024-10-30", "2024-10-01"])})
    >>> events_in_window(units, events).tolist()
    [1, 0]
    """
    days = int(check_number(days, "days", low=1, integer=True))
    check_frame(units, {key: "any", start: "datetime"}, name="units")
    check_unique(units, key, name="units")
    check_frame(events, {key: "any", event_date: "datetime"}, name="events", min_rows=0)
    if units[start].isna().any():
        raise ValueError(f"units: column {start!r} has {int(units[start].isna().sum())} missing date(s)")
    starts = pd.Series(units[start].to_numpy(), index=units[key].to_numpy())
    own_start = events[key].map(starts)
    elapsed = (events[event_date] - own_start) / pd.Timedelta(days=1)
    inside = (elapsed >= 0) & (elapsed < days)
    counts = events.loc[inside.fillna(False).to_numpy(dtype=bool), key].value_counts()
    out = units[key].map(counts).fillna(0).astype("int64")
    return pd.Series(out.to_numpy(), index=units.index, name=f"events_{days}d")


def _contact_costs(contact_cost: Any) -> list[float]:
    values = [contact_cost] if np.ndim(contact_cost) == 0 else list(contact_cost)
    if not values:
        raise ValueError("contact_cost: expected a cost per contact in RUB, or a list of them; found an empty list")
    return [float(check_number(v, "contact_cost", low=0)) for v in values]


def net_lift(
    df: pd.DataFrame,
    margin: str = "margin_30d",
    contacts: str = "contacts_30d",
    *,
    contact_cost: float | Sequence[float],
    cost: str | None = "offer_cost",
    subgroup: str | None = None,
    arm: str = "arm",
    control: str = "none",
    arms: Sequence[str] | None = ARMS,
    level: float = 0.95,
    key: str | None = "customer_id",
) -> pd.DataFrame:
    """A randomised campaign's lift per member net of the support contacts it causes.

    For each treated arm :math:`a` and each cost per contact :math:`c`, the
    outcome :math:`y_i = \\text{margin}_i - \\text{cost}_i - c\\,\\text{contacts}_i`
    is compared with the control arm (difference of means, Welch standard
    error, normal-approximation interval): see the module's docstring.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per member of the experiment.
    margin : str, default "margin_30d"
        The firm's margin per member in the outcome window (may be negative).
    contacts : str, default "contacts_30d"
        Support contacts per member in the same window (counts, >= 0), e.g.
        from :func:`events_in_window`.
    contact_cost : float or sequence of float
        Cost of one contact (>= 0), in the units of ``margin``. Several values
        give one row per arm and value: e.g. a marginal and a fully loaded cost.
    cost : str or None, default "offer_cost"
        Column of what the campaign costs per member (bonus, sending), subtracted
        from the margin; ``None`` when ``margin`` is already net of it.
    subgroup : str or None
        A boolean column: estimate on the rows where it is True only. It must be
        fixed before the campaign (e.g. "ordered in the year before it"), or the
        comparison is no longer randomised.
    arm, control, arms : str, str, sequence of str or None
        As in :func:`crm_course.experiments.arm_summary`.
    level : float, default 0.95
        Confidence level of the net lift's interval.
    key : str or None, default "customer_id"
        Column that identifies a member; a repeated value is an error.

    Returns
    -------
    pandas.DataFrame
        One row per treated arm and contact cost: ``arm``, ``n``, ``n_control``,
        ``contact_cost``, ``gross_lift`` and ``gross_lift_se`` (margin minus
        cost), ``contacts_lift`` and ``contacts_lift_se`` (extra contacts per
        member), ``contact_cost_lift`` (their cost, ``contact_cost *
        contacts_lift``), ``net_lift``, ``net_lift_se``, ``net_ci_low``,
        ``net_ci_high`` and ``p_value`` (of the net lift). ``net_lift`` equals
        ``gross_lift - contact_cost_lift``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> from crm_course.campaign_economics import events_in_window, net_lift
    >>> campaign, contacts = load("offer_experiment"), load("contacts")
    >>> campaign = campaign.assign(contacts_30d=events_in_window(campaign, contacts))
    >>> out = net_lift(campaign, contact_cost=[75.0, 180.0]).set_index(["arm", "contact_cost"])
    >>> round(float(out.loc[("personalised", 180.0), "contacts_lift"]), 4)
    0.0168
    >>> round(float(out.loc[("personalised", 180.0), "contact_cost_lift"]), 1)
    3.0
    """
    level = check_number(level, "level", low=0, high=1, inclusive=False)
    costs = _contact_costs(contact_cost)
    columns = {margin: "numeric", contacts: "numeric", **({cost: "numeric"} if cost is not None else {})}
    if subgroup is not None:
        columns[subgroup] = "bool"
    check_frame(df, {arm: "any", **columns}, name="data")
    check_unique(df, key, name="data")
    check_range(df, contacts, low=0, name="data")
    if cost is not None:
        check_range(df, cost, low=0, name="data")
    rows = df
    if subgroup is not None:
        keep = df[subgroup].astype(bool).to_numpy()
        if not keep.any():
            raise ValueError(f"subgroup: column {subgroup!r} is True in no row; expected a non-empty subgroup")
        rows = df.loc[keep]
    gross = rows[margin].astype(float) - (rows[cost].astype(float) if cost is not None else 0.0)
    frame = pd.DataFrame({arm: rows[arm], "_gross": gross, "_contacts": rows[contacts].astype(float)})
    for i, c in enumerate(costs):
        frame[f"_net{i}"] = gross - c * frame["_contacts"]
    try:
        summary = arm_summary(frame, ["_gross", "_contacts", *[f"_net{i}" for i in range(len(costs))]],
                              arm=arm, control=control, arms=arms, level=level, key=None)
    except ValueError as err:
        if subgroup is None:
            raise
        raise ValueError(f"subgroup {subgroup!r}: {err}") from None
    by = summary.set_index(["outcome", "arm"])
    treated = [a for a in summary["arm"].unique() if a != control]
    n_control = int(by.loc[("_gross", control), "n"])
    out = []
    for a in treated:
        g, k = by.loc[("_gross", a)], by.loc[("_contacts", a)]
        for i, c in enumerate(costs):
            net = by.loc[(f"_net{i}", a)]
            out.append({
                "arm": a, "n": int(g["n"]), "n_control": n_control, "contact_cost": c,
                "gross_lift": g["lift"], "gross_lift_se": g["lift_se"],
                "contacts_lift": k["lift"], "contacts_lift_se": k["lift_se"],
                "contact_cost_lift": c * k["lift"],
                "net_lift": net["lift"], "net_lift_se": net["lift_se"],
                "net_ci_low": net["lift_ci_low"], "net_ci_high": net["lift_ci_high"], "p_value": net["p_value"],
            })
    return pd.DataFrame(out)
