"""Stage 5: support contacts, their CSAT, and drop-out after a poor experience."""

from __future__ import annotations

import numpy as np

from crm_course.world.params import SupportParams
from crm_course.world.schema import REASONS

#: Reasons of contacts about an order that was not declined (declined orders: "declined order").
_OTHER_REASONS = np.array([r for r in REASONS if r != "declined order"])
_OTHER_REASON_SHARES = np.array([0.60, 0.15, 0.15, 0.10])
DECLINED_REASON = REASONS.index("declined order")
_OTHER_REASON_CODES = np.array([REASONS.index(r) for r in _OTHER_REASONS])


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def draw_contacts_from_orders(
    orders: dict[str, np.ndarray],
    week: int,
    weeks: int,
    propensity: np.ndarray,
    params: SupportParams,
    rng: np.random.Generator,
) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """Which orders lead to a contact, and when.

    An order that is not declined leads to a contact in its own week (the
    member asks where the cashback is); a declined order leads to one in the
    week the decline is announced. Returns ``(week, members, reasons,
    earliest weekday)`` batches to be handled in those weeks.
    """
    member = orders["member"]
    declined = orders["declined"]
    p = np.where(declined, params.contact_probability_declined, params.contact_probability) * propensity[member]
    contact = rng.random(len(member)) < np.minimum(p, 1.0)
    batches = []
    now = contact & ~declined
    if now.any():
        reasons = _OTHER_REASON_CODES[rng.choice(len(_OTHER_REASONS), size=int(now.sum()), p=_OTHER_REASON_SHARES)]
        batches.append((week, member[now], reasons, orders["weekday"][now]))
    later = contact & declined & (orders["decision_week"] < weeks)
    if later.any():
        dw = orders["decision_week"][later]
        m = member[later]
        for w in np.unique(dw):  # at most a handful of distinct future weeks
            sel = dw == w
            batches.append((int(w), m[sel], np.full(int(sel.sum()), DECLINED_REASON), np.zeros(int(sel.sum()), dtype=np.int64)))
    return batches


def handle_contacts(
    members: np.ndarray,
    reasons: np.ndarray,
    earliest_day: np.ndarray,
    week: int,
    first_payout_week: np.ndarray,
    agents,
    params: SupportParams,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Assign agents, resolve contacts and rate them (CSAT 1-5); draw drop-out."""
    n = len(members)
    agent = rng.integers(0, len(agents.engagement), size=n)
    paid_out = first_payout_week[members] < week
    eng = agents.engagement[agent] - 60.0
    fcr = rng.random(n) < _expit(
        params.fcr_intercept + params.fcr_per_engagement_point * eng + params.fcr_declined * (reasons == DECLINED_REASON)
    )
    fit = agents.fit[agent]
    emp = agents.empowered[agent]
    latent = (
        params.engagement_per_point * eng * (1.0 + params.unpaid_agent_weight * ~paid_out)
        + params.fcr * fcr
        + params.empowered_fit * (emp & fit)
        + params.empowered_misfit * (emp & ~fit)
        + agents.random_effect[agent]
        + rng.logistic(size=n)
    )
    csat = 1 + np.searchsorted(np.asarray(params.cut_points), latent)
    drop = rng.random(n) < _expit(params.dropout_intercept + params.dropout_per_csat_point * (5 - csat))
    day = earliest_day + np.floor(rng.random(n) * (7 - earliest_day)).astype(np.int64)
    return {
        "member": members,
        "agent": agent,
        "day": week * 7 + day,
        "reason": reasons,
        "payout_received": paid_out,
        "fcr": fcr,
        "csat": csat,
        "drop": drop,
    }
