"""Self-checks of chapter 2, "To be CRM or not to be": the merchant panel.

The expected answers are computed from the active world's tables with the chapter's
helpers the first time a student checks an answer, so they follow the data
if the data are regenerated.
"""

from __future__ import annotations

from crm_kit.exercises import Exercise, Mistake

_PP = "Give the answer in percentage points: a difference in shares of 0.012 is 1.2 points."


def _panel():
    # Imported here so that importing this module never touches the data.
    from crm_course.data import load

    return load("merchant_panel")


def _median_size_gap() -> float:
    merchants = _panel().groupby("merchant_id")[["crm_adoption_year", "employees"]].first()
    adopter = merchants["crm_adoption_year"].notna()
    return float(merchants.loc[adopter, "employees"].median() - merchants.loc[~adopter, "employees"].median())


def _gap_2015_pp() -> float:
    panel = _panel()
    y2015 = panel[panel["year"] == 2015]
    adopter = y2015["crm_adoption_year"].notna()
    return float(100 * (y2015.loc[adopter, "repeat_rate"].mean() - y2015.loc[~adopter, "repeat_rate"].mean()))


def _cross_section_pp(year: int = 2019, *, split: str = "crm_active") -> float:
    """Difference in mean repeat rate, merchants with CRM minus the others, in one year."""
    panel = _panel()
    rows = panel[panel["year"] == year]
    treated = rows[split].astype(bool) if split == "crm_active" else rows[split].notna()
    return float(100 * (rows.loc[treated, "repeat_rate"].mean() - rows.loc[~treated, "repeat_rate"].mean()))


def _naive_2019_pp() -> float:
    return _cross_section_pp(2019)


def _naive_2019_ever_adopters_pp() -> float:
    return _cross_section_pp(2019, split="crm_adoption_year")


def _naive_2024_pp() -> float:
    return _cross_section_pp(2024)


def _did_cells() -> dict:
    """Mean repeat rate of the 2018 adopters and the never-adopters in 2017 and 2018."""
    panel = _panel()
    start = panel["crm_adoption_year"]
    rows = panel[((start == 2018) | start.isna()) & panel["year"].isin([2017, 2018])]
    means = rows.groupby([rows["crm_adoption_year"].notna(), "year"])["repeat_rate"].mean()
    return {(bool(a), int(y)): float(v) for (a, y), v in means.items()}


def _did_2018_pp() -> float:
    m = _did_cells()
    return 100 * ((m[(True, 2018)] - m[(True, 2017)]) - (m[(False, 2018)] - m[(False, 2017)]))


def _did_adopters_change_pp() -> float:
    m = _did_cells()
    return 100 * (m[(True, 2018)] - m[(True, 2017)])


def _did_levels_2018_pp() -> float:
    m = _did_cells()
    return 100 * (m[(True, 2018)] - m[(False, 2018)])


def _did_all_adopters_pp() -> float:
    panel = _panel()
    rows = panel[panel["year"].isin([2017, 2018])]
    adopted = rows["crm_adoption_year"].notna()
    m = rows.groupby([adopted, "year"])["repeat_rate"].mean()
    return float(100 * ((m[(True, 2018)] - m[(True, 2017)]) - (m[(False, 2018)] - m[(False, 2017)])))


def _fit_and_spread():
    from crm_course.effect_heterogeneity import effect_spread, unit_effects
    from crm_course.panel import twfe_regression

    panel = _panel()
    fit = twfe_regression(panel, moderator="customer_heterogeneity")
    spread = effect_spread(unit_effects(panel, moderator="customer_heterogeneity"),
                           moderator="customer_heterogeneity", center=0.5)
    return fit, spread


def _pred_low_06(*, with_tau: bool = True, quadrature: bool = True) -> float:
    import numpy as np
    from scipy import stats

    from crm_course.panel import effect_curve

    fit, spread = _fit_and_spread()
    at = effect_curve(fit, [0.6]).iloc[0]
    t = stats.t.ppf(0.975, spread.n_units - 3)
    tau = spread.tau if with_tau else 0.0
    width = np.sqrt(at["std_error"] ** 2 + tau**2) if quadrature else at["std_error"] + tau
    return float(100 * (at["effect"] - t * width))


def _pred_low_06_pp() -> float:
    return _pred_low_06()


def _conf_low_06_pp() -> float:
    return _pred_low_06(with_tau=False)


def _pred_low_06_added_pp() -> float:
    return _pred_low_06(quadrature=False)


SPORTS = dict(heterogeneity=0.55, repeat_share=0.30, customers=30_000, margin_per_repeat_customer=1_500,
              annual_cost=2_200_000, pilot_sampling_sd_pp=0.8, pilot_cost=200_000, horizon_years=3,
              pilot_duration=0.25)


def _sports(**changes) -> dict:
    from crm_course.decision import assess_crm_fit

    fit, spread = _fit_and_spread()
    args = dict(SPORTS, firm_sd=spread) | changes
    h = args.pop("heterogeneity")
    return assess_crm_fit(fit, h, can_act=True, **args).iloc[0].to_dict()


def _pilot_net_rub() -> float:
    return float(_sports()["pilot_net_rub"])


def _pilot_evsi_rub() -> float:
    return float(_sports()["pilot_evsi_rub"])


def _pilot_net_without_firm_sd_rub() -> float:
    return float(_sports(firm_sd=None)["pilot_net_rub"])


def _pilot_net_one_year_rub() -> float:
    return float(_sports(horizon_years=1, pilot_duration=0.0)["pilot_net_rub"])


def _pilot_net_no_delay_rub() -> float:
    return float(_sports(pilot_duration=0.0)["pilot_net_rub"])


def _evpi_less_cost_rub() -> float:
    row = _sports()
    return float(row["evpi_rub"] - SPORTS["pilot_cost"])


def _kopilka_gini() -> float:
    import numpy as np

    from crm_course.data import load

    orders = load("transactions")
    kept = orders[(orders["order_date"].dt.year == 2024) & (orders["status"] != "declined")]
    x = np.sort(kept.groupby("customer_id")["order_value"].sum().to_numpy())
    n = len(x)
    return float(((2 * np.arange(1, n + 1) - n - 1) @ x) / (n * x.sum()))


# -- the answers of common slips, computed on the same data -----------------------------------


def _negative(function):
    def flipped() -> float:
        return -function()

    flipped.__name__ = f"minus{function.__name__}"
    return flipped


def _in_shares(function):
    def shares() -> float:
        return function() / 100

    shares.__name__ = f"{function.__name__}_as_share"
    return shares


def _mean_size_gap() -> float:
    merchants = _panel().groupby("merchant_id")[["crm_adoption_year", "employees"]].first()
    adopter = merchants["crm_adoption_year"].notna()
    return float(merchants.loc[adopter, "employees"].mean() - merchants.loc[~adopter, "employees"].mean())


def _median_size_gap_of_rows() -> float:
    panel = _panel()
    adopter = panel["crm_adoption_year"].notna()
    return float(panel.loc[adopter, "employees"].median() - panel.loc[~adopter, "employees"].median())


def _gap_all_years_pp() -> float:
    panel = _panel()
    adopter = panel["crm_adoption_year"].notna()
    return float(100 * (panel.loc[adopter, "repeat_rate"].mean() - panel.loc[~adopter, "repeat_rate"].mean()))


def _twfe_pp() -> float:
    from crm_course.panel import twfe_regression

    return float(100 * twfe_regression(_panel()).params["crm_active"])


def _slope_pp() -> float:
    from crm_course.panel import twfe_regression

    fit = twfe_regression(_panel(), moderator="customer_heterogeneity")
    slope = [name for name in fit.params.index if name.startswith("crm_active:")]
    return float(100 * fit.params[slope[0]])


def _gini_of(kept) -> float:
    import numpy as np

    x = np.sort(kept.groupby("customer_id")["order_value"].sum().to_numpy())
    n = len(x)
    return float(((2 * np.arange(1, n + 1) - n - 1) @ x) / (n * x.sum()))


def _gini_with_declined() -> float:
    from crm_course.data import load

    orders = load("transactions")
    return _gini_of(orders[orders["order_date"].dt.year == 2024])


def _gini_all_years() -> float:
    from crm_course.data import load

    orders = load("transactions")
    return _gini_of(orders[orders["status"] != "declined"])


def _gini_with_non_buyers() -> float:
    import numpy as np

    from crm_course.data import load

    orders = load("transactions")
    kept = orders[(orders["order_date"].dt.year == 2024) & (orders["status"] != "declined")]
    revenue = kept.groupby("customer_id")["order_value"].sum()
    members = load("customers")["customer_id"]
    x = np.sort(revenue.reindex(members, fill_value=0.0).to_numpy())
    n = len(x)
    return float(((2 * np.arange(1, n + 1) - n - 1) @ x) / (n * x.sum()))


_ORDER = "That is the difference the other way round: subtract the never-adopters' value from the adopters'."
_POINTS = "That is a difference in shares: give it in percentage points (times 100)."


EXERCISES = [
    Exercise(
        "2.1",
        expected=_median_size_gap,
        kind="number",
        rtol=0,
        atol=0.5,
        close_atol=3,
        close_rtol=0,
        what="a difference in employees (a single number)",
        mistakes=[
            Mistake(_negative(_median_size_gap), _ORDER),
            Mistake(_mean_size_gap, "That compares means: use the median of each group."),
            Mistake(_median_size_gap_of_rows, "That counts each merchant once a year: take one row per merchant "
                                              "first (group by merchant_id)."),
        ],
        hints={
            "wrong": "Take one row per merchant, then subtract the never-adopters' median number of employees "
                     "from the adopters' median.",
        },
    ),
    Exercise(
        "2.2",
        expected=_gap_2015_pp,
        kind="number",
        rtol=0,
        atol=0.06,
        close_atol=0.5,
        close_rtol=0,
        what="a difference in percentage points (a single number)",
        mistakes=[
            Mistake(_negative(_gap_2015_pp), _ORDER),
            Mistake(_in_shares(_gap_2015_pp), _POINTS),
            Mistake(_gap_all_years_pp, "That uses every year: keep 2015 only, when no merchant had CRM yet."),
        ],
        hints={
            "wrong": "Compare the mean repeat rate in 2015 of the merchants that adopted at any time with that "
                     "of those that never did. " + _PP,
        },
    ),
    Exercise(
        "2.3",
        expected=_naive_2019_pp,
        kind="number",
        rtol=0,
        atol=0.02,
        close_atol=0.3,
        close_rtol=0,
        what="a difference in mean repeat rates, in percentage points (a single number)",
        mistakes=[
            Mistake(_in_shares(_naive_2019_pp), _POINTS),
            Mistake(_negative(_naive_2019_pp), _ORDER),
            Mistake(_naive_2019_ever_adopters_pp, "That splits by whether a merchant ever adopted: the merchants "
                                                  "that adopted after 2019 had no CRM yet in 2019. Split by "
                                                  "crm_active."),
            Mistake(_naive_2024_pp, "That is the 2024 cross-section: keep the 2019 rows."),
            Mistake(_twfe_pp, "That is the two-way fixed-effects estimate: compare the 2019 means only."),
        ],
        hints={
            "wrong": "Keep the rows of 2019, split them by crm_active, and subtract the mean repeat_rate of the "
                     "merchants without CRM from that of those with it. " + _PP,
        },
    ),
    Exercise(
        "2.4",
        expected=_did_2018_pp,
        kind="number",
        rtol=0,
        atol=0.02,
        close_atol=0.3,
        close_rtol=0,
        what="a difference-in-differences in percentage points (a single number)",
        mistakes=[
            Mistake(_negative(_did_2018_pp), "That is the difference the other way round: the adopters' change "
                                             "minus the never-adopters' change."),
            Mistake(_in_shares(_did_2018_pp), _POINTS),
            Mistake(_did_adopters_change_pp, "That is the adopters' own change from 2017 to 2018: subtract the "
                                             "never-adopters' change over the same years, which CRM did not cause."),
            Mistake(_did_levels_2018_pp, "That compares 2018 levels, which include the adopters' head start: "
                                         "compare changes from 2017 to 2018 instead."),
            Mistake(_did_all_adopters_pp, "That uses every merchant that ever adopted: keep the merchants whose "
                                          "crm_adoption_year is 2018 (and the never-adopters) only."),
        ],
        hints={
            "wrong": "Four means: 2018 adopters and never-adopters, in 2017 and in 2018. Subtract 2017 from 2018 "
                     "within each group, then the never-adopters' change from the adopters'. " + _PP,
        },
    ),
    Exercise(
        "2.5",
        expected=_kopilka_gini,
        kind="share",
        rtol=0,
        atol=0.005,
        close_atol=0.03,
        close_rtol=0,
        what="a Gini coefficient (a number between 0 and 1)",
        mistakes=[
            Mistake(_gini_with_declined, "That keeps declined orders: leave them out."),
            Mistake(_gini_all_years, "That uses every year: keep the orders of 2024 only."),
            Mistake(_gini_with_non_buyers, "That counts members with no order in 2024: include only the members "
                                           "who placed an order that year."),
        ],
        hints={
            "wrong": "Sum each member's 2024 orders first (one revenue per member), leave out declined orders "
                     "only, and sort the revenues from smallest to largest before applying the formula.",
        },
    ),
    Exercise(
        "2.7",
        expected=_pred_low_06_pp,
        kind="number",
        rtol=0,
        atol=0.03,
        close_atol=0.3,
        close_rtol=0,
        what="the lower end of a prediction interval, in percentage points (a single number)",
        mistakes=[
            Mistake(_conf_low_06_pp, "That is the lower end of the confidence interval for the average firm: add "
                                     "the spread of firms' own effects, tau, to the variance."),
            Mistake(_pred_low_06_added_pp, "That adds the standard error and tau: add their squares, then take the "
                                           "square root."),
            Mistake(_in_shares(_pred_low_06_pp), _POINTS),
        ],
        hints={
            "wrong": "Lift at 0.6 minus t times the square root of (its standard error squared plus tau squared), "
                     "all as shares, then times 100.",
        },
    ),
    Exercise(
        "2.8",
        expected=_pilot_net_rub,
        kind="number",
        rtol=0.01,
        atol=0,
        close_rtol=0.1,
        close_atol=0,
        what="an amount in RUB (a single number)",
        mistakes=[
            Mistake(_pilot_evsi_rub, "That is the pilot's expected value of information before its cost: "
                                     "subtract the 200,000 RUB it costs."),
            Mistake(_pilot_net_one_year_rub, "That values one year only, without the delay: the decision binds for "
                                             "three years, and the pilot takes a quarter of the first."),
            Mistake(_pilot_net_no_delay_rub, "That forgets the delay: after the pilot the firm has 3 - 0.25 years "
                                             "left, while deciding now is worth 3 years of max(m, 0)."),
            Mistake(_evpi_less_cost_rub, "That uses the value of perfect information: a pilot measures the lift "
                                         "with noise, so use its EVSI (pilot_evsi_rub)."),
            Mistake(_pilot_net_without_firm_sd_rub, "That treats the chain as the average firm: pass "
                                                    "firm_sd=spread, so the belief about this one chain's lift "
                                                    "includes the spread between firms."),
        ],
        hints={
            "wrong": "(3 - 0.25) x E[max(posterior mean, 0)] - 200,000 - 3 x max(m, 0), with m and s from "
                     "assess_crm_fit(..., firm_sd=spread); check against its pilot_net_rub with horizon_years=3, "
                     "pilot_duration=0.25, pilot_sampling_sd_pp=0.8 and pilot_cost=200_000.",
        },
    ),
]
