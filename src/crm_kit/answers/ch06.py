"""Self-checks of chapter 6, the capstone: Kopilka's board case.

Each expected answer runs :func:`crm_course.kopilka.board.board_case` on the
active world's tables (:func:`crm_course.data.active_data_dir`: the shipped
world in the repository, the kit's own world in a student kit) with the
settings the notebook states (the default assumptions, changed as each
exercise says, and the default random draws), the first time a student
checks an answer; so the answers follow the data if they are regenerated. A
group that loads another world with ``load_all(folder=...)`` is checked
against the active world, not against that folder.
"""

from __future__ import annotations

from functools import lru_cache

from crm_kit.exercises import Exercise, Mistake

#: The empowerment policies and staff levers a student can name in exercise 6.4.
STAFF_LEVERS = (
    "pay everyone on time",
    "own desk for everyone",
    "+16 h training",
    "empowerment: universal",
    "empowerment: selective",
)


@lru_cache(maxsize=4)
def _case(**changes):
    # Imported here so that importing this module never touches the data.
    from dataclasses import replace

    from crm_course.kopilka.board import board_case, BoardAssumptions
    from crm_course.data import load_all

    return board_case(load_all(), assumptions=replace(BoardAssumptions(), **changes))


def _probability_benefits_negative() -> float:
    draws = _case().draws
    return float(((draws["pv_personalisation"] + draws["pv_retention"]) < 0).mean())


def _plan_b_npv() -> float:
    return float(_case(merchants_fund_bonus=True).figures["mean_npv"])


def _share_at_one_rouble() -> float:
    return float(_case(send_cost=1.0).figures["share_targeted"])


def _best_lever() -> str:
    staff = _case().staff.loc[list(STAFF_LEVERS)]
    return str((staff["csat_gain"] / staff["annual_cost"]).idxmax())


def _npv_both() -> float:
    return float(_case(merchants_fund_bonus=True, send_cost=1.0).figures["mean_npv"])


# -- the answers of common slips, computed on the same data -----------------------------------


def _probability_loss() -> float:
    return float(_case().figures["probability_loss"])


def _probability_benefits_positive() -> float:
    return 1 - _probability_benefits_negative()


def _default_npv() -> float:
    return float(_case().figures["mean_npv"])


def _default_share_targeted() -> float:
    return float(_case().figures["share_targeted"])


def _share_with_both_changes() -> float:
    return float(_case(merchants_fund_bonus=True, send_cost=1.0).figures["share_targeted"])


def _npv_bonus_only() -> float:
    return float(_case(merchants_fund_bonus=True).figures["mean_npv"])


def _npv_send_cost_only() -> float:
    return float(_case(send_cost=1.0).figures["mean_npv"])


EXERCISES = [
    Exercise(
        "6.1",
        expected=_probability_benefits_negative,
        kind="share",
        rtol=0,
        atol=0.0005,
        what="a probability (a share between 0 and 1)",
        mistakes=[
            Mistake(_probability_loss, "That is the probability that the NPV is negative, costs included: "
                                       "add up only the two benefits, pv_personalisation and pv_retention."),
            Mistake(_probability_benefits_positive, "That is the probability that the benefits are positive: "
                                                    "give the share of draws in which they are negative."),
        ],
        hints={
            "wrong": "In each draw of case.draws add pv_personalisation and pv_retention, and give the share of "
                     "draws in which the sum is below zero, as a probability.",
            "correct": "Well done. Compare it with the probability of a loss: the gap between the two is what "
                       "the costs alone decide.",
        },
    ),
    Exercise(
        "6.2",
        expected=_plan_b_npv,
        kind="number",
        rtol=0.01,
        what="a mean NPV in RUB (a single, probably negative, number)",
        mistakes=[
            Mistake(_default_npv, "That is the mean NPV with Kopilka paying the bonus: set merchants_fund_bonus=True."),
        ],
        hints={
            "wrong": "Change only merchants_fund_bonus to True (replace(assumptions, merchants_fund_bonus=True)), "
                     "keep the default rng, and give the mean NPV of the proposed programme with its sign.",
            "close": "Nearly: use board_case(tables, assumptions=...) with the default rng, so that the draws "
                     "are the notebook's.",
        },
    ),
    Exercise(
        "6.3",
        expected=_share_at_one_rouble,
        kind="share",
        rtol=0,
        atol=0.0005,
        what="a share of the active campaign members (between 0 and 1)",
        mistakes=[
            Mistake(_default_share_targeted, "That is the share at the current cost: set send_cost=1.0."),
            Mistake(_share_with_both_changes, "That also lets the merchants pay the bonus: change only send_cost."),
        ],
        hints={
            "wrong": "Lower the cost of sending a personalised offer (send_cost=1.0), keep Kopilka paying the "
                     "bonus, and read figures['share_targeted'].",
        },
    ),
    Exercise(
        "6.4",
        expected=_best_lever,
        kind="choice",
        choices=STAFF_LEVERS,
        what="one label of case.staff, in quotes",
        # Each hint names the slip that leads to its label, never another label.
        label_hints={
            "empowerment: universal": "Not this one: a lever that reaches every agent has a large gain, but "
                                      "divide each lever's csat_gain by its annual_cost before comparing.",
            "+16 h training": "Not this one: compare csat_gain per rouble of annual_cost, not csat_gain alone.",
        },
        hints={"wrong": "Not this one: divide each lever's csat_gain by its annual_cost and take the largest."},
    ),
    Exercise(
        "6.5",
        expected=_npv_both,
        kind="number",
        rtol=0.001,
        what="a mean NPV in RUB (a single number)",
        mistakes=[
            Mistake(_npv_bonus_only, "That changes only who pays the bonus: also set send_cost=1.0."),
            Mistake(_npv_send_cost_only, "That changes only the sending cost: also set "
                                                        "merchants_fund_bonus=True."),
        ],
        hints={
            "wrong": "Change both assumptions, merchants_fund_bonus=True and send_cost=1.0, and read "
                     "figures['mean_npv'].",
        },
    ),
]
