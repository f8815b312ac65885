"""Stage 6: the randomised three-arm offer campaign."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_course.world.params import CampaignParams
from crm_course.world.schema import ARMS


def assign_and_persuade(
    eligible: np.ndarray,
    prior_orders: np.ndarray,
    alive: np.ndarray,
    params: CampaignParams,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Randomise eligible members into equal thirds and draw who is persuaded.

    Returns the arm code of every eligible member (0 none, 1 generic,
    2 personalised) and a boolean array: persuaded to place an extra order.
    """
    n = len(eligible)
    arm = np.tile(np.arange(3), n // 3 + 1)[:n]
    arm = rng.permutation(arm)
    delta = np.where(
        arm == 1,
        params.persuade_generic,
        params.persuade_personalised + params.persuade_personalised_per_log_order * np.log1p(prior_orders),
    )
    delta = np.where(arm == 0, 0.0, np.minimum(delta, 1.0))
    responsiveness = np.where(alive[eligible], 1.0, params.lapsed_responsiveness)
    persuaded = rng.random(n) < delta * responsiveness
    return arm, persuaded


def experiment_table(
    eligible: np.ndarray,
    arm: np.ndarray,
    persuaded: np.ndarray,
    orders: pd.DataFrame,
    signup_day_abs: np.ndarray,
    campaign_date: pd.Timestamp,
    start: pd.Timestamp,
    params: CampaignParams,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Build the experiment table from the arms and the orders around the campaign.

    ``orders`` has columns member (0-based index), day (days since start),
    value, margin.
    """
    cday = (campaign_date - start).days
    n_members = len(signup_day_abs)
    before = orders[orders["day"] < cday]
    prior_n = np.bincount(before["member"], minlength=n_members)
    prior_spend = np.bincount(before["member"], weights=before["value"], minlength=n_members)
    last = np.full(n_members, -1, dtype=np.int64)
    np.maximum.at(last, before["member"].to_numpy(), before["day"].to_numpy())
    window = orders[(orders["day"] >= cday) & (orders["day"] < cday + params.window_days)]
    win_n = np.bincount(window["member"], minlength=n_members)
    win_value = np.bincount(window["member"], weights=window["value"], minlength=n_members)
    win_margin = np.bincount(window["member"], weights=window["margin"], minlength=n_members)

    e = eligible
    treated = arm > 0
    p_open = np.where(arm == 2, params.open_personalised, params.open_generic)
    opened = treated & (persuaded | (rng.random(len(e)) < p_open))
    clicked = opened & (persuaded | (rng.random(len(e)) < params.click_given_open))
    converted = win_n[e] > 0
    send = np.select([arm == 1, arm == 2], [params.send_cost_generic, params.send_cost_personalised], 0.0)
    cost = send + params.bonus_cashback * (treated & converted)
    weeks_since = np.where(last[e] >= 0, (cday - last[e]) / 7.0, np.nan)
    return pd.DataFrame(
        {
            "customer_id": e + 1,
            "campaign_date": campaign_date,
            "arm": np.array(ARMS)[arm],
            "prior_orders": prior_n[e],
            "prior_spend": np.round(prior_spend[e], 2),
            "weeks_since_last_order": np.round(weeks_since, 1),
            "tenure_weeks": np.round((cday - signup_day_abs[e]) / 7.0, 1),
            "opened": opened,
            "clicked": clicked,
            "converted": converted,
            "revenue_30d": np.round(win_value[e], 2),
            "margin_30d": np.round(win_margin[e], 2),
            "offer_cost": np.round(cost, 2),
        }
    )
