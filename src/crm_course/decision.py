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
  and of a pilot's sample information (EVSI) for an invest / do-not-invest choice.

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

from crm_course.validation import check_number

__all__ = ["net_benefit", "value_of_information"]


def _expected_positive_part(mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """E[max(X, 0)] for X ~ N(mean, sd^2), with sd = 0 allowed."""
    from scipy import stats

    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, mean / np.where(sd > 0, sd, 1.0), 0.0)
    return np.where(sd > 0, mean * stats.norm.cdf(z) + sd * stats.norm.pdf(z), np.maximum(mean, 0.0))


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
        Cost of each pilot (broadcast against ``sampling_sd``).

    Returns
    -------
    pandas.DataFrame
        ``value_now`` (expected value of deciding now, :math:`\max(m, 0)`),
        ``decision_now``, ``evpi``, and with a pilot ``sampling_sd``, ``evsi``,
        ``pilot_cost`` and ``pilot_net`` (EVSI less the pilot's cost: run it if
        positive).

    Examples
    --------
    >>> value_of_information(prior_mean=0.0, prior_sd=1.0)["evpi"].round(4).tolist()
    [0.3989]
    """
    m = check_number(prior_mean, "prior_mean")
    s = check_number(prior_sd, "prior_sd", low=0)
    value_now = max(m, 0.0)
    evpi = float(_expected_positive_part(np.array([m]), np.array([s]))[0] - value_now)
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
    evsi = _expected_positive_part(np.full(sigma.shape, m), preposterior) - value_now
    out = pd.DataFrame({**{k: [v] * len(sigma) for k, v in base.items()}, "sampling_sd": sigma, "evsi": evsi,
                        "pilot_cost": costs})
    out["pilot_net"] = out["evsi"] - out["pilot_cost"]
    return out
