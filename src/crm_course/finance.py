"""The business case of a CRM programme: cash flows, Monte Carlo NPV and ROI, and break-even values.

Chapter 5 turns the estimates of the earlier chapters into the NPV of a CRM
programme and its uncertainty; the capstone (:mod:`crm_course.kopilka.board`)
values Kopilka's options with it:

* :data:`INPUT_NAMES` and :data:`COST_NAMES` — the inputs and costs of the
  programme model, with their meaning and unit;
* :func:`programme_cash_flows` — year-by-year cash flows at the point estimates:
  the benefits of personalisation and of retention through the service-profit
  chain (engagement → CSAT → hazard of lapsing), minus the costs of processes
  and people;
* :func:`npv_monte_carlo` — draws of the NPV and ROI, each uncertain input drawn
  from a normal distribution with its estimate and standard error;
* :func:`npv_summary` — mean, median, interval and probability of a loss;
* :func:`break_even` — the value of one input at which the NPV is exactly zero,
  or a manager's explanation of why none exists.

Assumptions: a steady state (the same number of active members every year),
benefits and costs at the end of each year, independent effects that add up,
and estimates from the earlier chapters that carry over to the programme. The
Monte Carlo spread reflects sampling uncertainty only: a biased estimate, or a
programme that works differently at scale, does not show in it.

The functions take plain numbers, or (estimate, standard error) pairs, in
mappings keyed by :data:`INPUT_NAMES` and :data:`COST_NAMES`, so any firm's
figures can be used; nothing here assumes a currency (the labels say RUB, the
unit of the Kopilka data).

Examples
--------
>>> import numpy as np
>>> from crm_course.finance import npv_monte_carlo, npv_summary, programme_cash_flows
>>> inputs = dict(members=10_000, margin_per_member=(300.0, 10.0), retention=(0.6, 0.02),
...               campaigns_per_year=4, targeted_share=0.5, campaign_lift=(3.0, 1.5),
...               contacted_share=0.3, engagement_gain=(8.0, 2.0), csat_per_engagement=(0.03, 0.01),
...               log_hr_per_csat=(-0.1, 0.03))
>>> costs = dict(process_upfront=50_000, process_annual=10_000, people_annual=5_000)
>>> len(programme_cash_flows(inputs, costs, horizon=3))
4
>>> draws = npv_monte_carlo(inputs, costs, n_draws=2_000, rng=np.random.default_rng(7))
>>> bool(0 <= npv_summary(draws)["probability_loss"] <= 1)
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from crm_course.language import TranslatedMapping, tr, tr_noop
from crm_course.validation import check_frame, check_number

__all__ = [
    "COST_NAMES",
    "INPUT_NAMES",
    "break_even",
    "npv_monte_carlo",
    "npv_summary",
    "programme_cash_flows",
]


#: Inputs of the programme model, with their meaning and unit (read in the current language).
INPUT_NAMES: Mapping[str, str] = TranslatedMapping({
    "members": tr_noop("active members the programme reaches each year"),
    "margin_per_member": tr_noop("net margin per active member per year (RUB)"),
    "retention": tr_noop("share of active members still active a year later"),
    "campaigns_per_year": tr_noop("personalised campaigns sent per year"),
    "targeted_share": tr_noop("share of active members targeted in each campaign"),
    "campaign_lift": tr_noop("extra margin net of offer cost per targeted member per campaign (RUB)"),
    "contacted_share": tr_noop("share of active members who contact support in a year"),
    "engagement_gain": tr_noop("rise in agents' engagement score bought by the people investment (points)"),
    "csat_per_engagement": tr_noop("CSAT points per engagement point"),
    "log_hr_per_csat": tr_noop("change in the log hazard of lapsing per CSAT point (Cox coefficient)"),
})


#: Costs of the programme (RUB), with their meaning (read in the current language).
COST_NAMES: Mapping[str, str] = TranslatedMapping({
    "process_upfront": tr_noop("one-off investment in processes and systems, paid at the start (RUB)"),
    "process_annual": tr_noop("yearly cost of running the new processes (RUB)"),
    "people_annual": tr_noop("yearly cost of the people investment: training, pay, empowerment (RUB)"),
})


_SHARES = ("retention", "targeted_share", "contacted_share")


_NON_NEGATIVE = ("members", "campaigns_per_year")


def _check_keys(given: Mapping, expected: Sequence[str], name: str) -> None:
    """The dict ``given`` has exactly the ``expected`` keys, or a message naming the difference."""
    missing = [k for k in expected if k not in given]
    unknown = [k for k in given if k not in expected]
    if missing:
        raise ValueError(f"{name}: missing {missing}; expected the keys {list(expected)}")
    if unknown:
        raise ValueError(f"{name}: unknown key(s) {unknown}; expected the keys {list(expected)}")


def _inputs(inputs: Any) -> dict[str, tuple[float, float]]:
    """Validated {name: (estimate, standard error)}; a plain number has a standard error of 0."""
    if not isinstance(inputs, Mapping):
        raise TypeError(f"inputs: expected a dict of name -> (estimate, standard error); found {type(inputs).__name__}")
    _check_keys(inputs, INPUT_NAMES, "inputs")
    out = {}
    for key, value in inputs.items():
        pair = (value, 0.0) if np.isscalar(value) else tuple(value)
        if len(pair) != 2:
            raise ValueError(f"inputs[{key!r}]: expected a number or an (estimate, standard error) pair; found {value!r}")
        est = float(check_number(pair[0], f"inputs[{key!r}] estimate"))
        se = float(check_number(pair[1], f"inputs[{key!r}] standard error", low=0))
        if key in _SHARES:
            check_number(est, f"inputs[{key!r}] estimate", low=0, high=1)
        if key in _NON_NEGATIVE:
            check_number(est, f"inputs[{key!r}] estimate", low=0)
        if key == "retention" and se > 0 and not 0 < est < 1:
            raise ValueError(f"inputs['retention']: an uncertain retention must lie strictly between 0 and 1; found {est!r}")
        out[key] = (est, se)
    return out


def _costs(costs: Any) -> dict[str, float]:
    if not isinstance(costs, Mapping):
        raise TypeError(f"costs: expected a dict of name -> RUB; found {type(costs).__name__}")
    _check_keys(costs, COST_NAMES, "costs")
    return {k: float(check_number(v, f"costs[{k!r}]", low=0)) for k, v in costs.items()}


def _horizon_discount(horizon: Any, discount: Any) -> tuple[int, float]:
    horizon = int(check_number(horizon, "horizon", low=1, high=100, integer=True))
    discount = float(check_number(discount, "discount", low=0, high=1))
    return horizon, discount


def _yearly(v: Mapping[str, np.ndarray], discount: float) -> dict[str, np.ndarray]:
    """Yearly benefits of the programme (vectorised over draws)."""
    personalisation = v["members"] * v["targeted_share"] * v["campaigns_per_year"] * v["campaign_lift"]
    delta_csat = v["engagement_gain"] * v["csat_per_engagement"]
    hazard_ratio = np.exp(v["log_hr_per_csat"] * delta_csat)
    r = v["retention"]
    # Proportional hazards: a yearly survival S becomes S ** hazard_ratio.
    retained = v["members"] * v["contacted_share"] * (r**hazard_ratio - r)
    # A member kept one more year brings m in each following year while they stay: m / (1 + d - r).
    value_kept = v["margin_per_member"] / (1.0 + discount - r)
    return {"personalisation": personalisation, "retention": retained * value_kept,
            "extra_members_retained": retained, "hazard_ratio": hazard_ratio}


def programme_cash_flows(inputs: Mapping[str, Any], costs: Mapping[str, float], *, horizon: int = 3,
                         discount: float = 0.15) -> pd.DataFrame:
    r"""Year-by-year cash flows of a CRM programme at the point estimates of its inputs.

    The programme invests in **processes** (``process_upfront`` at year 0,
    ``process_annual`` after) and in **people** (``people_annual``). Each
    year it earns two benefits:

    * personalisation: ``members * targeted_share * campaigns_per_year *
      campaign_lift``;
    * retention through the service-profit chain: the people investment
      raises engagement by ``engagement_gain`` points, so CSAT rises by
      :math:`\Delta = ` ``engagement_gain * csat_per_engagement`` and the
      contacted members' hazard of lapsing is multiplied by
      :math:`h = \exp(\beta\,\Delta)` with :math:`\beta` =
      ``log_hr_per_csat``. Their yearly retention :math:`r` becomes
      :math:`r^{h}` (proportional hazards), so
      ``members * contacted_share * (r**h - r)`` more members stay, each
      worth :math:`m / (1 + d - r)` (the discounted margin of a member
      kept one more year, who then stays with probability :math:`r` a year).

    Assumptions: a steady state (the same number of active members every
    year), benefits and costs at the end of each year, independent
    effects that add up, and the estimates from the earlier chapters
    carry over to the programme.

    Parameters
    ----------
    inputs : mapping
        Every key of :data:`INPUT_NAMES`; each value a number or an
        (estimate, standard error) pair (only the estimate is used here).
    costs : mapping
        Every key of :data:`COST_NAMES`, in RUB.
    horizon : int
        Years the programme runs.
    discount : float
        Yearly discount rate (cost of capital).

    Returns
    -------
    pandas.DataFrame
        One row per year 0..horizon: ``personalisation``, ``retention``
        (benefits), ``costs``, ``cash_flow``, ``discounted`` and
        ``cumulative`` (discounted, running total: the NPV so far).

    Examples
    --------
    >>> inputs = dict(members=10_000, margin_per_member=300.0, retention=0.6, campaigns_per_year=4,
    ...               targeted_share=0.5, campaign_lift=3.0, contacted_share=0.3, engagement_gain=8.0,
    ...               csat_per_engagement=0.03, log_hr_per_csat=-0.1)
    >>> costs = dict(process_upfront=50_000, process_annual=10_000, people_annual=5_000)
    >>> programme_cash_flows(inputs, costs, horizon=2)["cumulative"].round(0).tolist()
    [-50000.0, -464.0, 42610.0]
    """
    values = {k: np.array([est]) for k, (est, _se) in _inputs(inputs).items()}
    c = _costs(costs)
    horizon, discount = _horizon_discount(horizon, discount)
    yearly = _yearly(values, discount)
    years = np.arange(horizon + 1)
    pers = np.where(years > 0, yearly["personalisation"][0], 0.0)
    ret = np.where(years > 0, yearly["retention"][0], 0.0)
    cost = np.where(years > 0, c["process_annual"] + c["people_annual"], c["process_upfront"])
    flow = pers + ret - cost
    disc = flow / (1.0 + discount) ** years
    return pd.DataFrame({"year": years, "personalisation": pers, "retention": ret, "costs": cost,
                         "cash_flow": flow, "discounted": disc, "cumulative": np.cumsum(disc)}).set_index("year")


def _draw(inputs: dict[str, tuple[float, float]], n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    draws = {}
    for key, (est, se) in inputs.items():  # ten named inputs, not rows
        if se == 0:
            draws[key] = np.full(n, est)
        elif key == "retention":
            # On the log-odds scale (delta method), so every draw stays inside (0, 1).
            logit = np.log(est / (1 - est))
            draws[key] = 1.0 / (1.0 + np.exp(-(logit + rng.standard_normal(n) * se / (est * (1 - est)))))
        else:
            z = est + rng.standard_normal(n) * se
            draws[key] = np.clip(z, 0.0, 1.0) if key in _SHARES else (np.maximum(z, 0.0) if key in _NON_NEGATIVE else z)
    return draws


def _present_values(draws: Mapping[str, np.ndarray], costs: dict[str, float], horizon: int,
                    discount: float) -> dict[str, np.ndarray]:
    annuity = float(np.sum((1.0 + discount) ** -np.arange(1, horizon + 1)))
    yearly = _yearly(draws, discount)
    pv_pers = yearly["personalisation"] * annuity
    pv_ret = yearly["retention"] * annuity
    pv_costs = costs["process_upfront"] + (costs["process_annual"] + costs["people_annual"]) * annuity
    npv = pv_pers + pv_ret - pv_costs
    return {"pv_personalisation": pv_pers, "pv_retention": pv_ret, "pv_costs": np.full_like(npv, pv_costs),
            "npv": npv, "roi": npv / pv_costs if pv_costs > 0 else np.full_like(npv, np.nan)}


def npv_monte_carlo(
    inputs: Mapping[str, Any],
    costs: Mapping[str, float],
    *,
    horizon: int = 3,
    discount: float = 0.15,
    n_draws: int = 10_000,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Monte Carlo distribution of a CRM programme's NPV and ROI.

    Each uncertain input is drawn from a normal distribution with its
    estimate as mean and its standard error as standard deviation (the
    large-sample sampling distribution), independently of the others;
    retention is drawn on the log-odds scale so it stays in (0, 1), shares
    are kept in [0, 1] and counts at 0 or more. The programme model is the
    one of :func:`programme_cash_flows`. The spread reflects **sampling
    uncertainty only**: if an estimate is biased (an observational
    estimate read as causal) or the programme works differently at scale,
    the distribution does not show it.

    Parameters
    ----------
    inputs : mapping
        Every key of :data:`INPUT_NAMES`: a number (known) or an
        (estimate, standard error) pair.
    costs : mapping
        Every key of :data:`COST_NAMES`, in RUB (taken as known).
    horizon : int
        Years the programme runs.
    discount : float
        Yearly discount rate.
    n_draws : int
        Number of simulated programmes.
    rng : numpy.random.Generator
        Source of every draw (``np.random.default_rng(seed)``).

    Returns
    -------
    pandas.DataFrame
        One row per draw: the drawn inputs, ``pv_personalisation``,
        ``pv_retention``, ``pv_costs``, ``npv`` and ``roi`` (NPV per
        rouble of discounted cost). Summarise with :func:`npv_summary`.

    Examples
    --------
    >>> import numpy as np
    >>> inputs = dict(members=10_000, margin_per_member=(300.0, 10.0), retention=(0.6, 0.02),
    ...               campaigns_per_year=4, targeted_share=0.5, campaign_lift=(3.0, 1.5),
    ...               contacted_share=0.3, engagement_gain=(8.0, 2.0), csat_per_engagement=(0.03, 0.01),
    ...               log_hr_per_csat=(-0.1, 0.03))
    >>> costs = dict(process_upfront=50_000, process_annual=10_000, people_annual=5_000)
    >>> draws = npv_monte_carlo(inputs, costs, n_draws=2_000, rng=np.random.default_rng(7))
    >>> draws.shape
    (2000, 15)
    """
    checked = _inputs(inputs)
    c = _costs(costs)
    horizon, discount = _horizon_discount(horizon, discount)
    n_draws = int(check_number(n_draws, "n_draws", low=1, integer=True))
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: expected a numpy.random.Generator (np.random.default_rng(seed)); found {type(rng).__name__}")
    draws = _draw(checked, n_draws, rng)
    values = _present_values(draws, c, horizon, discount)
    return pd.DataFrame({**draws, **values})


def npv_summary(draws: pd.DataFrame, *, level: float = 0.90) -> pd.Series:
    """Summarise Monte Carlo draws of a programme's NPV.

    Parameters
    ----------
    draws : pandas.DataFrame
        From :func:`npv_monte_carlo` (columns ``npv`` and ``roi``). One row
        per draw; draws have no key, and every row counts.
    level : float
        Coverage of the reported interval (0.90: from the 5th to the 95th
        percentile).

    Returns
    -------
    pandas.Series
        ``mean_npv``, ``median_npv``, ``npv_low`` and ``npv_high`` (the
        interval), ``probability_loss`` (share of draws with NPV < 0),
        ``mean_roi`` and ``expected_loss_if_loss`` (mean NPV of the losing
        draws; 0 if none lose).

    Examples
    --------
    >>> import pandas as pd
    >>> npv_summary(pd.DataFrame({"npv": [-10.0, 5.0, 20.0, 25.0], "roi": [-0.1, 0.05, 0.2, 0.25]}))["probability_loss"]
    np.float64(0.25)
    """
    check_frame(draws, {"npv": "numeric", "roi": "numeric"}, name="draws")
    check_number(level, "level", low=0, high=1, inclusive=False)
    npv = draws["npv"].to_numpy(dtype=float)
    tail = (1 - level) / 2
    losing = npv[npv < 0]
    return pd.Series(
        {
            "mean_npv": npv.mean(),
            "median_npv": float(np.median(npv)),
            "npv_low": float(np.quantile(npv, tail)),
            "npv_high": float(np.quantile(npv, 1 - tail)),
            "probability_loss": float(np.mean(npv < 0)),
            "mean_roi": float(draws["roi"].mean()),
            "expected_loss_if_loss": float(losing.mean()) if losing.size else 0.0,
        }
    )


def break_even(inputs: Mapping[str, Any], costs: Mapping[str, float], parameter: str, *, horizon: int = 3,
               discount: float = 0.15) -> float:
    """The value of one input at which the programme's NPV is exactly zero (the others at their estimates).

    The NPV is linear in ``members``, ``campaigns_per_year``,
    ``targeted_share``, ``campaign_lift``, ``contacted_share`` and
    ``margin_per_member``, and monotone in the others over their usual
    range; the root is found by bisection (``scipy.optimize.brentq``) on a
    widening bracket around the estimate.

    A break-even value need not exist. The NPV rises one for one with
    ``campaign_lift`` as long as some members are targeted, so a break-even
    campaign effect exists whenever ``members``, ``targeted_share`` and
    ``campaigns_per_year`` are positive. A break-even number of ``members``
    exists only if each member adds a positive present value (the
    programme's costs are fixed): if the campaign effect is negative enough,
    the programme loses money at any size. Ask for a parameter whose break-
    even exists, or check the benefit per member first.

    Parameters
    ----------
    inputs, costs, horizon, discount
        As for :func:`programme_cash_flows`.
    parameter : str
        One key of :data:`INPUT_NAMES`, or ``"costs"`` for the multiple of
        all costs the programme can bear (1 = as planned).

    Returns
    -------
    float
        The break-even value.

    Raises
    ------
    ValueError
        If no allowed value of ``parameter`` makes the NPV zero. The message
        says why in a manager's terms, e.g. that the programme loses money
        at any number of members because each member adds a negative
        present value, or that it makes money even at zero cost.

    Examples
    --------
    >>> inputs = dict(members=10_000, margin_per_member=300.0, retention=0.6, campaigns_per_year=4,
    ...               targeted_share=0.5, campaign_lift=3.0, contacted_share=0.3, engagement_gain=8.0,
    ...               csat_per_engagement=0.03, log_hr_per_csat=-0.1)
    >>> costs = dict(process_upfront=50_000, process_annual=10_000, people_annual=5_000)
    >>> round(break_even(inputs, costs, "campaign_lift", horizon=2), 3)
    1.689

    When each member brings a negative margin, no size of the member base
    breaks even, and the error says so:

    >>> break_even({**inputs, "campaign_lift": -1.0}, costs, "members", horizon=2)
    Traceback (most recent call last):
    ...
    ValueError: parameter: no value of 'members' brings the NPV to zero: the programme loses money at any number of members, because each member adds a negative present value (-1.31 RUB over 2 years: personalisation -3.25, retention +1.95) while the costs (present value 74,386 RUB) do not shrink with fewer members. Raise what each member brings (e.g. campaign_lift) before asking how many members are needed.
    """
    from scipy.optimize import brentq

    checked = _inputs(inputs)
    c = _costs(costs)
    horizon, discount = _horizon_discount(horizon, discount)
    if parameter != "costs" and parameter not in INPUT_NAMES:
        raise ValueError(f"parameter: expected 'costs' or one of {list(INPUT_NAMES)}; found {parameter!r}")
    point = {k: np.array([est]) for k, (est, _se) in checked.items()}

    def npv(value: float) -> float:
        if parameter == "costs":
            return float(_present_values(point, {k: v * value for k, v in c.items()}, horizon, discount)["npv"][0])
        trial = dict(point)
        trial[parameter] = np.array([value])
        return float(_present_values(trial, c, horizon, discount)["npv"][0])

    if parameter in _SHARES:
        low, high = 0.0, 1.0 - 1e-12
        if parameter == "retention":
            low = 1e-12
        if np.sign(npv(low)) == np.sign(npv(high)):
            raise ValueError(_no_break_even(parameter, point, c, horizon, discount, npv, low, high))
        return float(brentq(npv, low, high, xtol=1e-12))
    centre = checked[parameter][0] if parameter != "costs" else 1.0
    span = max(abs(centre), 1.0)
    lower_bound = 0.0 if parameter in _NON_NEGATIVE + ("costs",) else -np.inf
    for _ in range(60):  # widen the bracket until the sign changes
        low, high = max(centre - span, lower_bound), centre + span
        if np.sign(npv(low)) != np.sign(npv(high)):
            return float(brentq(npv, low, high, xtol=1e-10 * span, maxiter=500))
        span *= 2
    raise ValueError(_no_break_even(parameter, point, c, horizon, discount, npv, low, high))


def _no_break_even(parameter: str, point: Mapping[str, np.ndarray], costs: dict[str, float], horizon: int,
                   discount: float, npv: Any, low: float, high: float) -> str:
    """Why no value of ``parameter`` brings the NPV to zero, in a manager's words (in the current language)."""
    head = tr("parameter: no value of {name!r} brings the NPV to zero: ", name=parameter)
    years = tr("{n} year", n=horizon) if horizon == 1 else tr("{n} years", n=horizon)
    values = _present_values(point, costs, horizon, discount)
    pv_costs = float(values["pv_costs"][0])
    if parameter == "members":
        n = float(point["members"][0])
        per = {k: float(values[f"pv_{k}"][0]) / n if n > 0 else np.nan for k in ("personalisation", "retention")}
        if n <= 0:  # the benefit per member cannot be read off a base of zero: evaluate one member
            one = _present_values({**point, "members": np.array([1.0])}, costs, horizon, discount)
            per = {k: float(one[f"pv_{k}"][0]) for k in ("personalisation", "retention")}
        total = per["personalisation"] + per["retention"]
        if total <= 0:
            kind = tr("negative") if total < 0 else tr("zero")
            return head + tr(
                "the programme loses money at any number of members, because each member adds a {kind} "
                "present value ({total:+,.2f} RUB over {years}: personalisation {personalisation:+,.2f}, "
                "retention {retention:+,.2f}) while the costs (present value {costs:,.0f} RUB) do not "
                "shrink with fewer members. Raise what each member brings (e.g. campaign_lift) before asking how "
                "many members are needed.", kind=kind, total=total, years=years,
                personalisation=per["personalisation"], retention=per["retention"], costs=pv_costs,
            )
    if parameter == "costs":
        benefits = float(values["pv_personalisation"][0] + values["pv_retention"][0])
        if benefits <= 0:
            return head + tr(
                "the programme loses money even at zero cost, because its benefits are not positive "
                "(present value {benefits:+,.0f} RUB over {years}); no cost the programme could bear exists.",
                benefits=benefits, years=years,
            )
        return head + tr(
            "the programme's costs are zero, so it makes money (present value {benefits:,.0f} RUB over "
            "{years}) whatever multiple of them it bears.", benefits=benefits, years=years,
        )
    if parameter in ("campaign_lift", "campaigns_per_year", "targeted_share"):
        reach = float(point["members"][0] * point["targeted_share"][0] * point["campaigns_per_year"][0]) \
            if parameter == "campaign_lift" else float(point["members"][0])
        if reach == 0:
            return head + tr(
                "the NPV does not depend on it, because no member is reached (members, targeted_share or "
                "campaigns_per_year is zero); the NPV is {npv:+,.0f} RUB at any value.", npv=npv(low),
            )
    at_low, at_high = npv(low), npv(high)
    if not (at_low < 0 and at_high < 0) and not (at_low > 0 and at_high > 0):
        return head + tr("the NPV does not change sign between {low:.3g} and {high:.3g} (NPV {at_low:+,.0f} to "
                         "{at_high:+,.0f} RUB).", low=low, high=high, at_low=at_low, at_high=at_high)
    verdict = tr("loses money") if at_low < 0 else tr("makes money")
    return head + tr(
        "the programme {verdict} at every value of it from {low:.3g} to {high:.3g} (NPV from {at_low:+,.0f} to "
        "{at_high:+,.0f} RUB over {years}), with the other inputs at their estimates; changing {name!r} "
        "alone cannot make it break even.", verdict=verdict, low=low, high=high, at_low=at_low, at_high=at_high,
        years=years, name=parameter,
    )
