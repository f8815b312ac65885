"""Self-checks of chapter 5, the economics of customer relationships.

Each expected answer is computed from the active world's tables with the chapter's
helpers the first time a student checks an answer, so it follows the data if
they are regenerated. The settings below are the ones the notebook states.
"""

from __future__ import annotations

from functools import lru_cache

from crm_kit.exercises import Exercise, Mistake

#: Last day of the Kopilka data and the notebook's yearly discount rate.
OBSERVATION_END = "2024-12-29"
DISCOUNT = 0.15


def _load(name: str):
    # Imported here so that importing this module never touches the data.
    from crm_course.data import load

    return load(name)


def _half_year_retention() -> float:
    from crm_course.retention import retention_rate

    out = retention_rate(_load("transactions"), base=("2024-01-01", "2024-06-30"),
                         following=("2024-07-01", OBSERVATION_END))
    return float(out["retention"])


def _yearly_retention() -> float:
    from crm_course.retention import retention_rate

    out = retention_rate(_load("transactions"), base=("2023-01-01", "2023-12-31"),
                         following=("2024-01-01", OBSERVATION_END))
    return float(out["retention"])


def _clv_elasticity() -> float:
    from crm_course.clv import clv_contractual

    r = _yearly_retention()
    return 100 * (clv_contractual(1.0, 1.01 * r, DISCOUNT) / clv_contractual(1.0, r, DISCOUNT) - 1)


@lru_cache(maxsize=1)
def _bgnbd():
    from crm_course.clv import BGNBDFitter, rfm_summary

    summary = rfm_summary(_load("transactions"), OBSERVATION_END)
    summary = summary[summary["T"] > 0]
    return BGNBDFitter().fit(summary), summary


def _bgnbd_predictions(weeks: float):
    model, summary = _bgnbd()
    return model.predict(weeks, summary)


def _expected_purchases_next_year() -> float:
    return float(_bgnbd_predictions(52).sum())


def _referral_survival(weeks: float) -> float:
    from crm_course.survival import kaplan_meier, lapse_durations, survival_at

    customers = _load("customers").set_index("customer_id")
    durations = lapse_durations(_load("transactions"), observation_end=OBSERVATION_END).join(customers["channel"])
    at = survival_at(kaplan_meier(durations, group="channel"), weeks)
    return float(at.loc[at["group"] == "referral", "survival"].iloc[0])


def _referral_survival_13() -> float:
    return _referral_survival(13)


def _referral_survival_52() -> float:
    return _referral_survival(52)


def _heaviest_buyer(summary):
    """The member with the most repeat purchase days (the smallest ``customer_id`` if several tie)."""
    return summary.sort_index()["frequency"].idxmax()


def _bgnbd_loglik_top() -> float:
    """Exercise 5.7: the BG/NBD log-likelihood of the heaviest buyer at the parameters fitted on all the data."""
    import numpy as np
    from scipy.special import betaln, gammaln

    model, summary = _bgnbd()
    r, alpha, a, b = (float(v) for v in model.params_)
    top = _heaviest_buyer(summary)
    x, tx, T = (float(summary.loc[top, c]) for c in ("frequency", "recency", "T"))
    shared = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    stays = shared + betaln(a, b + x) - (r + x) * np.log(alpha + T)
    left = shared + betaln(a + 1, b + x - 1) - (r + x) * np.log(alpha + tx) if x > 0 else -np.inf
    return float(np.logaddexp(stays, left))


def _bgnbd_loglik_top_without_second_term() -> float:
    import numpy as np
    from scipy.special import betaln, gammaln

    model, summary = _bgnbd()
    r, alpha, a, b = (float(v) for v in model.params_)
    top = _heaviest_buyer(summary)
    x, T = float(summary.loc[top, "frequency"]), float(summary.loc[top, "T"])
    return float(gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b) + betaln(a, b + x)
                 - (r + x) * np.log(alpha + T))


#: The covariates of the chapter's Cox model of lapsing after the first contact.
COX_COVARIATES = "first_csat + first_payout_received + np.log1p(orders_before) + C(channel)"


def _after_contact():
    from crm_course.survival import lapse_durations, support_experience

    transactions = _load("transactions")
    experience = support_experience(_load("contacts"), transactions)
    return (lapse_durations(transactions, lapse_weeks=26, observation_end=OBSERVATION_END,
                            origin=experience["first_contact_date"])
            .join(experience).join(_load("customers").set_index("customer_id")["channel"]))


def _csat_log_hr_after(weeks: float) -> float:
    from crm_course.survival import cox_model, hazard_ratios

    data = _after_contact()
    return float(hazard_ratios(cox_model(data[data["duration"] > weeks], COX_COVARIATES)).loc["first_csat", "log_hr"])


def _log_hr_after_13() -> float:
    return _csat_log_hr_after(13)


def _log_hr_after_0() -> float:
    return _csat_log_hr_after(0)


def _hr_after_13() -> float:
    import math

    return math.exp(_csat_log_hr_after(13))


def _schoenfeld_rho(transform: str) -> float:
    """Exercise 5.10: Pearson correlation of first_csat's Schoenfeld residuals with (the rank of) lapse time."""
    import numpy as np
    import pandas as pd

    from crm_course.survival import cox_model

    result = cox_model(_after_contact(), COX_COVARIATES)
    residuals = pd.DataFrame(result.schoenfeld_residuals, columns=result.model.exog_names)["first_csat"]
    lapsed = residuals.notna().to_numpy()
    times = pd.Series(result.model.endog[lapsed])
    g = times.rank() if transform == "rank" else times
    return float(np.corrcoef(residuals[lapsed].to_numpy(), g.to_numpy())[0, 1])


def _rho_time() -> float:
    return _schoenfeld_rho("identity")


def _rho_rank() -> float:
    return _schoenfeld_rho("rank")


def _calibration():
    from crm_course.clv import calibration_holdout

    data = calibration_holdout(_load("transactions"), "2024-06-30", OBSERVATION_END)
    return data[data["T"] > 0]


def _pareto_loglik() -> float:
    from crm_course.clv import ParetoNBDFitter

    return float(ParetoNBDFitter().fit(_calibration()).log_likelihood_)


def _bgnbd_calibration_loglik() -> float:
    from crm_course.clv import BGNBDFitter

    return float(BGNBDFitter().fit(_calibration()).log_likelihood_)


#: The programme's costs in RUB, as assumed in the notebook.
COSTS = {"process_upfront": 300_000.0, "process_annual": 60_000.0, "people_annual": 100_000.0}
CAMPAIGNS_PER_YEAR = 4
TRAINING_HOURS_ADDED = 16
COST_PER_CONTACT = 180.0  # RUB, fully loaded: what the business case charges each contact the offer causes


@lru_cache(maxsize=1)
def _cofunded_inputs() -> dict:
    """The inputs of plan B, gathered as in the notebook (campaign bonus paid by the merchants)."""
    import numpy as np

    from crm_course.profitability import relationship_value
    from crm_course.retention import retention_rate
    from crm_course.survival import cox_model, hazard_ratios, lapse_durations
    from crm_course.survival import support_experience
    from crm_course.inference import linear_combinations
    from crm_course.kopilka.support import support_frame
    from crm_course.ratings import csat_ols
    from crm_course.regression import engagement_drivers
    from crm_course.campaign_economics import net_lift
    from crm_course.kopilka.campaign import campaign_frame

    transactions, contacts = _load("transactions"), _load("contacts")
    agents, campaign = _load("agents"), _load("offer_experiment")
    customers = _load("customers").set_index("customer_id")
    values = relationship_value(transactions, contacts, start="2024-01-01", end=OBSERVATION_END)
    retention = retention_rate(transactions, base=("2023-01-01", "2023-12-31"),
                               following=("2024-01-01", OBSERVATION_END))
    # Plan B: the merchants fund the bonus; the lift is net of the support contacts the offer causes (at the
    # fully loaded cost) and estimated on the members who ordered in 2024 before the campaign.
    lift = net_lift(campaign_frame(campaign, transactions, contacts), contact_cost=COST_PER_CONTACT,
                    cost="send_cost", subgroup="active_before").set_index("arm").loc["personalised"]
    gain = linear_combinations(
        engagement_drivers(agents),
        {"people": {"paid_on_time": float(1 - agents["paid_on_time"].mean()), "training_hours": TRAINING_HOURS_ADDED}},
    ).iloc[0]
    csat = csat_ols(support_frame(contacts, agents), "engagement_c")
    experience = support_experience(contacts, transactions)
    followed = lapse_durations(transactions, origin=experience["first_contact_date"], observation_end=OBSERVATION_END)
    data = followed.join(experience).join(customers["channel"])
    cox = hazard_ratios(cox_model(data, "first_csat + first_payout_received + np.log1p(orders_before) + C(channel)"))
    return {
        "members": len(values),
        "margin_per_member": (float(values["net_margin"].mean()), float(values["net_margin"].sem())),
        "retention": (float(retention["retention"]), float(retention["std_error"])),
        "campaigns_per_year": CAMPAIGNS_PER_YEAR,
        "targeted_share": 1.0,
        "campaign_lift": (float(lift["net_lift"]), float(lift["net_lift_se"])),
        "contacted_share": float(np.mean(values["contacts"] > 0)),
        "engagement_gain": (float(gain["estimate"]), float(gain["std_error"])),
        "csat_per_engagement": (float(csat.params["engagement_c"]), float(csat.bse["engagement_c"])),
        "log_hr_per_csat": (float(cox.loc["first_csat", "log_hr"]), float(cox.loc["first_csat", "std_error"])),
    }


#: Exercise 5.5 asks about a longer commitment than the notebook's three years.
LONGER_HORIZON = 5


def _break_even_lift_five_years() -> float:
    """The campaign effect plan B needs to break even over five years.

    A break-even campaign effect always exists: the NPV rises with the effect
    as long as some members are targeted (unlike a break-even number of
    members, which exists only if each member adds a positive margin).
    """
    from crm_course.finance import break_even

    return float(break_even(_cofunded_inputs(), COSTS, "campaign_lift", horizon=LONGER_HORIZON, discount=DISCOUNT))


# -- the answers of common slips, computed on the same data -----------------------------------


def _clv_elasticity_one_point() -> float:
    from crm_course.clv import clv_contractual

    r = _yearly_retention()
    return 100 * (clv_contractual(1.0, r + 0.01, DISCOUNT) / clv_contractual(1.0, r, DISCOUNT) - 1)


def _clv_elasticity_as_ratio() -> float:
    return _clv_elasticity() / 100


def _expected_purchases_next_week() -> float:
    return float(_bgnbd_predictions(1).sum())


def _expected_purchases_per_member() -> float:
    return float(_bgnbd_predictions(52).mean())


def _referral_survival_26() -> float:
    return _referral_survival(26)


def _survival_13_all_channels() -> float:
    from crm_course.survival import kaplan_meier, lapse_durations, survival_at

    durations = lapse_durations(_load("transactions"), observation_end=OBSERVATION_END)
    return float(survival_at(kaplan_meier(durations), 13)["survival"].iloc[0])


def _break_even_lift_three_years() -> float:
    from crm_course.finance import break_even

    return float(break_even(_cofunded_inputs(), COSTS, "campaign_lift", horizon=3, discount=DISCOUNT))


EXERCISES = [
    Exercise(
        "5.1",
        expected=_half_year_retention,
        kind="share",
        rtol=0,
        atol=0.0005,
        what="the half-year retention rate (a share between 0 and 1)",
        mistakes=[
            Mistake(_yearly_retention, "That is the year-on-year rate: use the two halves of 2024."),
        ],
        hints={
            "wrong": "The base is every member with an order in January-June 2024, including those who ordered "
                     "only once; a member counts as retained with one order or more in July-December.",
            "correct": "Well done: compare it with the year-on-year rate; a shorter period keeps more members.",
        },
    ),
    Exercise(
        "5.2",
        expected=_clv_elasticity,
        kind="number",
        rtol=0.01,
        atol=0.0,
        what="a percentage change of CLV (a number such as 2.5 for 2.5%)",
        mistakes=[
            Mistake(_clv_elasticity_one_point, "That raises retention by one percentage point: raise it by 1% of "
                                               "itself (multiply it by 1.01)."),
            Mistake(_clv_elasticity_as_ratio, "That is the relative change: give it in percent (times 100)."),
        ],
        hints={
            "wrong": "Compute the contractual CLV at 1.01 times the year-on-year retention and at the retention "
                     "itself, with the 15% discount rate, and give the change in percent.",
            "correct": "Well done: the elasticity is (1 + d) / (1 + d - r), small when retention is low.",
        },
    ),
    Exercise(
        "5.3",
        expected=_expected_purchases_next_year,
        kind="number",
        rtol=0.005,
        what="the expected number of purchases of all members together (one number)",
        mistakes=[
            Mistake(_expected_purchases_next_week, "That is one week: the model's time unit is the week, so ask "
                                                   "for 52."),
            Mistake(_expected_purchases_per_member, "That is the average member: add up over every member."),
        ],
        hints={
            "wrong": "The likely slips: the time unit (the summary's clock runs in weeks), a per-member average "
                     "where the question asks for all members together, or multiplying by the probability of "
                     "being alive a second time.",
        },
    ),
    Exercise(
        "5.4",
        expected=_referral_survival_13,
        kind="share",
        rtol=0,
        atol=0.001,
        what="a survival probability (a share between 0 and 1)",
        mistakes=[
            Mistake(_referral_survival_26, "That is the curve at 26 weeks, a value the table prints: read it at 13."),
            Mistake(_survival_13_all_channels, "That is the curve of all members: read the referral channel's."),
        ],
        hints={
            "wrong": "The likely slips: reading the curve of all members instead of the referral channel's, or "
                     "reading it at a week other than 13 (the printed table shows 0, 26 and 52).",
        },
    ),
    Exercise(
        "5.5",
        expected=_break_even_lift_five_years,
        kind="number",
        rtol=0.01,
        what="a campaign effect in RUB per targeted member per campaign (one number)",
        mistakes=[
            Mistake(_break_even_lift_three_years, "That is the three-year answer: run the programme for five years "
                                                  "(horizon=5)."),
        ],
        hints={
            "wrong": "Keep the 15% discount rate and every cost in costs, run five years, and ask break_even() for "
                     "'campaign_lift' (RUB per targeted member per campaign), not for a yearly total.",
            "correct": "Well done: decide on the expected value, comparing the bar with the point estimate of what "
                       "the co-funded offer earns (lift_b); its 95% interval measures the risk and the value of "
                       "more evidence, not the decision.",
        },
    ),
    Exercise(
        "5.7",
        expected=_bgnbd_loglik_top,
        kind="number",
        rtol=0,
        atol=0.001,
        what="a log-likelihood (a negative number)",
        mistakes=[
            Mistake(_bgnbd_loglik_top_without_second_term,
                    "That is the first term alone: the heaviest buyer has repeat purchases, so add the term for having "
                    "dropped out after the last one (np.logaddexp of the two log terms)."),
        ],
        hints={
            "wrong": "Check your function first: its sum over summary must equal purchases_all.log_likelihood_. "
                     "The usual slips are T instead of t_x in the second term, and computing in levels, which "
                     "underflows for a heavy buyer.",
        },
    ),
    Exercise(
        "5.8",
        expected=_log_hr_after_13,
        kind="number",
        rtol=0,
        atol=0.001,
        what="a log hazard ratio (a number near 0)",
        mistakes=[
            Mistake(_log_hr_after_0, "That keeps every member who ordered again (duration > 0): keep those still "
                                     "followed after week 13 (duration > 13)."),
            Mistake(_hr_after_13, "That is the hazard ratio: give its log, the model's coefficient (log_hr)."),
        ],
        hints={
            "wrong": "The likely slip is the filter: 'still followed after week 13' is not 'ordered again', and "
                     "shifting the clock changes the question. Give the coefficient, not the hazard ratio.",
        },
    ),
    Exercise(
        "5.9",
        expected=_pareto_loglik,
        kind="number",
        rtol=0,
        atol=0.5,
        what="a maximised log-likelihood (a negative number)",
        mistakes=[
            Mistake(_bgnbd_calibration_loglik, "That is the BG/NBD's log-likelihood: fit clv.ParetoNBDFitter."),
        ],
        hints={
            "wrong": "Fit clv.ParetoNBDFitter() on calibration (not on summary: likelihoods compare only on the "
                     "same members) and read its log_likelihood_.",
        },
    ),
    Exercise(
        "5.10",
        expected=_rho_time,
        kind="number",
        rtol=0,
        atol=0.002,
        what="a correlation (a number between -1 and 1)",
        mistakes=[
            Mistake(_rho_rank, "That is the correlation with the rank of time, the test's rho: now use the lapse "
                               "times themselves."),
        ],
        hints={
            "wrong": "The likely slips: keeping the members who did not lapse (their residuals are NaN), or taking "
                     "times from a different table than the one the model was fitted on (cox.model.endog).",
        },
    ),
]
