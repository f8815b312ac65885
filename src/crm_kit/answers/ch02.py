"""Self-checks of chapter 2, "To be CRM or not to be": the merchant panel.

The expected answers are computed from the shipped tables with the chapter's
helpers the first time a student checks an answer, so they follow the data
if the data are regenerated.
"""

from __future__ import annotations

from crm_kit.exercises import Exercise

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


def _naive_2024_pp() -> float:
    from crm_course.panel import naive_regression

    return float(100 * naive_regression(_panel(), period=2024).params["crm_active"])


def _slope_gap_pp() -> float:
    from crm_course.panel import effect_curve, twfe_regression

    curve = effect_curve(twfe_regression(_panel(), moderator="customer_heterogeneity"), [0.3, 0.7])
    return float(100 * (curve["effect"].iloc[1] - curve["effect"].iloc[0]))


def _kopilka_gini() -> float:
    import numpy as np

    from crm_course.data import load

    orders = load("transactions")
    kept = orders[(orders["order_date"].dt.year == 2024) & (orders["status"] != "declined")]
    x = np.sort(kept.groupby("customer_id")["order_value"].sum().to_numpy())
    n = len(x)
    return float(((2 * np.arange(1, n + 1) - n - 1) @ x) / (n * x.sum()))


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
        hints={
            "low": "Too low: subtract the never-adopters' median from the adopters' median (not the other way "
                   "round), and take one row per merchant first, so that every merchant counts once.",
            "high": "Too high: use the median, not the mean, and one row per merchant: a merchant that "
                    "adopted is an adopter in every year, so group by merchant_id before comparing.",
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
        hints={
            "low": "Too low. Compare the merchants that adopted at any time with those that never did, "
                   "using 2015 only. " + _PP,
            "high": "Too high: use 2015 only, when no merchant had CRM yet, and subtract the never-adopters' "
                    "mean from the adopters' mean.",
        },
    ),
    Exercise(
        "2.3",
        expected=_naive_2024_pp,
        kind="number",
        rtol=0,
        atol=0.06,
        close_atol=0.5,
        close_rtol=0,
        what="the naive estimate in percentage points (a single number)",
        hints={
            "low": "Too low. Use naive_regression(panel, period=2024) and read the crm_active coefficient. " + _PP,
            "high": "Too high: fit the 2024 cross-section only (period=2024) and multiply the coefficient by 100, "
                    "not by more.",
        },
    ),
    Exercise(
        "2.4",
        expected=_slope_gap_pp,
        kind="number",
        rtol=0,
        atol=0.06,
        close_atol=0.5,
        close_rtol=0,
        what="a difference in percentage points (a single number)",
        hints={
            "low": "Too low. Evaluate the effect curve of the interaction model at 0.7 and at 0.3 and subtract. "
                   + _PP,
            "high": "Too high: the difference between the two effects is the slope times 0.4, the gap in "
                    "heterogeneity, not the slope itself.",
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
        hints={
            "low": "Too low: sum each member's 2024 orders first (one revenue per member), leave out declined "
                   "orders only, and sort the revenues from smallest to largest before applying the formula.",
            "high": "Too high: include only members who placed an order in 2024 (members with no orders are "
                    "not customers that year), and leave out declined orders only.",
        },
    ),
]
