r"""The shifted-beta-geometric (sBG) model of contractual retention: simulation, fit, projections and DERL.

In a contractual setting (a subscription, annual membership) the firm sees a
customer leave. The sBG model (Fader & Hardie, 2007) says that at every
renewal opportunity a customer cancels with probability :math:`\theta`, the
same for that customer every period, and that :math:`\theta` varies across
customers as :math:`\mathrm{Beta}(\gamma, \delta)`. The period :math:`T` in
which a customer cancels (:math:`T = 1` at the first renewal opportunity) and
the survival function are

.. math::

    P(T = t) = \frac{B(\gamma + 1, \delta + t - 1)}{B(\gamma, \delta)}, \qquad
    S(t) = P(T > t) = \frac{B(\gamma, \delta + t)}{B(\gamma, \delta)},

and the retention rate rises with tenure, because those most likely to cancel
leave first:

.. math::

    r_t = \frac{S(t)}{S(t - 1)} = \frac{\delta + t - 1}{\gamma + \delta + t - 1}.

From a survival table of a cohort (:math:`n_t` customers cancelling in period
:math:`t = 1 .. n`, and :math:`n_{>n}` still active at the end) the
log-likelihood is :math:`\sum_t n_t \log P(T = t) + n_{>n} \log S(n)`.

**Valuation** (Fader & Hardie, 2010). With a margin :math:`m` received at each
renewal and a discount rate :math:`d` per period, the discounted expected
residual lifetime of a customer who has renewed :math:`k` times, evaluated just
before the next renewal decision, is

.. math::

    \mathrm{DERL}(d \mid k) = \sum_{t = k + 1}^{\infty} \frac{S(t)}{S(k)}\,(1 + d)^{-(t - k - 1)}
        = \frac{\delta + k}{\gamma + \delta + k}\,
          {}_2F_1\Bigl(1, \delta + k + 1; \gamma + \delta + k + 1; \frac{1}{1 + d}\Bigr),

and the customer's expected residual lifetime value is :math:`m\,\mathrm{DERL}`
(:func:`crm_course.clv.contractual_value`). A single aggregate retention rate
understates it: with no heterogeneity the sum is the textbook
:math:`(1 + d)\,r/(1 + d - r)`, that is :math:`(1 + d)` times
:func:`crm_course.clv.clv_contractual` with a margin of 1 (which discounts the
first renewal by a period).

What is here (also exported by :mod:`crm_course.clv`):

* :func:`simulate_sbg` -- a cohort's survival table under the model;
* :class:`SBGFitter` -- ``fit`` (one cohort's survival counts, or several
  cohorts'), ``summary``, ``survival``, ``retention_rate``,
  ``churn_probability``, ``project`` (survival, retention and survivors
  beyond the data), ``expected_lifetime`` and ``derl``.

On the survival tables of Fader & Hardie (2007, Table 1; originally Berry &
Linoff, 2004), fitted on years 1–7 as in the paper, it reproduces "regular"
γ = 0.704, δ = 1.182 and "high end" γ = 0.668, δ = 3.806.

References
----------
Fader, P. S., & Hardie, B. G. S. (2007). How to project customer retention.
*Journal of Interactive Marketing*, 21(1), 76–90.

Fader, P. S., & Hardie, B. G. S. (2010). Customer-base valuation in a
contractual setting: The perils of ignoring heterogeneity. *Marketing
Science*, 29(1), 85–93.

Berry, M. J. A., & Linoff, G. S. (2004). *Data mining techniques* (2nd ed.).
Wiley.

Examples
--------
>>> from crm_course.clv.sbg import SBGFitter
>>> regular = SBGFitter().fit([1000, 631, 468, 382, 326, 289, 262, 241])
>>> regular.params_.round(3).to_dict()
{'gamma': 0.704, 'delta': 1.182}
>>> regular.retention_rate([1, 2, 7]).round(3)
array([0.627, 0.756, 0.911])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_course.clv.checks import _array, _check_generator, _wrap
from crm_course.clv.fitting import _covariance, _dot, _Fitter, _maximise
from crm_course.validation import check_number

__all__ = [
    "SBGFitter",
    "simulate_sbg",
]


def simulate_sbg(n: int, gamma: float, delta: float, periods: int, rng: np.random.Generator) -> pd.Series:
    """Simulate a cohort's survival table under the sBG model.

    Each of ``n`` customers draws a cancellation probability
    ``theta ~ Beta(gamma, delta)`` and cancels in period ``T ~ Geometric(theta)``.

    Parameters
    ----------
    n : int
        Cohort size.
    gamma, delta : float
        Model parameters, > 0.
    periods : int
        Number of renewal periods observed, >= 1.
    rng : numpy.random.Generator
        Source of every random draw.

    Returns
    -------
    pandas.Series
        Customers still active at the end of periods 0, 1, ..., ``periods``
        (index ``period``; the first value is ``n``).

    Examples
    --------
    >>> import numpy as np
    >>> table = simulate_sbg(1000, 0.7, 1.2, 4, np.random.default_rng(0))
    >>> table.index.tolist(), int(table.iloc[0])
    ([0, 1, 2, 3, 4], 1000)
    """
    n = int(check_number(n, "n", low=1, integer=True))
    check_number(gamma, "gamma", low=0, inclusive=False)
    check_number(delta, "delta", low=0, inclusive=False)
    periods = int(check_number(periods, "periods", low=1, integer=True))
    _check_generator(rng)
    theta = np.clip(rng.beta(gamma, delta, n), 1e-300, 1.0)
    cancel = rng.geometric(theta)
    survivors = (cancel[None, :] > np.arange(periods + 1)[:, None]).sum(axis=1)
    return pd.Series(survivors, index=pd.RangeIndex(periods + 1, name="period"), name="survivors")


def _cohorts(survivors: Any) -> list[np.ndarray]:
    """One or several survival tables as validated 1-D arrays of whole, non-increasing counts."""
    if isinstance(survivors, pd.DataFrame):
        raise ValueError("survivors: expected a 1-D sequence of counts (or a list of them, one per cohort); "
                         "found a DataFrame: pass one of its columns")
    tables = survivors if isinstance(survivors, (list, tuple)) and survivors and np.ndim(survivors[0]) == 1 \
        else [survivors]
    out = []
    for k, table in enumerate(tables):
        label = "survivors" if len(tables) == 1 else f"survivors[{k}]"
        arr = _array(table, label, low=0)
        if arr.ndim != 1 or arr.size < 2:
            raise ValueError(f"{label}: expected a 1-D sequence of at least 2 counts (the cohort size, then the "
                             f"customers still active after each period); found shape {arr.shape}")
        if (bad := arr != np.floor(arr)).any():
            raise ValueError(f"{label}: expected whole numbers of customers; found {float(arr[bad][0])!r}")
        if arr[0] <= 0:
            raise ValueError(f"{label}: expected a cohort size > 0 as the first value; found {float(arr[0])!r}")
        if (rise := np.diff(arr) > 0).any():
            at = int(np.argmax(rise)) + 1
            raise ValueError(f"{label}: expected counts that never rise (customers who cancel do not come back); "
                             f"found {float(arr[at - 1])!r} then {float(arr[at])!r} at period {at}")
        out.append(arr)
    return out


class _SBGLikelihood:
    """Weighted sBG log-likelihood and its gradient in (gamma, delta) from churn and survival counts."""

    def __init__(self, tables: list[np.ndarray]) -> None:
        churn_t, churn_w, alive_t, alive_w = [], [], [], []
        for table in tables:
            churn_t.append(np.arange(1, table.size))
            churn_w.append(-np.diff(table))
            alive_t.append(table.size - 1)
            alive_w.append(table[-1])
        self.t, self.w = np.concatenate(churn_t).astype(float), np.concatenate(churn_w)
        self.n, self.w_n = np.array(alive_t, dtype=float), np.array(alive_w)
        self.total = float(self.w.sum() + self.w_n.sum())

    def __call__(self, theta: np.ndarray, gradient: bool = False) -> tuple[float, np.ndarray | None]:
        from scipy.special import betaln, digamma

        g, d = theta
        base = betaln(g, d)
        ll = (_dot(self.w, betaln(g + 1, d + self.t - 1)) + _dot(self.w_n, betaln(g, d + self.n))
              - self.total * base)
        if not gradient:
            return float(ll), None
        psi_base = digamma(g + d)
        churn_all = digamma(g + d + self.t)  # psi of the sum of the arguments of B(g + 1, d + t - 1)
        alive_all = digamma(g + d + self.n)
        g_g = (_dot(self.w, digamma(g + 1) - churn_all) + _dot(self.w_n, digamma(g) - alive_all)
               - self.total * (digamma(g) - psi_base))
        g_d = (_dot(self.w, digamma(d + self.t - 1) - churn_all) + _dot(self.w_n, digamma(d + self.n) - alive_all)
               - self.total * (digamma(d) - psi_base))
        return float(ll), np.array([g_g, g_d])


class SBGFitter(_Fitter):
    r"""The shifted-beta-geometric model of contractual retention (Fader & Hardie, 2007).

    At each renewal opportunity a customer cancels with probability
    :math:`\theta \sim \mathrm{Beta}(\gamma, \delta)`. See the module docstring
    for the survival function, the retention rates, the likelihood and the
    discounted expected residual lifetime (DERL).

    ``fit`` maximises the log-likelihood of one or several cohorts' survival
    tables (the counts are the weights: each period's cancellations are one
    distinct row, the customers still active at the end another), with BFGS
    on the log of the parameters and the analytic gradient; standard errors
    from the numerical Hessian at the estimate; Wald intervals. It refuses
    tables that cannot identify the two parameters: fewer than two renewal
    periods, nobody cancelling, or nobody renewing.

    In the contractual setting the firm sees who has left, so there is no
    "probability alive"; the conditional quantities are the survival of a
    customer who has renewed ``k`` times (``survival(k + t) / survival(k)``)
    and ``derl(discount_rate, renewals=k)``.

    Attributes
    ----------
    params_ : pandas.Series
        Estimates of ``gamma`` and ``delta``.
    standard_errors_, variance_matrix_, log_likelihood_
        As for :class:`crm_course.clv.BGNBDFitter`.
    n_members_ : float
        Customers in the cohorts fitted.
    cohort_size_ : float
        Size of the (first) cohort fitted, the default for :meth:`project`.

    Examples
    --------
    >>> high_end = SBGFitter().fit([1000, 869, 743, 653, 593, 551, 517, 491])
    >>> high_end.summary[["estimate", "std_error"]].round(3)
               estimate  std_error
    parameter
    gamma         0.668      0.104
    delta         3.806      0.786
    >>> high_end.project(12)["survivors"].round(0).iloc[[8, 12]].tolist()
    [460.0, 378.0]
    """

    _names = ("gamma", "delta")

    def fit(self, survivors: Any, /) -> SBGFitter:
        """Fit (gamma, delta) by maximum likelihood to one or several cohorts' survival tables.

        Parameters
        ----------
        survivors : array-like, or list of array-like
            For one cohort, the number of customers at the start (period 0)
            and still active after each renewal period 1, 2, ..., n: whole
            numbers that never rise. For several cohorts, a list of such
            tables (they may cover different numbers of periods).

        Returns
        -------
        SBGFitter
            ``self``, fitted.

        Raises
        ------
        ValueError
            For invalid counts, and for tables that cannot identify the
            parameters: fewer than two renewal periods, nobody cancelling,
            or nobody renewing even once.
        """
        tables = _cohorts(survivors)
        if max(t.size for t in tables) < 3:
            raise ValueError("survivors: expected at least 2 renewal periods (3 counts) in some cohort; with one "
                             "period only the first retention rate is observed, which cannot separate gamma from "
                             "delta")
        if all(t[-1] == t[0] for t in tables):
            raise ValueError("survivors: nobody cancelled in any period; with no churn observed the model cannot "
                             "be estimated")
        if all(t[1] == 0 for t in tables):
            raise ValueError("survivors: nobody renewed even once; with no survivor after the first period the "
                             "model cannot be estimated")
        loglik = _SBGLikelihood(tables)
        churned = loglik.w.sum() / loglik.total
        theta, result = _maximise(loglik, np.array([churned + 0.1, 1.0]), loglik.total)
        cov = _covariance(lambda th: loglik(th, True)[1], theta, result.message)
        self._store(theta, cov, loglik(theta, False)[0], result, loglik.total,
                    int(np.count_nonzero(loglik.w) + np.count_nonzero(loglik.w_n)))
        self.cohort_size_ = float(tables[0][0])
        return self

    def _periods(self, t: Any, name: str = "t", low: float = 0) -> np.ndarray:
        arr = _array(t, name, low=low)
        if (bad := arr != np.floor(arr)).any():
            raise ValueError(f"{name}: expected whole numbers of periods; found {float(arr[bad].flat[0])!r}")
        return arr

    def survival(self, t: Any) -> Any:
        """Share of a new cohort still active after ``t`` renewal periods, S(t).

        Parameters
        ----------
        t : int or array-like of int
            Periods, >= 0.

        Returns
        -------
        float, numpy.ndarray or pandas.Series

        Examples
        --------
        >>> SBGFitter.from_params(gamma=0.704, delta=1.182).survival([0, 1, 7]).round(3)
        array([1.   , 0.627, 0.239])
        """
        from scipy.special import betaln

        g, d = self._require_fit()
        t_arr = self._periods(t)
        return _wrap(np.exp(betaln(g, d + t_arr) - betaln(g, d)), t)

    def retention_rate(self, t: Any) -> Any:
        """Share of those active after period t - 1 who renew in period t: (delta + t - 1) / (gamma + delta + t - 1).

        Parameters
        ----------
        t : int or array-like of int
            Periods, >= 1.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
        """
        g, d = self._require_fit()
        t_arr = self._periods(t, low=1)
        return _wrap((d + t_arr - 1) / (g + d + t_arr - 1), t)

    def churn_probability(self, t: Any) -> Any:
        """Probability that a new customer cancels in period t, P(T = t).

        Parameters
        ----------
        t : int or array-like of int
            Periods, >= 1.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
        """
        from scipy.special import betaln

        g, d = self._require_fit()
        t_arr = self._periods(t, low=1)
        return _wrap(np.exp(betaln(g + 1, d + t_arr - 1) - betaln(g, d)), t)

    def expected_lifetime(self) -> float:
        """Expected number of periods a new customer stays, sum of S(t) over t >= 0.

        It is (gamma + delta - 1) / (gamma - 1) when gamma > 1 and infinite
        otherwise: with gamma <= 1 enough customers are nearly loyal for ever
        that the mean does not exist, which is why values are discounted
        (:meth:`derl`).

        Examples
        --------
        >>> SBGFitter.from_params(gamma=2.0, delta=3.0).expected_lifetime()
        4.0
        >>> SBGFitter.from_params(gamma=0.704, delta=1.182).expected_lifetime()
        inf
        """
        g, d = self._require_fit()
        return float((g + d - 1) / (g - 1)) if g > 1 else float("inf")

    def derl(self, discount_rate: float, renewals: Any = 0) -> Any:
        """Discounted expected residual lifetime after ``renewals`` renewals (Fader & Hardie, 2010).

        The expected number of payments still to come, each discounted by
        ``discount_rate`` per period, the first (the coming renewal) not
        discounted; multiply by the margin per period for the customer's
        residual value (:func:`crm_course.clv.contractual_value` does so and
        checks the units). A new customer who has just paid is worth
        ``margin * (1 + derl(d, 0) / (1 + d))``.

        Parameters
        ----------
        discount_rate : float
            Discount rate per period of the model (the renewal period), > 0.
        renewals : int or array-like of int
            Renewals made so far, >= 0.

        Returns
        -------
        float, numpy.ndarray or pandas.Series

        Examples
        --------
        >>> model = SBGFitter.from_params(gamma=0.704, delta=1.182)
        >>> model.derl(0.1, [0, 4]).round(2)
        array([2.96, 5.89])
        """
        from scipy.special import hyp2f1

        g, d = self._require_fit()
        rate = check_number(discount_rate, "discount_rate", low=0, inclusive=False)
        k = self._periods(renewals, "renewals")
        value = (d + k) / (g + d + k) * hyp2f1(1.0, d + k + 1, g + d + k + 1, 1.0 / (1.0 + rate))
        return _wrap(value, renewals)

    def project(self, horizon: int, cohort_size: float | None = None) -> pd.DataFrame:
        """Survival, retention and survivors of a cohort for periods 0..horizon.

        Parameters
        ----------
        horizon : int
            Last period, >= 1.
        cohort_size : float, optional
            Customers at period 0 (default: the size of the first cohort
            fitted; 1 for a model from ``from_params``).

        Returns
        -------
        pandas.DataFrame
            Index ``period``; ``survival``, ``retention_rate`` (NaN at
            period 0), ``churn_probability`` (NaN at period 0) and
            ``survivors``.
        """
        horizon = int(check_number(horizon, "horizon", low=1, integer=True))
        size = getattr(self, "cohort_size_", 1.0) if cohort_size is None else \
            check_number(cohort_size, "cohort_size", low=0, inclusive=False)
        t = np.arange(horizon + 1)
        survival = self.survival(t)
        later = t[1:]
        return pd.DataFrame(
            {"survival": survival,
             "retention_rate": np.concatenate([[np.nan], self.retention_rate(later)]),
             "churn_probability": np.concatenate([[np.nan], self.churn_probability(later)]),
             "survivors": size * survival},
            index=pd.RangeIndex(horizon + 1, name="period"),
        )

    def plot_survival(self, survivors: Any = None, **kwargs: Any) -> Any:
        """The survival curve against a cohort's table; see ``crm_course.clv.plots.plot_survival``."""
        from crm_course.clv.plots import plot_survival

        return plot_survival(self, survivors, **kwargs)
