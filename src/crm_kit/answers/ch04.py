"""Self-checks of chapter 4, CRM and the human factor.

The expected answers are computed from the active world's tables with the chapter's
helpers the first time a student checks an answer, so they follow the data if
the data are regenerated. Exercise 4.6 is open and has no self-check.
"""

from __future__ import annotations

from functools import lru_cache

from crm_kit.exercises import Exercise, Mistake


@lru_cache(maxsize=1)
def _tables():
    # Imported here so that importing this module never touches the data.
    from crm_course.data import load

    return load("agents"), load("contacts"), load("key_accounts")


@lru_cache(maxsize=1)
def _frame():
    from crm_course.kopilka.support import support_frame

    agents, contacts, _ = _tables()
    return support_frame(contacts, agents)


@lru_cache(maxsize=1)
def _drivers():
    from crm_course.regression import engagement_drivers

    return engagement_drivers(_tables()[0])


def _desk_gap() -> float:
    agents = _tables()[0]
    shared = agents["shared_desk"]
    return float(agents.loc[shared, "engagement"].mean() - agents.loc[~shared, "engagement"].mean())


def _pay_in_hours() -> float:
    params = _drivers().params
    return float(params["paid_on_time"] / params["training_hours"])


@lru_cache(maxsize=1)
def _design_effect() -> float:
    from crm_course.multilevel import csat_mixed, intra_agent_correlation

    return float(intra_agent_correlation(csat_mixed(_frame()))["design_effect"])


def _effective_contacts() -> float:
    return float(len(_frame()) / _design_effect())


def _meetings_slope() -> float:
    from crm_course.regression import key_account_growth

    return float(key_account_growth(_tables()[2], "meetings_per_year").params["meetings_per_year"])


def _pay_everyone_pp() -> float:
    from crm_course.ratings import counterfactual_csat, csat_ordered_logit

    frame = _frame()
    gain = float(_drivers().params["paid_on_time"])
    table = counterfactual_csat(
        csat_ordered_logit(frame),
        frame,
        {"as is": {}, "all paid on time": {"engagement_c": lambda d: d["engagement_c"] + gain * (1 - d["paid_on_time"])}},
        baseline="as is",
        n_draws=10,
    )
    return float(100 * table.loc["all paid on time", "diff_share_dissatisfied"])


# -- the answers of common slips, computed on the same data -----------------------------------


def _minus_desk_gap() -> float:
    return -_desk_gap()


def _desk_gap_over_contacts() -> float:
    agents, contacts, _ = _tables()
    rows = contacts[["agent_id"]].merge(agents[["agent_id", "shared_desk", "engagement"]], on="agent_id")
    shared = rows["shared_desk"]
    return float(rows.loc[shared, "engagement"].mean() - rows.loc[~shared, "engagement"].mean())


def _hours_in_pay() -> float:
    return 1 / _pay_in_hours()


def _contacts_times_design_effect() -> float:
    return float(len(_frame()) * _design_effect())


def _meetings_slope_with_quality() -> float:
    from crm_course.regression import key_account_growth

    return float(key_account_growth(_tables()[2]).params["meetings_per_year"])


def _pay_everyone_share() -> float:
    return _pay_everyone_pp() / 100


def _minus_pay_everyone_pp() -> float:
    return -_pay_everyone_pp()


EXERCISES = [
    Exercise(
        "4.1",
        expected=_desk_gap,
        kind="number",
        rtol=0,
        atol=0.01,
        what="a difference in engagement points (one number; negative if shared-desk agents score lower)",
        mistakes=[
            Mistake(_minus_desk_gap, "That is the difference the other way round: shared-desk agents' mean "
                                     "minus the others'."),
            Mistake(_desk_gap_over_contacts, "That weighs agents by their contacts: use the agents table, one row "
                                             "per agent."),
        ],
        hints={
            "wrong": "Take the mean engagement of agents with a shared desk minus that of agents with their own "
                     "desk, from the agents table (one row per agent).",
            "close": "Nearly: use the unrounded means of the two groups.",
        },
    ),
    Exercise(
        "4.2",
        expected=_pay_in_hours,
        kind="number",
        rtol=0.005,
        what="a number of training hours",
        mistakes=[
            Mistake(_hours_in_pay, "That is the ratio the other way round: divide the coefficient of paid_on_time "
                                   "by that of training_hours."),
        ],
        hints={
            "wrong": "Divide the on-time-pay coefficient by the training coefficient (per hour), both from the "
                     "same regression, drivers.",
        },
    ),
    Exercise(
        "4.3",
        expected=_effective_contacts,
        kind="number",
        rtol=0.02,
        what="a number of contacts",
        mistakes=[
            Mistake(_contacts_times_design_effect, "That multiplies: divide the number of contacts by the design "
                                                   "effect."),
        ],
        hints={
            "wrong": "Divide the number of contacts by the design effect, 1 + (m - 1) x ICC, with m the mean number "
                     "of contacts per agent and the ICC of the model with all the terms (section 4.3).",
        },
    ),
    Exercise(
        "4.4",
        expected=_meetings_slope,
        kind="number",
        rtol=0.005,
        what="a slope in percentage points of growth per meeting",
        mistakes=[
            Mistake(_meetings_slope_with_quality, "That slope holds relationship quality fixed: regress growth on "
                                                  "meetings_per_year alone; that is the point of the exercise."),
        ],
        hints={
            "wrong": "Regress merchant growth on meetings_per_year alone, with key_account_growth(key_accounts, "
                     "\"meetings_per_year\"), and read its slope.",
        },
    ),
    Exercise(
        "4.5",
        expected=_pay_everyone_pp,
        kind="number",
        rtol=0,
        atol=0.05,
        what="a change in percentage points (negative for a fall), e.g. -1.5",
        mistakes=[
            Mistake(_pay_everyone_share, "That is a change in shares: give it in percentage points (times 100)."),
            Mistake(_minus_pay_everyone_pp, "That is the change the other way round: give the scenario minus "
                                            "'as is'."),
        ],
        hints={
            "wrong": "Raise engagement only for agents who are not paid on time now, by the on-time-pay "
                     "coefficient of section 4.1, and give the change in the share of dissatisfied contacts, "
                     "scenario minus 'as is', in percentage points.",
            "close": "Nearly: give the point estimate (diff_share_dissatisfied) times 100.",
        },
    ),
]
