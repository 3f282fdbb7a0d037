"""``positive=True``: coefficients >= 0, the constrained optimum of each solver."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso

from sklearn_gd import GDClassifier, GDRegressor, MomentumSGDRegressor


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 6))
    y = X @ [1.5, -2.0, 0.7, -0.3, 0.0, 1.0] + 0.5 + 0.2 * rng.normal(size=300)
    return X, y


def _quietly(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.mark.parametrize("solver", ["gd", "saga", "svrg"])
def test_positive_l1_equals_lasso_positive(solver):
    X, y = _data()
    ref = Lasso(alpha=0.05, positive=True, tol=1e-12, max_iter=100_000).fit(X, y)
    est = GDRegressor(penalty="l1", alpha=0.05, positive=True, solver=solver,
                      tol=1e-10, max_iter=5000, random_state=0)  # fmt: skip
    _quietly(est, X, y)
    assert_allclose(est.coef_, ref.coef_, rtol=1e-4, atol=1e-8)
    assert np.array_equal(est.coef_ == 0, ref.coef_ == 0)  # exact zeros
    assert est.intercept_[0] == pytest.approx(ref.intercept_, rel=1e-4)


def _bounded_ridge(X, y, alpha):
    """L-BFGS-B on the objective written out, w >= 0, b free."""
    n, d = X.shape

    def fun(v):
        r = X @ v[:d] + v[d] - y
        return 0.5 * r @ r / n + 0.5 * alpha * v[:d] @ v[:d], np.r_[
            X.T @ r / n + alpha * v[:d], r.mean()
        ]

    bounds = [(0, None)] * d + [(None, None)]
    options = {"ftol": 1e-15, "gtol": 1e-12}
    res = minimize(
        fun, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=bounds,
        options=options,
    )  # fmt: skip
    return res.x


@pytest.mark.parametrize("solver", ["gd", "tnc", "svrg"])
def test_positive_l2_is_the_bounded_optimum(solver):
    X, y = _data()
    ref = _bounded_ridge(X, y, 0.01)
    est = GDRegressor(alpha=0.01, positive=True, solver=solver, tol=1e-10,
                      max_iter=5000, random_state=0)  # fmt: skip
    _quietly(est, X, y)
    assert np.all(est.coef_ >= 0)
    assert_allclose(est.coef_, ref[:6], rtol=1e-5, atol=1e-7)


def test_positive_everywhere_and_refused_by_cg():
    X, y = _data()
    mb = _quietly(MomentumSGDRegressor(positive=True, random_state=0), X, y)
    assert np.all(mb.coef_ >= 0) and mb.intercept_[0] != 0
    clf = _quietly(GDClassifier(positive=True), X, y > 0)
    assert np.all(clf.coef_ >= 0)
    with pytest.raises(ValueError, match="cannot honour positive"):
        GDRegressor(positive=True, solver="cg").fit(X, y)
