"""optimizer='auto' and the accelerated gradient it picks: step by step
against a hand-written FISTA with gradient restart, to the optimum where
plain gradient descent stops short, and the stopping rule's certificate."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

from sklearn_gd import GDClassifier, GDRegressor, MomentumSGDRegressor
from sklearn_gd.optimizers import SGD, AcceleratedGradient, Momentum


class _ProxOnly:
    """A penalty known only by its value and prox (scaled L1)."""

    def get_params(self, deep=True):
        return {}

    def value(self, coef):
        return float(np.abs(coef).sum())

    def prox(self, coef, step):
        return np.sign(coef) * np.maximum(np.abs(coef) - step, 0.0)


def _ill_conditioned(n=300, d=8, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d)) * np.logspace(0, 1.5, d)
    return X, X @ rng.normal(size=d) + 3.0 + rng.normal(size=n)


def _fista_ridge(X, y, alpha, lr, n_iter):
    """Nesterov / FISTA on mean((Xw + b - y)^2) / 2 + alpha |w|^2 / 2, with
    O'Donoghue & Candes's gradient restart; returns the last x and restarts."""
    n, d = X.shape
    y_pt = np.zeros(d + 1)
    x_prev, t, restarts = None, 1.0, 0
    for _ in range(n_iter):
        r = X @ y_pt[:d] + y_pt[d] - y
        g = np.r_[X.T @ r / n + alpha * y_pt[:d], r.mean()]
        x = y_pt - lr * g
        if x_prev is None:
            x_prev, y_pt = x, x.copy()
            continue
        if g @ (x - x_prev) > 0:
            t, restarts, y_pt = 1.0, restarts + 1, x.copy()
        else:
            t_next = (1 + np.sqrt(1 + 4 * t * t)) / 2
            y_pt = x + (t - 1) / t_next * (x - x_prev)
            t = t_next
        x_prev = x
    return x_prev, restarts


@pytest.mark.parametrize("n_iter", [1, 2, 30, 200])
def test_steps_equal_fista_with_restart(n_iter):
    X, y = _ill_conditioned()
    L = np.linalg.eigvalsh(np.c_[X, np.ones(len(X))].T @ np.c_[X, np.ones(len(X))])
    lr = 1.0 / (L[-1] / len(X) + 0.01)
    est = GDRegressor(
        optimizer="accelerated", learning_rate=lr, alpha=0.01, tol=None,
        max_iter=n_iter,
    )  # fmt: skip
    est.fit(X, y)
    ref, restarts = _fista_ridge(X, y, 0.01, lr, n_iter)
    assert_allclose(est.coef_, ref[:-1], rtol=1e-10)
    assert_allclose(est.intercept_, ref[-1], rtol=1e-10)
    assert est.optimizer_state_["n_restarts"] == restarts
    if n_iter == 200:
        assert restarts > 0  # the restart branch is exercised


def test_auto_picks_acceleration_only_where_it_applies():
    X, y = _ill_conditioned(n=60)
    yc = (y > np.median(y)).astype(int)

    def chosen(est, target=y, partial=False):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            if partial:
                est.partial_fit(
                    X, target, **({"classes": [0, 1]} if target is yc else {})
                )
            else:
                est.fit(X, target)
        return type(est.optimizer_)

    assert chosen(GDRegressor()) is AcceleratedGradient
    assert chosen(GDClassifier(), yc) is AcceleratedGradient
    assert chosen(GDClassifier(loss="squared_hinge"), yc) is AcceleratedGradient
    # an L1 part or positive=True: FISTA, the prox between step and momentum
    assert chosen(GDRegressor(penalty="elasticnet")) is AcceleratedGradient
    assert chosen(GDRegressor(positive=True)) is AcceleratedGradient
    assert chosen(GDRegressor(penalty=_ProxOnly())) is SGD  # a custom prox
    assert chosen(GDRegressor(loss="epsilon_insensitive")) is SGD  # non-smooth
    assert chosen(GDClassifier(loss="hinge"), yc) is SGD
    assert chosen(GDRegressor(batch_size=16)) is SGD  # mini-batches
    assert chosen(GDRegressor(), partial=True) is SGD  # partial_fit: plain steps
    assert chosen(GDRegressor(optimizer="sgd")) is SGD  # the seeds' plain GD
    # a step of the user's: plain GD, stable up to 2 / L (accelerated: 1 / L)
    assert chosen(GDRegressor(learning_rate=1e-4)) is SGD
    assert chosen(MomentumSGDRegressor(random_state=0)) is Momentum


def test_auto_reaches_the_optimum_where_plain_steps_stop_short():
    X, y = _ill_conditioned()
    ridge = Ridge(alpha=1e-4 * len(y), tol=1e-14).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = GDRegressor().fit(X, y)  # no warning: converged
    with pytest.warns(ConvergenceWarning):
        plain = GDRegressor(optimizer="sgd").fit(X, y)
    f, f_plain = est.objective(X, y), plain.objective(X, y)
    est.coef_, est.intercept_ = ridge.coef_, np.atleast_1d(ridge.intercept_)
    f_star = est.objective(X, y)
    assert (f - f_star) / f_star <= 1e-4  # tol
    assert (f_plain - f_star) / f_star > 1e-3


def test_stopping_rule_certifies_the_relative_gap_without_intercept(monkeypatch):
    # Standardized breast_cancer with alpha=1e-4 is nearly separable: a flat
    # objective, where a gradient at 1e-4 of its start is not yet 1e-4 of
    # the objective.  With fit_intercept=False the objective is alpha-strongly
    # convex in every parameter, so |G|^2 / (2 alpha) <= tol * f is a bound:
    # the converged fit is within tol (relative) of LogisticRegression's.
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    alpha, tol = 1e-4, 1e-4
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = GDClassifier(fit_intercept=False, max_iter=20_000, tol=tol).fit(X, y)
    assert est.n_iter_ < 20_000
    f = est.objective(X, y)
    ref = LogisticRegression(
        C=1 / (alpha * len(y)), fit_intercept=False, tol=1e-12, max_iter=100_000
    ).fit(X, y)
    est.coef_ = ref.coef_
    f_star = est.objective(X, y)
    assert 0 <= f - f_star <= tol * f
    # the relative gradient alone stops earlier, and outside that bound
    from sklearn_gd._solvers._monitor import Monitor

    monkeypatch.setattr(Monitor, "_certified", lambda self, objective: True)
    loose = GDClassifier(fit_intercept=False, max_iter=20_000, tol=tol).fit(X, y)
    assert loose.n_iter_ < est.n_iter_
    assert loose.objective(X, y) - f_star > tol * f_star


def test_objective_is_that_of_the_fitted_coefficients():
    # average=True keeps the last iterate for warm starts; objective() must
    # evaluate the model (the average), per API.md's formula
    X, y = _ill_conditioned(n=50)
    est = GDRegressor(
        optimizer="sgd", average=True, learning_rate=1e-3, tol=None, max_iter=20
    ).fit(X, y)
    r = X @ est.coef_ + est.intercept_ - y
    expected = 0.5 * np.mean(r**2) + 1e-4 * 0.5 * est.coef_ @ est.coef_
    assert est.objective(X, y) == pytest.approx(expected, rel=1e-12)
    assert not np.allclose(est._iterate[:-1, 0], est.coef_)  # they differ


def test_auto_schedule_decays_only_for_non_smooth_losses():
    from sklearn_gd.schedules import Constant, InverseTimeDecay, InvScaling

    X, y = _ill_conditioned(n=60)
    yc = (y > np.median(y)).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        smooth = GDClassifier(max_iter=5).fit(X, yc)
        hinge = GDClassifier(loss="hinge", alpha=0.01, max_iter=5).fit(X, yc)
        plain = GDRegressor(loss="quantile", penalty=None, max_iter=5).fit(X, y)
        fixed = GDClassifier(loss="hinge", schedule="constant", max_iter=5).fit(X, yc)
        # a learning rate of the user's: 'auto' keeps it (as torch, Keras)
        own = GDClassifier(loss="hinge", learning_rate=0.01, max_iter=5).fit(X, yc)
    assert isinstance(smooth.schedule_, Constant)
    assert isinstance(hinge.schedule_, InverseTimeDecay)
    # lr_t = 1 / (1 / lr + mu t): scikit-learn's 'optimal' with t0 = 1 / (mu lr)
    t = np.arange(5.0)
    expected = 1.0 / (1.0 / hinge.learning_rate_ + 0.01 * t)
    assert_allclose(hinge.learning_rate_ * hinge.schedule_(t), expected, rtol=1e-12)
    assert isinstance(plain.schedule_, InvScaling) and plain.schedule_.power_t == 0.5
    assert isinstance(fixed.schedule_, Constant)
    assert isinstance(own.schedule_, Constant)


def _logistic(X, y01, alpha):
    """f and its gradient for mean log(1 + exp(-s (Xw + b))) + alpha |w|^2 / 2."""
    s = 2.0 * y01 - 1.0
    n, d = X.shape

    def f(theta):
        z = s * (X @ theta[:d] + theta[d])
        return np.logaddexp(0.0, -z).mean() + 0.5 * alpha * theta[:d] @ theta[:d]

    def grad(theta):
        z = s * (X @ theta[:d] + theta[d])
        r = -s / (1.0 + np.exp(z)) / n
        return np.r_[X.T @ r + alpha * theta[:d], r.sum()]

    return f, grad


def _fista_line_search(f, grad, theta0, lr, n_iter):
    """The accelerated gradient with restart whose step tries 1.5 times the
    last one (when the last accepted step's curvature along g, h c =
    2 - (f(y) - f(x)) / (h|g|^2/2), is below 1/1.5) and halves it down to
    ``lr`` until f(y - h g) <= f(y) - h|g|^2/2 (after a search ending at
    ``lr``, 8 iterations at ``lr`` untested); returns the last x and the
    steps taken."""
    y_pt, x_prev, t, h, wait, steps = theta0.copy(), None, 1.0, lr, 0, []
    room = True
    for _ in range(n_iter):
        g = grad(y_pt)
        if wait > 0:
            wait -= 1
        elif room:
            h = 1.5 * h
        f_y, gg = f(y_pt), g @ g
        slack = 16 * np.finfo(float).eps * abs(f_y)
        if h <= lr or 0.5 * h * gg <= 1e6 * slack:
            h = lr
        else:
            while h > lr:
                f_x = f(y_pt - h * g)
                if f_x <= f_y - 0.5 * h * gg + slack:
                    room = 2 - (f_y - f_x) / (0.5 * h * gg) < 1 / 1.5
                    break
                h *= 0.5
            if h <= lr:
                h, wait, room = lr, 8, True
        steps.append(h)
        x = y_pt - h * g
        if x_prev is None:
            x_prev, y_pt = x, x.copy()
            continue
        if g @ (x - x_prev) > 0:
            t, y_pt = 1.0, x.copy()
        else:
            t_next = (1 + np.sqrt(1 + 4 * t * t)) / 2
            y_pt = x + (t - 1) / t_next * (x - x_prev)
            t = t_next
        x_prev = x
    return x_prev, np.array(steps)


def _logistic_optimum(X, y, alpha):
    """Our objective at LogisticRegression's optimum (tol 1e-12)."""
    ref = LogisticRegression(C=1 / (alpha * len(y)), tol=1e-12, max_iter=10_000)
    ref.fit(X, y)
    probe = GDClassifier(alpha=alpha, max_iter=1, tol=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        probe.fit(X, y)
    probe.coef_, probe.intercept_ = ref.coef_, ref.intercept_
    return probe.objective(X, y)


def _breast_cancer(n=300):
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X)[:n], y[:n]


@pytest.mark.parametrize("n_iter", [1, 5, 40])
def test_line_search_steps_equal_the_hand_written_rule(n_iter):
    X, y = _breast_cancer()
    alpha, lr = 1e-3, 0.3  # the first try fails: 8 iterations wait at lr
    est = GDClassifier(
        optimizer=AcceleratedGradient(line_search=True), learning_rate=lr,
        alpha=alpha, tol=None, max_iter=n_iter,
    )  # fmt: skip
    est.fit(X, y)
    f, grad = _logistic(X, y, alpha)
    ref, steps = _fista_line_search(f, grad, np.zeros(X.shape[1] + 1), lr, n_iter)
    assert_allclose(est.coef_.ravel(), ref[:-1], rtol=1e-8, atol=1e-12)
    assert_allclose(est.intercept_, ref[-1:], rtol=1e-8, atol=1e-12)
    assert est.optimizer_state_["step_size"] == pytest.approx(steps[-1], rel=1e-12)
    if n_iter == 40:
        assert steps.max() > 10 * lr  # the search lengthened the step
        assert steps.min() >= lr  # and never went below lr


def test_line_search_reaches_the_optimum_in_fewer_iterations():
    """breast_cancer (nearly separable, small alpha): the curvature near the
    optimum is far below the global bound 1 / lr of 'auto'."""
    X, y = _breast_cancer(426)
    alpha = 1e-4
    f_star = _logistic_optimum(X, y, alpha)
    fits = {}
    for ls in (False, True):
        est = GDClassifier(alpha=alpha, optimizer=AcceleratedGradient(line_search=ls))
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            fits[ls] = est.fit(X, y)
        assert (est.objective(X, y) - f_star) / f_star < 1e-3
    assert fits[True].n_iter_ * 3 < fits[False].n_iter_


def test_auto_line_search_only_where_the_curvature_varies():
    X, y = _ill_conditioned(n=60)
    yc = (y > np.median(y)).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = GDRegressor().fit(X, y)
        clf = GDClassifier().fit(X, yc)
        hub = GDRegressor(loss="huber").fit(X, y)
    # squared error: 1 / L is the curvature everywhere; longer steps than it
    # along one gradient are unstable in others
    assert reg.optimizer_.line_search is False
    assert clf.optimizer_.line_search is True
    assert hub.optimizer_.line_search is True


def test_line_search_needs_full_batches():
    X, y = _ill_conditioned(n=60)
    est = GDRegressor(optimizer=AcceleratedGradient(line_search=True), batch_size=8)
    with pytest.raises(ValueError, match="batch_size=None"):
        est.fit(X, y)
    assert not hasattr(est, "coef_")


def test_line_search_passes_count_in_n_grad_evals():
    X, y = _breast_cancer()
    est = GDClassifier().fit(X, y)
    n_evals = est.optimizer_state_["n_evals"]
    assert n_evals > 0
    assert est.n_grad_evals_ == est.n_iter_ + n_evals


def test_line_search_on_float32_reaches_the_float64_optimum():
    """The rounding margin follows the dtype: float32 fits still search (fewer
    iterations than without) and reach the float64 optimum to 1e-3."""
    X, y = _breast_cancer(426)
    plain = GDClassifier(optimizer="accelerated").fit(X.astype(np.float32), y)
    est = GDClassifier().fit(X.astype(np.float32), y)
    assert est.coef_.dtype == np.float32
    assert est.optimizer_state_["n_evals"] > 0
    assert est.n_iter_ < 0.6 * plain.n_iter_
    f_star = _logistic_optimum(X, y, 1e-4)
    assert (est.objective(X, y) - f_star) / f_star < 1e-3
