"""Optimizers against reference implementations of torch.optim's equations.

The references are written here, step by step, from the update rules in the
``torch.optim`` documentation (SGD with momentum/dampening/nesterov, Adam,
RMSprop, Adagrad, default options); ``tests/test_torch_reference.py`` also
compares with torch itself when it is installed.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_regression
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_gd import GDRegressor, MomentumSGDRegressor
from sklearn_gd.optimizers import SGD, AdaGrad, Adam, Momentum, RMSprop, get_optimizer


def grad_fn(w):
    """A non-quadratic gradient so that every step differs."""
    return np.sin(3 * w) + 0.5 * w**3 - np.array([[0.3], [-1.0], [2.0], [0.1]])


def run(opt, lrs, w0):
    w = w0.copy()
    state = opt.init_state(w)
    out = []
    for lr in lrs:
        opt.update(w, grad_fn(w), state, lr)
        out.append(w.copy())
    return out


def ref_sgd(lrs, w0, momentum=0.0, dampening=0.0, nesterov=False):
    w, buf, out = w0.copy(), None, []
    for lr in lrs:
        g = grad_fn(w)
        if momentum != 0:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        w = w - lr * g
        out.append(w)
    return out


def ref_adam(lrs, w0, b1=0.9, b2=0.999, eps=1e-8):
    w, m, v, out = w0.copy(), 0.0, 0.0, []
    for t, lr in enumerate(lrs, start=1):
        g = grad_fn(w)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        # torch: lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(w)
    return out


def ref_rmsprop(lrs, w0, rho=0.99, eps=1e-8):
    w, s, out = w0.copy(), 0.0, []
    for lr in lrs:
        g = grad_fn(w)
        s = rho * s + (1 - rho) * g * g
        w = w - lr * g / (np.sqrt(s) + eps)
        out.append(w)
    return out


def ref_adagrad(lrs, w0, eps=1e-10):
    w, s, out = w0.copy(), 0.0, []
    for lr in lrs:
        g = grad_fn(w)
        s = s + g * g
        w = w - lr * g / (np.sqrt(s) + eps)
        out.append(w)
    return out


W0 = np.array([[0.5], [-0.2], [1.0], [0.0]])
LRS = [0.1 * 0.97**t for t in range(60)]


@pytest.mark.parametrize(
    "opt, ref",
    [
        (SGD(), lambda: ref_sgd(LRS, W0)),
        (Momentum(0.9), lambda: ref_sgd(LRS, W0, 0.9)),
        (Momentum(0.5, dampening=0.5), lambda: ref_sgd(LRS, W0, 0.5, 0.5)),
        (Momentum(0.9, nesterov=True), lambda: ref_sgd(LRS, W0, 0.9, 0.0, True)),
        (Momentum(0.0, dampening=0.3), lambda: ref_sgd(LRS, W0, 0.0, 0.3)),
        (Adam(), lambda: ref_adam(LRS, W0)),
        (Adam(0.5, 0.9, 1e-6), lambda: ref_adam(LRS, W0, 0.5, 0.9, 1e-6)),
        (RMSprop(), lambda: ref_rmsprop(LRS, W0)),
        (RMSprop(0.9, 1e-6), lambda: ref_rmsprop(LRS, W0, 0.9, 1e-6)),
        (AdaGrad(), lambda: ref_adagrad(LRS, W0)),
    ],
    ids=lambda v: repr(v) if not callable(v) or hasattr(v, "update") else "ref",
)
def test_update_matches_reference_step_by_step(opt, ref):
    ours = run(opt, LRS, W0)
    for step, (a, b) in enumerate(zip(ours, ref())):
        assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"step {step}")


def test_names_resolve():
    assert isinstance(get_optimizer("sgd"), SGD)
    assert get_optimizer("momentum").get_params() == Momentum(0.9).get_params()
    assert (
        get_optimizer("nesterov").get_params()
        == Momentum(0.9, nesterov=True).get_params()
    )
    assert isinstance(get_optimizer("adam"), Adam)
    assert isinstance(get_optimizer("rmsprop"), RMSprop)
    assert isinstance(get_optimizer("adagrad"), AdaGrad)


def test_state_lives_in_fitted_estimator_only():
    X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    opt = Adam(beta_1=0.8)
    est = GDRegressor(optimizer=opt, max_iter=5, tol=None).fit(X, y)
    assert opt.get_params() == Adam(beta_1=0.8).get_params()
    assert not hasattr(opt, "__dict__") or set(vars(opt)) == {
        "beta_1",
        "beta_2",
        "epsilon",
    }
    assert est.optimizer_ is not opt
    assert est.optimizer_state_["step"] == 5
    assert est.optimizer_state_["m"].shape == (4, 1)
    assert clone(opt).get_params() == opt.get_params()


def test_momentum_estimator_is_torch_sgd_with_its_arguments():
    X, y = make_regression(n_samples=40, n_features=3, random_state=0)
    a = MomentumSGDRegressor(
        momentum=0.7,
        dampening=0.2,
        nesterov=False,
        learning_rate=0.01,
        max_iter=3,
        tol=None,
        random_state=0,
    ).fit(X, y)
    b = GDRegressor(
        optimizer=Momentum(0.7, dampening=0.2),
        batch_size=32,
        learning_rate=0.01,
        max_iter=3,
        tol=None,
        random_state=0,
    ).fit(X, y)
    assert_allclose(a.coef_, b.coef_, rtol=1e-14)
    assert a.optimizer_.get_params() == {
        "momentum": 0.7,
        "dampening": 0.2,
        "nesterov": False,
    }


@pytest.mark.parametrize(
    "opt, match",
    [
        (Momentum(momentum=1.5), "momentum.*Momentum"),
        (Adam(beta_1=1.0), "beta_1.*Adam"),
        (RMSprop(epsilon=0), "epsilon.*RMSprop"),
        (AdaGrad(epsilon=-1.0), "epsilon.*AdaGrad"),
    ],
)
def test_invalid_optimizer_arguments_name_the_class(opt, match):
    X, y = make_regression(n_samples=20, n_features=2, random_state=0)
    with pytest.raises(InvalidParameterError, match=match):
        GDRegressor(optimizer=opt).fit(X, y)


def test_barzilai_borwein_by_hand_and_converges():
    from sklearn.linear_model import Lasso, Ridge

    from sklearn_gd.optimizers import BarzilaiBorwein

    # the step sizes of the first updates, by hand
    opt = BarzilaiBorwein()
    w = W0.copy()
    state = opt.init_state(w)
    g0 = grad_fn(w)
    opt.update(w, g0.copy(), state, 0.1)
    assert_allclose(w, W0 - 0.1 * g0)
    w1, g1 = w.copy(), grad_fn(w)
    opt.update(w, g1.copy(), state, 0.1)
    s, yv = (w1 - W0).ravel(), (g1 - g0).ravel()
    sy = float(s @ yv)
    # ABBmin on the second update (tau = 0.5, one BB2 in memory); the
    # scheduled lr where the curvature is not > 0
    if sy > 0:
        bb1, bb2 = (s @ s) / sy, sy / (yv @ yv)
        expected = min(bb2 if bb2 < 0.5 * bb1 else bb1, 1e5)
    else:
        expected = 0.1
    assert state["step_size"] == pytest.approx(expected)
    assert_allclose(w, w1 - state["step_size"] * g1)

    # ABBmin by hand on an ill-conditioned convex quadratic (both branches)
    A = np.diag([1.0, 4.0, 9.0, 100.0])
    quad = lambda v: A @ v - 1.0  # noqa: E731
    w = W0.copy()
    state = opt.init_state(w)
    history = [(w.copy(), quad(w))]
    tau, bb2s, branches = 0.5, [], set()
    for _ in range(60):
        opt.update(w, quad(w), state, 0.005)
        history.append((w.copy(), quad(w)))
        if len(history) >= 3:
            (w0, g0_), (w1_, g1_) = history[-3], history[-2]
            s, yv = (w1_ - w0).ravel(), (g1_ - g0_).ravel()
            if not s @ yv > 0:  # converged to rounding: the scheduled lr
                assert state["step_size"] == 0.005
                continue
            bb1, bb2 = (s @ s) / (s @ yv), (s @ yv) / (yv @ yv)
            bb2s = (bb2s + [bb2])[-10:]
            if bb2 < tau * bb1:
                expected, tau = min(bb2s), tau * 0.9
                branches.add("min BB2")
            else:
                expected, tau = bb1, tau * 1.1
                branches.add("BB1")
            assert state["step_size"] == pytest.approx(expected, rel=1e-12)
    assert branches == {"min BB2", "BB1"}
    assert_allclose(quad(w), 0, atol=1e-9)  # and it converged

    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 6)) * np.array([1, 3, 10, 30, 1, 2])
    y = X @ rng.normal(size=6) + rng.normal(size=300)
    est = GDRegressor(optimizer=BarzilaiBorwein(), alpha=0.01, tol=None, max_iter=300)
    ref = Ridge(alpha=0.01 * 300).fit(X, y)
    assert_allclose(est.fit(X, y).coef_, ref.coef_, rtol=1e-6)
    # the L1 prox uses the step BB took: the Lasso solution, exact zeros included
    y2 = X[:, :2] @ [1.0, -1.0] + 0.1 * rng.normal(size=300)
    est = GDRegressor(
        optimizer=BarzilaiBorwein(), penalty="l1", alpha=0.05, tol=None, max_iter=500
    ).fit(X, y2)
    ref = Lasso(alpha=0.05, tol=1e-12, max_iter=100000).fit(X, y2)
    assert_allclose(est.coef_, ref.coef_, rtol=1e-5, atol=1e-7)
    assert_array_equal(est.coef_ == 0, ref.coef_ == 0)


def test_adaptive_auto_step_of_classifiers_follows_the_class_log_odds():
    # balanced classes: torch's step; skewed weights: the step grows with the
    # log-odds of the weighted class proportions (the intercept's distance)
    from sklearn_gd import GDClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    y = np.r_[np.zeros(20, int), np.ones(20, int)]
    est = GDClassifier(optimizer="adam", max_iter=1, tol=None).fit(X, y)
    assert est.learning_rate_ == pytest.approx(1e-3)
    est.set_params(class_weight={0: 1000, 1: 1e-4}).fit(X, y)
    assert est.learning_rate_ == pytest.approx(1e-3 * np.log(1000 / 1e-4), rel=1e-9)
