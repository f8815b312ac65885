"""Self-checks of chapter 1, the customer as an individual.

The expected answers are computed from the active world's tables with the chapter's
helpers (:mod:`crm_course.concentration`, :mod:`crm_course.segmentation` and the other method modules) the first time a student checks an
answer, so they follow the data if the data are regenerated. Exercise 1.5
fits the random-intercept model, which takes a few seconds the first time.

Exercises 1.1, 1.2, 1.5 and 1.7 are built by hand in the notebook (plain
pandas and numpy) and compared there with the helper; the answers here use the
helpers, so a hand computation that matches them is right. Exercise 1.3 is the
decision exercise: its number is checked here, its sentence is marked against
the model answer in the notebook.
"""

from __future__ import annotations

from functools import lru_cache

from crm_kit.exercises import Exercise, Mistake

#: The settings the notebook uses; the answers must be computed the same way.
COST_PER_CONTACT = 180.0
#: Exercise 1.2's cost per contact, and exercise 1.3's avoidable part of a contact (RUB).
COST_PER_CONTACT_EXERCISE = 120.0
AVOIDABLE_PER_CONTACT = 60.0
#: Exercise 1.5's member is the one with exactly this many orders and the smallest customer_id (a rule, not an
#: id, so that it exists in every student's world); exercise 1.7's cohort is given by sign-up dates, inclusive.
SHRINK_ORDERS = 3
SPRING_COHORT = ("2023-04-01", "2023-06-30")
SPRING_TOP_PERCENT = 10
EARLY_COHORT = ("2023-01-01", "2023-03-31")
RFM_AS_OF = "2024-12-30"
MODEL_SAMPLE_MEMBERS = 6_000
MODEL_SEED = 2002


@lru_cache(maxsize=None)
def _value(cost_per_contact: float = COST_PER_CONTACT):
    # Imported here so that importing this module never touches the data.
    from crm_course import profitability
    from crm_course.data import load

    return profitability.member_value(
        load("customers"), load("transactions"), load("contacts"), cost_per_contact=cost_per_contact
    )


def _buyers():
    value = _value()
    return value[value["orders"] > 0]


# -- 1.1: the Gini coefficient of buyers, and its slips ----------------------------------------


def _gini_buyers() -> float:
    from crm_course import concentration

    return concentration.gini(_buyers(), "revenue")


def _gini_all() -> float:
    from crm_course import concentration

    return concentration.gini(_value(), "revenue")


def _gini_orders() -> float:
    from crm_course import concentration
    from crm_course.data import load

    return concentration.gini(load("transactions"), "order_value", key="order_id")


def _gini_sorted_descending() -> float:
    # The Lorenz curve built from the largest spender first lies above the diagonal.
    import numpy as np

    x = -np.sort(-_buyers()["revenue"].to_numpy(dtype=float))
    share = np.concatenate([[0.0], np.cumsum(x)]) / x.sum()
    return float(1 - 2 * np.trapezoid(share, np.arange(len(x) + 1) / len(x)))


def _area_under_lorenz() -> float:
    return (1 - _gini_buyers()) / 2


# -- 1.2: the unprofitable share at 120 RUB per contact ----------------------------------------


def _share_unprofitable(cost: float) -> float:
    return float((_value(cost)["profit"] < 0).mean())


def _share_unprofitable_120() -> float:
    return _share_unprofitable(COST_PER_CONTACT_EXERCISE)


def _share_unprofitable_180() -> float:
    return _share_unprofitable(COST_PER_CONTACT)


def _share_unprofitable_120_of_buyers() -> float:
    value = _value(COST_PER_CONTACT_EXERCISE)
    return float((value.loc[value["orders"] > 0, "profit"] < 0).mean())


def _share_not_profitable_120() -> float:
    return float((_value(COST_PER_CONTACT_EXERCISE)["profit"] <= 0).mean())


# -- 1.3: closing, on 1 January 2024, the members unprofitable in 2023 at the fully loaded cost --------
# Selected on 2023, judged on 2024: the decision is evaluated forward, the way the firm had to make it.

SELECTION_YEAR = 2023
DECISION_YEAR = 2024


@lru_cache(maxsize=None)
def _value_in(year: int):
    from crm_course import profitability
    from crm_course.data import load

    transactions, contacts = load("transactions"), load("contacts")
    return profitability.member_value(
        load("customers"),
        transactions[transactions["order_date"].dt.year == year],
        contacts[contacts["contact_date"].dt.year == year],
        cost_per_contact=COST_PER_CONTACT,
    ).set_index("customer_id")


def _closed():
    selection = _value_in(SELECTION_YEAR)
    return selection.index[selection["profit"] < 0]


def _change(year: int, avoidable: float) -> float:
    members = _value_in(year).loc[_closed()]
    return float(-(members["margin"] - avoidable * members["contacts"]).sum())


def _profit_change(avoidable: float = AVOIDABLE_PER_CONTACT) -> float:
    return _change(DECISION_YEAR, avoidable)


def _profit_change_fully_loaded() -> float:
    return _profit_change(COST_PER_CONTACT)


def _profit_change_at_90() -> float:
    return _profit_change(90.0)


def _margin_lost() -> float:
    return float(-_value_in(DECISION_YEAR).loc[_closed(), "margin"].sum())


def _hindsight_change() -> float:
    return _change(SELECTION_YEAR, AVOIDABLE_PER_CONTACT)


def _finance_team_figure() -> float:
    return _change(SELECTION_YEAR, COST_PER_CONTACT)


def _two_year_hindsight_change() -> float:
    # The first edition's answer: members unprofitable over both years, judged on the same two years.
    value = _value()
    closed = value[value["profit"] < 0]
    return float(-(closed["margin"] - AVOIDABLE_PER_CONTACT * closed["contacts"]).sum())


# -- 1.4: unprofitable Champions -----------------------------------------------------------------


def _rfm_value():
    from crm_course import segmentation
    from crm_course.data import load

    return segmentation.rfm_scores(load("transactions"), as_of=RFM_AS_OF).merge(_value(), on="customer_id")


def _unprofitable_champions() -> int:
    rfm = _rfm_value()
    return int(((rfm["segment"] == "Champions") & (rfm["profit"] < 0)).sum())


def _n_champions() -> int:
    return int((_rfm_value()["segment"] == "Champions").sum())


def _n_unprofitable() -> int:
    return int((_value()["profit"] < 0).sum())


# -- 1.5: one member's shrunken typical order, by hand ---------------------------------------


@lru_cache(maxsize=1)
def _model() -> tuple[float, float, float]:
    """The fitted mean of log order value and the two variance components, as the notebook fits them."""
    from crm_course import multilevel
    from crm_course.data import load

    fit = multilevel.order_value_model(load("transactions"), sample_members=MODEL_SAMPLE_MEMBERS, seed=MODEL_SEED)
    vc = multilevel.variance_components(fit)["estimate"]
    return float(fit.fe_params.iloc[0]), float(vc["between_member_variance"]), float(vc["within_member_variance"])


def _member_orders():
    from crm_course.data import load

    orders = load("transactions")
    counts = orders.groupby("customer_id").size()
    member = counts[counts == SHRINK_ORDERS].index.min()
    return orders.loc[orders["customer_id"] == member, "order_value"].to_numpy(dtype=float)


def _weight(n: int) -> float:
    _, between, within = _model()
    return n * between / (n * between + within)


def _shrunken(weight: float) -> float:
    import numpy as np

    mu = _model()[0]
    return float(np.exp(mu + weight * (np.log(_member_orders()).mean() - mu)))


def _shrunken_member() -> float:
    return _shrunken(_weight(len(_member_orders())))


def _own_typical() -> float:
    return _shrunken(1.0)


def _shrunken_with_weights_swapped() -> float:
    return _shrunken(1 - _weight(len(_member_orders())))


def _shrunken_with_one_order_weight() -> float:
    return _shrunken(_weight(1))


def _shrunken_in_roubles() -> float:
    import numpy as np

    overall = float(np.exp(_model()[0]))
    return float(overall + _weight(len(_member_orders())) * (_member_orders().mean() - overall))


# -- 1.7: the holdout share of the April-June 2023 joiners -----------------------------------


def _cohort(dates: tuple[str, str]):
    from crm_course.data import load

    customers, orders = load("customers"), load("transactions")
    spend = (orders.assign(year=orders["order_date"].dt.year)
             .pivot_table(index="customer_id", columns="year", values="order_value", aggfunc="sum", fill_value=0.0)
             .rename(columns=lambda year: f"spend_{year}"))
    members = customers.loc[customers["signup_date"].between(*dates), ["customer_id"]]
    return members.join(spend, on="customer_id").fillna(0.0)


def _holdout_row(dates: tuple[str, str] = SPRING_COHORT):
    from crm_course import concentration

    top = SPRING_TOP_PERCENT
    return concentration.holdout_pareto(_cohort(dates), "spend_2023", "spend_2024", tops=(top,)).loc[top]


def _holdout_share_spring() -> float:
    return float(_holdout_row()["holdout_share"])


def _spring_share_of_2023() -> float:
    return float(_holdout_row()["calibration_share"])


def _spring_reranked_by_2024() -> float:
    return float(_holdout_row()["holdout_best_share"])


def _early_holdout_share() -> float:
    return float(_holdout_row(EARLY_COHORT)["holdout_share"])


def _spring_buyers_only() -> float:
    from crm_course import concentration

    cohort = _cohort(SPRING_COHORT)
    cohort = cohort[cohort["spend_2023"] > 0]
    top = SPRING_TOP_PERCENT
    return float(concentration.holdout_pareto(cohort, "spend_2023", "spend_2024", tops=(top,)).loc[top, "holdout_share"])


EXERCISES = [
    Exercise(
        "1.1",
        expected=_gini_buyers,
        kind="share",
        rtol=0,
        atol=0.0005,
        what="a Gini coefficient (a number between 0 and 1)",
        mistakes=[
            Mistake(_gini_all, "That is the Gini coefficient of all members: keep only the members with at "
                               "least one order before sorting."),
            Mistake(_gini_orders, "That is the Gini coefficient of single orders: use member revenue "
                                  "(one value per member)."),
            Mistake(_gini_sorted_descending, "Your Lorenz curve lies above the diagonal: sort the revenue from the "
                                             "smallest to the largest before adding it up."),
            Mistake(_area_under_lorenz, "That is the area under the Lorenz curve: the Gini coefficient is one "
                                        "minus twice that area."),
        ],
        hints={
            "wrong": "Sort the buyers' revenue ascending, add it up into cumulative shares starting at 0, pair them "
                     "with the member shares 0, 1/n, ..., 1, and take 1 - 2 x the trapezoid area; "
                     "concentration.gini should agree.",
            "correct": "Well done: members who never ordered make revenue look more unequal than it is among buyers.",
        },
    ),
    Exercise(
        "1.2",
        expected=_share_unprofitable_120,
        kind="share",
        rtol=0,
        atol=0.0005,
        what="the share of all members who are unprofitable (a number between 0 and 1)",
        mistakes=[
            Mistake(_share_unprofitable_180, "That is the share at the fully loaded 180 RUB: charge 120 RUB per "
                                             "contact."),
            Mistake(_share_unprofitable_120_of_buyers, "That divides by the buyers: every member of customers, "
                                                       "including those who never ordered, is in the base."),
            Mistake(_share_not_profitable_120, "That counts members with zero profit too (most of them never "
                                               "ordered): count profit strictly below zero."),
        ],
        hints={
            "wrong": "Profit is the sum of commission minus cashback over a member's orders, minus 120 RUB times "
                     "their contacts; compare your table with member_value(..., cost_per_contact=120) row by row.",
        },
    ),
    Exercise(
        "1.3",
        expected=_profit_change,
        kind="number",
        rtol=0,
        atol=1.0,
        what="a change in 2024 profit in RUB (one number, negative for a fall)",
        mistakes=[
            Mistake(_hindsight_change, "That judges the members on 2023, the year they were picked for being "
                                       "unprofitable: hindsight. Closing on 1 January 2024 changes 2024, so "
                                       "use their 2024 margin and 2024 contacts."),
            Mistake(_finance_team_figure, "That is the finance team's figure: their 2023 losses at 180 RUB. "
                                          "Judge the decision on 2024, and count only 60 RUB of a contact as "
                                          "saved."),
            Mistake(_profit_change_fully_loaded, "That counts the whole 180 RUB of every 2024 contact as saved. "
                                                 "Only 60 RUB of a contact goes away with the member."),
            Mistake(_margin_lost, "That is the 2024 margin the members take with them: closing their accounts "
                                  "also saves the avoidable 60 RUB of each of their 2024 contacts."),
            Mistake(_profit_change_at_90, "That uses 90 RUB per contact: the exercise assumes 60 RUB is "
                                          "avoidable."),
            Mistake(_two_year_hindsight_change, "That selects and judges the members on the same two years. "
                                                "Select on 2023 profit alone, then judge on 2024."),
        ],
        hints={
            "wrong": "Build each member's 2023 profit at 180 RUB from 2023 orders and 2023 contacts only, and take "
                     "the members below zero. Closing their accounts on 1 January 2024 loses their 2024 margin "
                     "and saves 60 RUB for each of their 2024 contacts; the change is the saving minus the margin. "
                     "A common slip is to select members on profit over both years.",
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
        expected=_shrunken_member,
        kind="number",
        rtol=0.0005,
        atol=0,
        what="a typical order in RUB",
        mistakes=[
            Mistake(_own_typical, "That is the member's own typical order, not shrunk: pull it towards the "
                                  "all-member mean with the weight n x between / (n x between + within)."),
            Mistake(_shrunken_with_weights_swapped, "The weights are swapped: the member's own mean gets "
                                                    "w = n x between / (n x between + within), the all-member "
                                                    "mean 1 - w."),
            Mistake(_shrunken_with_one_order_weight, "That uses the weight of one order (the ICC): this member "
                                                     "has three, so n = 3."),
            Mistake(_shrunken_in_roubles, "That shrinks the average order in roubles: the model is on the log "
                                          "scale, so shrink the mean of the logs and take exp at the end."),
        ],
        hints={
            "wrong": "Mean of log(order_value) over the member's orders; w = n x vc_between / (n x vc_between + "
                     "vc_within); shrunken log mean = mu + w x (own log mean - mu); exp of it. The member's row in "
                     "shrunk should agree.",
        },
    ),
    Exercise(
        "1.7",
        expected=_holdout_share_spring,
        kind="share",
        rtol=0,
        atol=0.0005,
        what="a share of 2024 revenue (a number between 0 and 1)",
        mistakes=[
            Mistake(_spring_share_of_2023, "That is the top group's share of 2023 revenue, the year that chose "
                                           "them: compute the same members' share of 2024 revenue."),
            Mistake(_spring_reranked_by_2024, "That ranks the members by 2024 spend: keep the ranking by 2023 "
                                              "spend and follow those members into 2024."),
            Mistake(_early_holdout_share, "That is the January-March cohort of section 3.2: take the members who "
                                          "joined from April to June 2023."),
            Mistake(_spring_buyers_only, "That ranks only the members who ordered in 2023: keep every member of "
                                         "the cohort in the base, so the top 10% is a tenth of all of them."),
        ],
        hints={
            "wrong": "Members who joined between 2023-04-01 and 2023-06-30, with 0 for a year without orders; the "
                     "top ceil(0.1 n) by spend_2023; their spend_2024 summed, divided by the cohort's total "
                     "spend_2024. holdout_pareto should agree.",
        },
    ),
]
