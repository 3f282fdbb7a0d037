"""
=============================================
Learning rate too small, right, too large
=============================================

The same ridge problem trained by plain gradient descent (``optimizer='sgd'``)
with a step ten times below ``'auto'``, with ``'auto'`` (``1 / L`` from the
data's Lipschitz constant) and just below plain gradient descent's stability
limit ``2 / L``.  Beyond it, training diverges and the estimator raises a
``ValueError`` naming the learning rate instead of returning NaN.  (The
default ``optimizer='auto'``, Nesterov's accelerated gradient, is stable up to
``1 / L`` only.)
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_regression
from sklearn.preprocessing import StandardScaler

from sklearn_gd import GDRegressor

X, y = make_regression(500, 20, noise=5.0, random_state=0)
X = StandardScaler().fit_transform(X)
auto = GDRegressor(max_iter=1, tol=None).fit(X, y).learning_rate_

fig, ax = plt.subplots(figsize=(7, 4))
for label, lr in [
    ("0.1 x auto (too small)", 0.1 * auto),
    ("auto = 1/L", auto),
    ("1.9 x auto (oscillates)", 1.9 * auto),
]:
    est = GDRegressor(optimizer="sgd", learning_rate=lr, max_iter=60, tol=None)
    est.fit(X, y)
    ax.semilogy(
        np.arange(1, 61), est.loss_curve_ - est.loss_curve_.min() + 1e-9, label=label
    )
ax.set_xlabel("epoch")
ax.set_ylabel("objective - best seen")
ax.legend()

try:
    GDRegressor(optimizer="sgd", learning_rate=3 * auto, max_iter=200, tol=None).fit(
        X, y
    )
except ValueError as exc:
    print(exc)
plt.show()
