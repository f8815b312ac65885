"""Self-checks of chapter 4, CRM and the human factor.

The expected answers are computed from the active world's tables with the chapter's
helpers the first time a student checks an answer, so they follow the data if
the data are regenerated. Exercise 4.6 is open and has no self-check; exercise 4.8's
sentence is discussed in class, its number is checked.
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


def _cluster_parts():
    import numpy as np

    frame = _frame()
    x = np.column_stack([np.ones(len(frame)), frame["empowered"].astype(float)])
    y = frame["csat"].to_numpy(dtype=float)
    bread = np.linalg.inv(x.T @ x)
    residuals = y - x @ (bread @ x.T @ y)
    return frame, x, bread, residuals


def _clustered_se() -> float:
    from crm_course.ratings import csat_ols

    return float(csat_ols(_frame(), "empowered").bse["empowered"])


def _per_agent():
    from crm_course.kopilka.support import agent_summary

    agents, contacts, _ = _tables()
    return agent_summary(contacts, agents)


def _indirect(outcome: str = "share_dissatisfied", b_alone: bool = False, covariates: str = "") -> float:
    import statsmodels.formula.api as smf

    data = _per_agent().astype({"empowered": int})
    a = smf.ols(f"engagement ~ empowered{covariates}", data).fit().params["empowered"]
    b_terms = "engagement" if b_alone else "empowered + engagement"
    b = smf.ols(f"{outcome} ~ {b_terms}{covariates}", data).fit().params["engagement"]
    return float(a * b)


def _indirect_pp() -> float:
    return 100 * _indirect()


def _misfit_sd() -> float:
    import numpy as np

    per_agent = _per_agent()
    arms = per_agent[per_agent["fit"] == 0].groupby("empowered")["mean_csat"].agg(["var", "size"])
    return float(np.sqrt(((arms["size"] - 1) * arms["var"]).sum() / (arms["size"].sum() - 2)))


#: The smallest effect on an agent's mean CSAT that would pay for empowering agents who fail the
#: Eastman criteria: exercise 4.8's assumption, not an estimate.
PAYING_EFFECT = 0.2


def _agents_per_arm(
    sigma: float | None = None,
    alpha_z: float = 1.959963984540054,
    factor: float = 2.0,
    delta: float = PAYING_EFFECT,
) -> float:
    import math

    sigma = _misfit_sd() if sigma is None else sigma
    return float(math.ceil(factor * (alpha_z + 0.8416212335729143) ** 2 * sigma**2 / delta**2))


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


def _naive_se() -> float:
    from crm_course.ratings import csat_ols

    return float(csat_ols(_frame(), "empowered", se="naive").bse["empowered"])


def _cr0_se() -> float:
    import numpy as np
    import pandas as pd

    frame, x, bread, residuals = _cluster_parts()
    scores = pd.DataFrame(x * residuals[:, None]).groupby(frame["agent_id"].to_numpy()).sum().to_numpy()
    return float(np.sqrt((bread @ (scores.T @ scores) @ bread)[1, 1]))


def _cr0_variance() -> float:
    return _cr0_se() ** 2


def _indirect_b_alone() -> float:
    return 100 * _indirect(b_alone=True)


def _indirect_with_covariates() -> float:
    return 100 * _indirect(covariates=" + paid_on_time + shared_desk + training_hours")


def _indirect_share() -> float:
    return _indirect()


def _indirect_mean_csat_pp() -> float:
    return 100 * _indirect("mean_csat")


def _per_arm_one_sided() -> float:
    return _agents_per_arm(alpha_z=1.6448536269514722)


def _both_arms() -> float:
    return 2 * _agents_per_arm()


def _per_arm_without_two() -> float:
    return _agents_per_arm(factor=1.0)


def _per_arm_at_estimate() -> float:
    return _agents_per_arm(delta=0.18)


def _per_arm_contact_sd() -> float:
    return _agents_per_arm(sigma=float(_frame()["csat"].std()))


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
        expected=_cr0_se,
        kind="number",
        rtol=0.002,
        what="a CR0 standard error in CSAT points (one positive number, without the small-sample factor)",
        mistakes=[
            Mistake(_naive_se, "That is the naive standard error, which treats every contact as independent: sum "
                               "X_g' e_g within each agent before squaring."),
            Mistake(_clustered_se, "That is CR1, with the small-sample factor G/(G-1) x (N-1)/(N-K): the check "
                                   "asks for CR0, without it (apply the factor afterwards to compare)."),
            Mistake(_cr0_variance, "That is the variance, the diagonal element of V: take its square root."),
        ],
        hints={
            "wrong": "Sum the rows of X times their residuals within each agent (one vector s_g per agent), "
                     "build the middle matrix from those sums, and take the square root of the empowered element "
                     "of (X'X)^-1 M (X'X)^-1, without the small-sample factor.",
            "close": "Nearly: CR0 has no small-sample factor; check the residuals and the sums within agents.",
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
    Exercise(
        "4.7",
        expected=_indirect_pp,
        kind="number",
        rtol=0.005,
        what="a change in percentage points of the share of dissatisfied contacts, e.g. -5.0",
        mistakes=[
            Mistake(_indirect_b_alone, "Your b comes from a regression of the outcome on engagement alone: hold "
                                       "empowerment fixed in the second regression."),
            Mistake(_indirect_with_covariates, "Your regressions hold pay, desk and training fixed, as section 4.4 "
                                               "does: this exercise asks for no covariates."),
            Mistake(_indirect_share, "That is a change in the share: give it in percentage points (times 100)."),
            Mistake(_indirect_mean_csat_pp, "That is the indirect effect on mean CSAT: the outcome here is "
                                            "share_dissatisfied."),
        ],
        hints={
            "wrong": "a is the empowered coefficient in engagement ~ empowered; b is the engagement coefficient in "
                     "share_dissatisfied ~ empowered + engagement; both on per_agent, no covariates.",
        },
    ),
    Exercise(
        "4.8",
        expected=_agents_per_arm,
        kind="number",
        rtol=0.03,
        what="a whole number of agents in one arm",
        mistakes=[
            Mistake(_both_arms, "That is both arms together: give the agents needed in one arm."),
            Mistake(_per_arm_one_sided, "That uses a one-sided test: the question asks for a two-sided test at 5%, "
                                        "z = 1.96."),
            Mistake(_per_arm_without_two, "The formula for a difference of two means has a factor 2."),
            Mistake(_per_arm_at_estimate, "That powers the pilot at the current estimate, -0.18: use delta = 0.2, "
                                          "the smallest effect that would pay."),
            Mistake(_per_arm_contact_sd, "That uses the spread of single ratings: sigma is the spread of agents' "
                                         "mean CSAT, among agents who fail a criterion."),
        ],
        hints={
            "wrong": "sigma is the pooled standard deviation of mean_csat within the two arms, among agents with "
                     "fit == 0; delta is 0.2, the smallest effect that would pay; z values 1.96 and 0.84; round up.",
        },
    ),
]
