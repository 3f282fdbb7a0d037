"""The estimators' shared fitting logic.

``fit`` validates the input and encodes the target, resolves the components
(fitted copies ``penalty_``, ``schedule_``, ``optimizer_``; the constructor
arguments are never changed), builds one :class:`~sklearn_gd._problem.Problem`
and hands it with a start state to a solver from :mod:`sklearn_gd._solvers`;
whatever the solver, its :class:`~sklearn_gd._solvers.SolverResult` is stored
the same way.  Data flow down once: estimator -> problem -> solver -> result.
"""

import copy
from numbers import Integral, Real
from types import SimpleNamespace

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.validation import (
    _check_sample_weight,
    _check_y,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from . import _dask, _losses
from ._problem import PenaltyTerms, Problem, coef_from_theta, theta_from_coef
from ._reports import (
    CallbackSupportMixin,
    EpochTasks,
    warn_if_noise_plateau,
    warn_if_rising,
    warn_if_subgradient_noise,
    warn_not_converged,
    with_callbacks,
)
from ._rows import ArrayRows
from ._solvers import (
    TNC,
    ConjugateGradient,
    GradientDescent,
    Monitor,
    VarianceReduced,
)
from ._step_size import auto_learning_rate
from .optimizers import (
    OPTIMIZER_NAMES,
    AcceleratedGradient,
    Momentum,
    get_optimizer,
)
from .penalties import get_penalty
from .schedules import SCHEDULE_NAMES, InverseTimeDecay, InvScaling, get_schedule

__all__ = ["_BaseGD"]

#: The constraints of the ``optimizer`` argument (GD presets).
OPTIMIZER_CONSTRAINT = [
    StrOptions({"auto", *OPTIMIZER_NAMES}),
    HasMethods(["init_state", "update"]),
]


def _auto_schedule(problem, lr):
    """``schedule='auto'`` with ``learning_rate='auto'`` (with a learning rate
    of the user's it is constant, as in torch and Keras): constant for smooth
    losses; for the non-smooth ones (subgradients, which do not vanish at the
    optimum) the decay of the strongly convex subgradient method,
    ``1 / (1 + mu lr t)`` -- the step ``1 / (1 / lr + mu t)``, scikit-learn's
    ``learning_rate='optimal'`` with ``t0 = 1 / (mu lr)`` -- with
    ``mu = alpha * l2`` the L2 part's strong convexity, or
    ``(t + 1) ** -0.5`` without an L2 part."""
    if problem.loss.smooth:
        return get_schedule("constant")
    mu = problem.terms.l2
    if mu > 0:
        return InverseTimeDecay(decay_steps=1.0, decay_rate=mu * float(lr))
    return InvScaling(power_t=0.5)


#: average='auto': epochs averaged after the mini-batch stopping rule is met
_TAIL_EPOCHS = 3


def _is_auto(value):
    return isinstance(value, str) and value == "auto"


def _same(a, b):
    """Whether two components have the same class and parameters."""
    return type(a) is type(b) and repr(a.get_params()) == repr(b.get_params())


class _BaseGD(CallbackSupportMixin, BaseEstimator):
    """Validate -> build the problem -> start or resume -> solve -> store."""

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
            StrOptions({"auto", *SCHEDULE_NAMES}),
            HasMethods(["__call__", "get_params"]),
            callable,
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
        "solver": [StrOptions({"gd", "tnc", "cg", "saga", "svrg"})],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "average": [
            Interval(Integral, 1, None, closed="left"),
            "boolean",
            StrOptions({"auto"}),
        ],
        "positive": ["boolean"],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def set_params(self, **params):
        """As scikit-learn's, with a clear error for ``component__param``
        when the component is given by name (``schedule='exponential'``)."""
        for key in params:
            head, nested, _ = key.partition("__")
            value = params.get(head, getattr(self, head, None))
            if nested and head in ("schedule", "penalty", "optimizer"):
                if isinstance(value, str):
                    raise ValueError(
                        f"Cannot set {key!r}: {head}={value!r} is a name, which "
                        f"has no parameters. Pass an object instead, e.g. "
                        f"{head}=ExponentialDecay() from sklearn_gd.schedules "
                        f"(or set {head} to an object in the same grid)."
                    )
        return super().set_params(**params)

    # ------------------------------------------------------------ components
    def _make_optimizer(self, penalty=None, loss=None, incremental=False):
        if hasattr(self, "momentum"):  # the MomentumSGD presets
            params = Momentum._parameter_constraints
            return Momentum(**{name: getattr(self, name) for name in params})
        if self.optimizer == "auto":
            return self._auto_optimizer(penalty, loss, incremental)
        return get_optimizer(self.optimizer)

    def _auto_optimizer(self, penalty, loss, incremental):
        """``optimizer='auto'``: Nesterov's accelerated gradient with restart
        (FISTA with an L1 part or ``positive=True``; a line search where the
        loss's curvature varies) for a full-batch ``fit`` of a smooth loss
        with a built-in penalty at ``learning_rate='auto'``; otherwise
        (mini-batches, ``partial_fit``, non-smooth losses, a custom prox, a
        learning rate of the user's -- plain gradient descent is stable up to
        ``2 / L``, the accelerated one up to ``1 / L``, the step ``'auto'``
        computes) plain gradient steps."""
        terms = PenaltyTerms(penalty, 1.0, self.positive)
        accelerate = (
            self.batch_size is None
            and _is_auto(self.learning_rate)
            and not incremental
            and loss is not None
            and loss.smooth
            and terms.generic_prox is None  # built-in penalties (L1: FISTA)
        )
        if accelerate:
            return AcceleratedGradient(line_search=not loss.constant_curvature)
        return get_optimizer("sgd")

    def _loss_object(self, classes):
        return _losses.get_loss(
            self.loss,
            epsilon=getattr(self, "epsilon", 0.1),
            n_classes=None if classes is None else len(classes),
            quantile=getattr(self, "quantile", 0.5),
            power=getattr(self, "power", 1.5),
        )

    def _components(self, classes, incremental=False):
        """Fresh, validated copies of penalty, schedule and optimizer."""
        checked = []  # objects of the user's: cloned, their arguments checked

        def own(component, param):
            if component is param:  # not made from a name: the user's object
                component = clone(component, safe=False)
                checked.append(component)
            return component  # made from a name: default arguments

        penalty = own(get_penalty(self.penalty), self.penalty)
        # 'auto' is resolved with the step size, in _solver
        name = "constant" if _is_auto(self.schedule) else self.schedule
        schedule = own(get_schedule(name), self.schedule)
        loss = self._loss_object(classes)
        optimizer = self._make_optimizer(penalty, loss, incremental)
        if hasattr(self, "momentum"):  # the presets build it from arguments
            checked.append(optimizer)
        else:
            optimizer = own(optimizer, self.optimizer)
        for component in checked:
            if hasattr(component, "validate"):
                component.validate()
        if hasattr(schedule, "reset"):
            schedule.reset()
        return penalty, schedule, optimizer, loss

    def _check_solver(self, penalty, loss):
        if self.positive and self.solver == "cg":
            raise ValueError(
                "solver='cg' cannot honour positive=True (its line search is "
                "unconstrained); use solver='gd', 'tnc' (bounds), 'saga' or 'svrg'."
            )
        if self.solver == "gd":
            return
        terms = PenaltyTerms(penalty, 1.0)
        if self.solver in ("saga", "svrg"):
            if not loss.smooth:
                raise ValueError(
                    f"solver={self.solver!r} needs a differentiable loss (its "
                    f"theory does not cover loss={self.loss!r}); use one of "
                    f"{list(_losses.SMOOTH_LOSSES)} or solver='gd'."
                )
            return  # any penalty: its non-smooth part is a proximal step
        if not loss.smooth:
            raise ValueError(
                f"solver={self.solver!r} needs a smooth objective, but "
                f"loss={self.loss!r} is not differentiable. Use one of "
                f"{list(_losses.SMOOTH_LOSSES)} or solver='gd'."
            )
        if terms.l1:
            raise ValueError(
                f"solver={self.solver!r} needs a smooth objective, but "
                f"penalty={self.penalty!r} has a non-differentiable L1 part. Use "
                "penalty='l2' or None, or solver='gd', which applies the L1 part "
                "as a proximal step."
            )
        if not terms.smooth or (self.solver == "cg" and not terms.builtin):
            raise ValueError(
                f"solver={self.solver!r} needs a differentiable penalty with "
                f"a gradient, but penalty={self.penalty!r} is applied through its "
                "prox. Use solver='gd'."
            )

    # ------------------------------------------------------------ the data
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
        y = _check_y(
            _dask.to_numpy(y),
            multi_output=self._multi_output,
            y_numeric=self._y_numeric,
        )
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

    def _prepare_data(self, X, y, sample_weight, *, incremental, first_call, classes):
        """Validated ``X``, ``y``, weights, encoded target ``Y`` and classes."""
        if _dask.is_dask_collection(X):
            X, y, sample_weight = self._validate_dask(X, y, sample_weight, incremental)
        else:
            X, y = validate_data(
                self,
                X,
                y,
                accept_sparse=["csr", "csc"],
                dtype=[np.float64, np.float32],
                reset=first_call,
                multi_output=self._multi_output,
                y_numeric=self._y_numeric,
            )
        y = self._check_target_shape(y)
        classes = self._prepare_targets(
            y, classes, first_call=first_call, incremental=incremental
        )
        sw = self._sample_weight(sample_weight, X, y, classes)
        if not incremental:
            self._check_weighted_classes(y, sw)
        return X, y, sw, self._encode(y, X.dtype, classes), classes

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
        if not self._y_numeric and np.ndim(y) == 1:
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

    def _training_rows(self, X, y, Y, sw, classes, rng, incremental):
        """The rows to train on and the early-stopping score (or None)."""
        if _dask.is_dask_collection(X):
            return _dask.DaskRows(X, Y, sw), None  # persisted on the cluster
        if not self.early_stopping or incremental:
            return ArrayRows(X, Y, sw), None
        seed = rng.randint(np.iinfo(np.int32).max)
        train, val = self._validation_split(y, X.shape[0], seed)
        sw_train = None if sw is None else sw[train]
        if sw_train is not None and not sw_train.sum() > 0:
            raise ValueError("The training part of the sample weights sums to zero.")
        X_val, y_val = X[val], y[val]
        sw_val = None if sw is None else sw[val]

        def score_fn(theta):
            return self._score_theta(theta, X_val, y_val, sw_val, classes)

        return ArrayRows(X[train], Y[train], sw_train), score_fn

    # ------------------------------------------------------------ the start
    def _start(self, n_features, n_outputs, dtype, classes, *, incremental, resume):
        """Components, parameters and counters to start (or resume) from.

        Every parameter is read on every call (as scikit-learn does), also by
        a ``partial_fit`` that resumes: what continues is the state -- the
        step count ``t_``, the optimizer state (while the optimizer's class is
        unchanged), a plateau schedule's state (while its parameters are),
        the resolved ``'auto'`` step size and the shuffling stream.
        """
        penalty, schedule, optimizer, loss = self._components(classes, incremental)
        average_state = table = None
        if resume or (self.warm_start and hasattr(self, "coef_")):
            table = getattr(self, "_saga_table", None)
        if resume:
            theta = self._theta(n_features, n_outputs, dtype)
            average_state = copy.deepcopy(getattr(self, "_average_state", None))
            opt_state = optimizer.init_state(theta)
            if type(optimizer) is type(self.optimizer_):
                opt_state = copy.deepcopy(self.optimizer_state_)
            if getattr(schedule, "stateful", False) and _same(schedule, self.schedule_):
                schedule = copy.deepcopy(self.schedule_)
            lr = self.learning_rate_ if self.learning_rate == "auto" else None
            t, rng = self.t_, copy.deepcopy(self._rng)
        else:
            self._check_solver(penalty, loss)
            if self.warm_start and hasattr(self, "coef_") and not incremental:
                theta = self._theta(n_features, n_outputs, dtype)
            else:
                shape = (n_features + int(self.fit_intercept), n_outputs)
                theta = np.zeros(shape, dtype)
            opt_state = optimizer.init_state(theta)
            lr, t, rng = None, 0, check_random_state(self.random_state)
        return SimpleNamespace(
            penalty=penalty,
            schedule=schedule,
            optimizer=optimizer,
            loss=loss,
            opt_state=opt_state,
            theta=theta,
            t=t,
            lr=lr,
            rng=rng,
            average_state=average_state,
            table=table,
        )

    def _theta(self, n_features, n_outputs, dtype):
        """The parameters to continue from: the last iterate (not the average)."""
        iterate = getattr(self, "_iterate", None)
        if iterate is not None and iterate.shape == (
            n_features + int(self.fit_intercept),
            n_outputs,
        ):
            return iterate.astype(dtype, copy=True)
        return theta_from_coef(
            self.coef_,
            self.intercept_,
            n_features,
            n_outputs,
            self.fit_intercept,
            dtype,
        )

    def _solver(self, problem, start, incremental):
        """The solver for this fit; resolves ``start.lr`` for gradient descent."""
        if self.solver in ("saga", "svrg"):
            return self._variance_reduced(problem, start)
        if self.solver != "gd" and not incremental:
            start.lr = np.nan  # TNC and CG choose their own steps
            return TNC(self.tol) if self.solver == "tnc" else ConjugateGradient()
        if start.lr is None or not np.isfinite(start.lr):
            if self.learning_rate != "auto":
                start.lr = float(self.learning_rate)
            else:
                scale = 1.0
                if getattr(start.optimizer, "default_learning_rate", None):
                    scale = self._target_scale(problem.rows.Y, problem.rows.sw)
                start.lr = auto_learning_rate(
                    problem, self.batch_size, start.optimizer, scale
                )
        if _is_auto(self.schedule) and _is_auto(self.learning_rate):
            # with a learning_rate of the user's, 'auto' keeps it constant
            start.schedule = _auto_schedule(problem, start.lr)
        average, tail = None, 0
        if _is_auto(self.average):
            # the noise-plateau tail of mini-batch fits (see _TailAverage; the
            # solver starts it only when the objective's stopping rule ends a
            # run: never with tol=None or early stopping)
            tail = 0 if incremental else _TAIL_EPOCHS
        elif self.average is not False:
            average = 1 if self.average is True else int(self.average)
        if average is not None and start.average_state is None:
            start.average_state = {"avg": None, "count": 0}
        return GradientDescent(
            optimizer=start.optimizer,
            opt_state=start.opt_state,
            schedule=start.schedule,
            learning_rate=start.lr,
            batch_size=self.batch_size,
            shuffle=self.shuffle,
            clip_norm=self.clip_norm,
            rng=start.rng,
            average=average,
            average_state=start.average_state,
            check_optimality=not incremental and self.tol is not None,
            tail_epochs=tail,
        )

    def _callback_tasks(self, X, y, classes, y_2d, incremental):
        """scikit-learn's callbacks, one task per epoch (or iteration), when
        any are set on this estimator or propagated to it."""
        if not (
            hasattr(self, "_skl_callbacks") or hasattr(self, "_parent_callback_ctx")
        ):
            return None
        n_tasks = 1 if incremental else self.max_iter
        if self.solver == "tnc" and not incremental:
            n_tasks = None  # TNC's iterations are not capped by max_iter
        else:
            n_tasks += 1  # the task begun for an epoch that does not run
        ctx = self._init_callback_context(max_subtasks=n_tasks)
        ctx.call_on_fit_task_begin(estimator=self, X=X, y=y)

        def reconstruct(theta):
            return self._reconstruction(theta, X.shape[1], classes, y_2d)

        return EpochTasks(ctx, self, X, y, reconstruct)

    def _variance_reduced(self, problem, start):
        """SAGA/SVRG on batches of ``batch_size`` rows (32 when None).  The
        ``'auto'`` step is ``1 / (3 L_b)`` for SAGA and ``1 / (4 L_b)`` for
        SVRG, ``L_b`` the mini-batch smoothness constant."""
        batch_size = 32 if self.batch_size is None else self.batch_size
        if start.lr is None or not np.isfinite(start.lr):
            if self.learning_rate != "auto":
                start.lr = float(self.learning_rate)
            else:
                base = auto_learning_rate(problem, batch_size, get_optimizer("sgd"))
                full = batch_size >= problem.n  # base is 1 / L, else 1 / (2 L_b)
                share = 1 / 3 if self.solver == "saga" else 1 / 4
                start.lr = base * (share if full else 2 * share)
        return VarianceReduced(
            self.solver,
            learning_rate=start.lr,
            batch_size=batch_size,
            shuffle=self.shuffle,
            rng=start.rng,
            table=start.table if self.solver == "saga" else None,
        )

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

    @with_callbacks  # tears the callbacks down before a roll-back
    def _fit_unsafe(self, X, y, sample_weight, *, incremental, classes=None):
        if incremental and self.early_stopping:
            raise ValueError(
                "early_stopping=True needs a validation split of the whole data, "
                "which partial_fit does not see; use fit, or early_stopping=False "
                "(as scikit-learn's SGD)."
            )
        first_call = not incremental or not hasattr(self, "coef_")
        resume = incremental and not first_call
        X, y, sw, Y, classes = self._prepare_data(
            X,
            y,
            sample_weight,
            incremental=incremental,
            first_call=first_call,
            classes=classes,
        )
        n_features = X.shape[1]
        start = self._start(
            n_features, Y.shape[1], X.dtype, classes, incremental=incremental,
            resume=resume,
        )  # fmt: skip
        rows, score_fn = self._training_rows(
            X, y, Y, sw, classes, start.rng, incremental
        )
        start.loss.set_scale(rows.Y)
        problem = Problem(
            rows,
            start.loss,
            start.penalty,
            self.alpha,
            self.fit_intercept,
            self.positive,
        )
        with np.errstate(all="ignore"):  # non-finite values are checked, not raised
            solver = self._solver(problem, start, incremental)
        start.y_2d = np.ndim(y) == 2
        tasks = self._callback_tasks(X, y, classes, start.y_2d, incremental)
        monitor = Monitor(
            tol=None if incremental else self.tol,
            strong_convexity=problem.terms.l2 if problem.smooth else 0.0,
            n_iter_no_change=self.n_iter_no_change,
            score_fn=score_fn,
            schedule=start.schedule,
            verbose=self.verbose,
            tasks=tasks,
        )
        with np.errstate(all="ignore"):
            from_zero = not start.theta.any()  # trained in place below
            result = solver.solve(
                problem,
                start.theta,
                max_iter=1 if incremental else self.max_iter,
                monitor=monitor,
                t0=start.t,
            )
        # Only now, with a finite result, change the estimator.
        self._store(result, start, n_features, classes, append=resume)
        if tasks is not None:
            tasks.ctx.call_on_fit_task_end(
                estimator=self, X=X, y=y, reconstruction_attributes={}
            )
        stopped = result.converged or result.stopped_by_callback
        if not incremental and self.tol is not None and not stopped:
            warn_not_converged(self.solver, self.max_iter, self.tol, result, problem)
        if not incremental:
            warn_if_rising(
                result.loss_curve, start.lr, monitor.reference if from_zero else None
            )
            mini_batch = (self.batch_size or problem.n) < problem.n
            if mini_batch and self.solver == "gd" and result.converged:
                if problem.loss.smooth:
                    warn_if_noise_plateau(result, problem, self.tol)
                else:
                    gain = getattr(start.optimizer, "noise_gain", lambda: 1.0)()
                    warn_if_subgradient_noise(result, problem, self.batch_size, gain)
        return self

    def _store(self, result, start, n_features, classes, *, append):
        """The fitted attributes, the same way for every solver."""
        self._rng = start.rng
        fitted = self._reconstruction(result.theta, n_features, classes, start.y_2d)
        for name, value in fitted.items():
            setattr(self, name, value)
        separate = result.iterate is not result.theta  # averaged, schedule-free
        self._iterate = result.iterate.copy() if separate else None
        self._average_state = start.average_state
        self._saga_table = result.state
        self._set_classes(classes)
        self.learning_rate_ = start.lr
        self.penalty_, self.schedule_ = start.penalty, start.schedule
        self.optimizer_, self.optimizer_state_ = start.optimizer, start.opt_state
        self.t_ = result.t
        if append:
            self.n_iter_ += result.n_iter
            self.n_grad_evals_ += result.n_grad_evals
            self.loss_curve_ = np.append(self.loss_curve_, result.loss_curve)
            self.learning_rate_curve_ = np.append(
                self.learning_rate_curve_, result.learning_rate_curve
            )
            return
        self.n_iter_ = result.n_iter
        self.n_grad_evals_ = result.n_grad_evals
        self.loss_curve_ = result.loss_curve
        self.learning_rate_curve_ = result.learning_rate_curve
        self.validation_scores_ = result.validation_scores
        self.best_validation_score_ = result.best_validation_score
        self.best_epoch_ = result.best_epoch

    # ------------------------------------------------------------ hooks
    _y_numeric = True
    _multi_output = False  # a 2-D y (regressors: several outputs)

    def _prepare_targets(self, y, classes, *, first_call, incremental):
        return None

    def _check_target_shape(self, y):
        return y

    def _check_weighted_classes(self, y, sw):
        pass

    def _class_weight_per_sample(self, y, classes):
        return None

    def _set_classes(self, classes):
        pass

    def _reconstruction(self, theta, n_features, classes, y_2d):
        """The fitted attributes that make a model of ``theta``."""
        coef, intercept = coef_from_theta(theta, n_features, self.fit_intercept)
        return self._fitted_attributes(coef, intercept, classes, y_2d)

    def _target_scale(self, Y, sw):
        return 1.0

    def _model_scores(self, X, theta, classes, y_2d):
        """``X @ coef_.T + intercept_`` of the model that ``theta`` makes,
        computed as ``predict`` / ``decision_function`` compute it: the
        validation score of early stopping is then exactly the score of the
        fitted model with those coefficients, to the last bit."""
        fitted = self._reconstruction(theta, X.shape[1], classes, y_2d)
        coef, intercept = fitted["coef_"], fitted["intercept_"]
        return safe_sparse_dot(X, coef.T, dense_output=True) + intercept

    # --------------------------------------------------------------- public
    def objective(self, X, y, sample_weight=None):
        """The objective of ``API.md`` at the fitted coefficients on ``(X, y)``.

        ``sum_i s_i loss_i / sum_i s_i + alpha * R(w)`` with this estimator's
        loss, penalty, ``alpha`` and class weights, computed in float64.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        float
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=np.float64, reset=False
        )
        y = np.asarray(y)
        classes = getattr(self, "classes_", None)
        sw = self._sample_weight(sample_weight, X, y, classes)
        Y = self._encode(y, np.float64, classes)
        problem = Problem.from_arrays(
            X, Y, sw, self._loss_object(classes), self.penalty_, self.alpha,
            self.fit_intercept, self.positive,
        )  # fmt: skip
        # the model's coefficients (averaged, best, ...), not the last iterate
        theta = theta_from_coef(
            self.coef_, self.intercept_, X.shape[1], Y.shape[1],
            self.fit_intercept, np.float64,
        )  # fmt: skip
        return float(problem.value(theta))

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
