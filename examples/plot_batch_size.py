"""
=============================================
Batch size: 1, 32, 256 and the full batch
=============================================

Smaller batches make more updates per epoch (faster early progress per pass
over the data) but stop at a noisier objective with a constant step; the full
batch is exact and smooth.  ``learning_rate='auto'`` adapts the step to the
batch size.
"""

import time

import matplotlib.pyplot as plt
from sklearn.datasets import make_regression
from sklearn.preprocessing import StandardScaler

from sklearn_gd import GDRegressor

X, y = make_regression(5000, 20, noise=10.0, random_state=0)
X = StandardScaler().fit_transform(X)

fig, ax = plt.subplots(figsize=(7, 4))
for b in [1, 32, 256, None]:
    start = time.perf_counter()
    est = GDRegressor(batch_size=b, max_iter=20, tol=None, random_state=0).fit(X, y)
    elapsed = time.perf_counter() - start
    ax.semilogy(
        est.loss_curve_,
        label=f"batch_size={b} ({elapsed:.2f} s, final {est.loss_curve_[-1]:.1f})",
    )
ax.set_xlabel("epoch")
ax.set_ylabel("training objective")
ax.legend()
plt.show()
