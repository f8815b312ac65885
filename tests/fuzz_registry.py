"""The registry of the bad-input suite (``tests/test_bad_input.py``): one entry per public function.

Each :class:`Entry` says how to call one public function of ``crm_course`` with
valid, Kopilka-shaped data (a small simulated world), and what each DataFrame
argument holds: which columns the function reads, and which of them are keys,
amounts of money, ratings or shares. The suite corrupts those frames and checks
the function's answer; the roles say what the function promises:

* every column in ``Frame.columns()`` is read: dropping it must raise a
  ``ValueError`` that names it, and so must text in any column read as a
  number;
* ``keys``: a repeated key must raise, naming the key (issue 20, defect 6);
* ``money``: a negative amount must raise, naming the column;
* ``ranges``: a rating or share outside its range must raise, naming the
  column.

``amounts`` and ``bounded`` are money and ratings or shares that the function
reads as plain numbers (an outcome of any kind, say): negative or out-of-range
values are generated for them too, but may be answered either way. So may every
other corruption (a wrong dtype, NaN or infinity, an empty frame, a single
row): with a valid result, whose ``headline`` numbers are finite, or with a
``ValueError`` that names the column or the argument.

A new public function joins the suite with one entry here (see CONTRIBUTING.md);
``test_every_public_dataframe_function_is_fuzzed`` fails until it has one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

#: Kopilka's ratings and shares, with the range each must lie in.
CSAT = (1, 5)
SHARE = (0, 1)


@dataclass(frozen=True)
class Frame:
    """One DataFrame argument: how to build valid data for it, and what its columns are."""

    build: Callable[[], pd.DataFrame]
    keys: tuple[str | tuple[str, ...], ...] = ()  #: a repeated value must raise
    ids: tuple[str, ...] = ()  #: identifiers read but not unique (e.g. customer_id in orders)
    numeric: tuple[str, ...] = ()  #: read as numbers
    money: tuple[str, ...] = ()  #: amounts the function requires to be >= 0
    amounts: tuple[str, ...] = ()  #: amounts read as plain numbers: negative values are allowed
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)  #: ratings and shares it checks
    bounded: Mapping[str, tuple[float, float]] = field(default_factory=dict)  #: ratings and shares it need not
    dates: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()  #: True/False
    labels: tuple[str, ...] = ()  #: categories
    names: tuple[str, ...] = ()  #: what messages may call the argument, besides its own name

    def key_columns(self) -> list[str]:
        return [c for k in self.keys for c in ((k,) if isinstance(k, str) else k)]

    def numbers(self) -> list[str]:
        return list(dict.fromkeys([*self.numeric, *self.money, *self.amounts, *self.ranges, *self.bounded]))

    def columns(self) -> list[str]:
        """Every column the function reads."""
        return list(dict.fromkeys([*self.key_columns(), *self.ids, *self.numbers(), *self.dates, *self.flags,
                                   *self.labels]))


def _numbers(result: Any) -> np.ndarray:
    """The numbers of a result: a DataFrame's or Series' numeric values, a float, or a fit's estimates."""
    if isinstance(result, pd.DataFrame):
        return result.select_dtypes("number").to_numpy(dtype=float).ravel()
    if isinstance(result, pd.Series):
        return pd.to_numeric(result, errors="coerce").to_numpy(dtype=float)
    if isinstance(result, (int, float, np.number)):
        return np.array([float(result)])
    params = np.asarray(getattr(result, "params"), dtype=float)
    bse = np.asarray(getattr(result, "bse", np.zeros_like(params)), dtype=float)
    return np.concatenate([params.ravel(), bse.ravel()])


def columns_of(*names: str) -> Callable[[Any], np.ndarray]:
    """A headline made of some columns (or index labels, for a Series) of the result."""
    def headline(result: Any) -> np.ndarray:
        return _numbers(result[list(names)])
    return headline


@dataclass(frozen=True)
class Entry:
    """How to call one public function with valid data, and what its DataFrame arguments hold."""

    name: str  #: "crm_course.module.function" or "crm_course.module.Class.method"
    call: Callable[..., Any]  #: call(**frames), every other argument valid
    frames: Mapping[str, Frame]
    headline: Callable[[Any], np.ndarray] = _numbers  #: numbers that must be finite in a valid result
    max_examples: int = 3  #: examples per kind of corruption (a slow function gets fewer)


# --- valid data: a small Kopilka world and what the chapters derive from it ------------------------

END = "2024-12-29"
CALIBRATION_END = "2024-06-30"


@cache
def world():
    from crm_course.world import simulate

    return simulate(n_members=800, seed=20)


def table(name: str) -> Callable[[], pd.DataFrame]:
    return lambda: world().tables[name]


@cache
def support() -> pd.DataFrame:
    from crm_course.kopilka.support import support_frame

    return support_frame(world().tables["contacts"], world().tables["agents"])


@cache
def per_agent() -> pd.DataFrame:
    from crm_course.kopilka.support import agent_summary

    return agent_summary(world().tables["contacts"], world().tables["agents"])


@cache
def campaign() -> pd.DataFrame:
    from crm_course.experiments import history_features

    return history_features(world().tables["offer_experiment"])


@cache
def campaign_profit() -> pd.DataFrame:
    c = campaign()
    return c.assign(profit=c["margin_30d"] - c["offer_cost"], target=c["prior_orders"] > 1,
                    score=c["prior_orders"].astype(float),
                    best=np.where(c["prior_orders"] > 2, "personalised", np.where(c["prior_orders"] > 0, "generic",
                                                                                  "none")))


@cache
def campaign_economics() -> pd.DataFrame:
    from crm_course.kopilka.campaign import campaign_frame

    w = world().tables
    return campaign_frame(w["offer_experiment"], w["transactions"], w["contacts"])


@cache
def summary() -> pd.DataFrame:
    from crm_course.clv import rfm_summary

    return rfm_summary(world().tables["transactions"], END)


@cache
def holdout() -> pd.DataFrame:
    from crm_course.clv import calibration_holdout

    return calibration_holdout(world().tables["transactions"], CALIBRATION_END, END)


@cache
def bgnbd():
    from crm_course.clv import BGNBDFitter

    return BGNBDFitter().fit(summary())


@cache
def bgnbd_calibration():
    from crm_course.clv import BGNBDFitter

    return BGNBDFitter().fit(holdout()[["frequency", "recency", "T"]])


@cache
def gamma_gamma():
    from crm_course.clv import GammaGammaFitter

    return GammaGammaFitter().fit(summary())


@cache
def members() -> pd.DataFrame:
    from crm_course.profitability import member_value

    w = world().tables
    return member_value(w["customers"], w["transactions"], w["contacts"])


@cache
def relationship() -> pd.DataFrame:
    from crm_course.profitability import relationship_value

    return relationship_value(world().tables["transactions"], world().tables["contacts"]).reset_index()


@cache
def rfm() -> pd.DataFrame:
    from crm_course.segmentation import rfm_scores

    return rfm_scores(world().tables["transactions"])


@cache
def spend_panel() -> pd.DataFrame:
    from crm_course.spend_models import next_period_spend

    return next_period_spend(world().tables["customers"], world().tables["transactions"])


@cache
def first_orders() -> pd.DataFrame:
    from crm_course.spend_models import first_order_data

    return first_order_data(world().tables["customers"], world().tables["transactions"], end="2024-09-30")


@cache
def durations() -> pd.DataFrame:
    """Lapse durations with each member's support experience and channel, one row per member."""
    from crm_course.survival import lapse_durations, support_experience

    w = world().tables
    lapses = lapse_durations(w["transactions"])
    support_ = support_experience(w["contacts"], w["transactions"])
    out = lapses.join(support_, how="inner").join(w["customers"].set_index("customer_id")[["channel"]])
    out["first_payout_received"] = out["first_payout_received"].astype(bool)
    return out.reset_index()


@cache
def curves() -> pd.DataFrame:
    from crm_course.survival import kaplan_meier

    return kaplan_meier(durations(), group="channel")


@cache
def contacts_dropout() -> pd.DataFrame:
    """Contacts with whether the member dropped out after each (low scores more often; not separable)."""
    c = world().tables["contacts"]
    return c.assign(dropped_out_after=(c["csat"] <= 2) ^ (c["contact_id"] % 5 == 0))


@cache
def ordered_fit():
    from crm_course.ratings import EMPOWERMENT_TERMS, csat_ordered_logit

    return csat_ordered_logit(support(), EMPOWERMENT_TERMS)


@cache
def order_model():
    from crm_course.multilevel import order_value_model

    return order_value_model(world().tables["transactions"])


@cache
def lorenz_points() -> pd.DataFrame:
    from crm_course.concentration import lorenz_curve

    return lorenz_curve(members())


@cache
def whale_points() -> pd.DataFrame:
    from crm_course.concentration import whale_curve

    return whale_curve(members())


@cache
def two_periods() -> pd.DataFrame:
    """Each member's spend before and after the middle order date: a calibration and a holdout period."""
    orders = world().tables["transactions"]
    later = orders["order_date"] >= orders["order_date"].median()
    spend = orders.assign(period=np.where(later, "holdout", "calibration")).pivot_table(
        index="customer_id", columns="period", values="order_value", aggfunc="sum", fill_value=0.0)
    return spend.reindex(world().tables["customers"]["customer_id"], fill_value=0.0).reset_index()


@cache
def segment_spread() -> pd.DataFrame:
    from crm_course.segmentation import spread_by_segment

    return spread_by_segment(rfm(), "segment", "monetary")


@cache
def rfm_profile() -> pd.DataFrame:
    from crm_course.segmentation import segment_profile

    return segment_profile(rfm(), share_of=["monetary"])


@cache
def shrunk_members() -> pd.DataFrame:
    from crm_course.multilevel import shrunken_means

    return shrunken_means(order_model())


@cache
def uplift_model():
    from crm_course.uplift import fit_uplift_model

    return fit_uplift_model(campaign())


@cache
def uplift_prediction() -> pd.DataFrame:
    return uplift_model().predict(campaign())


@cache
def direct_uplift_model():
    from crm_course.uplift_learners import fit_transformed_outcome

    return fit_transformed_outcome(campaign(), ["log_orders", "log_spend", "no_history", "log_recency", "tenure_years"])


@cache
def npv_draws() -> pd.DataFrame:
    from crm_course.finance import npv_monte_carlo

    inputs = {"members": 10_000.0, "margin_per_member": (300.0, 20.0), "retention": (0.6, 0.05),
              "campaigns_per_year": 4.0, "targeted_share": 0.3, "campaign_lift": (5.0, 2.0),
              "contacted_share": 0.3, "engagement_gain": 1.0, "csat_per_engagement": (0.3, 0.1),
              "log_hr_per_csat": (-0.3, 0.1)}
    costs = {"process_upfront": 300_000.0, "process_annual": 60_000.0, "people_annual": 100_000.0}
    return npv_monte_carlo(inputs, costs, n_draws=500, rng=np.random.default_rng(1))


@cache
def unit_effect_table() -> pd.DataFrame:
    from crm_course.effect_heterogeneity import unit_effects

    return unit_effects(world().tables["merchant_panel"], moderator="customer_heterogeneity")


@cache
def qini_table() -> pd.DataFrame:
    from crm_course.uplift_metrics import qini_band

    return qini_band(campaign_profit(), "score", rng=1, n_boot=20, shares=[0, 0.25, 0.5, 0.75, 1])


def drawn(draw: Callable[..., Any]) -> Callable[..., pd.Series]:
    """A plotting function called on an Axes of its own (Agg backend): the result is the numbers it drew.

    The y values of every line and the height of every bar are the headline (so a NaN drawn silently fails);
    the figure is closed whatever happens, so that hundreds of calls leak no figures.
    """
    def call(**frames: pd.DataFrame) -> pd.Series:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots()
        try:
            draw(ax=ax, **frames)
            ys = [np.asarray(line.get_ydata(), dtype=float).ravel() for line in ax.lines]
            ys += [np.array([patch.get_height()], dtype=float) for patch in ax.patches]
            return pd.Series(np.concatenate(ys) if ys else np.array([], dtype=float))
        finally:
            plt.close(fig)
    return call


# --- the columns of Kopilka's tables, by role ---------------------------------------------------------

ORDERS = dict(keys=("order_id",), ids=("customer_id",), dates=("order_date",),
              money=("order_value", "commission", "cashback"))
CONTACTS = dict(keys=("contact_id",), ids=("customer_id",), dates=("contact_date",), ranges={"csat": CSAT})
EXPERIMENT = dict(keys=("customer_id",), labels=("arm",), names=("data",))
# The panel's outcome and the models' CSAT are outcomes of any kind to the methods: out-of-range values are
# generated (bounded) but need not be refused.
PANEL = dict(keys=(("merchant_id", "year"),), numeric=("crm_adoption_year",), bounded={"repeat_rate": SHARE})
SUPPORT = dict(keys=("contact_id",), ids=("agent_id",), bounded={"csat": CSAT},
               numeric=("engagement_c", "not_paid_out", "first_contact_resolution", "empowered", "fit"))


def _f(build: Callable[[], pd.DataFrame], base: Mapping[str, Any] | None = None, **roles: Any) -> Frame:
    """A Frame from a table's role map, with roles added or replaced."""
    merged = dict(base or {})
    for role, value in roles.items():
        if role in merged and isinstance(value, tuple) and role not in {"names"}:
            merged[role] = tuple(dict.fromkeys([*merged[role], *value]))
        elif role in merged and isinstance(value, dict):
            merged[role] = {**merged[role], **value}
        else:
            merged[role] = value
    return Frame(build, **merged)


def _passes(_: None) -> pd.Series:
    """A check that returned (rather than raised) passed."""
    return pd.Series([1.0])


def _entries() -> list[Entry]:
    from crm_course import (concentration, effect_heterogeneity, experiments, finance, mediation, multilevel,
                            profitability, ratings, regression, retention, segmentation, spend_models, survival,
                            uplift, uplift_learners, uplift_metrics)
    from crm_course import panel as panel_methods
    from crm_course import clv, data, event_study, validation
    from crm_course.kopilka import board, campaign as kcampaign, support as ksupport, truth
    from crm_course import campaign_economics as campaign_economics_methods
    from crm_course.clv import comparison as clv_comparison, plots as clv_plots

    orders = _f(table("transactions"), ORDERS)
    orders_dates = _f(table("transactions"), keys=("order_id",), ids=("customer_id",), dates=("order_date",))
    orders_value = _f(table("transactions"), keys=("order_id",), ids=("customer_id",), dates=("order_date",),
                      money=("order_value",))
    experiment = _f(table("offer_experiment"), EXPERIMENT, flags=("converted",),
                    amounts=("revenue_30d", "margin_30d"))
    features = ("log_orders", "log_spend", "no_history", "log_recency", "tenure_years")
    uplift_frame = _f(campaign, EXPERIMENT, flags=("converted",), numeric=features)
    panel_frame = _f(table("merchant_panel"), PANEL)
    contacts = Frame(table("contacts"), keys=("contact_id",), ids=("agent_id",), ranges={"csat": CSAT},
                     flags=("payout_received", "first_contact_resolution"))
    agents = _f(table("agents"), keys=("agent_id",), ids=("agent_id",), numeric=("engagement",),
                flags=("empowered", "interested_in_autonomy", "able", "respected"))
    rfm_frame = Frame(summary, numeric=("frequency", "recency", "T"), names=("summary",))
    holdout_frame = Frame(holdout, numeric=("frequency", "recency", "T", "frequency_holdout", "duration_holdout"),
                          names=("data",))
    qini_frame = _f(campaign_profit, labels=("arm",), flags=("converted",), numeric=("score",), names=("data",))

    return [
        # concentration: one row per member
        Entry("crm_course.concentration.distribution_summary",
              lambda df: concentration.distribution_summary(df, ["revenue", "profit"]),
              {"df": _f(members, keys=("customer_id",), amounts=("revenue",), numeric=("profit",))},
              headline=columns_of("members", "share_zero", "mean", "median", "p90", "p99", "max")),
        Entry("crm_course.concentration.pareto_table", lambda df: concentration.pareto_table(df),
              {"df": _f(members, keys=("customer_id",), amounts=("revenue",), numeric=("profit",))},
              headline=columns_of("revenue_share", "profit_share")),
        Entry("crm_course.concentration.lorenz_curve", lambda df: concentration.lorenz_curve(df),
              {"df": Frame(members, keys=("customer_id",), money=("revenue",))}),
        Entry("crm_course.concentration.gini", lambda df: concentration.gini(df),
              {"df": Frame(members, keys=("customer_id",), money=("revenue",))}),
        Entry("crm_course.concentration.whale_curve", lambda df: concentration.whale_curve(df),
              {"df": Frame(members, keys=("customer_id",), numeric=("profit",))}),
        Entry("crm_course.concentration.holdout_pareto",
              lambda df: concentration.holdout_pareto(df, "calibration", "holdout"),
              {"df": Frame(two_periods, keys=("customer_id",), amounts=("calibration", "holdout"))}),
        Entry("crm_course.concentration.plot_lorenz",
              drawn(lambda ax, lorenz: concentration.plot_lorenz(lorenz, ax=ax)),
              {"lorenz": Frame(lorenz_points, ranges={"member_share": SHARE, "value_share": SHARE})}),
        Entry("crm_course.concentration.plot_whale_curve",
              drawn(lambda ax, whale: concentration.plot_whale_curve(whale, ax=ax)),
              {"whale": Frame(whale_points, ranges={"member_share": SHARE}, amounts=("profit_share",))}),
        # profitability
        Entry("crm_course.profitability.member_value",
              lambda customers, transactions, contacts: profitability.member_value(customers, transactions, contacts),
              {"customers": Frame(table("customers"), keys=("customer_id",), ids=("customer_id",)),
               "transactions": Frame(table("transactions"), keys=("order_id",), ids=("customer_id",),
                                     money=("order_value", "commission", "cashback")),
               "contacts": Frame(table("contacts"), keys=("contact_id",), ids=("customer_id",))}),
        Entry("crm_course.profitability.value_per_order",
              lambda df: profitability.value_per_order(df, 0.05),
              {"df": _f(table("offer_experiment"), keys=("customer_id",), money=("prior_spend",),
                        numeric=("prior_orders",), names=("data",))}),
        Entry("crm_course.profitability.relationship_value",
              lambda transactions, contacts: profitability.relationship_value(transactions, contacts),
              {"transactions": orders, "contacts": _f(table("contacts"), keys=("contact_id",), ids=("customer_id",),
                                                      dates=("contact_date",))},
              headline=columns_of("orders", "spend", "margin", "net_margin")),
        Entry("crm_course.profitability.switching_share",
              lambda values: profitability.switching_share(values, extra_rate=[0.01, 0.03], switching_cost=500.0),
              {"values": Frame(relationship, keys=("customer_id",), money=("spend",), numeric=("net_margin",))},
              headline=columns_of("share_switching", "margin_at_risk")),
        # segmentation
        Entry("crm_course.segmentation.rfm_scores", lambda transactions: segmentation.rfm_scores(transactions),
              {"transactions": orders_value}),
        Entry("crm_course.segmentation.segment_profile", lambda df: segmentation.segment_profile(df),
              {"df": Frame(rfm, keys=("customer_id",), labels=("segment",),
                           numeric=("recency_days", "frequency"), amounts=("monetary",))}),
        Entry("crm_course.segmentation.cluster_members",
              lambda df: segmentation.cluster_members(df, ["recency_days", "frequency", "monetary"], k=3, n_init=2),
              {"df": Frame(rfm, keys=("customer_id",), numeric=("recency_days", "frequency", "monetary"))},
              headline=columns_of("cluster")),
        Entry("crm_course.segmentation.spread_by_segment",
              lambda df: segmentation.spread_by_segment(df, "segment", "monetary"),
              {"df": Frame(rfm, labels=("segment",), amounts=("monetary",))}),
        Entry("crm_course.segmentation.plot_spread",
              drawn(lambda ax, spread: segmentation.plot_spread(spread, ax=ax)),
              {"spread": Frame(segment_spread, numeric=("p10", "p50", "p90"))}),
        Entry("crm_course.segmentation.plot_segment_shares",
              drawn(lambda ax, profile: segmentation.plot_segment_shares(profile, ["member_share", "share_of_monetary"],
                                                                         labels=["members", "revenue"], ax=ax)),
              {"profile": Frame(rfm_profile, bounded={"member_share": SHARE}, amounts=("share_of_monetary",))}),
        # spend models
        Entry("crm_course.spend_models.next_period_spend",
              lambda customers, transactions: spend_models.next_period_spend(customers, transactions),
              {"customers": Frame(table("customers"), keys=("customer_id",), ids=("customer_id",),
                                  dates=("signup_date",),
                                  labels=("channel", "age_band", "region", "device")),
               "transactions": orders_value},
              headline=columns_of("past_orders", "past_spend", "next_spend")),
        Entry("crm_course.spend_models.spend_regression",
              lambda df: spend_models.spend_regression(df, behaviour=spend_models.BEHAVIOUR),
              {"df": Frame(spend_panel, keys=("customer_id",), labels=("channel", "age_band", "region", "device"),
                           numeric=("past_orders", "weeks_since_last_order", "tenure_weeks"),
                           amounts=("past_spend", "next_spend"))}),
        Entry("crm_course.spend_models.compare_spend_models",
              lambda df: spend_models.compare_spend_models(df, folds=3),
              {"df": Frame(spend_panel, keys=("customer_id",), labels=("channel", "age_band", "region", "device"),
                           numeric=("past_orders", "weeks_since_last_order", "tenure_weeks"),
                           amounts=("past_spend", "next_spend"))}),
        Entry("crm_course.spend_models.first_order_data",
              lambda customers, transactions: spend_models.first_order_data(customers, transactions,
                                                                            end="2024-09-30"),
              {"customers": Frame(table("customers"), keys=("customer_id",), ids=("customer_id",),
                                  dates=("signup_date",),
                                  labels=("channel", "age_band")),
               "transactions": orders_dates},
              headline=columns_of("days_observed")),
        Entry("crm_course.spend_models.first_order_model",
              lambda df: spend_models.first_order_model(df, ["channel"]),
              {"df": Frame(first_orders, keys=("customer_id",), labels=("channel",),
                           numeric=("days_observed",))}),
        # experiments and uplift
        Entry("crm_course.experiments.history_features", lambda df: experiments.history_features(df),
              {"df": _f(table("offer_experiment"), numeric=("prior_orders", "tenure_weeks"),
                        money=("prior_spend",), names=("data",))},
              headline=columns_of(*features[:2], "no_history", "tenure_years")),
        Entry("crm_course.experiments.balance_table",
              lambda df: experiments.balance_table(df, ["prior_orders", "prior_spend", "tenure_weeks"]),
              {"df": _f(table("offer_experiment"), EXPERIMENT, numeric=("prior_orders", "tenure_weeks"),
                        amounts=("prior_spend",))},
              headline=columns_of("none", "generic", "personalised")),
        Entry("crm_course.experiments.balance_test", lambda df: experiments.balance_test(df),
              {"df": _f(campaign, EXPERIMENT, numeric=features)}, max_examples=2),
        Entry("crm_course.campaign_economics.events_in_window",
              lambda units, events: campaign_economics_methods.events_in_window(units, events),
              {"units": Frame(table("offer_experiment"), keys=("customer_id",), ids=("customer_id",),
                              dates=("campaign_date",)),
               "events": Frame(table("contacts"), ids=("customer_id",), dates=("contact_date",))},
              headline=lambda s: s.to_numpy(dtype=float)),
        Entry("crm_course.campaign_economics.net_lift",
              lambda df: campaign_economics_methods.net_lift(df, contact_cost=[75.0, 180.0],
                                                             subgroup="active_before"),
              {"df": _f(campaign_economics, EXPERIMENT, amounts=("margin_30d",),
                        money=("offer_cost", "contacts_30d"), flags=("active_before",))},
              headline=columns_of("n", "gross_lift", "net_lift")),
        Entry("crm_course.kopilka.campaign.campaign_frame",
              lambda campaign, transactions, contacts: kcampaign.campaign_frame(campaign, transactions, contacts),
              {"campaign": _f(table("offer_experiment"), EXPERIMENT, dates=("campaign_date",), labels=("arm",),
                              amounts=("margin_30d",), numeric=("offer_cost",), names=("campaign",)),
               "transactions": orders_dates, "contacts": Frame(table("contacts"), keys=("contact_id",), ids=("customer_id",),
                                                              dates=("contact_date",), names=("events",))},
              headline=columns_of("contacts_30d", "send_cost", "profit")),
        Entry("crm_course.kopilka.campaign.campaign_net_lift",
              lambda campaign, transactions, contacts: kcampaign.campaign_net_lift(
                  campaign, transactions, contacts, plan="B", contact_cost=180.0, active_only=True),
              {"campaign": _f(table("offer_experiment"), EXPERIMENT, dates=("campaign_date",),
                              amounts=("margin_30d",), money=("offer_cost",), names=("campaign", "data")),
               "transactions": orders_dates, "contacts": Frame(table("contacts"), keys=("contact_id",), ids=("customer_id",),
                                                              dates=("contact_date",), names=("events",))},
              headline=lambda s: pd.to_numeric(s[["n", "gross_lift", "net_lift"]]).to_numpy(dtype=float),
              max_examples=2),
        Entry("crm_course.experiments.arm_summary",
              lambda df: experiments.arm_summary(df),
              {"df": experiment}, headline=columns_of("n", "mean", "se")),
        Entry("crm_course.experiments.fit_lift_model",
              lambda df: experiments.fit_lift_model(df, moderator="prior_orders"),
              {"df": _f(table("offer_experiment"), EXPERIMENT, flags=("converted",), numeric=("prior_orders",))}),
        Entry("crm_course.uplift.split_sample", lambda df: pd.concat(uplift.split_sample(df)),
              {"df": _f(table("offer_experiment"), EXPERIMENT)}, headline=columns_of("prior_orders")),
        Entry("crm_course.uplift.persuadable_share", lambda df: uplift.persuadable_share(df),
              {"df": _f(table("offer_experiment"), EXPERIMENT, flags=("converted",))},
              headline=columns_of("share", "se")),
        Entry("crm_course.uplift.fit_uplift_model", lambda train: uplift.fit_uplift_model(train).results["treated"],
              {"train": _f(campaign, EXPERIMENT, flags=("converted",), numeric=features, names=("train",))}),
        Entry("crm_course.uplift.UpliftModel.predict", lambda df: uplift_model().predict(df),
              {"df": Frame(campaign, numeric=features, names=("data",))}),
        Entry("crm_course.uplift.cross_fit_uplift", lambda df: uplift.cross_fit_uplift(df),
              {"df": uplift_frame}, headline=columns_of("treated", "control", "uplift"), max_examples=2),
        Entry("crm_course.uplift.expected_incremental_profit",
              lambda prediction: uplift.expected_incremental_profit(prediction, 60.0, cost_per_offer=3.0),
              {"prediction": Frame(uplift_prediction, bounded={"treated": SHARE}, numeric=("uplift",))}),
        Entry("crm_course.uplift.targeting_value", lambda df: uplift.targeting_value(df, "target"),
              {"df": _f(campaign_profit, EXPERIMENT, numeric=("profit",), flags=("target",))},
              headline=columns_of("share_targeted", "value_per_customer", "se")),
        Entry("crm_course.uplift.uplift_curve",
              lambda df: uplift.uplift_curve(df, "score", shares=[0, 0.5, 1]),
              {"df": _f(campaign_profit, EXPERIMENT, numeric=("profit", "score"))},
              headline=columns_of("value_per_customer", "se", "random")),
        # uplift models of the effect itself (transformed outcome, X-learner) and multi-action policies
        Entry("crm_course.uplift_learners.transformed_outcome",
              lambda df: uplift_learners.transformed_outcome(df).dropna(),
              {"df": _f(table("offer_experiment"), EXPERIMENT, flags=("converted",))}),
        Entry("crm_course.uplift_learners.fit_transformed_outcome",
              lambda train: uplift_learners.fit_transformed_outcome(train, features).results["uplift"],
              {"train": _f(campaign, EXPERIMENT, flags=("converted",), numeric=features, names=("train",))}),
        Entry("crm_course.uplift_learners.fit_x_learner",
              lambda train: uplift_learners.fit_x_learner(train, features).results["effect_treated"],
              {"train": _f(campaign, EXPERIMENT, flags=("converted",), numeric=features, names=("train",))}),
        Entry("crm_course.uplift_learners.cross_fit_learner",
              lambda df: uplift_learners.cross_fit_learner(df, features),
              {"df": uplift_frame}, headline=columns_of("uplift"), max_examples=2),
        Entry("crm_course.uplift_learners.DirectUpliftModel.predict", lambda df: direct_uplift_model().predict(df),
              {"df": Frame(campaign, numeric=features, names=("data",))}),
        Entry("crm_course.uplift_learners.DirectUpliftModel.average_effect",
              lambda df: direct_uplift_model().average_effect(df),
              {"df": Frame(campaign, numeric=features, names=("data",))}),
        Entry("crm_course.uplift_learners.policy_value", lambda df: uplift_learners.policy_value(df, "best"),
              {"df": _f(campaign_profit, EXPERIMENT, numeric=("profit",), labels=("best",))},
              headline=columns_of("value_per_customer", "se")),
        # panel and event study: one row per merchant and year
        Entry("crm_course.panel.compare_adopters", lambda panel: panel_methods.compare_adopters(panel),
              {"panel": _f(table("merchant_panel"), PANEL, numeric=("customer_heterogeneity", "employees"))},
              headline=columns_of("adopters", "never adopted")),
        Entry("crm_course.panel.naive_regression", lambda panel: panel_methods.naive_regression(panel),
              {"panel": panel_frame}),
        Entry("crm_course.panel.twfe_regression",
              lambda panel: panel_methods.twfe_regression(panel, moderator="customer_heterogeneity"),
              {"panel": _f(table("merchant_panel"), PANEL, numeric=("customer_heterogeneity",))}),
        Entry("crm_course.event_study.event_study",
              lambda panel: event_study.event_study(panel, n_boot=99).estimates[["estimate"]],
              {"panel": panel_frame}, max_examples=2),
        Entry("crm_course.kopilka.truth.planted_att", lambda panel: truth.planted_att(panel),
              {"panel": _f(table("merchant_panel"), PANEL, numeric=("customer_heterogeneity",))}),
        # support, ratings, regression, multilevel, mediation
        Entry("crm_course.kopilka.support.support_frame",
              lambda contacts, agents: ksupport.support_frame(contacts, agents),
              {"contacts": contacts, "agents": agents},
              headline=columns_of("csat", "engagement_c", "fit")),
        Entry("crm_course.kopilka.support.agent_summary",
              lambda contacts, agents: ksupport.agent_summary(contacts, agents),
              {"contacts": contacts, "agents": agents}, headline=columns_of("n_contacts", "mean_csat")),
        Entry("crm_course.kopilka.support.pilot_replications",
              lambda contacts: ksupport.pilot_replications(contacts, n_worlds=1, n_agents=20),
              {"contacts": Frame(table("contacts"), flags=("payout_received",),
                                 labels=("reason",))}, max_examples=2),
        Entry("crm_course.kopilka.support.planted_mediation",
              lambda contacts, agents, agent_truth: ksupport.planted_mediation(contacts, agents, agent_truth),
              {"contacts": Frame(table("contacts"), ids=("agent_id",), flags=("payout_received",), labels=("reason",)),
               "agents": Frame(table("agents"), keys=("agent_id",), numeric=("engagement",), flags=("empowered",)),
               "agent_truth": Frame(lambda: world().truth["agents"], keys=("agent_id",), numeric=("random_effect",),
                                    flags=("fit",))}),
        Entry("crm_course.regression.engagement_drivers", lambda agents: regression.engagement_drivers(agents),
              {"agents": Frame(table("agents"), keys=("agent_id",), numeric=("engagement", "training_hours"),
                               flags=("paid_on_time", "shared_desk", "empowered"))}),
        Entry("crm_course.regression.key_account_growth",
              lambda key_accounts: regression.key_account_growth(key_accounts),
              {"key_accounts": Frame(table("key_accounts"), keys=(("kam_id", "merchant_id"),), ids=("kam_id",),
                                     numeric=("relationship_quality", "meetings_per_year", "merchant_growth"))}),
        Entry("crm_course.ratings.csat_ols", lambda data: ratings.csat_ols(data),
              {"data": _f(support, SUPPORT)}),
        Entry("crm_course.ratings.csat_ordered_logit",
              lambda data: ratings.csat_ordered_logit(data, "first_contact_resolution + engagement_c"),
              {"data": _f(support, keys=("contact_id",), ids=("agent_id",), bounded={"csat": CSAT},
                          numeric=("first_contact_resolution", "engagement_c"))}, max_examples=2),
        Entry("crm_course.ratings.counterfactual_csat",
              lambda data: ratings.counterfactual_csat(ordered_fit(), data, {"as is": {}, "all empowered":
                                                                             {"empowered": 1}}, n_draws=50),
              {"data": _f(support, keys=("contact_id",), numeric=("empowered", "fit", "not_paid_out",
                                                                  "paid_on_time", "shared_desk",
                                                                  "training_hours"))},
              headline=columns_of("mean_csat", "share_dissatisfied")),
        Entry("crm_course.ratings.empowerment_policies",
              lambda data: ratings.empowerment_policies(ordered_fit(), data, n_draws=50),
              {"data": _f(support, keys=("contact_id",), flags=("empowered", "fit"),
                          numeric=("not_paid_out", "paid_on_time", "shared_desk", "training_hours"))},
              headline=columns_of("mean_csat", "share_dissatisfied")),
        Entry("crm_course.multilevel.csat_mixed",
              lambda data: multilevel.csat_mixed(data, "first_contact_resolution + engagement_c"),
              {"data": _f(support, keys=("contact_id",), ids=("agent_id",), bounded={"csat": CSAT},
                          numeric=("first_contact_resolution", "engagement_c"))}, max_examples=2),
        Entry("crm_course.multilevel.order_value_model",
              lambda transactions: multilevel.order_value_model(transactions),
              {"transactions": _f(table("transactions"), keys=("order_id",), ids=("customer_id",),
                                  money=("order_value",))}, max_examples=2),
        Entry("crm_course.multilevel.plot_shrinkage",
              drawn(lambda ax, shrunk: multilevel.plot_shrinkage(shrunk, ax=ax, many=3)),
              {"shrunk": Frame(shrunk_members, money=("own_typical_value", "shrunken_typical_value"),
                               numeric=("orders",))}),
        Entry("crm_course.multilevel.shrunken_means",
              lambda transactions: multilevel.shrunken_means(order_model(), transactions),
              {"transactions": _f(table("transactions"), keys=("order_id",), ids=("customer_id",),
                                  money=("order_value",))},
              headline=columns_of("orders", "shrunken_mean")),
        Entry("crm_course.mediation.mediation_effects",
              lambda data: mediation.mediation_effects(data, n_boot=50),
              {"data": Frame(per_agent, keys=("agent_id",), flags=("empowered",),
                             numeric=("engagement",), bounded={"mean_csat": CSAT})},
              headline=columns_of("estimate")),
        # survival and retention
        Entry("crm_course.survival.lapse_durations", lambda transactions: survival.lapse_durations(transactions),
              {"transactions": orders_dates}, headline=columns_of("duration")),
        Entry("crm_course.survival.support_experience",
              lambda contacts, transactions: survival.support_experience(contacts, transactions),
              {"contacts": _f(table("contacts"), CONTACTS, flags=("payout_received", "first_contact_resolution"),
                              labels=("reason",)),
               "transactions": orders_dates},
              headline=columns_of("contacts", "mean_csat", "orders_before")),
        Entry("crm_course.survival.kaplan_meier",
              lambda data: survival.kaplan_meier(data, group="channel"),
              {"data": Frame(durations, keys=("customer_id",), numeric=("duration",), flags=("lapsed",),
                             labels=("channel",))},
              headline=columns_of("time", "survival")),
        Entry("crm_course.survival.survival_at", lambda curves_: survival.survival_at(curves_, [4.0, 26.0]),
              {"curves_": Frame(curves, labels=("group",), numeric=("time", "std_error"),
                                ranges={"survival": SHARE, "lower_95": SHARE, "upper_95": SHARE},
                                names=("curves",))},
              headline=columns_of("survival")),
        Entry("crm_course.survival.logrank_test",
              lambda data: survival.logrank_test(data, group="channel"),
              {"data": Frame(durations, keys=("customer_id",), numeric=("duration",), flags=("lapsed",),
                             labels=("channel",))}),
        Entry("crm_course.survival.cox_model",
              lambda data: survival.cox_model(data, "first_csat + first_payout_received + np.log1p(orders_before)"
                                                    " + C(channel)"),
              {"data": Frame(durations, keys=("customer_id",), numeric=("duration", "orders_before"),
                             bounded={"first_csat": CSAT}, flags=("lapsed", "first_payout_received"),
                             labels=("channel",))}),
        Entry("crm_course.survival.contact_dropout_logit",
              lambda contacts: survival.contact_dropout_logit(contacts),
              {"contacts": Frame(contacts_dropout, keys=("contact_id",), ranges={"csat": CSAT},
                                 flags=("dropped_out_after",))}),
        Entry("crm_course.retention.cohort_retention", lambda transactions: retention.cohort_retention(transactions),
              {"transactions": orders_dates}, headline=columns_of("members", "active", "retention")),
        Entry("crm_course.retention.retention_rate",
              lambda transactions: retention.retention_rate(transactions, base=("2023-01-01", "2023-12-31"),
                                                            following=("2024-01-01", "2024-12-29")),
              {"transactions": orders_dates}),
        # customer-base models
        Entry("crm_course.clv.summary.rfm_summary", lambda transactions: clv.rfm_summary(transactions, END),
              {"transactions": orders_value}),
        Entry("crm_course.clv.summary.calibration_holdout",
              lambda transactions: clv.calibration_holdout(transactions, CALIBRATION_END, END),
              {"transactions": orders_value}),
        Entry("crm_course.clv.bgnbd.BGNBDFitter.fit", lambda summary_: clv.BGNBDFitter().fit(summary_).summary,
              {"summary_": Frame(summary, numeric=("frequency", "recency", "T"), names=("summary",))},
              headline=columns_of("estimate", "std_error")),
        Entry("crm_course.clv.bgnbd.BGNBDFitter.predict", lambda summary_: bgnbd().predict(10.0, summary_),
              {"summary_": Frame(summary, numeric=("frequency", "recency", "T"), names=("summary",))}),
        Entry("crm_course.clv.gamma_gamma.GammaGammaFitter.fit",
              lambda summary_: clv.GammaGammaFitter().fit(summary_).summary,
              {"summary_": Frame(summary, numeric=("frequency",), money=("monetary_value",), names=("summary",))},
              headline=columns_of("estimate", "std_error")),
        Entry("crm_course.clv.value.customer_lifetime_value",
              lambda summary_: clv.customer_lifetime_value(bgnbd(), gamma_gamma(), summary_, margin=0.1,
                                                           time_unit="W", period="M", horizon=12,
                                                           discount_rate=clv.periodic_rate(0.15, "Y", "M")),
              {"summary_": Frame(summary, numeric=("frequency", "recency", "T"), money=("monetary_value",),
                                 names=("summary",))}),
        Entry("crm_course.clv.evaluation.holdout_validation",
              lambda data_: clv.holdout_validation(bgnbd_calibration(), data_),
              {"data_": Frame(holdout, numeric=("frequency", "recency", "T", "frequency_holdout",
                                                "duration_holdout"), names=("data",))}),
        Entry("crm_course.clv.evaluation.repeat_purchase_tracking",
              lambda transactions: clv.repeat_purchase_tracking(bgnbd_calibration(), transactions, CALIBRATION_END,
                                                                END),
              {"transactions": orders_dates}, headline=columns_of("actual", "predicted")),
        Entry("crm_course.clv.comparison.frequency_histogram",
              lambda summary_: clv_comparison.frequency_histogram(bgnbd(), summary_),
              {"summary_": rfm_frame}, headline=columns_of("actual", "expected", "chi_square")),
        Entry("crm_course.clv.comparison.holdout_errors",
              lambda data_: clv_comparison.holdout_errors({"BG/NBD": bgnbd_calibration()}, data_),
              {"data_": holdout_frame}),
        Entry("crm_course.clv.plots.plot_period_transactions",
              drawn(lambda ax, summary_: clv_plots.plot_period_transactions(bgnbd(), summary_, ax=ax)),
              {"summary_": rfm_frame}),
        Entry("crm_course.clv.plots.plot_calibration_vs_holdout",
              drawn(lambda ax, data_: clv_plots.plot_calibration_vs_holdout(bgnbd_calibration(), data_, ax=ax)),
              {"data_": holdout_frame}),
        Entry("crm_course.clv.plots.plot_tracking",
              drawn(lambda ax, transactions: clv_plots.plot_tracking(bgnbd_calibration(), transactions,
                                                                     CALIBRATION_END, END, ax=ax)),
              {"transactions": orders_dates}),
        # effect heterogeneity: unit effects from the panel, and their spread
        Entry("crm_course.effect_heterogeneity.unit_effects",
              lambda panel: effect_heterogeneity.unit_effects(panel, moderator="customer_heterogeneity"),
              {"panel": _f(table("merchant_panel"), PANEL, numeric=("customer_heterogeneity",))},
              headline=columns_of("effect", "std_error", "customer_heterogeneity")),
        Entry("crm_course.effect_heterogeneity.effect_spread",
              lambda effects: effect_heterogeneity.effect_spread(effects, moderator="customer_heterogeneity",
                                                                 center=0.5).predict([0.2, 0.5, 0.8]),
              {"effects": Frame(unit_effect_table, numeric=("effect", "std_error", "customer_heterogeneity"))}),
        Entry("crm_course.mediation.mediation_sensitivity",
              lambda data: mediation.mediation_sensitivity(data, rho=[-0.5, 0.0, 0.5]),
              {"data": Frame(per_agent, flags=("empowered",), numeric=("engagement",),
                             bounded={"mean_csat": CSAT})},
              headline=lambda result: np.append(_numbers(result[["rho", "acme"]]), result.attrs["rho_at_zero"])),
        # uplift metrics: rankings scored on the experiment
        Entry("crm_course.uplift_metrics.qini_curve", lambda data: uplift_metrics.qini_curve(data, "score"),
              {"data": qini_frame}),
        Entry("crm_course.uplift_metrics.qini_coefficient",
              lambda data: uplift_metrics.qini_coefficient(data, "score", n_boot=20, rng=1),
              {"data": qini_frame}),
        Entry("crm_course.uplift_metrics.auuc", lambda data: uplift_metrics.auuc(data, "score", n_boot=20, rng=1),
              {"data": qini_frame}),
        Entry("crm_course.uplift_metrics.qini_band",
              lambda data: uplift_metrics.qini_band(data, "score", rng=1, n_boot=20, shares=[0, 0.5, 1]),
              {"data": qini_frame}),
        Entry("crm_course.uplift_metrics.plot_qini",
              drawn(lambda ax, curves: uplift_metrics.plot_qini(curves, ax=ax)),
              {"curves": Frame(qini_table, numeric=("share_targeted", "qini", "random"))}),
        # finance
        Entry("crm_course.finance.npv_summary", lambda draws: finance.npv_summary(draws),
              {"draws": Frame(npv_draws, numeric=("npv", "roi"))}),
        # the input checks themselves: a valid frame passes (the result is 1), a bad one names the column
        Entry("crm_course.validation.check_range",
              lambda data: _passes(validation.check_range(data, "csat", low=1, high=5)),
              {"data": Frame(table("contacts"), ranges={"csat": CSAT})}),
        Entry("crm_course.validation.check_unique",
              lambda data: _passes(validation.check_unique(data, ("kam_id", "merchant_id"))),
              {"data": Frame(table("key_accounts"), keys=(("kam_id", "merchant_id"),))}),
        Entry("crm_course.validation.check_categories",
              lambda data: _passes(validation.check_categories(data, "arm", ["none", "generic", "personalised"])),
              {"data": Frame(table("offer_experiment"), labels=("arm",))}),
        Entry("crm_course.validation.check_predictor",
              lambda data: _passes(validation.check_predictor(data, "engagement")),
              {"data": Frame(table("agents"), numeric=("engagement",))}),
        # Kopilka: the loader's key check and the board case
        Entry("crm_course.data.foreign_key_problems",
              lambda transactions, customers: pd.Series([len(data.foreign_key_problems(
                  {**world().tables, "transactions": transactions, "customers": customers}))]),
              {"transactions": Frame(table("transactions"), ids=("customer_id", "merchant_id")),
               "customers": Frame(table("customers"), ids=("customer_id",))}),
        Entry("crm_course.kopilka.staff_policies.staff_changes",
              lambda rows: pd.Series({k: sum(v.values()) for k, v in board.staff_changes(rows).items()}),
              {"rows": Frame(table("agents"), flags=("paid_on_time", "shared_desk", "interested_in_autonomy",
                                                     "able", "respected"))}),
        Entry("crm_course.kopilka.board.board_case",
              lambda **tables: board.board_case(tables, rng=1).figures.drop(
                  ["break_even_members", "break_even_profit_per_offer"]),
              {"customers": Frame(table("customers"), keys=("customer_id",), ids=("customer_id",), labels=("channel",),
                                  names=("tables['customers']",)),
               "transactions": _f(table("transactions"), ORDERS, names=("tables['transactions']",)),
               "merchant_panel": _f(table("merchant_panel"), PANEL, numeric=("customer_heterogeneity",),
                                    names=("tables['merchant_panel']",)),
               "offer_experiment": _f(table("offer_experiment"), EXPERIMENT, flags=("converted",),
                                      dates=("campaign_date",), money=("offer_cost",),
                                      names=("tables['offer_experiment']",)),
               "agents": Frame(table("agents"), keys=("agent_id",), ids=("agent_id",), numeric=("engagement",),
                               names=("tables['agents']",)),
               "contacts": _f(table("contacts"), CONTACTS, ids=("agent_id",), names=("tables['contacts']",))},
              max_examples=1),
    ]


@cache
def registry() -> dict[str, Entry]:
    """Every entry, by the qualified name of its function."""
    entries = _entries()
    names = [e.name for e in entries]
    assert len(names) == len(set(names)), "an entry is listed twice"
    return {e.name: e for e in entries}
