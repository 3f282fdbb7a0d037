"""Regressors: ``_BaseGDRegressor`` and the presets ``GDRegressor`` and
``MomentumSGDRegressor``."""

from numbers import Real

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _dask, _losses
from ._base import OPTIMIZER_CONSTRAINT, _BaseGD
from .optimizers import Momentum

__all__ = ["GDRegressor", "MomentumSGDRegressor"]


class _BaseGDRegressor(RegressorMixin, _BaseGD):
    """Regression: ``Y = y[:, None]``, ``coef_`` of shape ``(n_features,)``."""

    _parameter_constraints: dict = {
        **_BaseGD._parameter_constraints,
        "loss": [StrOptions(set(_losses.REGRESSION_LOSSES))],
        "epsilon": [Interval(Real, 0, None, closed="left")],
        "quantile": [Interval(Real, 0, 1, closed="neither")],
        "power": [
            Interval(Real, None, 0, closed="right"),
            Interval(Real, 1, None, closed="left"),
        ],
    }

    @property
    def _multi_output(self):
        # Poisson/Tweedie: one output (scikit-learn's multi-output checks draw
        # negative targets whatever the positive_only tag says)
        return self.loss not in _losses.LOG_LINK_LOSSES

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = self._multi_output
        tags.target_tags.positive_only = not self._multi_output
        return tags

    def _prepare_targets(self, y, classes, *, first_call, incremental):
        """Targets a log-link loss can fit (scikit-learn's ranges)."""
        if self.loss not in _losses.LOG_LINK_LOSSES:
            return None
        power = 1.0 if self.loss == "poisson" else float(self.power)
        y = np.asarray(y)
        if power >= 2 and np.any(y <= 0):
            raise ValueError(
                f"loss={self.loss!r} with power={power:g} needs strictly positive "
                "targets."
            )
        if 0 < power < 2 and np.any(y < 0):
            raise ValueError(f"loss={self.loss!r} needs non-negative targets (counts).")
        return None

    def _inverse_link(self, raw):
        """The mean: ``exp(raw)`` for the log-link losses."""
        return np.exp(raw) if self.loss in _losses.LOG_LINK_LOSSES else raw

    def _encode(self, y, dtype, classes):
        y = np.asarray(y, dtype=dtype)
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def _target_scale(self, Y, sw):
        sq = np.mean(np.asarray(Y, dtype=np.float64) ** 2, axis=1)
        return float(np.sqrt(np.average(sq, weights=sw)))

    def _fitted_attributes(self, coef, intercept, classes, y_2d=False):
        """1-D ``y``: ``coef_`` (n_features,), ``intercept_`` (1,); 2-D ``y``
        of k columns: (k, n_features) and (k,), as ``Ridge``."""
        if y_2d:
            return {"coef_": coef, "intercept_": intercept}
        return {"coef_": coef.ravel(), "intercept_": intercept.reshape(1)}

    def _score_theta(self, theta, X, y, sw, classes):
        y_2d = np.ndim(y) == 2
        pred = self._inverse_link(self._model_scores(X, theta, classes, y_2d))
        return r2_score(y, pred, sample_weight=sw)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model (gradient descent, or the configured ``solver``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Several outputs are fitted together, one matrix product per
            batch; the objective is the sum of the per-output objectives.
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
        """Predicted values, shape ``(n_samples,)`` or ``(n_samples,
        n_outputs)`` (a lazy dask array for a dask array ``X``)."""
        if _dask.is_dask_collection(X):
            tail = () if self.coef_.ndim == 1 else (self.coef_.shape[0],)
            return self._on_dask(X, self.predict, tail)
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=[np.float64, np.float32],
            reset=False,
        )
        raw = safe_sparse_dot(X, self.coef_.T, dense_output=True) + self.intercept_
        return self._inverse_link(raw)


class GDRegressor(_BaseGDRegressor):
    """Linear regression trained by gradient descent (full batch by default).

    Minimises ``sum_i s_i loss(y_i, x_i.w + b) / sum_i s_i + alpha * R(w)``.

    Parameters
    ----------
    loss : {'squared_error', 'huber', 'epsilon_insensitive', 'quantile', \
'poisson', 'tweedie'}, default='squared_error'
        ``(y - p)^2 / 2``, Huber, or epsilon-insensitive (as ``SGDRegressor``),
        the pinball loss, or half the Poisson / Tweedie deviance with a log
        link (as ``PoissonRegressor`` / ``TweedieRegressor``).
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
    schedule : str, schedule object or None, default='auto'
        Multiplier of ``learning_rate`` at each update
        (:mod:`sklearn_gd.schedules`).  ``'auto'``: constant for smooth
        losses and whenever ``learning_rate`` is a number (the step you
        set is kept, as in torch and Keras); with ``learning_rate='auto'``
        and a non-smooth loss (hinge, epsilon-insensitive, quantile)
        ``1 / (1 + mu lr t)``, the decay of the strongly convex subgradient
        method (scikit-learn's ``learning_rate='optimal'``),
        ``mu = alpha * l2``, or ``(t + 1) ** -0.5`` without an L2 part;
        ``schedule_`` holds the resolved schedule.  ``'constant'`` keeps the
        step fixed (the seeds' configuration).
    optimizer : {'auto', 'sgd', 'momentum', 'nesterov', 'adam', 'rmsprop', \
'adagrad', 'bb', 'schedule_free', 'accelerated'} or optimizer object, \
default='auto'
        Update rule (:mod:`sklearn_gd.optimizers`).  ``'auto'``:
        :class:`~sklearn_gd.optimizers.AcceleratedGradient` (Nesterov with
        restart; with ``line_search=True`` for the losses whose curvature
        varies, all smooth ones but squared error) for a full-batch ``fit``
        of a smooth loss with a built-in penalty (an L1 part and
        ``positive=True`` by FISTA: the prox between the gradient step and
        the extrapolation) at ``learning_rate='auto'``, ``'sgd'`` (plain
        steps, the seeds' gradient descent, stable up to twice the ``'auto'``
        step) otherwise; ``optimizer_`` tells which.  ``'bb'`` is
        :class:`~sklearn_gd.optimizers.BarzilaiBorwein` (full batch),
        ``'schedule_free'`` :class:`~sklearn_gd.optimizers.ScheduleFreeSGD`.
    batch_size : int or None, default=None
        ``None`` uses all samples for every update (gradient descent).
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float or None, default=1e-4
        Full batch (``batch_size=None``, ``solver='gd'`` or ``'cg'``): stop
        when the norm of the gradient mapping (the gradient for smooth
        objectives; ``(w - prox(w - eta g, eta)) / eta`` with ``eta`` the base
        step for L1 parts) at the iterate an epoch starts from is at most
        ``tol`` times its value at the start of the fit -- scale-free, the
        same meaning for every problem and loss -- and, for a smooth
        objective with an L2 part, ``|grad|^2 / (2 alpha l2) <= tol * f``
        (a bound on the relative gap without an intercept).  Mini-batches and
        ``early_stopping``: stop when the epoch objective (validation score)
        has not improved by ``tol`` (absolute) for ``n_iter_no_change``
        epochs.  ``solver='tnc'``: TNC's ``gtol = 1e-6 * tol``.  ``None``
        disables.
    n_iter_no_change : int, default=10
        Patience of the mini-batch and early-stopping rule.  Ten epochs (as
        scikit-learn's MLP): with momentum the objective is not monotone,
        and a shorter patience stops in the first overshoot.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop on its R^2 and keep
        the parameters of the best-scoring epoch.  The held-out rows (those
        of a ``ShuffleSplit``, ``StratifiedShuffleSplit`` for classifiers,
        seeded by a draw from ``random_state``) are scored in their order in
        ``X`` as ``predict`` scores them: ``score`` on them gives
        ``best_validation_score_`` exactly.
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
    solver : {'gd', 'tnc', 'cg', 'saga', 'svrg'}, default='gd'
        ``'tnc'`` minimises the same objective with
        ``scipy.optimize.minimize(method='TNC')``; ``'cg'`` with nonlinear
        conjugate gradients (Polak-Ribière+) and an exact line search on the
        scores, the recommended full-batch solver (smooth problems only for
        both; ``learning_rate``, ``schedule`` and ``optimizer`` are unused).
        ``'saga'`` and ``'svrg'``: variance-reduced mini-batch steps on
        batches of ``batch_size`` rows (32 when ``batch_size=None``), with a
        table of ``n_samples x n_outputs`` derivatives; smooth losses, any
        penalty (its non-smooth part as a proximal step), ``'auto'`` step
        ``1 / (3 L_b)`` (SAGA) or ``1 / (4 L_b)`` (SVRG); the optimizer and
        schedule are unused.  ``partial_fit`` always runs gradient descent.
    warm_start : bool, default=False
        Start ``fit`` from the previous ``coef_`` / ``intercept_``.
    verbose : int, default=0
        Print one line per epoch.
    average : bool, int or 'auto', default='auto'
        Averaged SGD (scikit-learn's ``average``): ``True`` averages the
        iterates after every update from the first on, an int ``a`` from
        update number ``a`` on; ``coef_``, ``intercept_``, predictions and
        early-stopping scores use the average, while training (``partial_fit``,
        ``warm_start``) continues from the last iterate.  Gradient descent
        only (``solver='gd'`` and ``partial_fit``); CG and TNC ignore it.
        ``'auto'``: tail averaging for mini-batch ``fit`` calls with ``tol``
        set and without ``early_stopping``: once the stopping rule is met
        and (smooth losses) the full gradient at the iterate is still above
        ``tol`` times its start (the iterate wanders in the noise ball of its
        step; one pass to tell), the iterates of 3 more epochs are
        averaged, and ``coef_`` / ``intercept_`` are those of the average or
        of the last iterate, whichever has the lower
        training objective (two forward passes); ``n_iter_`` counts the 3
        epochs.  No averaging otherwise (full batches, ``partial_fit``,
        ``tol=None``, ``batch_size=1`` with plain steps, schedule-free SGD).
        ``False``: never (the last iterate, torch's, as the seeds).
    positive : bool, default=False
        Constrain the coefficients (not the intercept) to be ``>= 0``:
        a projection after every step (with L1, exactly the prox of L1 plus
        the constraint), bounds for ``solver='tnc'``; ``'cg'`` refuses it.
    epsilon : float, default=0.1
        Width of ``'huber'`` and ``'epsilon_insensitive'``.
    quantile : float in (0, 1), default=0.5
        The quantile of ``loss='quantile'`` (pinball loss, as
        ``QuantileRegressor``).
    power : float, default=1.5
        The Tweedie power of ``loss='tweedie'`` (half deviance, log link, as
        ``TweedieRegressor(link='log')``); ``loss='poisson'`` is power 1.
        With these two losses ``predict`` returns the mean ``exp(X w + b)``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_outputs, n_features)
    intercept_ : ndarray of shape (1,) or (n_outputs,)
    n_iter_ : int
        Epochs run (CG and TNC: their iterations).
    t_ : int
        Parameter updates made.
    n_grad_evals_ : int
        Full-gradient equivalents: passes over the data that computed a
        gradient (an epoch of gradient descent, full batch or mini-batches,
        counts as one, plus the two passes of a mini-batch fit's optimality
        check when ``tol`` is set, and each objective evaluation of the line
        search of ``optimizer='auto'``, a forward pass, as one too; CG and
        TNC count their gradient evaluations; SAGA/SVRG add the passes of
        their table).
    loss_curve_ : ndarray
        Training objective per epoch (full batch: exactly the objective at the
        iterate the epoch started from; mini-batches: the batch losses of the
        epoch averaged with the sample weights, plus the penalty at its start).
    learning_rate_curve_ : ndarray
        Step size of the last update of each epoch.
    validation_scores_ : ndarray or None
        Validation R^2 per epoch when ``early_stopping``.
    best_validation_score_ : float or None
        With ``early_stopping``: the best validation score; ``coef_`` and
        ``intercept_`` are the parameters of that epoch (as
        ``MLPRegressor``), not of the last one.
    best_epoch_ : int or None
        The 1-based epoch whose parameters are kept (``early_stopping``).
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
        **_BaseGDRegressor._parameter_constraints,
        "optimizer": OPTIMIZER_CONSTRAINT,
    }

    def __init__(
        self,
        loss="squared_error",
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
        epsilon=0.1,
        quantile=0.5,
        power=1.5,
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
        self.epsilon = epsilon
        self.quantile = quantile
        self.power = power


class MomentumSGDRegressor(_BaseGDRegressor):
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
        **_BaseGDRegressor._parameter_constraints,
        **Momentum._parameter_constraints,
    }

    def __init__(
        self,
        loss="squared_error",
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
        epsilon=0.1,
        quantile=0.5,
        power=1.5,
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
        self.epsilon = epsilon
        self.quantile = quantile
        self.power = power
