"""Classifiers: ``_BaseGDClassifier`` and the presets ``GDClassifier`` and
``MomentumSGDClassifier``."""

import numpy as np
from scipy.special import expit, softmax
from sklearn.base import _fit_context
from sklearn.linear_model._base import LinearClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.utils import compute_class_weight
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    type_of_target,
)
from sklearn.utils.validation import column_or_1d

from . import _dask, _losses
from ._base import OPTIMIZER_CONSTRAINT, _BaseGD
from .optimizers import Momentum

__all__ = ["GDClassifier", "MomentumSGDClassifier"]


def _labels(scores, classes):
    """Raw scores ``(n, k)`` (or ``(n,)``) to class labels."""
    scores = scores.reshape(len(scores), -1)
    if scores.shape[1] == 1:
        return classes[(scores[:, 0] > 0).astype(int)]
    return classes[scores.argmax(axis=1)]


class _BaseGDClassifier(LinearClassifierMixin, _BaseGD):
    """Classification: label encoding, class weights, probabilities.

    ``decision_function`` comes from scikit-learn's ``LinearClassifierMixin``.
    """

    _parameter_constraints: dict = {
        **_BaseGD._parameter_constraints,
        "loss": [StrOptions(set(_losses.CLASSIFICATION_LOSSES))],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _y_numeric = False
    _multi_output = True  # a binary indicator matrix: multilabel

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    def _check_target_shape(self, y):
        """A column vector is 1-D (with scikit-learn's warning); a matrix must
        be a binary indicator matrix (multilabel)."""
        if np.ndim(y) == 2 and y.shape[1] == 1:
            return column_or_1d(y, warn=True)
        if np.ndim(y) == 2 and type_of_target(y) != "multilabel-indicator":
            raise ValueError(
                "A 2-D y must be a binary indicator matrix (multilabel), got "
                f"{type_of_target(y)!r} targets."
            )
        return y

    def _loss_object(self, classes):
        # multilabel: one binary problem per label, whatever their number
        n_classes = 2 if getattr(self, "_multilabel", False) else len(classes)
        return _losses.get_loss(self.loss, n_classes=n_classes)

    def _prepare_targets(self, y, classes, *, first_call, incremental):
        check_classification_targets(y)
        multilabel = np.ndim(y) == 2
        if multilabel and (incremental or self.class_weight is not None):
            raise ValueError(
                "Multilabel targets (a binary indicator matrix) are fitted by "
                "fit only, without class_weight."
            )
        if not incremental:
            self._multilabel = multilabel
        if multilabel:
            return np.arange(y.shape[1])
        if incremental:
            if self.class_weight == "balanced":
                raise ValueError(
                    "class_weight='balanced' is not supported by partial_fit; "
                    "compute the weights with sklearn.utils.compute_class_weight "
                    "on the whole data and pass them as a dict."
                )
            _check_partial_fit_first_call(self, classes)
            classes = self.classes_
        else:
            classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but "
                f"the data contains only one class: {classes[0]!r}."
            )
        unseen = np.setdiff1d(np.unique(y), classes)
        if unseen.size:
            raise ValueError(
                f"y contains labels {unseen!r} not in classes {classes!r}."
            )
        return classes

    def _set_classes(self, classes):
        self.classes_ = classes

    def _target_scale(self, Y, sw):
        """The scale of the scores an adaptive optimizer's ``'auto'`` step is
        multiplied by: the largest absolute log-odds of a (weighted) class
        proportion, at least 1 -- the intercept the scores must reach.  1 for
        balanced classes (torch's step unchanged); ~16 for the class weights
        of scikit-learn's ``check_class_weight_classifiers`` (1000 : 1e-4),
        whose optimum lies that far out."""
        p = np.average(np.asarray(Y) > 0, axis=0, weights=sw)
        p = np.clip(p, 1e-12, 1 - 1e-12)
        return float(max(1.0, np.max(np.abs(np.log(p / (1 - p))))))

    def _check_weighted_classes(self, y, sw):
        if np.ndim(y) == 2:
            return  # multilabel: every label is its own binary problem
        if sw is not None and len(np.unique(y[sw > 0])) < 2:
            raise ValueError(
                "Only one class has a positive sample weight: this solver needs "
                "samples of at least 2 classes with non-zero weight."
            )

    def _class_weight_per_sample(self, y, classes):
        if self.class_weight is None:
            return None
        cw = compute_class_weight(self.class_weight, classes=classes, y=y)
        return cw[np.searchsorted(classes, y)]

    def _encode(self, y, dtype, classes):
        """``label_binarize(y, classes, neg_label=-1)`` (binary, one-vs-rest) or
        one-hot (multinomial), written directly in ``dtype``: label_binarize
        goes through a sparse matrix and an int64 ``n x k`` copy, several
        times the memory of ``Y`` (tested in test_fit_does_not_copy_X)."""
        if np.ndim(y) == 2:  # multilabel: +1/-1 per label
            return np.where(np.asarray(y) == 1, 1.0, -1.0).astype(dtype)
        idx = np.searchsorted(classes, y)
        if len(classes) == 2:
            return np.where(idx == 1, 1.0, -1.0).astype(dtype).reshape(-1, 1)
        neg = 0.0 if self.loss == "log_loss" else -1.0
        Y = np.full((len(y), len(classes)), neg, dtype=dtype)
        Y[np.arange(len(y)), idx] = 1.0
        return Y

    def _fitted_attributes(self, coef, intercept, classes, y_2d=False):
        multinomial = self.loss == "log_loss" and not getattr(self, "_multilabel", 0)
        if len(intercept) > 2 and multinomial:
            # A softmax is unchanged by a common shift of the intercepts:
            # report the centred one (TNC may drift).
            intercept = intercept - intercept.mean()
        multilabel = bool(getattr(self, "_multilabel", False))
        return {
            "coef_": coef,
            "intercept_": intercept,
            "classes_": classes,
            "_multilabel": multilabel,
        }

    def _score_theta(self, theta, X, y, sw, classes):
        multilabel = np.ndim(y) == 2
        scores = self._model_scores(X, theta, classes, multilabel)
        pred = (scores > 0).astype(int) if multilabel else _labels(scores, classes)
        return accuracy_score(y, pred, sample_weight=sw)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the classifier (gradient descent, or the configured ``solver``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Multiplied by the class weights.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over ``(X, y)``; ``classes`` is required on the first call.

        Continues ``t_``, the schedule and the optimizer state of the
        previous calls (or of ``fit``).
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def decision_function(self, X):
        """Raw scores: shape ``(n_samples,)`` when binary, else
        ``(n_samples, n_classes)``."""
        if _dask.is_dask_collection(X):
            k = self.coef_.shape[0]
            return self._on_dask(X, self.decision_function, () if k == 1 else (k,))
        return super().decision_function(X)

    def predict(self, X):
        """Predicted class labels."""
        if _dask.is_dask_collection(X):
            return self._on_dask(X, self.predict, (), self.classes_.dtype)
        if getattr(self, "_multilabel", False):  # the indicator matrix
            return (self.decision_function(X) > 0).astype(int)
        return _labels(self.decision_function(X), self.classes_)

    def _check_proba(self):
        if self.loss not in ("log_loss", "modified_huber"):
            raise AttributeError(
                f"probability estimates are not available for loss={self.loss!r}"
            )
        if self.loss == "modified_huber" and getattr(self, "_multilabel", False):
            raise AttributeError(  # its per-label "probabilities" reach 0 and 1
                "probability estimates of multilabel targets need loss='log_loss'"
            )
        return True

    @available_if(_check_proba)
    def predict_proba(self, X):
        """Class probabilities (``log_loss``: logistic / softmax;
        ``modified_huber``: ``(clip(d, -1, 1) + 1) / 2``, normalised, as in
        ``SGDClassifier``)."""
        if _dask.is_dask_collection(X):
            return self._on_dask(X, self.predict_proba, (len(self.classes_),))
        scores = self.decision_function(X)
        if getattr(self, "_multilabel", False):  # per-label probabilities
            return expit(scores)
        if self.loss == "log_loss":
            if scores.ndim == 1:
                p1 = expit(scores)
                return np.column_stack([1.0 - p1, p1])
            return softmax(scores, axis=1)
        # modified_huber
        if scores.ndim == 1:
            p1 = (np.clip(scores, -1, 1) + 1) / 2.0
            return np.column_stack([1.0 - p1, p1])
        prob = (np.clip(scores, -1, 1) + 1) / 2.0
        norm = prob.sum(axis=1)
        all_zero = norm == 0
        norm[all_zero] = 1.0
        prob /= norm[:, None]
        prob[all_zero] = 1.0 / len(self.classes_)
        return prob

    @available_if(_check_proba)
    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        if _dask.is_dask_collection(X):
            return self._on_dask(X, self.predict_log_proba, (len(self.classes_),))
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))


class GDClassifier(_BaseGDClassifier):
    """Linear classifier trained by gradient descent (full batch by default).

    ``log_loss`` is binary logistic regression for two classes and
    multinomial (softmax) regression for more; ``hinge``, ``squared_hinge``
    and ``modified_huber`` train one-vs-rest, all classes together in one
    matrix product, and their objective is the sum of the per-class binary
    objectives.

    Parameters
    ----------
    loss : {'log_loss', 'hinge', 'squared_hinge', 'modified_huber'}, \
default='log_loss'
    class_weight : dict, 'balanced' or None, default=None
        Multiplies the sample weights, as in scikit-learn.

    The other parameters are those of :class:`GDRegressor` (without
    ``epsilon``); with ``early_stopping`` the held-out part is stratified and
    scored by accuracy.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    classes_ : ndarray of shape (n_classes,)

    and the other attributes of :class:`GDRegressor`.

    See Also
    --------
    MomentumSGDClassifier : mini-batch SGD with momentum.
    GDRegressor : the regression counterpart.
    sklearn.linear_model.LogisticRegression : the same L2-logistic objective.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_gd import GDClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), GDClassifier()).fit(X, y)
    >>> clf.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **_BaseGDClassifier._parameter_constraints,
        "optimizer": OPTIMIZER_CONSTRAINT,
    }

    def __init__(
        self,
        loss="log_loss",
        *,
        penalty="l2",
        alpha=1e-4,
        learning_rate="auto",
        schedule="auto",
        optimizer="auto",
        batch_size=None,
        max_iter=1000,
        tol=1e-4,
        n_iter_no_change=10,
        early_stopping=False,
        validation_fraction=0.1,
        shuffle=True,
        random_state=None,
        fit_intercept=True,
        clip_norm=None,
        solver="gd",
        warm_start=False,
        verbose=0,
        average="auto",
        positive=False,
        class_weight=None,
    ):
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.schedule = schedule
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.shuffle = shuffle
        self.random_state = random_state
        self.fit_intercept = fit_intercept
        self.clip_norm = clip_norm
        self.solver = solver
        self.warm_start = warm_start
        self.verbose = verbose
        self.average = average
        self.positive = positive
        self.class_weight = class_weight


class MomentumSGDClassifier(_BaseGDClassifier):
    """Linear classifier trained by mini-batch SGD with momentum.

    :class:`GDClassifier` with ``batch_size=32`` and the update rule of
    ``torch.optim.SGD(momentum, dampening, nesterov)`` (see
    :class:`MomentumSGDRegressor`).

    Parameters
    ----------
    momentum : float in [0, 1), default=0.9
    dampening : float in [0, 1], default=0.0
    nesterov : bool, default=False
    batch_size : int or None, default=32

    The other parameters and attributes are those of :class:`GDClassifier`.

    See Also
    --------
    GDClassifier : any optimizer, full batch by default.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_gd import MomentumSGDClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), MomentumSGDClassifier(random_state=0))
    >>> clf.fit(X, y).score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **_BaseGDClassifier._parameter_constraints,
        **Momentum._parameter_constraints,
    }

    def __init__(
        self,
        loss="log_loss",
        *,
        penalty="l2",
        alpha=1e-4,
        learning_rate="auto",
        schedule="auto",
        momentum=0.9,
        dampening=0.0,
        nesterov=False,
        batch_size=32,
        max_iter=1000,
        tol=1e-4,
        n_iter_no_change=10,
        early_stopping=False,
        validation_fraction=0.1,
        shuffle=True,
        random_state=None,
        fit_intercept=True,
        clip_norm=None,
        solver="gd",
        warm_start=False,
        verbose=0,
        average="auto",
        positive=False,
        class_weight=None,
    ):
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.schedule = schedule
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.shuffle = shuffle
        self.random_state = random_state
        self.fit_intercept = fit_intercept
        self.clip_norm = clip_norm
        self.solver = solver
        self.warm_start = warm_start
        self.verbose = verbose
        self.average = average
        self.positive = positive
        self.class_weight = class_weight
