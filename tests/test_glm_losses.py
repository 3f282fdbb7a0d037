"""Quantile, Poisson and Tweedie losses: scikit-learn's definitions and optima."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import PoissonRegressor, QuantileRegressor, TweedieRegressor

from sklearn_gd import GDRegressor, MomentumSGDRegressor

ALPHA = 0.01


def _counts(seed=0, n=300):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4)) * 0.5
    mu = np.exp(X @ [0.5, -0.3, 0.2, 0.1] + 0.5)
    return X, mu, rng


@pytest.mark.parametrize("solver", ["cg", "tnc", "svrg"])
def test_poisson_equals_poisson_regressor(solver):
    X, mu, rng = _counts()
    y = rng.poisson(mu).astype(float)
    ref = PoissonRegressor(alpha=ALPHA, tol=1e-12, max_iter=10_000).fit(X, y)
    est = GDRegressor(loss="poisson", alpha=ALPHA, solver=solver, tol=1e-10,
                      max_iter=3000, random_state=0)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    assert_allclose(est.coef_, ref.coef_, rtol=1e-4, atol=1e-7)
    assert est.intercept_[0] == pytest.approx(ref.intercept_, rel=1e-4)
    # predict is the mean, exp(X w + b), as PoissonRegressor's
    assert_allclose(est.predict(X), ref.predict(X), rtol=1e-4)
    assert np.all(est.predict(X) > 0)


@pytest.mark.parametrize("power", [0.0, 1.5, 2.0, 3.0])
def test_tweedie_equals_tweedie_regressor(power):
    X, mu, rng = _counts(1)
    y = rng.gamma(2.0, mu / 2.0)  # positive, so every power applies
    ref = TweedieRegressor(power=power, link="log", alpha=ALPHA, tol=1e-12,
                           max_iter=10_000).fit(X, y)  # fmt: skip
    est = GDRegressor(loss="tweedie", power=power, alpha=ALPHA, solver="tnc")
    est.fit(X, y)
    assert_allclose(est.coef_, ref.coef_, rtol=1e-4, atol=1e-7)


def test_defaults_reach_the_poisson_optimum_or_warn():
    X, mu, rng = _counts(2)
    y = rng.poisson(mu).astype(float)
    ref = PoissonRegressor(alpha=1e-4, tol=1e-12, max_iter=10_000).fit(X, y)
    for est in (
        GDRegressor(loss="poisson"),
        MomentumSGDRegressor(loss="poisson", random_state=0),
    ):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            est.fit(X, y)
        warned = any(issubclass(w.category, ConvergenceWarning) for w in record)
        f = est.objective(X, y)
        est.coef_, est.intercept_ = ref.coef_, np.atleast_1d(ref.intercept_)
        f_star = est.objective(X, y)
        bound = 1e-3 if est.batch_size is None else 1e-2
        assert (f - f_star) / abs(f_star) <= bound or warned


def test_quantile_reaches_quantile_regressor_objective():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    y = X @ [1.0, 2.0, 0.0] + rng.standard_t(3, size=300)
    ref = QuantileRegressor(quantile=0.8, alpha=0, solver="highs").fit(X, y)
    est = GDRegressor(
        loss="quantile", quantile=0.8, penalty=None, tol=None, max_iter=3000,
        learning_rate=0.5, schedule="invscaling",
    )  # fmt: skip
    est.fit(X, y)

    def pinball(coef, intercept):
        r = y - X @ coef - intercept
        return np.mean(np.where(r >= 0, 0.8 * r, (0.8 - 1) * r))

    f, f_star = (
        pinball(est.coef_, est.intercept_[0]),
        pinball(ref.coef_, ref.intercept_),
    )
    assert est.objective(X, y) == pytest.approx(f, rel=1e-12)
    assert f_star <= f <= f_star * (1 + 1e-3)


def test_targets_outside_the_loss_domain_are_refused():
    X = np.random.RandomState(0).normal(size=(10, 2))
    with pytest.raises(ValueError, match="non-negative"):
        GDRegressor(loss="poisson").fit(X, np.r_[-1.0, np.ones(9)])
    with pytest.raises(ValueError, match="strictly positive"):
        GDRegressor(loss="tweedie", power=2.0).fit(X, np.r_[0.0, np.ones(9)])
    with pytest.raises(ValueError, match="power"):
        GDRegressor(loss="tweedie", power=0.5).fit(X, np.ones(10))
