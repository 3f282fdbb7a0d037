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


# ------------------------------------------------ average='auto' (tail averaging)
def _noisy_regression(n=5000, d=20, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d))
    return X, X @ rng.normal(size=d) * 10 + 3.0 + 10.0 * rng.normal(size=n)


def _ridge_objective(X, y, coef, intercept, alpha=1e-4):
    r = X @ coef + intercept - y
    return 0.5 * np.mean(r * r) + 0.5 * alpha * coef @ coef


def test_auto_tail_is_the_better_of_the_tail_average_and_the_last_iterate():
    X, y = _noisy_regression()
    est = MomentumSGDRegressor(random_state=0).fit(X, y)  # average='auto'
    n_epochs, n_batches = est.n_iter_, -(-len(y) // 32)
    assert est.t_ == n_epochs * n_batches
    # the same run without a stopping rule: its last iterate, and the
    # average of the iterates of its last 3 epochs
    last = MomentumSGDRegressor(
        random_state=0, average=False, tol=None, max_iter=n_epochs
    ).fit(X, y)
    tail = MomentumSGDRegressor(
        random_state=0, average=est.t_ - 3 * n_batches + 1, tol=None,
        max_iter=n_epochs,
    ).fit(X, y)  # fmt: skip
    f_last = _ridge_objective(X, y, last.coef_, last.intercept_[0])
    f_tail = _ridge_objective(X, y, tail.coef_, tail.intercept_[0])
    assert f_tail < f_last  # the noise ball averages out
    assert_allclose(est.coef_, tail.coef_, rtol=1e-12)
    assert_allclose(est.intercept_, tail.intercept_, rtol=1e-12)
    # the last 3 epochs ran after the stopping rule was met
    stopped = MomentumSGDRegressor(random_state=0, average=False).fit(X, y)
    assert stopped.n_iter_ == n_epochs - 3
    # + the optimality check (2), the test that starts the tail (1), the choice (2)
    assert est.n_grad_evals_ == n_epochs + 2 + 1 + 2


def test_auto_tail_keeps_the_last_iterate_when_it_is_better():
    """With 3 epochs of a steadily converging iterate (a small step far from
    the optimum) the average lags behind: the last iterate is kept."""
    X, y = _noisy_regression(n=2000)
    kw = dict(learning_rate=1e-5, tol=0.05, n_iter_no_change=1, random_state=0)
    est = MomentumSGDRegressor(**kw).fit(X, y)
    stopped = MomentumSGDRegressor(**kw, average=False).fit(X, y)
    assert est.n_iter_ == stopped.n_iter_ + 3  # the tail ran
    n_batches = -(-len(y) // 32)
    kw.update(tol=None, max_iter=est.n_iter_)
    last = MomentumSGDRegressor(**kw, average=False).fit(X, y)
    tail = MomentumSGDRegressor(**kw, average=est.t_ - 3 * n_batches + 1).fit(X, y)
    f_last = _ridge_objective(X, y, last.coef_, last.intercept_[0])
    f_tail = _ridge_objective(X, y, tail.coef_, tail.intercept_[0])
    assert f_last < f_tail
    assert np.abs(tail.coef_ - last.coef_).max() > 1e-3  # the choice matters
    assert_allclose(est.coef_, last.coef_, rtol=1e-12)


@pytest.mark.parametrize("classifier", [False, True])
def test_auto_tail_reaches_the_optimum_where_the_last_iterate_stops_short(classifier):
    """5000 noisy rows, batches of 32: the constant step's noise ball is ~1e-2
    (relative) above the optimum; 3 averaged epochs bring it below 1e-3."""
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression, Ridge

    from sklearn_gd import MomentumSGDClassifier

    alpha = 1e-4
    if classifier:
        X, y = make_classification(5000, 20, n_informative=10, random_state=0)
        ref = LogisticRegression(C=1 / (alpha * len(y)), tol=1e-12, max_iter=10_000)
        ref.fit(X, y)
        probe = GDClassifier(max_iter=1, tol=None).fit(X, y)
        probe.coef_, probe.intercept_ = ref.coef_, ref.intercept_
        f_star = probe.objective(X, y)
        Est = MomentumSGDClassifier
    else:
        X, y = _noisy_regression()
        ref = Ridge(alpha=alpha * len(y)).fit(X, y)
        f_star = _ridge_objective(X, y, ref.coef_, ref.intercept_)
        Est = MomentumSGDRegressor
    for seed in (0, 1):
        auto = Est(random_state=seed).fit(X, y)
        assert (auto.objective(X, y) - f_star) / f_star < 1e-3
    plain = Est(random_state=0, average=False).fit(X, y)
    assert (plain.objective(X, y) - f_star) / f_star > 5e-3


def test_auto_tail_only_for_mini_batch_fits_with_a_stopping_rule():
    X, y = _noisy_regression(n=1000)
    for kw in (
        dict(tol=None, max_iter=30),  # no stopping rule
        dict(early_stopping=True),  # the best-scoring epoch instead
        dict(batch_size=None, max_iter=30),  # full batch
    ):
        auto = MomentumSGDRegressor(random_state=0, **kw).fit(X, y)
        plain = MomentumSGDRegressor(random_state=0, average=False, **kw).fit(X, y)
        assert auto.n_iter_ == plain.n_iter_
        assert_allclose(auto.coef_, plain.coef_, rtol=1e-12)
    auto = MomentumSGDRegressor(random_state=0)
    plain = MomentumSGDRegressor(random_state=0, average=False)
    for _ in range(3):
        auto.partial_fit(X, y)
        plain.partial_fit(X, y)
    assert_allclose(auto.coef_, plain.coef_, rtol=1e-12)


def test_auto_tail_not_when_the_stop_is_already_optimal():
    """A run whose last iterate meets the full-batch gradient rule at its
    stop has no noise to average: it ends there, torch's iterate."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 4))
    y = X @ [1.0, -2.0, 0.5, 3.0] + 1.0  # noise-free: the noise ball is a point
    kw = dict(random_state=0, tol=1e-3, shuffle=False)
    auto = MomentumSGDRegressor(**kw).fit(X, y)
    plain = MomentumSGDRegressor(**kw, average=False).fit(X, y)
    assert auto.n_iter_ == plain.n_iter_ < auto.max_iter
    assert_allclose(auto.coef_, plain.coef_, rtol=1e-12)
