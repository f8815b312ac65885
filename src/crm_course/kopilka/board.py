"""Kopilka's board case for the capstone (chapter 6), built by chaining the method modules.

Kopilka-specific. Kopilka's board asks four questions: should it invest in a
CRM programme, which members should receive which offers, which staff policies
should it adopt, and at what expected return and risk. :func:`board_case`
answers them on any world's tables (:data:`TABLES_NEEDED`) by chaining the
method modules of chapters 1–5, one step each, never re-estimating what a
chapter already estimates:

0. **Does CRM fit Kopilka?** (chapters 1 and 2): how unequal the active
   members' spending is (:func:`crm_course.concentration.gini`), and what the
   merchant panel's CRM effect at that inequality would be worth against the
   programme's cost (:func:`crm_course.panel.twfe_regression` with the
   heterogeneity moderator, :func:`crm_course.panel.assess_crm_fit`).
1. **Member value** (chapter 5): the active members of the last year, their net
   margin and year-on-year retention
   (:func:`crm_course.profitability.relationship_value`,
   :func:`crm_course.retention.retention_rate`), and every member's probability
   of being alive and lifetime value from the BG/NBD and Gamma–Gamma models
   (:mod:`crm_course.clv`).
2. **Targeting** (chapter 3): each campaign member's expected incremental
   profit from the personalised offer
   (:func:`crm_course.uplift.cross_fit_uplift`,
   :func:`crm_course.profitability.value_per_order`,
   :func:`crm_course.uplift.expected_incremental_profit`); the uplift rule
   targets the members with a positive expected profit, and its profit per
   targeted member is measured on the randomised arms
   (:func:`crm_course.uplift.targeting_value`) -- net of the support
   contacts the offer's extra orders cause, and among the members who
   ordered in the last year before the campaign, the population the NPV
   applies it to (``net_support_cost`` and ``lift_population`` of the
   assumptions).
3. **Staff policies** (chapter 4): what paying every agent on time, giving
   every agent a desk of their own, more training and each empowerment policy
   (:data:`EMPOWERMENT_POLICIES`: nobody, everybody, or only the agents who
   meet Eastman Chemical's three criteria) would do to engagement
   (:func:`crm_course.regression.engagement_drivers`) and to CSAT
   (:func:`crm_course.ratings.csat_ols` with the total-effect terms
   :data:`crm_course.ratings.EMPOWERMENT_TERMS`, on
   :func:`crm_course.kopilka.support.support_frame`), each a linear combination
   of coefficients (:func:`staff_changes`) with its standard error
   (:func:`crm_course.inference.linear_combinations`).
4. **Retention** (chapter 5): how a better first support contact changes the
   hazard of lapsing (:func:`crm_course.survival.cox_model` with
   :data:`COX_TERMS`).
5. **Return and risk** (chapter 5): the programme's cash flows, the Monte Carlo
   distribution of its NPV, the probability of a loss and the break-even points
   (:func:`crm_course.finance.programme_cash_flows`,
   :func:`crm_course.finance.npv_monte_carlo`,
   :func:`crm_course.finance.npv_summary`,
   :func:`crm_course.finance.break_even`), for the proposed programme and the
   three alternatives of :data:`OPTIONS`.

Steps 0, 1, 2 and 4 are in :mod:`crm_course.kopilka.evidence`, step 3 in
:mod:`crm_course.kopilka.staff_policies`; this module checks the tables,
assembles the NPV inputs from the steps and values the options (step 5).
The result is a :class:`BoardCase`: the key figures and one tidy table per
step. The investment assumptions (costs, horizon, discount rate, who pays the
bonus cashback, which staff policies) are the fields of the frozen
:class:`BoardAssumptions` (:mod:`crm_course.kopilka.assumptions`), with
documented defaults; change them with :func:`dataclasses.replace` and run
:func:`board_case` again. For lecturers,
:func:`crm_course.kopilka.groups.group_world` gives every student group its own
world, so that groups' answers differ.

How the staff package enters the NPV
------------------------------------
:func:`crm_course.finance.programme_cash_flows` values better service through
the chain *engagement gain* × *CSAT per engagement point* = CSAT gain, which
lowers the hazard of lapsing for the members who contact support. A staff
package moves CSAT through engagement **and** directly (empowerment's direct
effect depends on whether the agent fits the criteria), so :func:`board_case`
estimates the package's total CSAT gain in one model and passes the package to
the NPV helper as one unit: ``engagement_gain = 1`` (the package, applied once)
and ``csat_per_engagement`` = the package's CSAT gain with its standard error.
The product, which is all the chain uses, is then the package's CSAT gain.

Examples
--------
>>> from crm_course.kopilka.board import board_case
>>> from crm_course.world import simulate
>>> case = board_case(simulate(n_members=4_000, seed=3).tables, rng=1)
>>> case.options.index[0]
'targeted offers + staff package'
>>> bool(0 <= case.figures["probability_loss"] <= 1)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crm_course.kopilka.assumptions import (
    EMPOWERMENT_POLICIES,
    BoardAssumptions,
    _check_assumptions,
)
from crm_course.kopilka.evidence import COX_TERMS, _crm_fit, _member_value, _periods, _retention, _targeting
from crm_course.kopilka.staff_policies import _staff, staff_changes
from crm_course.language import tr, tr_noop
from crm_course.validation import check_frame, check_range, check_unique

__all__ = [
    "COX_TERMS",
    "EMPOWERMENT_POLICIES",
    "OPTIONS",
    "TABLES_NEEDED",
    "BoardAssumptions",
    "BoardCase",
    "board_case",
    "staff_changes",
]


#: The tables :func:`board_case` reads (the campaign's table is ``offer_experiment``).
TABLES_NEEDED: tuple[str, ...] = ("customers", "transactions", "merchant_panel", "offer_experiment", "agents",
                                  "contacts")


#: The programme options compared for the board, the proposed one first.
OPTIONS: tuple[str, ...] = (
    "targeted offers + staff package",
    "offers to every member + staff package",
    "targeted offers only",
    "staff package only",
)



@dataclass
class BoardCase:
    """Everything the board memo needs, as tidy tables.

    Attributes
    ----------
    assumptions : BoardAssumptions
        What was assumed.
    figures : pandas.Series
        The key figures (see :func:`board_case` for the list).
    crm_fit : pandas.DataFrame
        Chapter 2's CRM-fit assessment of Kopilka (one row, from
        :func:`crm_course.panel.assess_crm_fit`): the merchant panel's
        expected lift in the repeat-purchase rate at Kopilka's inequality of
        spend, with a confidence interval for the average firm and a
        prediction interval for one firm (``pred_low_pp``, ``pred_high_pp``),
        its value, the break-even lift, ``repeat_share_supported`` and a
        verdict. The verdict is "Not applicable" when Kopilka's year-on-year
        retention lies outside the adopters' pre-adoption repeat shares: the
        lift columns are then an extrapolation, for reference only.
    members : pandas.DataFrame
        One row per member with at least one purchase day before the end:
        ``probability_alive``, ``expected_purchases``, ``clv`` (RUB, over the
        horizon; chapter 5's BG/NBD and Gamma–Gamma models) and
        ``value_decile`` (10 = the most valuable tenth).
    targeting : pandas.DataFrame
        One row per campaign member: ``customer_id``, ``arm``,
        ``prior_orders``, ``p_buy`` (predicted conversion with the offer),
        ``uplift`` (predicted extra conversion), ``value_per_order``,
        ``expected_profit`` (RUB per offer), ``target`` (the uplift rule),
        ``active_before`` (ordered in the last year before the campaign),
        ``contacts_30d`` (support contacts in the 30-day window), ``profit``
        (realised 30-day margin minus the offer's cost to Kopilka and, with
        ``net_support_cost``, ``cost_per_contact`` per contact) and ``clv``.
    offers : pandas.DataFrame
        The measured value of three sending rules on the randomised arms
        (:func:`crm_course.uplift.targeting_value`), rows ``generic offer,
        every member``, ``personalised offer, every member`` and
        ``personalised offer, uplift rule``. Two units, named in the
        columns: RUB **per offer sent** -- ``per_targeted``,
        ``per_targeted_se``, ``per_targeted_ci_low``, ``per_targeted_ci_high``
        (the lift among the members the rule targets) -- and RUB **per member
        of the base** -- ``per_member``, ``per_member_se``,
        ``per_member_ci_low``, ``per_member_ci_high`` (``share_targeted``
        times the former: what the rule earns spread over every member,
        targeted or not); then ``population`` (``lift_population``) and
        ``members_measured`` (campaign members in it). Profit is net of the
        support contacts in the window unless ``net_support_cost=False``.
    staff : pandas.DataFrame
        One row per staff lever, empowerment policy and the chosen package:
        ``share_agents`` (share of agents affected), ``engagement_gain`` and
        ``engagement_se`` (points, HC1), ``csat_gain``, ``csat_se``,
        ``csat_low``, ``csat_high`` (CSAT points per contact, clustered by
        agent), ``annual_cost`` (RUB), ``mean_npv`` and ``probability_loss``
        of the lever as an investment of its own, and ``csat_per_100k_rub``
        (CSAT points bought per 100,000 RUB a year).
    retention : pandas.DataFrame
        Hazard ratios of the Cox model of lapsing after the first contact.
    inputs : pandas.DataFrame
        The NPV inputs of the proposed programme: ``estimate``,
        ``std_error``, ``meaning`` and ``source``.
    npv_inputs : dict
        The same inputs as :func:`crm_course.finance.npv_monte_carlo`
        takes them (name -> number or (estimate, standard error)), to rerun
        the chapter 5 helpers with changed inputs.
    costs : pandas.Series
        The programme's costs (RUB); ``costs.to_dict()`` for the helpers.
    cash_flows : pandas.DataFrame
        Year-by-year cash flows of the proposed programme at the estimates.
    draws : pandas.DataFrame
        Monte Carlo draws of the proposed programme.
    options : pandas.DataFrame
        One row per option of :data:`OPTIONS`: the NPV summary of
        :func:`crm_course.finance.npv_summary` and the mean present
        values of each benefit and of the costs.
    campaign : pandas.DataFrame
        Chapter 5's decomposition of each offer's lift per member on the
        measured population (:func:`crm_course.campaign_economics.net_lift`,
        one row per arm): ``gross_lift`` (margin minus the offer's cost),
        ``contacts_lift`` (extra support contacts per member in 30 days),
        ``contact_cost_lift`` (their cost at ``cost_per_contact``; 0 with
        ``net_support_cost=False``) and ``net_lift``, with standard errors.
    models : dict
        The fitted models: ``"engagement"``, ``"csat"`` (statsmodels
        results), ``"cox"`` (PHReg result), ``"bgnbd"`` and ``"spend"``
        (fitters), ready for :func:`crm_course.tables.regression_table`.
    """

    assumptions: BoardAssumptions
    figures: pd.Series
    crm_fit: pd.DataFrame
    members: pd.DataFrame
    targeting: pd.DataFrame
    offers: pd.DataFrame
    staff: pd.DataFrame
    retention: pd.DataFrame
    inputs: pd.DataFrame
    npv_inputs: dict
    costs: pd.Series
    cash_flows: pd.DataFrame
    draws: pd.DataFrame
    options: pd.DataFrame
    models: dict = field(default_factory=dict, repr=False)
    campaign: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def __repr__(self) -> str:
        f = self.figures
        return (f"BoardCase(mean_npv={f['mean_npv']:,.0f} RUB, probability_loss={f['probability_loss']:.3f}, "
                f"share_targeted={f['share_targeted']:.3f})")


def _check_tables(tables: Any) -> dict[str, pd.DataFrame]:
    if not isinstance(tables, Mapping):
        raise TypeError(f"tables: expected a dict of table name -> DataFrame (crm_course.data.load_all()); "
                        f"found {type(tables).__name__}")
    missing = [name for name in TABLES_NEEDED if name not in tables]
    if missing:
        raise ValueError(f"tables: missing table(s) {missing}; expected at least {list(TABLES_NEEDED)}")
    checks = {
        "customers": {"customer_id": "any", "channel": "any"},
        "transactions": {"customer_id": "any", "order_date": "datetime", "order_value": "numeric",
                         "commission": "numeric", "cashback": "numeric"},
        "offer_experiment": {"customer_id": "any", "campaign_date": "datetime", "arm": "any",
                             "converted": "bool", "margin_30d": "numeric", "offer_cost": "numeric"},
        "agents": {"agent_id": "any", "engagement": "numeric"},
        "merchant_panel": {"merchant_id": "any", "year": "numeric", "repeat_rate": "numeric",
                           "customer_heterogeneity": "numeric"},
        "contacts": {"customer_id": "any", "agent_id": "any", "contact_date": "datetime", "csat": "numeric"},
    }
    for name, columns in checks.items():
        check_frame(tables[name], columns, name=f"tables[{name!r}]")
    check_range(tables["offer_experiment"], "offer_cost", low=0, name="tables['offer_experiment']")
    ids = tables["customers"]["customer_id"]
    check_unique(tables["customers"], "customer_id", name="tables['customers']")
    for name in ("customers", "transactions", "contacts", "offer_experiment"):
        unknown = ~tables[name]["customer_id"].isin(ids.dropna())
        if unknown.any():  # a missing id, or ids read as another type than the members'
            raise ValueError(f"tables[{name!r}]: {int(unknown.sum())} row(s) have a customer_id that is not a member "
                             f"of tables['customers'], e.g. {tables[name].loc[unknown, 'customer_id'].iloc[0]!r}")
    return {name: tables[name] for name in TABLES_NEEDED}


@contextmanager
def _reading(*names: str):
    """Name the tables a step reads in its errors (the helpers call their data 'data', 'panel', ...)."""
    try:
        yield
    except ValueError as exc:
        if str(exc).startswith("tables"):
            raise
        raise ValueError(f"{' and '.join(f'tables[{n!r}]' for n in names)}: {exc}") from None


def _rng(rng: Any) -> np.random.Generator:
    if rng is None:
        return np.random.default_rng(2002)
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng: expected a numpy.random.Generator, a seed (int >= 0) or None; found {rng!r}")



_SOURCES = {
    "members": tr_noop("ch. 5: active members in the last 52 weeks (relationship_value) x base_factor"),
    "margin_per_member": tr_noop("ch. 5: mean net margin after support costs (relationship_value), SE of the mean"),
    "retention": tr_noop("ch. 5: year-on-year retention (retention_rate), binomial SE"),
    "campaigns_per_year": tr_noop("assumption"),
    "targeted_share": tr_noop("ch. 3: share of the measured members with positive expected profit (uplift rule)"),
    "campaign_lift": tr_noop("ch. 3: measured profit per targeted member net of support contacts, randomised arms "
                             "(targeting_value)"),
    "contacted_share": tr_noop("ch. 5: share of active members with a support contact in the last 52 weeks"),
    "engagement_gain": tr_noop("the staff package, applied once (see csat_per_engagement)"),
    "csat_per_engagement": tr_noop("ch. 4: CSAT gain of the whole package (csat_ols, total effects, clustered by "
                                   "agent)"),
    "log_hr_per_csat": tr_noop("ch. 5: Cox model of lapsing after the first contact (model-based SE)"),
}


_MEANINGS = {
    "engagement_gain": tr_noop("the staff package as one unit (1 = adopted)"),
    "csat_per_engagement": tr_noop("CSAT points the staff package adds to an average contact"),
}


def _summaries(inputs: dict, costs: dict, a: BoardAssumptions, seed: int) -> tuple[pd.Series, pd.DataFrame]:
    from crm_course import finance

    draws = finance.npv_monte_carlo(inputs, costs, horizon=a.horizon_years, discount=a.discount_rate,
                                    n_draws=a.n_draws, rng=np.random.default_rng(seed))
    no_cost = draws["roi"].isna().all()  # a policy that costs nothing has no return on investment
    summary = finance.npv_summary(draws.fillna({"roi": 0.0}) if no_cost else draws)
    if no_cost:
        summary["mean_roi"] = np.nan
    for col in ("pv_personalisation", "pv_retention", "pv_costs"):
        summary[f"mean_{col}"] = float(draws[col].mean())
    return summary, draws


def board_case(
    tables: Mapping[str, pd.DataFrame],
    *,
    assumptions: BoardAssumptions | None = None,
    rng: np.random.Generator | int | None = None,
) -> BoardCase:
    """Build Kopilka's board case from a world's tables with the chapters' helpers.

    The steps are listed in the module docstring. The proposed programme
    invests in **processes** (a system that sends ``campaigns_per_year``
    personalised offers a year to the members the uplift rule selects) and
    in **people** (the staff package of the assumptions). Its NPV over
    ``horizon_years`` is :func:`crm_course.finance.npv_monte_carlo`'s
    model: yearly benefits = personalisation (members × targeted share ×
    campaigns × measured profit per targeted member) + retention (members
    who contact support, kept by the package's CSAT gain through the Cox
    hazard ratio, each worth margin / (1 + d − r)), minus the costs.

    Three alternatives are valued alongside: offers to every member (as
    tested in chapter 3), targeted offers without the staff package, and
    the staff package without the offer system (no process costs). All four
    use the same random draws, so their differences are not blurred by
    simulation noise.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        At least the tables of :data:`TABLES_NEEDED`, as returned by
        :func:`crm_course.data.load_all` or ``simulate(...).tables``. Not
        modified.
    assumptions : BoardAssumptions, optional
        Costs, horizon and policies; defaults to ``BoardAssumptions()``.
    rng : numpy.random.Generator, int or None
        Source of the Monte Carlo draws (a seed is turned into
        ``np.random.default_rng(seed)``); None means seed 2002.

    Returns
    -------
    BoardCase
        Its ``figures`` are: ``revenue_gini`` (of active members' spending
        in the last year), ``crm_fit_applicable`` (1.0 when Kopilka's
        retention lies within the adopters' repeat shares, else 0.0: the
        next figures are then for reference only), ``crm_fit_lift_pp``,
        ``crm_fit_pred_low_pp`` and ``crm_fit_pred_high_pp`` (one firm's
        prediction interval), ``crm_fit_value`` and
        ``crm_fit_break_even_lift_pp`` (chapter 2's assessment, against
        ``equivalent_annual_cost``: the yearly costs plus the one-off cost
        spread over the horizon as an annuity), ``active_members`` (today's
        base), ``base_factor`` (the base over the horizon, discounted average,
        relative to today's: 1 for a steady base), ``margin_per_member``,
        ``retention``, ``mean_clv``, ``top_decile_clv_share``,
        ``share_targeted``, ``profit_per_offer_targeted`` (and ``_se``),
        ``profit_per_member_everyone`` (and ``_se``), ``extra_contacts_per_offer``
        and ``support_cost_per_offer`` (the personalised offer's extra support
        contacts per member in 30 days, and what they cost; in
        ``profit_per_...`` already), ``staff_engagement_gain``,
        ``staff_csat_gain`` (and ``_se``), ``selective_minus_universal_csat``,
        ``hazard_ratio_per_csat``, ``extra_members_kept_per_year``,
        ``people_annual``, ``process_upfront``, ``process_annual``,
        ``mean_npv``, ``median_npv``, ``npv_low``, ``npv_high`` (the 90%
        interval), ``probability_loss``, ``mean_roi``,
        ``mean_pv_personalisation``, ``mean_pv_retention``, ``mean_pv_costs``,
        ``staff_programme_value`` (mean present value of the members the
        staff package keeps), ``yearly_retention_value`` (their value in
        one year, at the estimates), ``break_even_members`` (today's base
        that breaks even, the base then changing by ``base_change`` a year) and
        ``break_even_profit_per_offer`` (NaN when no value breaks even).

    Raises
    ------
    ValueError, TypeError
        For a missing table or column, a wrongly typed column, bad
        assumptions or a bad ``rng``.

    Examples
    --------
    >>> from crm_course.world import simulate
    >>> case = board_case(simulate(n_members=4_000, seed=3).tables, rng=1)
    >>> list(case.staff.index[:2])
    ['pay everyone on time', 'own desk for everyone']
    """
    from crm_course import finance

    a = _check_assumptions(assumptions)
    generator = _rng(rng)
    t = _check_tables(tables)
    when = _periods(t["transactions"], a)

    with _reading("transactions", "contacts"):
        value = _member_value(t, a, when)
    with _reading("offer_experiment", "transactions"):
        target = _targeting(t, a, when)
    with _reading("agents", "contacts"):
        staff = _staff(t, a)
    with _reading("contacts", "transactions", "customers"):
        ret = _retention(t, a, when)

    last_year = value["last_year"]
    r = value["retention"]
    offers = target["offers"]
    rule = offers.loc["personalised offer, uplift rule"]
    everyone = offers.loc["personalised offer, every member"]
    package = staff["staff"].loc["staff package"]
    hr = ret["ratios"].loc["first_csat"]

    years = np.arange(1, a.horizon_years + 1)
    discounts = (1 + a.discount_rate) ** -years
    # Benefits scale with each year's base, costs do not: the NPV values the base's discounted average.
    base_path = (1 + a.base_change) ** years
    base_factor = float(np.sum(base_path * discounts) / np.sum(discounts))
    inputs = {
        "members": float(len(last_year)) * base_factor,
        "margin_per_member": (float(last_year["net_margin"].mean()), float(last_year["net_margin"].sem())),
        "retention": (float(r["retention"]), float(r["std_error"])),
        "campaigns_per_year": float(a.campaigns_per_year),
        "targeted_share": target["targeted_share"],  # over the campaign members the lift is measured on
        "campaign_lift": (float(rule["per_targeted"]), float(rule["per_targeted_se"])),
        "contacted_share": float(np.mean(last_year["contacts"] > 0)),
        "engagement_gain": 1.0,
        "csat_per_engagement": (float(package["csat_gain"]), float(package["csat_se"])),
        "log_hr_per_csat": (float(hr["log_hr"]), float(hr["std_error"])),
    }
    costs = {"process_upfront": a.process_upfront, "process_annual": a.process_annual,
             "people_annual": float(package["annual_cost"])}
    annuity = float(np.sum((1 + a.discount_rate) ** -np.arange(1, a.horizon_years + 1)))
    # The one-off cost spread over the horizon as an annuity, so that a year's cost includes its share.
    equivalent_annual_cost = costs["process_upfront"] / annuity + costs["process_annual"] + costs["people_annual"]
    with _reading("merchant_panel", "transactions", "customers"):
        fit = _crm_fit(t, a, when, float(len(last_year)), inputs["margin_per_member"][0], inputs["retention"][0],
                       equivalent_annual_cost)
    no_staff = {"engagement_gain": 0.0}
    no_offers = {"campaigns_per_year": 0.0}
    variants = {
        OPTIONS[0]: (inputs, costs),
        OPTIONS[1]: ({**inputs, "targeted_share": 1.0,
                      "campaign_lift": (float(everyone["per_targeted"]), float(everyone["per_targeted_se"]))}, costs),
        OPTIONS[2]: ({**inputs, **no_staff}, {**costs, "people_annual": 0.0}),
        OPTIONS[3]: ({**inputs, **no_offers}, {**costs, "process_upfront": 0.0, "process_annual": 0.0}),
    }
    seed = int(generator.integers(2**32))
    summaries, main_draws = {}, None
    for label, (inp, cst) in variants.items():
        summaries[label], draws = _summaries(inp, cst, a, seed)
        if main_draws is None:
            main_draws = draws
    options = pd.DataFrame(summaries).T
    options.index.name = "option"

    # Each staff lever as an investment of its own: its CSAT gain, its cost, no offers, no process cost.
    lever_npv = {}
    for label, row in staff["staff"].iterrows():
        inp = {**inputs, **no_offers, "csat_per_engagement": (float(row["csat_gain"]), float(row["csat_se"]))}
        cst = {"process_upfront": 0.0, "process_annual": 0.0, "people_annual": float(row["annual_cost"])}
        lever_npv[label], _ = _summaries(inp, cst, a, seed)
    lever_npv = pd.DataFrame(lever_npv).T
    staff_table = staff["staff"].assign(mean_npv=lever_npv["mean_npv"], probability_loss=lever_npv["probability_loss"])
    cost = staff_table["annual_cost"].to_numpy(dtype=float)
    staff_table["csat_per_100k_rub"] = np.divide(100_000 * staff_table["csat_gain"].to_numpy(dtype=float), cost,
                                                 out=np.full(len(cost), np.nan), where=cost > 0)

    today = {**inputs, "members": float(len(last_year))}
    cash_flows = finance.programme_cash_flows(today, costs, horizon=a.horizon_years, discount=a.discount_rate)
    if a.base_change != 0:  # each year's benefits on that year's base
        scale = pd.Series(np.r_[0.0, base_path], index=cash_flows.index)
        cash_flows[["personalisation", "retention"]] = cash_flows[["personalisation", "retention"]].mul(scale, axis=0)
        cash_flows["cash_flow"] = cash_flows["personalisation"] + cash_flows["retention"] - cash_flows["costs"]
        cash_flows["discounted"] = cash_flows["cash_flow"] * (1 + a.discount_rate) ** -cash_flows.index.to_numpy()
        cash_flows["cumulative"] = cash_flows["discounted"].cumsum()
    yearly_kept = finance.programme_cash_flows(
        {**today, **no_offers}, {"process_upfront": 0.0, "process_annual": 0.0, "people_annual": 0.0},
        horizon=1, discount=a.discount_rate)
    # Chapter 5's chain (finance.programme_cash_flows) counted in members rather than roubles, at today's base.
    extra_kept = float(today["members"] * inputs["contacted_share"]
                       * (inputs["retention"][0] ** np.exp(hr["log_hr"] * package["csat_gain"])
                          - inputs["retention"][0]))

    def _break_even(parameter: str) -> float:
        try:
            found = finance.break_even(inputs, costs, parameter, horizon=a.horizon_years, discount=a.discount_rate)
            return found / base_factor if parameter == "members" else found  # as today's base
        except ValueError:
            return float("nan")

    inputs_table = pd.DataFrame(
        {k: (v if isinstance(v, tuple) else (v, 0.0)) for k, v in inputs.items()}, index=["estimate", "std_error"]
    ).T
    inputs_table["meaning"] = [tr(_MEANINGS[k]) if k in _MEANINGS else finance.INPUT_NAMES[k]
                               for k in inputs_table.index]
    inputs_table["source"] = [tr(_SOURCES[k]) for k in inputs_table.index]

    members = value["members"]
    ranked = np.sort(members["clv"].to_numpy())[::-1]
    top = ranked[: max(1, len(ranked) // 10)].sum() / ranked.sum() if ranked.sum() > 0 else np.nan
    targeting = target["targeting"].join(members["clv"], on="customer_id")
    main = options.loc[OPTIONS[0]]
    universal = staff_table.loc["empowerment: universal", "csat_gain"]
    selective = staff_table.loc["empowerment: selective", "csat_gain"]
    assessment = fit["assessment"].iloc[0]
    figures = pd.Series({
        "revenue_gini": float(fit["gini"]),
        "crm_fit_applicable": float(bool(assessment["repeat_share_supported"])),
        "crm_fit_lift_pp": float(assessment["lift_pp"]),
        "crm_fit_pred_low_pp": float(assessment["pred_low_pp"]),
        "crm_fit_pred_high_pp": float(assessment["pred_high_pp"]),
        "crm_fit_value": float(assessment["value_rub"]),
        "crm_fit_break_even_lift_pp": float(assessment["break_even_lift_pp"]),
        "equivalent_annual_cost": equivalent_annual_cost,
        "active_members": today["members"],
        "base_factor": base_factor,
        "margin_per_member": inputs["margin_per_member"][0],
        "retention": inputs["retention"][0],
        "mean_clv": float(members["clv"].mean()),
        "top_decile_clv_share": float(top),
        "share_targeted": inputs["targeted_share"],
        "profit_per_offer_targeted": inputs["campaign_lift"][0],
        "profit_per_offer_targeted_se": inputs["campaign_lift"][1],
        "profit_per_member_everyone": float(everyone["per_targeted"]),
        "profit_per_member_everyone_se": float(everyone["per_targeted_se"]),
        "extra_contacts_per_offer": float(target["arms"].loc["personalised", "contacts_lift"]),
        "support_cost_per_offer": float(target["arms"].loc["personalised", "contact_cost_lift"]),
        "staff_engagement_gain": float(package["engagement_gain"]),
        "staff_csat_gain": float(package["csat_gain"]),
        "staff_csat_gain_se": float(package["csat_se"]),
        "selective_minus_universal_csat": float(selective - universal),
        "hazard_ratio_per_csat": float(hr["hazard_ratio"]),
        "extra_members_kept_per_year": extra_kept,
        "people_annual": costs["people_annual"],
        "process_upfront": costs["process_upfront"],
        "process_annual": costs["process_annual"],
        **{k: float(main[k]) for k in ("mean_npv", "median_npv", "npv_low", "npv_high", "probability_loss",
                                       "mean_roi", "mean_pv_personalisation", "mean_pv_retention",
                                       "mean_pv_costs")},
        "staff_programme_value": float(main["mean_pv_retention"]),
        "yearly_retention_value": float(yearly_kept.loc[1, "retention"]),
        "break_even_members": _break_even("members"),
        "break_even_profit_per_offer": _break_even("campaign_lift"),
    }, name="figure")
    return BoardCase(
        assumptions=a, figures=figures, crm_fit=fit["assessment"], members=members, targeting=targeting,
        offers=offers, staff=staff_table, retention=ret["ratios"], inputs=inputs_table, npv_inputs=inputs,
        costs=pd.Series(costs, name="RUB"), cash_flows=cash_flows, draws=main_draws, options=options,
        models={"engagement": staff["engagement"], "csat": staff["csat"], "cox": ret["cox"],
                "bgnbd": value["bgnbd"], "spend": value["spend"], "panel": fit["panel"]},
        campaign=target["arms"],
    )
