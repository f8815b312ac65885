"""Self-checks of chapter 3, mass personalisation: the randomised offer campaign.

The expected answers are computed from the active world's
``offer_experiment`` table the first time a student checks an answer, so they follow the data if
the data are regenerated. They are computed with plain pandas rather than
with :mod:`crm_course.experiments` and :mod:`crm_course.uplift`, so that the chapter's helpers and
these answers check each other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_kit.exercises import Exercise, Mistake

#: What sending one offer costs in each arm, before any bonus (RUB); see CampaignParams.
_SEND_COST = {"none": 0.0, "generic": 1.0, "personalised": 3.0}


def _campaign():
    # Imported here so that importing this module never touches the data.
    from crm_course.data import load

    return load("offer_experiment")


def _rates(frame):
    return frame.groupby(frame["arm"].astype(str))["converted"].mean()


def _t_learner_frame():
    campaign = _campaign()
    x = pd.DataFrame({"const": 1.0, "log_orders": np.log1p(campaign["prior_orders"].astype(float)),
                      "log_recency": np.log1p(campaign["weeks_since_last_order"].astype(float)).fillna(0.0)})
    return campaign, x, campaign["converted"].astype(float), campaign["arm"].astype(str)


def _t_learner_uplift(treated: str = "personalised", control: str = "none", sign: float = 1.0,
                      among=lambda c: c["prior_orders"] >= 10) -> float:
    import statsmodels.api as sm

    campaign, x, y, arm = _t_learner_frame()
    p_t = sm.Logit(y[arm == treated], x[arm == treated]).fit(disp=0).predict(x)
    p_c = sm.Logit(y[arm == control], x[arm == control]).fit(disp=0).predict(x)
    return float(sign * (p_t - p_c)[among(campaign)].mean())


def _t_learner_pooled() -> float:
    import statsmodels.api as sm

    campaign, x, y, arm = _t_learner_frame()
    keep = arm.isin(["personalised", "none"])
    xt = x.assign(treated=(arm == "personalised").astype(float))
    fit = sm.Logit(y[keep], xt[keep]).fit(disp=0)
    uplift = fit.predict(xt.assign(treated=1.0)) - fit.predict(xt.assign(treated=0.0))
    return float(uplift[campaign["prior_orders"] >= 10].mean())


def _lapsing(campaign):
    return campaign[campaign["weeks_since_last_order"] > 30]


def _persuadable(frame, arm: str = "personalised") -> float:
    rates = _rates(frame)
    return float((rates[arm] - rates["none"]) / (1 - rates["none"]))


def _lapsing_persuadable_share() -> float:
    return _persuadable(_lapsing(_campaign()))


def _click_gap() -> float:
    campaign = _campaign()
    personalised = campaign[campaign["arm"].astype(str) == "personalised"]
    rates = personalised.groupby("clicked")["converted"].mean()
    return float(rates[True] - rates[False])


def _qini_count(scale: bool = True, ascending: bool = False, arms=("personalised", "none"), top: int = 2000) -> float:
    campaign = _campaign()
    two = campaign[campaign["arm"].astype(str).isin(arms)]
    head = two.sort_values("prior_spend", ascending=ascending, kind="stable").head(top)
    treated = head["arm"].astype(str) == "personalised"
    n_t, n_c = treated.sum(), (~treated).sum()
    r_t, r_c = head.loc[treated, "converted"].sum(), head.loc[~treated, "converted"].sum()
    return float(r_t - r_c * (n_t / n_c if scale else 1.0))


def _before_send(campaign):
    arm = campaign["arm"].astype(str)
    return (campaign["margin_30d"] - campaign["offer_cost"] + arm.map(_SEND_COST).astype(float)).groupby(arm).mean()


def _experienced_premium(least: int = 5, treated: str = "personalised", against: str = "generic",
                         net: float = 0.0) -> float:
    campaign = _campaign()
    means = _before_send(campaign[campaign["prior_orders"] >= least])
    return float(means[treated] - means[against] - net)


def _power(which=("personalised", "generic"), sd_of_all: bool = False, delta: float = 1.0) -> float:
    from scipy.stats import norm

    campaign = _campaign()
    profit = campaign["margin_30d"] - campaign["offer_cost"]
    arm = campaign["arm"].astype(str)
    if sd_of_all:
        sigma2 = float(profit.var())
    else:
        sigma2 = float(profit[arm.isin(which)].groupby(arm[arm.isin(which)]).var().mean())
    # Rounded z values (1.96, 0.84) change n by about 0.1%, inside the tolerance: they are right too.
    return float(2 * (norm.ppf(0.975) + norm.ppf(0.80)) ** 2 * sigma2 / delta**2)


# -- the answers of common slips, computed on the same data -----------------------------------


def _minus_click_gap() -> float:
    return -_click_gap()


def _click_gap_all_arms() -> float:
    rates = _campaign().groupby("clicked")["converted"].mean()
    return float(rates[True] - rates[False])


EXERCISES = [
    Exercise(
        "3.1",
        expected=_t_learner_uplift,
        kind="share",
        rtol=0,
        atol=0.0005,
        what="an average predicted uplift, as a share (0.01 = one percentage point)",
        mistakes=[
            Mistake(lambda: _t_learner_uplift(sign=-1.0), "That is the difference the other way round: the "
                                                           "personalised arm's model minus the no-offer arm's."),
            Mistake(lambda: _t_learner_uplift(control="generic"), "That compares with the generic arm: fit the "
                                                                   "second model on the no-offer arm."),
            Mistake(lambda: _t_learner_uplift(among=lambda c: c["prior_orders"] >= 0),
                    "That averages over every member: keep those with prior_orders >= 10."),
            Mistake(_t_learner_pooled, "That is one pooled logit with an arm dummy: a T-learner fits a separate "
                                       "logit in each arm, so every coefficient may differ between them."),
        ],
        hints={
            "wrong": "Fit one logit on the personalised arm and one on the no-offer arm, predict both for every "
                     "member, subtract (personalised minus no offer), then average among prior_orders >= 10.",
            "close": "Nearly: fit on all members of each arm (no split) with exactly log_orders and log_recency.",
        },
    ),
    Exercise(
        "3.2",
        expected=_lapsing_persuadable_share,
        kind="share",
        rtol=0,
        atol=0.0005,
        what="a persuadable share between 0 and 1",
        mistakes=[
            Mistake(lambda: _persuadable(_lapsing(_campaign()), "generic"),
                    "That is the generic offer's share: use the personalised arm."),
            Mistake(lambda: float(_rates(_lapsing(_campaign()))["personalised"] - _rates(_lapsing(_campaign()))["none"]),
                    "That is the lift itself: divide it by the share of members who did not convert without an "
                    "offer (1 minus the no-offer rate)."),
            Mistake(lambda: _persuadable(_campaign()), "That uses every member: keep only those with "
                                                       "weeks_since_last_order > 30."),
        ],
        hints={
            "wrong": "Among members with weeks_since_last_order > 30, compute (p_personalised - p_none) / (1 - p_none).",
            "close": "Nearly: use > 30 (not >= 30), and the rates of the whole group in each arm.",
        },
    ),
    Exercise(
        "3.3",
        expected=_click_gap,
        kind="number",
        rtol=0,
        atol=0.0005,
        what="the difference of two conversion rates, as a share",
        mistakes=[
            Mistake(_minus_click_gap, "That is the difference the other way round: clickers' rate minus "
                                      "non-clickers' rate."),
            Mistake(_click_gap_all_arms, "That uses every arm: keep only the personalised arm."),
        ],
        hints={
            "wrong": "Within the personalised arm only, take the conversion rate of clickers minus that of "
                     "non-clickers, as a share between -1 and 1 (0.01 = one percentage point).",
        },
    ),
    Exercise(
        "3.4",
        expected=_qini_count,
        kind="number",
        rtol=0,
        atol=0.05,
        what="a number of extra conversions (it need not be whole)",
        mistakes=[
            Mistake(lambda: _qini_count(scale=False), "That subtracts the control conversions unscaled: multiply "
                                                      "R_c by N_t / N_c first."),
            Mistake(lambda: _qini_count(ascending=True), "That ranks the smallest spenders first: sort by "
                                                         "prior_spend, largest first."),
            Mistake(lambda: _qini_count(arms=("personalised", "none", "generic")),
                    "That keeps the generic arm among the 2,000: keep only the personalised and no-offer arms "
                    "before ranking."),
        ],
        hints={
            "wrong": "Keep the personalised and no-offer arms, sort by prior_spend (largest first), take 2,000 rows, "
                     "then R_t - R_c * N_t / N_c.",
        },
    ),
    Exercise(
        "3.7",
        expected=_experienced_premium,
        kind="number",
        rtol=0,
        atol=0.01,
        what="a difference in RUB per member (a single number)",
        mistakes=[
            Mistake(lambda: _experienced_premium(against="none"), "That compares with the no-offer arm: the "
                                                                   "premium is personalised against generic."),
            Mistake(lambda: _experienced_premium(net=2.0), "That already deducts the 2 RUB extra cost: give the "
                                                           "premium before it, then compare."),
            Mistake(lambda: _experienced_premium(least=6), "That uses more than five orders: keep prior_orders "
                                                           ">= 5."),
        ],
        hints={
            "wrong": "Among members with prior_orders >= 5, the mean profit_before_send of the personalised arm "
                     "minus that of the generic arm.",
        },
    ),
    Exercise(
        "3.8",
        expected=_power,
        kind="number",
        rtol=0.005,
        atol=0,
        what="a number of members per arm",
        mistakes=[
            Mistake(lambda: _power(sd_of_all=True), "That uses the spread of profit over all three arms: use the "
                                                    "average of the two offer arms' variances."),
            Mistake(lambda: _power() / 2, "That leaves out the factor 2: two arms each add their variance to the "
                                          "difference."),
        ],
        hints={
            "wrong": "n = 2 (z_0.975 + z_0.80)^2 sigma^2 / 1^2, with sigma^2 the mean of the variances of profit in "
                     "the personalised and the generic arm.",
        },
    ),
]
