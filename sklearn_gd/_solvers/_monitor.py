"""What every solver reports per iteration, and what it returns.

:class:`Monitor` is called once per epoch (gradient descent) or iteration
(CG, TNC) with the objective at the iterate that epoch started from.  It
records the curves, detects divergence, feeds performance-based schedules,
prints the verbose line and applies the stopping rule.  :class:`SolverResult`
is the one result type of all solvers.
"""

import time

import numpy as np

from .._exceptions import DivergenceError

__all__ = ["Monitor", "SolverResult"]

# An objective this many times above the objective at w = 0 (or the first
# one recorded) means the iterates run away.
_DIVERGENCE_FACTOR = 1e12


class SolverResult:
    """What a solver did.

    Attributes
    ----------
    theta : ndarray of shape (n_features + fit_intercept, k)
        The model's parameters (averaged, or the best-scoring ones, when
        asked for).
    iterate : ndarray
        The solver's last iterate, from which training continues.
    n_iter : int
        Epochs (gradient descent) or iterations (CG, TNC).
    t : int
        Parameter updates made, counted from the start value given.
    n_grad_evals : int
        Full-gradient equivalents: passes over the data that computed a
        gradient (a mini-batch epoch counts as one).
    loss_curve, learning_rate_curve : ndarray
        One entry per iteration (NaN step sizes for solvers without one).
    validation_scores : ndarray or None
        One per iteration when a score function was monitored.
    best_validation_score, best_epoch : float or None, int or None
        With a score function: the best score and the (1-based) iteration
        whose parameters ``theta`` then holds (the best ones, as
        ``MLPClassifier`` keeps them).
    optimality, gradient_norm : float
        Full batches: the last norm of the gradient mapping relative to its
        start, and absolute (NaN otherwise).
    converged : bool
        The stopping rule was met before ``max_iter``.
    state : object or None
        What the solver carries into a fit that continues this one (SAGA's
        derivative table); None for the others.
    """

    def __init__(self, theta, *, n_iter, t, n_grad_evals, monitor, converged):
        self.theta = theta
        self.n_iter, self.t = int(n_iter), int(t)
        self.n_grad_evals = int(n_grad_evals)
        self.loss_curve = np.asarray(monitor.loss_curve, dtype=np.float64)
        self.learning_rate_curve = np.asarray(
            monitor.learning_rate_curve, dtype=np.float64
        )
        self.validation_scores = self.best_validation_score = self.best_epoch = None
        if monitor.score_fn is not None:
            self.validation_scores = np.asarray(
                monitor.validation_scores, dtype=np.float64
            )
            if monitor.best_theta is not None:
                self.theta = monitor.best_theta.reshape(theta.shape)
                self.best_validation_score = monitor.best_score
                self.best_epoch = monitor.best_iter
        self.optimality = float(monitor.optimality)
        self.gradient_norm = float(monitor.gradient_norm)
        self.stopped_by_callback = monitor.stopped_by_callback
        self.iterate = self.theta  # the solver sets its own when they differ
        self.converged = bool(converged)
        self.state = None


class Monitor:
    """Stopping, divergence detection, plateau feedback and verbose output.

    Parameters
    ----------
    tol : float or None
        Full batches (an ``optimality`` given at every call, no score
        function): stop as soon as the norm of the gradient mapping at the
        iterate an iteration started from is at most ``tol`` times its value
        at the start of the run -- scale-free, the same ``tol`` on every
        problem and loss.  Otherwise (mini-batches, early stopping): stop when
        the monitored value has not improved by more than ``tol`` for
        ``n_iter_no_change`` consecutive iterations: the objective must fall
        below ``best - tol``, a validation score rise above ``best + tol``.
        ``None`` never stops.
    strong_convexity : float, default=0.0
        ``mu > 0`` for a smooth objective with an L2 part ``alpha * l2``: the
        full-batch rule then also asks that the estimated suboptimality
        ``|G|^2 / (2 mu)`` be at most ``tol`` times the objective, so that a
        small gradient on a flat objective (nearly separable classes, a
        small ``alpha``) does not end the run far from the optimum in
        relative terms.  The estimate is a bound when the objective is
        ``mu``-strongly convex in every parameter (``fit_intercept=False``);
        an unpenalized intercept's curvature comes from the loss alone.
    n_iter_no_change : int
    score_fn : callable or None
        ``score_fn(theta) -> float`` (higher is better), monitored instead of
        the objective (early stopping); the result then holds the parameters
        of the best-scoring iteration.
    schedule : schedule or None
        A stateful schedule (``ReduceLROnPlateau``) observes the monitored
        value after every iteration, and the stopping rule waits for it: while
        its ``factor_`` can still fall (above ``max(min_factor, 1e-6)``) a
        plateau lowers the step instead of ending the run, as scikit-learn's
        ``learning_rate='adaptive'`` does.
    verbose : int
    tasks : object or None
        Per-iteration hooks (the estimator's scikit-learn callbacks):
        ``begin()`` before an iteration, ``end(theta) -> bool`` after it (True
        stops the run), ``close()`` for an iteration begun but not run.
    """

    def __init__(
        self,
        *,
        tol=None,
        strong_convexity=0.0,
        n_iter_no_change=10,
        score_fn=None,
        schedule=None,
        verbose=0,
        tasks=None,
    ):
        self.tol, self.n_iter_no_change = tol, int(n_iter_no_change)
        self.mu = float(strong_convexity)
        self.score_fn, self.verbose = score_fn, verbose
        self.schedule = schedule if getattr(schedule, "stateful", False) else None
        self.loss_curve, self.learning_rate_curve = [], []
        self.validation_scores = []
        self.best, self.stall, self.converged = np.inf, 0, False
        self.best_score, self.best_theta, self.best_iter = -np.inf, None, None
        self.tasks, self.stopped_by_callback, self._task_open = tasks, False, False
        self.optimality0 = None
        self.optimality = np.nan  # the last relative gradient-mapping norm
        self.gradient_norm = np.nan

        self.reference = 0.0
        self.label, self.advice = "Epoch", ""
        self._start = time.time()

    def start(self, reference, *, label="Epoch", advice=""):
        """Set the scale for run-away detection (the objective at w = 0),
        the word of the verbose lines and the advice of a divergence error."""
        self.reference = float(reference) if np.isfinite(reference) else 0.0
        self.label, self.advice = label, advice
        self._start = time.time()
        self._begin_task()

    def _begin_task(self):
        if self.tasks is not None and not self._task_open:
            self.tasks.begin()
            self._task_open = True

    def _end_task(self, theta):
        """End the iteration's task; True when a callback asks to stop."""
        if self.tasks is None or not self._task_open:
            return False
        self._task_open = False
        if self.tasks.end(theta):
            self.stopped_by_callback = True
            return True
        self._begin_task()
        return False

    def diverged(self, what):
        """The error to raise: ``what`` went wrong at this iteration."""
        it = len(self.loss_curve) + 1
        return DivergenceError(
            f"Training diverged at {self.label.lower()} {it}: {what}{self.advice}"
        )

    def check(self, objective, theta):
        """Raise :class:`DivergenceError` if the run is diverging."""
        if not np.isfinite(objective):
            raise self.diverged("the objective is not finite")
        if not self.loss_curve:
            self.reference = max(self.reference, objective)
        if objective > _DIVERGENCE_FACTOR * self.reference > 0:
            raise self.diverged(
                f"the objective grew to {objective:.3g}, more than "
                f"{_DIVERGENCE_FACTOR:.0e} times its starting value"
            )
        if not np.isfinite(theta).all():
            raise self.diverged("the coefficients are not finite")

    def __call__(self, objective, theta, step_size=np.nan, t=None, optimality=None):
        """Record one iteration; return True when the stopping rule is met.

        ``optimality``: the norm of the gradient mapping at the iterate the
        iteration started from (full-batch solvers).
        """
        objective = float(objective)
        self.check(objective, theta)
        self.loss_curve.append(objective)
        self.learning_rate_curve.append(float(step_size))
        if self.score_fn is not None:
            score = float(self.score_fn(theta))
            self.validation_scores.append(score)
            if score > self.best_score:  # keep the best parameters
                self.best_score, self.best_iter = score, len(self.loss_curve)
                self.best_theta = np.array(theta, dtype=theta.dtype, copy=True)
            value = -score  # lower is better below
        else:
            value = objective
        if optimality is not None:
            if self.optimality0 is None:
                self.optimality0 = float(optimality)
            ref = self.optimality0
            self.optimality = float(optimality) / ref if ref > 0 else 0.0
            self.gradient_norm = float(optimality)
        if self.tol is not None:
            self.stall = self.stall + 1 if value > self.best - self.tol else 0
        self.best = min(self.best, value)
        if self.schedule is not None:
            if self.score_fn is not None:
                self.schedule.observe(-value, greater_is_better=True)
            else:
                self.schedule.observe(value)
        if self.verbose:
            self._print(objective, step_size, t)
        if self.tol is not None:
            if optimality is not None and self.score_fn is None:
                self.converged = self.optimality <= self.tol and self._certified(
                    objective
                )
            elif self.stall >= self.n_iter_no_change:
                self.converged = not self._schedule_can_reduce()
        stop = self._end_task(theta)
        return self.converged or stop

    def _certified(self, objective):
        """``|G|^2 / (2 mu) <= tol * |objective|`` (True when no strong
        convexity is known)."""
        if self.mu <= 0:
            return True
        return self.gradient_norm**2 / (2.0 * self.mu) <= self.tol * abs(objective)

    def set_optimality(self, start, end):
        """Record the gradient-mapping norms at the start and at the end of a
        run whose iterations did not measure it (mini-batches)."""
        self.optimality0, self.gradient_norm = float(start), float(end)
        self.optimality = end / start if start > 0 else 0.0

    def _schedule_can_reduce(self):
        if self.schedule is None:
            return False
        floor = max(float(getattr(self.schedule, "min_factor", 0.0)), 1e-6)
        return float(getattr(self.schedule, "factor_", 0.0)) > floor

    def _print(self, objective, step_size, t):
        extra = ""
        if np.isfinite(self.optimality):
            extra = f", relative gradient={self.optimality:.3g}"
        if self.score_fn is not None:
            extra = f", validation score={self.validation_scores[-1]:.6g}"
        if np.isfinite(step_size):
            extra += f", learning rate={step_size:.4g}"
        if t is not None:
            extra += f", t={t}"
        print(
            f"{self.label} {len(self.loss_curve)}, objective={objective:.8g}{extra}, "
            f"time={time.time() - self._start:.3f}s"
        )

    def result(self, theta, *, t, n_grad_evals, converged=None, n_iter=None):
        """The :class:`SolverResult` of the run so far."""
        if self.tasks is not None and self._task_open:
            self._task_open = False
            self.tasks.close()  # begun for an iteration that did not run
        return SolverResult(
            theta,
            n_iter=len(self.loss_curve) if n_iter is None else n_iter,
            t=t,
            n_grad_evals=n_grad_evals,
            monitor=self,
            converged=self.converged if converged is None else converged,
        )
