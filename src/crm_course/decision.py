r"""Decisions under uncertainty: expected value against cost, and what a pilot is worth.

A risk-neutral firm invests when the **expected** net benefit is positive; an
interval "clearing" the cost is a statement about risk, not a decision rule. And
when the net benefit is uncertain, finding out more (a pilot) has a value that can
be computed before paying for it. Chapter 2 uses this for one firm's CRM decision;
the capstone for Kopilka's programme.

* :func:`net_benefit` -- expected net benefit, the probability of a loss and an
  interval for the net benefit of one decision, from a normal belief about the
  benefit;
* :func:`value_of_information` -- the expected value of perfect information (EVPI)
  and of a pilot's sample information (EVSI) for an invest / do-not-invest choice;
* :func:`assess_crm_fit` -- chapter 2's tool, which puts the two together for one
  firm: from a panel regression of CRM's effect on a moderator (customer
  heterogeneity), the firm's expected lift, a confidence interval for the average
  firm like it and a prediction interval for the firm itself, its expected profit
  against the cost, and what a pilot would be worth (also importable as
  ``crm_course.panel.assess_crm_fit``).

The model: the net benefit :math:`\theta` (benefit less cost, in money) is believed
to be :math:`N(m, s^2)`. Deciding now, the firm invests if :math:`m > 0` and expects
:math:`\max(m, 0)`. Knowing :math:`\theta` exactly, it would invest only when
:math:`\theta > 0`, expecting

.. math::

    E[\max(\theta, 0)] = m\,\Phi(m/s) + s\,\varphi(m/s),

so :math:`\mathrm{EVPI} = m\,\Phi(m/s) + s\,\varphi(m/s) - \max(m, 0)`. A pilot
measures :math:`\theta` with noise of standard deviation :math:`\sigma`; after it the
firm acts on the posterior mean, which before the pilot is
:math:`N(m, \tilde s^{2})` with :math:`\tilde s = s^2/\sqrt{s^2 + \sigma^2}`, so
:math:`\mathrm{EVSI}` is the same expression with :math:`\tilde s` for :math:`s`
(Raiffa & Schlaifer, 1961; Feit & Berman, 2019, apply the idea to sizing marketing
tests). A pilot is worth running when its EVSI exceeds its cost; EVPI bounds what
any pilot can be worth. All amounts are in the caller's currency and period.

A decision usually binds for several periods. With a horizon of :math:`H` years
(optionally discounted at rate :math:`r`, continuously within the year, so one year
is worth :math:`A(H) = \int_0^H (1+r)^{-t}dt`, which is :math:`H` when
:math:`r = 0`), deciding now is worth :math:`A(H)\max(m, 0)`, and a pilot that
lasts :math:`d` years and costs :math:`c` is worth
:math:`[A(H) - A(d)]\,E[\max(\hat m, 0)] - c`: the firm acts on the posterior
mean :math:`\hat m` only once the pilot is over, so the season of delay is
charged to the pilot. Run it when that exceeds :math:`A(H)\max(m, 0)`. The
defaults (:math:`H = 1`, :math:`d = 0`) give the one-period values above.

References
----------
Feit, E. M. & Berman, R. (2019). Test & roll: profit-maximizing A/B tests.
*Marketing Science*, 38(6), 1038-1058.
Raiffa, H. & Schlaifer, R. (1961). *Applied Statistical Decision Theory*. Boston:
Division of Research, Harvard Business School.

Examples
--------
>>> from crm_course.decision import value_of_information
>>> table = value_of_information(prior_mean=-10_000, prior_sd=40_000, sampling_sd=[20_000, 5_000])
>>> table[["sampling_sd", "evsi"]].round(-2)
   sampling_sd     evsi
0      20000.0   9800.0
1       5000.0  11300.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crm_course.language import tr
from crm_course.validation import check_number

__all__ = ["assess_crm_fit", "net_benefit", "value_of_information"]


def _expected_positive_part(mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """E[max(X, 0)] for X ~ N(mean, sd^2), with sd = 0 allowed."""
    from scipy import stats

    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, mean / np.where(sd > 0, sd, 1.0), 0.0)
    return np.where(sd > 0, mean * stats.norm.cdf(z) + sd * stats.norm.pdf(z), np.maximum(mean, 0.0))


def _annuity(years: float, rate: float) -> float:
    """Years of benefit, discounted continuously at yearly rate ``rate``: int_0^years (1+rate)^-t dt."""
    if rate == 0 or years == 0:
        return float(years)
    return float((1 - (1 + rate) ** -years) / np.log1p(rate))


def _horizon(horizon_years, discount_rate, pilot_duration) -> tuple[float, float]:
    """Validated weights of the decide-now value and of the value after a pilot."""
    h = check_number(horizon_years, "horizon_years", low=0, inclusive=False)
    r = check_number(discount_rate, "discount_rate", low=0)
    d = check_number(pilot_duration, "pilot_duration", low=0)
    if d >= h:
        raise ValueError(f"pilot_duration: expected less than horizon_years ({h:g}); found {d:g}")
    return _annuity(h, r), _annuity(h, r) - _annuity(d, r)


def _as_array(value, name: str, *, low: float | None = None) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(value, dtype=object))
    out = np.empty(arr.shape, dtype=float)
    for i, v in enumerate(arr.ravel()):
        out.ravel()[i] = check_number(v, name, low=low)
    return out


def net_benefit(benefit_mean: float, benefit_sd: float, cost: float, *, level: float = 0.9) -> pd.Series:
    """Expected net benefit of one decision, the probability of a loss, and an interval.

    Parameters
    ----------
    benefit_mean, benefit_sd : float
        Mean and standard deviation of the belief about the (gross) benefit, e.g. a
        predicted effect times its value, with the prediction interval's standard
        deviation for one firm.
    cost : float
        The avoidable cost of acting (>= 0).
    level : float
        Coverage of the interval for the net benefit.

    Returns
    -------
    pandas.Series
        ``expected_net`` (benefit_mean - cost), ``probability_loss``, ``net_low``,
        ``net_high`` and ``decision`` ("invest" when the expected net is positive,
        else "do not invest"; the interval is reported for risk, not used to decide).

    Examples
    --------
    >>> out = net_benefit(120_000, 80_000, 100_000)
    >>> out["decision"], round(float(out["probability_loss"]), 2)
    ('invest', 0.4)
    """
    from scipy import stats

    mean = check_number(benefit_mean, "benefit_mean")
    sd = check_number(benefit_sd, "benefit_sd", low=0)
    c = check_number(cost, "cost", low=0)
    check_number(level, "level", low=0, high=1, inclusive=False)
    net = mean - c
    z = stats.norm.ppf(0.5 + level / 2)
    p_loss = float(stats.norm.cdf(-net / sd)) if sd > 0 else float(net < 0)
    return pd.Series(
        {
            "expected_net": float(net),
            "probability_loss": p_loss,
            "net_low": float(net - z * sd),
            "net_high": float(net + z * sd),
            "decision": "invest" if net > 0 else "do not invest",
        },
        dtype=object,
    )


def value_of_information(
    prior_mean: float,
    prior_sd: float,
    *,
    sampling_sd: float | Sequence[float] | None = None,
    pilot_cost: float | Sequence[float] = 0.0,
    horizon_years: float = 1.0,
    discount_rate: float = 0.0,
    pilot_duration: float = 0.0,
) -> pd.DataFrame:
    r"""What perfect information, or a pilot, is worth before deciding to invest.

    Parameters
    ----------
    prior_mean, prior_sd : float
        Belief about the **net** benefit of investing (benefit less cost), normal.
    sampling_sd : float or sequence of float, optional
        Standard deviation of a pilot's estimate of the net benefit (smaller for a
        bigger pilot); one row per value. Without it, one row with EVPI only.
    pilot_cost : float or sequence of float
        Cost of each pilot (broadcast against ``sampling_sd``), paid once.
    horizon_years : float
        How many years the decision binds; ``prior_mean`` and ``prior_sd`` are per
        year. The default, one year, values everything over one period.
    discount_rate : float
        Yearly discount rate (0: no discounting).
    pilot_duration : float
        Years the pilot delays the decision (less than ``horizon_years``); the
        benefit forgone meanwhile is charged to the pilot.

    Returns
    -------
    pandas.DataFrame
        ``value_now`` (expected value of deciding now over the horizon,
        :math:`A(H)\max(m, 0)`), ``decision_now``, ``evpi`` (over the horizon), and
        with a pilot ``sampling_sd``, ``evsi`` (what piloting adds to deciding now,
        before its cost: :math:`[A(H) - A(d)]E[\max(\hat m, 0)] - A(H)\max(m, 0)`,
        negative when the delay costs more than the information is worth),
        ``pilot_cost`` and ``pilot_net`` (EVSI less the pilot's cost: run it if
        positive).

    Examples
    --------
    >>> value_of_information(prior_mean=0.0, prior_sd=1.0)["evpi"].round(4).tolist()
    [0.3989]
    >>> three = value_of_information(100.0, 300.0, sampling_sd=100.0, pilot_cost=50.0, horizon_years=3,
    ...                              pilot_duration=0.25)
    >>> three[["value_now", "evsi", "pilot_net"]].round(1)
       value_now   evsi  pilot_net
    0      300.0  168.8      118.8
    """
    m = check_number(prior_mean, "prior_mean")
    s = check_number(prior_sd, "prior_sd", low=0)
    weight_now, weight_after = _horizon(horizon_years, discount_rate, pilot_duration)
    value_now = weight_now * max(m, 0.0)
    evpi = float(weight_now * _expected_positive_part(np.array([m]), np.array([s]))[0] - value_now)
    base = {"value_now": value_now, "decision_now": "invest" if m > 0 else "do not invest", "evpi": evpi}
    if sampling_sd is None:
        return pd.DataFrame([base])
    sigma = _as_array(sampling_sd, "sampling_sd", low=0)
    costs = _as_array(pilot_cost, "pilot_cost", low=0)
    try:
        sigma, costs = np.broadcast_arrays(sigma, costs)
    except ValueError:
        raise ValueError(f"sampling_sd and pilot_cost: expected single values or sequences of the same length; "
                         f"found lengths {sigma.size} and {costs.size}") from None
    with np.errstate(divide="ignore", invalid="ignore"):
        preposterior = np.where(s > 0, s**2 / np.sqrt(s**2 + sigma**2), 0.0)
    evsi = weight_after * _expected_positive_part(np.full(sigma.shape, m), preposterior) - value_now
    out = pd.DataFrame({**{k: [v] * len(sigma) for k, v in base.items()}, "sampling_sd": sigma, "evsi": evsi,
                        "pilot_cost": costs})
    out["pilot_net"] = out["evsi"] - out["pilot_cost"]
    return out


def _firm_sd(value) -> float:
    """A number, or an object with a ``tau`` (e.g. :class:`~crm_course.effect_heterogeneity.EffectSpread`)."""
    if value is not None and not isinstance(value, (int, float, np.integer, np.floating)) and hasattr(value, "tau"):
        value = value.tau
    return float(check_number(value, "firm_sd", low=0))


def assess_crm_fit(
    result,
    heterogeneity: float | Sequence[float],
    *,
    repeat_share: float | Sequence[float],
    can_act: bool | Sequence[bool],
    customers: float | None = None,
    margin_per_repeat_customer: float | None = None,
    annual_cost: float | None = None,
    level: float = 0.95,
    firm_sd=None,
    pilot_sampling_sd_pp: float | None = None,
    pilot_cost: float = 0.0,
    neighbourhood: float = 0.05,
    horizon_years: float = 1.0,
    discount_rate: float = 0.0,
    pilot_duration: float = 0.0,
) -> pd.DataFrame:
    r"""Does CRM fit this firm? Expected lift, two intervals, expected profit and a pilot's worth.

    The assessment follows chapter 2's argument: CRM pays where customers differ
    (heterogeneity), come back (repeat purchases) and where the firm can learn about
    them and act. The expected lift in the repeat-purchase rate at heterogeneity
    :math:`h` comes from the interaction model fitted on a panel,
    :math:`\tau_0 + \tau_1 (h - c)` (:func:`crm_course.panel.effect_curve`), and
    carries two intervals:

    - a **confidence interval** (``conf_low_pp``, ``conf_high_pp``) for the *average*
      effect of firms with this heterogeneity -- it narrows as the panel grows;
    - with ``firm_sd`` (the standard deviation :math:`\tau` of firms' own effects around
      the line, e.g. ``effect_spread(...).tau``), a **prediction interval**
      (``pred_low_pp``, ``pred_high_pp``) for *this firm's* effect,
      :math:`\text{lift} \pm t\sqrt{SE^2 + \tau^2}` with a :math:`t` on (adopters - 3)
      degrees of freedom -- it never narrows below :math:`\pm t\tau`.

    The decision is taken on **expected** profit (a risk-neutral firm invests when the
    expected value of the lift, customers x margin x lift, exceeds the yearly cost):
    with a normal belief that is the same as "more likely than not to pay". The spread
    of that belief -- for one firm, the prediction interval's -- gives the probability
    of a loss and the expected value of perfect information (EVPI); with a pilot
    (``pilot_sampling_sd_pp``, ``pilot_cost``) the expected value of its sample
    information (EVSI, :func:`crm_course.decision.value_of_information`). Both are
    valued over ``horizon_years`` (the years the decision binds, discounted at
    ``discount_rate``), and the pilot's EVSI is net of the benefit forgone while it
    runs (``pilot_duration``): a pilot is worth running when
    :math:`[A(H) - A(d)]E[\max(\hat m, 0)] - c` exceeds the decide-now value
    :math:`A(H)\max(m, 0)`. The defaults, one year and no delay, value one year's
    information against the pilot's one-off cost. Feit & Berman (2019) price a test
    the same way in spirit: by the profit forgone on the test units, within a
    finite population that is then rolled out to.

    The other inputs set where the estimate applies:

    - ``repeat_share`` -- the panel estimates a lift only for firms whose customers come
      back about as often as the adopters' did before they adopted (each adopter's
      mean over its years before adopting); outside that range the verdict is **not
      applicable** (the lift columns are still filled, for reference only), and with
      fewer than five adopters within ``neighbourhood`` of it a caution is added;
    - ``can_act`` -- the lift was measured on firms that chose CRM, presumably because
      they could use it; a firm that cannot treat customers differently gets **not yet**;
    - heterogeneity is compared with the **adopters'** (only they identify the effect):
      outside their range, or with fewer than five adopters within ``neighbourhood``
      of it, a caution is added: the lift there rests on the straight line.

    Verdicts: **Not applicable**, **Not yet**; with the money inputs **Uncertain** (a
    pilot is worth more than it costs: run it first), **Likely to pay** (expected value
    above the cost) or **Unlikely to pay**; without them **Lift only** (the lift and
    its intervals are reported, but no decision is made: whether a lift pays depends
    on what it is worth against what it costs, not on whether its interval excludes
    zero).

    Parameters
    ----------
    result : statsmodels RegressionResults
        From ``twfe_regression(..., moderator=...)`` (linear interaction).
    heterogeneity : float or sequence of float
        The firm's customer heterogeneity on the moderator's scale (for Kopilka's
        panel: the Gini coefficient of a year's revenue across the firm's customers).
    repeat_share : float or sequence of float
        Share of the firm's customers who buy again within a year (0-1), on the
        panel outcome's scale.
    can_act : bool or sequence of bool
        Whether the firm can treat different customers differently.
    customers, margin_per_repeat_customer, annual_cost : float, optional
        Customers a year; margin (a year) from one more customer who comes back; the
        programme's yearly cost, people and processes included. All three or none.
    level : float
        Coverage of both intervals.
    firm_sd : float or EffectSpread, optional
        Standard deviation of one firm's effect around the line (as a share, like the
        outcome), or an object with a ``tau`` attribute.
    pilot_sampling_sd_pp : float, optional
        Standard error (percentage points) of a pilot's estimate of this firm's lift;
        needs the money inputs.
    pilot_cost : float
        The pilot's cost, in the money inputs' currency.
    neighbourhood : float
        Half-width of the heterogeneity window, and of the repeat-share window, in
        which adopters are counted.
    horizon_years : float
        Years the decision binds (the money inputs are per year); EVPI and the
        pilot's value are over this horizon.
    discount_rate : float
        Yearly discount rate for the horizon (0: none).
    pilot_duration : float
        Years the pilot runs before the decision is taken (less than
        ``horizon_years``); the benefit forgone meanwhile is charged to the pilot.

    Returns
    -------
    pandas.DataFrame
        One row per firm: the inputs; ``lift_pp``, ``conf_low_pp``, ``conf_high_pp``
        (and ``pred_low_pp``, ``pred_high_pp`` with ``firm_sd``); ``relative_lift``
        (lift / repeat_share); ``adopters_nearby``; ``repeat_share_supported``;
        ``in_panel_range`` (heterogeneity within the adopters' range and the repeat
        share supported); with the money inputs ``extra_repeat_customers``,
        ``value_rub``, ``value_low_rub``, ``value_high_rub``, ``break_even_lift_pp``,
        ``expected_net_rub`` (a year), ``probability_loss``, ``evpi_rub`` (over the
        horizon; and ``pilot_evsi_rub``, what piloting adds to deciding now before its
        cost, and ``pilot_net_rub``, that less the cost, with a pilot); then
        ``verdict_code``, the verdict as a code that is the same in every language
        (``"not_applicable"``, ``"not_yet"``, ``"uncertain"``, ``"likely_to_pay"``,
        ``"unlikely_to_pay"`` or ``"lift_only"``: compare with this one), and
        ``verdict``, the verdict and its reasons for a reader, in the current
        language (:func:`crm_course.language.set_language`).

    References
    ----------
    Feit, E. M. & Berman, R. (2019). Test & roll: profit-maximizing A/B tests.
    *Marketing Science*, 38(6), 1038-1058.

    Examples
    --------
    >>> from crm_course.data import load
    >>> from crm_course.panel import twfe_regression
    >>> fit = twfe_regression(load("merchant_panel"), moderator="customer_heterogeneity")
    >>> out = assess_crm_fit(fit, [0.3, 0.7], repeat_share=0.3, can_act=True, customers=50_000,
    ...                      margin_per_repeat_customer=1_500, annual_cost=2_000_000, firm_sd=0.015)
    >>> out["verdict"].str.split(":").str[0].tolist()
    ['Unlikely to pay', 'Likely to pay']
    >>> out["verdict_code"].tolist()
    ['unlikely_to_pay', 'likely_to_pay']
    >>> bool((out["pred_high_pp"] - out["pred_low_pp"] > out["conf_high_pp"] - out["conf_low_pp"]).all())
    True
    """
    from scipy import stats

    from crm_course.panel import _interaction_design, effect_curve

    design = _interaction_design(result)
    level = float(check_number(level, "level", low=0, high=1, inclusive=False))
    h = _as_array(heterogeneity, "heterogeneity")
    r = np.array([check_number(v, "repeat_share", low=0, high=1)
                  for v in np.atleast_1d(np.asarray(repeat_share, dtype=object)).ravel()], dtype=float)
    act_raw = np.atleast_1d(np.asarray(can_act, dtype=object))
    if not all(isinstance(a, (bool, np.bool_)) for a in act_raw.ravel()):
        raise ValueError(f"can_act: expected True or False (one per firm); found {can_act!r}")
    try:
        h, r, act = np.broadcast_arrays(h, r, act_raw.astype(bool))
    except ValueError:
        raise ValueError(
            "heterogeneity, repeat_share and can_act: expected single values or sequences of the same length; "
            f"found lengths {h.size}, {r.size} and {act_raw.size}"
        ) from None
    money = [customers, margin_per_repeat_customer, annual_cost]
    if any(m is not None for m in money) and not all(m is not None for m in money):
        raise ValueError("customers, margin_per_repeat_customer and annual_cost: give all three, or none")
    has_money = customers is not None
    if has_money:
        check_number(customers, "customers", low=0, inclusive=False)
        check_number(margin_per_repeat_customer, "margin_per_repeat_customer", low=0, inclusive=False)
        check_number(annual_cost, "annual_cost", low=0)
    sd_firm = None if firm_sd is None else _firm_sd(firm_sd)
    has_pilot = pilot_sampling_sd_pp is not None
    if has_pilot:
        if not has_money:
            raise ValueError("pilot_sampling_sd_pp: a pilot is valued in money; give customers, "
                             "margin_per_repeat_customer and annual_cost too")
        check_number(pilot_sampling_sd_pp, "pilot_sampling_sd_pp", low=0, inclusive=False)
    check_number(pilot_cost, "pilot_cost", low=0)
    check_number(neighbourhood, "neighbourhood", low=0, inclusive=False)
    weight_now, weight_after = _horizon(horizon_years, discount_rate, pilot_duration)

    curve = effect_curve(result, h, level=level)
    out = pd.DataFrame({"heterogeneity": h, "repeat_share": r, "can_act": act,
                        "lift_pp": 100 * curve["effect"].to_numpy(),
                        "conf_low_pp": 100 * curve["conf_low"].to_numpy(),
                        "conf_high_pp": 100 * curve["conf_high"].to_numpy()})
    se = curve["std_error"].to_numpy()
    belief_sd = se if sd_firm is None else np.sqrt(se**2 + sd_firm**2)  # as a share
    if sd_firm is not None:
        t = stats.t.ppf(0.5 + level / 2, max(design.n_treated_units - 3, 1))
        out["pred_low_pp"] = out["lift_pp"] - 100 * t * belief_sd
        out["pred_high_pp"] = out["lift_pp"] + 100 * t * belief_sd
    with np.errstate(divide="ignore", invalid="ignore"):
        out["relative_lift"] = np.where(r > 0, out["lift_pp"] / 100 / r, np.nan)

    adopters_h = np.asarray(design.treated_moderator_values or design.moderator_range, dtype=float)
    h_lo, h_hi = float(adopters_h.min()), float(adopters_h.max())
    before_means = np.asarray(design.treated_outcome_before_means or (), dtype=float)
    if before_means.size:
        r_lo, r_hi = float(before_means.min()), float(before_means.max())
    else:
        r_lo, r_hi = design.treated_outcome_before_range or design.outcome_range
    out["adopters_nearby"] = (np.abs(adopters_h[None, :] - h[:, None]) <= neighbourhood + 1e-12).sum(axis=1)
    out["repeat_share_supported"] = (r >= r_lo) & (r <= r_hi)
    in_h = (h >= h_lo - 1e-12) & (h <= h_hi + 1e-12)
    out["in_panel_range"] = in_h & out["repeat_share_supported"].to_numpy()

    if has_money:
        per_pp = customers * margin_per_repeat_customer / 100  # value of one percentage point of lift
        out["extra_repeat_customers"] = customers * out["lift_pp"] / 100
        out["value_rub"] = per_pp * out["lift_pp"]
        out["value_low_rub"] = per_pp * out["conf_low_pp"]
        out["value_high_rub"] = per_pp * out["conf_high_pp"]
        out["break_even_lift_pp"] = annual_cost / per_pp
        net = out["value_rub"].to_numpy() - annual_cost
        net_sd = per_pp * 100 * belief_sd
        out["expected_net_rub"] = net
        out["probability_loss"] = stats.norm.cdf(-net / net_sd)
        value_now = weight_now * np.maximum(net, 0.0)
        out["evpi_rub"] = weight_now * _expected_positive_part(net, net_sd) - value_now
        if has_pilot:
            sigma = per_pp * float(pilot_sampling_sd_pp)
            pre = net_sd**2 / np.sqrt(net_sd**2 + sigma**2)
            out["pilot_evsi_rub"] = weight_after * _expected_positive_part(net, pre) - value_now
            out["pilot_net_rub"] = out["pilot_evsi_rub"] - pilot_cost
        worth_piloting = out["pilot_net_rub"].to_numpy() > 0 if has_pilot else np.zeros(len(out), dtype=bool)
        codes = np.select([worth_piloting, net > 0], ["uncertain", "likely_to_pay"], "unlikely_to_pay").astype(object)
        verdicts = np.select(
            [worth_piloting, net > 0],
            [tr("Uncertain: a pilot is worth more than it costs (its expected value of information exceeds its "
                "cost); run it before deciding."),
             tr("Likely to pay: the expected value of the lift exceeds the yearly cost.")],
            tr("Unlikely to pay: the expected value of the lift falls short of the yearly cost."),
        ).astype(object)
    else:
        codes = np.full(len(out), "lift_only", dtype=object)
        verdicts = np.full(len(out), tr("Lift only: no decision without the money inputs; whether this lift pays "
                                        "depends on customers x margin x lift against the yearly cost "
                                        "(give customers, margin_per_repeat_customer and annual_cost)."), dtype=object)
    codes = np.where(~act, "not_yet", codes)
    verdicts = np.where(~act, tr("Not yet: the firm cannot yet act differently toward different customers, "
                                 "and the expected lift assumes it can. Build that first."), verdicts)
    supported = out["repeat_share_supported"].to_numpy()
    codes = np.where(~supported, "not_applicable", codes)
    verdicts = np.where(
        ~supported,
        [tr("Not applicable: a repeat share of {x:.2f} lies outside those of the firms that adopted (each firm's "
            "mean before it adopted: {low:.2f}-{high:.2f}); the panel cannot say what CRM does where customers "
            "come back {how}.", x=x, low=r_lo, high=r_hi, how=tr("this rarely") if x < r_lo else tr("this often"))
         for x in r],
        verdicts)
    repeat_near = ((np.abs(before_means[None, :] - r[:, None]) <= neighbourhood + 1e-12).sum(axis=1)
                   if before_means.size else np.full(len(r), 5))
    notes = []
    for inside, near, r_near, r_ok in zip(in_h, out["adopters_nearby"], repeat_near, out["repeat_share_supported"]):
        if r_ok and r_near < 5:
            notes.append(tr(" Caution: only {n} firm(s) that adopted had a repeat share (mean before adopting) "
                            "within {within:g} of this.", n=r_near, within=neighbourhood))
        else:
            notes.append("")
        if not inside:
            notes[-1] += tr(" Caution: heterogeneity outside that of the firms that adopted ({low:.2f}-{high:.2f}); "
                            "the lift is extrapolated along the line.", low=h_lo, high=h_hi)
        elif near < 5:
            notes[-1] += tr(" Caution: only {n} firm(s) that adopted had heterogeneity within "
                            "{within:g} of this; the lift rests on the straight line.", n=near, within=neighbourhood)
    out["verdict_code"] = codes.astype(str)
    out["verdict"] = [v + n for v, n in zip(verdicts, notes)]
    return out
