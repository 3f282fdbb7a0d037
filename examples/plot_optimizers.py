"""
=============================================
SGD vs momentum vs Nesterov vs Adam
=============================================

Mini-batch training of the same logistic regression with four update rules,
objective per epoch and against wall time.
"""

import time

import matplotlib.pyplot as plt
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

from sklearn_gd import GDClassifier

X, y = make_classification(5000, 30, n_informative=10, random_state=0)
X = StandardScaler().fit_transform(X)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
for name in ["sgd", "momentum", "nesterov", "adam"]:
    est = GDClassifier(
        optimizer=name, batch_size=64, max_iter=30, tol=None, random_state=0
    )
    start = time.perf_counter()
    est.fit(X, y)
    elapsed = time.perf_counter() - start
    epochs = range(1, len(est.loss_curve_) + 1)
    ax1.plot(epochs, est.loss_curve_, label=name)
    ax2.plot(
        [elapsed * e / len(est.loss_curve_) for e in epochs],
        est.loss_curve_,
        label=name,
    )
ax1.set_xlabel("epoch")
ax2.set_xlabel("seconds")
for ax in (ax1, ax2):
    ax.set_ylabel("training objective")
    ax.legend()
plt.show()
