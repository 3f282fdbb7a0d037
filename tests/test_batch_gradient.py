"""The BLAS fast paths of a mini-batch step equal the NumPy ones they replace.

``BatchGradient`` computes one-output batches with ``gemv`` when the batch is
C-contiguous (an F-ordered copy of the same batch takes the NumPy path), and
``SGD`` / ``Momentum`` return BLAS updaters for contiguous arrays (``update``
stays the NumPy reference).
"""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_gd import _blas
from sklearn_gd._losses import get_loss
from sklearn_gd._problem import BatchGradient as _Gradient
from sklearn_gd._problem import Problem
from sklearn_gd.optimizers import SGD, Adam, Momentum
from sklearn_gd.penalties import L2

LOSSES = ["squared_error", "huber", "epsilon_insensitive", "log_loss", "hinge"]


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gemv_gradient_equals_the_numpy_one(loss, fit_intercept, weighted, dtype):
    rng = np.random.RandomState(0)
    d, B = 7, 16
    X = rng.normal(size=(40, d)).astype(dtype)
    y = rng.normal(size=(40, 1))
    Y = np.sign(y) if loss in ("log_loss", "hinge") else y
    sw = rng.uniform(0.5, 2.0, size=40) if weighted else None
    theta = rng.normal(size=(d + int(fit_intercept), 1)).astype(dtype)
    fast = _Gradient(theta, d, B, get_loss(loss), fit_intercept)
    assert fast.blas is not None
    for b0, b1 in [(0, 16), (16, 32), (32, 40)]:  # the last batch is short
        Xb, Yb = X[b0:b1], Y[b0:b1]
        swb = None if sw is None else sw[b0:b1]
        norm = 16.0 * 1.3
        lsum = fast(Xb, Yb, swb, norm)
        ref = _Gradient(theta, d, B, get_loss(loss), fit_intercept)
        ref_lsum = ref(np.asfortranarray(Xb), Yb, swb, norm)  # the NumPy path
        rtol = 1e-12 if dtype == np.float64 else 1e-5
        assert_allclose(lsum, ref_lsum, rtol=rtol)
        assert_allclose(fast.grad, ref.grad, rtol=rtol, atol=rtol * 1e-2)
        # and the closed form, for the squared error
        if loss == "squared_error":
            r = Xb.astype(np.float64) @ theta[:d].astype(np.float64)
            if fit_intercept:
                r += theta[d]
            r -= Yb
            s = np.ones(len(r)) if swb is None else swb
            g = Xb.T.astype(np.float64) @ (s[:, None] * r) / norm
            assert_allclose(fast.grad[:d], g, rtol=rtol, atol=rtol * 1e-2)
            if fit_intercept:
                assert_allclose(fast.grad[d], (s[:, None] * r).sum() / norm, rtol=rtol)


def test_flat_views_only_for_contiguous_float_arrays_of_one_dtype():
    a = np.zeros((5, 3))
    views = _blas.flat(a, np.ones((5, 3)))
    assert views is not None and views[0].base is a and views[0].shape == (15,)
    assert _blas.flat(a, np.ones((5, 3), dtype=np.float32)) is None
    assert _blas.flat(np.asfortranarray(a), a) is None
    assert _blas.flat(a[:, :2], np.ones((5, 2))) is None
    assert _blas.flat(np.zeros((5, 3), dtype=int), np.zeros((5, 3), dtype=int)) is None
    assert _blas.flat(a, np.ones((3, 5))) is not None  # one size is enough
    assert _blas.flat(a, np.ones(14)) is None


@pytest.mark.parametrize(
    "opt",
    [
        SGD(),
        Momentum(0.9),
        Momentum(0.0),
        Momentum(0.8, dampening=0.8),
        Momentum(0.9, nesterov=True),
        Momentum(0.5, dampening=0.3, nesterov=True),
    ],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_updater_equals_update(opt, dtype):
    rng = np.random.RandomState(1)
    grads = rng.normal(size=(6, 5, 3)).astype(dtype)
    lrs = [0.1, 0.05, 0.2, 0.01, 0.1, 0.3]
    p_ref = rng.normal(size=(5, 3)).astype(dtype)
    p_fast = p_ref.copy()
    grad = np.empty_like(p_fast)
    s_ref, s_fast = opt.init_state(p_ref), opt.init_state(p_fast)
    step = opt.updater(p_fast, grad, s_fast)
    for g, lr in zip(grads, lrs):
        opt.update(p_ref, g.copy(), s_ref, lr)
        grad[...] = g
        step(lr)
        rtol = 1e-14 if dtype == np.float64 else 1e-6
        assert_allclose(p_fast, p_ref, rtol=rtol, atol=rtol)
    assert s_fast["step"] == s_ref["step"] == 6
    if isinstance(opt, Momentum) and opt.momentum:
        assert s_fast["velocity"].shape == (5, 3)
        assert_allclose(s_fast["velocity"], s_ref["velocity"], rtol=1e-6)
        # a later updater (partial_fit) continues from the stored velocity
        opt.update(p_ref, grads[0].copy(), s_ref, 0.1)
        grad[...] = grads[0]
        opt.updater(p_fast, grad, s_fast)(0.1)
        assert_allclose(p_fast, p_ref, rtol=1e-6, atol=1e-6)


def test_updater_of_non_contiguous_parameters_falls_back_to_update():
    base = np.zeros((4, 6))
    params = base[:, ::2]  # a strided view: BLAS would write into a copy
    grad = np.ones((4, 3))
    opt = Momentum(0.9)
    state = opt.init_state(params)
    step = opt.updater(params, grad, state)
    step(0.5)
    assert_array_equal(base[:, ::2], -0.5)
    assert_array_equal(base[:, 1::2], 0.0)
    # optimizers without a fast path bind update itself
    adam, p, g = Adam(), np.zeros(3), np.ones(3)
    st = adam.init_state(p)
    adam.updater(p, g, st)(0.1)
    assert st["step"] == 1 and np.all(p < 0)


def test_an_optimizer_with_only_init_state_and_update_still_trains():
    from sklearn_gd import GDRegressor

    class PlainStep:  # duck-typed: no Optimizer base class, no updater
        def init_state(self, params):
            return {"step": 0}

        def update(self, params, grad, state, lr):
            state["step"] += 1
            params -= lr * grad

        def get_params(self, deep=True):
            return {}

        def set_params(self, **params):
            return self

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    kw = dict(batch_size=10, learning_rate=0.05, tol=None, max_iter=5, random_state=0)
    duck = GDRegressor(optimizer=PlainStep(), **kw).fit(X, y)
    ref = GDRegressor(optimizer=SGD(), **kw).fit(X, y)
    assert_allclose(duck.coef_, ref.coef_, rtol=1e-12)
    assert duck.optimizer_state_["step"] == 30


@pytest.mark.parametrize("loss", ["squared_error", "log_loss"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_deferred_batches_equal_the_direct_ones(loss, weighted, dtype):
    # Deferred steps give the direct gradient (the derivative alone) and, per
    # chunk, the direct loss sums; scores up to +-800 overflow exp in float32
    # and float64: the exact forms must hold there too.
    rng = np.random.RandomState(1)
    d, B, n = 6, 16, 40
    X = rng.normal(size=(n, d)).astype(dtype)
    y = rng.normal(size=(n, 1))
    Y = np.sign(y) if loss == "log_loss" else y
    sw = rng.uniform(0.5, 2.0, size=n) if weighted else None
    theta = rng.normal(size=(d + 1, 1)).astype(dtype)
    theta[:d] *= np.array([1, 1, 1, 1, 1, 300.0], dtype=dtype)[:, None]
    lf = get_loss(loss)
    deferred = _Gradient(theta, d, B, lf, True)
    assert deferred.defer(n)
    total = 0.0
    for b0, b1 in [(0, 16), (16, 32), (32, 40)]:
        Xb, Yb = X[b0:b1], Y[b0:b1]
        swb = None if sw is None else sw[b0:b1]
        assert deferred.deferred(Xb, Yb, swb, 20.0) == 0.0
        ref = _Gradient(theta, d, B, lf, True)
        with np.errstate(over="ignore"):  # as in training: the stable fallback
            total += ref(Xb, Yb, swb, 20.0)
        rtol = 1e-5 if dtype == np.float32 else 1e-13
        assert_allclose(deferred.grad, ref.grad, rtol=rtol, atol=1e-30)
    with np.errstate(over="ignore"):
        pending = deferred.pending_loss(Y, sw)
    assert_allclose(pending, total, rtol=1e-5 if dtype == np.float32 else 1e-13)
    assert deferred.pos == 0 and deferred.pending_loss(Y, sw) == 0.0


@pytest.mark.parametrize("Est", ["regressor", "classifier"])
@pytest.mark.parametrize("shuffle", [True, False])
def test_deferred_fit_equals_the_direct_fit(Est, shuffle, monkeypatch):
    from sklearn_gd import MomentumSGDClassifier, MomentumSGDRegressor

    rng = np.random.RandomState(2)
    X = rng.normal(size=(500, 5))
    y = X @ rng.normal(size=5) + 0.3 * rng.normal(size=500)
    est = MomentumSGDRegressor
    if Est == "classifier":
        y, est = (y > 0).astype(int), MomentumSGDClassifier
    sw = rng.uniform(0.5, 2, 500)
    params = dict(batch_size=32, max_iter=3, tol=None, random_state=0, shuffle=shuffle)
    fast = est(**params).fit(X, y, sample_weight=sw)
    monkeypatch.setattr(_Gradient, "defer", lambda self, rows: False)
    direct = est(**params).fit(X, y, sample_weight=sw)
    assert_allclose(fast.coef_, direct.coef_, rtol=1e-12)
    assert_allclose(fast.intercept_, direct.intercept_, rtol=1e-12)
    assert_allclose(fast.loss_curve_, direct.loss_curve_, rtol=1e-13)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize(
    "loss, k", [("squared_error", 1), ("log_loss", 1), ("log_loss", 3), ("huber", 2)]
)
def test_problem_value_is_the_forward_half_of_value_grad(loss, k, sparse):
    """Problem.value (the line search's forward pass) equals value_grad's
    objective, with weights, an intercept and an L2 part, dense or CSR."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 6))
    if loss == "log_loss" and k == 3:
        Y = np.eye(3)[rng.randint(3, size=50)]
        loss_obj = get_loss(loss, n_classes=3)
    elif loss == "log_loss":
        Y = np.where(rng.rand(50) > 0.5, 1.0, -1.0)
        loss_obj = get_loss(loss, n_classes=2)
    else:
        Y = rng.normal(size=(50, k)) * 3
        loss_obj = get_loss(loss)
    sw = rng.uniform(0.1, 2.0, size=50)
    Xs = sp.csr_matrix(X) if sparse else X
    problem = Problem.from_arrays(Xs, Y, sw, loss_obj, L2(), 0.3, True)
    theta = rng.normal(size=(7, Y.shape[1] if Y.ndim == 2 else 1))
    assert problem.value(theta) == pytest.approx(
        problem.value_grad(theta)[0], rel=1e-13
    )
