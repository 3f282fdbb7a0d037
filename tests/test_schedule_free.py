"""Schedule-free SGD against the published equations (Defazio et al., 2024)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import Ridge

from sklearn_gd import GDRegressor, MomentumSGDRegressor
from sklearn_gd.optimizers import ScheduleFreeSGD


def _reference(w0, grads_at, lrs, b1, power):
    """y_t = (1 - b1) z_t + b1 x_t; z_{t+1} = z_t - lr_t g(y_t);
    x_{t+1} = (1 - c_{t+1}) x_t + c_{t+1} z_{t+1}, c = w_t / sum w,
    w_t = max_{i<=t} lr_i ** power (the paper's weighting with warm-up)."""
    x = z = np.array(w0, dtype=float)
    y = (1 - b1) * z + b1 * x
    weights, lr_max, ys, xs = [], 0.0, [], []
    for lr in lrs:
        g = grads_at(y)
        z = z - lr * g
        lr_max = max(lr_max, lr)
        weights.append(lr_max**power)
        c = weights[-1] / sum(weights)
        x = (1 - c) * x + c * z
        y = (1 - b1) * z + b1 * x
        ys.append(y)
        xs.append(x)
    return ys, xs


@pytest.mark.parametrize("b1, power", [(0.9, 2.0), (0.5, 1.0), (1.0, 2.0)])
def test_update_equals_the_published_equations_step_by_step(b1, power):
    rng = np.random.RandomState(0)
    A = rng.normal(size=(5, 5))
    H = A @ A.T / 5 + np.eye(5)

    def grads_at(w):
        return H @ w - 1.0

    lrs = [0.01, 0.05, 0.1, 0.1, 0.08, 0.1, 0.02, 0.1]  # a warm-up, then not
    w0 = rng.normal(size=5)
    ys, xs = _reference(w0, grads_at, lrs, b1, power)
    opt = ScheduleFreeSGD(b1=b1, weight_lr_power=power)
    w = w0.copy()
    state = opt.init_state(w)
    for lr, y, x in zip(lrs, ys, xs):
        opt.update(w, grads_at(w), state, lr)
        assert_allclose(w, y, rtol=1e-13, atol=1e-15)
        assert_allclose(opt.eval_params(w, state), x, rtol=1e-12, atol=1e-14)


def test_constant_step_makes_x_the_running_mean_of_z():
    opt = ScheduleFreeSGD(b1=0.9)
    w = np.array([3.0, -1.0])
    state = opt.init_state(w)
    zs = []
    for _ in range(6):
        opt.update(w, 2 * w.copy(), state, 0.1)
        zs.append(state["z"].copy())
    assert_allclose(opt.eval_params(w, state), np.mean(zs, axis=0), rtol=1e-12)


def test_estimators_train_with_it_and_predict_with_x():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 4))
    y = X @ [1.0, 2.0, -1.0, 0.5] + 0.1 * rng.normal(size=200)
    ref = Ridge(alpha=0.01 * 200).fit(X, y)
    est = GDRegressor(optimizer="schedule_free", alpha=0.01, tol=1e-8, max_iter=5000)
    est.fit(X, y)
    assert isinstance(est.optimizer_, ScheduleFreeSGD)
    assert_allclose(est.coef_, ref.coef_, rtol=1e-5)
    # coef_ is x, computed from the stored iterate y and z
    x = est.optimizer_.eval_params(est._iterate, est.optimizer_state_)
    assert_allclose(est.coef_, x[:4, 0], rtol=1e-14)
    # mini-batches with partial_fit continue y and z
    sgd = MomentumSGDRegressor(momentum=0.0, random_state=0)
    sf = GDRegressor(optimizer=ScheduleFreeSGD(), batch_size=32, random_state=0)
    sf.set_params(max_iter=30, tol=None).fit(X, y)
    sf.partial_fit(X, y)
    assert sf.optimizer_state_["step"] == 31 * 7
    assert sf.score(X, y) > 0.99 and sgd.fit(X, y).score(X, y) > 0.99
