"""scikit-learn's callbacks (``set_callbacks``): one task per epoch or iteration."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_gd import GDClassifier, GDRegressor, MomentumSGDClassifier

callback = pytest.importorskip("sklearn.callback")


class Recorder:
    """Counts the epoch tasks, keeps the fitted estimators' scores, and stops
    the run after ``stop_after`` epochs."""

    def __init__(self, X, y, stop_after=None):
        self.X, self.y, self.stop_after = X, y, stop_after
        self.begun, self.scores, self.setups, self.teardowns = 0, [], 0, 0

    def setup(self, estimator, context):
        self.setups += 1

    def teardown(self, estimator, context):
        self.teardowns += 1

    def on_fit_task_begin(self, estimator, context, **kwargs):
        if context.task_name == "epoch":
            self.begun += 1

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None, **kw):
        if context.task_name != "epoch" or fitted_estimator is None:
            return False
        self.scores.append(fitted_estimator.score(self.X, self.y))
        return self.stop_after is not None and len(self.scores) >= self.stop_after


def _data():
    X, y = make_classification(300, 5, random_state=0)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("solver", ["gd", "cg", "tnc", "saga"])
def test_one_task_per_epoch_with_the_model_of_that_epoch(solver):
    X, y = _data()
    rec = Recorder(X, y)
    est = GDClassifier(solver=solver, max_iter=8, tol=None, random_state=0)
    est.set_callbacks(rec).fit(X, y)
    assert len(rec.scores) == est.n_iter_
    assert rec.begun in (est.n_iter_, est.n_iter_ + 1)  # + one begun, never run
    assert rec.setups == rec.teardowns == 1
    # the last epoch's model is the fitted one (no averaging here)
    if solver in ("gd", "saga"):
        assert rec.scores[-1] == est.score(X, y)


def test_a_callback_stops_training():
    X, y = _data()
    rec = Recorder(X, y, stop_after=3)
    est = MomentumSGDClassifier(max_iter=50, tol=None, random_state=0)
    est.set_callbacks(rec).fit(X, y)
    assert est.n_iter_ == 3 and len(est.loss_curve_) == 3


def test_scoring_monitor_logs_a_score_per_epoch_in_a_pipeline():
    X, y = _data()
    monitor = callback.ScoringMonitor(scoring="accuracy")
    reg = GDRegressor(max_iter=5, tol=None).set_callbacks(
        callback.ScoringMonitor(scoring="r2")
    )
    reg.fit(X, y.astype(float))
    est = GDClassifier(max_iter=5, tol=None).set_callbacks(monitor)
    make_pipeline(StandardScaler(), est).fit(X, y)
    logs = monitor.get_logs()
    assert logs  # something was logged for the epochs
    # an estimator with callbacks can still be cloned and searched
    grid = GridSearchCV(clone(est), {"alpha": [1e-4, 1e-2]}, cv=2).fit(X, y)
    assert grid.best_estimator_.coef_.shape == (1, 5)
    assert np.isfinite(grid.best_score_)


def test_progress_bar_runs():
    pytest.importorskip("rich")
    X, y = _data()
    est = GDClassifier(max_iter=5, tol=None).set_callbacks(callback.ProgressBar())
    est.fit(X, y)
    assert est.n_iter_ == 5
