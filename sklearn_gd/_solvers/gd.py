"""Gradient descent: the epoch loop (full batch or mini-batches).

One parameter update ("step") uses the gradient of the mini-batch objective

    sum_{i in B} s_i loss_i / (|B| * mean(s)) + alpha * R(w)

which is the full objective's gradient when ``B`` is all the data and an
unbiased estimate of it otherwise (a batch is not renormalised by its own
weight sum).  The smooth part of the penalty enters the gradient, the whole
gradient is clipped to ``clip_norm``, the optimizer moves ``theta`` with step
``lr_t = learning_rate * schedule(t)``, and the non-smooth part of the penalty
is then applied as a proximal step with the step the optimizer took.
"""

import functools

import numpy as np

from .. import _blas
from .._problem import BatchGradient, mapping_norm
from .._step_size import auto_learning_rate
from ..optimizers import Optimizer
from ..schedules import Constant
from .per_sample import PerSample

__all__ = ["GradientDescent"]


class GradientDescent:
    """The epoch loop over a :class:`~sklearn_gd._problem.Problem`.

    Parameters
    ----------
    optimizer : optimizer object
    opt_state : dict
        The optimizer's state, updated in place.
    schedule : schedule object (callable on arrays of steps)
    learning_rate : float
        The resolved base step size.
    batch_size : int or None
        ``None``: every update uses all rows.
    shuffle : bool or 'batch'
    clip_norm : float or None
    rng : RandomState or Generator
        Draws the batch orders (continued by ``partial_fit``).
    average : int or None
        Average the iterates after every update from update number
        ``average`` on (counted by ``t``; ASGD); the result's ``theta`` is then
        the average (``iterate`` the last iterate).
    average_state : dict or None
        ``{"avg": array or None, "count": int}``, continued in place.
    check_optimality : bool
        Mini-batches on a smooth loss: measure the gradient mapping at the
        start and at the returned model (two extra passes), reported in the
        result's ``optimality`` as for full batches.
    tail_epochs : int
        Mini-batches (``average='auto'``): when the stopping rule is met and
        (smooth losses) the full gradient is still above ``tol`` times its
        start, average the iterates of this many more epochs and return the better
        of that average and the last iterate by the full objective (two
        forward passes); 0 stops at once.  Not with a score function, an
        optimizer with its own evaluation point, or explicit averaging.
    """

    name = "gd"

    def __init__(
        self,
        *,
        optimizer,
        opt_state,
        schedule,
        learning_rate,
        batch_size=None,
        shuffle=True,
        clip_norm=None,
        rng=None,
        average=None,
        average_state=None,
        check_optimality=False,
        tail_epochs=0,
    ):
        self.optimizer, self.opt_state = optimizer, opt_state
        self.schedule, self.learning_rate = schedule, float(learning_rate)
        self.batch_size, self.shuffle = batch_size, shuffle
        self.clip_norm, self.rng = clip_norm, rng
        self.average = average
        self.average_state = average_state
        self.check_optimality = check_optimality
        self.tail_epochs = int(tail_epochs)
        self._constant = None  # the step sizes of a constant schedule
        if average is not None and average_state is None:
            self.average_state = {"avg": None, "count": 0}

    def solve(self, problem, theta, *, max_iter, monitor, t0=0):
        """Train ``theta`` in place for up to ``max_iter`` epochs.

        Raises :class:`~sklearn_gd.DivergenceError` when the objective or the
        parameters stop being finite; ``theta`` is then garbage.
        """
        n = problem.n
        bsz = n if self.batch_size is None else min(int(self.batch_size), n)
        full_batch = bsz >= n
        n_batches = -(-n // bsz)
        stepper = _Stepper(
            problem, theta, bsz, self.optimizer, self.opt_state, self.clip_norm
        )
        monitor.start(
            problem.zero_objective(),
            advice=f" with learning_rate={self.learning_rate:.6g}. Use a smaller "
            "learning_rate, learning_rate='auto', clip_norm, or scale the features "
            "(e.g. with StandardScaler).",
        )
        stream, per_sample = self._sources(problem, theta, bsz, stepper, max_iter)
        steps = np.arange(n_batches, dtype=np.float64)
        S, sw_mean = problem.weight_sum, problem.weight_sum / n
        t = int(t0)
        averager = None
        if self.average is not None:
            averager = _Averager(theta, self.average, self.average_state)
        evals0 = self.opt_state.get("n_evals", 0)  # a line search's passes
        check = self.check_optimality and not full_batch and problem.loss.smooth
        start = problem.mapping_norm(theta, self.learning_rate) if check else None
        tail = self._tail(stream, averager, monitor, problem, start)
        try:
            with np.errstate(all="ignore"):
                for _ in range(max_iter):
                    lrs = self._step_sizes(t + steps)
                    penalty = problem.terms.value(theta[: problem.d])
                    optimality = None  # mini-batches: the objective rule
                    if full_batch:
                        f, optimality = stepper.full_step(lrs[0], self.learning_rate)
                        lsum = f * S
                        if averager is not None:
                            averager(t + 1)
                    elif per_sample is not None:
                        lsum = per_sample.epoch(theta, self._row_order(n), lrs)
                        self.opt_state["step"] += n
                    else:
                        averaging = averager if tail is None else tail.averager
                        lsum = _epoch(stepper, stream, lrs, sw_mean, averaging, t)
                    t += n_batches
                    obj = lsum / S + penalty
                    model = self._model(theta, averager)
                    stop = monitor(obj, model, lrs[-1], t=t, optimality=optimality)
                    if tail is not None:
                        stop = tail.ends_run(stop, monitor, theta, t)
                    if stop:
                        break
        finally:
            if stream is not None:
                stream.close()  # stops the gather thread
        model = self._model(theta, averager)
        if tail is not None:
            model = tail.model(problem, theta)
        if check:
            model = self._check_end(problem, model, start, monitor)
        # an epoch (full batch or mini-batches) is one full-gradient equivalent,
        # and so is each pass of the optimality check, of the tail's choice
        # and of a line search
        n_grad = len(monitor.loss_curve) + (2 if check else 0)
        n_grad += tail.passes if tail is not None else 0
        n_grad += self.opt_state.get("n_evals", 0) - evals0
        result = monitor.result(model, t=t, n_grad_evals=n_grad)
        if model is not theta:  # averaged or schedule-free: training goes on from theta
            result.iterate = theta
        return result

    def _sources(self, problem, theta, bsz, stepper, max_iter):
        """``(stream, per_sample)``: where the rows of a mini-batch epoch come
        from (both None for full batches)."""
        if bsz >= problem.n:
            return None, None
        if PerSample.applies(
            problem, theta, self.optimizer, bsz, self.clip_norm, self.average
        ):
            return None, PerSample(problem, theta)  # same steps, fewer calls
        stream = problem.rows.batches(bsz, self.shuffle, self.rng, max_iter)
        stepper.defer_losses(problem.rows.X, stream, self.shuffle, bsz)
        return stream, None

    def _tail(self, stream, averager, monitor, problem, start):
        """The :class:`_TailAverage` of a mini-batch run that may use one;
        ``start``: the gradient-mapping norm at the start (smooth losses)."""
        if (
            self.tail_epochs
            and stream is not None
            and averager is None
            and monitor.score_fn is None
            and not hasattr(self.optimizer, "eval_params")
        ):
            optimal = None
            if start is not None and monitor.tol is not None:

                def optimal(theta):  # the gradient rule of full batches
                    norm = problem.mapping_norm(theta, self.learning_rate)
                    return norm <= monitor.tol * start

            return _TailAverage(self.tail_epochs, optimal)
        return None

    def _step_sizes(self, steps):
        """``learning_rate * schedule(steps)`` as a list (a constant schedule's
        once: small full-batch fits spent a fifth of an iteration on it)."""
        if isinstance(self.schedule, Constant):
            if self._constant is None or len(self._constant) != len(steps):
                self._constant = [self.learning_rate] * len(steps)
            return self._constant
        lrs = self.learning_rate * np.asarray(self.schedule(steps), dtype=np.float64)
        return lrs.tolist()

    def _check_end(self, problem, model, start, monitor):
        """The optimality of a mini-batch run's model (one full pass); when
        the run converged (its stopping rule, not ``max_iter``, ended it) and
        the penalty has a proximal part, the model then takes one full
        proximal gradient step at ``1 / L`` (the same pass): the coefficients
        whose full gradient lies inside the L1 threshold become exact zeros,
        which noisy mini-batch steps never settle on.  A run that ``max_iter``
        ended returns its last model, step by step as documented."""
        if not (problem.terms.needs_prox and monitor.converged):
            monitor.set_optimality(
                start, problem.mapping_norm(model, self.learning_rate)
            )
            return model
        step = problem.full_batch_step  # from 'auto', when it ran
        if step is None:
            step = auto_learning_rate(problem, None, Optimizer())
        end, model = problem.mapping_norm(model, self.learning_rate, step=step)
        monitor.set_optimality(start, end)
        return model

    def _row_order(self, n):
        """The rows of one per-sample epoch, drawn as the batch stream draws
        them (``shuffle=True`` and ``'batch'`` alike: one permutation)."""
        if self.shuffle:
            return self.rng.permutation(n).tolist()
        return range(n)

    def _model(self, theta, averager):
        """The parameters of the model: the average of the iterates, the
        optimizer's evaluation point (schedule-free ``x``), or ``theta``."""
        if averager is not None:
            return averager.model()
        eval_params = getattr(self.optimizer, "eval_params", None)
        if eval_params is not None:
            return eval_params(theta, self.opt_state)
        return theta


def _epoch(stepper, stream, lrs, sw_mean, averager=None, t=0):
    """One pass of ``stepper.step`` over the batches of ``stream`` (the
    consecutive slices of its chunks); the weighted loss sum."""
    step, bsz = stepper.step, stream.batch_size
    lsum, k = 0.0, 0
    for Xc, Yc, swc in stream.epoch_chunks():
        m = Xc.shape[0]
        for b0 in range(0, m, bsz):
            b1 = min(b0 + bsz, m)
            swb = None if swc is None else swc[b0:b1]
            lsum += step(Xc[b0:b1], Yc[b0:b1], swb, (b1 - b0) * sw_mean, lrs[k])
            k += 1
            if averager is not None:
                averager(t + k)
        lsum += stepper.pending_loss(Yc, swc)
    return lsum


class _Averager:
    """Running mean of the iterates after every update from ``start`` on."""

    def __init__(self, theta, start, state):
        self.theta, self.start, self.state = theta, int(start), state
        self.diff = np.empty_like(theta)

    def __call__(self, t):
        """Include the iterate after update number ``t`` (1-based)."""
        if t < self.start:
            return
        state = self.state
        state["count"] += 1
        if state["avg"] is None:
            state["avg"] = self.theta.copy()
            return
        np.subtract(self.theta, state["avg"], out=self.diff)
        self.diff *= 1.0 / state["count"]
        state["avg"] += self.diff

    def model(self):
        """The averaged parameters (the iterate until averaging starts)."""
        return self.theta if self.state["avg"] is None else self.state["avg"]


class _TailAverage:
    """``average='auto'``: once the mini-batch stopping rule is met (the
    iterate wanders in the noise ball of its constant step), the iterates of
    ``epochs`` more epochs are averaged (Polyak-Ruppert over the stationary
    tail: the noise averages out); the model is whichever of that average
    and the last iterate has the lower full objective.  With ``optimal``
    (smooth losses: the full-batch gradient rule at the iterate, one pass)
    an iterate that already meets it ends the run as it is: no noise to
    average, and the last iterate stays torch's."""

    def __init__(self, epochs, optimal=None):
        self.epochs, self.left, self.averager = int(epochs), 0, None
        self.optimal, self.passes = optimal, 0

    def ends_run(self, stop, monitor, theta, t):
        """Whether the run ends after the epoch that ended at update ``t``;
        ``stop``: the monitor's verdict."""
        if self.averager is None:
            if not (stop and monitor.converged) or monitor.stopped_by_callback:
                return stop
            if self.optimal is not None:
                self.passes += 1
                if self.optimal(theta):
                    return stop
            self.left = self.epochs  # the rule is met: average from here on
            self.averager = _Averager(theta, t + 1, {"avg": None, "count": 0})
            return False
        self.left -= 1
        return self.left <= 0 or monitor.stopped_by_callback

    def model(self, problem, theta):
        """The average when its objective is lower, else ``theta``."""
        if self.averager is None or self.averager.state["avg"] is None:
            return theta
        self.passes += 2
        avg = self.averager.model()
        return avg if problem.value(avg) < problem.value(theta) else theta


class _Stepper:
    """One parameter update: the data gradient, the smooth penalty part,
    clipping, the optimizer's update and the proximal step."""

    def __init__(self, problem, theta, batch_size, optimizer, opt_state, clip_norm):
        d, terms = problem.d, problem.terms
        self.problem, self.theta, self.W = problem, theta, theta[:d]
        self.gradient = BatchGradient(
            theta, d, batch_size, problem.loss, problem.fit_intercept
        )
        self.grad = self.gradient.grad
        self.batch_gradient = self.gradient
        self.gW = self.grad[:d]
        self.clip_norm = clip_norm
        self.l2 = terms.l2
        self.prox = terms.prox if terms.needs_prox else None
        # Momentum moves by lr * gain at steady state (steady_gain(),
        # (1 - dampening) / (1 - momentum)); a prox with lr alone would weigh
        # the non-smooth part gain times less than the gradient and settle
        # away from the optimum (the L1 weight divided by gain).  Scaling the
        # prox's step by the gain puts the fixed points at the optimum.
        gain = getattr(optimizer, "steady_gain", None)
        self.prox_scale = float(gain()) if gain is not None else 1.0
        # full batches of one in-memory block: the step's own kernel reads
        # them (no block loop, no copies of the gradient)
        self.whole = None
        if batch_size >= problem.n:
            block = problem.rows.single_block(self.gradient.block_rows)
            if block is not None and block[0].dtype == theta.dtype:
                self.whole = block
        self.line_search = bool(getattr(optimizer, "line_search", False))
        if self.line_search and batch_size < problem.n:
            raise ValueError(
                f"{type(optimizer).__name__}(line_search=True) evaluates the "
                "objective on all rows: use it with batch_size=None."
            )
        # an optimizer that applies the prox itself (FISTA: between the
        # gradient step and the extrapolation) gets it as an argument
        self.inner_prox = None
        if self.prox is not None and getattr(optimizer, "applies_prox", False):
            if terms.generic_prox is not None and self.line_search:
                raise ValueError(
                    f"{type(optimizer).__name__}(line_search=True) needs a "
                    "built-in penalty (its smooth part is evaluated apart)."
                )
            self.inner_prox = lambda P, h: terms.prox(P[:d], h)
        # an object with only init_state/update gets the base class's binding
        updater = getattr(optimizer, "updater", None) or functools.partial(
            Optimizer.updater, optimizer
        )
        self.update = updater(theta, self.grad, opt_state)
        self.l2_axpy = None  # gW += l2 * W with BLAS on flat views
        views = _blas.flat(theta, self.grad)
        if views is not None and self.l2:
            m = d * theta.shape[1]
            axpy = _blas.funcs(theta.dtype)[0]
            self.l2_axpy = functools.partial(
                axpy, views[0][:m], views[1][:m], m, self.l2
            )

    def defer_losses(self, X, stream, shuffle, batch_size):
        """Sum the loss values per chunk (:meth:`BatchGradient.defer`) when
        every batch is a C-contiguous dense block of theta's dtype that fits
        a cache block: gathered rows (``shuffle=True``) or slices of a
        C-contiguous ``X`` (``False``); not for ``shuffle='batch'``, whose
        chunks are single batches."""
        if (
            isinstance(X, np.ndarray)
            and X.dtype == self.theta.dtype
            and not isinstance(shuffle, str)
            and (shuffle or X.flags.c_contiguous)
            and batch_size <= self.gradient.block_rows
            and stream.chunk_rows >= 2 * batch_size
            and self.gradient.defer(stream.chunk_rows)
        ):
            self.batch_gradient = self.gradient.deferred

    def pending_loss(self, Yc, swc):
        """The loss sum of a chunk's deferred batches (0 when none are)."""
        return self.gradient.pending_loss(Yc, swc) if self.gradient.pos else 0.0

    def step(self, Xb, Yb, swb, norm, lr):
        """Update ``theta`` on one batch; return the batch's weighted loss sum
        (0 when deferred to :meth:`pending_loss`)."""
        lsum = self.batch_gradient(Xb, Yb, swb, norm)
        self._add_l2()
        self._apply(lr)
        return lsum

    def full_step(self, lr, eta):
        """Update ``theta`` on all rows; return the mean weighted loss and the
        norm of the gradient mapping at ``theta`` before the update.  An
        optimizer with a line search gets the smooth part of the objective
        at ``theta`` and the function that evaluates it anywhere."""
        if self.whole is not None:
            S = self.problem.weight_sum
            f = self.gradient.dense(*self.whole, S) / S  # grad / S into self.grad
        else:
            f, grad = self.problem.loss_grad(self.theta)
            self.grad[...] = grad
        self._add_l2()
        optimality = self._mapping_norm(eta)
        if self.line_search:
            smooth = f + self._l2_part(self.W)
            self._apply(lr, objective=smooth, evaluate=self._smooth_value)
        else:
            self._apply(lr)
        return f, optimality

    def _smooth_value(self, point):
        """The objective without its proximal part: loss and L2 part (all of
        a built-in penalty without an L1 part)."""
        return self.problem.loss_value(point) + self._l2_part(point[: self.W.shape[0]])

    def _l2_part(self, W):
        """The L2 part of the penalty at ``W``, ``alpha l2 |W|^2 / 2``."""
        return 0.5 * self.l2 * float(np.vdot(W, W))

    def _add_l2(self):
        if self.l2_axpy is not None:
            self.l2_axpy()
        elif self.l2:
            self.gW += self.l2 * self.W

    def _mapping_norm(self, eta):
        terms = self.problem.terms
        return mapping_norm(self.theta, self.grad, self.W.shape[0], terms, eta)

    def _apply(self, lr, **search):
        if self.clip_norm is not None:
            grad = self.grad
            gnorm = float(np.sqrt(np.vdot(grad, grad)))
            if gnorm > self.clip_norm:
                grad *= self.clip_norm / gnorm
        if self.inner_prox is not None:  # mini-batch steps too
            search["prox"] = self.inner_prox
        taken = self.update(lr, **search)
        if self.prox is not None and self.inner_prox is None:
            # with the step the optimizer took when it chose its own
            self.prox(self.W, (lr if taken is None else taken) * self.prox_scale)
