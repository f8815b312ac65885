"""Self-checks of chapter 3, mass personalisation: the randomised offer campaign.

The expected answers are computed from the active world's
``offer_experiment`` table the first time a student checks an answer, so they follow the data if
the data are regenerated. They are computed with plain pandas rather than
with :mod:`crm_course.experiments` and :mod:`crm_course.uplift`, so that the chapter's helpers and
these answers check each other.
"""

from __future__ import annotations

from crm_kit.exercises import Exercise, Mistake

#: What sending one offer costs in each arm, before any bonus (RUB); see CampaignParams.
_SEND_COST = {"none": 0.0, "generic": 1.0, "personalised": 3.0}


def _campaign():
    # Imported here so that importing this module never touches the data.
    from crm_course.data import load

    return load("offer_experiment")


def _rates(frame):
    return frame.groupby(frame["arm"].astype(str))["converted"].mean()


def _generic_lift() -> float:
    rates = _rates(_campaign())
    return float(rates["generic"] - rates["none"])


def _newcomer_persuadable_share() -> float:
    campaign = _campaign()
    rates = _rates(campaign[campaign["prior_orders"] == 0])
    return float((rates["personalised"] - rates["none"]) / (1 - rates["none"]))


def _click_gap() -> float:
    campaign = _campaign()
    personalised = campaign[campaign["arm"].astype(str) == "personalised"]
    rates = personalised.groupby("clicked")["converted"].mean()
    return float(rates[True] - rates[False])


def _generic_break_even() -> float:
    campaign = _campaign()
    arm = campaign["arm"].astype(str)
    before_send = campaign["margin_30d"] - campaign["offer_cost"] + arm.map(_SEND_COST).astype(float)
    means = before_send.groupby(arm).mean()
    return float(means["generic"] - means["none"])


# -- the answers of common slips, computed on the same data -----------------------------------


def _personalised_lift() -> float:
    rates = _rates(_campaign())
    return float(rates["personalised"] - rates["none"])


def _minus_generic_lift() -> float:
    return -_generic_lift()


def _newcomer_generic_share() -> float:
    campaign = _campaign()
    rates = _rates(campaign[campaign["prior_orders"] == 0])
    return float((rates["generic"] - rates["none"]) / (1 - rates["none"]))


def _newcomer_lift() -> float:
    campaign = _campaign()
    rates = _rates(campaign[campaign["prior_orders"] == 0])
    return float(rates["personalised"] - rates["none"])


def _persuadable_share_everyone() -> float:
    rates = _rates(_campaign())
    return float((rates["personalised"] - rates["none"]) / (1 - rates["none"]))


def _minus_click_gap() -> float:
    return -_click_gap()


def _click_gap_all_arms() -> float:
    rates = _campaign().groupby("clicked")["converted"].mean()
    return float(rates[True] - rates[False])


def _before_send_gap(arm: str) -> float:
    campaign = _campaign()
    arms = campaign["arm"].astype(str)
    before_send = campaign["margin_30d"] - campaign["offer_cost"] + arms.map(_SEND_COST).astype(float)
    means = before_send.groupby(arms).mean()
    return float(means[arm] - means["none"])


def _profit_gap() -> float:
    campaign = _campaign()
    profit = (campaign["margin_30d"] - campaign["offer_cost"]).groupby(campaign["arm"].astype(str)).mean()
    return float(profit["generic"] - profit["none"])


def _personalised_break_even() -> float:
    return _before_send_gap("personalised")


EXERCISES = [
    Exercise(
        "3.1",
        expected=_generic_lift,
        kind="share",
        rtol=0,
        atol=0.0005,
        what="the difference of two conversion rates, as a share (0.01 = one percentage point)",
        mistakes=[
            Mistake(_personalised_lift, "That is the personalised offer's lift: compare the generic arm with the "
                                        "no-offer arm."),
            Mistake(_minus_generic_lift, "That is the difference the other way round: the generic arm's rate "
                                         "minus the no-offer arm's."),
        ],
        hints={
            "wrong": "Take the conversion rate of the whole generic arm minus that of the whole no-offer arm.",
            "close": "Nearly: use the rates of whole arms, exp.groupby('arm')['converted'].mean(), "
                     "without rounding them first.",
        },
    ),
    Exercise(
        "3.2",
        expected=_newcomer_persuadable_share,
        kind="share",
        rtol=0,
        atol=0.0005,
        what="a persuadable share between 0 and 1",
        mistakes=[
            Mistake(_newcomer_generic_share, "That is the generic offer's share: use the personalised arm."),
            Mistake(_newcomer_lift, "That is the lift itself: divide it by the share of members who did not "
                                    "convert without an offer (1 minus the no-offer rate)."),
            Mistake(_persuadable_share_everyone, "That uses every member: keep only those with prior_orders == 0."),
        ],
        hints={
            "wrong": "Among members with prior_orders == 0, compute (p_personalised - p_none) / (1 - p_none).",
            "close": "Nearly: the share is (p_personalised - p_none) / (1 - p_none) among members with no prior order.",
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
        expected=_generic_break_even,
        kind="number",
        rtol=0,
        atol=0.01,
        what="a cost per offer in RUB (a single number)",
        mistakes=[
            Mistake(_profit_gap, "That uses profit, which already deducts the sending cost you are asked to "
                                 "find: use profit_before_send."),
            Mistake(_personalised_break_even, "That is the personalised offer's: compare the generic arm with the "
                                              "no-offer arm."),
        ],
        hints={
            "wrong": "Take the mean profit_before_send (margin minus bonus) of the generic arm minus that of the "
                     "no-offer arm.",
        },
    ),
]
