"""The ground truth of the Kopilka world: every planted effect, in one place.

Each stage of the simulation reads one frozen dataclass. Change a value with
:func:`dataclasses.replace` and regenerate to see a chapter's estimate move,
e.g. for a power study::

    >>> from dataclasses import replace
    >>> from crm_course.world.params import WorldParams
    >>> p = WorldParams()
    >>> stronger = replace(p, campaign=replace(p.campaign, persuade_personalised_per_log_order=0.2))
    >>> stronger.campaign.persuade_personalised_per_log_order
    0.2

Money is in roubles (RUB); time runs in weeks from ``MemberParams.start``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass

from crm_course.validation import check_number

__all__ = [
    "WorldParams",
    "MemberParams",
    "PurchaseParams",
    "MerchantParams",
    "PanelParams",
    "StaffParams",
    "SupportParams",
    "CampaignParams",
    "KeyAccountParams",
    "as_dict",
]


def _shares(mapping: dict[str, float], name: str) -> None:
    for key, value in mapping.items():
        check_number(value, f"{name}[{key!r}]", low=0, high=1)
    total = sum(mapping.values())
    if abs(total - 1) > 1e-9:
        raise ValueError(f"{name}: expected shares that add up to 1; found a total of {total:g}")


def _positive_map(mapping: dict[str, float], name: str) -> None:
    for key, value in mapping.items():
        check_number(value, f"{name}[{key!r}]", low=0, inclusive=False)


@dataclass(frozen=True)
class MemberParams:
    """Who joins Kopilka, and how much "who they are" matters (chapter 1).

    Demographics shift the purchase rate only a little (``*_rate_multiplier``):
    the planted lesson is that past behaviour predicts spend far better than
    channel, age or region.
    """

    start: str = "2023-01-02"  #: first day of week 0 (a Monday)
    weeks: int = 104  #: length of the observation window in weeks
    signup_weeks: int = 88  #: members join uniformly-growing over these first weeks
    signup_growth: float = 1.5  #: weekly sign-ups at the end / at the start
    channel_shares: dict = field(
        default_factory=lambda: {"search": 0.35, "social": 0.25, "referral": 0.20, "partner": 0.20}
    )
    channel_rate_multiplier: dict = field(
        default_factory=lambda: {"search": 1.0, "social": 0.85, "referral": 1.30, "partner": 1.0}
    )
    age_band_shares: dict = field(
        default_factory=lambda: {"18-24": 0.18, "25-34": 0.34, "35-44": 0.26, "45-54": 0.14, "55+": 0.08}
    )
    age_band_rate_multiplier: dict = field(
        default_factory=lambda: {"18-24": 0.90, "25-34": 1.05, "35-44": 1.05, "45-54": 0.95, "55+": 0.90}
    )
    region_shares: dict = field(
        default_factory=lambda: {
            "Moscow": 0.24, "St Petersburg": 0.14, "Central": 0.14, "Volga": 0.16,
            "Urals": 0.10, "Siberia": 0.10, "South": 0.12,
        }
    )
    device_shares: dict = field(default_factory=lambda: {"android": 0.55, "ios": 0.30, "desktop": 0.15})

    def validate(self) -> None:
        check_number(self.weeks, "members.weeks", low=8, integer=True)
        check_number(self.signup_weeks, "members.signup_weeks", low=1, high=self.weeks, integer=True)
        check_number(self.signup_growth, "members.signup_growth", low=0, inclusive=False)
        for name in ("channel", "age_band"):
            _shares(getattr(self, f"{name}_shares"), f"members.{name}_shares")
            _positive_map(getattr(self, f"{name}_rate_multiplier"), f"members.{name}_rate_multiplier")
            if set(getattr(self, f"{name}_shares")) != set(getattr(self, f"{name}_rate_multiplier")):
                raise ValueError(f"members.{name}_rate_multiplier: expected the same labels as {name}_shares")
        _shares(self.region_shares, "members.region_shares")
        _shares(self.device_shares, "members.device_shares")


@dataclass(frozen=True)
class PurchaseParams:
    """The buy-till-you-die process (chapters 1 and 5).

    Each member buys at a weekly Poisson rate λ ~ Gamma(shape ``r``, rate
    ``alpha``) times the demographic multipliers, and after each purchase
    drops out with probability p ~ Beta(``a``, ``b``) (Fader, Hardie & Lee,
    2005, BG/NBD). The value of an order is Gamma(shape ``spend_p``, rate ν)
    with ν ~ Gamma(shape ``spend_q``, rate ``spend_gamma``) per member: the
    Gamma–Gamma model (Fader, Hardie & Lee, 2005, JMR), so the mean order
    value is ``spend_p * spend_gamma / (spend_q - 1)`` RUB.
    """

    r: float = 0.65
    alpha: float = 4.5  #: in weeks; mean rate r/alpha = 0.144 orders a week
    a: float = 0.8
    b: float = 4.0  #: mean drop-out chance a/(a+b) = 0.17 after each order
    spend_p: float = 4.0
    spend_q: float = 3.5
    spend_gamma: float = 1900.0  #: RUB; mean order value about 3,040 RUB
    decline_probability: float = 0.08  #: merchant rejects the order (no commission, no cashback)
    confirm_delay_weeks: tuple = (3, 10)  #: merchant confirms or declines after this many weeks (uniform)

    def validate(self) -> None:
        for name in ("r", "alpha", "a", "b", "spend_p", "spend_gamma"):
            check_number(getattr(self, name), f"purchases.{name}", low=0, inclusive=False)
        check_number(self.spend_q, "purchases.spend_q", low=1, inclusive=False)
        check_number(self.decline_probability, "purchases.decline_probability", low=0, high=1)
        lo, hi = self.confirm_delay_weeks
        check_number(lo, "purchases.confirm_delay_weeks[0]", low=1, integer=True)
        check_number(hi, "purchases.confirm_delay_weeks[1]", low=lo, integer=True)


@dataclass(frozen=True)
class MerchantParams:
    """Partner stores and their commission terms."""

    n_merchants: int = 250
    cashback_share: tuple = (0.55, 0.75)  #: share of the commission passed back to the member (uniform)
    key_account_share: float = 0.18  #: the largest merchants, managed by key account managers
    n_key_account_managers: int = 8

    def validate(self) -> None:
        check_number(self.n_merchants, "merchants.n_merchants", low=20, integer=True)
        lo, hi = self.cashback_share
        check_number(lo, "merchants.cashback_share[0]", low=0, high=1)
        check_number(hi, "merchants.cashback_share[1]", low=lo, high=1)
        check_number(self.key_account_share, "merchants.key_account_share", low=0, high=1, inclusive=False)
        check_number(self.n_key_account_managers, "merchants.n_key_account_managers", low=1, integer=True)


@dataclass(frozen=True)
class PanelParams:
    """CRM adoption by partner merchants, 2015–2024 (chapter 2).

    The effect of CRM on a merchant's repeat-purchase rate is
    ``effect_at_mean + effect_slope * (heterogeneity - 0.5)`` percentage
    points as a share, near zero for homogeneous customer bases. Adoption is
    self-selected: its yearly hazard rises with heterogeneity and size, and
    so does the baseline repeat rate, which biases a naive comparison up.
    ``effect_ramp_years`` > 0 lets the effect build up after adoption (a
    setting under which static two-way fixed effects go wrong).

    ``effect_firm_sd`` gives each merchant its own deviation from that line,
    Normal(0, ``effect_firm_sd``): firms with the same heterogeneity then
    gain different amounts, so the average effect at a given heterogeneity
    (a confidence interval) says less about one firm than a prediction
    interval does. The shipped world uses 0.015 (1.5 percentage points):
    about as large as the spread the line itself creates across merchants
    (0.12 times the standard deviation of heterogeneity, 0.134, is 0.016), so
    heterogeneity explains about half of the variance of firms' effects and
    the other half is the firm's own (how well it runs the programme, its
    people and processes). Setting it to 0 gives the first edition's world,
    in which every firm's effect lies exactly on the line.
    ``pre_adoption_dip`` > 0 is a scenario, off by default: in
    the ``dip_years`` years just before adopting, an adopter's repeat rate
    falls by that much and recovers afterwards (an Ashenfelter dip: firms
    adopt CRM after a bad spell), which breaks parallel trends; an event
    study's pre-trend test catches it, and two-way fixed effects overstate the
    effect. Both draw nothing when zero, so the default world is unchanged.
    ``adoption_gain_slope`` > 0 is a scenario of **selection on gains**, off
    by default: the log-odds of adopting in a year rise by this much per
    percentage point of the firm's own deviation from the effect line, so
    firms that stand to gain more adopt sooner and adopters' effects overstate
    what a non-adopter would gain. At 0 adoption is independent of the
    deviation, as in the shipped world.
    """

    first_year: int = 2015
    last_year: int = 2024
    first_adoption_year: int = 2017
    effect_at_mean: float = 0.04
    effect_slope: float = 0.12
    effect_ramp_years: int = 0
    baseline_repeat: float = 0.30
    baseline_heterogeneity_slope: float = 0.20  #: self-selection, as heterogeneous bases repeat more anyway
    baseline_size_slope: float = 0.03
    merchant_sd: float = 0.04
    noise_sd: float = 0.015
    year_trend: float = 0.004
    adoption_intercept: float = -3.0
    adoption_heterogeneity_slope: float = 4.0
    adoption_size_slope: float = 0.8
    effect_firm_sd: float = 0.015  #: each firm's own deviation from the line (see above)
    pre_adoption_dip: float = 0.0
    dip_years: int = 1
    adoption_gain_slope: float = 0.0

    def validate(self) -> None:
        check_number(self.first_year, "panel.first_year", low=1900, integer=True)
        check_number(self.last_year, "panel.last_year", low=self.first_year + 2, integer=True)
        check_number(self.first_adoption_year, "panel.first_adoption_year",
                     low=self.first_year + 1, high=self.last_year, integer=True)
        check_number(self.effect_ramp_years, "panel.effect_ramp_years", low=0, integer=True)
        for name in ("merchant_sd", "noise_sd", "effect_firm_sd", "pre_adoption_dip", "adoption_gain_slope"):
            check_number(getattr(self, name), f"panel.{name}", low=0)
        check_number(self.dip_years, "panel.dip_years", low=1, integer=True)
        check_number(self.baseline_repeat, "panel.baseline_repeat", low=0, high=1)


@dataclass(frozen=True)
class StaffParams:
    """Support agents and internal marketing (chapter 4).

    Engagement (0–100 survey score) =
    ``engagement_base + paid_on_time + training_per_hour * hours - shared_desk
    + empowered`` effects + Normal(0, ``engagement_sd``). Empowerment is a
    randomised pilot: each agent is empowered with ``empowered_share``.

    A confounder scenario, off by default: with ``team_quality_selection`` > 0 each
    agent works in a team of standard-normal quality *q* that shifts the log-odds
    of being paid on time up and of sharing a desk down by that much per unit of
    *q*, and multiplies expected training hours by exp(0.3 x that x *q*); with
    ``team_quality_engagement`` > 0, *q* also raises engagement directly by that
    many points per unit. *q* is not in the tables (``truth["agents"]`` holds
    it), so a regression of engagement on pay, desk and training overstates
    their effects, while the randomised empowerment pilot stays unbiased. Both
    draw nothing when zero, so the default world is unchanged.
    """

    members_per_agent: int = 200
    min_agents: int = 30
    paid_on_time_share: float = 0.75
    shared_desk_share: float = 0.40
    training_hours_mean: float = 16.0
    interest_share: float = 0.70
    ability_share: float = 0.65
    respect_share: float = 0.60
    empowered_share: float = 0.50
    engagement_base: float = 52.0
    engagement_paid_on_time: float = 8.0
    engagement_shared_desk: float = -6.0
    engagement_training_per_hour: float = 0.25
    engagement_empowered: float = 6.0
    engagement_sd: float = 7.0
    team_quality_selection: float = 0.0
    team_quality_engagement: float = 0.0

    def validate(self) -> None:
        check_number(self.members_per_agent, "staff.members_per_agent", low=1, integer=True)
        check_number(self.min_agents, "staff.min_agents", low=2, integer=True)
        for name in ("paid_on_time_share", "shared_desk_share", "interest_share", "ability_share",
                     "respect_share", "empowered_share"):
            check_number(getattr(self, name), f"staff.{name}", low=0, high=1)
        check_number(self.engagement_sd, "staff.engagement_sd", low=0)
        check_number(self.training_hours_mean, "staff.training_hours_mean", low=0)
        check_number(self.team_quality_selection, "staff.team_quality_selection", low=0)
        check_number(self.team_quality_engagement, "staff.team_quality_engagement", low=0)


@dataclass(frozen=True)
class SupportParams:
    """Support contacts, their satisfaction score and its effect on drop-out (chapters 4 and 5).

    CSAT is an ordered-logit outcome. Its latent score is::

        csat* = engagement_per_point * (engagement - 60) * (1 + unpaid_agent_weight * not_paid_out)
              + fcr * first_contact_resolution
              + empowered_fit * empowered * fit + empowered_misfit * empowered * (1 - fit)
              + u_agent + logistic noise,          u_agent ~ Normal(0, agent_sd)

    where ``fit`` means the agent meets all three Eastman criteria (interest,
    ability, respect) and ``not_paid_out`` that the member has had no cashback
    paid out yet. CSAT is k when the latent score lies between cut points
    k-1 and k. After a contact an active member drops out with probability
    ``logistic(dropout_intercept + dropout_per_csat_point * (5 - csat))``.
    """

    contact_probability: float = 0.15  #: per order, for a member of average support propensity
    contact_probability_declined: float = 0.60  #: per declined order, when the decline is announced
    support_propensity_sd: float = 0.8  #: log-normal spread of members' support use
    cost_per_contact: float = 180.0  #: RUB, fully loaded cost of handling one contact
    fcr_intercept: float = 0.9
    fcr_per_engagement_point: float = 0.03
    fcr_declined: float = -0.8
    engagement_per_point: float = 0.05
    unpaid_agent_weight: float = 0.6
    fcr: float = 1.5
    empowered_fit: float = 0.6
    #: Large enough that empowering an agent who fails the criteria does net harm
    #: even after the engagement it brings (6 points x 0.05 = +0.3, plus better
    #: first-contact resolution): the Eastman lesson of selective empowerment.
    empowered_misfit: float = -0.8
    agent_sd: float = 0.4
    cut_points: tuple = (-1.2, -0.4, 0.4, 1.5)
    dropout_intercept: float = -3.5
    dropout_per_csat_point: float = 0.55

    def validate(self) -> None:
        for name in ("contact_probability", "contact_probability_declined"):
            check_number(getattr(self, name), f"support.{name}", low=0, high=1)
        check_number(self.support_propensity_sd, "support.support_propensity_sd", low=0)
        check_number(self.cost_per_contact, "support.cost_per_contact", low=0)
        check_number(self.agent_sd, "support.agent_sd", low=0)
        cuts = list(self.cut_points)
        if len(cuts) != 4 or cuts != sorted(cuts):
            raise ValueError(f"support.cut_points: expected 4 increasing numbers; found {self.cut_points!r}")


@dataclass(frozen=True)
class CampaignParams:
    """The randomised three-arm offer campaign (chapter 3).

    A member in a treated arm who would not have bought anyway is persuaded
    to buy within 30 days with probability δ (times ``lapsed_responsiveness``
    for members who have already dropped out)::

        δ_generic      = persuade_generic
        δ_personalised = persuade_personalised + persuade_personalised_per_log_order * log(1 + prior orders)

    so conversion = base + (1 - base) · δ, and the personalised offer gains
    with history: the learning relationship. Converters in a treated arm
    receive a bonus cashback; every offer sent costs a little.
    """

    week: int = 91  #: 2024-09-30 with the default start
    min_tenure_weeks: int = 4
    window_days: int = 30
    persuade_generic: float = 0.04
    persuade_personalised: float = 0.05
    #: Large enough that a 20,000-member campaign detects the learning relationship
    #: (its interaction is estimated with a standard error of about 0.009).
    persuade_personalised_per_log_order: float = 0.10
    lapsed_responsiveness: float = 0.3
    open_generic: float = 0.30
    open_personalised: float = 0.42
    click_given_open: float = 0.35
    send_cost_generic: float = 1.0  #: RUB per offer
    send_cost_personalised: float = 3.0  #: RUB per offer, for data work and creative
    bonus_cashback: float = 20.0  #: RUB paid to each converter in a treated arm, so sure things cost money

    def validate(self) -> None:
        check_number(self.week, "campaign.week", low=1, integer=True)
        check_number(self.window_days, "campaign.window_days", low=1, integer=True)
        for name in ("persuade_generic", "persuade_personalised", "lapsed_responsiveness",
                     "open_generic", "open_personalised", "click_given_open"):
            check_number(getattr(self, name), f"campaign.{name}", low=0, high=1)
        check_number(self.persuade_personalised_per_log_order, "campaign.persuade_personalised_per_log_order", low=0)
        for name in ("send_cost_generic", "send_cost_personalised", "bonus_cashback"):
            check_number(getattr(self, name), f"campaign.{name}", low=0)


@dataclass(frozen=True)
class KeyAccountParams:
    """Key account management (chapter 4): relationship quality drives merchant growth.

    Growth (% a year) = ``growth_intercept + growth_per_quality_point *
    (quality - 4) + manager effect + noise``; quality is a 1–7 rating.
    """

    growth_intercept: float = 6.0
    growth_per_quality_point: float = 3.0
    manager_sd: float = 1.0
    noise_sd: float = 4.0

    def validate(self) -> None:
        check_number(self.manager_sd, "key_accounts.manager_sd", low=0)
        check_number(self.noise_sd, "key_accounts.noise_sd", low=0)


@dataclass(frozen=True)
class WorldParams:
    """All parameters of the Kopilka world, one field per stage."""

    members: MemberParams = field(default_factory=MemberParams)
    purchases: PurchaseParams = field(default_factory=PurchaseParams)
    merchants: MerchantParams = field(default_factory=MerchantParams)
    panel: PanelParams = field(default_factory=PanelParams)
    staff: StaffParams = field(default_factory=StaffParams)
    support: SupportParams = field(default_factory=SupportParams)
    campaign: CampaignParams = field(default_factory=CampaignParams)
    key_accounts: KeyAccountParams = field(default_factory=KeyAccountParams)

    def validate(self) -> None:
        for f in fields(self):
            getattr(self, f.name).validate()
        if self.campaign.week + 5 > self.members.weeks:
            raise ValueError(
                f"campaign.week: expected at most members.weeks - 5 = {self.members.weeks - 5}; "
                f"found {self.campaign.week}"
            )


def as_dict(params) -> dict:
    """Return the parameters as nested plain dicts (for documentation and logs)."""
    if is_dataclass(params):
        return {f.name: as_dict(getattr(params, f.name)) for f in fields(params)}
    if isinstance(params, tuple):
        return list(params)
    return params
