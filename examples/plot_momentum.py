"""
=================================================
Momentum 0.5 / 0.9 / 0.99 and the EMA form
=================================================

``MomentumSGDRegressor`` follows ``torch.optim.SGD``: ``v = m v + (1 - d) g``.
With ``dampening=momentum`` the velocity is an exponential moving average of
the gradients (``v = b v + (1 - b) g``), whose effective step does not grow
with ``momentum``.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import make_regression
from sklearn.preprocessing import StandardScaler

from sklearn_gd import MomentumSGDRegressor

X, y = make_regression(2000, 20, noise=10.0, random_state=0)
X = StandardScaler().fit_transform(X)

fig, ax = plt.subplots(figsize=(7, 4))
for m, damp in [(0.5, 0.0), (0.9, 0.0), (0.99, 0.0), (0.9, 0.9)]:
    est = MomentumSGDRegressor(
        momentum=m,
        dampening=damp,
        learning_rate=0.002,
        max_iter=40,
        tol=None,
        random_state=0,
    ).fit(X, y)
    label = f"momentum={m}" + (" (EMA: dampening=momentum)" if damp else "")
    ax.semilogy(est.loss_curve_, label=label)
ax.set_xlabel("epoch")
ax.set_ylabel("training objective")
ax.legend()
plt.show()
