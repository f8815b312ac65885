"""Stage 2: partner merchants, their CRM adoption panel and key accounts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_course.world.params import KeyAccountParams, MerchantParams, PanelParams
from crm_course.world.schema import CATEGORIES

# Commission a merchant pays, as a share of the order value, by category (typical
# affiliate terms; a store's own rate varies around it).
_COMMISSION = {
    "marketplaces": 0.05, "electronics": 0.035, "fashion": 0.09, "beauty": 0.10,
    "home": 0.07, "groceries": 0.04, "travel": 0.045, "food delivery": 0.06,
}
_CATEGORY_SHARE = {
    "marketplaces": 0.06, "electronics": 0.14, "fashion": 0.22, "beauty": 0.14,
    "home": 0.14, "groceries": 0.10, "travel": 0.10, "food delivery": 0.10,
}
_NAME_STEMS = (
    "Nova", "Sever", "Luch", "Vega", "Orbita", "Zarya", "Parus", "Kedr", "Volna", "Iskra",
    "Raduga", "Yantar", "Solnce", "Tundra", "Bereg", "Lotos", "Mayak", "Sokol", "Vetka", "Gorod",
)
_NAME_SUFFIX = {
    "marketplaces": "Market", "electronics": "Tech", "fashion": "Moda", "beauty": "Beauty",
    "home": "Dom", "groceries": "Produkty", "travel": "Travel", "food delivery": "Eda",
}


@dataclass
class Merchants:
    table: pd.DataFrame
    popularity: np.ndarray  #: share of Kopilka's orders placed at each merchant
    commission_rate: np.ndarray
    cashback_rate: np.ndarray
    category_code: np.ndarray  #: index into schema.CATEGORIES


def simulate_merchants(params: MerchantParams, rng: np.random.Generator) -> Merchants:
    """Draw the partner stores, their terms and their popularity."""
    n = params.n_merchants
    cats = np.array(CATEGORIES)
    code = rng.choice(len(cats), size=n, p=[_CATEGORY_SHARE[c] for c in cats])
    category = cats[code]
    base = np.array([_COMMISSION[c] for c in category])
    commission = np.round(base * rng.uniform(0.7, 1.3, size=n), 4)
    lo, hi = params.cashback_share
    cashback = np.round(commission * rng.uniform(lo, hi, size=n), 4)
    popularity = rng.lognormal(0.0, 1.2, size=n)
    popularity /= popularity.sum()

    n_key = max(1, int(round(params.key_account_share * n)))
    key_idx = np.argsort(-popularity, kind="stable")[:n_key]
    key = np.zeros(n, dtype=bool)
    key[key_idx] = True
    kam = pd.array([pd.NA] * n, dtype="Int64")
    kam[key_idx] = rng.integers(1, params.n_key_account_managers + 1, size=n_key)

    stems = np.array(_NAME_STEMS)[rng.integers(0, len(_NAME_STEMS), size=n)]
    names = [f"{s} {_NAME_SUFFIX[c]}" for s, c in zip(stems, category)]
    seen: dict[str, int] = {}
    unique = []
    for name in names:  # a few hundred stores: a loop over names is fine here
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} {seen[name]}")

    table = pd.DataFrame(
        {
            "merchant_id": np.arange(1, n + 1),
            "merchant_name": unique,
            "category": category,
            "commission_rate": commission,
            "cashback_rate": cashback,
            "key_account": key,
            "kam_id": kam,
        }
    )
    return Merchants(table, popularity, commission, cashback, code)


def simulate_panel(merchants: Merchants, params: PanelParams, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate merchants' yearly repeat rates and their self-selected CRM adoption.

    Returns the panel and a truth table with each merchant's planted CRM effect.
    """
    n = len(merchants.table)
    years = np.arange(params.first_year, params.last_year + 1)
    n_years = len(years)
    heterogeneity = np.round(0.2 + 0.6 * rng.beta(2.0, 2.0, size=n), 3)
    log_emp = 4.0 + 0.5 * np.log(merchants.popularity * n) + rng.normal(0, 0.5, size=n)
    employees = np.maximum(1, np.round(np.exp(log_emp))).astype(int)
    size_z = (log_emp - log_emp.mean()) / log_emp.std()

    merchant_level = (
        params.baseline_repeat
        + params.baseline_heterogeneity_slope * (heterogeneity - 0.5)
        + params.baseline_size_slope * size_z
        + rng.normal(0, params.merchant_sd, size=n)
    )
    year_level = params.year_trend * (years - params.first_year) + rng.normal(0, 0.005, size=n_years)

    # Discrete-time adoption hazard, constant over the adoption years. The uniforms are drawn
    # before each firm's own deviation from the effect line, as they always were, so that the
    # selection-on-gains scenario can use the deviation without changing the default world's draws.
    adopt_years = years[years >= params.first_adoption_year]
    uniforms = rng.random((n, len(adopt_years)))
    own = np.zeros(n)
    if params.effect_firm_sd > 0:  # drawn only when asked for (0 reproduces the first edition's world)
        own = rng.normal(0, params.effect_firm_sd, size=n)
    hazard = 1 / (1 + np.exp(-(
        params.adoption_intercept
        + params.adoption_heterogeneity_slope * (heterogeneity - 0.5)
        + params.adoption_size_slope * size_z
        + params.adoption_gain_slope * own / 0.01  # scenario: firms that stand to gain more adopt sooner
    )))
    draws = uniforms < hazard[:, None]
    ever = draws.any(axis=1)
    adoption_year = np.where(ever, adopt_years[np.argmax(draws, axis=1)], 0)

    effect = params.effect_at_mean + params.effect_slope * (heterogeneity - 0.5) + own
    since = years[None, :] - adoption_year[:, None]
    active = ever[:, None] & (since >= 0)
    if params.effect_ramp_years > 0:
        ramp = np.minimum(1.0, (since + 1) / params.effect_ramp_years)
    else:
        ramp = np.ones_like(since, dtype=float)
    realised = np.where(active, effect[:, None] * ramp, 0.0)
    if params.pre_adoption_dip > 0:  # the Ashenfelter-dip scenario: a bad spell just before adopting
        dip = ever[:, None] & (since < 0) & (since >= -params.dip_years)
        realised = realised - np.where(dip, params.pre_adoption_dip, 0.0)
    repeat = merchant_level[:, None] + year_level[None, :] + realised + rng.normal(0, params.noise_sd, size=(n, n_years))
    repeat = np.clip(repeat, 0.01, 0.99)
    log_revenue = (
        np.log(employees)[:, None] * 1.0 - 1.0 + rng.normal(0, 0.3, size=n)[:, None]
        + 0.03 * (years - params.first_year)[None, :]
        + 1.5 * (repeat - params.baseline_repeat)
        + rng.normal(0, 0.05, size=(n, n_years))
    )

    ids = merchants.table["merchant_id"].to_numpy()
    panel = pd.DataFrame(
        {
            "merchant_id": np.repeat(ids, n_years),
            "year": np.tile(years, n),
            "crm_adoption_year": pd.array(np.repeat(np.where(ever, adoption_year, -1), n_years), dtype="Int64"),
            "crm_active": active.ravel(),
            "repeat_rate": np.round(repeat.ravel(), 4),
            "revenue": np.round(np.exp(log_revenue).ravel(), 2),
            "customer_heterogeneity": np.repeat(heterogeneity, n_years),
            "employees": np.repeat(employees, n_years),
        }
    )
    panel.loc[panel["crm_adoption_year"] < 0, "crm_adoption_year"] = pd.NA
    truth = pd.DataFrame({"merchant_id": ids, "crm_effect": effect, "adoption_hazard": hazard})
    return panel, truth


def simulate_key_accounts(merchants: Merchants, params: KeyAccountParams, rng: np.random.Generator) -> pd.DataFrame:
    """Relationship quality of each key account and the merchant's growth it drives."""
    key = merchants.table.loc[merchants.table["key_account"], ["merchant_id", "kam_id"]]
    kam = key["kam_id"].to_numpy(dtype=int)
    n_kam = int(kam.max())
    kam_quality = rng.normal(0, 0.6, size=n_kam + 1)
    kam_growth = rng.normal(0, params.manager_sd, size=n_kam + 1)
    quality = np.clip(np.round(4.3 + kam_quality[kam] + rng.normal(0, 1.0, size=len(kam)), 1), 1, 7)
    meetings = rng.poisson(2.0 + 1.2 * quality)
    growth = (
        params.growth_intercept
        + params.growth_per_quality_point * (quality - 4)
        + kam_growth[kam]
        + rng.normal(0, params.noise_sd, size=len(kam))
    )
    table = pd.DataFrame(
        {
            "kam_id": kam,
            "merchant_id": key["merchant_id"].to_numpy(),
            "relationship_quality": quality,
            "meetings_per_year": meetings,
            "merchant_growth": np.round(growth, 2),
        }
    )
    return table.sort_values(["kam_id", "merchant_id"], kind="stable").reset_index(drop=True)
