"""The four estimators at their defaults against scikit-learn at its defaults.

For each problem: the test score, the fit time, the relative suboptimality
``(f - f*) / |f*|`` of the objective of API.md (``alpha=1e-4``) and whether a
``ConvergenceWarning`` was emitted.  ``f*`` comes from ``LogisticRegression``
/ ``Ridge`` run to a tight tolerance on the same objective.  scikit-learn's
``SGDClassifier`` / ``SGDRegressor`` minimise the same objective at their
defaults (``alpha=1e-4``, L2; the classifier with ``loss='log_loss'``;
one-vs-rest for digits, whose objective is then not the multinomial one: its
suboptimality is not comparable and is left out).

    python benchmarks/bench_defaults.py            # the four small problems
    python benchmarks/bench_defaults.py --large    # and 133k x 100 synthetic ones

``--large`` adds make_classification / make_regression with 133k training rows
and 100 features (one BLAS thread), where the per-iteration overhead of small
problems no longer decides the fit times.
"""

import sys
import time
import warnings

import numpy as np
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    make_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import (
    LogisticRegression,
    Ridge,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_gd import (
    GDClassifier,
    GDRegressor,
    MomentumSGDClassifier,
    MomentumSGDRegressor,
)

ALPHA = 1e-4


def ill_conditioned(seed=0, n=2000, d=20):
    rng = np.random.RandomState(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    Z = rng.standard_normal((n, d)) @ (Q * np.sqrt(np.logspace(0, 3, d))) @ Q.T
    return Z, Z @ rng.standard_normal(d) + rng.standard_normal(n)


def problems(large=False):
    yield "breast_cancer", *load_breast_cancer(return_X_y=True), True
    yield "digits", *load_digits(return_X_y=True), True
    yield "diabetes", *load_diabetes(return_X_y=True), False
    yield "ill-conditioned ridge", *ill_conditioned(), False
    if large:
        X, y = make_classification(
            177_000, 100, n_informative=30, random_state=0
        )  # fmt: skip
        yield "make_classification 177k x 100", X, y, True
        X, y = make_regression(177_000, 100, n_informative=30, noise=10.0,
                               random_state=0)  # fmt: skip
        yield "make_regression 177k x 100", X, y, False


def reference(X, y, classifier):
    n = len(y)
    if classifier:
        ref = LogisticRegression(C=1 / (ALPHA * n), tol=1e-12, max_iter=100_000)
    else:
        ref = Ridge(alpha=ALPHA * n, tol=1e-14)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return ref.fit(X, y)


def objective(template, model, X, y):
    """Our objective at ``model``'s coefficients (any linear model)."""
    template.coef_ = np.asarray(model.coef_, dtype=np.float64).reshape(
        template.coef_.shape
    )
    template.intercept_ = np.atleast_1d(model.intercept_).astype(np.float64)
    return template.objective(X, y)


def run(name, X, y, classifier):
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    ref = reference(X_train, y_train, classifier)
    if classifier:
        models = [
            ("GDClassifier()", GDClassifier()),
            ("MomentumSGDClassifier()", MomentumSGDClassifier(random_state=0)),
            ("LogisticRegression(C=1/(alpha n))",
             LogisticRegression(C=1 / (ALPHA * len(y_train)))),
            ("SGDClassifier(loss='log_loss')",
             SGDClassifier(loss="log_loss", random_state=0)),
        ]  # fmt: skip
    else:
        models = [
            ("GDRegressor()", GDRegressor()),
            ("MomentumSGDRegressor()", MomentumSGDRegressor(random_state=0)),
            ("Ridge(alpha n)", Ridge(alpha=ALPHA * len(y_train))),
            ("SGDRegressor()", SGDRegressor(random_state=0)),
        ]
    template = (GDClassifier if classifier else GDRegressor)(max_iter=1, tol=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        template.fit(X_train, y_train)
    f_star = objective(template, ref, X_train, y_train)
    rows = []
    for label, est in models:
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            start = time.perf_counter()
            est.fit(X_train, y_train)
            elapsed = time.perf_counter() - start
        warned = any(issubclass(w.category, ConvergenceWarning) for w in record)
        ovr = classifier and label.startswith("SGD") and len(np.unique(y)) > 2
        rel = (
            np.nan
            if ovr
            else (objective(template, est, X_train, y_train) - f_star) / abs(f_star)
        )
        rows.append((label, est.score(X_test, y_test), elapsed, rel, warned))
    print(f"\n{name} (n_train={len(y_train)}, standardized, alpha={ALPHA})\n")
    print("| estimator | test score | fit time (s) | rel. suboptimality | warning |")
    print("|---|---:|---:|---:|---|")
    for label, score, elapsed, rel, warned in rows:
        sub = "n/a (one-vs-rest)" if np.isnan(rel) else f"{rel:.1e}"
        print(f"| {label} | {score:.4f} | {elapsed:.3f} | {sub} | "
              f"{'ConvergenceWarning' if warned else ''} |")  # fmt: skip


if __name__ == "__main__":
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        for problem in problems(large="--large" in sys.argv[1:]):
            run(*problem)
