"""SAGA and SVRG: step by step against hand-written references, and to the
optimum of scikit-learn's solvers where constant-step SGD stops short."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import expit, softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, LogisticRegression, Ridge

from sklearn_gd import (
    GDClassifier,
    GDRegressor,
    MomentumSGDClassifier,
    MomentumSGDRegressor,
)

N, D, B = 23, 3, 5  # five batches, the last of three rows


def _per_sample_gradients(loss, X, Y, theta):
    """``(n, d + 1, k)``: the gradient of each sample's loss, written out."""
    Xt = np.c_[X, np.ones(len(X))]
    raw = Xt @ theta
    if loss == "squared_error":
        dr = raw - Y
    elif loss == "binary":
        dr = -Y * expit(-Y * raw)
    else:  # multinomial, Y one-hot
        dr = softmax(raw, axis=1) - Y
    return Xt[:, :, None] * dr[:, None, :]


def _reference(kind, loss, X, Y, sw, alpha, l1_ratio, lr, epochs):
    """Mini-batch SAGA / SVRG over contiguous batches, as in the papers, with
    a table of per-sample gradients (not derivatives)."""
    n = len(X)
    sw = np.ones(n) if sw is None else sw
    s_mean = sw.mean()
    theta = np.zeros((D + 1, Y.shape[1]))

    def grads(th):
        return sw[:, None, None] * _per_sample_gradients(loss, X, Y, th)

    table = grads(theta)
    for _ in range(epochs):
        if kind == "svrg":
            table = grads(theta)
        for b0 in range(0, n, B):
            rows = slice(b0, min(b0 + B, n))
            new = grads(theta)[rows]
            m = new.shape[0]
            v = (new - table[rows]).sum(axis=0) / (m * s_mean)
            v += table.sum(axis=0) / (n * s_mean)
            v[:D] += alpha * (1 - l1_ratio) * theta[:D]
            theta = theta - lr * v
            w = theta[:D]
            theta[:D] = np.sign(w) * np.maximum(np.abs(w) - lr * alpha * l1_ratio, 0)
            if kind == "saga":
                table[rows] = new
    return theta


@pytest.mark.parametrize("kind", ["saga", "svrg"])
@pytest.mark.parametrize(
    "loss, weighted, l1_ratio",
    [
        ("squared_error", False, 0.0),
        ("squared_error", True, 0.5),
        ("binary", True, 0.0),
        ("multinomial", False, 0.3),
        ("multinomial", True, 1.0),
    ],
)
def test_steps_equal_the_reference(kind, loss, weighted, l1_ratio):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(N, D))
    sw = rng.uniform(0.2, 3.0, N) if weighted else None
    alpha, lr, epochs = 0.05, 0.05, 4
    if loss == "squared_error":
        y = X @ [1.0, -2.0, 0.5] + 0.3 * rng.normal(size=N)
        Y = y[:, None]
        Est = MomentumSGDRegressor
    elif loss == "binary":
        y = (X[:, 0] + 0.5 * rng.normal(size=N) > 0).astype(int)
        Y = np.where(y == 1, 1.0, -1.0)[:, None]
        Est = MomentumSGDClassifier
    else:
        y = np.digitize(X[:, 0] + 0.3 * rng.normal(size=N), [-0.5, 0.5])
        Y = np.eye(3)[y]
        Est = MomentumSGDClassifier
    penalty = "elasticnet" if l1_ratio else "l2"
    from sklearn_gd.penalties import ElasticNet

    est = Est(
        solver=kind, batch_size=B, shuffle=False, learning_rate=lr, alpha=alpha,
        penalty=ElasticNet(l1_ratio) if l1_ratio else penalty, max_iter=epochs,
        tol=None,
    )  # fmt: skip
    est.fit(X, y, sample_weight=sw)
    ref = _reference(kind, loss, X, Y, sw, alpha, l1_ratio, lr, epochs)
    coef = np.atleast_2d(est.coef_)
    if loss == "multinomial":  # the estimator reports centred intercepts
        ref[D] -= ref[D].mean()
    assert_allclose(coef, ref[:D].T.reshape(coef.shape), rtol=1e-12, atol=1e-14)
    assert_allclose(est.intercept_, ref[D], rtol=1e-12, atol=1e-14)
    assert est.t_ == epochs * 5


def _fit_quietly(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.mark.parametrize("kind", ["saga", "svrg"])
def test_they_reach_ridge_lasso_and_logistic_optima(kind):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(400, 6))
    y = X @ rng.normal(size=6) + 2.0 + 0.5 * rng.normal(size=400)
    alpha = 0.01
    params = dict(solver=kind, alpha=alpha, tol=1e-10, max_iter=2000, random_state=0)
    ridge = Ridge(alpha=alpha * 400).fit(X, y)
    est = _fit_quietly(MomentumSGDRegressor(**params), X, y)
    assert_allclose(est.coef_, ridge.coef_, rtol=1e-6)
    # constant-step momentum SGD at the same budget stops in its noise ball
    sgd = _fit_quietly(
        MomentumSGDRegressor(alpha=alpha, tol=None, max_iter=est.n_iter_), X, y
    )
    assert np.max(np.abs(sgd.coef_ - ridge.coef_) / np.abs(ridge.coef_)) > 1e-5
    lasso = Lasso(alpha=0.1, tol=1e-12, max_iter=100_000).fit(X, y)
    est = _fit_quietly(
        GDRegressor(penalty="l1", **{**params, "alpha": 0.1}, batch_size=16), X, y
    )
    assert_allclose(est.coef_, lasso.coef_, rtol=1e-6, atol=1e-9)
    assert np.array_equal(est.coef_ == 0, lasso.coef_ == 0)  # exact zeros
    yc = (y > np.median(y)).astype(int)
    logistic = LogisticRegression(C=1 / (alpha * 400), tol=1e-14, max_iter=10_000)
    logistic.fit(X, yc)
    est = _fit_quietly(MomentumSGDClassifier(**params), X, yc)
    # 1e-6 relative to the size of the coefficients (one is ~1e-3)
    scale = np.abs(logistic.coef_).max()
    assert_allclose(est.coef_, logistic.coef_, rtol=1e-6, atol=1e-6 * scale)


def test_non_smooth_loss_is_refused_and_auto_step():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 3))
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ValueError, match="solver='saga' needs a differentiable"):
        GDClassifier(solver="saga", loss="hinge").fit(X, y)
    saga = _fit_quietly(GDClassifier(solver="saga", max_iter=3, tol=None), X, y)
    svrg = _fit_quietly(GDClassifier(solver="svrg", max_iter=3, tol=None), X, y)
    # 'auto': 1 / (3 L_b) and 1 / (4 L_b) for the same batches (32 rows)
    assert saga.learning_rate_ == pytest.approx(4 / 3 * svrg.learning_rate_)
    assert saga.t_ == 3 * 2


@pytest.mark.parametrize("kind", ["saga", "svrg"])
@pytest.mark.parametrize("Est", [MomentumSGDClassifier, MomentumSGDRegressor])
def test_partial_fit_continues_the_table(kind, Est):
    # k calls of partial_fit run the same steps as fit(max_iter=k): SAGA's
    # table carries over (rebuilding it would change every step after the
    # first call), SVRG's snapshot is refreshed where fit refreshes it.
    rng = np.random.RandomState(2)
    X = rng.normal(size=(120, 4))
    y = (X[:, 0] + 0.5 * rng.normal(size=120) > 0).astype(int)
    params = dict(solver=kind, batch_size=16, random_state=3, tol=None, alpha=1e-3)
    full = Est(max_iter=4, **params).fit(X, y)
    inc = Est(**params)
    extra = {"classes": [0, 1]} if Est is MomentumSGDClassifier else {}
    for _ in range(4):
        inc.partial_fit(X, y, **extra)
    assert_allclose(inc.coef_, full.coef_, rtol=1e-12, atol=1e-15)
    assert_allclose(inc.intercept_, full.intercept_, rtol=1e-12, atol=1e-15)
    assert inc.t_ == full.t_ == 4 * 8 and inc.n_iter_ == 4


@pytest.mark.parametrize("kind", ["saga", "svrg"])
def test_warm_start_continues_the_table(kind):
    rng = np.random.RandomState(4)
    X = rng.normal(size=(N, D))
    y = X @ [1.0, -2.0, 0.5] + 0.3 * rng.normal(size=N)
    params = dict(
        solver=kind, batch_size=B, shuffle=False, learning_rate=0.05, alpha=0.05,
        tol=None,
    )  # fmt: skip
    warm = MomentumSGDRegressor(max_iter=2, warm_start=True, **params).fit(X, y)
    warm.set_params(max_iter=3).fit(X, y)
    ref = _reference(kind, "squared_error", X, y[:, None], None, 0.05, 0.0, 0.05, 5)
    assert_allclose(warm.coef_, ref[:D, 0], rtol=1e-12, atol=1e-14)
    assert_allclose(warm.intercept_, ref[D], rtol=1e-12, atol=1e-14)


def test_carried_table_is_resummed_on_new_data():
    # The table of a fit on other rows (same count) only starts the estimate:
    # its averages are recomputed on the new rows, so SAGA still reaches the
    # new optimum (a stale X^T D would bias every step).
    rng = np.random.RandomState(5)
    X1, X2 = rng.normal(size=(2, 300, 5))
    y1 = X1 @ rng.normal(size=5) + 1.0
    y2 = X2 @ rng.normal(size=5) - 1.0
    est = MomentumSGDRegressor(
        solver="saga", alpha=0.01, tol=1e-10, max_iter=3000, warm_start=True,
        random_state=0,
    )  # fmt: skip
    _fit_quietly(est, X1, y1)
    first = est._saga_table
    before = first.copy()
    _fit_quietly(est, X2, y2)
    assert np.array_equal(first, before)  # taken as a copy, never changed in place
    ridge = Ridge(alpha=0.01 * 300).fit(X2, y2)
    assert_allclose(est.coef_, ridge.coef_, rtol=1e-6)
    assert_allclose(est.intercept_, ridge.intercept_, rtol=1e-6)
