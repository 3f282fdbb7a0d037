"""Behaviours that scikit-learn's own SGD test suite checks, on these estimators."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_gd import (
    DivergenceError,
    GDRegressor,
    MomentumSGDClassifier,
    MomentumSGDRegressor,
)
from sklearn_gd.optimizers import Adam, Momentum
from sklearn_gd.penalties import L1


def _data(n=300, d=4, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.5 * rng.normal(size=n)
    return X, y


def test_huge_features_give_the_packages_error_under_errstate_raise():
    X, y = _data()
    with np.errstate(all="raise"):
        with pytest.raises(DivergenceError, match="scale the features"):
            GDRegressor().fit(X * 1e300, y)


def test_partial_fit_refuses_early_stopping():
    X, y = _data()
    est = MomentumSGDRegressor(early_stopping=True)
    with pytest.raises(ValueError, match="early_stopping"):
        est.partial_fit(X, y)
    assert not hasattr(est, "coef_")


def test_max_iter_one_warns_like_any_other_max_iter():
    X, y = _data()
    with pytest.warns(ConvergenceWarning, match=r"\(1\)"):
        GDRegressor(max_iter=1).fit(X, y)


def test_nesterov_with_dampening_is_rejected_as_in_torch():
    X, y = _data()
    with pytest.raises(ValueError, match="Nesterov momentum requires"):
        MomentumSGDRegressor(nesterov=True, dampening=0.5).fit(X, y)
    with pytest.raises(ValueError, match="zero dampening"):
        Momentum(0.9, dampening=0.1, nesterov=True).validate()
    Momentum(0.9, nesterov=True).validate()  # the valid form


def test_plateau_schedule_lowers_the_step_before_the_run_stops():
    # a constant mini-batch step settles in a noise ball: a plateau that the
    # default ReduceLROnPlateau (patience 10) must act on before the default
    # stopping rule (n_iter_no_change 10) ends the run
    X, y = _data(n=2000)
    est = MomentumSGDRegressor(schedule="plateau", random_state=0, max_iter=500)
    est.fit(X, y)
    factors = est.learning_rate_curve_ / est.learning_rate_
    assert factors[0] == 1.0
    assert factors.min() <= 0.01 + 1e-12  # at least two reductions by 0.1
    assert est.n_iter_ < 500


def test_partial_fit_reads_the_parameters_set_since_the_last_call():
    X, y = _data()
    est = MomentumSGDRegressor(learning_rate=0.01, random_state=0).fit(X, y)
    velocity = est.optimizer_state_["velocity"].copy()
    est.set_params(learning_rate=0.002, momentum=0.5, penalty="l1")
    t = est.t_
    est.partial_fit(X, y)
    assert est.learning_rate_ == 0.002
    assert est.learning_rate_curve_[-1] == 0.002
    assert est.optimizer_.momentum == 0.5
    assert isinstance(est.penalty_, L1)
    assert est.t_ == t + 10  # 300 rows in batches of 32
    # the optimizer's state continued (same class): the velocity moved on
    assert not np.array_equal(est.optimizer_state_["velocity"], velocity)
    # another optimizer class starts a fresh state
    gd = GDRegressor(learning_rate=0.01, tol=None, max_iter=5).fit(X, y)
    gd.set_params(optimizer=Adam())
    gd.partial_fit(X, y)
    assert gd.optimizer_state_["step"] == 1


def test_classifier_partial_fit_after_set_params_keeps_its_classes():
    X, y = _data()
    yc = np.digitize(y, [-1, 1])
    est = MomentumSGDClassifier(random_state=0, max_iter=3, tol=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, yc)
    est.set_params(alpha=0.01)
    est.partial_fit(X[:50], yc[:50])
    assert list(est.classes_) == [0, 1, 2]


# ------------------------------------------------- early stopping, no garbage
@pytest.mark.parametrize("Est", [MomentumSGDClassifier, GDRegressor])
def test_early_stopping_keeps_the_best_weights(Est):
    from sklearn.datasets import make_classification
    from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit
    from sklearn.utils import check_random_state

    X, y = make_classification(600, 8, flip_y=0.2, random_state=0)
    if Est is GDRegressor:
        y = X @ np.arange(8.0) + 3 * np.random.RandomState(1).normal(size=600)
    params = dict(early_stopping=True, random_state=3, max_iter=300)
    if Est is GDRegressor:
        params.update(learning_rate=0.05, optimizer="momentum", n_iter_no_change=3)
    est = Est(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    # the documented split: a seed drawn from random_state, then a
    # (stratified for classifiers) ShuffleSplit of validation_fraction
    seed = check_random_state(3).randint(np.iinfo(np.int32).max)
    cv = StratifiedShuffleSplit if Est is MomentumSGDClassifier else ShuffleSplit
    _, val = next(cv(test_size=0.1, random_state=seed).split(X, y))
    val = np.sort(val)  # the held-out rows in their order in X
    assert est.score(X[val], y[val]) == est.best_validation_score_
    assert est.best_validation_score_ == est.validation_scores_.max()
    first_best = int(np.argmax(est.validation_scores_)) + 1
    assert est.best_epoch_ == first_best < est.n_iter_  # not the last epoch
    assert GDRegressor(max_iter=3, tol=None).fit(X, y).best_epoch_ is None


def test_a_fit_that_ends_above_its_start_warns():
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    # Adam at lr=1e6 throws the coefficients to ~1e6 at once; it recovers
    # over hundreds of iterations, but after 20 the objective is ~1e10
    est = GDRegressor(learning_rate=1e6, optimizer="adam", max_iter=20, tol=None)
    with pytest.warns(ConvergenceWarning, match="objective rose.*learning_rate=1e"):
        est.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an ordinary fit says nothing of the kind
        GDRegressor(tol=None, max_iter=50).fit(X, y)


def test_the_convergence_warning_says_how_far_the_gradient_still_is():
    import re

    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from sklearn_gd import GDClassifier

    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    # with an intercept the L2 part leaves one direction to the loss: an estimate
    with pytest.warns(ConvergenceWarning, match=r"about [\d.e+-]+ above") as record:
        GDClassifier(max_iter=20).fit(X, y)
    # without, the objective is alpha-strongly convex: a bound, and a true one
    with pytest.warns(ConvergenceWarning, match=r"gradient norm is still") as record:
        est = GDClassifier(max_iter=20, fit_intercept=False).fit(X, y)
    message = str(record[0].message)
    bound = float(re.search(r"at most ([\d.e+-]+) above", message).group(1))
    # the optimum, computed by scikit-learn on the same objective
    ref = LogisticRegression(
        C=1 / (1e-4 * len(y)), tol=1e-12, max_iter=10_000, fit_intercept=False
    )
    ref.fit(X, y)
    f = est.objective(X, y)
    est.coef_, est.intercept_ = ref.coef_, ref.intercept_
    f_star = est.objective(X, y)
    assert 0 < f - f_star <= bound
