"""Every customer-base plot renders in a Jupyter notebook: executed in a fresh kernel, each cell shows a PNG."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

SETUP = """\
import numpy as np, pandas as pd, matplotlib.pyplot as plt
from crm_course.clv import (BGNBDFitter, MBGNBDFitter, ParetoNBDFitter, SBGFitter, calibration_holdout,
                            simulate_bgnbd)
from crm_course.clv.plots import (plot_calibration_vs_holdout, plot_frequency_recency_matrix,
                                  plot_period_transactions, plot_probability_alive_matrix, plot_survival,
                                  plot_tracking)

rng = np.random.default_rng(1)
members = simulate_bgnbd(1_500, r=0.5, alpha=6.0, a=0.8, b=2.5, T=40.0, rng=rng)
start = pd.Timestamp("2024-01-01")
rows = []  # a small transaction log, one row per purchase
for i, (x, tx, T) in enumerate(members[["frequency", "recency", "T"]].itertuples(index=False)):
    first = start + pd.Timedelta(weeks=float(52 - T))
    between = sorted(rng.uniform(0, tx, max(int(x) - 1, 0)).tolist())
    times = [0.0] + (between + [tx] if x > 0 else [])
    rows += [(i, first + pd.Timedelta(weeks=float(t)), 10.0) for t in times]
orders = pd.DataFrame(rows, columns=["customer_id", "order_date", "order_value"])
data = calibration_holdout(orders, "2024-09-30", "2024-12-29")
models = [BGNBDFitter().fit(data), MBGNBDFitter().fit(data), ParetoNBDFitter().fit(data)]
sbg = SBGFitter().fit([1000, 631, 468, 382, 326, 289, 262, 241])
"""

PLOTS = [
    "plot_period_transactions(models[0], data); plt.show()",
    "plot_calibration_vs_holdout(models[1], data); plt.show()",
    "plot_tracking(models[2], orders, '2024-09-30', '2024-12-29'); plt.show()",
    "plot_frequency_recency_matrix(models[0], T=40.0); plt.show()",
    "plot_probability_alive_matrix(models[1], T=40.0); plt.show()",
    "plot_survival(sbg, horizon=12); plt.show()",
]


def test_every_model_family_plot_renders_as_an_image_in_a_kernel():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SETUP)]
                                  + [nbformat.v4.new_code_cell(code) for code in PLOTS])
    NotebookClient(nb, timeout=600, kernel_name="python3").execute()
    for cell in nb.cells[1:]:
        kinds = [o.get("output_type") for o in cell.outputs]
        assert "error" not in kinds, cell.source
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert len(images) == 1, f"{cell.source}: expected one figure, found outputs {kinds}"
