"""Self-checks of chapter 1, the customer as an individual.

The expected answers are computed from the active world's tables with the chapter's
helpers (:mod:`crm_course.concentration`, :mod:`crm_course.segmentation` and the other method modules) the first time a student checks an
answer, so they follow the data if the data are regenerated. Exercise 1.5
fits the random-intercept model, which takes a few seconds the first time.
"""

from __future__ import annotations

from functools import lru_cache

from crm_kit.exercises import Exercise, Mistake

#: The settings the notebook uses; the answers must be computed the same way.
COST_PER_CONTACT = 180.0
RFM_AS_OF = "2024-12-30"
MODEL_SAMPLE_MEMBERS = 6_000
MODEL_SEED = 2002


@lru_cache(maxsize=1)
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
    rfm = _rfm_value()
    return int(((rfm["segment"] == "Champions") & (rfm["profit"] < 0)).sum())


@lru_cache(maxsize=1)
def _components() -> tuple[float, float]:
    from crm_course import multilevel
    from crm_course.data import load

    fit = multilevel.order_value_model(load("transactions"), sample_members=MODEL_SAMPLE_MEMBERS, seed=MODEL_SEED)
    vc = multilevel.variance_components(fit)["estimate"]
    return float(vc["between_member_variance"]), float(vc["within_member_variance"])


def _weight(n: int) -> float:
    between, within = _components()
    return n * between / (n * between + within)


def _weight_three_orders() -> float:
    return _weight(3)


# -- the answers of common slips, computed on the same data -----------------------------------


def _top20_share() -> float:
    from crm_course import concentration

    return float(concentration.pareto_table(_value(), "revenue", tops=(20,)).loc[20, "revenue_share"])


def _top10_share_of_buyers() -> float:
    from crm_course import concentration

    value = _value()
    buyers = value[value["orders"] > 0]
    return float(concentration.pareto_table(buyers, "revenue", tops=(10,)).loc[10, "revenue_share"])


def _gini_all() -> float:
    from crm_course import concentration

    return concentration.gini(_value(), "revenue")


def _gini_orders() -> float:
    from crm_course import concentration
    from crm_course.data import load

    return concentration.gini(load("transactions"), "order_value", key="order_id")


def _n_not_profitable() -> int:
    return int((_value()["profit"] <= 0).sum())


def _rfm_value():
    from crm_course import segmentation
    from crm_course.data import load

    return segmentation.rfm_scores(load("transactions"), as_of=RFM_AS_OF).merge(_value(), on="customer_id")


def _n_champions() -> int:
    return int((_rfm_value()["segment"] == "Champions").sum())


def _weight_one_order() -> float:
    return _weight(1)


def _weight_of_the_mean() -> float:
    return 1 - _weight(3)


EXERCISES = [
    Exercise(
        "1.1",
        expected=_top10_share,
        kind="share",
        rtol=0,
        atol=0.0005,
        what="the share of revenue brought by the top 10% of members (a number between 0 and 1)",
        mistakes=[
            Mistake(_top20_share, "That is the share of the top 20%: take the top 10% of members."),
            Mistake(_top10_share_of_buyers, "That ranks buyers only: keep the members who never ordered in the "
                                            "count of members, so that the top 10% is a tenth of all members."),
        ],
        hints={
            "wrong": "Rank members by their revenue, largest first, take the top 10% of all members and divide "
                     "their revenue by the revenue of every member.",
            "close": "Nearly: use the Pareto table's row for the top 10%, column revenue_share, unrounded.",
        },
    ),
    Exercise(
        "1.2",
        expected=_gini_buyers,
        kind="share",
        rtol=0,
        atol=0.0005,
        what="a Gini coefficient (a number between 0 and 1)",
        mistakes=[
            Mistake(_gini_all, "That is the Gini coefficient of all members: keep only the members with at "
                               "least one order before computing it."),
            Mistake(_gini_orders, "That is the Gini coefficient of single orders: compute it on member revenue "
                                  "(one row per member)."),
        ],
        hints={
            "wrong": "Compute the Gini coefficient of member revenue (one row per member), keeping only members "
                     "with at least one order.",
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
        mistakes=[
            Mistake(_n_not_profitable, "That counts members with zero profit too (most of them never ordered): "
                                       "count profit strictly below zero."),
        ],
        hints={
            "wrong": "Count the members whose profit is strictly below zero in the member value table.",
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
        mistakes=[
            Mistake(_n_champions, "That counts every Champion: count only the Champions with negative profit."),
            Mistake(_n_unprofitable, "That counts every unprofitable member: count only those in the Champions "
                                     "segment."),
        ],
        hints={
            "wrong": "Join the RFM table to the member value table on customer_id, then count the members who "
                     "are both Champions and have profit below zero.",
        },
    ),
    Exercise(
        "1.5",
        expected=_weight_three_orders,
        kind="share",
        rtol=0,
        atol=0.002,
        what="a weight between 0 and 1",
        mistakes=[
            Mistake(_weight_one_order, "That is the weight with one order (the ICC): use three orders, n = 3."),
            Mistake(_weight_of_the_mean, "That is the weight of the overall mean: give the weight of the "
                                         "member's own average."),
        ],
        hints={
            "wrong": "The weight is n times the between-member variance divided by (n times the between-member "
                     "variance plus the within-member variance), with n = 3.",
            "correct": "Well done: three orders already earn the member most of the say in their own estimate.",
        },
    ),
]
