"""Estimators: convergence to scikit-learn's own solvers, conventions, input."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_diabetes, make_classification
from sklearn.linear_model import ElasticNet as SkElasticNet
from sklearn.linear_model import Lasso, LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_gd import (
    GDClassifier,
    GDRegressor,
    MomentumSGDClassifier,
    MomentumSGDRegressor,
)
from sklearn_gd.penalties import L1, ElasticNet
from sklearn_gd.schedules import ExponentialDecay


def _regression(n=200, d=6, n_informative=None, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d))
    X = (X - X.mean(0)) / X.std(0)
    coef = rng.uniform(-3, 3, size=d)
    if n_informative is not None:
        coef[n_informative:] = 0.0
    y = X @ coef + 1.5 + 0.5 * rng.normal(size=n)
    return X, y


def _close(ours, ref, rel=1e-4):
    ref = np.asarray(ref)
    assert_allclose(ours, ref, rtol=rel, atol=rel * np.max(np.abs(ref)))


# ------------------------------------------------------------- convergence
def test_l2_equals_ridge():
    X, y = _regression()
    a = 0.05
    ours = GDRegressor(penalty="l2", alpha=a, tol=None, max_iter=3000).fit(X, y)
    ref = Ridge(alpha=a * X.shape[0]).fit(X, y)
    _close(ours.coef_, ref.coef_)
    _close(ours.intercept_, [ref.intercept_])
    assert ours.coef_.shape == (6,) and ours.intercept_.shape == (1,)


def test_l1_equals_lasso_with_exact_zeros():
    X, y = _regression(n_informative=3)
    a = 0.2
    ours = GDRegressor(penalty="l1", alpha=a, tol=None, max_iter=3000).fit(X, y)
    ref = Lasso(alpha=a, tol=1e-12, max_iter=100000).fit(X, y)
    _close(ours.coef_, ref.coef_)
    _close(ours.intercept_, [ref.intercept_])
    assert np.sum(ref.coef_ == 0) >= 2
    assert_array_equal(ours.coef_ == 0.0, ref.coef_ == 0.0)


def test_elasticnet_equals_sklearn_elasticnet():
    X, y = _regression(n_informative=4)
    a, r = 0.3, 0.6
    ours = GDRegressor(
        penalty=ElasticNet(l1_ratio=r), alpha=a, tol=None, max_iter=3000
    ).fit(X, y)
    ref = SkElasticNet(alpha=a, l1_ratio=r, tol=1e-12, max_iter=100000).fit(X, y)
    _close(ours.coef_, ref.coef_)
    assert_array_equal(ours.coef_ == 0.0, ref.coef_ == 0.0)
    # the string name is ElasticNet(l1_ratio=0.15)
    est = GDRegressor(penalty="elasticnet", alpha=a, tol=None, max_iter=3000).fit(X, y)
    ref = SkElasticNet(alpha=a, l1_ratio=0.15, tol=1e-12, max_iter=100000).fit(X, y)
    _close(est.coef_, ref.coef_)


def test_log_loss_l2_equals_logistic_regression_binary():
    X, y = make_classification(300, 5, n_informative=3, random_state=0)
    X = StandardScaler().fit_transform(X)
    a = 0.01
    ours = GDClassifier(alpha=a, tol=None, max_iter=3000, optimizer="nesterov").fit(
        X, y
    )
    ref = LogisticRegression(C=1 / (a * len(y)), tol=1e-12, max_iter=10000).fit(X, y)
    _close(ours.coef_, ref.coef_)
    _close(ours.intercept_, ref.intercept_)
    assert ours.coef_.shape == (1, 5) and ours.intercept_.shape == (1,)
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-5)


def test_log_loss_l2_equals_logistic_regression_multinomial():
    X, y = make_classification(
        300, 6, n_informative=4, n_classes=3, n_clusters_per_class=1, random_state=1
    )
    X = StandardScaler().fit_transform(X)
    a = 0.01
    ours = GDClassifier(alpha=a, tol=None, max_iter=3000, optimizer="nesterov").fit(
        X, y
    )
    ref = LogisticRegression(C=1 / (a * len(y)), tol=1e-12, max_iter=10000).fit(X, y)
    _close(ours.coef_, ref.coef_)
    # intercepts of a softmax are defined up to a common shift
    _close(
        ours.intercept_ - ours.intercept_.mean(), ref.intercept_ - ref.intercept_.mean()
    )
    assert ours.coef_.shape == (3, 6) and ours.intercept_.shape == (3,)
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-5)


def test_one_vs_rest_is_the_sum_of_binary_problems():
    X, y = make_classification(
        200, 4, n_informative=3, n_redundant=0, n_classes=3, random_state=0
    )
    kw = dict(  # plain steps: an accelerated run restarts on all classes at once
        loss="squared_hinge", alpha=0.01, tol=None, max_iter=50, learning_rate=0.05,
        optimizer="sgd",
    )  # fmt: skip
    multi = GDClassifier(**kw).fit(X, y)
    for k in range(3):
        binary = GDClassifier(**kw).fit(X, y == k)
        assert_allclose(multi.coef_[k], binary.coef_[0], rtol=1e-12)
        assert_allclose(multi.intercept_[k], binary.intercept_[0], rtol=1e-12)
    per_class = [GDClassifier(**kw).fit(X, y == k).loss_curve_ for k in range(3)]
    assert_allclose(multi.loss_curve_, np.sum(per_class, axis=0), rtol=1e-10)


@pytest.mark.parametrize(
    "loss", ["hinge", "modified_huber", "squared_hinge", "log_loss"]
)
def test_classification_losses_learn(loss):
    X, y = make_classification(300, 5, n_informative=3, random_state=1, class_sep=1.5)
    X = StandardScaler().fit_transform(X)
    reference = LogisticRegression().fit(X, y).score(X, y)  # 0.92
    est = GDClassifier(loss=loss, max_iter=300).fit(X, y)
    assert est.score(X, y) >= reference - 0.02


@pytest.mark.parametrize("loss", ["huber", "epsilon_insensitive"])
def test_robust_regression_losses_learn(loss):
    X, y = _regression()
    y = y / y.std()
    est = GDRegressor(loss=loss, epsilon=0.5, max_iter=2000, tol=None).fit(X, y)
    assert est.score(X, y) > 0.9


# -------------------------------------------------------------- defaults
@pytest.mark.parametrize("Est", [GDClassifier, MomentumSGDClassifier])
def test_default_classifiers_on_breast_cancer(Est):
    X, y = load_breast_cancer(return_X_y=True)
    scores = cross_val_score(make_pipeline(StandardScaler(), Est(random_state=0)), X, y)
    assert scores.mean() >= 0.95


@pytest.mark.parametrize("Est", [GDRegressor, MomentumSGDRegressor])
def test_default_regressors_on_diabetes(Est):
    X, y = load_diabetes(return_X_y=True)
    scores = cross_val_score(make_pipeline(StandardScaler(), Est(random_state=0)), X, y)
    assert scores.mean() >= 0.45


# ------------------------------------------------------------ conventions
def test_sample_weight_equals_repetition_full_batch():
    X, y = _regression(n=50)
    w = np.random.RandomState(0).randint(0, 4, size=50)
    a = GDRegressor(max_iter=200, tol=None).fit(X, y, sample_weight=w)
    b = GDRegressor(max_iter=200, tol=None).fit(np.repeat(X, w, 0), np.repeat(y, w))
    assert_allclose(a.coef_, b.coef_, rtol=1e-9)
    assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-9)


def test_class_weight_is_sample_weight():
    X, y = make_classification(200, 4, weights=[0.8], random_state=0)
    a = GDClassifier(class_weight="balanced", max_iter=100, tol=None).fit(X, y)
    n0, n1 = np.bincount(y)
    sw = np.where(y == 0, 200 / (2 * n0), 200 / (2 * n1))
    b = GDClassifier(max_iter=100, tol=None).fit(X, y, sample_weight=sw)
    assert_allclose(a.coef_, b.coef_, rtol=1e-12)


def test_minibatch_updates_by_hand():
    """Two batches, no shuffling, plain SGD: the updates of the API."""
    X, y = _regression(n=10, d=3)
    sw = np.arange(1.0, 11.0)
    lr, alpha = 0.05, 0.1
    est = GDRegressor(
        batch_size=6, shuffle=False, learning_rate=lr, alpha=alpha, max_iter=1, tol=None
    ).fit(X, y, sample_weight=sw)
    w, b = np.zeros(3), 0.0
    mean_sw = sw.mean()
    for sl in (slice(0, 6), slice(6, 10)):
        r = X[sl] @ w + b - y[sl]
        norm = len(r) * mean_sw  # |B| * mean weight, not the batch's weight sum
        gw = X[sl].T @ (sw[sl] * r) / norm + alpha * w
        gb = np.sum(sw[sl] * r) / norm
        w, b = w - lr * gw, b - lr * gb
    assert_allclose(est.coef_, w, rtol=1e-12)
    assert_allclose(est.intercept_, [b], rtol=1e-12)
    assert est.t_ == 2 and est.n_iter_ == 1


def test_clip_norm_scales_whole_gradient():
    X, y = _regression(n=30, d=3)
    lr, c = 0.1, 0.5
    est = GDRegressor(
        learning_rate=lr, clip_norm=c, alpha=0.0, max_iter=1, tol=None
    ).fit(X, y)
    g = np.concatenate([X.T @ (-y) / 30, [np.mean(-y)]])
    assert np.linalg.norm(g) > c
    step = -lr * g * c / np.linalg.norm(g)
    assert_allclose(np.r_[est.coef_, est.intercept_], step, rtol=1e-12)


def test_loss_curve_is_the_objective_full_batch():
    X, y = _regression(n=40, d=3)
    est = GDRegressor(alpha=0.1, max_iter=3, tol=None).fit(X, y)
    prev = GDRegressor(alpha=0.1, max_iter=2, tol=None).fit(X, y)
    r = X @ prev.coef_ + prev.intercept_ - y
    f = 0.5 * np.mean(r**2) + 0.1 * 0.5 * np.sum(prev.coef_**2)
    # loss_curve_[k] is the objective at the iterate epoch k started from
    assert est.loss_curve_[2] == pytest.approx(f, rel=1e-12)
    assert est.loss_curve_[0] == pytest.approx(0.5 * np.mean(y**2), rel=1e-12)


def _ridge_gradient(X, y, alpha, coef, intercept):
    r = X @ coef + intercept - y
    return np.r_[X.T @ r / len(y) + alpha * coef, r.mean()]


def test_full_batch_tol_is_the_relative_gradient_norm():
    X, y = _regression()
    alpha = 0.01
    g0 = np.linalg.norm(_ridge_gradient(X, y, alpha, np.zeros(X.shape[1]), 0.0))
    n_iters = []
    for tol in (1e-2, 1e-4, 1e-6):
        est = GDRegressor(alpha=alpha, tol=tol, max_iter=5000).fit(X, y)
        g = np.linalg.norm(_ridge_gradient(X, y, alpha, est.coef_, est.intercept_))
        # the rule holds at the iterate the last epoch started from; a gradient
        # step at 1/L does not increase the gradient norm on a quadratic
        assert g <= tol * g0
        n_iters.append(est.n_iter_)
    assert n_iters[0] < n_iters[1] < n_iters[2] < 5000  # a looser tol stops sooner
    # the same rule whatever the scale of the target: y * 1000 stops alike
    scaled = GDRegressor(alpha=alpha, tol=1e-4, max_iter=5000).fit(X, 1000 * y)
    assert scaled.n_iter_ == pytest.approx(n_iters[1], abs=1)


def test_mini_batch_tol_stops_like_scikit_learn():
    X, y = _regression()
    est = MomentumSGDRegressor(tol=1e-3, n_iter_no_change=3, random_state=0)
    est.fit(X, y)
    assert est.n_iter_ < 1000
    curve = est.loss_curve_
    best = np.minimum.accumulate(curve)
    # the last three epochs did not improve on the best by tol
    assert np.all(curve[-3:] > best[-4] - 1e-3)


def test_early_stopping_records_validation_scores():
    X, y = make_classification(400, 5, random_state=0)
    est = MomentumSGDClassifier(early_stopping=True, random_state=0, max_iter=200).fit(
        X, y
    )
    assert len(est.validation_scores_) == est.n_iter_
    assert est.n_iter_ < 200
    assert GDClassifier(max_iter=5).fit(X, y).validation_scores_ is None


def test_warm_start_continues_from_coefficients():
    X, y = _regression()
    a = GDRegressor(max_iter=3, tol=None, warm_start=True).fit(X, y)
    a.fit(X, y)
    b = GDRegressor(max_iter=6, tol=None).fit(X, y)
    assert_allclose(a.coef_, b.coef_, rtol=1e-12)


@pytest.mark.parametrize("shuffle", [True, "batch"])
@pytest.mark.parametrize("Est", [MomentumSGDRegressor, GDRegressor])
def test_partial_fit_is_one_epoch_of_fit(Est, shuffle):
    X, y = _regression()
    kw = dict(batch_size=16, random_state=3, tol=None, shuffle=shuffle)
    one = Est(max_iter=1, **kw).fit(X, y)
    pf = Est(**kw).partial_fit(X, y)
    assert_allclose(pf.coef_, one.coef_, rtol=1e-14)
    # and continues t_, the schedule, the optimizer state and the shuffling
    two = Est(max_iter=2, schedule=ExponentialDecay(5, 0.5), **kw).fit(X, y)
    pf = (
        Est(schedule=ExponentialDecay(5, 0.5), **kw).partial_fit(X, y).partial_fit(X, y)
    )
    assert pf.t_ == two.t_ == 26
    assert_allclose(pf.coef_, two.coef_, rtol=1e-12)
    assert_allclose(pf.learning_rate_curve_, two.learning_rate_curve_, rtol=1e-14)
    assert pf.n_iter_ == 2 and len(pf.loss_curve_) == 2


def test_partial_fit_classifier_classes():
    X, y = make_classification(
        100, 4, n_classes=3, n_informative=3, n_redundant=0, random_state=0
    )
    est = MomentumSGDClassifier(random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        est.partial_fit(X, y)
    est.partial_fit(X[:50], y[:50], classes=[0, 1, 2])
    est.partial_fit(X[50:], y[50:])
    assert est.coef_.shape == (3, 4)
    with pytest.raises(ValueError, match="not in classes"):
        est.partial_fit(X, np.where(y == 2, 7, y))
    with pytest.raises(ValueError, match="not the same"):
        est.partial_fit(X, y, classes=[0, 1])


def test_float32_trains_in_float32():
    X, y = _regression()
    est = GDRegressor(max_iter=50).fit(X.astype(np.float32), y.astype(np.float32))
    assert est.coef_.dtype == np.float32 and est.intercept_.dtype == np.float32
    ref = GDRegressor(max_iter=50).fit(X, y)
    assert_allclose(est.coef_, ref.coef_, rtol=1e-4)
    Xc, yc = make_classification(
        100, 4, n_classes=3, n_informative=3, n_redundant=0, random_state=0
    )
    clf = MomentumSGDClassifier(random_state=0).fit(Xc.astype(np.float32), yc)
    assert clf.coef_.dtype == np.float32


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("Est", [GDClassifier, MomentumSGDClassifier, GDRegressor])
def test_sparse_equals_dense(fmt, Est):
    X, y = make_classification(120, 6, random_state=0)
    X[X < 0.3] = 0.0
    if Est is GDRegressor:
        y = X @ np.arange(6.0)
    dense = Est(random_state=0, max_iter=20, tol=None).fit(X, y)
    sparse = Est(random_state=0, max_iter=20, tol=None).fit(
        sp.csr_matrix(X).asformat(fmt), y
    )
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-10, atol=1e-12)


def test_fit_does_not_copy_X():
    import tracemalloc

    rng = np.random.RandomState(0)
    X = rng.normal(size=(100_000, 50))  # 40 MB; the shuffling buffers are 2 x 8 MB
    y = (X[:, 0] > 0).astype(int)
    # 40 MB of float32 as well
    X32 = np.vstack([X, X]).astype(np.float32)
    y32 = np.r_[y, y]
    in_place = dict(max_iter=1, batch_size=256, shuffle="batch")  # no gather buffers:
    # what remains is per-row vectors (targets, weights), ~10% of X here
    for est, data, target, bound in [
        (GDClassifier(max_iter=3), X, y, 0.5),
        (MomentumSGDClassifier(max_iter=1, batch_size=256), X, y, 0.5),
        (GDClassifier(max_iter=3), X32, y32, 0.5),  # float32 is never up-cast
        (MomentumSGDClassifier(max_iter=1, batch_size=256), X32, y32, 0.5),
        (MomentumSGDClassifier(**in_place), X, y, 0.15),
        (MomentumSGDClassifier(**in_place), X32, y32, 0.15),
    ]:
        tracemalloc.start()
        est.fit(data, target)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < bound * data.nbytes, (type(est).__name__, data.dtype, peak)


def test_verbose_prints_one_line_per_epoch(capsys):
    X, y = _regression(n=30)
    GDRegressor(max_iter=4, tol=None, verbose=1).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4
    assert all(
        "objective=" in ln and "learning rate=" in ln and "time=" in ln for ln in lines
    )


def test_auto_learning_rate_is_one_over_lipschitz_full_batch():
    X, y = _regression(n=100, d=4)
    est = GDRegressor(alpha=0.0, max_iter=1).fit(X, y)
    Xt = np.c_[X, np.ones(100)]
    L = np.linalg.eigvalsh(Xt.T @ Xt / 100).max()
    # a few power iterations approach L from below: the step is 1/L up to 1%
    assert 0.99 / L <= est.learning_rate_ <= 1.01 / L


@pytest.mark.parametrize("batch_size", [1, 8, 32])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov"])
def test_auto_learning_rate_is_safe_for_minibatches(batch_size, optimizer):
    """Badly scaled data, no tuning: mini-batch training stays finite and fits."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 5)) * np.array([1, 10, 100, 0.1, 1000])
    y = X @ rng.normal(size=5) / 100 + rng.normal(size=300)
    est = GDRegressor(
        batch_size=batch_size,
        optimizer=optimizer,
        max_iter=30,
        tol=None,
        random_state=0,
    ).fit(X, y)
    assert np.all(np.isfinite(est.coef_)) and np.all(np.isfinite(est.loss_curve_))
    assert est.loss_curve_[-1] < est.loss_curve_[0]


# ------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input_is_rejected(bad):
    X, y = _regression(n=20)
    X[3, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        GDRegressor().fit(X, y)


def test_wrong_shapes():
    X, y = _regression(n=20)
    with pytest.raises(ValueError):
        GDRegressor().fit(X, y[:-1])
    est = GDRegressor(max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        est.predict(X[:, :3])
    with pytest.raises(ValueError, match="2D"):
        est.predict(X[0])


def test_one_class_is_rejected():
    X = np.random.RandomState(0).normal(size=(10, 2))
    with pytest.raises(ValueError, match="one class"):
        GDClassifier().fit(X, np.ones(10))


def test_zero_weight_sum_is_rejected():
    X, y = _regression(n=10)
    with pytest.raises(ValueError, match="sum to zero"):
        GDRegressor().fit(X, y, sample_weight=np.zeros(10))


@pytest.mark.parametrize(
    "params",
    [
        {"alpha": -1.0},
        {"learning_rate": 0.0},
        {"learning_rate": "fast"},
        {"batch_size": 0},
        {"penalty": "l3"},
        {"schedule": "sometimes"},
        {"optimizer": "lbfgs"},
        {"clip_norm": -1.0},
        {"solver": "newton"},
        {"loss": "hinge"},
        {"max_iter": 0},
    ],
)
def test_invalid_parameters(params):
    X, y = _regression(n=10)
    with pytest.raises(InvalidParameterError):
        GDRegressor(**params).fit(X, y)


@pytest.mark.parametrize(
    "optimizer", ["sgd", "momentum", "nesterov", "adam", "rmsprop", "adagrad"]
)
def test_divergence_raises_and_keeps_previous_state(optimizer):
    X, y = _regression(n=50)
    X = X * 1e3
    est = GDRegressor(optimizer=optimizer, warm_start=True, max_iter=5, tol=None)
    est.set_params(learning_rate=1e-9).fit(X, y)
    coef, t = est.coef_.copy(), est.t_
    est.set_params(
        learning_rate=1e12 if optimizer in ("sgd", "momentum", "nesterov") else 1e150
    )
    with pytest.raises(
        ValueError, match=r"learning_rate=1e\+\d+.*epoch|epoch.*learning_rate"
    ):
        est.fit(X, y)
    assert_array_equal(est.coef_, coef)
    assert est.t_ == t and np.all(np.isfinite(est.coef_))


def test_divergence_message_names_learning_rate_and_epoch():
    X, y = _regression(n=50)
    with pytest.raises(ValueError, match=r"diverged at epoch \d+.*learning_rate=1000"):
        GDRegressor(learning_rate=1000.0, max_iter=50).fit(X * 10, y)


def test_clipping_rescues_a_large_learning_rate():
    X, y = _regression(n=100)
    est = GDRegressor(learning_rate=5.0, clip_norm=1.0, max_iter=50, tol=None).fit(X, y)
    assert np.all(np.isfinite(est.coef_))


# ----------------------------------------------------- sklearn integration
def test_pipeline_grid_search_nested_parameters_parallel():
    X, y = _regression(n=120)
    pipe = make_pipeline(
        StandardScaler(),
        GDRegressor(
            penalty=ElasticNet(l1_ratio=0.5),
            schedule=ExponentialDecay(decay_steps=10, decay_rate=0.9),
            max_iter=50,
            optimizer="sgd",  # plain steps: 50 of them, the decay rate matters
        ),
    )
    grid = GridSearchCV(
        pipe,
        {
            "gdregressor__penalty__l1_ratio": [0.1, 0.9],
            "gdregressor__schedule__decay_rate": [0.5, 0.99],
            "gdregressor__alpha": [1e-4, 1.0],
        },
        cv=3,
        n_jobs=2,
    ).fit(X, y)
    assert grid.best_params_["gdregressor__alpha"] == 1e-4
    assert grid.best_params_["gdregressor__schedule__decay_rate"] == 0.99
    assert grid.best_score_ > 0.9


def test_pickle_round_trip_and_continue():
    X, y = _regression(n=80)
    est = MomentumSGDRegressor(random_state=0, tol=None, max_iter=3).fit(X, y)
    clone_ = pickle.loads(pickle.dumps(est))
    assert_allclose(clone_.predict(X), est.predict(X))
    est.partial_fit(X, y)
    clone_.partial_fit(X, y)
    assert_allclose(clone_.coef_, est.coef_, rtol=1e-14)


def test_constructor_arguments_are_not_mutated():
    X, y = _regression(n=40)
    pen, sched = L1(), ExponentialDecay(5, 0.5)
    est = GDRegressor(penalty=pen, schedule=sched, max_iter=3).fit(X, y)
    assert est.penalty is pen and est.schedule is sched
    assert est.penalty_ is not pen and est.schedule_ is not sched
    assert clone(est).get_params()["schedule"].get_params() == sched.get_params()


def test_predict_proba_availability():
    X, y = make_classification(60, 3, n_informative=2, n_redundant=0, random_state=0)
    assert hasattr(GDClassifier(loss="log_loss").fit(X, y), "predict_proba")
    assert hasattr(GDClassifier(loss="modified_huber").fit(X, y), "predict_proba")
    assert not hasattr(GDClassifier(loss="hinge").fit(X, y), "predict_proba")
    p = GDClassifier().fit(X, y).predict_log_proba(X)
    assert p.shape == (60, 2) and np.all(p <= 0)
