"""
=============================================
L1 vs L2 vs elastic net: paths and sparsity
=============================================

Coefficient paths over ``alpha``.  The L1 part is applied as a proximal
(soft-threshold) step, so coefficients reach exact zeros, as with
scikit-learn's ``Lasso``.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_regression
from sklearn.preprocessing import StandardScaler

from sklearn_gd import GDRegressor
from sklearn_gd.penalties import ElasticNet

X, y = make_regression(300, 8, n_informative=3, noise=5.0, random_state=0)
X = StandardScaler().fit_transform(X)
alphas = np.logspace(-2, 2, 20)

fig, axes = plt.subplots(1, 3, figsize=(14, 4), sharey=True)
for ax, (name, pen) in zip(
    axes, [("L2", "l2"), ("L1", "l1"), ("ElasticNet(0.5)", ElasticNet(0.5))]
):
    paths = np.array(
        [
            GDRegressor(penalty=pen, alpha=a, max_iter=500, tol=1e-6).fit(X, y).coef_
            for a in alphas
        ]
    )
    ax.semilogx(alphas, paths)
    zeros = (paths == 0).sum(axis=1)
    ax.set_title(f"{name}: exact zeros {zeros.min()}..{zeros.max()}")
    ax.set_xlabel("alpha")
axes[0].set_ylabel("coefficient")
plt.show()
