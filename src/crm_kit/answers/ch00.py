"""Self-checks of chapter 0, the introduction: a first look at Kopilka's data.

Each exercise practises one step of the notebook's pandas tour: counting rows
(0.1), shares with ``value_counts`` (0.2), a merge followed by a filter and a
mean (0.3), and a date filter followed by a sum (0.4).

The expected answers are computed from the shipped tables the first time a
student checks an answer, so they follow the data if the data are
regenerated.
"""

from __future__ import annotations

from crm_kit.exercises import Exercise


def _load(name: str):
    # Imported here so that importing this module never touches the data.
    from crm_course.data import load

    return load(name)


def _customers():
    return _load("customers")


def _n_members() -> int:
    return len(_customers())


def _referral_share() -> float:
    return float((_customers()["channel"] == "referral").mean())


def _referral_mean_order_value() -> float:
    orders = _load("transactions").merge(_customers(), on="customer_id", how="left")
    return float(orders.loc[orders["channel"] == "referral", "order_value"].mean())


def _cashback_2024() -> float:
    transactions = _load("transactions")
    in_2024 = transactions["order_date"].dt.year == 2024
    return float(transactions.loc[in_2024, "cashback"].sum())


EXERCISES = [
    Exercise(
        "0.1",
        expected=_n_members,
        kind="number",
        rtol=0,
        atol=0,
        what="the number of members (a whole number)",
        hints={
            "high": "Too high: each member has exactly one row in the customers table; "
                    "did you count rows of another table?",
            "low": "Too low: count every row of the customers table, without filtering it first.",
            "close": "Nearly: count all the rows, with len(customers) or customers.shape[0].",
        },
    ),
    Exercise(
        "0.2",
        expected=_referral_share,
        kind="share",
        rtol=0,
        atol=0.0005,
        what="the share of members who joined through a referral link (a number between 0 and 1)",
        hints={
            "high": "Too high: divide the referral members by all members, not by another channel's count.",
            "low": "Too low: look at the channel column, where referral members are marked 'referral'.",
            "correct": "Well done: value_counts(normalize=True) gives every channel's share at once.",
        },
    ),
    Exercise(
        "0.3",
        expected=_referral_mean_order_value,
        kind="number",
        rtol=0,
        atol=0.51,  # an answer rounded to whole roubles counts as correct
        what="an average order value in RUB (a single number)",
        hints={
            "close": "Nearly: keep only the orders of members whose channel is 'referral', and average "
                     "the order_value column over all of those orders, whatever their status.",
            "high": "Too high: average the value of single orders (order_value), rather than adding them "
                    "up per member.",
            "low": "Too low: average order_value, not cashback or commission, over the referral members' "
                   "orders.",
            "correct": "Well done. Compare it with the average over all orders printed in the tour.",
        },
    ),
    Exercise(
        "0.4",
        expected=_cashback_2024,
        kind="number",
        rtol=0.0005,  # rounding to the nearest thousand roubles still counts as correct
        what="a total amount of cashback in RUB (a single number)",
        hints={
            "close": "Nearly: keep every order dated from 1 January to 31 December 2024, whatever its "
                     "status, and add up the cashback column.",
            "high": "Too high: add up the cashback column (not order_value) of orders placed in 2024 only.",
            "low": "Too low: keep all orders placed in 2024 (pending ones too) and add up the whole "
                   "cashback column, not its average.",
        },
    ),
]
