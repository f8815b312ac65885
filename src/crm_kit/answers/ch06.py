"""Self-checks of chapter 6, the capstone: Kopilka's board case.

Each expected answer runs :func:`crm_course.kopilka.board.board_case` on the
shipped tables with the settings the notebook states (the default
assumptions, changed as each exercise says, and the default random draws),
the first time a student checks an answer; so the answers follow the data if
they are regenerated. In a group's own world the self-checks disagree, as
the syllabus warns: they compare with the shipped data.
"""

from __future__ import annotations

from functools import lru_cache

from crm_kit.exercises import Exercise

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


def _probability_loss() -> float:
    return float(_case().figures["probability_loss"])


def _plan_b_npv() -> float:
    return float(_case(merchants_fund_bonus=True).figures["mean_npv"])


def _share_at_one_rouble() -> float:
    return float(_case(send_cost=1.0).figures["share_targeted"])


def _best_lever() -> str:
    staff = _case().staff.loc[list(STAFF_LEVERS)]
    return str((staff["csat_gain"] / staff["annual_cost"]).idxmax())


def _break_even_members() -> float:
    return float(_case(merchants_fund_bonus=True, send_cost=1.0).figures["break_even_members"])


EXERCISES = [
    Exercise(
        "6.1",
        expected=_probability_loss,
        kind="share",
        rtol=0,
        atol=0.0005,
        what="a probability (a share between 0 and 1)",
        hints={
            "low": "Too low: read the share of Monte Carlo draws with a negative NPV for the proposed programme "
                   "(case.figures['probability_loss']), not the ROI.",
            "correct": "Well done. A probability this close to 1 says the programme loses money in practically "
                       "every draw: the uncertainty in the estimates is not what stands between it and a profit.",
        },
    ),
    Exercise(
        "6.2",
        expected=_plan_b_npv,
        kind="number",
        rtol=0.01,
        what="a mean NPV in RUB (a single, probably negative, number)",
        hints={
            "low": "Too low: change only merchants_fund_bonus to True (replace(BoardAssumptions(), "
                   "merchants_fund_bonus=True)) and keep the default rng.",
            "high": "Too high: give the mean NPV of the proposed programme (the first option), not of another "
                    "option, and keep its sign.",
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
        what="a share of campaign members (between 0 and 1)",
        hints={
            "low": "Too low: lower the cost of sending a personalised offer (send_cost=1.0) and keep Kopilka "
                   "paying the bonus, then read figures['share_targeted'].",
            "high": "Too high: change only send_cost; the merchants do not pay the bonus in this exercise.",
        },
    ),
    Exercise(
        "6.4",
        expected=_best_lever,
        kind="choice",
        choices=STAFF_LEVERS,
        what="one label of case.staff, in quotes",
        label_hints={
            "empowerment: universal": "Divide each lever's csat_gain by its annual_cost: universal empowerment "
                                      "reaches every agent, so it costs far more than the selective policy.",
            "+16 h training": "Divide each lever's csat_gain by its annual_cost; training's gain is large but "
                              "uncertain, and it is not the largest per rouble.",
        },
    ),
    Exercise(
        "6.5",
        expected=_break_even_members,
        kind="number",
        rtol=0.01,
        what="a number of active members",
        hints={
            "high": "Too high: change both assumptions, merchants_fund_bonus=True and send_cost=1.0.",
            "low": "Too low: read figures['break_even_members'] of the case with both changes.",
        },
    ),
]
