"""Full batches are computed in blocks of rows: the same numbers as one product.

The block size is ~2 MB of rows (never fewer than 256 rows), so the test data
would fit in one block; ``_BLOCK_BYTES`` is shrunk to force several blocks,
including a short last one.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit, logsumexp

from sklearn_gd import GDClassifier, GDRegressor, _rows, _step_size
from sklearn_gd._losses import get_loss
from sklearn_gd._problem import Problem, gram_sums
from sklearn_gd._rows import ArrayRows
from sklearn_gd._step_size import lipschitz_constant
from sklearn_gd.penalties import L2

N, D = 1000, 7  # 256-row blocks: 3 full ones and one of 232 rows


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(_rows, "_BLOCK_BYTES", 1)  # the 256-row minimum


def _data(k, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(N, D)) * rng.uniform(0.5, 3, D)
    sw = rng.uniform(0.1, 2.0, N)
    theta = rng.normal(size=(D + 1, k)) * 0.3
    return X, sw, theta, rng


def test_blocked_squared_error_gradient_is_the_closed_form(small_blocks):
    X, sw, theta, rng = _data(1)
    y = rng.normal(size=N)
    problem = Problem.from_arrays(
        X, y[:, None], sw, get_loss("squared_error"), L2(), 0.01, True
    )
    f, g = problem.value_grad(theta)
    r = X @ theta[:D, 0] + theta[D, 0] - y
    S = sw.sum()
    assert f == pytest.approx(0.5 * sw @ r**2 / S + 0.005 * theta[:D, 0] @ theta[:D, 0])
    assert_allclose(g[:D, 0], X.T @ (sw * r) / S + 0.01 * theta[:D, 0], rtol=1e-12)
    assert g[D, 0] == pytest.approx(sw @ r / S, rel=1e-12)


@pytest.mark.parametrize("k", [1, 4])
def test_blocked_log_loss_gradient_is_the_closed_form(small_blocks, k):
    X, sw, theta, rng = _data(k)
    labels = rng.randint(0, max(k, 2), N)
    raw = X @ theta[:D] + theta[D]
    if k == 1:
        Y = np.where(labels == 1, 1.0, -1.0)[:, None]
        losses = np.logaddexp(0, -Y[:, 0] * raw[:, 0])
        G = -Y * expit(-Y * raw)
    else:
        Y = np.eye(k)[labels]
        losses = logsumexp(raw, axis=1) - raw[np.arange(N), labels]
        G = np.exp(raw - logsumexp(raw, axis=1, keepdims=True)) - Y
    G *= sw[:, None]
    S = sw.sum()
    loss = get_loss("log_loss", n_classes=max(k, 2))
    f, g = Problem.from_arrays(X, Y, sw, loss, None, 0.0, True).value_grad(theta)
    assert f == pytest.approx(sw @ losses / S, rel=1e-12)
    assert_allclose(g[:D], X.T @ G / S, rtol=1e-11, atol=1e-15)
    assert_allclose(g[D], G.sum(axis=0) / S, rtol=1e-11, atol=1e-15)


def test_blocked_gram_product_and_lipschitz_constant(monkeypatch):
    X, sw, _, rng = _data(1)
    v = rng.normal(size=D + 1)
    Xt = np.c_[X, np.ones(N)]
    Y = np.zeros((N, 1))
    lam_one_block = lipschitz_constant(ArrayRows(X, Y, sw), True)
    monkeypatch.setattr(_rows, "_BLOCK_BYTES", 1)
    rows = ArrayRows(X, Y, sw)
    assert rows.block == 256
    assert_allclose(
        rows.map_reduce(gram_sums, v, True), Xt.T @ (sw * (Xt @ v)), rtol=1e-12
    )
    lam = lipschitz_constant(rows, True)
    assert lam == pytest.approx(lam_one_block, rel=1e-12)
    # Rayleigh quotients approach the largest eigenvalue from below
    L = np.linalg.eigvalsh(Xt.T @ (sw[:, None] * Xt) / sw.sum()).max()
    assert 0.9 * L <= lam <= L * (1 + 1e-12)


def test_power_iterations_start_from_the_documented_fixed_vector(monkeypatch):
    # the start of the power iterations is 1 + 0.1 u, u the first draws of
    # RandomState(0).uniform(-1, 1): kept between calls, never altered, the
    # same for every size asked for (a longer draw begins with a shorter one)
    monkeypatch.setattr(_step_size, "_DRAWS", np.empty(0))
    for m in (3, 8, 3000, 8):
        expected = np.random.RandomState(0).uniform(-1, 1, m)
        assert_array_equal(_step_size._start_draws(m), expected)
    X, _, _, _ = _data(1)
    Y = np.zeros((N, 1))
    before = _step_size._DRAWS.copy()
    lam = lipschitz_constant(ArrayRows(X, Y, None), True)
    assert_array_equal(_step_size._DRAWS, before)
    # the documented iterations by hand from that start: Rayleigh quotients,
    # at most 10, ending once one moves by at most 0.1% (after the third)
    Xt = np.c_[X, np.ones(N)]
    A = Xt.T @ Xt / N
    v = 1.0 + 0.1 * np.random.RandomState(0).uniform(-1, 1, D + 1)
    v /= np.linalg.norm(v)
    estimate = 0.0
    for it in range(10):
        w = A @ v
        previous, estimate = estimate, v @ w
        v = w / np.linalg.norm(w)
        if it >= 2 and abs(estimate - previous) <= 1e-3 * estimate:
            break
    assert lam == pytest.approx(estimate, rel=1e-12)


@pytest.mark.parametrize("Est", [GDRegressor, GDClassifier])
def test_full_batch_fit_is_the_same_in_blocks(monkeypatch, Est):
    X, sw, _, rng = _data(1)
    y = X @ rng.normal(size=D) + rng.normal(size=N)
    if Est is GDClassifier:
        y = np.digitize(y, np.quantile(y, [0.33, 0.66]))
    est = Est(max_iter=30, tol=None)
    one = est.fit(X, y, sample_weight=sw)
    coef, curve, lr = one.coef_.copy(), list(one.loss_curve_), one.learning_rate_
    monkeypatch.setattr(_rows, "_BLOCK_BYTES", 1)
    blocked = est.fit(X, y, sample_weight=sw)
    # only the order of the floating-point sums differs
    assert blocked.learning_rate_ == pytest.approx(lr, rel=1e-12)
    assert_allclose(blocked.loss_curve_, curve, rtol=1e-12)
    assert_allclose(blocked.coef_, coef, rtol=1e-10, atol=1e-12)
