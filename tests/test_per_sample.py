"""The per-sample path (``batch_size=1``, plain SGD): the same steps as the
general mini-batch path, and as scikit-learn's per-sample SGD."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import SGDClassifier, SGDRegressor

from sklearn_gd import MomentumSGDClassifier, MomentumSGDRegressor
from sklearn_gd._solvers.per_sample import PerSample
from sklearn_gd.optimizers import SGD


class GeneralSGD:
    """``SGD``'s update without ``plain_step``: forces the general path."""

    def init_state(self, params):
        return {"step": 0}

    def update(self, params, grad, state, lr):
        return SGD().update(params, grad, state, lr)


def _data(n=60, d=4, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.3 * rng.normal(size=n) + 0.5
    return X, y


LOSSES = [
    ("regressor", "squared_error"),
    ("regressor", "huber"),
    ("regressor", "epsilon_insensitive"),
    ("regressor", "quantile"),
    ("classifier", "log_loss"),
    ("classifier", "hinge"),
    ("classifier", "squared_hinge"),
    ("classifier", "modified_huber"),
]


@pytest.mark.parametrize("kind, loss", LOSSES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shuffle", [True, False, "batch"])
def test_same_steps_as_the_general_path(kind, loss, weighted, shuffle):
    X, y = _data()
    if kind == "classifier":
        y = (y > np.median(y)).astype(int)
    sw = np.random.RandomState(1).uniform(0.2, 3.0, len(y)) if weighted else None
    Est = MomentumSGDRegressor if kind == "regressor" else MomentumSGDClassifier
    params = dict(
        loss=loss, batch_size=1, learning_rate=0.01, alpha=0.05, max_iter=4,
        tol=None, shuffle=shuffle, random_state=0,
    )  # fmt: skip
    fast = Est(momentum=0.0, **params).fit(X, y, sample_weight=sw)
    general = Est(momentum=0.0, **params)
    general._make_optimizer = lambda *args: GeneralSGD()  # no fast path
    general.fit(X, y, sample_weight=sw)
    assert_allclose(fast.coef_, general.coef_, rtol=1e-11, atol=1e-13)
    assert_allclose(fast.intercept_, general.intercept_, rtol=1e-11, atol=1e-13)
    assert_allclose(fast.loss_curve_, general.loss_curve_, rtol=1e-11)
    assert fast.t_ == general.t_ == 4 * len(y)
    assert fast.optimizer_state_["step"] == 4 * len(y)


def test_the_path_is_taken_only_where_it_changes_nothing():
    X, y = _data()
    from sklearn_gd._problem import Problem

    def applies(**kw):
        est = MomentumSGDRegressor(momentum=kw.pop("momentum", 0.0), **kw)
        est._validate_params()
        penalty, _, optimizer, loss = est._components(None)
        from sklearn_gd._rows import ArrayRows

        Xk = kw.get("X", X)
        rows = ArrayRows(Xk, y[:, None], None)
        problem = Problem(rows, loss, penalty, 0.1, True, est.positive)
        theta = np.zeros((Xk.shape[1] + 1, 1), dtype=Xk.dtype)
        return PerSample.applies(
            problem, theta, optimizer, 1, est.clip_norm,
            None if est.average in (False, "auto") else 1,
        )  # fmt: skip

    assert applies()
    assert applies(penalty="l2")
    assert not applies(momentum=0.9)
    assert not applies(penalty="l1")
    assert not applies(positive=True)
    assert not applies(clip_norm=1.0)
    assert not applies(average=True)
    assert not applies(loss="poisson")


@pytest.mark.parametrize("penalty", ["l2", None])
def test_equals_scikit_learn_sgd_regressor(penalty):
    # Constant step, rows in order: scikit-learn's per-sample update
    # w <- (1 - eta alpha) w - eta (p - y) x is ours with batch_size=1.
    X, y = _data(n=80)
    eta, alpha = 0.01, 0.01
    sk = SGDRegressor(
        learning_rate="constant", eta0=eta, alpha=alpha, penalty=penalty,
        shuffle=False, max_iter=3, tol=None,
    ).fit(X, y)  # fmt: skip
    ours = MomentumSGDRegressor(
        momentum=0.0, batch_size=1, learning_rate=eta, alpha=alpha,
        penalty=penalty, shuffle=False, max_iter=3, tol=None,
    ).fit(X, y)  # fmt: skip
    assert_allclose(ours.coef_, sk.coef_, rtol=1e-10)
    assert_allclose(ours.intercept_, sk.intercept_, rtol=1e-10)


@pytest.mark.parametrize("loss", ["log_loss", "hinge", "modified_huber"])
def test_equals_scikit_learn_sgd_classifier(loss):
    X, y = _data(n=80)
    y = (y > np.median(y)).astype(int)
    eta, alpha = 0.01, 0.01
    sk = SGDClassifier(
        loss=loss, learning_rate="constant", eta0=eta, alpha=alpha,
        shuffle=False, max_iter=3, tol=None,
    ).fit(X, y)  # fmt: skip
    ours = MomentumSGDClassifier(
        loss=loss, momentum=0.0, batch_size=1, learning_rate=eta, alpha=alpha,
        shuffle=False, max_iter=3, tol=None, schedule="constant",
    ).fit(X, y)  # fmt: skip
    assert_allclose(ours.coef_, sk.coef_, rtol=1e-10)
    assert_allclose(ours.intercept_, sk.intercept_, rtol=1e-10)


def test_float32_and_divergence():
    X, y = _data()
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    params = dict(batch_size=1, momentum=0.0, learning_rate=0.01, max_iter=3, tol=None)
    a = MomentumSGDRegressor(**params, random_state=0).fit(X32, y32)
    b = MomentumSGDRegressor(**params, random_state=0).fit(X, y)
    assert a.coef_.dtype == np.float32
    assert_allclose(a.coef_, b.coef_, rtol=1e-4)
    from sklearn_gd import DivergenceError

    with pytest.raises(DivergenceError):
        MomentumSGDRegressor(**{**params, "learning_rate": 10.0}).fit(X * 100, y)


def test_huge_l2_step_folds_the_scale():
    # lr * l2 >= 1 drives the scale c to zero or below: it is folded into v
    # and the step stays the general path's.
    X, y = _data(n=30)
    params = dict(
        batch_size=1, learning_rate=0.5, alpha=3.0, max_iter=2, tol=None,
        shuffle=False,
    )  # fmt: skip
    fast = MomentumSGDRegressor(momentum=0.0, **params).fit(X, y)
    general = MomentumSGDRegressor(momentum=0.0, **params)
    general._make_optimizer = lambda *args: GeneralSGD()
    general.fit(X, y)
    assert_allclose(fast.coef_, general.coef_, rtol=1e-10, atol=1e-12)
