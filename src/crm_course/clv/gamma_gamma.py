r"""The Gamma–Gamma model of spend per purchase: simulation, maximum-likelihood fit and expected spend per customer.

The value of each repeat purchase is :math:`\mathrm{Gamma}(p, \nu)` with a
customer-specific rate :math:`\nu \sim \mathrm{Gamma}(q, \gamma)`, independent
of the purchase process (Fader, Hardie & Lee, 2005b; Fader & Hardie, 2013).
The mean :math:`\bar z` of :math:`x` purchases then has density

.. math::

    f(\bar z \mid x) = \frac{\Gamma(px + q)}{\Gamma(px)\,\Gamma(q)}
        \frac{\gamma^{q}\,x^{px}\,\bar z^{\,px - 1}}{(\gamma + x \bar z)^{px + q}},

and the expected value of a customer's future purchases is the weighted mean
of the population mean :math:`p\gamma/(q - 1)` and the customer's own mean,

.. math::

    E[Z \mid x, \bar z] = \frac{p\,(\gamma + x \bar z)}{p x + q - 1}.

The independence of spend and frequency is an assumption: check that the
correlation of frequency and mean spend is small before relying on it.

What is here (both also exported by :mod:`crm_course.clv`; used in chapter 5
and the capstone):

* :func:`simulate_gamma_gamma` — each member's mean spend per repeat purchase
  under the model;
* :class:`GammaGammaFitter` — the model: ``fit`` (maximum likelihood on the
  members with at least one repeat purchase, over distinct rows weighted by
  their counts), ``summary`` (estimates, standard errors from the numerical
  Hessian at the estimate, Wald 95% intervals), ``from_params`` and
  ``conditional_expected_average_value`` (:math:`E[Z \mid x, \bar z]`).

``fit`` takes any DataFrame with the columns ``frequency`` and
``monetary_value`` (as :func:`crm_course.clv.rfm_summary` builds from any
transactions table), or the same as plain arrays; nothing here is specific to
Kopilka. Money is in the unit of the data.

References
----------
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005b). RFM and CLV: Using
iso-value curves for customer base analysis. *Journal of Marketing Research*,
42(4), 415–430.

Fader, P. S., & Hardie, B. G. S. (2013). *The Gamma-Gamma model of monetary
value*. Technical note.

Examples
--------
>>> from crm_course.clv.gamma_gamma import GammaGammaFitter
>>> model = GammaGammaFitter.from_params(p=6.25, q=3.74, gamma=15.44)
>>> model.conditional_expected_average_value([0, 1, 10], [0.0, 50.0, 50.0]).round(2)
array([35.22, 45.49, 49.38])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_course.clv.checks import (
    _check_generator,
    _check_spend,
    _check_whole,
    _frame_from_arrays,
    _spend_input,
    _weights_input,
    _wrap,
)
from crm_course.clv.fitting import _covariance, _distinct, _dot, _Fitter, _maximise
from crm_course.validation import check_number

__all__ = [
    "GammaGammaFitter",
    "simulate_gamma_gamma",
]


def simulate_gamma_gamma(
    frequency: Any,
    p: float,
    q: float,
    gamma: float,
    rng: np.random.Generator,
) -> Any:
    """Simulate each member's mean spend per repeat purchase under the Gamma–Gamma model.

    A member's purchases are ``Gamma(p, rate nu)`` with
    ``nu ~ Gamma(q, rate gamma)``, so the mean of ``x`` of them is
    ``Gamma(p x, rate x nu)``.

    Parameters
    ----------
    frequency : array-like of int
        Repeat purchases per member (0 gives a mean spend of 0).
    p, q, gamma : float
        Model parameters, all > 0.
    rng : numpy.random.Generator
        Source of every random draw.

    Returns
    -------
    numpy.ndarray or pandas.Series
        Mean spend per repeat purchase (a Series with the index of a Series
        ``frequency``).

    Examples
    --------
    >>> import numpy as np
    >>> spend = simulate_gamma_gamma([0, 2, 5], p=6.0, q=4.0, gamma=15.0, rng=np.random.default_rng(0))
    >>> spend[0], bool((spend[1:] > 0).all())
    (np.float64(0.0), True)
    """
    for value, label in ((p, "p"), (q, "q"), (gamma, "gamma")):
        check_number(value, label, low=0, inclusive=False)
    _check_generator(rng)
    frame = _frame_from_arrays({"frequency": frequency}, name="frequency")
    _check_whole(frame, "frequency", name="frequency")
    x = frame["frequency"].to_numpy()
    nu = rng.gamma(q, 1.0 / gamma, x.size)
    buys = x > 0
    spend = np.zeros(x.size)
    spend[buys] = rng.gamma(p * x[buys], 1.0 / (x[buys] * nu[buys]))
    return _wrap(spend, frequency) if isinstance(frequency, pd.Series) else spend


class _GammaGammaLikelihood:
    """Weighted log-density of the mean spend z of x purchases, and its gradient in (p, q, gamma).

    The gamma-function terms depend on x alone and are evaluated once per
    distinct x; only ``log(gamma + x z)`` is computed per row.
    """

    def __init__(self, x: np.ndarray, z: np.ndarray, w: np.ndarray) -> None:
        self.total = float(w.sum())
        self.ux, ix = np.unique(x, return_inverse=True)
        self.w_x = np.bincount(ix, weights=w)
        self.log_ux = np.log(self.ux)
        self.x, self.w, self.xz = x, w, x * z
        self.wx = w * x
        log_z = np.log(z)
        self.sum_w_log_z = _dot(w, log_z)
        self.sum_wx_log_z = _dot(self.wx, log_z)

    def __call__(self, theta: np.ndarray, gradient: bool = False) -> tuple[float, np.ndarray | None]:
        from scipy.special import digamma, gammaln

        p, q, gamma = theta
        ux, W = self.ux, self.total
        pux = p * ux
        log_gxz = np.log(gamma + self.xz)
        sum_w_log_gxz = _dot(self.w, log_gxz)
        sum_wx_log_gxz = _dot(self.wx, log_gxz)
        ll = (
            _dot(self.w_x, gammaln(pux + q) - gammaln(pux) + pux * self.log_ux)
            + W * (q * np.log(gamma) - gammaln(q))
            + p * self.sum_wx_log_z - self.sum_w_log_z
            - p * sum_wx_log_gxz - q * sum_w_log_gxz
        )
        if not gradient:
            return float(ll), None
        psi_pxq = digamma(pux + q)
        g_p = (_dot(self.w_x * ux, psi_pxq - digamma(pux) + self.log_ux)
               + self.sum_wx_log_z - sum_wx_log_gxz)
        g_q = _dot(self.w_x, psi_pxq) + W * (np.log(gamma) - digamma(q)) - sum_w_log_gxz
        g_gamma = W * q / gamma - _dot(p * self.wx + q * self.w, 1.0 / (gamma + self.xz))
        return float(ll), np.array([g_p, g_q, g_gamma])


class GammaGammaFitter(_Fitter):
    r"""The Gamma–Gamma model of spend per purchase (Fader, Hardie & Lee, 2005b; Fader & Hardie, 2013).

    Each purchase of a customer is worth :math:`\mathrm{Gamma}(p, \nu)` and
    :math:`\nu \sim \mathrm{Gamma}(q, \gamma)` across customers, independent
    of how often they buy (check that the correlation of frequency and mean
    spend is small before relying on it). Fitted by maximum likelihood on the
    members with at least one repeat purchase; standard errors from the
    numerical Hessian at the estimate; Wald 95% intervals.

    Attributes
    ----------
    params_ : pandas.Series
        Estimates of ``p``, ``q``, ``gamma``.
    standard_errors_, variance_matrix_, log_likelihood_, n_members_, n_distinct_
        As for :class:`BGNBDFitter`.

    Examples
    --------
    >>> import numpy as np
    >>> from crm_course.clv import GammaGammaFitter, simulate_gamma_gamma
    >>> rng = np.random.default_rng(2)
    >>> frequency = rng.integers(1, 10, 5_000)
    >>> spend = simulate_gamma_gamma(frequency, p=6.0, q=4.0, gamma=15.0, rng=rng)
    >>> model = GammaGammaFitter().fit(frequency=frequency, monetary_value=spend)
    >>> model.summary.round(2)
               estimate  std_error  lower_95  upper_95
    parameter
    p              7.09       0.93      5.27      8.91
    q              3.86       0.10      3.65      4.06
    gamma         11.95       1.84      8.36     15.55
    """

    _names = ("p", "q", "gamma")
    _model = "Gamma-Gamma"

    def fit(
        self,
        summary: pd.DataFrame | None = None,
        /,
        *,
        frequency: Any = None,
        monetary_value: Any = None,
        weights: Any = None,
    ) -> GammaGammaFitter:
        """Fit (p, q, gamma) by maximum likelihood.

        Parameters
        ----------
        summary : pandas.DataFrame, optional
            Columns ``frequency`` (repeat purchases) and ``monetary_value``
            (their mean value, > 0 where frequency > 0). Members with
            frequency 0 carry no information about spend and are left out.
            Not modified.
        frequency, monetary_value : array-like, optional
            The same as arrays, when no ``summary`` is given.
        weights : array-like, optional
            How many members each row stands for.

        Returns
        -------
        GammaGammaFitter
            ``self``, fitted.

        Raises
        ------
        ValueError
            If the data cannot identify the model: fewer than 30 customers
            with repeat purchases (10 per parameter, weights counted; spend is
            seen only in repeat purchases), or fewer than 4 distinct rows
            among them. See ``crm_course.clv.fitting``.

        Notes
        -----
        Rows are not checked for repeated customers: a summary has no key
        column, and identical rows are expected (``weights`` counts them).
        Build it with one row per member, as :func:`rfm_summary` does.
        """
        frame = _spend_input(summary, frequency, monetary_value)
        w = _weights_input(weights, len(frame))
        x_all = frame["frequency"].to_numpy(dtype=float)
        keep = (x_all > 0) & (w > 0)
        if not keep.any():
            raise ValueError(
                "summary: column 'frequency' is 0 for every member; the spend model needs repeat purchases"
            )
        rows, counts = _distinct(
            {"x": x_all[keep], "z": frame["monetary_value"].to_numpy(dtype=float)[keep]}, w[keep]
        )
        x, z = rows["x"], rows["z"]
        self._check_identified(float(w.sum()), len(counts), informative=float(counts.sum()),
                               informative_label="customers with repeat purchases (frequency > 0)",
                               informative_params=3,
                               why="spend is seen only in repeat purchases, so every parameter is learnt from "
                                   "those customers alone")
        # Start where the population mean p * gamma / (q - 1) equals the sample mean.
        start = np.array([1.0, 2.0, _dot(counts, z) / counts.sum()])

        loglik = _GammaGammaLikelihood(x, z, counts)
        theta, result = _maximise(loglik, start, counts.sum())
        cov = _covariance(lambda th: loglik(th, True)[1], theta, result.message)
        self._store(theta, cov, loglik(theta, False)[0], result, counts.sum(), len(counts))
        return self

    def conditional_expected_average_value(self, frequency: Any, monetary_value: Any) -> Any:
        """Expected value of a customer's future purchases given x purchases with mean spend z.

        ``p (gamma + x z) / (p x + q - 1)``: a weighted mean of the population
        mean ``p gamma / (q - 1)`` (returned for x = 0) and the customer's own
        mean. Infinite where the population mean does not exist (q <= 1).

        Parameters
        ----------
        frequency : float or array-like
            Repeat purchases, whole numbers >= 0.
        monetary_value : float or array-like
            Mean value of those purchases, >= 0 (ignored where frequency is 0).

        Returns
        -------
        float, numpy.ndarray or pandas.Series

        Examples
        --------
        >>> model = GammaGammaFitter.from_params(p=6.25, q=3.74, gamma=15.44)
        >>> model.conditional_expected_average_value([0, 1, 10], [0.0, 50.0, 50.0]).round(2)
        array([35.22, 45.49, 49.38])
        """
        p, q, gamma = self._require_fit()
        frame = _frame_from_arrays({"frequency": frequency, "monetary_value": monetary_value}, name="history")
        _check_spend(frame, name="history")
        x = frame["frequency"].to_numpy()
        z = np.where(x > 0, frame["monetary_value"].to_numpy(), 0.0)
        denominator = p * x + q - 1
        safe = np.where(denominator > 0, denominator, 1.0)
        value = np.where(denominator > 0, p * (gamma + x * z) / safe, np.inf)
        return _wrap(value, frequency, monetary_value)
