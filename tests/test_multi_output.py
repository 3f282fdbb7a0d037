"""Several regression outputs in one fit: the same optimum as Ridge per column."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.metrics import r2_score

from sklearn_gd import GDRegressor, MomentumSGDRegressor

ALPHA = 0.01


def _data(n=200, k=3):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 4))
    Y = X @ rng.normal(size=(4, k)) + 0.1 * rng.normal(size=(n, k)) + [1.0, 2, 3][:k]
    return X, Y, rng.uniform(0.5, 2.0, n)


@pytest.mark.parametrize("solver", ["gd", "cg", "tnc", "saga", "svrg"])
def test_every_solver_equals_ridge_per_column(solver):
    X, Y, sw = _data()
    est = GDRegressor(solver=solver, alpha=ALPHA, tol=1e-10, max_iter=5000,
                      random_state=0)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, Y, sample_weight=sw)
    assert est.coef_.shape == (3, 4) and est.intercept_.shape == (3,)
    for j in range(3):
        ref = Ridge(alpha=ALPHA * sw.sum()).fit(X, Y[:, j], sample_weight=sw)
        assert_allclose(est.coef_[j], ref.coef_, rtol=1e-6)
        assert est.intercept_[j] == pytest.approx(ref.intercept_, rel=1e-6)
    assert est.predict(X).shape == (200, 3)
    assert_allclose(est.predict(X), X @ est.coef_.T + est.intercept_, rtol=1e-14)


def test_shapes_follow_the_target():
    X, Y, _ = _data()
    one = GDRegressor(max_iter=5, tol=None).fit(X, Y[:, 0])
    assert one.coef_.shape == (4,) and one.intercept_.shape == (1,)
    assert one.predict(X).shape == (200,)
    col = GDRegressor(max_iter=5, tol=None).fit(X, Y[:, :1])
    assert col.coef_.shape == (1, 4) and col.predict(X).shape == (200, 1)
    assert_allclose(col.coef_[0], one.coef_, rtol=1e-14)


def test_mini_batches_partial_fit_and_early_stopping():
    X, Y, _ = _data(n=400)
    est = MomentumSGDRegressor(random_state=0, max_iter=5, tol=None).fit(X, Y)
    before = est.t_
    est.partial_fit(X, Y)
    assert est.t_ == before + 13 and est.coef_.shape == (3, 4)
    es = MomentumSGDRegressor(early_stopping=True, random_state=0, max_iter=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        es.fit(X, Y)
    # validation R^2 averaged over the outputs, as scikit-learn scores them
    assert es.best_validation_score_ == max(es.validation_scores_)
    assert es.score(X, Y) == pytest.approx(r2_score(Y, es.predict(X)))
