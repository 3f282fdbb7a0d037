"""Scaling out on a real dask.distributed LocalCluster (2 worker processes,
loopback only): full-batch GD on dask arrays, dask-ml's Incremental, and
GridSearchCV under joblib's dask backend, each against the in-memory fit.

Skipped when the ``dask`` extra is not installed (``make test`` installs it).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_gd import (
    GDClassifier,
    GDRegressor,
    MomentumSGDClassifier,
    MomentumSGDRegressor,
)
from sklearn_gd.optimizers import BarzilaiBorwein
from sklearn_gd.schedules import CosineDecay, ExponentialDecay, ReduceLROnPlateau

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
dask_ml_wrappers = pytest.importorskip("dask_ml.wrappers")

# One cluster per pytest-xdist worker process: keep this module on one worker.
# Every test is bounded in time (pytest-timeout), so a stuck cluster fails.
pytestmark = [pytest.mark.xdist_group("dask"), pytest.mark.timeout(180)]


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # port / memory-limit notices
        cluster = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
            worker_dashboard_address=":0",
            silence_logs=40,
        )
    client = distributed.Client(cluster, timeout="60s")
    try:
        client.wait_for_workers(2, timeout=60)
        yield client
    finally:
        client.close()
        cluster.close()


def _regression(n=3000, d=12, seed=0):
    X, y = make_regression(n, d, noise=5.0, bias=3.0, random_state=seed)
    return X, y


def _classification(n=3000, d=10, k=3, seed=0):
    X, y = make_classification(
        n, d, n_informative=6, n_classes=k, random_state=seed, class_sep=0.8
    )
    return X, y


def _blocks(A, rows=400):
    chunks = (rows,) if A.ndim == 1 else (rows, A.shape[1])
    return da.from_array(A, chunks=chunks)


def _close(a, b, rtol=1e-10):
    scale = max(np.abs(b).max(), 1.0)
    np.testing.assert_allclose(a, b, rtol=0, atol=rtol * scale)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"optimizer": "nesterov", "penalty": "l1", "alpha": 0.5},
        {"optimizer": BarzilaiBorwein(), "penalty": "elasticnet", "alpha": 0.1},
        {"optimizer": "adam", "learning_rate": 0.5, "schedule": CosineDecay(30)},
        {"loss": "huber", "epsilon": 2.0, "clip_norm": 50.0},
        {"fit_intercept": False, "schedule": ReduceLROnPlateau(patience=1)},
    ],
    ids=["auto", "nesterov-l1", "bb-enet", "adam-cosine", "huber-clip", "plateau"],
)
def test_gd_regressor_on_dask_equals_in_memory(client, params):
    X, y = _regression()
    est = GDRegressor(max_iter=25, tol=None, **params)
    ref = clone(est).fit(X, y)
    out = clone(est).fit(_blocks(X), _blocks(y))
    assert out.n_iter_ == ref.n_iter_ == 25
    _close(out.coef_, ref.coef_)
    _close(out.intercept_, ref.intercept_)
    _close(out.loss_curve_, ref.loss_curve_)
    assert out.learning_rate_ == pytest.approx(ref.learning_rate_, rel=1e-12)
    assert out.n_features_in_ == X.shape[1]
    pred = out.predict(_blocks(X))
    assert isinstance(pred, da.Array)
    _close(pred.compute(), ref.predict(X))


def test_gd_regressor_dask_stops_at_the_same_epoch(client):
    X, y = _regression(n=2000, d=5)
    sw = np.random.RandomState(0).uniform(0.5, 2.0, len(y))
    est = GDRegressor(optimizer="momentum", tol=1e-3, n_iter_no_change=3)
    ref = clone(est).fit(X, y, sample_weight=sw)
    out = clone(est).fit(_blocks(X, 300), _blocks(y, 300), sample_weight=sw)
    assert out.n_iter_ == ref.n_iter_ < 1000
    _close(out.coef_, ref.coef_)


@pytest.mark.parametrize("k", [2, 3])
def test_gd_classifier_on_dask_equals_in_memory(client, k):
    X, y = _classification(k=k)
    labels = np.array(["a", "b", "c"])[y]
    est = GDClassifier(max_iter=20, tol=None, class_weight="balanced")
    ref = clone(est).fit(X, labels)
    out = clone(est).fit(_blocks(X), labels)
    np.testing.assert_array_equal(out.classes_, ref.classes_)
    _close(out.coef_, ref.coef_)
    _close(out.intercept_, ref.intercept_)
    Xd = _blocks(X)
    np.testing.assert_array_equal(out.predict(Xd).compute(), ref.predict(X))
    _close(out.predict_proba(Xd).compute(), ref.predict_proba(X))
    _close(out.decision_function(Xd).compute(), ref.decision_function(X))


def test_float32_dask_trains_in_float32(client):
    X, y = _regression(n=1000, d=4)
    X32 = X.astype(np.float32)
    ref = GDRegressor(max_iter=10, tol=None).fit(X32, y)
    out = GDRegressor(max_iter=10, tol=None).fit(_blocks(X32, 250), y)
    assert out.coef_.dtype == np.float32
    np.testing.assert_allclose(out.coef_, ref.coef_, rtol=1e-5)


def test_dask_unsupported_configurations_raise(client):
    X, y = _regression(n=500, d=3)
    Xd, yd = _blocks(X, 100), _blocks(y, 100)
    cases = [
        (GDRegressor(batch_size=32), "mini-batches would shuffle rows across blocks"),
        (GDRegressor(early_stopping=True), "early_stopping"),
        (GDRegressor(solver="tnc"), "solver='tnc'"),
    ]
    for est, match in cases:
        with pytest.raises(ValueError, match=match):
            est.fit(Xd, yd)
        assert not hasattr(est, "coef_")
    with pytest.raises(ValueError, match="partial_fit takes in-memory chunks"):
        MomentumSGDRegressor().partial_fit(Xd, yd)
    est = GDRegressor(max_iter=5, tol=None).fit(Xd, yd)
    coef = est.coef_.copy()
    bad = X.copy()
    bad[123, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.fit(_blocks(bad, 100), yd)
    np.testing.assert_array_equal(est.coef_, coef)  # left as it was
    with pytest.raises(ValueError, match="2D"):
        GDRegressor().fit(Xd[:, 0], yd)


@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_incremental_in_order_equals_in_memory(client, kind):
    """Incremental over blocks (no shuffling anywhere) is the in-memory fit."""
    if kind == "regressor":
        X, y = _regression()
        est = MomentumSGDRegressor(
            batch_size=50, shuffle=False, learning_rate=0.005, tol=None
        )
        extra = {}
    else:
        X, y = _classification()
        est = MomentumSGDClassifier(
            batch_size=50, shuffle=False, learning_rate=0.05, tol=None
        )
        extra = {"classes": [0, 1, 2]}
    epochs = 3
    inc = dask_ml_wrappers.Incremental(est, shuffle_blocks=False)
    Xd, yd = _blocks(X), _blocks(y)
    for _ in range(epochs):
        inc.partial_fit(Xd, yd, **extra)
    ref = clone(est).set_params(max_iter=epochs).fit(X, y)
    assert inc.estimator_.t_ == ref.t_
    _close(inc.estimator_.coef_, ref.coef_, rtol=1e-12)
    _close(inc.estimator_.intercept_, ref.intercept_, rtol=1e-12)


@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_incremental_shuffled_predicts_like_in_memory(client, kind):
    if kind == "regressor":
        X, y = _regression(n=6000)
        est = MomentumSGDRegressor(batch_size=50, random_state=0)
        extra = {}
    else:
        X, y = _classification(n=6000)
        est = MomentumSGDClassifier(batch_size=50, random_state=0)
        extra = {"classes": [0, 1, 2]}
    Xtr, ytr, Xte, yte = X[:5000], y[:5000], X[5000:], y[5000:]
    ref = clone(est).set_params(max_iter=10, tol=None).fit(Xtr, ytr)
    inc = dask_ml_wrappers.Incremental(clone(est), shuffle_blocks=True, random_state=0)
    for _ in range(10):
        inc.partial_fit(_blocks(Xtr, 500), _blocks(ytr, 500), **extra)
    assert inc.estimator_.t_ == ref.t_
    ref_score = ref.score(Xte, yte)
    pred = inc.predict(_blocks(Xte, 500))  # lazy, computed on the workers
    assert isinstance(pred, da.Array)
    # scikit-learn's metric on the computed predictions: dask-ml 2025.1's own
    # r2_score (behind Incremental.score) fails on dask 2026 ("cannot
    # broadcast shape (nan,)")
    inc_score = (r2_score if kind == "regressor" else accuracy_score)(
        yte, pred.compute()
    )
    assert inc_score == pytest.approx(ref_score, abs=0.02)
    assert ref_score > (0.99 if kind == "regressor" else 0.6)


def test_grid_search_on_the_dask_backend(client):
    import joblib

    X, y = _regression(n=1200, d=6)
    est = GDRegressor(
        max_iter=40, schedule=ExponentialDecay(decay_steps=5, decay_rate=0.9)
    )
    grid = {
        "schedule__decay_rate": [0.5, 0.9, 0.99],
        "schedule__staircase": [False, True],
        "alpha": [1e-4, 1e-1],
    }
    cv = KFold(3, shuffle=True, random_state=0)
    ref = GridSearchCV(est, grid, cv=cv).fit(X, y)
    with distributed.get_task_stream(client) as stream:
        with joblib.parallel_backend("dask"):
            out = GridSearchCV(est, grid, cv=cv, n_jobs=-1).fit(X, y)
    # the fits ran as tasks (joblib batches them) on the cluster's workers
    assert len(stream.data) >= 2
    assert {t["worker"] for t in stream.data} <= set(client.scheduler_info()["workers"])
    assert out.best_params_ == ref.best_params_
    np.testing.assert_allclose(
        out.cv_results_["mean_test_score"],
        ref.cv_results_["mean_test_score"],
        rtol=1e-12,
    )
    assert (
        out.best_estimator_.schedule_.decay_rate
        == ref.best_params_["schedule__decay_rate"]
    )


def test_fit_never_brings_X_to_the_client(client, monkeypatch):
    """Only block sums come back: converting X itself to NumPy is an error."""
    X, y = _classification(n=1200, k=2)
    Xd = _blocks(X, 300)

    def forbidden(self, *args, **kwargs):
        raise AssertionError("a dask array was converted to NumPy on the client")

    monkeypatch.setattr(da.Array, "__array__", forbidden)
    out = GDClassifier(max_iter=5, tol=None).fit(Xd, y)
    ref = GDClassifier(max_iter=5, tol=None).fit(X, y)
    _close(out.coef_, ref.coef_)
    with pytest.raises(AssertionError, match="converted to NumPy"):
        np.asarray(Xd)  # the guard works


def test_dask_warm_start_and_input_errors(client):
    X, y = _regression(n=800, d=4)
    Xd, yd = _blocks(X, 200), _blocks(y, 200)
    ref = GDRegressor(max_iter=5, tol=None, warm_start=True, optimizer="momentum")
    out = clone(ref)
    for _ in range(2):  # the second fit starts from the first one's coefficients
        ref.fit(X, y)
        out.fit(Xd, yd)
    _close(out.coef_, ref.coef_)
    with pytest.raises(ValueError, match="X has 3 features"):
        out.predict(Xd[:, :3])
    sparse = Xd.map_blocks(sp.csr_matrix)
    with pytest.raises(TypeError, match="NumPy blocks"):
        GDRegressor().fit(sparse, yd)


def test_multi_output_on_dask_equals_in_memory(client):
    X, y = _regression()
    Y = np.c_[y, 2 * y + X[:, 0], -y]
    est = GDRegressor(max_iter=20, tol=None)
    ref = clone(est).fit(X, Y)
    out = clone(est).fit(_blocks(X), _blocks(Y))
    assert out.coef_.shape == ref.coef_.shape == (3, X.shape[1])
    _close(out.coef_, ref.coef_)
    _close(out.intercept_, ref.intercept_)
    pred = out.predict(_blocks(X))
    assert pred.shape == (X.shape[0], 3)
    _close(pred.compute(), ref.predict(X))
