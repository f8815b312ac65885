"""Recovery tests for the support contacts charged in ``planted_campaign_effects(world, contact_cost=...)``.

Chapter 5 holds the experiment's net lift (``campaign_economics.net_lift``) against the planted effect
net of the contacts an extra order causes. The tests check that the randomised estimate of the extra
contacts covers the planted value, that a changed truth (a higher contact probability) moves both,
and that the net columns are the algebra the docstring states.
"""

from dataclasses import replace

import numpy as np
import pytest

from crm_course.campaign_economics import net_lift
from crm_course.kopilka.campaign import campaign_frame
from crm_course.kopilka.truth import planted_campaign_effects
from crm_course.world import simulate
from crm_course.world.params import WorldParams


def _estimate_and_truth(params, seed=11, n=20_000):
    world = simulate(n, seed, params=params)
    t = world.tables
    # A long window, so that the declined orders' contacts (announced 3-10 weeks later) are counted too.
    frame = campaign_frame(t["offer_experiment"], t["transactions"], t["contacts"], window_days=91)
    row = net_lift(frame, "margin_30d", "contacts_91d", contact_cost=180.0, cost="send_cost").set_index("arm")
    truth = planted_campaign_effects(world, contact_cost=180.0)
    return row.loc["personalised"], truth


def test_contacts_estimate_covers_the_planted_value_and_moves_with_the_truth():
    base = WorldParams()
    est, truth = _estimate_and_truth(base)
    planted = truth["contacts_personalised"].mean()
    assert abs(est["contacts_lift"] - planted) < 1.96 * est["contacts_lift_se"]
    more = replace(base, support=replace(base.support, contact_probability=0.45))
    est_more, truth_more = _estimate_and_truth(more)
    assert truth_more["contacts_personalised"].mean() > 2 * planted
    assert est_more["contacts_lift"] > est["contacts_lift"]


def test_net_columns_follow_the_stated_algebra():
    world = simulate(3_000, 5)
    plain = planted_campaign_effects(world)
    net = planted_campaign_effects(world, contact_cost=75.0)
    assert list(net.columns[: len(plain.columns)]) == list(plain.columns)
    cp = world.params.campaign
    for a, send in [("generic", cp.send_cost_generic), ("personalised", cp.send_cost_personalised)]:
        k = net[f"contacts_{a}"]
        assert (k >= 0).all() and (k <= net[f"persuasion_{a}"] + 1e-12).all()
        np.testing.assert_allclose(net[f"net_profit_{a}"], plain[f"profit_{a}"] - 75.0 * k)
        np.testing.assert_allclose(net[f"net_profit_cofunded_{a}"],
                                   net[f"persuasion_{a}"] * net["margin_per_order"] - send - 75.0 * k)


@pytest.mark.parametrize("bad", [-1.0, float("nan"), "180"])
def test_bad_contact_cost_is_refused_with_its_name(bad):
    with pytest.raises((ValueError, TypeError), match="contact_cost"):
        planted_campaign_effects(simulate(1_000, 1), contact_cost=bad)
