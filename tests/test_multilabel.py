"""Multilabel classification: one binary problem per label, in one product."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import expit
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.preprocessing import StandardScaler

from sklearn_gd import GDClassifier, MomentumSGDClassifier


def _data():
    X, Y = make_multilabel_classification(300, 5, n_classes=3, random_state=0)
    return StandardScaler().fit_transform(X), Y


@pytest.mark.parametrize("solver", ["gd", "cg", "tnc", "saga"])
def test_equals_logistic_regression_per_label(solver):
    X, Y = _data()
    est = GDClassifier(alpha=0.01, solver=solver, tol=1e-10, max_iter=5000,
                       random_state=0)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, Y)
    assert est.coef_.shape == (3, 5) and list(est.classes_) == [0, 1, 2]
    for j in range(3):
        ref = LogisticRegression(C=1 / (0.01 * 300), tol=1e-12, max_iter=10_000)
        ref.fit(X, Y[:, j])
        assert_allclose(est.coef_[j], ref.coef_[0], rtol=1e-4, atol=1e-6)
        assert est.intercept_[j] == pytest.approx(ref.intercept_[0], rel=1e-4)
    scores = X @ est.coef_.T + est.intercept_
    assert np.array_equal(est.predict(X), (scores > 0).astype(int))
    assert_allclose(est.predict_proba(X), expit(scores), rtol=1e-12)
    assert f1_score(Y, est.predict(X), average="micro") > 0.6  # a scorer works


def test_mini_batches_and_refusals():
    X, Y = _data()
    est = MomentumSGDClassifier(random_state=0, max_iter=20, tol=None).fit(X, Y)
    assert est.predict(X).shape == Y.shape
    with pytest.raises(ValueError, match="fit only"):
        MomentumSGDClassifier().partial_fit(X, Y, classes=[0, 1])
    with pytest.raises(ValueError, match="indicator matrix"):
        GDClassifier().fit(X, np.c_[Y[:, 0], Y[:, 1] * 2])
    # a single column is a 1-D target, with scikit-learn's warning
    with pytest.warns(Warning, match="column-vector"):
        one = GDClassifier(max_iter=5, tol=None).fit(X, Y[:, :1])
    assert one.predict(X).ndim == 1
