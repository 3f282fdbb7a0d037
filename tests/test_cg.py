"""solver='cg': nonlinear conjugate gradients with the exact line search."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

from sklearn_gd import GDClassifier, GDRegressor
from sklearn_gd.compare import objective_value


def _ridge_data(n=400, d=6, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d)) * np.array([1, 3, 10, 30, 1, 2])[:d]
    y = X @ rng.normal(size=d) + rng.normal(size=n) + 5.0
    return X, y


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_cg_ends_on_a_quadratic_in_n_params_iterations(fit_intercept, weighted):
    """Squared error + L2 is a quadratic: CG with exact line searches is linear
    CG, which ends in at most n_params iterations (up to rounding)."""
    X, y = _ridge_data()
    sw = np.random.RandomState(1).uniform(0.5, 2, len(y)) if weighted else None
    n_params = X.shape[1] + int(fit_intercept)
    est = GDRegressor(
        solver="cg",
        alpha=0.01,
        tol=None,
        max_iter=n_params + 2,
        fit_intercept=fit_intercept,
    ).fit(X, y, sample_weight=sw)
    S = len(y) if sw is None else sw.sum()
    ref = Ridge(alpha=0.01 * S, fit_intercept=fit_intercept, tol=1e-14)
    ref.fit(X, y, sample_weight=sw)
    assert_allclose(est.coef_, ref.coef_, rtol=1e-8)
    assert_allclose(est.intercept_, np.atleast_1d(ref.intercept_), atol=1e-8)
    # and not before: the condition number makes fewer iterations fall short
    short = GDRegressor(
        solver="cg",
        alpha=0.01,
        tol=None,
        max_iter=n_params // 2,
        fit_intercept=fit_intercept,
    ).fit(X, y, sample_weight=sw)
    assert np.abs(short.coef_ - ref.coef_).max() > 1e-4


@pytest.mark.parametrize("k", [2, 3])
def test_cg_logistic_matches_logistic_regression(k):
    rng = np.random.RandomState(0)
    X = StandardScaler().fit_transform(rng.normal(size=(600, 5)))
    z = X @ rng.normal(size=(5, k)) + rng.normal(size=(600, k))
    y = z.argmax(axis=1)
    alpha = 0.01
    est = GDClassifier(solver="cg", alpha=alpha, tol=None, max_iter=300).fit(X, y)
    ref = LogisticRegression(C=1 / (alpha * len(y)), tol=1e-12, max_iter=10_000)
    ref.fit(X, y)
    # lbfgs's own precision at tol=1e-12 is ~1e-8 on the multinomial problem
    assert_allclose(est.coef_, ref.coef_, rtol=1e-6, atol=1e-7)
    # both report centred multinomial intercepts
    assert_allclose(est.intercept_, ref.intercept_, atol=1e-7)
    # and CG's objective is no worse than lbfgs's
    as_ours = GDClassifier(alpha=alpha, max_iter=1, tol=None).fit(X, y)
    as_ours.coef_, as_ours.intercept_ = ref.coef_, ref.intercept_
    assert objective_value(est, X, y) <= objective_value(as_ours, X, y) + 1e-14


@pytest.mark.parametrize("loss", ["huber", "squared_hinge", "modified_huber"])
def test_cg_reaches_the_gradient_descent_optimum(loss):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4))
    if loss == "huber":
        y = X @ [1.0, -2.0, 0.5, 0.0] + rng.standard_t(2, size=300)
        Est, kw = GDRegressor, {"epsilon": 1.0}
    else:
        y = (X @ [1.0, -2.0, 0.5, 0.0] + rng.normal(size=300) > 0).astype(int)
        Est, kw = GDClassifier, {}
    cg = Est(solver="cg", loss=loss, alpha=0.01, tol=None, max_iter=500, **kw)
    gd = Est(
        loss=loss, alpha=0.01, tol=None, max_iter=20_000, optimizer="nesterov", **kw
    )
    cg.fit(X, y)
    gd.fit(X, y)
    f_cg, f_gd = objective_value(cg, X, y), objective_value(gd, X, y)
    assert f_cg <= f_gd + 1e-12
    assert_allclose(cg.coef_, gd.coef_, rtol=1e-5, atol=1e-7)


def test_cg_objective_decreases_every_iteration_and_counts():
    X, y = _ridge_data(n=500, d=6)
    yc = (y > np.median(y)).astype(int)
    Xs = StandardScaler().fit_transform(X)
    est = GDClassifier(solver="cg", alpha=1e-3, tol=None, max_iter=40).fit(Xs, yc)
    curve = est.loss_curve_
    assert np.all(np.diff(curve) < 0)  # Armijo at every accepted step
    assert est.n_iter_ == len(curve) == est.t_
    assert est.n_grad_evals_ == est.n_iter_ + 1
    assert np.isnan(est.learning_rate_)
    assert np.all(np.isnan(est.learning_rate_curve_))
    # the first entry is the objective at w = 0: log(2)
    assert curve[0] == pytest.approx(np.log(2), rel=1e-12)


def test_cg_float32_sparse_and_partial_fit():
    X, y = _ridge_data(n=300, d=4)
    X = StandardScaler().fit_transform(X)
    ref = GDRegressor(solver="cg", tol=None, max_iter=20).fit(X, y)
    est32 = GDRegressor(solver="cg", tol=None, max_iter=20).fit(X.astype(np.float32), y)
    assert est32.coef_.dtype == np.float32
    assert_allclose(est32.coef_, ref.coef_, rtol=1e-4)
    est_sp = GDRegressor(solver="cg", tol=None, max_iter=20).fit(sp.csr_matrix(X), y)
    assert_allclose(est_sp.coef_, ref.coef_, rtol=1e-10)
    # partial_fit continues with the gradient-descent engine (as after TNC)
    ref.partial_fit(X, y)
    assert np.isfinite(ref.learning_rate_) and ref.learning_rate_ > 0


def test_cg_default_tol_stops_and_warns_only_when_it_must():
    X, y = _ridge_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = GDRegressor(solver="cg", alpha=0.01).fit(X, y)  # converges quietly
    assert est.n_iter_ < 100
    with pytest.warns(Warning, match="maximum number of iterations"):
        GDRegressor(solver="cg", alpha=0.01, max_iter=2).fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"penalty": "l1"}, "non-differentiable L1 part"),
        ({"penalty": "elasticnet"}, "non-differentiable L1 part"),
        ({"loss": "epsilon_insensitive"}, "not differentiable"),
    ],
)
def test_cg_rejects_nonsmooth_objectives(params, match):
    X, y = _ridge_data(n=50, d=3)
    with pytest.raises(ValueError, match=f"solver='cg'.*{match}"):
        GDRegressor(solver="cg", **params).fit(X, y)
    with pytest.raises(ValueError, match="solver='cg'"):
        GDClassifier(solver="cg", loss="hinge").fit(X, y > y.mean())
