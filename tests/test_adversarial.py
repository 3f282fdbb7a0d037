"""Adversarial inputs, interruption, concurrency and persistence."""

import pickle
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from sklearn_gd import (
    GDClassifier,
    GDRegressor,
    MomentumSGDClassifier,
    MomentumSGDRegressor,
)
from sklearn_gd.schedules import SCHEDULE_NAMES, ExponentialDecay, Schedule

ALL = [GDRegressor, GDClassifier, MomentumSGDRegressor, MomentumSGDClassifier]


def _data(Est, n=60, d=4, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((n, d))
    if "Classifier" in Est.__name__:
        y = (X[:, 0] + 0.3 * rng.standard_normal(n) > 0).astype(int)
    else:
        y = X @ np.arange(1.0, d + 1) + 0.1 * rng.standard_normal(n)
    return X, y


@pytest.mark.parametrize("Est", ALL)
def test_constant_and_all_zero_columns(Est):
    X, y = _data(Est)
    X[:, 1] = 0.0
    X[:, 2] = 7.5
    est = Est(random_state=0, max_iter=50).fit(X, y)
    assert np.all(np.isfinite(est.coef_))
    assert np.all(np.atleast_2d(est.coef_)[:, 1] == 0.0)  # no signal, L2: stays 0


@pytest.mark.parametrize("Est", [GDRegressor, MomentumSGDRegressor])
def test_single_sample_regression(Est):
    est = Est(max_iter=20).fit([[1.0, 2.0]], [3.0])
    assert np.all(np.isfinite(est.coef_))
    assert est.predict([[1.0, 2.0]]).shape == (1,)


def test_single_sample_classifier_is_one_class():
    with pytest.raises(ValueError, match="one class"):
        GDClassifier().fit([[1.0, 2.0]], [1])


@pytest.mark.parametrize("Est", ALL)
def test_duplicate_rows_equal_weights(Est):
    X, y = _data(Est, n=30)
    kw = dict(max_iter=30, tol=None, shuffle=False, batch_size=None)
    a = Est(**kw).fit(np.vstack([X, X]), np.r_[y, y])
    b = Est(**kw).fit(X, y, sample_weight=np.full(30, 2.0))
    assert_allclose(a.coef_, b.coef_, rtol=1e-10)


@pytest.mark.parametrize("Est", ALL)
def test_extreme_feature_scales_are_caught_not_nan(Est):
    X, y = _data(Est)
    X[:, 0] *= 1e300
    X[:, 1] *= 1e-300
    est = Est(random_state=0, max_iter=20)
    try:
        est.fit(X, y)
    except ValueError as exc:  # overflow reported, estimator untouched
        assert "diverged" in str(exc) or "not finite" in str(exc)
        assert not hasattr(est, "coef_")
    else:
        assert np.all(np.isfinite(est.coef_)) and np.all(np.isfinite(est.intercept_))
        assert np.all(np.isfinite(est.predict(X[:5] / 1e300)))


@pytest.mark.parametrize("Est", ALL)
def test_huge_learning_rate_on_huge_features(Est):
    X, y = _data(Est)
    X *= 1e150
    with pytest.raises(ValueError, match="learning_rate"):
        Est(learning_rate=1e10, random_state=0, max_iter=20).fit(X, y)


@pytest.mark.parametrize("Est", [GDRegressor, MomentumSGDRegressor])
def test_constant_target(Est):
    X, _ = _data(Est)
    # every sample is fitted exactly at the optimum: no gradient noise, so even
    # mini-batches converge to it
    est = Est(max_iter=300, tol=None, alpha=0.0, random_state=0)
    est.fit(X, np.full(len(X), 4.2))
    assert_allclose(est.predict(X), 4.2, atol=1e-6)


@pytest.mark.parametrize("Est", [GDClassifier, MomentumSGDClassifier])
def test_extreme_imbalance_balanced_weights(Est):
    rng = np.random.RandomState(0)
    X = rng.standard_normal((1000, 3))
    y = np.zeros(1000, dtype=int)
    y[:10] = 1
    X[:10] += 2.0
    est = Est(class_weight="balanced", random_state=0, max_iter=200).fit(X, y)
    assert np.mean(est.predict(X[:10]) == 1) >= 0.8  # the minority class is found
    plain = Est(random_state=0, max_iter=200).fit(X, y)
    assert np.sum(est.predict(X) == 1) > np.sum(plain.predict(X) == 1)


@pytest.mark.parametrize("Est", ALL)
def test_zero_weight_sum_is_a_clear_error(Est):
    X, y = _data(Est)
    with pytest.raises(ValueError, match="sum to zero"):
        Est().fit(X, y, sample_weight=np.zeros(len(y)))


@pytest.mark.parametrize("Est", ALL)
def test_max_iter_one(Est):
    X, y = _data(Est)
    est = Est(max_iter=1, random_state=0).fit(X, y)
    assert est.n_iter_ == 1 and len(est.loss_curve_) == 1


class _Interrupt(Schedule):
    """A schedule that raises KeyboardInterrupt once asked for step >= at."""

    def __init__(self, at=10):
        self.at = at

    def _value(self, steps):
        if np.max(steps) >= self.at:
            raise KeyboardInterrupt
        return np.ones_like(steps)


@pytest.mark.parametrize("Est", ALL)
def test_keyboard_interrupt_leaves_previous_state(Est):
    """An interrupted fit leaves the estimator as it was before that fit:
    unfitted, or fully consistent with its previous fit."""
    X, y = _data(Est)
    fresh = Est(schedule=_Interrupt(at=5), batch_size=10, max_iter=50, tol=None)
    with pytest.raises(KeyboardInterrupt):
        fresh.fit(X, y)
    assert not hasattr(fresh, "coef_") and not hasattr(fresh, "n_features_in_")

    est = Est(max_iter=5, batch_size=10, tol=None, random_state=0).fit(X, y)
    before = {
        k: (v.copy() if isinstance(v, np.ndarray) else v)
        for k, v in vars(est).items()
        if k.endswith("_") and not k.startswith("_")
    }
    est.set_params(schedule=_Interrupt(at=7), max_iter=50)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X[:, :3], y)  # even with other data shapes
    for k, v in before.items():
        if isinstance(v, np.ndarray):
            assert_array_equal(getattr(est, k), v)
        elif not hasattr(v, "get_params") and not isinstance(v, dict):
            assert getattr(est, k) == v, k
    assert est.n_features_in_ == 4
    est.predict(X)


@pytest.mark.parametrize("Est", ALL)
def test_predict_from_threads(Est):
    X, y = _data(Est, n=500)
    est = Est(random_state=0, max_iter=20).fit(X, y)
    ref = est.predict(X)
    with ThreadPoolExecutor(4) as ex:
        outs = list(ex.map(lambda _: est.predict(X), range(16)))
    for out in outs:
        assert_array_equal(out, ref)


@pytest.mark.parametrize("Est", ALL)
@pytest.mark.parametrize(
    "schedule", sorted(SCHEDULE_NAMES) + [ExponentialDecay(5, 0.5)], ids=repr
)
def test_grid_search_loky_two_jobs(Est, schedule):
    X, y = _data(Est, n=60)
    grid = {"alpha": [1e-4, 1e-2]}
    if not isinstance(schedule, str):
        grid["schedule__decay_rate"] = [0.5, 0.9]
    gs = GridSearchCV(
        Est(schedule=schedule, max_iter=10, random_state=0), grid, cv=2, n_jobs=2
    ).fit(X, y)
    assert np.isfinite(gs.best_score_)
    assert len(gs.cv_results_["params"]) == 2 * (1 if isinstance(schedule, str) else 2)
    assert gs.best_estimator_.schedule_ is not gs.best_estimator_.schedule


@pytest.mark.parametrize("Est", ALL)
def test_joblib_and_pickle_round_trip_mid_training(Est, tmp_path):
    X, y = _data(Est, n=80)
    Xs = StandardScaler().fit_transform(X)
    kw = {"classes": np.unique(y)} if "Classifier" in Est.__name__ else {}
    est = (
        Est(
            batch_size=16,
            random_state=0,
            schedule=ExponentialDecay(3, 0.7),
            optimizer="adam",
        )
        if Est in (GDRegressor, GDClassifier)
        else Est(batch_size=16, random_state=0, schedule=ExponentialDecay(3, 0.7))
    )
    est.partial_fit(Xs, y, **kw)
    path = tmp_path / "est.joblib"
    joblib.dump(est, path)
    loaded = joblib.load(path)
    unpickled = pickle.loads(pickle.dumps(est))
    for _ in range(2):
        est.partial_fit(Xs, y)
        loaded.partial_fit(Xs, y)
        unpickled.partial_fit(Xs, y)
    assert_array_equal(loaded.coef_, est.coef_)
    assert_array_equal(unpickled.coef_, est.coef_)
    assert loaded.t_ == est.t_
