"""Penalty values and proximal operators against their definitions."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import minimize_scalar
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_gd.penalties import L1, L2, ElasticNet, get_penalty

W = np.array([[1.5, -0.2], [0.0, 3.0], [-0.7, 0.05]])


def test_values():
    assert L2().value(W) == pytest.approx(0.5 * np.sum(W**2))
    assert L1().value(W) == pytest.approx(np.sum(np.abs(W)))
    en = ElasticNet(l1_ratio=0.3)
    assert en.value(W) == pytest.approx(
        0.3 * np.sum(np.abs(W)) + 0.7 * 0.5 * np.sum(W**2)
    )
    assert get_penalty(None).value(W) == 0.0


@pytest.mark.parametrize(
    "pen", [L2(), L1(), ElasticNet(0.15), ElasticNet(0.8)], ids=repr
)
@pytest.mark.parametrize("step", [0.01, 0.3, 2.0])
def test_prox_is_the_argmin(pen, step):
    """prox(w, s) = argmin_z (z - w)^2 / 2 + s R(z), entry by entry."""
    out = pen.prox(W, step)
    for w, z in zip(W.ravel(), out.ravel()):
        res = minimize_scalar(
            lambda v, w=w: 0.5 * (v - w) ** 2 + step * pen.value(np.array([v])),
            bounds=(-10, 10),
            method="bounded",
            options={"xatol": 1e-12},
        )
        assert z == pytest.approx(res.x, abs=1e-7)


def test_l1_prox_gives_exact_zeros():
    out = L1().prox(W, 0.25)
    assert_allclose(out, [[1.25, 0.0], [0.0, 2.75], [-0.45, 0.0]])
    assert np.sum(out == 0.0) == 3
    inplace = W.copy()
    L1().prox_l1(inplace, 0.25, out=inplace)
    assert_allclose(inplace, out)


def test_gradient_of_smooth_part():
    assert_allclose(L2().gradient(W), W)
    assert_allclose(L1().gradient(W), 0 * W)
    assert_allclose(ElasticNet(0.25).gradient(W), 0.75 * W)
    assert ElasticNet(0.0).is_smooth and not L1().is_smooth and L2().is_smooth


def test_clone_and_validation():
    en = ElasticNet(l1_ratio=0.4)
    assert clone(en).get_params() == {"l1_ratio": 0.4}
    with pytest.raises(InvalidParameterError, match="l1_ratio.*ElasticNet"):
        ElasticNet(l1_ratio=1.5).validate()
    with pytest.raises(ValueError, match="Unknown penalty"):
        get_penalty("l3")


@pytest.mark.parametrize("momentum", [0.9, 0.0])
def test_mini_batch_l1_fit_has_the_lasso_zeros(momentum):
    # Noisy mini-batch proximal steps leave small non-zero coefficients; the
    # final full proximal step at 1 / L puts exactly Lasso's zeros in place.
    from sklearn.linear_model import Lasso

    from sklearn_gd import MomentumSGDRegressor

    rng = np.random.RandomState(0)
    n, d = 2000, 30
    X = rng.normal(size=(n, d))
    w = np.zeros(d)
    w[:5] = 2 * rng.normal(size=5)
    y = X @ w + 0.5 * rng.normal(size=n)
    lasso = Lasso(alpha=0.05, tol=1e-12, max_iter=100_000).fit(X, y)
    est = MomentumSGDRegressor(
        penalty="l1", alpha=0.05, momentum=momentum, random_state=0
    ).fit(X, y)
    assert (lasso.coef_ == 0).sum() == 25
    assert np.array_equal(est.coef_ == 0, lasso.coef_ == 0)

    def f(coef, b):
        return 0.5 * np.mean((X @ coef + b - y) ** 2) + 0.05 * np.abs(coef).sum()

    f_star = f(lasso.coef_, lasso.intercept_)
    assert f(est.coef_, est.intercept_[0]) - f_star <= 1e-2 * f_star
    if momentum:
        return
    # without the check (tol=None) the model is the last iterate: noisy
    raw = MomentumSGDRegressor(
        penalty="l1", alpha=0.05, momentum=momentum, random_state=0, tol=None,
        max_iter=est.n_iter_,
    ).fit(X, y)  # fmt: skip
    assert (raw.coef_ == 0).sum() < 25


def _l1_logistic_problem():
    """Three informative features of 20, and the L1-logistic optimum."""
    import sklearn
    from sklearn.linear_model import LogisticRegression
    from sklearn.utils.fixes import parse_version

    # scikit-learn 1.8 deprecated `penalty` for `l1_ratio`
    l1 = {"penalty": "l1"}
    if parse_version(sklearn.__version__) >= parse_version("1.8"):
        l1 = {"l1_ratio": 1.0}

    rng = np.random.RandomState(1)
    n, d = 3000, 20
    X = rng.normal(size=(n, d))
    y = (X[:, :3] @ [2.0, -1.5, 1.0] + 0.5 * rng.normal(size=n) > 0).astype(int)
    alpha = 0.02
    ref = LogisticRegression(
        **l1, C=1 / (alpha * n), solver="saga", tol=1e-12, max_iter=100_000
    ).fit(X, y)
    return X, y, alpha, ref


def test_mini_batch_l1_classifier_has_the_l1_logistic_zeros():
    from sklearn_gd import MomentumSGDClassifier

    X, y, alpha, ref = _l1_logistic_problem()
    est = MomentumSGDClassifier(penalty="l1", alpha=alpha, random_state=0)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        est.fit(X, y)
    # the first epoch's entry (penalty 0 at w = 0) is below the later ones;
    # the start (w = 0, log 2) is far above: no "rose" warning
    assert est.loss_curve_[-1] > est.loss_curve_[0]
    assert not [w for w in record if "rose" in str(w.message)]
    assert 10 <= (ref.coef_ == 0).sum() < X.shape[1]
    assert np.array_equal(est.coef_ == 0, ref.coef_ == 0)


@pytest.mark.parametrize("optimizer", ["momentum", "nesterov"])
def test_momentum_with_l1_settles_at_the_l1_optimum(optimizer):
    # Momentum moves by lr * gain at steady state: the prox's step is scaled
    # by the same gain, else the fixed point has the L1 weight divided by the
    # gain (coefficients ~2x too large here before the fix).
    from sklearn_gd import GDClassifier

    X, y, alpha, ref = _l1_logistic_problem()
    est = GDClassifier(
        penalty="l1", alpha=alpha, optimizer=optimizer, tol=1e-8, max_iter=5000
    ).fit(X, y)
    assert_allclose(est.coef_, ref.coef_, atol=1e-4)
    assert np.array_equal(est.coef_ == 0, ref.coef_ == 0)


def _fista_lasso(X, y, alpha, lr, n_iter, positive=False):
    """FISTA (Beck & Teboulle) on mean((Xw + b - y)^2) / 2 + alpha |w|_1 with
    the gradient-mapping restart of O'Donoghue & Candes: x_k = prox(y_k - lr
    g(y_k)), restart when (y_k - x_k) . (x_k - x_{k-1}) > 0."""
    n, d = X.shape
    y_pt, x_prev, t = np.zeros(d + 1), None, 1.0
    for _ in range(n_iter):
        r = X @ y_pt[:d] + y_pt[d] - y
        g = np.r_[X.T @ r / n, r.mean()]
        x = y_pt - lr * g
        x[:d] = np.sign(x[:d]) * np.maximum(np.abs(x[:d]) - lr * alpha, 0.0)
        if positive:
            x[:d] = np.maximum(x[:d], 0.0)
        if x_prev is None:
            x_prev, y_pt = x, x.copy()
            continue
        if (y_pt - x) @ (x - x_prev) > 0:
            t, y_pt = 1.0, x.copy()
        else:
            t_next = (1 + np.sqrt(1 + 4 * t * t)) / 2
            y_pt = x + (t - 1) / t_next * (x - x_prev)
            t = t_next
        x_prev = x
    return x_prev


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("n_iter", [1, 3, 60])
def test_accelerated_gradient_with_l1_is_fista(n_iter, positive):
    """The prox between the gradient step and the extrapolation (FISTA), step
    by step against a hand-written one; the model has exact zeros."""
    from sklearn_gd import GDRegressor

    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 6))
    y = X @ [2.0, 0, 0, -1.0, 0, 0.5] + 1.0 + 0.5 * rng.normal(size=100)
    lr, alpha = 0.1, 0.2
    est = GDRegressor(
        optimizer="accelerated", penalty="l1", alpha=alpha, learning_rate=lr,
        tol=None, max_iter=n_iter, positive=positive,
    ).fit(X, y)  # fmt: skip
    ref = _fista_lasso(X, y, alpha, lr, n_iter, positive)
    assert_allclose(est.coef_, ref[:-1], rtol=1e-10, atol=1e-14)
    assert_allclose(est.intercept_, ref[-1:], rtol=1e-10)
    if n_iter == 60:
        assert np.sum(est.coef_ == 0) >= 2


def test_the_final_proximal_step_only_ends_converged_runs():
    # A run that max_iter ends returns its last mini-batch model, as the
    # update rule documents it step by step (tol set or not).
    from sklearn_gd import MomentumSGDRegressor

    rng = np.random.RandomState(3)
    X = rng.normal(size=(300, 6))
    y = X @ [1.0, 0, 0, -2.0, 0, 0] + 0.3 * rng.normal(size=300)
    params = dict(penalty="l1", alpha=0.05, max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        short = MomentumSGDRegressor(**params).fit(X, y)
        plain = MomentumSGDRegressor(**params, tol=None).fit(X, y)
    assert short.n_iter_ == 3
    assert_allclose(short.coef_, plain.coef_, rtol=0, atol=0)


def test_momentum_with_heavy_dampening_and_l1_settles_at_the_l1_optimum():
    # dampening > momentum: the steady-state gain (1 - d) / (1 - m) is below
    # one; the prox uses it exactly (noise_gain() clips it to 1 for 'auto')
    from sklearn_gd import GDClassifier
    from sklearn_gd.optimizers import Momentum

    X, y, alpha, ref = _l1_logistic_problem()
    est = GDClassifier(
        penalty="l1", alpha=alpha, optimizer=Momentum(0.5, dampening=0.9),
        tol=1e-8, max_iter=5000,
    ).fit(X, y)  # fmt: skip
    assert_allclose(est.coef_, ref.coef_, atol=1e-4)


def test_default_l1_logistic_is_fista_with_a_line_search():
    """GDClassifier(penalty='l1') at the defaults: FISTA whose line search
    tests the composite condition f(x) <= f(y) - g.(y - x) + |y - x|^2 / 2h
    on the smooth part; the optimum's zeros, far fewer iterations than plain
    proximal steps."""
    from sklearn.exceptions import ConvergenceWarning

    from sklearn_gd import GDClassifier

    X, y, alpha, ref = _l1_logistic_problem()
    est = GDClassifier(penalty="l1", alpha=alpha).fit(X, y)
    assert est.optimizer_.line_search and est.optimizer_state_["n_evals"] > 0
    probe = GDClassifier(penalty="l1", alpha=alpha, max_iter=1, tol=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        probe.fit(X, y)
    probe.coef_, probe.intercept_ = ref.coef_, ref.intercept_
    f_star = probe.objective(X, y)
    assert (est.objective(X, y) - f_star) / f_star < 1e-6
    assert np.array_equal(est.coef_ == 0, ref.coef_ == 0)
    tight = GDClassifier(penalty="l1", alpha=alpha, tol=1e-6).fit(X, y)
    assert_allclose(tight.coef_, ref.coef_, atol=1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = GDClassifier(penalty="l1", alpha=alpha, optimizer="sgd").fit(X, y)
    assert 3 * est.n_iter_ < plain.n_iter_


def test_accelerated_gradient_applies_the_prox_on_mini_batches_too():
    from sklearn.linear_model import Lasso

    from sklearn_gd import GDRegressor

    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 6))
    y = X @ [2.0, 0, 0, -1.0, 0, 0.5] + 0.1 * rng.normal(size=200)
    est = GDRegressor(
        optimizer="accelerated", penalty="l1", alpha=0.3, batch_size=50,
        learning_rate=0.05, tol=None, max_iter=30, shuffle=False,
    ).fit(X, y)  # fmt: skip
    ref = Lasso(alpha=0.3).fit(X, y)
    assert np.array_equal(est.coef_ == 0, ref.coef_ == 0)
    assert np.sum(est.coef_ == 0) >= 3
