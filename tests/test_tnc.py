"""solver='tnc' minimises the same objective; compare_solvers."""

import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

from sklearn_gd import GDClassifier, GDRegressor, MomentumSGDClassifier, compare_solvers
from sklearn_gd.compare import COLUMNS, objective_value
from sklearn_gd.penalties import L1, L2, ElasticNet


def _reg(n=150, d=5, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.7 + 0.3 * rng.normal(size=n)
    return X, y


def _clf(n_classes, seed=0):
    X, y = make_classification(
        200,
        5,
        n_informative=4,
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        random_state=seed,
    )
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("weighted", [False, True])
def test_tnc_equals_gd_regression(weighted):
    X, y = _reg()
    sw = np.random.RandomState(1).uniform(0.2, 3, size=len(y)) if weighted else None
    kw = dict(alpha=0.05, tol=None)
    gd = GDRegressor(max_iter=4000, optimizer="nesterov", **kw).fit(
        X, y, sample_weight=sw
    )
    tnc = GDRegressor(solver="tnc", **kw).fit(X, y, sample_weight=sw)
    assert_allclose(tnc.coef_, gd.coef_, rtol=1e-7, atol=1e-9)
    assert_allclose(tnc.intercept_, gd.intercept_, rtol=1e-7)
    if sw is None:
        ref = Ridge(alpha=0.05 * len(y)).fit(X, y)
        assert_allclose(tnc.coef_, ref.coef_, rtol=1e-7)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_tnc_equals_gd_classification(n_classes, weighted):
    X, y = _clf(n_classes)
    sw = np.random.RandomState(2).uniform(0.2, 3, size=len(y)) if weighted else None
    kw = dict(alpha=0.01, tol=None)
    gd = GDClassifier(max_iter=4000, optimizer="nesterov", **kw).fit(
        X, y, sample_weight=sw
    )
    tnc = GDClassifier(solver="tnc", **kw).fit(X, y, sample_weight=sw)
    assert tnc.coef_.shape == gd.coef_.shape
    assert_allclose(tnc.coef_, gd.coef_, rtol=1e-6, atol=1e-7)
    assert_allclose(tnc.predict_proba(X), gd.predict_proba(X), atol=1e-7)
    if sw is None:
        ref = LogisticRegression(C=1 / (0.01 * len(y)), tol=1e-12, max_iter=10000).fit(
            X, y
        )
        assert_allclose(tnc.coef_, ref.coef_, rtol=1e-5, atol=1e-6)


def test_tnc_attributes():
    X, y = _reg()
    est = GDRegressor(solver="tnc").fit(X, y)
    assert est.n_iter_ == len(est.loss_curve_) >= 1
    assert est.n_grad_evals_ >= est.n_iter_
    assert np.all(np.diff(est.loss_curve_) <= 1e-12)  # TNC decreases the objective
    assert est.loss_curve_[-1] == pytest.approx(objective_value(est, X, y), rel=1e-10)
    assert est.learning_rate_curve_.shape == est.loss_curve_.shape


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(penalty="l1"), "penalty"),
        (dict(penalty=L1()), "penalty"),
        (dict(penalty="elasticnet"), "penalty"),
        (dict(penalty=ElasticNet(0.5)), "penalty"),
        (dict(loss="epsilon_insensitive"), "epsilon_insensitive"),
    ],
)
def test_tnc_rejects_non_smooth_regression(params, match):
    X, y = _reg()
    with pytest.raises(ValueError, match=match) as exc:
        GDRegressor(solver="tnc", **params).fit(X, y)
    assert "solver='gd'" in str(exc.value)


def test_tnc_rejects_hinge_and_accepts_smooth_losses():
    X, y = _clf(2)
    with pytest.raises(ValueError, match="hinge"):
        GDClassifier(solver="tnc", loss="hinge").fit(X, y)
    for loss in ("squared_hinge", "modified_huber", "log_loss"):
        GDClassifier(solver="tnc", loss=loss).fit(X, y)
    GDRegressor(solver="tnc", loss="huber", penalty=None).fit(*_reg())
    GDRegressor(solver="tnc", penalty=L2()).fit(*_reg())


@pytest.mark.parametrize("n_classes", [2, 3])
def test_compare_solvers_table(n_classes):
    X, y = _clf(n_classes)
    table = compare_solvers(GDClassifier(alpha=0.01, tol=1e-9, max_iter=3000), X, y)
    cols = list(table.columns) if hasattr(table, "columns") else list(table)
    assert cols[:5] == COLUMNS
    solvers = list(table["solver"])
    assert solvers == ["gd", "tnc"]
    obj = np.asarray(table["objective"], dtype=float)
    assert obj[0] == pytest.approx(obj[1], rel=1e-6)
    diff = np.asarray(table["max_abs_coef_diff"], dtype=float)
    assert diff[1] == 0.0 and diff[0] < 1e-3
    assert all(t > 0 for t in table["fit_time"])
    assert all(int(n) >= 1 for n in table["n_grad_evals"])


def test_compare_solvers_minibatch_estimator_counts_epochs():
    X, y = _clf(2)
    table = compare_solvers(
        MomentumSGDClassifier(random_state=0, max_iter=20, tol=None), X, y
    )
    assert int(np.asarray(table["n_grad_evals"])[0]) == 20


def test_compare_solvers_without_pandas(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    X, y = _reg()
    table = compare_solvers(GDRegressor(), X, y)
    assert isinstance(table, dict)
    assert list(table)[:5] == COLUMNS
    assert len({len(v) for v in table.values()}) == 1
