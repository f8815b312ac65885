"""The Kopilka world: a synthetic cashback service that carries the whole course.

:func:`simulate` runs the world forward week by week over all members at once:
members buy (a buy-till-you-die process), orders lead to support contacts,
a poor contact raises the chance the member leaves, and in week 91 a
randomised offer campaign runs. Merchants' CRM adoption panel, the support
agents and the key accounts are drawn alongside. The planted effects live in
:mod:`crm_course.world.params`; the tables' columns in
:mod:`crm_course.world.schema`.

Examples
--------
>>> from crm_course.world import simulate
>>> world = simulate(n_members=2_000, seed=1)
>>> sorted(world.tables)[:3]
['agents', 'contacts', 'customers']
>>> len(world.tables["customers"])
2000
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crm_course.validation import check_number
from crm_course.world.params import WorldParams

#: The seed of the shipped data (the article's year).
DEFAULT_SEED = 2002
#: Members in the shipped data.
DEFAULT_MEMBERS = 20_000


@dataclass
class World:
    """The observable tables and the hidden truth behind them."""

    tables: dict[str, pd.DataFrame]
    truth: dict[str, pd.DataFrame]
    params: WorldParams
    seed: int
    n_members: int = field(default=0)


def simulate(n_members: int = DEFAULT_MEMBERS, seed: int = DEFAULT_SEED, params: WorldParams | None = None) -> World:
    """Simulate the Kopilka world.

    Parameters
    ----------
    n_members : int
        Members who join during the window (at least 100). The shipped data
        use 20,000; a million runs on a laptop.
    seed : int
        Seed of the random number generator: one seed gives identical tables
        on any machine (for the same numpy version).
    params : WorldParams, optional
        The planted effects; by default those of
        :class:`~crm_course.world.params.WorldParams`.

    Returns
    -------
    World
        ``tables`` holds the eight observable tables described in
        :mod:`crm_course.world.schema`; ``truth`` the hidden traits (each
        member's purchase rate and drop-out probability, each agent's random
        effect, each merchant's CRM effect, who was persuaded by the campaign).
    """
    from crm_course.world import campaign, members, merchants, purchases, staff, support
    from crm_course.world.schema import CATEGORIES, REASONS, STATUSES

    check_number(n_members, "n_members", low=100, integer=True)
    check_number(seed, "seed", low=0, integer=True)
    params = WorldParams() if params is None else params
    if not isinstance(params, WorldParams):
        raise TypeError(f"params: expected a WorldParams; found {type(params).__name__}")
    params.validate()
    n = int(n_members)
    # One independent stream per stage: changing one stage's parameters does
    # not reshuffle the draws of the stages before it.
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(7)]
    rng_members, rng_merchants, rng_panel, rng_staff, rng_time, rng_campaign, rng_kam = streams

    mp, pp, sp, cp = params.members, params.purchases, params.support, params.campaign
    mem = members.simulate_members(n, mp, pp, sp, rng_members)
    mer = merchants.simulate_merchants(params.merchants, rng_merchants)
    panel, panel_truth = merchants.simulate_panel(mer, params.panel, rng_panel)
    key_accounts = merchants.simulate_key_accounts(mer, params.key_accounts, rng_kam)
    n_agents = max(params.staff.min_agents, int(round(n / params.staff.members_per_agent)))
    agents = staff.simulate_agents(n_agents, params.staff, sp, rng_staff)

    weeks = mp.weeks
    start = pd.Timestamp(mp.start)
    alive = np.ones(n, dtype=bool)
    dropout_week = np.full(n, -1, dtype=np.int64)
    dropout_cause = np.zeros(n, dtype=np.int8)  # 0 still active, 1 after an order, 2 after a contact
    first_payout = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    n_orders = np.zeros(n, dtype=np.int64)
    merchant_cdf = np.cumsum(mer.popularity)
    queue: dict[int, list] = {}
    order_chunks: list[dict] = []
    contact_chunks: list[dict] = []
    arm = persuaded = eligible = alive_at_campaign = None
    t = rng_time

    for week in range(weeks):
        n_signed = int(np.searchsorted(mem.signup_week, week, side="right"))
        active = np.flatnonzero(alive[:n_signed])
        joined_now = mem.signup_week[active] == week
        exposure = np.where(joined_now, (7 - mem.signup_day[active]) / 7, 1.0)
        buyers, leavers = purchases.draw_week_orders(active, mem.purchase_rate, mem.dropout_probability, exposure, t)
        if week == cp.week:
            n_eligible = int(np.searchsorted(mem.signup_week, week - cp.min_tenure_weeks, side="right"))
            eligible = np.arange(n_eligible)
            alive_at_campaign = alive[:n_eligible].copy()
            arm, persuaded = campaign.assign_and_persuade(eligible, n_orders[eligible], alive, cp, rng_campaign)
            buyers = np.concatenate([buyers, eligible[persuaded]])
        alive[leavers] = False
        dropout_week[leavers] = week
        dropout_cause[leavers] = 1

        earliest = np.where(mem.signup_week[buyers] == week, mem.signup_day[buyers], 0)
        od = purchases.order_details(buyers, week, earliest, mem.spend_rate, merchant_cdf, pp, t)
        confirmed = ~od["declined"] & (od["decision_week"] < weeks)
        np.minimum.at(first_payout, buyers[confirmed], od["decision_week"][confirmed])
        n_orders += np.bincount(buyers, minlength=n)
        order_chunks.append(od)
        for due, m, r, d in support.draw_contacts_from_orders(od, week, weeks, mem.support_propensity, sp, t):
            queue.setdefault(due, []).append((m, r, d))

        batch = queue.pop(week, [])
        if batch:
            m = np.concatenate([b[0] for b in batch])
            r = np.concatenate([b[1] for b in batch])
            d = np.concatenate([b[2] for b in batch])
            c = support.handle_contacts(m, r, d, week, first_payout, agents, sp, t)
            c["active_before"] = alive[m]
            c["dropped_out_after"] = c["drop"] & c["active_before"]
            leaving = np.unique(m[c["dropped_out_after"]])
            alive[leaving] = False
            dropout_week[leaving] = week
            dropout_cause[leaving] = 2
            contact_chunks.append(c)

    # --- orders -------------------------------------------------------------
    o = {k: np.concatenate([c[k] for c in order_chunks]) for k in order_chunks[0]}
    order = np.argsort(o["day"], kind="stable")
    o = {k: v[order] for k, v in o.items()}
    decided = o["decision_week"] < weeks
    status = np.where(~decided, 0, np.where(o["declined"], 2, 1))
    earns = status != 2
    commission = np.round(np.where(earns, o["value"] * mer.commission_rate[o["merchant"]], 0.0), 2)
    cashback = np.round(np.where(earns, o["value"] * mer.cashback_rate[o["merchant"]], 0.0), 2)
    value = np.round(o["value"], 2)
    decision_day = np.where(decided, o["decision_week"] * 7 + t.integers(0, 7, size=len(value)), -1)
    cats = np.array(CATEGORIES)
    transactions = pd.DataFrame(
        {
            "order_id": np.arange(1, len(value) + 1),
            "customer_id": o["member"] + 1,
            "merchant_id": o["merchant"] + 1,
            "category": cats[mer.category_code[o["merchant"]]],
            "order_date": start + pd.to_timedelta(o["day"], unit="D"),
            "order_value": value,
            "commission": commission,
            "cashback": cashback,
            "status": np.array(STATUSES)[status],
            "decision_date": start + pd.to_timedelta(np.where(decided, decision_day, 0), unit="D"),
        }
    )
    transactions.loc[~decided, "decision_date"] = pd.NaT

    # --- contacts -----------------------------------------------------------
    c = {k: np.concatenate([b[k] for b in contact_chunks]) for k in contact_chunks[0]}
    order_c = np.argsort(c["day"], kind="stable")
    c = {k: v[order_c] for k, v in c.items()}
    contacts = pd.DataFrame(
        {
            "contact_id": np.arange(1, len(c["day"]) + 1),
            "customer_id": c["member"] + 1,
            "agent_id": c["agent"] + 1,
            "contact_date": start + pd.to_timedelta(c["day"], unit="D"),
            "reason": np.array(REASONS)[c["reason"]],
            "payout_received": c["payout_received"],
            "first_contact_resolution": c["fcr"],
            "csat": c["csat"].astype(np.int64),
        }
    )

    # --- campaign -----------------------------------------------------------
    orders_min = pd.DataFrame(
        {"member": o["member"], "day": o["day"], "value": value, "margin": commission - cashback}
    )
    experiment = campaign.experiment_table(
        eligible, arm, persuaded, orders_min, mem.signup_week * 7 + mem.signup_day,
        start + pd.Timedelta(days=7 * cp.week), start, cp, rng_campaign,
    )

    tables = {
        "customers": mem.table,
        "transactions": transactions,
        "merchants": mer.table,
        "merchant_panel": panel,
        "offer_experiment": experiment,
        "agents": agents.table,
        "contacts": contacts,
        "key_accounts": key_accounts,
    }
    truth = {
        "members": pd.DataFrame(
            {
                "customer_id": np.arange(1, n + 1),
                "purchase_rate": mem.purchase_rate,
                "dropout_probability": mem.dropout_probability,
                "mean_order_value": pp.spend_p / mem.spend_rate,
                "support_propensity": mem.support_propensity,
                "alive_at_end": alive,
                "dropout_week": pd.array(np.where(dropout_week >= 0, dropout_week, -1), dtype="Int64"),
                "dropout_cause": np.array(["active", "after order", "after contact"])[dropout_cause],
            }
        ),
        "agents": pd.DataFrame(
            {"agent_id": np.arange(1, n_agents + 1), "fit": agents.fit, "random_effect": agents.random_effect,
             "team_quality": agents.team_quality}
        ),
        "contacts": pd.DataFrame(
            {
                "contact_id": contacts["contact_id"],
                "active_before": c["active_before"],
                "dropped_out_after": c["dropped_out_after"],
            }
        ),
        "merchant_panel": panel_truth,
        "campaign": pd.DataFrame(
            {"customer_id": eligible + 1, "persuaded": persuaded, "alive_at_campaign": alive_at_campaign}
        ),
    }
    truth["members"].loc[truth["members"]["dropout_week"] < 0, "dropout_week"] = pd.NA
    return World(tables=tables, truth=truth, params=params, seed=seed, n_members=n)


__all__ = ["World", "simulate", "DEFAULT_SEED", "DEFAULT_MEMBERS"]
