"""
==============================================================
GD vs CG vs TNC vs L-BFGS vs scikit-learn SGD on one objective
==============================================================

``compare_solvers`` fits the same objective with gradient descent and
``scipy.optimize.minimize(method='TNC')``; ``solver='cg'`` (conjugate
gradients with an exact line search on the scores) is the recommended
full-batch solver for smooth objectives; scikit-learn's ``SGDClassifier``
minimises the same L2-logistic objective (``alpha`` has the same meaning).
"""

import time

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.datasets import make_classification
from sklearn.linear_model import SGDClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_gd import GDClassifier, compare_solvers
from sklearn_gd.compare import objective_value

X, y = make_classification(20000, 50, n_informative=20, random_state=0)
X = StandardScaler().fit_transform(X)
print(compare_solvers(GDClassifier(alpha=1e-3, tol=1e-8), X, y))

fig, ax = plt.subplots(figsize=(7, 4))
for name, make in [
    (
        "plain GD (optimizer='sgd')",
        lambda k: GDClassifier(alpha=1e-3, optimizer="sgd", max_iter=k, tol=None),
    ),
    (
        "GD, default (accelerated, restarted)",
        lambda k: GDClassifier(alpha=1e-3, max_iter=k, tol=None),
    ),
    (
        "GD nesterov (constant momentum 0.9)",
        lambda k: GDClassifier(alpha=1e-3, optimizer="nesterov", max_iter=k, tol=None),
    ),
    ("CG", lambda k: GDClassifier(alpha=1e-3, solver="cg", max_iter=k, tol=None)),
]:
    times, objs = [], []
    for k in (1, 2, 5, 10, 20, 40, 80):
        start = time.perf_counter()
        est = make(k).fit(X, y)
        times.append(time.perf_counter() - start)
        objs.append(objective_value(est, X, y))
    ax.plot(times, objs, "o-", label=name)
# L-BFGS-B on the very same objective, written out in NumPy:
# mean(log(1 + exp(-s (Xw + b)))) + alpha ||w||^2 / 2 with s = +-1
s = np.where(y == 1, 1.0, -1.0)
n, d = X.shape


def fun(x):
    w, b = x[:d], x[d]
    z = -s * (X @ w + b)
    f = np.logaddexp(0.0, z).mean() + 0.5e-3 * w @ w
    r = -s * expit(z) / n
    return f, np.r_[X.T @ r + 1e-3 * w, r.sum()]


start = time.perf_counter()
res = minimize(fun, np.zeros(d + 1), jac=True, method="L-BFGS-B")
ax.plot([time.perf_counter() - start], [res.fun], "D", label="L-BFGS-B")

tnc = GDClassifier(alpha=1e-3, solver="tnc")
start = time.perf_counter()
tnc.fit(X, y)
ax.plot([time.perf_counter() - start], [objective_value(tnc, X, y)], "s", label="TNC")
start = time.perf_counter()
sk = SGDClassifier(loss="log_loss", alpha=1e-3, random_state=0).fit(X, y)
surrogate = GDClassifier(alpha=1e-3).fit(X[:100], y[:100])
surrogate.coef_, surrogate.intercept_ = sk.coef_, sk.intercept_
ax.plot(
    [time.perf_counter() - start],
    [objective_value(surrogate, X, y)],
    "^",
    label="sklearn SGDClassifier",
)
ax.set_xlabel("fit time (s)")
ax.set_ylabel("objective")
ax.set_yscale("log")
ax.legend()
plt.show()
