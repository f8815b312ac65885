"""Self-checks of chapter 1, the customer as an individual.

The expected answers are computed from the shipped tables with the chapter's
helpers (:mod:`crm_course.concentration`, :mod:`crm_course.segmentation` and the other method modules) the first time a student checks an
answer, so they follow the data if the data are regenerated. Exercise 1.5
fits the random-intercept model, which takes a few seconds the first time.
"""

from __future__ import annotations

from crm_kit.exercises import Exercise

#: The settings the notebook uses; the answers must be computed the same way.
COST_PER_CONTACT = 180.0
RFM_AS_OF = "2024-12-30"
MODEL_SAMPLE_MEMBERS = 6_000
MODEL_SEED = 2002


def _value():
    # Imported here so that importing this module never touches the data.
    from crm_course import profitability
    from crm_course.data import load

    return profitability.member_value(
        load("customers"), load("transactions"), load("contacts"), cost_per_contact=COST_PER_CONTACT
    )


def _top10_share() -> float:
    from crm_course import concentration

    return float(concentration.pareto_table(_value(), "revenue", tops=(10,)).loc[10, "revenue_share"])


def _gini_buyers() -> float:
    from crm_course import concentration

    value = _value()
    return concentration.gini(value[value["orders"] > 0], "revenue")


def _n_unprofitable() -> int:
    return int((_value()["profit"] < 0).sum())


def _unprofitable_champions() -> int:
    from crm_course import segmentation
    from crm_course.data import load

    rfm = segmentation.rfm_scores(load("transactions"), as_of=RFM_AS_OF).merge(_value(), on="customer_id")
    return int(((rfm["segment"] == "Champions") & (rfm["profit"] < 0)).sum())


def _weight_three_orders() -> float:
    from crm_course import multilevel
    from crm_course.data import load

    fit = multilevel.order_value_model(load("transactions"), sample_members=MODEL_SAMPLE_MEMBERS, seed=MODEL_SEED)
    vc = multilevel.variance_components(fit)["estimate"]
    between, within = vc["between_member_variance"], vc["within_member_variance"]
    return float(3 * between / (3 * between + within))


EXERCISES = [
    Exercise(
        "1.1",
        expected=_top10_share,
        kind="share",
        rtol=0,
        atol=0.0005,
        what="the share of revenue brought by the top 10% of members (a number between 0 and 1)",
        hints={
            "high": "Too high: take the top 10% of all members, not the top 20%, and divide by the "
                    "revenue of every member.",
            "low": "Too low: rank members by their revenue, largest first, before taking the top 10%; "
                   "and keep the members who never ordered in the count of members.",
            "close": "Nearly: read the row for the top 10% of the Pareto table, column revenue_share.",
        },
    ),
    Exercise(
        "1.2",
        expected=_gini_buyers,
        kind="share",
        rtol=0,
        atol=0.0005,
        what="a Gini coefficient (a number between 0 and 1)",
        hints={
            "high": "Too high: that looks like the Gini coefficient of all members. Keep only the members "
                    "with at least one order before computing it.",
            "low": "Too low: compute it on member revenue (one row per member), not on single orders.",
            "correct": "Well done: members who never ordered make revenue look more unequal than it is among buyers.",
        },
    ),
    Exercise(
        "1.3",
        expected=_n_unprofitable,
        kind="number",
        rtol=0,
        atol=0,
        what="the number of members (a whole number)",
        hints={
            "high": "Too high: count members whose profit is below zero; members with zero profit "
                    "(most of them never ordered) are not unprofitable.",
            "low": "Too low: count every member with negative profit, whatever their revenue.",
            "close": "Nearly: count profit < 0 (strictly below zero) in the member value table.",
        },
    ),
    Exercise(
        "1.4",
        expected=_unprofitable_champions,
        kind="number",
        rtol=0,
        atol=0,
        what="the number of members (a whole number)",
        hints={
            "high": "Too high: count members who are both in the Champions segment and have negative profit.",
            "low": "Too low: join the RFM table to the member value table on customer_id first, then count "
                   "Champions with profit below zero.",
        },
    ),
    Exercise(
        "1.5",
        expected=_weight_three_orders,
        kind="share",
        rtol=0,
        atol=0.002,
        what="a weight between 0 and 1",
        hints={
            "high": "Too high: the weight is n times the between-member variance divided by "
                    "(n times the between-member variance plus the within-member variance), with n = 3.",
            "low": "Too low: use three orders (n = 3); with one order the weight would be the ICC.",
            "correct": "Well done: three orders already earn the member most of the say in their own estimate.",
        },
    ),
]
