"""The four estimators at their defaults against scikit-learn at its defaults.

For each problem: the test score, the fit time (best of three), the
relative suboptimality ``(f - f*) / |f*|`` of the objective of API.md
(``alpha=1e-4``) and whether a ``ConvergenceWarning`` was emitted.  ``f*``
comes from ``LogisticRegression`` / ``Ridge`` run to a tight tolerance on
the same objective.  scikit-learn's ``SGDClassifier`` / ``SGDRegressor``
minimise the same objective at their defaults (``alpha=1e-4``, L2; the
classifier with ``loss='log_loss'``; one-vs-rest for digits, whose objective
is then not the multinomial one: its suboptimality is not comparable and is
left out).

    python benchmarks/bench_defaults.py            # the four small problems
    python benchmarks/bench_defaults.py --large    # and 133k x 100 synthetic ones
    python benchmarks/bench_defaults.py --equal-accuracy
    python benchmarks/bench_defaults.py --floor
    python benchmarks/bench_defaults.py --seeds

``--equal-accuracy`` compares fit times at equal accuracy instead: on the
small problems (not digits, whose one-vs-rest SGD objective differs) the
epochs scikit-learn's SGD (``tol=None``) needs to become as accurate as the
``GD*`` default, and the iterations the ``GD*`` estimators (``tol=None``)
need to become as accurate as scikit-learn's SGD default, each with its fit
time (best of three).

``--floor`` asks what "not slower than scikit-learn's SGD at its defaults"
would take on the two smallest problems (breast_cancer, diabetes; best of 20
fits each): the whole default fit of ``SGDClassifier`` / ``SGDRegressor``
against the fixed cost of one of ours (a fit of one iteration, or one
mini-batch epoch), the cost of each further full-batch iteration /
mini-batch step (the slope between 1 and 101), the iterations the ``GD*``
default takes, the iterations any run of ours (``tol=None``) needs to reach
a relative suboptimality of 1e-3, and so the time per iteration that would
match SGD's fit.  scikit-learn's own accurate solvers
(``LogisticRegression``, ``Ridge``) are timed beside them for scale.

``--seeds`` fits the two stochastic defaults, ``MomentumSGD*`` and
scikit-learn's SGD, with ``random_state`` 0 to 5 on the small problems (not
digits) and prints the mean and the range of their relative suboptimality:
one seed's figure is within the spread of the shuffling.

``--large`` adds make_classification / make_regression with 133k training rows
and 100 features (one BLAS thread), where the per-iteration overhead of small
problems no longer decides the fit times.
"""

import functools
import sys
import time
import warnings

import numpy as np
from sklearn.base import clone
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
        again = min_time(functools.partial(clone, est), X_train, y_train, 2)
        elapsed = min(elapsed, again)
        ovr = classifier and label.startswith("SGD") and len(np.unique(y)) > 2
        rel = (
            np.nan
            if ovr
            else (objective(template, est, X_train, y_train) - f_star) / abs(f_star)
        )
        rows.append((label, est.score(X_test, y_test), elapsed, rel, warned))
    print(f"\n{name} (n_train={len(y_train)}, standardized, alpha={ALPHA})\n")
    print("| estimator | test score | fit time (ms) | rel. suboptimality | warning |")
    print("|---|---:|---:|---:|---|")
    for label, score, elapsed, rel, warned in rows:
        sub = "n/a (one-vs-rest)" if np.isnan(rel) else f"{rel:.1e}"
        print(f"| {label} | {score:.4f} | {1e3 * elapsed:.1f} | {sub} | "
              f"{'ConvergenceWarning' if warned else ''} |")  # fmt: skip


def best_time(est, X, y, repeat=3):
    """The best of ``repeat`` fit times (warnings silenced)."""
    best = np.inf
    for _ in range(repeat):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            est.fit(X, y)
            best = min(best, time.perf_counter() - start)
    return best


def first_as_accurate(make, budgets, target, rel, X, y):
    """``(budget, fit time, rel)`` of the first budget whose fit reaches
    ``rel <= target`` (the last one tried when none does)."""
    for budget in budgets:
        est = make(budget)
        elapsed = best_time(est, X, y)
        if rel(est) <= target:
            break
    return budget, elapsed, rel(est)


def min_time(make, X, y, repeat=20):
    """The best of ``repeat`` fit times of fresh estimators (warnings silenced)."""
    best = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(repeat):
            est = make()
            start = time.perf_counter()
            est.fit(X, y)
            best = min(best, time.perf_counter() - start)
    return best


def training_part(X, y, classifier):
    """The standardized training part of ``X, y`` and ``rel(est)``: an
    estimator's relative suboptimality on it (the objective of API.md)."""
    X_train, _, y_train, _ = train_test_split(X, y, random_state=0)
    X_train = StandardScaler().fit(X_train).transform(X_train)
    ref = reference(X_train, y_train, classifier)
    template = (GDClassifier if classifier else GDRegressor)(max_iter=1, tol=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        template.fit(X_train, y_train)
    f_star = objective(template, ref, X_train, y_train)

    def rel(est):
        return (objective(template, est, X_train, y_train) - f_star) / abs(f_star)

    return X_train, y_train, rel


def floor(name, X, y, classifier):
    """One row of the ``--floor`` table (milliseconds)."""
    X_train, y_train, rel = training_part(X, y, classifier)
    gd = GDClassifier if classifier else GDRegressor
    msgd = MomentumSGDClassifier if classifier else MomentumSGDRegressor
    if classifier:
        sgd, accurate = (
            SGDClassifier(loss="log_loss"),
            LogisticRegression(C=1 / (ALPHA * len(y_train))),
        )
    else:
        sgd, accurate = SGDRegressor(), Ridge(alpha=ALPHA * len(y_train))
    ms = {
        "sgd": min_time(lambda: clone(sgd), X_train, y_train),
        "accurate": min_time(lambda: clone(accurate), X_train, y_train),
        "gd1": min_time(lambda: gd(max_iter=1, tol=None), X_train, y_train),
        "gd101": min_time(lambda: gd(max_iter=101, tol=None), X_train, y_train),
        "m1": min_time(lambda: msgd(max_iter=1, tol=None), X_train, y_train),
        "m2": min_time(lambda: msgd(max_iter=2, tol=None), X_train, y_train),
    }
    ms = {key: 1e3 * value for key, value in ms.items()}
    steps = -(-len(y_train) // 32)
    per_iter = (ms["gd101"] - ms["gd1"]) / 100
    per_step = (ms["m2"] - ms["m1"]) / steps
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        n_default = gd().fit(X_train, y_train).n_iter_
    need = next(
        k
        for k in (*range(10, 200, 5), 1000)
        if rel(gd(max_iter=k, tol=None).fit(X_train, y_train)) <= 1e-3
    )
    budget = (ms["sgd"] - ms["gd1"]) / need
    print(f"| {name} | {ms['sgd']:.2f} | {ms['gd1']:.2f} | {per_iter * 1e3:.0f} | "
          f"{n_default} | {need} | {budget * 1e3:.1f} | {ms['m1']:.2f} | "
          f"{per_step * 1e3:.1f} | {ms['accurate']:.2f} |")  # fmt: skip


def seeds(name, X, y, classifier, random_states=range(6)):
    """One row of the ``--seeds`` table."""
    X_train, y_train, rel = training_part(X, y, classifier)
    cells = []
    for make in (
        MomentumSGDClassifier if classifier else MomentumSGDRegressor,
        functools.partial(SGDClassifier, loss="log_loss")
        if classifier
        else SGDRegressor,
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = [
                rel(make(random_state=seed).fit(X_train, y_train))
                for seed in random_states
            ]
        cells.append(f"{np.mean(values):.1e} ({min(values):.1e}-{max(values):.1e})")
    print(f"| {name} | {cells[0]} | {cells[1]} |")


def equal_accuracy(name, X, y, classifier):
    X_train, y_train, rel = training_part(X, y, classifier)
    ours = GDClassifier if classifier else GDRegressor

    def sgd(max_iter=1000, tol=1e-3):
        if classifier:
            return SGDClassifier(
                loss="log_loss", max_iter=max_iter, tol=tol, random_state=0
            )
        return SGDRegressor(max_iter=max_iter, tol=tol, random_state=0)

    default, theirs = ours(), sgd()
    t_ours, t_sgd = (
        best_time(default, X_train, y_train),
        best_time(theirs, X_train, y_train),
    )
    r_ours, r_sgd = rel(default), rel(theirs)
    epochs = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000)
    n_sgd, t_sgd_eq, r_sgd_eq = first_as_accurate(
        lambda k: sgd(max_iter=k, tol=None), epochs, r_ours, rel, X_train, y_train
    )
    iters = (1, 2, 3, 5, *range(10, 100, 5), 100, 200, 500, 1000)
    n_ours, t_ours_eq, r_ours_eq = first_as_accurate(
        lambda k: ours(max_iter=k, tol=None), iters, r_sgd, rel, X_train, y_train
    )
    sgd_name = "SGDClassifier" if classifier else "SGDRegressor"
    print(f"| {name} | {t_ours:.4f} s, {r_ours:.1e} | "
          f"{t_sgd:.4f} s, {r_sgd:.1e} | "
          f"{sgd_name}(max_iter={n_sgd}, tol=None): {t_sgd_eq:.4f} s, {r_sgd_eq:.1e} | "
          f"max_iter={n_ours}: {t_ours_eq:.4f} s, {r_ours_eq:.1e} |")  # fmt: skip


if __name__ == "__main__":
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        if "--seeds" in sys.argv[1:]:
            print("| problem | MomentumSGD* default: mean (range) | "
                  "scikit-learn SGD default: mean (range) |")  # fmt: skip
            print("|---|---|---|")
            for problem in problems():
                if problem[0] != "digits":
                    seeds(*problem)
        elif "--floor" in sys.argv[1:]:
            print("| problem | SGD default fit (ms) | GD* 1-iteration fit (ms) | "
                  "GD* per iteration (us) | GD* default iterations | "
                  "iterations to 1e-3 | per-iteration budget to match SGD (us) | "
                  "MomentumSGD* 1-epoch fit (ms) | per mini-batch step (us) | "
                  "LogisticRegression / Ridge (ms) |")  # fmt: skip
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for problem in problems():
                if problem[0] in ("breast_cancer", "diabetes"):
                    floor(*problem)
        elif "--equal-accuracy" in sys.argv[1:]:
            print("| problem | GD* default: time, rel. subopt. | SGD default | "
                  "SGD (tol=None) as accurate as the GD* default | "
                  "GD* (tol=None) as accurate as the SGD default |")  # fmt: skip
            print("|---|---|---|---|---|")
            for problem in problems():
                if problem[0] != "digits":
                    equal_accuracy(*problem)
        else:
            for problem in problems(large="--large" in sys.argv[1:]):
                run(*problem)
