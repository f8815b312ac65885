r"""Customer lifetime value: contractual formula, BG/NBD and Gamma–Gamma (chapter 5).

Two settings call for two kinds of model.

**Contractual** (a subscription: the firm sees the customer leave). With a
margin :math:`m` per period, a retention rate :math:`r` and a discount rate
:math:`d`, the value of a customer who has just paid is (Gupta, Lehmann &
Stuart, 2004)

.. math::

    \mathrm{CLV} = \sum_{t=1}^{\infty} \frac{m\,r^{t}}{(1+d)^{t}}
                 = \frac{m\,r}{1 + d - r}.

**Non-contractual** (a cashback service: nobody announces that they have
stopped buying). The BG/NBD model (Fader, Hardie & Lee, 2005a) says that,
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

**Spend** (Fader, Hardie & Lee, 2005b; Fader & Hardie, 2013). The value of
each repeat purchase is :math:`\mathrm{Gamma}(p, \nu)` with a customer-specific
rate :math:`\nu \sim \mathrm{Gamma}(q, \gamma)`, independent of the purchase
process. The mean :math:`\bar z` of :math:`x` purchases then has density

.. math::

    f(\bar z \mid x) = \frac{\Gamma(px + q)}{\Gamma(px)\,\Gamma(q)}
        \frac{\gamma^{q}\,x^{px}\,\bar z^{\,px - 1}}{(\gamma + x \bar z)^{px + q}},

and the expected value of a customer's future purchases is the weighted mean
of the population mean :math:`p\gamma/(q - 1)` and the customer's own mean,

.. math::

    E[Z \mid x, \bar z] = \frac{p\,(\gamma + x \bar z)}{p x + q - 1}.

**CLV per member** combines the two: with a margin share :math:`m`, a
discounting period of length :math:`L` (in the summary's time unit), a rate
:math:`d` per period and a horizon of :math:`H` periods,

.. math::

    \mathrm{CLV}_i = m\,E[Z_i \mid x_i, \bar z_i] \sum_{k=1}^{H}
        \frac{E[Y_i(kL)] - E[Y_i((k - 1)L)]}{(1 + d)^{k}}.

Both fitters maximise the likelihood over the *distinct* rows of the data,
each weighted by how many members share it: a million CDNOW-like members with
dates recorded to the day share about 150,000 distinct (frequency, recency, T)
rows, and the BG/NBD fit takes well under a second
(``benchmarks/bench_clv.py``).

References
----------
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005a). "Counting your customers"
the easy way: An alternative to the Pareto/NBD model. *Marketing Science*,
24(2), 275–284.

Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005b). RFM and CLV: Using
iso-value curves for customer base analysis. *Journal of Marketing Research*,
42(4), 415–430.

Fader, P. S., & Hardie, B. G. S. (2013). *The Gamma-Gamma model of monetary
value*. Technical note.

Gupta, S., Lehmann, D. R., & Stuart, J. A. (2004). Valuing customers.
*Journal of Marketing Research*, 41(1), 7–18.
"""

from crm_course.clv.bgnbd import BGNBDFitter, simulate_bgnbd
from crm_course.clv.evaluation import holdout_validation, repeat_purchase_tracking
from crm_course.clv.gamma_gamma import GammaGammaFitter, simulate_gamma_gamma
from crm_course.clv.summary import calibration_holdout, rfm_summary
from crm_course.clv.summary_sql import rfm_summary_sql
from crm_course.clv.value import (
    clv_contractual,
    clv_sensitivity,
    customer_lifetime_value,
)

__all__ = [
    "BGNBDFitter",
    "GammaGammaFitter",
    "calibration_holdout",
    "clv_contractual",
    "clv_sensitivity",
    "customer_lifetime_value",
    "holdout_validation",
    "repeat_purchase_tracking",
    "rfm_summary",
    "rfm_summary_sql",
    "simulate_bgnbd",
    "simulate_gamma_gamma",
]
