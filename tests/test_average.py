"""``average``: the coefficients are the running mean of the iterates (ASGD).

The reference iterates come from ``partial_fit`` on one batch at a time with
``average=False`` (one update per call), recorded by hand.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklearn_gd import GDClassifier, GDRegressor, MomentumSGDRegressor

B, N = 10, 60  # six updates per epoch


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(N, 3))
    y = X @ [1.0, -2.0, 0.5] + 1.0 + 0.1 * rng.normal(size=N)
    return X, y


def _iterates(n_epochs, **params):
    """The (coef, intercept) after every update of plain training."""
    X, y = _data()
    est = MomentumSGDRegressor(
        learning_rate=0.05, batch_size=B, shuffle=False, **params
    )
    out = []
    for _ in range(n_epochs):
        for b0 in range(0, N, B):
            est.partial_fit(X[b0 : b0 + B], y[b0 : b0 + B])
            out.append(np.r_[est.coef_, est.intercept_])
    return np.array(out)


@pytest.mark.parametrize("average, first", [(True, 0), (4, 3), (20, 19)])
def test_average_is_the_running_mean_of_the_iterates(average, first):
    X, y = _data()
    iterates = _iterates(3)
    est = MomentumSGDRegressor(
        learning_rate=0.05, batch_size=B, shuffle=False, max_iter=3, tol=None,
        average=average,
    )  # fmt: skip
    est.fit(X, y)
    # before averaging starts the model is the iterate
    expected = iterates[first:].mean(axis=0) if first < 18 else iterates[-1]
    assert_allclose(np.r_[est.coef_, est.intercept_], expected, rtol=1e-12)
    assert est.t_ == 18
    # partial_fit continues the average and the raw iterate
    est.partial_fit(X, y)
    iterates = _iterates(4)
    assert_allclose(
        np.r_[est.coef_, est.intercept_], iterates[first:].mean(axis=0), rtol=1e-12
    )
    assert_allclose(est.predict(X), X @ est.coef_ + est.intercept_, rtol=1e-14)


def test_average_not_started_yet_is_the_iterate():
    X, y = _data()
    iterates = _iterates(1)
    est = MomentumSGDRegressor(
        learning_rate=0.05, batch_size=B, shuffle=False, max_iter=1, tol=None,
        average=100,
    )  # fmt: skip
    est.fit(X, y)
    assert_allclose(np.r_[est.coef_, est.intercept_], iterates[-1], rtol=1e-12)


def test_full_batch_average_and_warm_start_continue_from_the_iterate():
    X, y = _data()
    plain = GDRegressor(optimizer="sgd", learning_rate=0.05, tol=None, max_iter=5)
    path = []
    for k in range(1, 6):
        path.append(np.r_[plain.set_params(max_iter=k).fit(X, y).coef_])
    avg = GDRegressor(
        optimizer="sgd", learning_rate=0.05, tol=None, max_iter=5, average=True
    )
    avg.fit(X, y)
    assert_allclose(avg.coef_, np.mean(path, axis=0), rtol=1e-12)
    # warm_start: training continues from the last iterate, a fresh average
    avg.set_params(warm_start=True, max_iter=2).fit(X, y)
    more = [GDRegressor(optimizer="sgd", learning_rate=0.05, tol=None, max_iter=k)
            .fit(X, y).coef_ for k in (6, 7)]  # fmt: skip
    assert_allclose(avg.coef_, np.mean(more, axis=0), rtol=1e-12)


def test_average_for_classifiers_and_invalid_values():
    X, y = _data()
    yc = (y > np.median(y)).astype(int)
    est = GDClassifier(average=True, tol=None, max_iter=20).fit(X, yc)
    assert est.coef_.shape == (1, 3) and est.score(X, yc) > 0.8
    with pytest.raises(ValueError, match="average"):
        GDRegressor(average=0).fit(X, y)
