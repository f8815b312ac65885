"""Tests of the capstone pipeline (crm_course.kopilka.board and crm_course.kopilka.groups).

The board case chains other chapters' helpers, which have their own recovery
tests; here we check that the chain is put together right: its figures are
plausible on a simulated world, its pieces recover what the simulation
planted where a planted value exists, a changed world moves them the right
way, its assumptions do what they say, every group gets its own,
reproducible world, and the groups' worlds do not all point to one decision.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from crm_course.kopilka.board import board_case, BoardAssumptions, OPTIONS, staff_changes
from crm_course.kopilka.groups import DECISION_THRESHOLDS, group_world, reference_decision, VARIED_PARAMETERS
from crm_course.world import simulate
from crm_course.world.params import WorldParams

N_MEMBERS = 20_000
SEED = 11
Z95 = 1.959963984540054


def inside(value: float, estimate: float, se: float) -> bool:
    return estimate - Z95 * se <= value <= estimate + Z95 * se


@pytest.fixture(scope="module")
def world():
    return simulate(N_MEMBERS, SEED)


@pytest.fixture(scope="module")
def case(world):
    return board_case(world.tables, rng=1)


# ---------------------------------------------------------------------------
# The pipeline on a simulated world
# ---------------------------------------------------------------------------


def test_key_figures_lie_in_plausible_ranges(case):
    f = case.figures
    assert 0.3 < f["revenue_gini"] < 0.9
    assert f["crm_fit_lift_pp"] > 0 and f["crm_fit_break_even_lift_pp"] > 0
    assert case.crm_fit["verdict"].iloc[0].split(":")[0] in {"Likely to pay", "Unlikely to pay", "Uncertain",
                                                             "Not applicable"}
    assert 5_000 < f["active_members"] < N_MEMBERS
    assert 50 < f["margin_per_member"] < 400  # RUB a year, after support costs
    assert 0.3 < f["retention"] < 0.8
    assert f["mean_clv"] > 0 and 0.2 < f["top_decile_clv_share"] < 0.8
    assert 0 < f["share_targeted"] < 1
    assert 0 < f["staff_csat_gain"] < 2 and f["staff_engagement_gain"] > 0
    assert 0.8 < f["hazard_ratio_per_csat"] < 1.0
    assert 0 <= f["probability_loss"] <= 1
    assert f["npv_low"] <= f["median_npv"] <= f["npv_high"]
    assert f["people_annual"] > 0 and f["mean_pv_costs"] > f["process_upfront"]
    assert list(case.options.index) == list(OPTIONS)
    assert case.options.loc[OPTIONS[0], "mean_npv"] == pytest.approx(f["mean_npv"])
    assert len(case.draws) == BoardAssumptions().n_draws


def test_the_crm_fit_step_says_whether_the_merchant_panel_applies(world, case):
    """Chapter 2's tool applies only within the adopters' pre-adoption repeat shares, computed here by hand."""
    panel = world.tables["merchant_panel"]
    adopted = panel["crm_adoption_year"].notna() & (panel["year"] < panel["crm_adoption_year"])
    low, high = panel.loc[adopted, "repeat_rate"].agg(["min", "max"])
    f = case.figures
    inside_support = bool(low <= f["retention"] <= high)
    assert f["crm_fit_applicable"] == float(inside_support)
    assert case.crm_fit["verdict"].iloc[0].startswith("Not applicable") is not inside_support
    # One firm's prediction interval is wider than the average firm's confidence interval, around the same lift.
    row = case.crm_fit.iloc[0]
    assert row["pred_low_pp"] < row["conf_low_pp"] < f["crm_fit_lift_pp"] < row["conf_high_pp"] < row["pred_high_pp"]
    assert (f["crm_fit_pred_low_pp"], f["crm_fit_pred_high_pp"]) == (row["pred_low_pp"], row["pred_high_pp"])


def test_the_offers_table_names_its_two_units(case):
    """Per offer sent and per member of the base: the second is the share targeted times the first."""
    offers = case.offers.astype({c: float for c in case.offers.columns if c.startswith(("per_", "share"))})
    q = offers["share_targeted"]
    for end in ("", "_se", "_ci_low", "_ci_high"):
        assert np.allclose(offers[f"per_member{end}"], q * offers[f"per_targeted{end}"])
    for unit in ("per_targeted", "per_member"):
        half = Z95 * offers[f"{unit}_se"]
        assert np.allclose(offers[f"{unit}_ci_low"], offers[unit] - half)
        assert np.allclose(offers[f"{unit}_ci_high"], offers[unit] + half)
    rule = offers.loc["personalised offer, uplift rule"]
    assert 0 < rule["share_targeted"] < 1 and rule["per_targeted_se"] > rule["per_member_se"]
    assert case.figures["profit_per_offer_targeted"] == pytest.approx(rule["per_targeted"])


def test_present_value_of_costs_matches_a_hand_computation(case):
    """Upfront cost now, yearly costs at the end of each year, discounted at 15%."""
    a = case.assumptions
    annuity = sum(1.15**-t for t in range(1, a.horizon_years + 1))
    expected = a.process_upfront + (a.process_annual + case.figures["people_annual"]) * annuity
    assert case.figures["mean_pv_costs"] == pytest.approx(expected)
    assert case.cash_flows["cumulative"].iloc[-1] == pytest.approx(case.cash_flows["discounted"].sum())


def test_options_share_their_draws_and_leave_out_what_they_say(case):
    opts = case.options
    assert opts.loc["staff package only", "mean_pv_personalisation"] == 0
    assert opts.loc["targeted offers only", "mean_pv_retention"] == 0
    # Same random draws for every option: the retention benefit of the staff package is identical.
    assert opts.loc["staff package only", "mean_pv_retention"] == pytest.approx(
        opts.loc[OPTIONS[0], "mean_pv_retention"])
    assert opts.loc["staff package only", "mean_pv_costs"] < opts.loc[OPTIONS[0], "mean_pv_costs"]


def test_package_engagement_gain_recovers_the_planted_gain(world, case):
    """Planted gain of the default package, averaged over the agents of this world.

    Engagement is linear in the working conditions (``world/staff.py``), so the
    package's true average gain is the planted coefficients times the average
    change: everyone paid on time, 16 more hours of training, and the agents
    who meet all three criteria empowered (against nobody empowered).
    """
    p = WorldParams().staff
    agents = world.tables["agents"]
    fit_share = world.truth["agents"]["fit"].mean()
    planted = (p.engagement_paid_on_time * (1 - agents["paid_on_time"].mean())
               + p.engagement_training_per_hour * 16 + p.engagement_empowered * fit_share)
    row = case.staff.loc["staff package"]
    assert inside(planted, row["engagement_gain"], row["engagement_se"])
    assert case.staff.loc["empowerment: selective", "share_agents"] == pytest.approx(fit_share)


@pytest.fixture(scope="module")
def gross(world):
    """The case with the campaign's profit measured before support costs, as the planted truth counts it."""
    return board_case(world.tables, assumptions=BoardAssumptions(net_support_cost=False), rng=1)


def test_uplift_rule_profit_per_offer_recovers_the_planted_profit(world, gross):
    """The active members the rule targets truly earn ``profit_personalised`` each on average (hidden truth).

    The planted profit leaves out the support contacts of the extra orders, so it is compared with the
    case measured the same way (``net_support_cost=False``), on the members the lift is measured on.
    """
    from crm_course.kopilka.truth import planted_campaign_effects

    truth = planted_campaign_effects(world).set_index("customer_id")
    measured = gross.targeting[gross.targeting["active_before"]]
    assert gross.offers["members_measured"].iloc[0] == len(measured) < len(gross.targeting)
    targets = measured.loc[measured["target"], "customer_id"]
    planted = truth.loc[targets, "profit_personalised"].mean()
    row = gross.offers.loc["personalised offer, uplift rule"]
    assert inside(planted, row["per_targeted"], row["per_targeted_se"])
    everyone = gross.offers.loc["personalised offer, every member"]
    assert inside(truth.loc[measured["customer_id"], "profit_personalised"].mean(), everyone["per_targeted"],
                  everyone["per_targeted_se"])


def test_the_campaign_profit_is_net_of_the_support_contacts_it_causes(world, case, gross):
    """Sending to every active member: the net lift is the gross lift minus 180 RUB x the extra contacts."""
    exp = world.tables["offer_experiment"].set_index("customer_id")
    measured = case.targeting[case.targeting["active_before"]].set_index("customer_id")
    contacts = world.tables["contacts"]
    start = exp["campaign_date"].min().normalize()
    window = contacts[(contacts["contact_date"] >= start) & (contacts["contact_date"] < start + pd.Timedelta(days=30))]
    per_member = window.groupby("customer_id").size()
    counts = per_member.reindex(measured.index, fill_value=0)
    arm = measured["arm"].astype(str)
    extra = counts[arm == "personalised"].mean() - counts[arm == "none"].mean()
    assert extra > 0  # the offer's extra orders bring extra contacts
    net = case.offers.loc["personalised offer, every member", "per_targeted"]
    before = gross.offers.loc["personalised offer, every member", "per_targeted"]
    assert net == pytest.approx(before - case.assumptions.cost_per_contact * extra)
    # Chapter 5's helper, on the same members and plan, gives the same net lift and its decomposition.
    from crm_course.kopilka.campaign import campaign_net_lift

    t = world.tables
    ch5 = campaign_net_lift(t["offer_experiment"], t["transactions"], t["contacts"], contact_cost=180.0,
                            plan="A", active_only=True, active_since="2024-01-01")  # the board's last year starts then
    assert net == pytest.approx(ch5["net_lift"]) and case.figures["extra_contacts_per_offer"] == pytest.approx(
        ch5["contacts_lift"])
    assert case.figures["support_cost_per_offer"] == pytest.approx(180.0 * extra)
    assert np.array_equal(case.targeting["contacts_30d"].to_numpy(),
                          per_member.reindex(case.targeting["customer_id"], fill_value=0).to_numpy(dtype=float))


def test_a_shrinking_base_scales_the_benefits_and_not_the_costs(world, case):
    """base_change g: year t's benefits are on N (1 + g)^t members, so their PV scales by the discounted average."""
    shrinking = board_case(world.tables, assumptions=BoardAssumptions(base_change=-0.4), rng=1)
    years = np.arange(1, 4)
    factor = np.sum(0.6**years * 1.15**-years) / np.sum(1.15**-years)
    assert shrinking.figures["base_factor"] == pytest.approx(factor)
    assert case.figures["base_factor"] == 1.0
    for col in ("mean_pv_personalisation", "mean_pv_retention"):
        assert shrinking.figures[col] == pytest.approx(factor * case.figures[col])
    assert shrinking.figures["mean_pv_costs"] == case.figures["mean_pv_costs"]
    assert shrinking.figures["active_members"] == case.figures["active_members"]
    assert shrinking.cash_flows["discounted"].sum() == pytest.approx(
        case.cash_flows["discounted"].sum() + (factor - 1) * (case.figures["mean_pv_personalisation"]
                                                              + case.figures["mean_pv_retention"]), rel=0.02)


def test_a_stronger_personalisation_lift_raises_the_npv(case):
    """persuade_personalised_per_log_order 0.10 -> 0.25: the offer persuades more members with history."""
    p = WorldParams()
    stronger = replace(p, campaign=replace(p.campaign, persuade_personalised_per_log_order=0.25))
    better = board_case(simulate(N_MEMBERS, SEED, stronger).tables, rng=1)
    assert better.figures["mean_npv"] > case.figures["mean_npv"]
    assert better.figures["mean_pv_personalisation"] > case.figures["mean_pv_personalisation"]
    assert better.figures["share_targeted"] > case.figures["share_targeted"]


def test_a_weaker_csat_dropout_link_lowers_the_value_of_the_staff_programme(case):
    """dropout_per_csat_point 0.55 -> 0: a poor contact no longer drives members away."""
    p = WorldParams()
    weaker = replace(p, support=replace(p.support, dropout_per_csat_point=0.0))
    flat = board_case(simulate(N_MEMBERS, SEED, weaker).tables, rng=1)
    assert flat.figures["staff_programme_value"] < case.figures["staff_programme_value"]
    assert flat.figures["hazard_ratio_per_csat"] > case.figures["hazard_ratio_per_csat"]
    assert flat.options.loc["staff package only", "mean_npv"] < case.options.loc["staff package only", "mean_npv"]


# ---------------------------------------------------------------------------
# The assumptions do what they say
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plan_b(world):
    return board_case(world.tables, assumptions=BoardAssumptions(merchants_fund_bonus=True), rng=1)


def test_merchants_paying_the_bonus_adds_exactly_the_bonus_on_treated_converters(world, case, plan_b):
    """Sending to everyone: profit per offer rises by 10 RUB x the treated arm's conversion rate."""
    exp = world.tables["offer_experiment"]
    active = exp["customer_id"].isin(case.targeting.loc[case.targeting["active_before"], "customer_id"])
    conversion = exp.loc[active & (exp["arm"] == "personalised"), "converted"].mean()
    gain = (plan_b.offers.loc["personalised offer, every member", "per_targeted"]
            - case.offers.loc["personalised offer, every member", "per_targeted"])
    assert gain == pytest.approx(WorldParams().campaign.bonus_cashback * conversion)
    assert plan_b.figures["share_targeted"] > case.figures["share_targeted"]
    # Nothing on the staff side changes.
    pd.testing.assert_frame_equal(plan_b.staff, case.staff)


def test_cheaper_offers_and_a_smaller_staff_package(world, case):
    cheap = board_case(world.tables, assumptions=BoardAssumptions(send_cost=1.0, training_hours_added=0,
                                                                  pay_on_time=False, empowerment="none"), rng=1)
    # Two roubles less per offer: every member's expected profit rises by exactly 2.
    diff = cheap.targeting["expected_profit"] - case.targeting["expected_profit"]
    assert np.allclose(diff, 2.0)
    assert cheap.figures["share_targeted"] > case.figures["share_targeted"]
    # An empty staff package costs nothing and adds no CSAT.
    assert cheap.figures["people_annual"] == 0
    assert cheap.figures["staff_csat_gain"] == pytest.approx(0.0, abs=1e-12)


def test_board_case_is_reproducible_and_leaves_its_input_alone(world, case):
    before = {k: v.copy() for k, v in world.tables.items()}
    again = board_case(world.tables, rng=1)
    pd.testing.assert_series_equal(again.figures, case.figures)
    for name, table in before.items():
        pd.testing.assert_frame_equal(world.tables[name], table)
    other = board_case(world.tables, rng=2)
    assert other.figures["share_targeted"] == case.figures["share_targeted"]  # estimates: no randomness
    assert other.figures["mean_npv"] != case.figures["mean_npv"]  # Monte Carlo: other draws


# ---------------------------------------------------------------------------
# Staff levers
# ---------------------------------------------------------------------------


def test_staff_changes_hand_case():
    agents = pd.DataFrame({"paid_on_time": [True, False, False, True], "shared_desk": [True, True, False, False],
                           "interested_in_autonomy": [True, True, False, True], "able": [True, True, True, True],
                           "respected": [True, False, True, True], "empowered": [True, False, True, False]})
    a = BoardAssumptions(own_desks=True, training_hours_added=10, empowerment="selective")
    w = staff_changes(agents, a)
    assert w["pay everyone on time"] == {"paid_on_time": 0.5}
    assert w["own desk for everyone"] == {"shared_desk": -0.5}
    assert w["+10 h training"] == {"training_hours": 10.0}
    assert w["empowerment: universal"] == {"empowered": 1.0, "empowered:fit": 0.5}
    assert w["empowerment: selective"] == {"empowered": 0.5, "empowered:fit": 0.5}
    assert w["empowerment: none"] == {"empowered": 0.0, "empowered:fit": 0.0}
    assert w["staff package"] == {"paid_on_time": 0.5, "shared_desk": -0.5, "training_hours": 10.0,
                                  "empowered": 0.5, "empowered:fit": 0.5}
    assert staff_changes(agents, replace(a, pay_on_time=False, own_desks=False))["staff package"] == {
        "training_hours": 10.0, "empowered": 0.5, "empowered:fit": 0.5}


def test_package_cost_adds_up_the_chosen_levers(world, case):
    a = case.assumptions
    n_fit = world.truth["agents"]["fit"].sum()
    expected = (a.cost_pay_on_time + a.cost_per_training_hour * a.training_hours_added
                + a.cost_per_empowered_agent * n_fit)
    assert case.staff.loc["staff package", "annual_cost"] == pytest.approx(expected)
    assert case.staff.loc["staff package", "csat_gain"] == pytest.approx(
        case.staff.loc[["pay everyone on time", "+16 h training", "empowerment: selective"], "csat_gain"].sum())


# ---------------------------------------------------------------------------
# A world per group
# ---------------------------------------------------------------------------


def test_group_worlds_differ_between_groups_and_repeat_within_a_group():
    seeds = [group_world(g).seed for g in range(1, 31)]
    assert len(set(seeds)) == 30
    assert group_world(4).seed == group_world(4).seed
    assert group_world(4, base_seed=7).seed != group_world(4).seed
    assert group_world(4).params == WorldParams()
    assert "--seed" in group_world(4).command() and "worlds/group_4" in group_world(4).command()


def test_varied_worlds_draw_planted_effects_inside_their_ranges():
    worlds = [group_world(g, vary=True) for g in (1, 2, 3)]
    tables = [w.changes() for w in worlds]
    for table in tables:
        assert list(table.index) == list(VARIED_PARAMETERS)
        for key, (lo, hi) in VARIED_PARAMETERS.items():
            assert lo <= table.loc[key, "this group"] <= hi
    assert not tables[0]["this group"].equals(tables[1]["this group"])
    pd.testing.assert_frame_equal(group_world(2, vary=True).changes(), tables[1])
    assert group_world(2, vary=True).seed == group_world(2).seed
    with pytest.raises(ValueError, match="command line"):
        worlds[0].command()


GROUPS = range(1, 5)  # the first four groups of the default base seed


@pytest.fixture(scope="module")
def sheets():
    """The marker's sheet of each of the first four varied group worlds (20,000 members, as handed out)."""
    return {g: group_world(g, vary=True).marking_sheet(BoardAssumptions(n_draws=2_000), rng=1) for g in GROUPS}


def test_group_worlds_span_go_pilot_and_no_go(sheets):
    """The right recommendation depends on the group's own numbers: the worlds do not all point one way."""
    decisions = {g: sheet["options"].loc[OPTIONS[0], "decision"] for g, sheet in sheets.items()}
    assert set(decisions.values()) == {"go", "staged pilot", "no-go"}, decisions
    for sheet in sheets.values():
        options = sheet["options"]
        assert list(options.index) == list(OPTIONS)
        assert all(reference_decision(m, p) == d
                   for m, p, d in zip(options["mean_npv"], options["probability_loss"], options["decision"]))
    # The group that should go most clearly was planted a better-paying offer than the one that should not.
    best = max(sheets.values(), key=lambda s: -s["options"].loc[OPTIONS[0], "probability_loss"])
    worst = max(sheets.values(), key=lambda s: s["options"].loc[OPTIONS[0], "probability_loss"])
    assert (best["offers"].iloc[:, 0]["planted_profit_per_offer_before_support"]
            > worst["offers"].iloc[:, 0]["planted_profit_per_offer_before_support"])


def test_the_marker_gets_each_groups_truth(sheets):
    sheet = sheets[3]
    pd.testing.assert_frame_equal(sheet["planted"], group_world(3, vary=True).changes())
    offers = sheet["offers"]["group 3"]
    assert 0 < offers["share_targeted"] < 1 and offers["measured_profit_per_offer_se"] > 0
    assert np.isfinite(offers["planted_profit_per_offer_before_support"])


def test_reference_decision_follows_the_expected_value_outside_the_pilot_band():
    low, high = DECISION_THRESHOLDS
    assert [reference_decision(1.0, p) for p in (0.0, low, (low + high) / 2, high)] == [
        "go", "go", "staged pilot", "go"]  # a positive mean at a loss probability of 0.8: skewed, but a go
    assert [reference_decision(-1.0, p) for p in (low, (low + high) / 2, high, 1.0)] == [
        "no-go", "staged pilot", "no-go", "no-go"]
    with pytest.raises(ValueError, match="probability_loss"):
        reference_decision(1.0, 1.5)
    with pytest.raises(ValueError, match="mean_npv"):
        reference_decision(float("nan"), 0.5)
    with pytest.raises(ValueError, match="thresholds"):
        reference_decision(1.0, 0.5, (0.8, 0.2))


def test_a_lecturers_own_parameters_are_kept_and_varied_on_top():
    p = WorldParams()
    custom = replace(p, purchases=replace(p.purchases, spend_gamma=2_500.0))
    own = group_world(2, params=custom)
    assert own.params == custom and own.varied and own.seed == group_world(2).seed
    with pytest.raises(ValueError, match="command line"):
        own.command()
    both = group_world(2, params=custom, vary=True)
    assert both.params.purchases.spend_gamma == 2_500.0
    assert both.changes().equals(group_world(2, vary=True).changes())


def test_a_written_group_world_loads_and_runs(tmp_path):
    from crm_course.data import load, load_all

    gw = group_world(5, vary=True, n_members=3_000)
    folder = gw.write(tmp_path / "group_5")
    customers = load("customers", folder=folder)
    assert len(customers) == 3_000
    simulated = gw.simulate().tables["transactions"]
    assert np.allclose(load("transactions", folder=folder)["order_value"].to_numpy(), simulated["order_value"])
    small = board_case(load_all(folder=folder), rng=1)
    assert np.isfinite(small.figures["mean_npv"])


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"horizon_years": 0}, "horizon_years"),
        ({"discount_rate": 1.5}, "discount_rate"),
        ({"process_upfront": -1.0}, "process_upfront"),
        ({"send_cost": float("nan")}, "send_cost"),
        ({"campaigns_per_year": 2.5}, "campaigns_per_year"),
        ({"empowerment": "all"}, "empowerment"),
        ({"pay_on_time": "yes"}, "pay_on_time"),
        ({"observation_end": "not a date"}, "observation_end"),
        ({"n_draws": 10}, "n_draws"),
        ({"lift_population": "lapsed"}, "lift_population"),
        ({"base_change": -1.5}, "base_change"),
        ({"net_support_cost": "yes"}, "net_support_cost"),
    ],
)
def test_bad_assumptions_raise_a_clear_error(changes, message):
    with pytest.raises(ValueError, match=message):
        BoardAssumptions(**changes)


def test_board_case_rejects_bad_input(world):
    tables = world.tables
    with pytest.raises(TypeError, match="tables"):
        board_case(tables["customers"])
    with pytest.raises(ValueError, match="missing table.*agents"):
        board_case({k: v for k, v in tables.items() if k != "agents"})
    with pytest.raises(ValueError, match="customer_heterogeneity"):
        board_case({**tables, "merchant_panel": tables["merchant_panel"].drop(columns="customer_heterogeneity")})
    with pytest.raises(ValueError, match="'csat'"):
        board_case({**tables, "contacts": tables["contacts"].drop(columns="csat")})
    with pytest.raises(ValueError, match="order_date.*datetime"):
        board_case({**tables, "transactions": tables["transactions"].assign(order_date="2024-01-01")})
    with pytest.raises(ValueError, match="at least 1 row"):
        board_case({**tables, "offer_experiment": tables["offer_experiment"].iloc[:0]})
    with pytest.raises(TypeError, match="assumptions"):
        board_case(tables, assumptions={"horizon_years": 3})
    with pytest.raises(TypeError, match="rng"):
        board_case(tables, rng=-1)


def test_staff_changes_and_group_world_reject_bad_input():
    with pytest.raises(TypeError, match="rows"):
        staff_changes([1, 2])
    with pytest.raises(ValueError, match="paid_on_time"):
        staff_changes(pd.DataFrame({"fit": [1, 0], "shared_desk": [0, 1]}))
    with pytest.raises(ValueError, match="group"):
        group_world(0)
    with pytest.raises(ValueError, match="group"):
        group_world(1.5)
    with pytest.raises(ValueError, match="base_seed"):
        group_world(1, base_seed=-3)
    with pytest.raises(ValueError, match="vary"):
        group_world(1, vary="yes")
    with pytest.raises(TypeError, match="params"):
        group_world(1, params={"campaign": None})
