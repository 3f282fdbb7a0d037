"""
==============================================
Quantile bands and Poisson counts
==============================================

Two models beyond least squares on the same engine.  Left: the 10%, 50% and
90% quantiles of a target whose noise grows with ``x`` (``loss='quantile'``,
the pinball loss of ``QuantileRegressor``; it is not differentiable, so a
decaying schedule brings gradient descent to the optimum).  Right: counts
fitted with ``loss='poisson'`` (log link, the optimum of
``PoissonRegressor``), whose ``predict`` is the mean ``exp(X w + b)``.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import PoissonRegressor

from sklearn_gd import GDRegressor

rng = np.random.RandomState(0)
x = np.sort(rng.uniform(0, 10, 400))
X = x[:, None]
y = 2 + 0.5 * x + rng.normal(size=400) * (0.3 + 0.3 * x)  # heteroscedastic

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
ax1.scatter(x, y, s=6, color="0.6")
for q in (0.1, 0.5, 0.9):
    est = GDRegressor(
        loss="quantile", quantile=q, penalty=None, learning_rate=0.5,
        schedule="invscaling", max_iter=2000, tol=None,
    )  # fmt: skip
    ax1.plot(x, est.fit(X, y).predict(X), label=f"quantile {q}")
ax1.set_title("loss='quantile'")
ax1.legend()

counts = rng.poisson(np.exp(0.2 + 0.25 * x))
ours = GDRegressor(loss="poisson", alpha=1e-4, solver="cg").fit(X, counts)
ref = PoissonRegressor(alpha=1e-4).fit(X, counts)
ax2.scatter(x, counts, s=6, color="0.6")
ax2.plot(x, ours.predict(X), label="GDRegressor(loss='poisson')")
ax2.plot(x, ref.predict(X), "--", label="PoissonRegressor")
ax2.set_title("loss='poisson': the mean exp(Xw + b)")
ax2.legend()
print(f"coefficients: ours {ours.coef_[0]:.6f}, PoissonRegressor {ref.coef_[0]:.6f}")
plt.tight_layout()
plt.show()
