"""The estimators: one base class and four thin presets.

Estimators validate their input, encode the target, resolve the strings for
``penalty``, ``schedule`` and ``optimizer`` to objects (fitted copies
``penalty_``, ``schedule_``, ``optimizer_``; the constructor arguments are
never changed) and hand the arithmetic to :mod:`sklearn_gd._engine`.
"""

import copy
import warnings
from numbers import Integral, Real

import numpy as np
from scipy.special import expit, softmax
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    _fit_context,
    clone,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit
from sklearn.utils import check_random_state, compute_class_weight
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    _check_y,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from . import _dask, _engine, _losses
from .optimizers import ADAPTIVE_DEFAULT_LR, Momentum, get_optimizer
from .penalties import L2, _NoPenalty, get_penalty
from .schedules import SCHEDULE_NAMES, get_schedule

__all__ = [
    "GDRegressor",
    "GDClassifier",
    "MomentumSGDRegressor",
    "MomentumSGDClassifier",
]

_OPTIMIZER_NAMES = {"sgd", "momentum", "nesterov", "adam", "rmsprop", "adagrad"}


class _BaseGD(BaseEstimator):
    """Shared fitting logic; subclasses set the target encoding and the
    optimizer construction."""

    _parameter_constraints: dict = {
        "penalty": [
            None,
            StrOptions({"l2", "l1", "elasticnet"}),
            HasMethods(["value", "prox"]),
        ],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "schedule": [
            None,
            StrOptions(set(SCHEDULE_NAMES)),
            HasMethods(["__call__", "get_params"]),
        ],
        "batch_size": [None, Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "shuffle": ["boolean", StrOptions({"batch"})],
        "random_state": ["random_state"],
        "fit_intercept": ["boolean"],
        "clip_norm": [None, Interval(Real, 0, None, closed="neither")],
        "solver": [StrOptions({"gd", "tnc", "cg"})],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }

    # ------------------------------------------------------------------ hooks
    def _make_optimizer(self):
        raise NotImplementedError

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # --------------------------------------------------------------- helpers
    def _components(self, classes):
        """Fresh, validated copies of penalty, schedule and optimizer."""
        penalty = clone(get_penalty(self.penalty), safe=False)
        if hasattr(penalty, "validate"):
            penalty.validate()
        schedule = clone(get_schedule(self.schedule), safe=False)
        if hasattr(schedule, "validate"):
            schedule.validate()
        if hasattr(schedule, "reset"):
            schedule.reset()
        optimizer = clone(self._make_optimizer(), safe=False)
        if hasattr(optimizer, "validate"):
            optimizer.validate()
        loss = self._loss_object(classes)
        return penalty, schedule, optimizer, loss

    def _loss_object(self, classes):
        return _losses.get_loss(
            self.loss,
            epsilon=getattr(self, "epsilon", 0.1),
            n_classes=None if classes is None else len(classes),
        )

    def _check_solver(self, penalty, loss_name):
        if self.solver == "gd":
            return
        if loss_name not in _losses.SMOOTH_LOSSES:
            raise ValueError(
                f"solver={self.solver!r} needs a smooth objective, but "
                f"loss={loss_name!r} is not differentiable. Use one of "
                f"{list(_losses.SMOOTH_LOSSES)} or solver='gd'."
            )
        if not isinstance(penalty, (L2, _NoPenalty)):
            raise ValueError(
                f"solver={self.solver!r} needs a smooth objective, but "
                f"penalty={self.penalty!r} "
                "has a non-differentiable L1 part. Use penalty='l2' or None, or "
                "solver='gd', which applies the L1 part as a proximal step."
            )

    def _validate_X_y(self, X, y, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=[np.float64, np.float32],
            reset=reset,
            y_numeric=not isinstance(self, ClassifierMixin),
        )
        return X, y

    def _validate_dask(self, X, y, sample_weight, incremental):
        """Checks for a dask array ``X`` (full-batch GD only); ``y`` and the
        weights are computed to NumPy, ``X`` stays a dask array."""
        unsupported = None
        if incremental:
            unsupported = (
                "partial_fit takes in-memory chunks; use fit (full batch) or "
                "dask_ml.wrappers.Incremental, which calls partial_fit block by block"
            )
        elif self.solver != "gd":
            unsupported = f"solver={self.solver!r} needs the data in memory"
        elif self.early_stopping:
            unsupported = "early_stopping needs a validation split in memory"
        elif self.batch_size is not None and self.batch_size < X.shape[0]:
            unsupported = (
                f"batch_size={self.batch_size}: mini-batches would shuffle rows "
                "across blocks; use batch_size=None (full batch), or "
                "dask_ml.wrappers.Incremental / sklearn_gd.fit_chunks"
            )
        if unsupported:
            raise ValueError(f"{type(self).__name__} with a dask array: {unsupported}.")
        X = _dask.check_dask_X(X)
        validate_data(self, X, skip_check_array=True, reset=True)
        y = _check_y(_dask.to_numpy(y), y_numeric=not isinstance(self, ClassifierMixin))
        check_consistent_length(X, y)
        return X, y, _dask.to_numpy(sample_weight)

    def _sample_weight(self, sample_weight, X, y, classes):
        if sample_weight is None and getattr(self, "class_weight", None) is None:
            return None
        sw = _check_sample_weight(
            sample_weight,
            X,
            dtype=X.dtype,
            ensure_non_negative=True,
            allow_all_zero_weights=True,
        )
        sw = np.array(sw, dtype=X.dtype, copy=True)
        cw = self._class_weight_per_sample(y, classes)
        if cw is not None:
            sw *= cw
        if not sw.sum() > 0:
            raise ValueError(
                "The sample weights (times the class weights) sum to zero: "
                "there is nothing to fit."
            )
        return sw

    def _class_weight_per_sample(self, y, classes):
        return None

    def _target_scale(self, Y, sw):
        return 1.0

    def _resolve_learning_rate(self, X, Y, sw, loss, penalty, optimizer):
        if self.learning_rate != "auto":
            return float(self.learning_rate)
        adaptive = getattr(optimizer, "adaptive", False)
        return _engine.auto_learning_rate(
            X,
            sw,
            loss=loss,
            penalty=penalty,
            alpha=self.alpha,
            fit_intercept=self.fit_intercept,
            batch_size=self.batch_size,
            optimizer=optimizer,
            default_adaptive=ADAPTIVE_DEFAULT_LR.get(type(optimizer).__name__),
            target_scale=self._target_scale(Y, sw) if adaptive else 1.0,
        )

    def _theta_from_fitted(self, n_features, n_outputs, dtype):
        theta = np.zeros((n_features + int(self.fit_intercept), n_outputs), dtype=dtype)
        coef = np.asarray(self.coef_).reshape(-1, n_features)
        if coef.shape[0] != n_outputs:
            raise ValueError(
                f"warm_start: the fitted coef_ has shape {np.shape(self.coef_)}, "
                "which does not match the data; fit from scratch (warm_start=False)."
            )
        theta[:n_features] = coef.T
        if self.fit_intercept:
            theta[n_features] = np.asarray(self.intercept_).ravel()[:n_outputs]
        return theta

    def _set_theta(self, theta, n_features):
        coef = theta[:n_features].T.copy()
        if self.fit_intercept:
            intercept = theta[n_features].copy()
            if theta.shape[1] > 2 and self.loss == "log_loss":
                # A softmax is unchanged by a common shift of the intercepts:
                # report the centred one (gradient descent from zero stays
                # centred anyway; TNC may drift).
                intercept -= intercept.mean()
        else:
            intercept = np.zeros(theta.shape[1], dtype=theta.dtype)
        self._store_coef(coef, intercept)

    def _validation_split(self, y, n_samples, seed):
        """Indices of the training and validation parts for early stopping."""
        n_val = int(np.ceil(self.validation_fraction * n_samples))
        if n_val < 1 or n_samples - n_val < 1:
            raise ValueError(
                f"Splitting {n_samples} samples into a train set and a validation "
                f"set with validation_fraction={self.validation_fraction} led to an "
                "empty set. Change validation_fraction, add samples, or disable "
                "early_stopping."
            )
        # Stratified for classifiers when every class can be on both sides,
        # a plain random split otherwise (tiny data sets).
        counts = None
        if isinstance(self, ClassifierMixin):
            counts = np.unique(y, return_counts=True)[1]
        if (
            counts is not None
            and min(n_val, n_samples - n_val) >= len(counts)
            and counts.min() >= 2
        ):
            cv = StratifiedShuffleSplit(
                test_size=self.validation_fraction, random_state=seed
            )
        else:
            cv = ShuffleSplit(test_size=self.validation_fraction, random_state=seed)
        train, val = next(cv.split(np.zeros((n_samples, 1)), y))
        return np.sort(train), np.sort(val)

    # ------------------------------------------------------------------- fit
    def _fit(self, X, y, sample_weight, *, incremental, classes=None):
        # Any error leaves the estimator exactly as it was: attributes are
        # only ever replaced, never mutated in place, so a shallow snapshot of
        # the instance dictionary is enough to roll back.
        snapshot = dict(self.__dict__)
        try:
            return self._fit_unsafe(
                X, y, sample_weight, incremental=incremental, classes=classes
            )
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(snapshot)
            raise

    def _fit_unsafe(self, X, y, sample_weight, *, incremental, classes=None):
        first_call = not incremental or not hasattr(self, "coef_")
        dask_input = _dask.is_dask_collection(X)
        if dask_input:
            X, y, sample_weight = self._validate_dask(X, y, sample_weight, incremental)
        else:
            X, y = self._validate_X_y(X, y, reset=first_call)
        classes = self._prepare_targets(
            y, classes, first_call=first_call, incremental=incremental
        )
        sw = self._sample_weight(sample_weight, X, y, classes)
        if not incremental:
            self._check_weighted_classes(y, sw)
        Y = self._encode(y, X.dtype, classes)
        n_samples, n_features = X.shape
        if dask_input:
            X = _dask.DaskRows(X, Y, sw)  # persisted on the cluster
        n_outputs = Y.shape[1]

        if incremental and not first_call:
            penalty = self.penalty_
            schedule = copy.deepcopy(self.schedule_)
            optimizer = self.optimizer_
            loss = self._loss_object(classes)
            opt_state = copy.deepcopy(self.optimizer_state_)
            theta = self._theta_from_fitted(n_features, n_outputs, X.dtype)
            lr = self.learning_rate_
            t0 = self.t_
        else:
            penalty, schedule, optimizer, loss = self._components(classes)
            self._check_solver(penalty, self.loss)
            if self.warm_start and hasattr(self, "coef_") and not incremental:
                theta = self._theta_from_fitted(n_features, n_outputs, X.dtype)
            else:
                theta = np.zeros(
                    (n_features + int(self.fit_intercept), n_outputs), X.dtype
                )
            opt_state = optimizer.init_state(theta)
            t0 = 0
            lr = None

        if incremental and not first_call:
            # later partial_fit calls continue the shuffling stream
            rng = copy.deepcopy(self._rng)
        else:
            rng = check_random_state(self.random_state)
        score_fn = None
        X_train, Y_train, sw_train = X, Y, sw
        if self.early_stopping and not incremental:
            split_seed = rng.randint(np.iinfo(np.int32).max)
            train, val = self._validation_split(y, n_samples, split_seed)
            X_train, Y_train = X[train], Y[train]
            sw_train = None if sw is None else sw[train]
            X_val, y_val = X[val], y[val]
            sw_val = None if sw is None else sw[val]
            if sw_train is not None and not sw_train.sum() > 0:
                raise ValueError(
                    "The training part of the sample weights sums to zero."
                )

            def score_fn(theta):
                return self._score_theta(theta, X_val, y_val, sw_val, classes)

        if lr is None or not np.isfinite(lr):
            if self.solver != "gd" and not incremental:
                lr = np.nan  # TNC and CG choose their own steps
            else:
                lr = self._resolve_learning_rate(
                    X_train, Y_train, sw_train, loss, penalty, optimizer
                )

        if self.solver != "gd" and not incremental:
            common = dict(
                loss=loss,
                penalty=penalty,
                alpha=self.alpha,
                fit_intercept=self.fit_intercept,
                tol=self.tol,
                max_iter=self.max_iter,
                verbose=self.verbose,
            )
            if self.solver == "tnc":
                from ._tnc import minimize_tnc

                res = minimize_tnc(X_train, Y_train, sw_train, theta, **common)
            else:
                from ._cg import minimize_cg

                res = minimize_cg(
                    X_train,
                    Y_train,
                    sw_train,
                    theta,
                    n_iter_no_change=self.n_iter_no_change,
                    **common,
                )
                if self.tol is not None and not res.converged:
                    warnings.warn(
                        f"solver='cg': maximum number of iterations "
                        f"({self.max_iter}) reached before convergence. Consider "
                        "increasing max_iter or tol.",
                        ConvergenceWarning,
                    )
            self._store_state(
                rng,
                res.theta,
                n_features,
                classes,
                lr,
                penalty,
                schedule,
                optimizer,
                opt_state,
            )
            self.n_iter_ = self.t_ = res.n_iter
            self.n_grad_evals_ = res.n_grad_evals
            self.loss_curve_ = np.asarray(res.loss_curve)
            self.learning_rate_curve_ = np.full(len(res.loss_curve), np.nan)
            self.validation_scores_ = None
            return self

        result = _engine.run_epochs(
            X_train,
            Y_train,
            sw_train,
            theta,
            loss=loss,
            penalty=penalty,
            alpha=self.alpha,
            optimizer=optimizer,
            opt_state=opt_state,
            schedule=schedule,
            learning_rate=lr,
            batch_size=self.batch_size,
            max_epochs=1 if incremental else self.max_iter,
            t0=t0,
            fit_intercept=self.fit_intercept,
            clip_norm=self.clip_norm,
            shuffle=self.shuffle,
            rng=rng,
            tol=None if incremental else self.tol,
            n_iter_no_change=self.n_iter_no_change,
            score_fn=score_fn,
            verbose=self.verbose,
        )

        # Only now, with a finite result, change the estimator.
        self._store_state(
            rng,
            theta,
            n_features,
            classes,
            lr,
            penalty,
            schedule,
            optimizer,
            opt_state,
        )
        self.t_ = result.t
        if incremental and not first_call:
            self.n_grad_evals_ += result.t - t0
            self.n_iter_ += result.n_epochs
            self.loss_curve_ = np.append(self.loss_curve_, result.loss_curve)
            self.learning_rate_curve_ = np.append(
                self.learning_rate_curve_, result.learning_rate_curve
            )
        else:
            self.n_grad_evals_ = result.t - t0
            self.n_iter_ = result.n_epochs
            self.loss_curve_ = np.asarray(result.loss_curve)
            self.learning_rate_curve_ = np.asarray(result.learning_rate_curve)
            self.validation_scores_ = (
                np.asarray(result.validation_scores) if score_fn is not None else None
            )
        if (
            not incremental
            and self.tol is not None
            and not result.converged
            and self.max_iter > 1
        ):
            warnings.warn(
                f"Maximum number of epochs ({self.max_iter}) reached before "
                "convergence. Consider increasing max_iter or tol.",
                ConvergenceWarning,
            )
        return self

    def _store_state(
        self,
        rng,
        theta,
        n_features,
        classes,
        lr,
        penalty,
        schedule,
        optimizer,
        opt_state,
    ):
        """The fitted attributes every solver sets (the curves are set apart)."""
        self._rng = rng
        self._set_theta(theta, n_features)
        self._set_classes(classes)
        self.learning_rate_ = lr
        self.penalty_, self.schedule_, self.optimizer_ = penalty, schedule, optimizer
        self.optimizer_state_ = opt_state

    def _prepare_targets(self, y, classes, *, first_call, incremental):
        return None

    def _check_weighted_classes(self, y, sw):
        pass

    def _set_classes(self, classes):
        pass

    # --------------------------------------------------------------- public
    def _on_dask(self, X, method, tail, dtype=None):
        """``method`` over the row blocks of a dask array, lazily."""
        check_is_fitted(self)
        if X.ndim == 2 and X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is "
                f"expecting {self.n_features_in_} features as input."
            )
        if dtype is None:
            dtype = self.coef_.dtype
        return _dask.map_rows(X, method, tail, dtype)

    def _decision(self, X):
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=[np.float64, np.float32],
            reset=False,
        )
        return safe_sparse_dot(X, self.coef_.T, dense_output=True) + self.intercept_


class _RegressorMixinGD(RegressorMixin, _BaseGD):
    """Regression specifics: ``Y = y[:, None]``, shapes ``(n_features,)``."""

    def _encode(self, y, dtype, classes):
        return np.asarray(y, dtype=dtype).reshape(-1, 1)

    def _target_scale(self, Y, sw):
        sq = np.asarray(Y[:, 0], dtype=np.float64) ** 2
        return float(np.sqrt(np.average(sq, weights=sw)))

    def _store_coef(self, coef, intercept):
        self.coef_ = coef.ravel()
        self.intercept_ = intercept.reshape(1)

    def _score_theta(self, theta, X, y, sw, classes):
        d = X.shape[1]
        pred = _engine._raw(X, theta[:d], theta[d] if self.fit_intercept else None)
        return r2_score(y, pred.ravel(), sample_weight=sw)

    def _make_optimizer(self):
        return get_optimizer(self.optimizer)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by gradient descent (or TNC with ``solver='tnc'``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``(X, y)``, continuing ``t_``, the schedule and the
        optimizer state of the previous calls (or of ``fit``)."""
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predicted values, shape ``(n_samples,)`` (a lazy dask array for a
        dask array ``X``)."""
        if _dask.is_dask_collection(X):
            return self._on_dask(X, self.predict, ())
        return self._decision(X).ravel()


class _ClassifierMixinGD(ClassifierMixin, _BaseGD):
    """Classification specifics: label encoding, class weights, proba."""

    def _prepare_targets(self, y, classes, *, first_call, incremental):
        check_classification_targets(y)
        if not incremental:
            classes = np.unique(y)
            if len(classes) < 2:
                raise ValueError(
                    "This solver needs samples of at least 2 classes in the data, but "
                    f"the data contains only one class: {classes[0]!r}."
                )
            return classes
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit; compute "
                "the weights with sklearn.utils.compute_class_weight on the whole "
                "data and pass them as a dict."
            )
        if first_call:
            if classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
                )
            classes = np.unique(classes)
            if len(classes) < 2:
                raise ValueError(
                    "This solver needs samples of at least 2 classes, but "
                    f"classes={classes!r} has only one class."
                )
        else:
            if classes is not None and not np.array_equal(
                self.classes_, np.unique(classes)
            ):
                raise ValueError(
                    f"`classes={classes!r}` is not the same as on the first call to "
                    f"partial_fit, was: {self.classes_!r}"
                )
            classes = self.classes_
        unseen = np.setdiff1d(np.unique(y), classes)
        if unseen.size:
            raise ValueError(
                f"y contains labels {unseen!r} not in classes {classes!r}."
            )
        return classes

    def _set_classes(self, classes):
        self.classes_ = classes

    def _check_weighted_classes(self, y, sw):
        if sw is None:
            return
        present = np.unique(y[sw > 0])
        if len(present) < 2:
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
        idx = np.searchsorted(classes, y)
        n = len(y)
        if len(classes) == 2:
            Y = np.where(idx == 1, 1.0, -1.0).astype(dtype).reshape(-1, 1)
        elif self.loss == "log_loss":
            Y = np.zeros((n, len(classes)), dtype=dtype)
            Y[np.arange(n), idx] = 1.0
        else:
            Y = -np.ones((n, len(classes)), dtype=dtype)
            Y[np.arange(n), idx] = 1.0
        return Y

    def _store_coef(self, coef, intercept):
        self.coef_ = coef
        self.intercept_ = intercept

    def _score_theta(self, theta, X, y, sw, classes):
        d = X.shape[1]
        raw = _engine._raw(X, theta[:d], theta[d] if self.fit_intercept else None)
        if raw.shape[1] == 1:
            pred = classes[(raw[:, 0] > 0).astype(int)]
        else:
            pred = classes[raw.argmax(axis=1)]
        return accuracy_score(y, pred, sample_weight=sw)

    def _make_optimizer(self):
        return get_optimizer(self.optimizer)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the classifier by gradient descent (or TNC with ``solver='tnc'``).

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
        scores = self._decision(X)
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Predicted class labels."""
        if _dask.is_dask_collection(X):
            return self._on_dask(X, self.predict, (), self.classes_.dtype)
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[scores.argmax(axis=1)]

    def _check_proba(self):
        if self.loss not in ("log_loss", "modified_huber"):
            raise AttributeError(
                f"probability estimates are not available for loss={self.loss!r}"
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


# ---------------------------------------------------------------- presets


class GDRegressor(_RegressorMixinGD):
    """Linear regression trained by gradient descent (full batch by default).

    Minimises ``sum_i s_i loss(y_i, x_i.w + b) / sum_i s_i + alpha * R(w)``.

    Parameters
    ----------
    loss : {'squared_error', 'huber', 'epsilon_insensitive'}, default='squared_error'
        ``(y - p)^2 / 2``, Huber, or epsilon-insensitive (as ``SGDRegressor``).
    penalty : {'l2', 'l1', 'elasticnet'}, penalty object or None, default='l2'
        The shape ``R(w)`` of the penalty (:mod:`sklearn_gd.penalties`).  The
        L1 part is applied as a proximal step, which gives exact zeros.
    alpha : float, default=1e-4
        Penalty strength.
    learning_rate : float or 'auto', default='auto'
        Base step size.  ``'auto'`` is ``1 / L_b``, ``L_b`` the Lipschitz
        constant of the objective for the configured batch size (power
        iterations on the weighted data); for Adam/RMSprop/AdaGrad it is
        torch's default ``lr``.
    schedule : str, schedule object or None, default='constant'
        Multiplier of ``learning_rate`` at each update
        (:mod:`sklearn_gd.schedules`).
    optimizer : {'sgd', 'momentum', 'nesterov', 'adam', 'rmsprop', 'adagrad'} \
or optimizer object, default='sgd'
        Update rule (:mod:`sklearn_gd.optimizers`).
    batch_size : int or None, default=None
        ``None`` uses all samples for every update (gradient descent).
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float or None, default=1e-4
        Stop when the epoch objective has not improved by ``tol`` (absolute)
        for ``n_iter_no_change`` epochs; ``None`` disables.
    n_iter_no_change : int, default=10
        Ten epochs (as scikit-learn's MLP): with momentum the objective is not
        monotone, and a shorter patience stops in the first overshoot.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop on its R^2.
    validation_fraction : float, default=0.1
    shuffle : bool or 'batch', default=True
        Mini-batches only.  ``True``: a fresh permutation of the rows every
        epoch.  ``'batch'`` (as Keras's ``fit(shuffle='batch')``): the rows
        stay in their order, cut into contiguous batches, and each epoch
        visits the full batches in a fresh random order, a short last batch
        last.  Nothing is gathered, so an epoch runs at the speed of
        unshuffled data, but a batch always holds the same rows: use it for
        rows already in random order (or shuffled once), never for data
        sorted by target or by time.  CSC input is converted to CSR once.
        ``False``: the rows in their order.
    random_state : int, RandomState or None, default=None
    fit_intercept : bool, default=True
    clip_norm : float or None, default=None
        Clip the norm of the whole gradient (coefficients and intercept).
    solver : {'gd', 'tnc', 'cg'}, default='gd'
        ``'tnc'`` minimises the same objective with
        ``scipy.optimize.minimize(method='TNC')``; ``'cg'`` with nonlinear
        conjugate gradients (Polak-Ribière+) and an exact line search on the
        scores, the recommended full-batch solver (smooth problems only for
        both; ``learning_rate``, ``schedule`` and ``optimizer`` are unused).
    warm_start : bool, default=False
        Start ``fit`` from the previous ``coef_`` / ``intercept_``.
    verbose : int, default=0
        Print one line per epoch.
    epsilon : float, default=0.1
        Width of ``'huber'`` and ``'epsilon_insensitive'``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : ndarray of shape (1,)
    n_iter_ : int
        Epochs run (TNC: its iterations).
    t_ : int
        Parameter updates made.
    loss_curve_ : ndarray
        Training objective per epoch (full batch: exactly the objective at the
        iterate the epoch started from; mini-batches: the batch losses of the
        epoch averaged with the sample weights, plus the penalty at its start).
    learning_rate_curve_ : ndarray
        Step size of the last update of each epoch.
    validation_scores_ : ndarray or None
        Validation R^2 per epoch when ``early_stopping``.
    learning_rate_ : float
        The resolved base step size.
    penalty_, schedule_, optimizer_ : objects
        Fitted copies of the components.
    optimizer_state_ : dict
        The optimizer's state (velocity, moments).
    n_features_in_ : int
    feature_names_in_ : ndarray

    See Also
    --------
    MomentumSGDRegressor : mini-batch SGD with momentum.
    GDClassifier : the classification counterpart.
    sklearn.linear_model.SGDRegressor : per-sample SGD of scikit-learn.
    sklearn.linear_model.Ridge : the closed form of ``penalty='l2'``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_gd import GDRegressor
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> y = 2 * X.ravel() + 1
    >>> reg = GDRegressor(alpha=0.0, tol=None, max_iter=2000).fit(X, y)
    >>> np.round(reg.coef_, 3), np.round(reg.intercept_, 3)
    (array([2.]), array([1.]))
    """

    _parameter_constraints: dict = {
        **_BaseGD._parameter_constraints,
        "loss": [StrOptions(set(_losses.REGRESSION_LOSSES))],
        "optimizer": [
            StrOptions(_OPTIMIZER_NAMES),
            HasMethods(["init_state", "update"]),
        ],
        "epsilon": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        loss="squared_error",
        *,
        penalty="l2",
        alpha=1e-4,
        learning_rate="auto",
        schedule="constant",
        optimizer="sgd",
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
        epsilon=0.1,
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
        self.epsilon = epsilon


class GDClassifier(_ClassifierMixinGD):
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
        **_BaseGD._parameter_constraints,
        "loss": [StrOptions(set(_losses.CLASSIFICATION_LOSSES))],
        "optimizer": [
            StrOptions(_OPTIMIZER_NAMES),
            HasMethods(["init_state", "update"]),
        ],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        loss="log_loss",
        *,
        penalty="l2",
        alpha=1e-4,
        learning_rate="auto",
        schedule="constant",
        optimizer="sgd",
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
        self.class_weight = class_weight


_MOMENTUM_CONSTRAINTS = {
    "momentum": [Interval(Real, 0, 1, closed="left")],
    "dampening": [Interval(Real, 0, 1, closed="both")],
    "nesterov": ["boolean"],
}


class MomentumSGDRegressor(_RegressorMixinGD):
    """Linear regression trained by mini-batch SGD with momentum.

    :class:`GDRegressor` with ``batch_size=32`` and the update rule of
    ``torch.optim.SGD(momentum, dampening, nesterov)`` given as plain
    arguments: ``v_1 = g_1``, ``v_t = momentum * v_{t-1} + (1 - dampening) g_t``,
    direction ``g_t + momentum * v_t`` (Nesterov) or ``v_t``.
    ``dampening=momentum`` gives the moving-average form.

    Parameters
    ----------
    momentum : float in [0, 1), default=0.9
    dampening : float in [0, 1], default=0.0
    nesterov : bool, default=False
    batch_size : int or None, default=32

    The other parameters and the attributes are those of
    :class:`GDRegressor`; ``optimizer_`` is the fitted ``Momentum`` object.

    See Also
    --------
    GDRegressor : any optimizer, full batch by default.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_gd import MomentumSGDRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = make_pipeline(StandardScaler(), MomentumSGDRegressor(random_state=0))
    >>> reg.fit(X, y).score(X, y) > 0.4
    True
    """

    _parameter_constraints: dict = {
        **_BaseGD._parameter_constraints,
        **_MOMENTUM_CONSTRAINTS,
        "loss": [StrOptions(set(_losses.REGRESSION_LOSSES))],
        "epsilon": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        loss="squared_error",
        *,
        penalty="l2",
        alpha=1e-4,
        learning_rate="auto",
        schedule="constant",
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
        epsilon=0.1,
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
        self.epsilon = epsilon

    def _make_optimizer(self):
        return Momentum(self.momentum, self.dampening, self.nesterov)


class MomentumSGDClassifier(_ClassifierMixinGD):
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
        **_BaseGD._parameter_constraints,
        **_MOMENTUM_CONSTRAINTS,
        "loss": [StrOptions(set(_losses.CLASSIFICATION_LOSSES))],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        loss="log_loss",
        *,
        penalty="l2",
        alpha=1e-4,
        learning_rate="auto",
        schedule="constant",
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
        self.class_weight = class_weight

    def _make_optimizer(self):
        return Momentum(self.momentum, self.dampening, self.nesterov)
