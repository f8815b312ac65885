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
        expected=_naive_2024_pp,
        kind="number",
        rtol=0,
        atol=0.06,
        close_atol=0.5,
        close_rtol=0,
        what="the naive estimate in percentage points (a single number)",
        mistakes=[
            Mistake(_in_shares(_naive_2024_pp), _POINTS),
            Mistake(_twfe_pp, "That is the two-way fixed-effects estimate: fit the naive regression on the 2024 "
                              "cross-section only."),
        ],
        hints={
            "wrong": "Use naive_regression(panel, period=2024) and read the crm_active coefficient. " + _PP,
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
        mistakes=[
            Mistake(_negative(_slope_gap_pp), "That is the difference the other way round: the effect at 0.7 "
                                              "minus the effect at 0.3."),
            Mistake(_in_shares(_slope_gap_pp), _POINTS),
            Mistake(_slope_pp, "That is the slope itself: the difference between the two effects is the slope "
                               "times 0.4, the gap in heterogeneity."),
        ],
        hints={
            "wrong": "Evaluate the effect curve of the interaction model at 0.7 and at 0.3 and subtract. " + _PP,
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
]
