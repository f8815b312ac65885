r"""The BG/BB model of repeat transactions at discrete opportunities: simulation, fit and predictions.

Some businesses offer a customer a transaction only at set occasions: an
annual fund-raising appeal, a yearly conference, a weekly event. The BG/BB
model (Fader, Hardie & Shang, 2010) describes such a customer by two coins.
While alive, the customer transacts at each opportunity with probability
:math:`p`; at the start of each opportunity a live customer dies (for good)
with probability :math:`\theta`. Across customers
:math:`p \sim \mathrm{Beta}(\alpha, \beta)` and
:math:`\theta \sim \mathrm{Beta}(\gamma, \delta)`, independently. A customer
with :math:`x` transactions in :math:`n` opportunities after the first, the
last at opportunity :math:`t_x`, has likelihood

.. math::

    L = \frac{B(\alpha + x, \beta + n - x)}{B(\alpha, \beta)}
        \frac{B(\gamma, \delta + n)}{B(\gamma, \delta)}
      + \sum_{i=0}^{n - t_x - 1} \frac{B(\alpha + x, \beta + t_x - x + i)}{B(\alpha, \beta)}
        \frac{B(\gamma + 1, \delta + t_x + i)}{B(\gamma, \delta)},

"alive through opportunity :math:`n`" plus "died at the start of opportunity
:math:`t_x + i + 1`". It is evaluated as a log-sum-exp of its terms. Then (all
from Fader, Hardie & Shang, 2010)

.. math::

    P(\text{alive at } n + 1 \mid x, t_x, n) = \frac{B(\alpha + x, \beta + n - x)}{B(\alpha, \beta)}
        \frac{B(\gamma, \delta + n + 1)}{B(\gamma, \delta)} \Big/ L,

.. math::

    E[X(n)] = \frac{\alpha}{\alpha + \beta}\,\frac{\delta}{\gamma - 1}
        \Bigl[1 - \frac{\Gamma(\gamma + \delta)\,\Gamma(1 + \delta + n)}
                       {\Gamma(\gamma + \delta + n)\,\Gamma(1 + \delta)}\Bigr],

and the expected transactions in the next :math:`n^*` opportunities are
:math:`P(\text{alive at } n + 1)` times

.. math::

    \frac{\alpha + x}{(\alpha + \beta + n)(\gamma - 1)}\Bigl[\gamma + \delta + n
        - \frac{\Gamma(\gamma + \delta + n + 1)\,\Gamma(1 + \delta + n + n^*)}
               {\Gamma(1 + \delta + n)\,\Gamma(\gamma + \delta + n + n^*)}\Bigr],

the posterior mean of :math:`p` times the expected number of opportunities at
which the customer is still alive. The distribution of the number of
transactions of a new customer in :math:`n` opportunities is

.. math::

    P(X(n) = x) = \binom{n}{x}\frac{B(\alpha + x, \beta + n - x)}{B(\alpha, \beta)}
        \frac{B(\gamma, \delta + n)}{B(\gamma, \delta)}
      + \sum_{i=x}^{n-1}\binom{i}{x}\frac{B(\alpha + x, \beta + i - x)}{B(\alpha, \beta)}
        \frac{B(\gamma + 1, \delta + i)}{B(\gamma, \delta)}.

The data are (frequency, recency, T) as for the other models, in
opportunities: ``frequency`` = :math:`x`, ``recency`` = :math:`t_x` (0 when
:math:`x = 0`) and ``T`` = :math:`n`, all whole numbers. A customer base has
few distinct patterns (the donations data of Fader, Hardie & Shang: 11,104
donors, 22 patterns), so the fit is immediate for any number of members.

What is here (also exported by :mod:`crm_course.clv`):

* :func:`simulate_bgbb` -- the per-member summary of a simulated BG/BB
  customer base;
* :class:`BGBBFitter` -- the model, with the interface of
  :class:`crm_course.clv.BGNBDFitter`; its ``probability_alive`` is the
  probability of being alive at the next opportunity, :math:`n + 1`, as in
  the paper's Table 6.

References
----------
Fader, P. S., Hardie, B. G. S., & Shang, J. (2010). Customer-base analysis in
a discrete-time noncontractual setting. *Marketing Science*, 29(6), 1086–1108.

Examples
--------
>>> from crm_course.clv.bgbb import BGBBFitter
>>> model = BGBBFitter.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
>>> model.probability_alive([0, 2, 6], [0, 4, 6], [6, 6, 6]).round(2)
array([0.11, 0.59, 0.93])
>>> round(model.expected_purchases(6), 3)
2.22
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_course.clv.checks import _array, _check_generator
from crm_course.clv.fitting import _dot
from crm_course.clv.purchase_model import _PurchaseModel
from crm_course.validation import check_number

__all__ = [
    "BGBBFitter",
    "simulate_bgbb",
]


def simulate_bgbb(
    n: int,
    alpha: float,
    beta: float,
    gamma: float,
    delta: float,
    T: int | np.ndarray,
    rng: np.random.Generator,
    *,
    latent: bool = False,
) -> pd.DataFrame:
    """Simulate the per-member summary of a BG/BB customer base.

    Each member transacts at each opportunity while alive with probability
    ``p ~ Beta(alpha, beta)``, and dies at the start of each opportunity with
    probability ``theta ~ Beta(gamma, delta)``: alive for the first ``G - 1``
    opportunities, with ``G`` geometric. The opportunities are drawn as a
    matrix of members by opportunities, a block of members at a time, so
    memory stays small; there is no loop over members.

    Parameters
    ----------
    n : int
        Number of members.
    alpha, beta, gamma, delta : float
        Model parameters, all > 0.
    T : int or array of shape (n,)
        Number of transaction opportunities after each member's first
        transaction, whole numbers >= 1.
    rng : numpy.random.Generator
        Source of every random draw.
    latent : bool
        Also return each member's ``transaction_probability``,
        ``dropout_probability`` and whether they are ``alive`` at the next
        opportunity ``T + 1`` (what ``BGBBFitter.probability_alive``
        predicts).

    Returns
    -------
    pandas.DataFrame
        ``frequency``, ``recency`` and ``T`` (and the latent columns).

    Examples
    --------
    >>> import numpy as np
    >>> donors = simulate_bgbb(5, 1.2, 0.75, 0.66, 2.8, T=6, rng=np.random.default_rng(0))
    >>> list(donors.columns), donors["T"].tolist()
    (['frequency', 'recency', 'T'], [6, 6, 6, 6, 6])
    """
    n = int(check_number(n, "n", low=1, integer=True))
    for value, label in ((alpha, "alpha"), (beta, "beta"), (gamma, "gamma"), (delta, "delta")):
        check_number(value, label, low=0, inclusive=False)
    _check_generator(rng)
    T_arr = _array(T, "T", low=1)
    if T_arr.ndim > 1 or (T_arr.ndim == 1 and T_arr.shape != (n,)):
        raise ValueError(f"T: expected a whole number or an array of {n} values; found shape {T_arr.shape}")
    if (T_arr != np.floor(T_arr)).any():
        bad = T_arr[T_arr != np.floor(T_arr)]
        raise ValueError(f"T: expected whole numbers of opportunities; found {float(bad.flat[0])!r}")
    T_arr = np.broadcast_to(T_arr, (n,)).astype(np.int64)

    p = rng.beta(alpha, beta, n)
    theta = np.clip(rng.beta(gamma, delta, n), 1e-300, 1.0)
    death = rng.geometric(theta)  # dies at the start of this opportunity
    alive_for = np.minimum(death - 1, T_arr)
    width = int(T_arr.max())
    x = np.zeros(n, dtype=np.int64)
    recency = np.zeros(n, dtype=np.int64)
    block = max(1, 4_000_000 // width)
    slots = np.arange(1, width + 1)
    for start in range(0, n, block):  # blocks of members bound the memory; each block is vectorised
        stop = min(start + block, n)
        buys = (rng.random((stop - start, width)) < p[start:stop, None]) & (slots <= alive_for[start:stop, None])
        x[start:stop] = buys.sum(axis=1)
        recency[start:stop] = np.where(buys, slots, 0).max(axis=1)

    out = pd.DataFrame({"frequency": x, "recency": recency, "T": T_arr})
    if latent:
        out["transaction_probability"] = p
        out["dropout_probability"] = theta
        out["alive"] = death > T_arr + 1
    return out


def _segments(x: np.ndarray, tx: np.ndarray, n: np.ndarray) -> dict[str, np.ndarray]:
    """The terms of each row's likelihood, flattened: term 0 is "alive through n", term 1 + i "died at t_x + i + 1"."""
    counts = (n - tx + 1).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    row = np.repeat(np.arange(len(x)), counts)
    pos = np.arange(counts.sum()) - starts[row]
    alive = pos == 0
    i = pos - 1
    x_r, tx_r, n_r = x[row], tx[row], n[row]
    return {
        "row": row, "starts": starts, "x": x_r,
        "k": np.where(alive, n_r - x_r, tx_r - x_r + i),  # beta + k in the transaction Beta function
        "g": np.where(alive, 0.0, 1.0),  # gamma + g in the dropout Beta function
        "l": np.where(alive, n_r, tx_r + i),  # delta + l
    }


def _log_terms(theta: np.ndarray, seg: dict[str, np.ndarray]) -> np.ndarray:
    from scipy.special import betaln

    a, b, g, d = theta
    return (betaln(a + seg["x"], b + seg["k"]) - betaln(a, b)
            + betaln(g + seg["g"], d + seg["l"]) - betaln(g, d))


def _log_likelihood_rows(theta: np.ndarray, seg: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """log L per row (a segment log-sum-exp) and each term's log."""
    terms = _log_terms(theta, seg)
    top = np.maximum.reduceat(terms, seg["starts"])
    return top + np.log(np.add.reduceat(np.exp(terms - top[seg["row"]]), seg["starts"])), terms


class _BGBBLikelihood:
    """Weighted BG/BB log-likelihood and its gradient in (alpha, beta, gamma, delta), on distinct rows."""

    def __init__(self, x: np.ndarray, tx: np.ndarray, n: np.ndarray, w: np.ndarray) -> None:
        self.seg = _segments(x, tx, n)
        self.w = w
        self.total = float(w.sum())

    def __call__(self, theta: np.ndarray, gradient: bool = False) -> tuple[float, np.ndarray | None]:
        from scipy.special import digamma

        rows, terms = _log_likelihood_rows(theta, self.seg)
        ll = _dot(self.w, rows)
        if not gradient:
            return float(ll), None
        a, b, g, d = theta
        seg = self.seg
        # Each term's share of its row's likelihood, times the row's weight.
        share = np.exp(terms - rows[seg["row"]]) * self.w[seg["row"]]
        psi_ab = digamma(a + b + seg["x"] + seg["k"])
        psi_gd = digamma(g + seg["g"] + d + seg["l"])
        W = self.total
        grad = np.array([
            _dot(share, digamma(a + seg["x"]) - psi_ab) + W * (digamma(a + b) - digamma(a)),
            _dot(share, digamma(b + seg["k"]) - psi_ab) + W * (digamma(a + b) - digamma(b)),
            _dot(share, digamma(g + seg["g"]) - psi_gd) + W * (digamma(g + d) - digamma(g)),
            _dot(share, digamma(d + seg["l"]) - psi_gd) + W * (digamma(g + d) - digamma(d)),
        ])
        return float(ll), grad


def _alive_opportunities(theta: np.ndarray, t: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Expected opportunities alive among n + 1 .. n + t, for a customer alive at n + 1."""
    from scipy.special import digamma, gammaln

    _, _, g, d = theta
    c = d + n
    if abs(g - 1.0) < 1e-9:  # the limit gamma -> 1 of the expression below
        return 1.0 - (c + 1.0) * (digamma(c + 2.0) - digamma(c + 1.0 + t))
    ratio = np.exp(gammaln(g + c + 1.0) - gammaln(c + 1.0) + gammaln(c + 1.0 + t) - gammaln(g + c + t))
    return (g + c - ratio) / (g - 1.0)


class BGBBFitter(_PurchaseModel):
    r"""The BG/BB model of transactions at discrete opportunities (Fader, Hardie & Shang, 2010).

    A live customer transacts at each opportunity with probability
    :math:`p \sim \mathrm{Beta}(\alpha, \beta)` and dies at the start of each
    opportunity with probability :math:`\theta \sim \mathrm{Beta}(\gamma, \delta)`.
    See the module docstring for the likelihood and the expectations.

    The data are ``frequency`` (transactions after the first), ``recency``
    (the opportunity of the last one, 0 if none) and ``T`` (opportunities
    after the first transaction), all whole numbers; ``t`` in the prediction
    methods counts opportunities. ``probability_alive`` is the probability of
    being alive at the next opportunity, :math:`n + 1`.

    ``fit`` maximises the exact log-likelihood over the distinct rows,
    weighted by their counts, with BFGS on the log of the parameters and the
    analytic gradient; standard errors from the numerical Hessian at the
    estimate; Wald intervals. Besides the rules of every fitter (a
    repeat transaction, observed opportunities, a silent spell), it refuses
    data in which nobody missed an opportunity before their last transaction
    (nothing then measures :math:`p` below 1) and data with fewer than three
    opportunities per member (too few patterns for four parameters).

    Attributes
    ----------
    params_ : pandas.Series
        Estimates of ``alpha``, ``beta``, ``gamma``, ``delta``.
    standard_errors_, variance_matrix_, log_likelihood_, n_members_, n_distinct_
        As for :class:`crm_course.clv.BGNBDFitter`.

    Examples
    --------
    >>> import numpy as np
    >>> from crm_course.clv import BGBBFitter, simulate_bgbb
    >>> donors = simulate_bgbb(20_000, 1.2, 0.75, 0.66, 2.8, T=6, rng=np.random.default_rng(1))
    >>> model = BGBBFitter().fit(donors)
    >>> model.n_distinct_
    22
    >>> model.summary.round(2)
               estimate  std_error  lower_95  upper_95
    parameter
    alpha          1.17       0.05      1.08      1.27
    beta           0.75       0.02      0.70      0.79
    gamma          0.70       0.04      0.62      0.78
    delta          2.96       0.26      2.45      3.47
    """

    _names = ("alpha", "beta", "gamma", "delta")
    _discrete = True

    def _check_data(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> None:
        super()._check_data(x, tx, T, w)
        if T[w > 0].max() < 3:
            raise ValueError(
                f"summary: column 'T' is at most {int(T[w > 0].max())}; the BG/BB needs at least 3 transaction "
                "opportunities for some member (with fewer there are fewer distinct patterns than parameters)"
            )
        if not (w[x < tx] > 0).any():
            raise ValueError(
                "summary: no member missed an opportunity before their last transaction (frequency < recency); "
                "nothing then separates how often customers transact from how long they stay"
            )

    def _likelihood(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> _BGBBLikelihood:
        return _BGBBLikelihood(x, tx, T, w)

    def _start(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.ones(4)

    def _alive_logit(self, theta: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        from scipy.special import betaln

        from crm_course.clv.pareto_nbd import _log1mexp

        a, b, g, d = theta
        x, tx, T = (np.asarray(v, dtype=float).ravel() for v in np.broadcast_arrays(x, tx, T))
        log_l, _ = _log_likelihood_rows(theta, _segments(x, tx, T))
        log_alive = betaln(a + x, b + T - x) - betaln(a, b) + betaln(g, d + T + 1) - betaln(g, d)
        return (log_l - log_alive + _log1mexp(np.minimum(log_alive - log_l, 0.0))).reshape(np.shape(T))

    def _future(self, theta: np.ndarray, t: np.ndarray, x: np.ndarray, T: np.ndarray) -> np.ndarray:
        a, b, g, d = theta
        return (a + x) / (a + b + T) * _alive_opportunities(theta, t, T)

    def _expected(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        a, b, g, d = theta
        zero = np.zeros_like(t)
        return d / (g + d) * self._future(theta, t, zero, zero)

    def _pmf(self, theta: np.ndarray, n: np.ndarray, t: np.ndarray) -> np.ndarray:
        from scipy.special import betaln, gammaln

        a, b, g, d = theta
        x, opportunities = n.ravel(), t.ravel()

        def log_choose(top: Any, k: Any) -> Any:
            return gammaln(top + 1) - gammaln(k + 1) - gammaln(top - k + 1)

        valid = x <= opportunities
        xs, ns = np.where(valid, x, 0), np.where(valid, opportunities, 0)
        alive = np.exp(log_choose(ns, xs) + betaln(a + xs, b + ns - xs) - betaln(a, b)
                       + betaln(g, d + ns) - betaln(g, d))
        i = np.arange(int(ns.max()) + 1)[None, :]
        inside = (i >= xs[:, None]) & (i < ns[:, None])
        ii = np.where(inside, i, xs[:, None])
        died = np.where(inside, np.exp(log_choose(ii, xs[:, None]) + betaln(a + xs[:, None], b + ii - xs[:, None])
                                       - betaln(a, b) + betaln(g + 1, d + ii) - betaln(g, d)), 0.0).sum(axis=1)
        return np.where(valid, alive + died, 0.0)
