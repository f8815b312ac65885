"""Stage 4: orders, week by week, with drop-out after each purchase (BG/NBD)."""

from __future__ import annotations

import numpy as np

from crm_course.world.params import PurchaseParams


def draw_week_orders(
    active: np.ndarray,
    purchase_rate: np.ndarray,
    dropout_probability: np.ndarray,
    exposure: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Orders of the active members in one week, and who drops out after buying.

    Within a week a member's orders arrive as a Poisson process; after each
    order the member drops out with probability p, so the orders kept are the
    first ``min(count, k)`` with ``k ~ Geometric(p)`` the order after which
    the member leaves. ``exposure`` is the share of the week each active
    member was a member (less than 1 in the week of sign-up).

    Returns
    -------
    buyers : array of member indices, one entry per order
    leavers : array of member indices who dropped out after an order this week
    """
    counts = rng.poisson(purchase_rate[active] * exposure)
    has = counts > 0
    idx = active[has]
    counts = counts[has]
    leave_after = rng.geometric(dropout_probability[idx])
    leaves = leave_after <= counts
    kept = np.minimum(counts, leave_after)
    return np.repeat(idx, kept), idx[leaves]


def order_details(
    buyers: np.ndarray,
    week: int,
    earliest_day: np.ndarray,
    spend_rate: np.ndarray,
    merchant_cdf: np.ndarray,
    params: PurchaseParams,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Day, merchant, value and the merchant's decision for each order."""
    n = len(buyers)
    day = earliest_day + np.floor(rng.random(n) * (7 - earliest_day)).astype(np.int64)
    merchant = np.searchsorted(merchant_cdf, rng.random(n) * merchant_cdf[-1], side="right")
    merchant = np.minimum(merchant, len(merchant_cdf) - 1)
    value = rng.gamma(params.spend_p, 1.0 / spend_rate[buyers])
    declined = rng.random(n) < params.decline_probability
    lo, hi = params.confirm_delay_weeks
    decision_week = week + rng.integers(lo, hi + 1, size=n)
    return {
        "member": buyers,
        "day": week * 7 + day,
        "weekday": day,
        "merchant": merchant,
        "value": value,
        "declined": declined,
        "decision_week": decision_week,
    }
