"""Self-checks of chapter 3, mass personalisation: the randomised offer campaign.

The expected answers are computed from the shipped ``offer_experiment``
table the first time a student checks an answer, so they follow the data if
the data are regenerated. They are computed with plain pandas rather than
with :mod:`crm_course.experiments` and :mod:`crm_course.uplift`, so that the chapter's helpers and
these answers check each other.
"""

from __future__ import annotations

from crm_kit.exercises import Exercise

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


EXERCISES = [
    Exercise(
        "3.1",
        expected=_generic_lift,
        kind="share",
        rtol=0,
        atol=0.0005,
        what="the difference of two conversion rates, as a share (0.01 = one percentage point)",
        hints={
            "high": "Too high: compare the generic arm with the no-offer arm, not the personalised one, "
                    "and use all members of each arm.",
            "low": "Too low: take the generic arm's conversion rate minus the no-offer arm's, "
                   "not the other way round.",
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
        hints={
            "low": "Too low: divide the lift by the share of members who did NOT convert without an offer "
                   "(1 minus the no-offer conversion rate), and use only members with prior_orders == 0.",
            "high": "Too high: use the personalised arm (not the generic one) and keep only members "
                    "with prior_orders == 0.",
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
        hints={
            "low": "Too low: keep only the personalised arm, and take clickers' rate minus non-clickers' rate.",
            "high": "Too high: include every member of the personalised arm, clickers and non-clickers, "
                    "and nobody from the other arms.",
            "wrong": "The gap is a share between -1 and 1 (0.01 = one percentage point).",
        },
    ),
    Exercise(
        "3.4",
        expected=_generic_break_even,
        kind="number",
        rtol=0,
        atol=0.01,
        what="a cost per offer in RUB (a single number)",
        hints={
            "high": "Too high: compare the generic arm with the no-offer arm, and use profit_before_send, "
                    "which already counts the bonus cashback as a cost.",
            "low": "Too low: use profit_before_send (margin minus bonus), not profit, which also deducts "
                   "the sending cost you are asked to find.",
        },
    ),
]
