"""What the Kopilka simulation planted, to hold the estimates of chapters 1 to 3 against.

Kopilka-specific: a real firm never knows the truth, but the course's simulated
world (:mod:`crm_course.world`) does, so the chapters' recovery checks and the
"for researchers" sections compare each estimate with it:

* :func:`planted_truth` — chapter 1: the rate ratios of channel and age band and
  the gamma heterogeneity of the purchase rate (as estimated by
  :func:`crm_course.spend_models.first_order_model`), and the variance
  components of log order value (as estimated by
  :func:`crm_course.multilevel.variance_components`);
* :func:`planted_att` — chapter 2: the average CRM effect planted in a merchant
  panel, overall or by event time (the estimand of
  :func:`crm_course.event_study.event_study`'s overall effect);
* :func:`planted_campaign_effects` — chapter 3: each member's true conversion
  lift and expected profit from the campaign's offers, to check
  :mod:`crm_course.uplift`; with ``contact_cost``, chapter 5: the profit net of
  the support contacts the extra orders cause, under plans A and B.

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.kopilka.truth import planted_att, planted_truth
>>> round(float(planted_truth().loc["channel[T.referral]", "truth"]), 2)
1.3
>>> bool(planted_att(load("merchant_panel")) > 0)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from crm_course.panel import MODERATOR, OUTCOME, START, TIME, UNIT, _extra, _prepare
from crm_course.validation import check_frame, check_number

__all__ = [
    "planted_truth",
    "planted_att",
    "planted_campaign_effects",
]


def planted_truth(params=None, *, reference: Mapping[str, str] | None = None) -> pd.DataFrame:
    r"""What the Kopilka simulation planted for chapter 1, to compare estimates with.

    * Rate ratios of channel and age band against the baseline levels, and
      the gamma heterogeneity of the purchase rate (``r``; ``alpha`` per
      week for the baseline levels), as estimated by
      :func:`~crm_course.spend_models.first_order_model`.
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
        Indexed by ``term`` (names match :func:`~crm_course.spend_models.rate_ratios` and
        :func:`~crm_course.multilevel.variance_components`), with ``truth`` and ``meaning``.

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


def planted_att(
    panel: pd.DataFrame,
    params=None,
    *,
    by_event_time: bool = False,
    truth: pd.DataFrame | None = None,
) -> float | pd.Series:
    """The average CRM effect planted in a simulated Kopilka merchant panel.

    In the simulation (``crm_course.world.merchants.simulate_panel``) an
    adopter's repeat rate rises from its adoption year on by
    ``effect_at_mean + effect_slope * (heterogeneity - 0.5)``, times
    ``min(1, (e + 1) / effect_ramp_years)`` in its ``e``-th year of CRM when
    the effect builds up. This function averages that planted effect over
    the treated merchant-years of ``panel`` -- the estimand of the
    group-time estimator's overall effect -- or by event time. Each merchant
    also has its own deviation from that line (``effect_firm_sd``); pass the
    world's ``truth["merchant_panel"]`` to average the merchants' own planted
    effects instead of the line (the ATT of these very merchants rather than of
    merchants like them).

    Parameters
    ----------
    panel : pandas.DataFrame
        A ``merchant_panel`` table with the Kopilka column names.
    params : WorldParams or PanelParams, optional
        The parameters the panel was simulated with; default
        ``WorldParams()`` (the shipped data).
    by_event_time : bool
        Return one value per event time (0, 1, ...) instead of the overall
        average.
    truth : pandas.DataFrame, optional
        The world's ``truth["merchant_panel"]`` (``merchant_id``,
        ``crm_effect``): use each merchant's own planted effect.

    Returns
    -------
    float or pandas.Series
        As a share (0.04 = 4 percentage points).

    Examples
    --------
    >>> from crm_course.data import load
    >>> round(planted_att(load("merchant_panel")), 3) > 0
    True
    """
    from crm_course.world.params import PanelParams, WorldParams

    if params is None:
        params = WorldParams()
    p = params.panel if isinstance(params, WorldParams) else params
    if not isinstance(p, PanelParams):
        raise TypeError(f"params: expected a WorldParams or PanelParams; found {type(params).__name__}")
    df = _prepare(panel, UNIT, TIME, START, OUTCOME, numeric=[MODERATOR])
    treated = df[df["treated"] == 1]
    e = treated["time"] - treated["start"]
    ramp = np.minimum(1.0, (e + 1) / p.effect_ramp_years) if p.effect_ramp_years > 0 else 1.0
    if truth is None:
        full = p.effect_at_mean + p.effect_slope * (treated[_extra(MODERATOR)] - 0.5)
    else:
        check_frame(truth, {UNIT: "any", "crm_effect": "numeric"}, name="truth")
        own = truth.drop_duplicates(UNIT).set_index(UNIT)["crm_effect"]
        missing = ~treated["unit"].isin(own.index)
        if missing.any():
            raise ValueError(f"truth: expected a crm_effect for every treated merchant; found none for "
                             f"{UNIT}={treated.loc[missing, 'unit'].iloc[0]!r}")
        full = pd.Series(own.reindex(treated["unit"]).to_numpy(dtype=float), index=treated.index)
    effect = full * ramp
    if by_event_time:
        return effect.groupby(e.astype(int).to_numpy()).mean().rename_axis("event_time").rename("planted_effect")
    return float(effect.mean())


def planted_campaign_effects(world: Any, *, contact_cost: float | None = None) -> pd.DataFrame:
    """The campaign's true effects on every member of a simulated Kopilka world.

    In ``crm_course.world.campaign``, a member sent an offer places an
    extra order in the campaign week with probability
    :math:`\\delta_a(h)\\,r`, where :math:`\\delta_{generic} =`
    ``persuade_generic``, :math:`\\delta_{personalised}(h) =`
    ``persuade_personalised + persuade_personalised_per_log_order * log(1 + h)``
    for a member with *h* prior orders, and the responsiveness *r* is 1 for a
    member still active and ``lapsed_responsiveness`` for one who has
    (unobservably) dropped out. Without an offer the member converts (orders
    at least once in the window of *W* days) with probability
    :math:`b = 1 - e^{-\\lambda W / 7}` if active (weekly purchase rate
    :math:`\\lambda`) and 0 if lapsed. So the true conversion lift is
    :math:`(1 - b)\\,\\delta_a r` and the expected profit of sending the
    offer, relative to not sending it, is

    .. math:: \\delta_a r\\, (m - C k) - c_a - B\\,[\\,b + (1 - b)\\,\\delta_a r\\,],

    with *m* the expected margin of one order, :math:`c_a` the sending cost
    and *B* the bonus cashback. Every order leads to a support contact with
    probability :math:`s\\,q` (:math:`s` the member's support propensity,
    :math:`q` = ``contact_probability``, or ``contact_probability_declined``
    for the share ``decline_probability`` of orders the merchant declines),
    so an extra order brings :math:`k = s\\,[(1-d)\\,q + d\\,q_{declined}]`
    extra contacts (whenever they happen), charged at *C* = ``contact_cost``
    RUB each (0 by default, as in the campaign's 30-day profit). An induced
    order is truly extra: the world pulls no later order forward. The base rate ignores the rare drop-outs
    after a support contact inside the window; *m* is the member's mean
    order value times the world's margin rate (total margin / total value of
    all its orders, which averages over merchants and declined orders).

    With ``contact_cost``, the extra order's support contacts are charged
    too (chapter 5). The world gives an order a contact with probability
    :math:`\\pi\\,s_i` (``contact_probability``, or
    ``contact_probability_declined`` for the share ``decline_probability``
    of orders that are declined; :math:`s_i` the member's support
    propensity, capped at 1), so the extra order brings
    :math:`k = \\delta_a r\\,[(1-q)\\min(\\pi s_i, 1) + q\\min(\\pi_d s_i, 1)]`
    contacts, counted whenever they come (a declined order's contact comes
    3 to 10 weeks later, partly outside a 30-day window).

    Parameters
    ----------
    world : crm_course.world.World
        From :func:`crm_course.world.simulate`.
    contact_cost : float, optional
        RUB charged per support contact the offer causes: the world's fully
        loaded ``support.cost_per_contact`` (180 RUB) or an avoidable cost
        (chapter 1). Left out (or 0), ``profit_<a>`` counts no contacts.
        When given, ``profit_<a>`` is net of ``contact_cost`` per extra
        contact, and two more columns follow for each offer:
        ``net_profit_<a>`` (the same net profit, named for plan A: Kopilka
        pays the bonus) and ``net_profit_cofunded_<a>`` (plan B, the
        merchants pay the bonus: :math:`\\delta_a r\\,m - c_a -`
        ``contact_cost`` :math:`k`).

    Returns
    -------
    pandas.DataFrame
        One row per campaign member: ``customer_id``, ``arm``,
        ``prior_orders``, ``alive_at_campaign``, ``responsiveness``,
        ``base_rate``, ``margin_per_order``, ``contacts_per_order`` and, for
        each offer *a* in (generic, personalised), ``delta_<a>`` (planted,
        before responsiveness), ``persuasion_<a>`` (= delta times
        responsiveness), ``lift_<a>`` (true conversion lift), ``contacts_<a>``
        (extra support contacts per member) and ``profit_<a>`` (expected
        incremental profit, RUB, net of ``contact_cost`` per extra contact);
        with ``contact_cost``, ``net_profit_<a>`` and
        ``net_profit_cofunded_<a>`` after them.

    Examples
    --------
    >>> from crm_course.world import simulate
    >>> truth = planted_campaign_effects(simulate(n_members=2_000, seed=1))
    >>> bool((truth["lift_personalised"] >= 0).all())
    True
    >>> charged = planted_campaign_effects(simulate(n_members=2_000, seed=1), contact_cost=180.0)
    >>> bool(((truth["profit_personalised"] - charged["profit_personalised"]).round(9)
    ...       == (180.0 * charged["contacts_personalised"]).round(9)).all())
    True
    """
    from crm_course.world import World

    if not isinstance(world, World):
        raise TypeError(f"world: expected a World from crm_course.world.simulate(); found {type(world).__name__}")
    cp, sp = world.params.campaign, world.params.support
    charged = contact_cost is not None
    contact_cost = float(check_number(contact_cost, "contact_cost", low=0)) if charged else 0.0
    exp = world.tables["offer_experiment"][["customer_id", "arm", "prior_orders"]]
    truth = (
        exp.merge(world.truth["campaign"], on="customer_id", how="left", validate="one_to_one")
        .merge(world.truth["members"][["customer_id", "purchase_rate", "mean_order_value", "support_propensity"]],
               on="customer_id", how="left", validate="one_to_one")
    )
    tx = world.tables["transactions"]
    margin_rate = float((tx["commission"] - tx["cashback"]).sum() / tx["order_value"].sum())
    alive = truth["alive_at_campaign"].to_numpy(dtype=bool)
    r = np.where(alive, 1.0, cp.lapsed_responsiveness)
    b = np.where(alive, 1 - np.exp(-truth["purchase_rate"].to_numpy() * cp.window_days / 7), 0.0)
    m = truth["mean_order_value"].to_numpy() * margin_rate
    h = truth["prior_orders"].to_numpy(dtype=float)
    s = truth["support_propensity"].to_numpy(dtype=float)
    d = world.params.purchases.decline_probability
    k = ((1 - d) * np.minimum(sp.contact_probability * s, 1.0)
         + d * np.minimum(sp.contact_probability_declined * s, 1.0))
    out = pd.DataFrame({
        "customer_id": truth["customer_id"],
        "arm": truth["arm"].astype(str),
        "prior_orders": truth["prior_orders"],
        "alive_at_campaign": alive,
        "responsiveness": r,
        "base_rate": b,
        "margin_per_order": m,
        "contacts_per_order": k,
    })
    deltas = {
        "generic": (np.full(len(h), cp.persuade_generic), cp.send_cost_generic),
        "personalised": (np.minimum(cp.persuade_personalised + cp.persuade_personalised_per_log_order * np.log1p(h), 1.0),
                         cp.send_cost_personalised),
    }
    for a, (delta, send) in deltas.items():
        p = delta * r
        out[f"delta_{a}"] = delta
        out[f"persuasion_{a}"] = p
        out[f"lift_{a}"] = (1 - b) * p
        out[f"contacts_{a}"] = p * k
        out[f"profit_{a}"] = p * (m - contact_cost * k) - send - cp.bonus_cashback * (b + (1 - b) * p)
    if charged:
        for a, (_delta, send) in deltas.items():
            out[f"net_profit_{a}"] = out[f"profit_{a}"]
            out[f"net_profit_cofunded_{a}"] = out[f"persuasion_{a}"] * m - send - contact_cost * out[f"contacts_{a}"]
    return out
