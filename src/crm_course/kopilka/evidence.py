"""The evidence of the board case, one step per chapter: CRM fit, member value, targeting and retention.

Kopilka-specific. :func:`crm_course.kopilka.board.board_case` gathers its
evidence here, each step one call of an earlier chapter's method modules, never
re-estimating what a chapter already estimates (the staff step, chapter 4, is
in :mod:`crm_course.kopilka.staff_policies`):

* step 0 (chapters 1 and 2) -- how unequal the active members' spending is,
  what the merchant panel's CRM effect at that inequality would be worth, and
  whether the panel applies to Kopilka at all (its members' repeat share against
  the adopters');
* step 1 (chapter 5) -- the active members of the last year, their net margin,
  year-on-year retention, and every member's lifetime value (BG/NBD and
  Gamma--Gamma);
* step 2 (chapter 3) -- the uplift rule and its profit measured on the
  randomised arms (:func:`crm_course.uplift.targeting_value`);
* step 4 (chapter 5) -- the Cox model of lapsing after the first support
  contact (:data:`COX_TERMS`).

Every step takes the checked tables, the
:class:`~crm_course.kopilka.assumptions.BoardAssumptions` and, where it needs
them, the periods of ``_periods``; it returns a dict of tables and models.

Examples
--------
>>> from crm_course.kopilka.evidence import COX_TERMS
>>> COX_TERMS.split(" + ")[0]
'first_csat'
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_course.kopilka.assumptions import BoardAssumptions

__all__ = ["COX_TERMS"]


#: Right-hand side of the Cox model of lapsing after the first support contact (as in chapter 5).
COX_TERMS = "first_csat + first_payout_received + np.log1p(orders_before) + C(channel)"


_DAY = pd.Timedelta(days=1)

#: Days after the campaign date over which the experiment measures profit (``margin_30d``) and support contacts.
CAMPAIGN_WINDOW_DAYS = 30


def _periods(transactions: pd.DataFrame, a: BoardAssumptions) -> dict[str, pd.Timestamp]:
    end = (pd.Timestamp(a.observation_end) if a.observation_end is not None
           else pd.Timestamp(transactions["order_date"].max())).normalize()
    last_start = end - pd.Timedelta(weeks=52) + _DAY
    before_start = last_start - pd.Timedelta(weeks=52)
    return {"end": end, "last_start": last_start, "before_start": before_start, "before_end": last_start - _DAY}


def _crm_fit(t: dict[str, pd.DataFrame], a: BoardAssumptions, when: dict[str, pd.Timestamp],
             members: float, margin: float, retention: float, annual_cost: float) -> dict[str, Any]:
    """Step 0 (chapters 1 and 2): Kopilka's inequality of spend and the CRM-fit assessment.

    The assessment carries chapter 2's prediction interval for one firm (``firm_sd``: the spread of the
    adopters' own effects) and says whether it applies at all: ``repeat_share_supported`` is False, and the
    verdict "Not applicable", when Kopilka's members come back more (or less) often than the adopters'
    customers did before they adopted; the lift columns are then for reference only.
    """
    from crm_course import concentration, panel, profitability
    from crm_course.effect_heterogeneity import effect_spread, unit_effects

    tx = t["transactions"]
    last = tx[(tx["order_date"] >= when["last_start"]) & (tx["order_date"] < when["end"] + _DAY)]
    customers = t["customers"][t["customers"]["customer_id"].isin(last["customer_id"])]
    values = profitability.member_value(customers, last)
    spread = concentration.gini(values, "revenue")
    panel_fit = panel.twfe_regression(t["merchant_panel"], moderator="customer_heterogeneity")
    firms = effect_spread(unit_effects(t["merchant_panel"], moderator="customer_heterogeneity"),
                          moderator="customer_heterogeneity", center=0.5)
    assessment = panel.assess_crm_fit(
        panel_fit, spread, repeat_share=float(np.clip(retention, 0, 1)), can_act=True, customers=members,
        margin_per_repeat_customer=max(margin, 1e-9), annual_cost=annual_cost, firm_sd=firms)
    assessment.index = ["Kopilka"]
    return {"gini": spread, "assessment": assessment, "panel": panel_fit}


def _member_value(t: dict[str, pd.DataFrame], a: BoardAssumptions, when: dict[str, pd.Timestamp]) -> dict[str, Any]:
    """Step 1 (chapter 5): active members, margin, retention, CLV."""
    from crm_course import clv, profitability
    from crm_course.retention import retention_rate

    tx, contacts = t["transactions"], t["contacts"]
    last_year = profitability.relationship_value(tx, contacts, start=when["last_start"], end=when["end"],
                                                 cost_per_contact=a.cost_per_contact)
    retention = retention_rate(tx, base=(when["before_start"], when["before_end"]),
                               following=(when["last_start"], when["end"]))
    summary = clv.rfm_summary(tx, when["end"])
    summary = summary[summary["T"] > 0]
    purchases = clv.BGNBDFitter().fit(summary)
    spend = clv.GammaGammaFitter().fit(summary)
    whole = profitability.relationship_value(tx, contacts, end=when["end"], cost_per_contact=a.cost_per_contact)
    # A world whose support costs exceed its margin has no positive margin to spread over future orders.
    margin_rate = float(np.clip(whole["net_margin"].sum() / whole["spend"].sum(), 0.0, 1.0))
    members = clv.customer_lifetime_value(
        purchases, spend, summary, margin=margin_rate, time_unit="W", period="M", horizon=12 * a.horizon_years,
        discount_rate=clv.periodic_rate(a.discount_rate, "Y", "M"),
    )
    ranks = members["clv"].rank(method="first")
    members["value_decile"] = np.ceil(10 * ranks / len(members)).astype("int64")
    return {"last_year": last_year, "retention": retention, "members": members, "margin_rate": margin_rate,
            "bgnbd": purchases, "spend": spend}


def _targeting(t: dict[str, pd.DataFrame], a: BoardAssumptions,
               when: dict[str, pd.Timestamp] | None = None) -> dict[str, Any]:
    """Step 2 (chapter 3): expected incremental profit, the uplift rule, its measured value.

    The measured value is net of the support contacts in the campaign's window (``net_support_cost``)
    and is measured on the members active in the last year before the campaign (``lift_population``).
    """
    from scipy import stats

    from crm_course import campaign_economics, experiments, profitability, uplift

    exp = experiments.history_features(t["offer_experiment"])
    arm = exp["arm"].astype(str)
    treated = (arm == "personalised").to_numpy()
    converted = exp["converted"].astype(bool).to_numpy()
    cost = exp["offer_cost"].to_numpy(dtype=float)
    if not (treated & ~converted).any() or not (treated & converted).any():
        raise ValueError("tables['offer_experiment']: the personalised arm needs converting and non-converting "
                         "members to separate the sending cost from the bonus")
    generic = (arm == "generic").to_numpy()
    tested_send = float(np.median(cost[treated & ~converted]))
    bonus = float(np.median(cost[treated & converted])) - tested_send
    paid_bonus = 0.0 if a.merchants_fund_bonus else bonus
    # Re-cost the experiment: Kopilka pays the assumed sending cost of a personalised offer (a generic
    # offer keeps its tested cost), and the bonus only if the merchants do not pay it.
    generic_send = float(np.median(cost[generic & ~converted])) if (generic & ~converted).any() else 0.0
    kopilka_cost = np.select([treated, generic], [a.send_cost + paid_bonus * converted,
                                                  generic_send + paid_bonus * converted], cost)
    exp["profit"] = exp["margin_30d"].to_numpy(dtype=float) - kopilka_cost
    exp["contacts_30d"] = campaign_economics.events_in_window(exp, t["contacts"], days=CAMPAIGN_WINDOW_DAYS,
                                                              event_date="contact_date").to_numpy(dtype=float)
    contact_cost = a.cost_per_contact if a.net_support_cost else 0.0

    tx = t["transactions"]
    campaign_date = exp["campaign_date"].min()
    start = when["last_start"] if when is not None else campaign_date - pd.Timedelta(weeks=52)
    ordered = tx.loc[(tx["order_date"] >= start) & (tx["order_date"] < campaign_date), "customer_id"]
    exp["active_before"] = exp["customer_id"].isin(ordered).to_numpy()
    before = tx[tx["order_date"] < campaign_date]
    if before.empty or before["order_value"].sum() <= 0:
        raise ValueError("tables['transactions']: no order before the campaign date to compute the margin rate from")
    margin_rate = float((before["commission"] - before["cashback"]).sum() / before["order_value"].sum())
    exp["value_per_order"] = profitability.value_per_order(exp, max(margin_rate, 0.0),
                                                           typical_order=float(before["order_value"].mean()))
    if a.net_support_cost:  # an extra order brings, on average, the support contacts orders brought before
        early = t["contacts"]["contact_date"] < campaign_date
        contacts_per_order = float(early.sum()) / len(before)
        exp["value_per_order"] = (exp["value_per_order"] - a.cost_per_contact * contacts_per_order).clip(lower=0.0)
    pred = uplift.cross_fit_uplift(exp, list(experiments.HISTORY_FEATURES), seed=a.uplift_seed)
    exp["p_buy"] = pred["treated"]
    exp["uplift"] = pred["uplift"]
    exp["expected_profit"] = uplift.expected_incremental_profit(
        pred, exp["value_per_order"], cost_per_offer=a.send_cost, incentive_per_conversion=paid_bonus)
    exp["target"] = exp["expected_profit"] > 0

    # The population the lift is measured on: the members the NPV applies it to, if the arms hold enough of them.
    within = exp["active_before"].to_numpy() if a.lift_population == "active" else np.ones(len(exp), dtype=bool)
    if min(((arm == o).to_numpy() & within).sum() for o in ("personalised", "none")) < 2:
        raise ValueError(f"tables['offer_experiment']: fewer than 2 members of the personalised or the no-offer arm "
                         f"are in the population lift_population={a.lift_population!r} (members who ordered in the "
                         f"last year before the campaign); use lift_population='all' or another observation_end")
    # Chapter 5's decomposition of each arm's lift: gross, the extra contacts, their cost, net.
    arms_lift = campaign_economics.net_lift(exp.loc[within], "profit", "contacts_30d", contact_cost=contact_cost,
                                            cost=None, arms=None).set_index("arm")
    # Each member's profit net of their contacts: the arms' difference then carries the extra contacts' cost.
    exp["profit"] = exp["profit"] - contact_cost * exp["contacts_30d"]
    measured = exp.loc[within]
    arm_in = arm.to_numpy()[within]
    everyone = np.ones(len(measured), dtype=bool)
    rules = {"generic offer, every member": ("generic", everyone),
             "personalised offer, every member": ("personalised", everyone),
             "personalised offer, uplift rule": ("personalised", measured["target"].to_numpy())}
    rows = {}
    for label, (offer, mask) in rules.items():
        sent = arm_in == offer
        if (mask & sent).sum() < 2 or (mask & (arm_in == "none")).sum() < 2:
            # Too few targeted members in an arm to measure their lift: the rule sends nothing, and
            # targeting_value values a rule that targets nobody at exactly 0.
            mask = np.zeros(len(measured), dtype=bool)
        value = uplift.targeting_value(measured, mask, "profit", treatment=offer)
        q = value["share_targeted"]
        # Two units, each named: per offer sent (the lift among the targeted) and per member of the base
        # (targeting_value's value, se and interval: the share targeted times the former).
        per_offer, per_offer_se = (value["lift_among_targeted"], value["se"] / q) if q > 0 else (0.0, 0.0)
        z = stats.norm.ppf(0.975)  # targeting_value's default 95% level
        rows[label] = pd.Series({
            "share_targeted": q,
            "per_targeted": per_offer, "per_targeted_se": per_offer_se,
            "per_targeted_ci_low": per_offer - z * per_offer_se, "per_targeted_ci_high": per_offer + z * per_offer_se,
            "per_member": value["value_per_customer"], "per_member_se": value["se"],
            "per_member_ci_low": value["ci_low"], "per_member_ci_high": value["ci_high"],
        })
    offers = pd.DataFrame(rows).T
    offers.index.name = "rule"
    offers["population"] = a.lift_population
    offers["members_measured"] = int(within.sum())
    columns = ["customer_id", "arm", "prior_orders", "active_before", "p_buy", "uplift", "value_per_order",
               "expected_profit", "target", "contacts_30d", "profit"]
    return {"targeting": exp[columns].copy(), "offers": offers, "arms": arms_lift, "bonus": bonus,
            "tested_send_cost": tested_send,
            "margin_rate_before": margin_rate, "targeted_share": float(measured["target"].mean())}


def _retention(t: dict[str, pd.DataFrame], a: BoardAssumptions, when: dict[str, pd.Timestamp]) -> dict[str, Any]:
    """Step 4 (chapter 5): the hazard of lapsing after the first support contact, by its CSAT."""
    from crm_course import survival

    experience = survival.support_experience(t["contacts"], t["transactions"])
    followed = survival.lapse_durations(t["transactions"], lapse_weeks=a.lapse_weeks, observation_end=when["end"],
                                        origin=experience["first_contact_date"])
    channel = t["customers"].set_index("customer_id")["channel"]
    data = followed.join(experience).join(channel)
    cox = survival.cox_model(data, COX_TERMS)
    return {"cox": cox, "ratios": survival.hazard_ratios(cox)}

