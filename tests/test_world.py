"""The Kopilka world carries every planted effect it claims to carry.

Each test simulates at a fixed seed, estimates the effect with the most
direct estimator available (using the hidden truth only where the effect
acts on something latent, such as who dropped out), asserts the planted value
lies inside the estimate's 95% confidence interval, and checks that changing
the parameter moves the estimate. The chapters' own tests do the same with
the course helpers on observable data.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from crm_course.world import simulate
from crm_course.world.params import (
    PanelParams,
    WorldParams,
)

P = WorldParams()


def inside(ci_low: float, ci_high: float, truth: float) -> bool:
    return ci_low <= truth <= ci_high


# A test that checks k coefficients at once uses Bonferroni-adjusted intervals
# (level 1 - 0.05/k), so the chance that a correct generator fails it stays at
# most 5% rather than growing with the number of coefficients.
def bonferroni(k: int) -> float:
    return 0.05 / k


def with_(**stages) -> WorldParams:
    return replace(P, **stages)


# --- determinism and scale -----------------------------------------------------


def test_one_seed_gives_identical_tables_and_another_seed_differs():
    a, b, c = simulate(2_000, seed=5), simulate(2_000, seed=5), simulate(2_000, seed=6)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    assert not a.tables["transactions"].equals(c.tables["transactions"])


def test_size_scales_members_orders_and_agents():
    small, large = simulate(2_000, seed=1), simulate(8_000, seed=1)
    assert len(large.tables["customers"]) == 4 * len(small.tables["customers"])
    ratio = len(large.tables["transactions"]) / len(small.tables["transactions"])
    assert 3.4 < ratio < 4.6
    assert len(large.tables["agents"]) == 40 and len(small.tables["agents"]) == P.staff.min_agents


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_members": -5}, r"n_members: expected an integer in \[100, inf\]; found -5"),
        ({"n_members": 10.5}, r"n_members: expected an integer"),
        ({"seed": -1}, r"seed: expected an integer in \[0, inf\]; found -1"),
        ({"params": with_(purchases=replace(P.purchases, decline_probability=1.5))},
         r"purchases.decline_probability: expected a number in \[0, 1\]; found 1.5"),
        ({"params": with_(campaign=replace(P.campaign, open_generic=-0.1))},
         r"campaign.open_generic: expected a number in \[0, 1\]"),
        ({"params": with_(members=replace(P.members, channel_shares={"search": 0.5, "social": 0.6}))},
         r"members.channel_shares: expected shares that add up to 1; found a total of 1.1"),
        ({"params": with_(purchases=replace(P.purchases, spend_q=0.5))},
         r"purchases.spend_q: expected a number in \(1, inf\); found 0.5"),
        ({"params": with_(campaign=replace(P.campaign, week=200))}, r"campaign.week: expected at most"),
        ({"params": with_(support=replace(P.support, cut_points=(1, 0, 2, 3)))}, r"support.cut_points: expected 4 increasing"),
    ],
)
def test_impossible_parameters_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate(**({"n_members": 1_000} | kwargs))


def test_params_of_the_wrong_kind_are_refused():
    with pytest.raises(TypeError, match="params: expected a WorldParams; found dict"):
        simulate(1_000, params={})


# --- chapter 1 and 5: heterogeneity ------------------------------------------------


def _no_dropout() -> WorldParams:
    """Members never leave: order counts are then exactly Poisson(λ · exposure)."""
    return with_(
        purchases=replace(P.purchases, a=0.001, b=1000.0),
        support=replace(P.support, dropout_intercept=-60.0),
    )


@pytest.fixture(scope="module")
def no_dropout_world():
    return simulate(30_000, seed=11, params=_no_dropout())


def _counts_by_member(world, weeks=26):
    cust = world.tables["customers"].copy()
    end = pd.Timestamp(world.params.members.start) + pd.Timedelta(weeks=world.params.members.weeks)
    cust["exposure"] = np.minimum((end - cust["signup_date"]).dt.days / 7, weeks)
    tx = world.tables["transactions"].merge(cust[["customer_id", "signup_date"]], on="customer_id")
    tx = tx[(tx["order_date"] - tx["signup_date"]).dt.days < 7 * weeks]
    cust["orders"] = cust["customer_id"].map(tx.groupby("customer_id").size()).fillna(0)
    return cust[cust["exposure"] > 4]


def test_demographic_multipliers_are_recovered_by_a_poisson_rate_model(no_dropout_world):
    """log E[orders] = log exposure + channel + age band: Poisson QMLE with robust errors."""
    cust = _counts_by_member(no_dropout_world)
    fit = smf.glm(
        "orders ~ C(channel, Treatment('search')) + C(age_band, Treatment('25-34'))",
        data=cust, family=sm.families.Poisson(), offset=np.log(cust["exposure"]),
    ).fit(cov_type="HC1")
    ci = fit.conf_int(alpha=bonferroni(3))
    for label, term in [("referral", "C(channel, Treatment('search'))[T.referral]"),
                        ("social", "C(channel, Treatment('search'))[T.social]")]:
        truth = np.log(P.members.channel_rate_multiplier[label] / P.members.channel_rate_multiplier["search"])
        assert inside(*ci.loc[term], truth), (label, ci.loc[term].tolist(), truth)
    truth = np.log(P.members.age_band_rate_multiplier["55+"] / P.members.age_band_rate_multiplier["25-34"])
    assert inside(*ci.loc["C(age_band, Treatment('25-34'))[T.55+]"], truth)


def test_purchase_rate_heterogeneity_is_gamma_r_alpha(no_dropout_world):
    """Counts are Poisson-Gamma, i.e. negative binomial with shape r: an NB2 fit recovers r."""
    cust = _counts_by_member(no_dropout_world)
    cust = cust[cust["exposure"] == cust["exposure"].max()]
    mult = (cust["channel"].map(P.members.channel_rate_multiplier).astype(float)
            * cust["age_band"].map(P.members.age_band_rate_multiplier).astype(float))
    # NB2: Var = mu + mu^2 / r, so alpha_nb = 1 / r. Demographic multipliers enter as an offset.
    fit = sm.NegativeBinomial(cust["orders"], np.ones(len(cust)), offset=np.log(mult)).fit(disp=0)
    est, (lo, hi) = fit.params.iloc[-1], fit.conf_int(alpha=bonferroni(2)).iloc[-1]
    assert inside(lo, hi, 1 / P.purchases.r), (lo, hi, 1 / P.purchases.r)
    mean_rate = np.exp(fit.params.iloc[0]) / cust["exposure"].iloc[0]
    lo_m, hi_m = np.exp(fit.conf_int(alpha=bonferroni(2)).iloc[0]) / cust["exposure"].iloc[0]
    assert inside(lo_m, hi_m, P.purchases.r / P.purchases.alpha)
    assert est > 0 and mean_rate > 0


def test_order_values_follow_the_gamma_gamma_model():
    """Given each member's true mean order value m, value / m ~ Gamma(shape p, scale 1/p).

    The maximum-likelihood shape has asymptotic variance 1 / (n (trigamma(p) - 1/p)).
    """
    from scipy import special, stats

    world = simulate(10_000, seed=3)
    truth = world.truth["members"].set_index("customer_id")["mean_order_value"]
    tx = world.tables["transactions"]
    ratio = tx["order_value"] / tx["customer_id"].map(truth)
    shape, _, _ = stats.gamma.fit(ratio, floc=0)
    se = 1 / np.sqrt(len(ratio) * (special.polygamma(1, shape) - 1 / shape))
    assert inside(shape - 1.96 * se, shape + 1.96 * se, P.purchases.spend_p)


def test_revenue_concentration_is_realistic_and_moves_with_heterogeneity():
    """Default: the top 20% bring 60-75% of revenue; more homogeneous rates lower the share."""
    from crm_course.world.datapackage import headline_figures

    default = headline_figures(simulate(20_000, seed=2))["top20_revenue_share"]
    flatter = headline_figures(
        simulate(20_000, seed=2, params=with_(purchases=replace(P.purchases, r=3.0, alpha=3.0 / 0.144)))
    )["top20_revenue_share"]
    assert 0.60 <= default <= 0.75
    assert flatter < default - 0.05


# --- chapter 2: CRM adoption panel -------------------------------------------------------


def _panel_fit(params: PanelParams, seed=21, n_merchants=600):
    world = simulate(1_000, seed=seed, params=with_(panel=params, merchants=replace(P.merchants, n_merchants=n_merchants)))
    panel = world.tables["merchant_panel"].copy()
    panel["d"] = panel["crm_active"].astype(float)
    panel["d_h"] = panel["d"] * (panel["customer_heterogeneity"] - 0.5)
    twfe = smf.ols("repeat_rate ~ d + d_h + C(merchant_id) + C(year)", data=panel).fit(
        cov_type="cluster", cov_kwds={"groups": panel["merchant_id"]}
    )
    last = panel[panel["year"] == panel["year"].max()]
    naive = smf.ols("repeat_rate ~ d", data=last).fit(cov_type="HC1")
    return twfe, naive, world


def test_crm_effect_and_its_heterogeneity_are_recovered_by_two_way_fixed_effects():
    twfe, naive, world = _panel_fit(P.panel)
    ci = twfe.conf_int(alpha=bonferroni(2))
    assert inside(*ci.loc["d"], P.panel.effect_at_mean)
    assert inside(*ci.loc["d_h"], P.panel.effect_slope)
    # Self-selection: the naive cross-section overstates the effect.
    assert naive.conf_int().loc["d", 0] > P.panel.effect_at_mean
    adopted = world.tables["merchant_panel"].groupby("merchant_id")["crm_adoption_year"].first()
    assert adopted.nunique() >= 5 and adopted.isna().any()  # staggered, with never-adopters


def test_a_larger_crm_effect_moves_the_estimate():
    base, _, _ = _panel_fit(P.panel)
    more, _, _ = _panel_fit(replace(P.panel, effect_at_mean=0.08))
    assert more.params["d"] - base.params["d"] > 0.03


# --- chapter 3: the campaign ---------------------------------------------------------------


@pytest.fixture(scope="module")
def campaign_world():
    return simulate(30_000, seed=31)


def _persuasion(world):
    exp = world.tables["offer_experiment"].merge(world.truth["campaign"], on="customer_id")
    return exp[exp["alive_at_campaign"]]


def test_persuasion_shares_are_planted_as_stated(campaign_world):
    """Among active members, the share persuaded is δ_generic, and δ_personalised grows with history."""
    exp = _persuasion(campaign_world)
    generic = exp[exp["arm"] == "generic"]["persuaded"]
    se = np.sqrt(generic.mean() * (1 - generic.mean()) / len(generic))
    z = 2.39  # two-sided 1 - 0.05/3
    assert inside(generic.mean() - z * se, generic.mean() + z * se, P.campaign.persuade_generic)
    pers = exp[exp["arm"] == "personalised"].assign(log_h=lambda d: np.log1p(d["prior_orders"]),
                                                    persuaded=lambda d: d["persuaded"].astype(float))
    fit = smf.ols("persuaded ~ log_h", data=pers).fit(cov_type="HC1")
    ci = fit.conf_int(alpha=bonferroni(3))
    assert inside(*ci.loc["Intercept"], P.campaign.persuade_personalised)
    assert inside(*ci.loc["log_h"], P.campaign.persuade_personalised_per_log_order)
    assert not exp[exp["arm"] == "none"]["persuaded"].any()


def test_offers_raise_observed_conversion_in_the_planted_order(campaign_world):
    exp = campaign_world.tables["offer_experiment"]
    rate = exp.groupby("arm", observed=True)["converted"].agg(["mean", "count"])
    se = np.sqrt((rate["mean"] * (1 - rate["mean"]) / rate["count"]))
    diff = rate.loc["personalised", "mean"] - rate.loc["none", "mean"]
    assert diff - 1.96 * np.hypot(se["personalised"], se["none"]) > 0
    assert rate.loc["personalised", "mean"] > rate.loc["generic", "mean"] > rate.loc["none", "mean"]


def test_a_stronger_history_effect_moves_the_estimate():
    def slope(params):
        exp = _persuasion(simulate(20_000, seed=32, params=params))
        pers = exp[exp["arm"] == "personalised"].assign(
            log_h=lambda d: np.log1p(d["prior_orders"]), persuaded=lambda d: d["persuaded"].astype(float))
        return smf.ols("persuaded ~ log_h", data=pers).fit().params["log_h"]

    stronger = with_(campaign=replace(P.campaign, persuade_personalised_per_log_order=0.25))
    assert slope(stronger) - slope(P) > 0.03


# --- chapter 4: staff and support ------------------------------------------------------------


@pytest.fixture(scope="module")
def staff_world():
    """A large world, so there are 400 agents and about 70,000 contacts."""
    return simulate(80_000, seed=41)


def test_engagement_drivers_are_recovered(staff_world):
    agents = staff_world.tables["agents"]
    fit = smf.ols("engagement ~ paid_on_time + shared_desk + training_hours + empowered", data=agents).fit(cov_type="HC1")
    ci = fit.conf_int(alpha=bonferroni(4))
    s = P.staff
    for term, truth in [("paid_on_time[T.True]", s.engagement_paid_on_time),
                        ("shared_desk[T.True]", s.engagement_shared_desk),
                        ("training_hours", s.engagement_training_per_hour),
                        ("empowered[T.True]", s.engagement_empowered)]:
        assert inside(*ci.loc[term], truth), (term, ci.loc[term].tolist(), truth)


def _csat_model(world):
    """Ordered logit of CSAT with the latent specification; the agent effect enters as a known offset."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    c = world.tables["contacts"].merge(world.tables["agents"], on="agent_id")
    c = c.merge(world.truth["agents"], on="agent_id")
    eng = c["engagement"] - 60
    unpaid = (~c["payout_received"]).astype(float)
    exog = pd.DataFrame({
        "engagement": eng,
        "engagement_x_unpaid": eng * unpaid,
        "fcr": c["first_contact_resolution"].astype(float),
        "empowered_fit": (c["empowered"] & c["fit"]).astype(float),
        "empowered_misfit": (c["empowered"] & ~c["fit"]).astype(float),
    })
    model = OrderedModel(c["csat"].to_numpy(), exog, offset=c["random_effect"].to_numpy(), distr="logit")
    return model.fit(method="bfgs", disp=False, maxiter=2000)


def test_csat_latent_effects_are_recovered(staff_world):
    fit = _csat_model(staff_world)
    ci = fit.conf_int(alpha=bonferroni(5))
    s = P.support
    for term, truth in [("engagement", s.engagement_per_point),
                        ("engagement_x_unpaid", s.engagement_per_point * s.unpaid_agent_weight),
                        ("fcr", s.fcr),
                        ("empowered_fit", s.empowered_fit),
                        ("empowered_misfit", s.empowered_misfit)]:
        assert inside(*ci.loc[term], truth), (term, ci.loc[term].tolist(), truth)


def test_agent_random_effect_spread_is_planted(staff_world):
    re = staff_world.truth["agents"]["random_effect"]
    n = len(re)
    # Chi-square interval for a standard deviation.
    from scipy import stats

    s2 = re.var(ddof=1)
    lo = np.sqrt((n - 1) * s2 / stats.chi2.ppf(0.975, n - 1))
    hi = np.sqrt((n - 1) * s2 / stats.chi2.ppf(0.025, n - 1))
    assert inside(lo, hi, P.support.agent_sd)


def test_poor_contacts_raise_dropout_as_planted(staff_world):
    """Logit of 'dropped out right after this contact' on (5 - CSAT), among active members."""
    c = staff_world.tables["contacts"].merge(staff_world.truth["contacts"], on="contact_id")
    c = c[c["active_before"]]
    X = sm.add_constant((5 - c["csat"]).rename("below_top").astype(float))
    fit = sm.Logit(c["dropped_out_after"].astype(float), X).fit(disp=0)
    ci = fit.conf_int(alpha=bonferroni(2))
    assert inside(*ci.loc["const"], P.support.dropout_intercept)
    assert inside(*ci.loc["below_top"], P.support.dropout_per_csat_point)


def test_stronger_engagement_weight_moves_the_csat_estimate():
    base = _csat_model(simulate(30_000, seed=42)).params["engagement"]
    stronger = _csat_model(
        simulate(30_000, seed=42, params=with_(support=replace(P.support, engagement_per_point=0.10)))
    ).params["engagement"]
    assert stronger - base > 0.03


def test_key_account_relationship_quality_drives_growth():
    world = simulate(1_000, seed=51, params=with_(merchants=replace(P.merchants, n_merchants=2_000)))
    ka = world.tables["key_accounts"]
    fit = smf.ols("merchant_growth ~ relationship_quality + C(kam_id)", data=ka).fit(cov_type="HC1")
    assert inside(*fit.conf_int().loc["relationship_quality"], P.key_accounts.growth_per_quality_point)
    # Meetings are correlated with quality but have no effect of their own.
    both = smf.ols("merchant_growth ~ relationship_quality + meetings_per_year + C(kam_id)", data=ka).fit(cov_type="HC1")
    assert inside(*both.conf_int().loc["meetings_per_year"], 0.0)
