"""Self-checks of chapter 0, the introduction: a first look at Kopilka's data.

Each exercise practises one step of the notebook's pandas tour: counting
distinct values (0.1), shares with ``value_counts`` (0.2), a merge followed by a filter and a
mean (0.3), and a date filter followed by a sum (0.4).

The expected answers are computed from the active world's tables the first time a
student checks an answer, so they follow the data if the data are
regenerated.
"""

from __future__ import annotations

from crm_kit.exercises import Exercise, Mistake


def _load(name: str):
    # Imported here so that importing this module never touches the data.
    from crm_course.data import load

    return load(name)


def _customers():
    return _load("customers")


def _n_buyers() -> int:
    return int(_load("transactions")["customer_id"].nunique())


def _referral_share() -> float:
    return float((_customers()["channel"] == "referral").mean())


def _referral_mean_order_value() -> float:
    orders = _load("transactions").merge(_customers(), on="customer_id", how="left")
    return float(orders.loc[orders["channel"] == "referral", "order_value"].mean())


def _cashback_2024() -> float:
    transactions = _load("transactions")
    in_2024 = transactions["order_date"].dt.year == 2024
    return float(transactions.loc[in_2024, "cashback"].sum())


# -- the answers of common slips, computed on the same data -----------------------------------


def _n_orders() -> int:
    return len(_load("transactions"))


def _n_members() -> int:
    return len(_customers())


def _n_referrals() -> int:
    return int((_customers()["channel"] == "referral").sum())


def _mean_order_value_all() -> float:
    return float(_load("transactions")["order_value"].mean())


def _referral_mean_member_total() -> float:
    orders = _load("transactions").merge(_customers(), on="customer_id", how="left")
    referral = orders[orders["channel"] == "referral"]
    return float(referral.groupby("customer_id")["order_value"].sum().mean())


def _order_value_2024() -> float:
    transactions = _load("transactions")
    return float(transactions.loc[transactions["order_date"].dt.year == 2024, "order_value"].sum())


def _mean_cashback_2024() -> float:
    transactions = _load("transactions")
    return float(transactions.loc[transactions["order_date"].dt.year == 2024, "cashback"].mean())


def _cashback_all_years() -> float:
    return float(_load("transactions")["cashback"].sum())


def _cashback_2024_confirmed() -> float:
    transactions = _load("transactions")
    kept = (transactions["order_date"].dt.year == 2024) & (transactions["status"] == "confirmed")
    return float(transactions.loc[kept, "cashback"].sum())


EXERCISES = [
    Exercise(
        "0.1",
        expected=_n_buyers,
        kind="number",
        rtol=0,
        atol=0,
        what="the number of members who ordered (a whole number)",
        mistakes=[
            Mistake(_n_orders, "That is the number of orders: a member who ordered twice has two rows in "
                               "transactions. Count each member once."),
            Mistake(_n_members, "That counts every member, also those who never ordered: count the members who "
                                "appear in transactions."),
        ],
        hints={
            "wrong": "Count the different customer_id values of the transactions table.",
            "close": "Nearly: count each member once, with nunique() on the customer_id column of transactions.",
        },
    ),
    Exercise(
        "0.2",
        expected=_referral_share,
        kind="share",
        rtol=0,
        atol=0.0005,
        what="the share of members who joined through a referral link (a number between 0 and 1)",
        mistakes=[
            Mistake(_n_referrals, "That is the number of referral members: divide it by the number of all members."),
        ],
        hints={
            "wrong": "Divide the referral members (channel 'referral') by all members, not by another "
                     "channel's count.",
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
        mistakes=[
            Mistake(_mean_order_value_all, "That is the average over every member's orders: keep only the "
                                           "orders of members whose channel is 'referral'."),
            Mistake(_referral_mean_member_total, "That averages each member's total: average the value of "
                                                 "single orders (order_value) instead."),
        ],
        hints={
            "close": "Nearly: keep only the orders of members whose channel is 'referral', and average "
                     "the order_value column over all of those orders, whatever their status.",
            "wrong": "Average order_value (not cashback or commission) over the referral members' orders, "
                     "one value per order.",
            "correct": "Well done. Compare it with the average over all orders printed in the tour.",
        },
    ),
    Exercise(
        "0.4",
        expected=_cashback_2024,
        kind="number",
        rtol=0.0005,  # rounding to the nearest thousand roubles still counts as correct
        what="a total amount of cashback in RUB (a single number)",
        mistakes=[
            Mistake(_order_value_2024, "That adds up order_value: add up the cashback column instead."),
            Mistake(_mean_cashback_2024, "That is the average cashback of an order: add the column up."),
            Mistake(_cashback_all_years, "That counts every year: keep only the orders placed in 2024."),
            Mistake(_cashback_2024_confirmed, "That keeps only confirmed orders: keep every order of 2024, "
                                              "pending ones too."),
        ],
        hints={
            "close": "Nearly: keep every order dated from 1 January to 31 December 2024, whatever its "
                     "status, and add up the cashback column.",
            "wrong": "Keep the orders placed in 2024 (any status) and add up their cashback column.",
        },
    ),
]
