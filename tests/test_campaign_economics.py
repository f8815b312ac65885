"""Tests of crm_course.campaign_economics and crm_course.kopilka.campaign: a campaign's lift net of the contacts it causes.

Recovery tests plant an effect on the margin and on the number of support
contacts in a simulated randomised experiment and check that the net lift's
interval covers the planted net effect, and that the estimate moves when the
planted effect does. The shipped-data test pins the figures chapter 5 quotes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_course.campaign_economics import events_in_window, net_lift
from crm_course.kopilka.campaign import campaign_frame, campaign_net_lift


def _experiment(n=30_000, margin_effect=4.0, contact_effect=0.05, seed=1, subgroup_only=False):
    """A randomised two-arm experiment with planted effects on margin and contacts (per member)."""
    rng = np.random.default_rng(seed)
    treated = rng.random(n) < 0.5
    active = rng.random(n) < 0.6
    on = treated & active if subgroup_only else treated
    contacts = rng.poisson(0.1 + contact_effect * on)
    margin = rng.gamma(0.5, 40.0, n) * (rng.random(n) < 0.3) + margin_effect * on + 2.0 * contacts
    return pd.DataFrame({"customer_id": np.arange(n), "arm": np.where(treated, "personalised", "none"),
                         "margin_30d": margin, "offer_cost": np.where(treated, 3.0, 0.0),
                         "contacts_30d": contacts, "active_before": active})


def test_hand_case_net_equals_gross_minus_contact_cost_and_se_is_welch_on_the_net_outcome():
    toy = pd.DataFrame({"arm": ["none"] * 4 + ["personalised"] * 4,
                        "margin_30d": [0.0, 10, 0, 10, 20, 10, 20, 10],
                        "offer_cost": [0.0] * 4 + [3.0] * 4,
                        "contacts_30d": [0, 0, 0, 1, 1, 0, 1, 0]})
    out = net_lift(toy, contact_cost=10.0, arms=None, key=None).iloc[0]
    assert out["gross_lift"] == pytest.approx(7.0)
    assert out["contacts_lift"] == pytest.approx(0.25)
    assert out["contact_cost_lift"] == pytest.approx(2.5)
    assert out["net_lift"] == pytest.approx(4.5)
    y = toy["margin_30d"] - toy["offer_cost"] - 10 * toy["contacts_30d"]
    a, c = y[4:].to_numpy(), y[:4].to_numpy()
    se = np.sqrt(a.var(ddof=1) / 4 + c.var(ddof=1) / 4)
    assert out["net_lift_se"] == pytest.approx(se)
    # Not the sum of the two lifts' variances: the margin and the contacts move together here.
    naive = np.hypot(out["gross_lift_se"], 10 * out["contacts_lift_se"])
    assert abs(out["net_lift_se"] - naive) > 0.1


def test_net_lift_recovers_the_planted_net_effect():
    df = _experiment()
    cost = 50.0
    out = net_lift(df, contact_cost=cost, arms=None).iloc[0]
    # margin rises by 4 + 2 * 0.05 per treated member; the offer costs 3; contacts cost 50 * 0.05
    truth = 4.0 + 2.0 * 0.05 - 3.0 - cost * 0.05
    assert out["net_ci_low"] < truth < out["net_ci_high"]
    assert out["contacts_lift"] == pytest.approx(0.05, abs=3 * out["contacts_lift_se"])


def test_net_lift_moves_with_the_planted_contact_effect_and_the_contact_cost():
    low = net_lift(_experiment(contact_effect=0.0), contact_cost=50.0, arms=None).iloc[0]
    high = net_lift(_experiment(contact_effect=0.2), contact_cost=50.0, arms=None).iloc[0]
    assert high["net_lift"] < low["net_lift"] - 5  # 0.2 contacts x 50 RUB = 10 RUB, less the 0.4 of margin
    both = net_lift(_experiment(), contact_cost=[60.0, 180.0], arms=None)
    assert list(both["contact_cost"]) == [60.0, 180.0]
    assert both["net_lift"].iloc[1] < both["net_lift"].iloc[0]
    assert both["gross_lift"].nunique() == 1


def test_a_subgroup_estimate_recovers_the_subgroup_effect():
    df = _experiment(subgroup_only=True, contact_effect=0.0, margin_effect=6.0)
    everyone = net_lift(df, contact_cost=0.0, arms=None).iloc[0]
    active = net_lift(df, contact_cost=0.0, subgroup="active_before", arms=None).iloc[0]
    assert active["n"] + active["n_control"] == int(df["active_before"].sum())
    assert active["net_ci_low"] < 6.0 - 3.0 < active["net_ci_high"]
    assert everyone["net_ci_low"] < 0.6 * 6.0 - 3.0 < everyone["net_ci_high"]


def test_events_in_window_counts_the_half_open_window_of_each_unit():
    units = pd.DataFrame({"customer_id": [1, 2, 3],
                          "campaign_date": pd.to_datetime(["2024-09-30", "2024-09-30", "2024-10-10"])})
    events = pd.DataFrame({"customer_id": [1, 1, 1, 2, 3, 3, 4],
                           "contact_date": pd.to_datetime(["2024-09-29", "2024-09-30", "2024-10-29", "2024-10-30",
                                                           "2024-10-09", "2024-10-10", "2024-10-01"])})
    before = units.copy()
    assert events_in_window(units, events).tolist() == [2, 0, 1]
    assert events_in_window(units, events, days=31).tolist() == [2, 1, 1]
    pd.testing.assert_frame_equal(units, before)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"contact_cost": -1.0}, "contact_cost"),
        ({"contact_cost": []}, "contact_cost"),
        ({"contact_cost": 10.0, "subgroup": "margin_30d"}, "margin_30d"),
        ({"contact_cost": 10.0, "subgroup": "nobody"}, "nobody"),
        ({"contact_cost": 10.0, "cost": "missing"}, "missing"),
    ],
)
def test_bad_arguments_raise_a_value_error_naming_them(kwargs, message):
    df = _experiment(n=200).assign(nobody=False)
    with pytest.raises(ValueError, match=message):
        net_lift(df, arms=None, **kwargs)


def test_negative_contacts_are_refused_and_the_frame_is_not_modified():
    df = _experiment(n=200)
    before = df.copy()
    net_lift(df, contact_cost=[0.0, 100.0], arms=None, subgroup="active_before")
    pd.testing.assert_frame_equal(df, before)
    df.loc[0, "contacts_30d"] = -1
    with pytest.raises(ValueError, match="contacts_30d"):
        net_lift(df, contact_cost=10.0, arms=None)


@pytest.fixture(scope="module")
def shipped():
    from crm_course.data import load

    return load("offer_experiment"), load("transactions"), load("contacts")


def test_the_figures_chapter_5_quotes(shipped):
    campaign, transactions, contacts = shipped
    frame = campaign_frame(campaign, transactions, contacts)
    everyone = net_lift(frame, contact_cost=180.0).set_index("arm").loc["personalised"]
    assert everyone["contacts_lift"] == pytest.approx(0.0168, abs=5e-5)
    assert everyone["contacts_lift_se"] == pytest.approx(0.0040, abs=5e-5)
    assert everyone["contact_cost_lift"] == pytest.approx(3.0, abs=0.05)
    b = campaign_net_lift(campaign, transactions, contacts, plan="B", contact_cost=180.0)
    assert b["gross_lift"] == pytest.approx(2.2, abs=0.05)
    assert b["net_lift"] == pytest.approx(-0.8, abs=0.05)
    a_active = campaign_net_lift(campaign, transactions, contacts, plan="A", contact_cost=0.0, active_only=True)
    assert a_active["net_lift"] == pytest.approx(-3.69, abs=0.005)
    assert a_active["net_lift_se"] == pytest.approx(1.77, abs=0.005)
    a_all = campaign_net_lift(campaign, transactions, contacts, plan="A", contact_cost=0.0)
    assert a_all["net_lift"] == pytest.approx(-2.28, abs=0.005)
    # The active subgroup: ordered in 2024 before the campaign, by hand.
    start = campaign["campaign_date"].iloc[0]
    ordered = transactions.loc[(transactions["order_date"] >= "2024-01-01") & (transactions["order_date"] < start),
                               "customer_id"].unique()
    assert frame["active_before"].sum() == campaign["customer_id"].isin(ordered).sum()


def test_kopilka_glue_refuses_an_unknown_plan_or_arm(shipped):
    campaign, transactions, contacts = shipped
    with pytest.raises(ValueError, match="plan"):
        campaign_net_lift(campaign, transactions, contacts, plan="C", contact_cost=180.0)
    with pytest.raises(ValueError, match="treated"):
        campaign_net_lift(campaign, transactions, contacts, treated="vip", contact_cost=180.0)
    with pytest.raises(ValueError, match="send_cost"):
        campaign_frame(campaign, transactions, contacts, send_cost={"generic": -1.0})
