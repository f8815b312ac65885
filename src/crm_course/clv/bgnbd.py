r"""The BG/NBD model of repeat purchasing: simulation, maximum-likelihood fit and predictions of future purchases.

In a non-contractual setting (a cashback service: nobody announces that they
have stopped buying) the BG/NBD model (Fader, Hardie & Lee, 2005a) says that,
while alive, a customer buys at the times of a Poisson process with rate
:math:`\lambda`, and after every repeat purchase drops out for good with
probability :math:`p`; across customers
:math:`\lambda \sim \mathrm{Gamma}(r, \alpha)` (shape :math:`r`, rate
:math:`\alpha`) and :math:`p \sim \mathrm{Beta}(a, b)`. A customer observed for
:math:`T` periods after the first purchase who made :math:`x` repeat
purchases, the last at :math:`t_x`, has likelihood

.. math::

    L = \frac{B(a, b + x)}{B(a, b)}
        \frac{\Gamma(r + x)\,\alpha^{r}}{\Gamma(r)\,(\alpha + T)^{r + x}}
      + \delta_{x > 0}\,\frac{B(a + 1, b + x - 1)}{B(a, b)}
        \frac{\Gamma(r + x)\,\alpha^{r}}{\Gamma(r)\,(\alpha + t_x)^{r + x}}.

The first term is "still alive at :math:`T`", the second "dropped out right
after the purchase at :math:`t_x`"; their ratio gives the probability of being
alive,

.. math::

    P(\text{alive} \mid x, t_x, T) = \Bigl[1 + \delta_{x>0}\,\frac{a}{b + x - 1}
        \Bigl(\frac{\alpha + T}{\alpha + t_x}\Bigr)^{r + x}\Bigr]^{-1},

which is exactly 1 for :math:`x = 0` (in this model a customer can only drop
out just after a repeat purchase). The expected number of purchases of a new
customer in :math:`(0, t]` and of a customer with history :math:`(x, t_x, T)`
in :math:`(T, T + t]` are

.. math::

    E[X(t)] = \frac{a + b - 1}{a - 1}\Bigl[1 - \Bigl(\frac{\alpha}{\alpha + t}\Bigr)^{r}
              {}_2F_1\bigl(r, b; a + b - 1; \tfrac{t}{\alpha + t}\bigr)\Bigr],

.. math::

    E[Y(t) \mid x, t_x, T] = P(\text{alive} \mid x, t_x, T)\,
        \frac{a + b + x - 1}{a - 1}\Bigl[1 - \Bigl(\frac{\alpha + T}{\alpha + T + t}\Bigr)^{r + x}
        {}_2F_1\bigl(r + x, b + x; a + b + x - 1; \tfrac{t}{\alpha + T + t}\bigr)\Bigr].

What is here (both also exported by :mod:`crm_course.clv`; used in chapter 5
and the capstone):

* :func:`simulate_bgnbd` — the per-member summary of a simulated BG/NBD
  customer base, without a loop over members;
* :class:`BGNBDFitter` — the model: ``fit`` (maximum likelihood), ``summary``
  (estimates, standard errors, Wald 95% intervals), ``from_params`` (a model
  with given parameters), ``expected_purchases`` (:math:`E[X(t)]`),
  ``probability_alive``, ``conditional_expected_purchases``
  (:math:`E[Y(t) \mid x, t_x, T]`), ``predict`` (the same for every row of
  a summary), ``probability_of_purchases`` (:math:`P(X(t) = x)`, eq. 8 of
  the paper) and the plot methods of ``crm_course.clv.plots``.

The fit maximises the likelihood over the *distinct* rows of the data, each
weighted by how many members share it: a million CDNOW-like members with dates
recorded to the day share about 150,000 distinct (frequency, recency, T) rows,
and the fit takes well under a second (``benchmarks/bench_clv.py``). Standard
errors come from the inverse observed information (the numerical Hessian of the
log-likelihood at the estimate).

``fit`` takes any DataFrame with the columns ``frequency``, ``recency`` and
``T`` in one time unit (as :func:`crm_course.clv.rfm_summary` builds from any
transactions table), or the same as plain arrays; nothing here is specific to
Kopilka.

References
----------
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005a). "Counting your customers"
the easy way: An alternative to the Pareto/NBD model. *Marketing Science*,
24(2), 275–284.

Examples
--------
>>> from crm_course.clv.bgnbd import BGNBDFitter
>>> model = BGNBDFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
>>> model.probability_alive([0, 2, 2], [0.0, 30.43, 5.0], [38.86, 38.86, 38.86]).round(3)
array([1.   , 0.727, 0.124])
>>> round(model.expected_purchases(39.0), 3)
1.197
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_course.clv.checks import (
    _RFM,
    _array,
    _rfm_input,
    _simulation_inputs,
    _weights_input,
    _wrap,
)
from crm_course.clv.fitting import (
    _covariance,
    _distinct,
    _dot,
    _maximise,
    _softplus,
)
from crm_course.clv.purchase_model import _PurchaseModel

__all__ = [
    "BGNBDFitter",
    "simulate_bgnbd",
]


def simulate_bgnbd(
    n: int,
    r: float,
    alpha: float,
    a: float,
    b: float,
    T: float | np.ndarray,
    rng: np.random.Generator,
    *,
    period: float | None = None,
    latent: bool = False,
) -> pd.DataFrame:
    """Simulate the per-member summary of a BG/NBD customer base.

    Each member makes a first purchase at time 0, then buys at the times of a
    Poisson process with rate ``lambda ~ Gamma(r, rate alpha)`` and drops out
    just after each repeat purchase with probability ``p ~ Beta(a, b)``. With
    ``N`` the Poisson count on ``(0, T]`` and ``J`` the (geometric) purchase
    after which the member drops out, the member makes ``x = min(J, N)``
    repeat purchases, and the last of them is the ``x``-th of ``N`` uniform
    order statistics on ``(0, T)``, that is ``T`` times a
    ``Beta(x, N - x + 1)`` draw. No loop over members.

    Parameters
    ----------
    n : int
        Number of members.
    r, alpha, a, b : float
        Model parameters, all > 0.
    T : float or array of shape (n,)
        Observation time after each member's first purchase.
    rng : numpy.random.Generator
        Source of every random draw.
    period : float, optional
        Record ``recency`` and ``T`` to the nearest multiple of this length
        (``1 / 7`` for days when the unit is a week), as a database records
        dates, so that many members share a (frequency, recency, T) row.
        Purchases are still counted one by one: merging those that fall in
        one period, as :func:`rfm_summary` does for days, would make the data
        drift from the model. By default times are exact.
    latent : bool
        Also return each member's ``purchase_rate``, ``dropout_probability``
        and whether they are ``alive`` at ``T``.

    Returns
    -------
    pandas.DataFrame
        ``frequency``, ``recency`` and ``T`` (and the latent columns).

    Examples
    --------
    >>> import numpy as np
    >>> members = simulate_bgnbd(3, r=0.5, alpha=5.0, a=0.8, b=2.5, T=39.0, rng=np.random.default_rng(3))
    >>> list(members.columns), members["T"].tolist()
    (['frequency', 'recency', 'T'], [39.0, 39.0, 39.0])
    """
    n, T_arr = _simulation_inputs(n, {"r": r, "alpha": alpha, "a": a, "b": b}, T, rng, period)

    lam = rng.gamma(r, 1.0 / alpha, n)
    # A Beta draw can underflow to 0 for small a; the geometric needs p > 0.
    p = np.clip(rng.beta(a, b, n), 1e-300, 1.0)
    n_poisson = rng.poisson(lam * T_arr)
    n_until_dropout = rng.geometric(p)
    x = np.minimum(n_until_dropout, n_poisson)
    buys = x > 0
    recency = np.zeros(n)
    recency[buys] = T_arr[buys] * rng.beta(x[buys], n_poisson[buys] - x[buys] + 1)
    if period is not None:
        # Rounding to the nearest period keeps recency unbiased; rounding down would not.
        recency = period * np.round(recency / period)
        T_arr = period * np.round(T_arr / period)

    out = pd.DataFrame({"frequency": x.astype(np.int64), "recency": recency, "T": T_arr})
    if latent:
        out["purchase_rate"] = lam
        out["dropout_probability"] = p
        out["alive"] = n_until_dropout > n_poisson
    return out


class _BGNBDLikelihood:
    """Weighted BG/NBD log-likelihood and its gradient in (r, alpha, a, b), on distinct rows.

    With ``D = log a - log(b + x - 1) + (r + x) log((alpha + T) / (alpha + t_x))``
    the two-term likelihood is ``exp(A) (1 + exp(D))``, so its log is
    ``A + softplus(D)``: neither term is exponentiated on its own, and
    ``expit(D)`` is the weight of the "dropped out" term (1 - P(alive)).

    Every term of ``A`` depends on x alone or on T alone, and a customer base
    has few distinct values of each, so those terms are evaluated once per
    distinct value and summed with precomputed weights; only ``D`` is computed
    per row, and only for rows with repeat purchases.
    """

    def __init__(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> None:
        self.total = float(w.sum())
        self.ux, ix = np.unique(x, return_inverse=True)
        self.w_x = np.bincount(ix, weights=w)
        self.uT, iT = np.unique(T, return_inverse=True)
        self.w_T = np.bincount(iT, weights=w)
        self.wx_T = np.bincount(iT, weights=w * x)
        rep = x > 0
        self.x_rep, self.w_rep, self.iT_rep = x[rep], w[rep], iT[rep]
        self.utx, self.itx_rep = np.unique(tx[rep], return_inverse=True)
        self.ix_rep = ix[rep]

    def __call__(self, theta: np.ndarray, gradient: bool = False) -> tuple[float, np.ndarray | None]:
        from scipy.special import digamma, gammaln

        r, alpha, a, b = theta
        ux, W = self.ux, self.total
        log_aT = np.log(alpha + self.uT)
        log_atx = np.log(alpha + self.utx)
        log_bx1 = np.log(np.maximum(b + ux - 1.0, 1e-300))  # only used where x >= 1, where it is >= log b
        gap = log_aT[self.iT_rep] - log_atx[self.itx_rep]
        r_x = r + self.x_rep
        d = np.log(a) - log_bx1[self.ix_rep] + r_x * gap
        softplus = _softplus(d)
        ll = (
            _dot(self.w_x, gammaln(r + ux) + gammaln(b + ux) - gammaln(a + b + ux))
            + W * (r * np.log(alpha) - gammaln(r) - gammaln(b) + gammaln(a + b))
            - _dot(r * self.w_T + self.wx_T, log_aT)
            + _dot(self.w_rep, softplus)
        )
        if not gradient:
            return float(ll), None
        dead_w = self.w_rep * np.exp(d - softplus)  # weight times expit(d)
        inv_aT = 1.0 / (alpha + self.uT)
        psi_abx = digamma(a + b + ux)
        g_r = (_dot(self.w_x, digamma(r + ux)) + W * (np.log(alpha) - digamma(r))
               - _dot(self.w_T, log_aT) + _dot(dead_w, gap))
        g_alpha = (W * r / alpha - _dot(r * self.w_T + self.wx_T, inv_aT)
                   + _dot(dead_w, r_x * (inv_aT[self.iT_rep] - (1.0 / (alpha + self.utx))[self.itx_rep])))
        g_a = W * digamma(a + b) - _dot(self.w_x, psi_abx) + dead_w.sum() / a
        g_b = (W * (digamma(a + b) - digamma(b)) + _dot(self.w_x, digamma(b + ux) - psi_abx)
               - _dot(dead_w, np.exp(-log_bx1)[self.ix_rep]))
        return float(ll), np.array([g_r, g_alpha, g_a, g_b])


def _alive_logit(theta: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    """log[(1 - P(alive)) / P(alive)]; -inf where x = 0."""
    r, alpha, a, b = theta
    repeat = x > 0
    b_x1 = b + np.where(repeat, x, 1.0) - 1.0
    return np.where(repeat, np.log(a) - np.log(b_x1) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx)), -np.inf)


def _bgnbd_future(theta: np.ndarray, t: np.ndarray, x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Expected purchases in (T, T + t] of a customer alive at T with x repeat purchases.

    Uses Euler's transformation of the hypergeometric function,
    ``(1 - z)^(r + x) 2F1(r + x, b + x; c; z) = (1 - z)^(a - 1) 2F1(c - r - x, a - 1; c; z)``
    with ``c = a + b + x - 1``: its series stays well behaved when z is near 1
    or x is large.
    """
    from scipy.special import hyp2f1

    r, alpha, a, b = theta
    c = a + b + x - 1
    z = t / (alpha + T + t)
    one_minus_z = (alpha + T) / (alpha + T + t)
    bracket = 1.0 - one_minus_z ** (a - 1) * hyp2f1(c - r - x, a - 1, c, z)
    return c / (a - 1) * bracket


class BGNBDFitter(_PurchaseModel):
    r"""The BG/NBD model of repeat purchasing (Fader, Hardie & Lee, 2005a).

    Purchases follow a Poisson process with rate
    :math:`\lambda \sim \mathrm{Gamma}(r, \alpha)` while a customer is alive;
    after each repeat purchase the customer drops out with probability
    :math:`p \sim \mathrm{Beta}(a, b)`. See the module docstring for the
    likelihood and the expectations.

    ``fit`` maximises the exact log-likelihood (computed with ``gammaln`` and
    a softplus of the log-ratio of its two terms) over the distinct
    (frequency, recency, T) rows, weighted by their counts, searching on the
    log of the parameters with BFGS and the analytic gradient. Standard
    errors come from the numerical Hessian of the log-likelihood at the
    estimate, in the natural parameters; intervals are Wald intervals.

    Attributes
    ----------
    params_ : pandas.Series
        Estimates of ``r``, ``alpha``, ``a``, ``b``.
    standard_errors_, variance_matrix_ : pandas.Series, pandas.DataFrame
        Their standard errors and covariance.
    log_likelihood_ : float
        Maximised log-likelihood.
    n_members_, n_distinct_ : float, int
        Members fitted (sum of weights) and distinct rows the fit used.

    Examples
    --------
    >>> import numpy as np
    >>> from crm_course.clv import BGNBDFitter, simulate_bgnbd
    >>> members = simulate_bgnbd(20_000, r=0.25, alpha=4.0, a=0.8, b=2.5, T=52.0,
    ...                          rng=np.random.default_rng(1), period=1 / 7)
    >>> model = BGNBDFitter().fit(members)
    >>> model.summary.round(2)
               estimate  std_error  lower_95  upper_95
    parameter
    r              0.25       0.00      0.24      0.26
    alpha          4.00       0.10      3.80      4.19
    a              0.75       0.04      0.67      0.83
    b              2.30       0.16      1.98      2.62
    >>> model.probability_alive(0, 0.0, 52.0)
    1.0
    """

    _names = ("r", "alpha", "a", "b")
    _model = "BG/NBD"

    def fit(
        self,
        summary: pd.DataFrame | None = None,
        /,
        *,
        frequency: Any = None,
        recency: Any = None,
        T: Any = None,
        weights: Any = None,
    ) -> BGNBDFitter:
        """Fit (r, alpha, a, b) by maximum likelihood.

        Parameters
        ----------
        summary : pandas.DataFrame, optional
            One row per member with columns ``frequency`` (repeat purchases),
            ``recency`` (time of the last repeat purchase after the first
            purchase; 0 if none) and ``T`` (time from the first purchase to the
            end of observation), e.g. from :func:`rfm_summary`. Not modified.
        frequency, recency, T : array-like, optional
            The same as arrays, when no ``summary`` is given.
        weights : array-like, optional
            How many members each row stands for (default 1 each).

        Returns
        -------
        BGNBDFitter
            ``self``, fitted.

        Raises
        ------
        ValueError
            If the data cannot identify the model: fewer than 40 members (10
            per parameter, weights counted), fewer than 20 repeat buyers (the
            drop-out parameters ``a`` and ``b`` are learnt from them alone),
            or fewer than 5 distinct rows. See ``crm_course.clv.fitting``.

        Notes
        -----
        Rows are not checked for repeated customers: a summary has no key
        column, and identical rows are expected (many members share one
        history; ``weights`` counts them). Build it with one row per member,
        as :func:`rfm_summary` does.
        """
        frame = _rfm_input(summary, frequency, recency, T)
        w = _weights_input(weights, len(frame))
        x_all = frame["frequency"].to_numpy(dtype=float)
        if not (w[x_all > 0] > 0).any():
            raise ValueError(
                "summary: column 'frequency' is 0 for every member; the model needs some repeat purchases to fit"
            )
        rows, counts = _distinct(
            {"x": x_all, "tx": frame["recency"].to_numpy(dtype=float), "T": frame["T"].to_numpy(dtype=float)}, w
        )
        x, tx, T_ = rows["x"], rows["tx"], rows["T"]
        total = counts.sum()
        self._check_identified(total, len(counts), informative=float(counts[x > 0].sum()),
                               informative_label="repeat buyers (frequency > 0)", informative_params=2,
                               why="drop-out is seen only after a repeat purchase, so a and b are learnt from "
                                   "the repeat buyers alone")

        exposure = _dot(counts, T_)
        if exposure <= 0:
            raise ValueError("summary: column 'T' is 0 for every member; the model needs time observed to fit")
        # Start from r = 1 with alpha matched to the mean purchase rate, and a uniform dropout probability.
        mean_rate = max(_dot(counts, x) / exposure, 1e-6)
        start = np.array([1.0, 1.0 / mean_rate, 1.0, 1.0])

        loglik = _BGNBDLikelihood(x, tx, T_, counts)
        theta, result = _maximise(loglik, start, total)
        cov = _covariance(lambda th: loglik(th, True)[1], theta, result.message)
        self._store(theta, cov, loglik(theta, False)[0], result, total, len(counts))
        return self

    def expected_purchases(self, t: Any) -> Any:
        """Expected repeat purchases E[X(t)] of a new customer in (0, t].

        Parameters
        ----------
        t : float or array-like
            Length of the period, >= 0, in the fitted time unit.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            Same shape as ``t``.

        Examples
        --------
        >>> model = BGNBDFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(model.expected_purchases(39.0), 3)
        1.197
        """
        theta = self._require_fit()
        t_arr = _array(t, "t", low=0)
        zeros = np.zeros_like(t_arr)
        return _wrap(_bgnbd_future(theta, t_arr, zeros, zeros), t)

    def probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """Probability that a customer with history (frequency, recency, T) is still alive at T.

        Exactly 1 when ``frequency`` is 0: in the BG/NBD model dropping out can
        only happen just after a repeat purchase.

        Parameters
        ----------
        frequency, recency, T : float or array-like
            Repeat purchases, time of the last one, and length of observation.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            Probabilities in [0, 1].

        Examples
        --------
        >>> model = BGNBDFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> model.probability_alive([0, 2, 2], [0.0, 30.43, 5.0], [38.86, 38.86, 38.86]).round(3)
        array([1.   , 0.727, 0.124])
        """
        theta = self._require_fit()
        frame = _rfm_input(None, frequency, recency, T, name="history")
        d = _alive_logit(theta, *(frame[c].to_numpy() for c in _RFM))
        return _wrap(np.exp(-_softplus(d)), frequency, recency, T)

    def conditional_expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> Any:
        """Expected purchases in the next ``t`` periods of a customer with history (frequency, recency, T).

        This is E[Y(t) | x, t_x, T] of Fader, Hardie & Lee (2005a, eq. 10):
        the probability of being alive times what a customer alive at T with
        x repeat purchases is expected to buy.

        Parameters
        ----------
        t : float or array-like
            Length of the future period, >= 0 (broadcast against the history).
        frequency, recency, T : float or array-like
            The customer's history.

        Returns
        -------
        float, numpy.ndarray or pandas.Series

        Examples
        --------
        >>> model = BGNBDFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(model.conditional_expected_purchases(39.0, 2, 30.43, 38.86), 3)
        1.226
        """
        theta = self._require_fit()
        frame = _rfm_input(None, frequency, recency, T, name="history")
        t_arr = _array(t, "t", low=0)
        # One customer's history with several horizons is as valid as one horizon for many customers.
        shape = (len(frame),) if len(frame) > 1 else np.broadcast_shapes(*map(np.shape, (frequency, recency, T)))
        x, tx, T_ = (frame[c].to_numpy().reshape(shape) for c in _RFM)
        try:
            np.broadcast_shapes(t_arr.shape, shape)
        except ValueError:
            raise ValueError(f"t: expected a number or {len(frame)} values, one per customer; "
                             f"found shape {t_arr.shape}") from None
        alive = np.exp(-_softplus(_alive_logit(theta, x, tx, T_)))
        return _wrap(alive * _bgnbd_future(theta, t_arr, x, T_), frequency, recency, T, t)

    def predict(self, t: Any, summary: pd.DataFrame) -> pd.Series:
        """Expected purchases in the next ``t`` periods for every row of a summary.

        Parameters
        ----------
        t : float or array-like
            Length of the future period (one value, or one per row).
        summary : pandas.DataFrame
            Columns ``frequency``, ``recency`` and ``T``.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``.
        """
        frame = _rfm_input(summary, None, None, None)
        values = self.conditional_expected_purchases(
            t.to_numpy() if isinstance(t, pd.Series) else t,
            *(frame[c].to_numpy() for c in _RFM),
        )
        return pd.Series(np.broadcast_to(values, (len(frame),)), index=summary.index, name="expected_purchases")

    # Kernels shared with the other repeat-purchase models (crm_course.clv.purchase_model): they give
    # BGNBDFitter probability_of_purchases, the plot methods and the per-period sums of the CLV.

    def _alive_logit(self, theta: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        return _alive_logit(theta, x, tx, T)

    def _future(self, theta: np.ndarray, t: np.ndarray, x: np.ndarray, T: np.ndarray) -> np.ndarray:
        return _bgnbd_future(theta, t, x, T)

    def _expected(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        zeros = np.zeros_like(t)
        return _bgnbd_future(theta, t, zeros, zeros)

    def _pmf(self, theta: np.ndarray, n: np.ndarray, t: np.ndarray) -> np.ndarray:
        """P(X(t) = n) (Fader, Hardie & Lee, 2005a, eq. 8), with the negative binomial tail as a Beta function."""
        from scipy.special import betainc, betaln, gammaln, xlogy

        r, alpha, a, b = theta
        share = t / (alpha + t)
        log_nbd = (gammaln(r + n) - gammaln(r) - gammaln(n + 1) + r * np.log(alpha / (alpha + t))
                   + xlogy(n, share))
        at_least = betainc(np.maximum(n, 1), r, share)  # P(N(t) >= n) of a customer who never drops out
        dropped = np.where(n > 0, np.exp(betaln(a + 1, b + np.maximum(n, 1) - 1) - betaln(a, b)) * at_least, 0.0)
        return np.exp(betaln(a, b + n) - betaln(a, b) + log_nbd) + dropped
