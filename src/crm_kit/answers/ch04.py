"""Self-checks of chapter 4, CRM and the human factor.

The expected answers are computed from the shipped tables with the chapter's
helpers the first time a student checks an answer, so they follow the data if
the data are regenerated. Exercise 4.6 is open and has no self-check.
"""

from __future__ import annotations

from functools import lru_cache

from crm_kit.exercises import Exercise


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


def _effective_contacts() -> float:
    from crm_course.multilevel import csat_mixed, intra_agent_correlation

    frame = _frame()
    return float(len(frame) / intra_agent_correlation(csat_mixed(frame))["design_effect"])


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


EXERCISES = [
    Exercise(
        "4.1",
        expected=_desk_gap,
        kind="number",
        rtol=0,
        atol=0.01,
        what="a difference in engagement points (one number; negative if shared-desk agents score lower)",
        hints={
            "high": "Too high: take the mean engagement of agents WITH a shared desk minus that of agents "
                    "with their own desk, in that order.",
            "low": "Too low: compare mean engagement scores of the two groups of agents, from the agents table "
                   "(one row per agent), not from the contacts.",
            "close": "Nearly: use the unrounded means of the two groups.",
        },
    ),
    Exercise(
        "4.2",
        expected=_pay_in_hours,
        kind="number",
        rtol=0.005,
        what="a number of training hours",
        hints={
            "high": "Too high: divide the on-time-pay coefficient by the training coefficient (per hour), "
                    "both from the same regression.",
            "low": "Too low: divide the coefficient of paid_on_time by that of training_hours, not the other way round.",
        },
    ),
    Exercise(
        "4.3",
        expected=_effective_contacts,
        kind="number",
        rtol=0.02,
        what="a number of contacts",
        hints={
            "high": "Too high: divide the number of contacts by the design effect, 1 + (m - 1) x ICC, "
                    "with m the mean number of contacts per agent.",
            "low": "Too low: use the intra-agent correlation of the model with all the terms (section 4.3), "
                   "not of the empty model.",
        },
    ),
    Exercise(
        "4.4",
        expected=_meetings_slope,
        kind="number",
        rtol=0.005,
        what="a slope in percentage points of growth per meeting",
        hints={
            "high": "Too high: regress growth on meetings_per_year alone, as the exercise asks.",
            "low": "Too low: leave relationship quality out of this regression; that is the point of the exercise.",
        },
    ),
    Exercise(
        "4.5",
        expected=_pay_everyone_pp,
        kind="number",
        rtol=0,
        atol=0.05,
        what="a change in percentage points (negative for a fall), e.g. -1.5",
        hints={
            "high": "Too high: a rise in engagement should lower the share of dissatisfied contacts; "
                    "give the change as scenario minus 'as is', in percentage points (x 100).",
            "low": "Too low: raise engagement only for agents who are not paid on time now, by the on-time-pay "
                   "coefficient of section 4.1.",
            "close": "Nearly: give the point estimate (diff_share_dissatisfied) times 100.",
        },
    ),
]
