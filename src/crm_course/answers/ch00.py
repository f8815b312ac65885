"""Self-checks of chapter 0, the introduction: a first look at the members.

The expected answers are computed from the shipped tables the first time a
student checks an answer, so they follow the data if the data are
regenerated.
"""

from __future__ import annotations

from crm_course.exercises import Exercise


def _customers():
    # Imported here so that importing this module never touches the data.
    from crm_course.data import load

    return load("customers")


def _n_members() -> int:
    return len(_customers())


def _referral_share() -> float:
    return float((_customers()["channel"] == "referral").mean())


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
]
