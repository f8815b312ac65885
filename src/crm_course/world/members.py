"""Stage 1: who joins Kopilka, and their hidden buying habits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_course.world.params import MemberParams, PurchaseParams, SupportParams


@dataclass
class Members:
    """The members table and each member's hidden (latent) traits."""

    table: pd.DataFrame
    signup_week: np.ndarray  #: week of sign-up (0-based)
    signup_day: np.ndarray  #: day within that week, 0-6
    purchase_rate: np.ndarray  #: λ, orders per week while active
    dropout_probability: np.ndarray  #: p, chance of dropping out after each order
    spend_rate: np.ndarray  #: ν, rate of the member's order-value Gamma (mean order value = spend_p / ν)
    support_propensity: np.ndarray  #: multiplier of the chance that an order leads to a contact


def _draw_labels(rng: np.random.Generator, shares: dict, n: int) -> np.ndarray:
    labels = np.array(list(shares))
    return labels[rng.choice(len(labels), size=n, p=np.array(list(shares.values())))]


def simulate_members(
    n: int,
    members: MemberParams,
    purchases: PurchaseParams,
    support: SupportParams,
    rng: np.random.Generator,
) -> Members:
    """Draw ``n`` members: sign-up dates, demographics and latent habits.

    Sign-ups grow linearly over ``members.signup_weeks``. The purchase rate is
    Gamma(r, alpha) times small multipliers for channel and age band, so
    demographics carry a weak signal and most of the variation is individual.
    """
    weeks = np.arange(members.signup_weeks)
    weight = 1 + (members.signup_growth - 1) * weeks / max(members.signup_weeks - 1, 1)
    signup_week = rng.choice(weeks, size=n, p=weight / weight.sum())
    signup_week.sort()  # member ids follow sign-up order
    signup_day = rng.integers(0, 7, size=n)
    channel = _draw_labels(rng, members.channel_shares, n)
    age_band = _draw_labels(rng, members.age_band_shares, n)
    region = _draw_labels(rng, members.region_shares, n)
    device = _draw_labels(rng, members.device_shares, n)

    base_rate = rng.gamma(purchases.r, 1.0 / purchases.alpha, size=n)
    multiplier = (
        pd.Series(channel).map(members.channel_rate_multiplier).to_numpy()
        * pd.Series(age_band).map(members.age_band_rate_multiplier).to_numpy()
    )
    # A Beta draw can underflow to 0 for tiny a; the geometric draw needs p > 0.
    dropout = np.clip(rng.beta(purchases.a, purchases.b, size=n), 1e-12, 1.0)
    spend_rate = rng.gamma(purchases.spend_q, 1.0 / purchases.spend_gamma, size=n)
    propensity = rng.lognormal(-0.5 * support.support_propensity_sd**2, support.support_propensity_sd, size=n)

    start = pd.Timestamp(members.start)
    signup_date = start + pd.to_timedelta(signup_week * 7 + signup_day, unit="D")
    table = pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1),
            "signup_date": signup_date,
            "channel": channel,
            "age_band": age_band,
            "region": region,
            "device": device,
        }
    )
    return Members(
        table=table,
        signup_week=signup_week,
        signup_day=signup_day,
        purchase_rate=base_rate * multiplier,
        dropout_probability=dropout,
        spend_rate=spend_rate,
        support_propensity=propensity,
    )
