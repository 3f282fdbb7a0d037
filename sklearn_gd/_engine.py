"""The one training loop shared by every estimator.

The engine knows nothing of estimators or labels.  It works on

* ``X`` (dense or CSR/CSC, never copied when already usable), ``Y`` the
  encoded target of shape ``(n, k)`` and ``sw`` the sample weights (or None);
* ``theta`` of shape ``(n_features + fit_intercept, k)``: the coefficients
  (rows ``:n_features``) and the intercept (last row when fitted), updated in
  place.

One parameter update ("step") uses the gradient of the mini-batch objective

    sum_{i in B} s_i loss_i / (|B| * mean(s)) + alpha * R(w)

which is the full objective's gradient when ``B`` is all the data and an
unbiased estimate of it otherwise (a batch is not renormalised by its own
weight sum).  The smooth part of the penalty enters the gradient, the whole
gradient is clipped to ``clip_norm``, the optimizer moves ``theta`` with step
``lr_t = learning_rate * schedule(t)``, and the L1 part of the penalty is then
applied as a soft threshold with step ``lr_t * alpha``.
"""

import copy
import functools
import threading
import time

import numpy as np
import scipy.sparse as sp
from scipy.sparse import _sparsetools

from . import _blas
from .optimizers import Optimizer

__all__ = [
    "objective_gradient",
    "lipschitz_constant",
    "auto_learning_rate",
    "run_epochs",
    "EpochResult",
    "DivergenceError",
    "BlockedRows",
]

# Rows gathered at once when shuffling mini-batches: chunks of about this many
# bytes are copied into one of two reusable buffers with ``np.take`` and then
# sliced into contiguous batches, instead of one fancy-indexed copy per batch.
# Each chunk costs one thread hand-off (~0.2 ms on the project's VM): 8 MB
# measured faster than 2, 4 and 16 MB (benchmarks/RESULTS.md).
_CHUNK_BYTES = 8 * 2**20

# Rows of a full (or large) dense batch processed at once by the gradient:
# about 2 MB, which stays in cache between ``X_b @ W`` and ``X_b.T @ G``
# (1-8 MB measured; 2 MB fastest, see benchmarks/RESULTS.md).
_BLOCK_BYTES = 2 * 2**20


# An epoch objective this many times above the objective at w = 0 (or the
# first epoch's) means the iterates run away.
_DIVERGENCE_FACTOR = 1e12


class DivergenceError(ValueError):
    """Training produced a non-finite objective or non-finite parameters."""


def _raw(Xb, W, b):
    """Scores ``Xb @ W + b`` (used for validation scores)."""
    raw = np.asarray(Xb @ W)
    if b is not None:
        raw += b
    return raw


def objective_gradient(X, Y, sw, theta, *, loss, penalty, alpha, fit_intercept):
    """Full objective ``f(theta)`` and its gradient (smooth penalties only
    enter the gradient; the L1 part only the value).

    Uses the very code of a training step (:class:`_Gradient`).
    """
    n, d = X.shape
    S = n if sw is None else float(sw.sum())
    gradient = _Gradient(theta, d, n, loss, fit_intercept)
    with np.errstate(over="ignore"):  # losses fall back to stable forms
        f = gradient(X, Y, sw, S) / S
    grad = gradient.grad
    if alpha and penalty is not None:
        f += alpha * penalty.value(theta[:d])
        if penalty.l2_weight:
            grad[:d] += (alpha * penalty.l2_weight) * theta[:d]
    return f, grad


def lipschitz_constant(X, sw=None, fit_intercept=True, n_iter=10):
    """Largest eigenvalue of ``Xt^T S Xt / sum(s)``, ``Xt = [X, 1]``.

    Estimated with at most ``n_iter`` power iterations (Rayleigh quotient,
    which approaches the eigenvalue from below) from a fixed start, so it is
    deterministic and independent of the row order; the iterations stop early
    once the quotient moves by less than 0.1%.  The products run in ``X``'s
    dtype, so float32 data are never up-cast (copied).  For
    :class:`BlockedRows` each product is one pass over the blocks.
    """
    n, d = X.shape
    m = d + int(fit_intercept)
    if isinstance(X, BlockedRows):
        S = X.weight_sum

        def gram(v):
            return X.map_reduce(_gram_product, v, fit_intercept)

    else:
        S = float(n if sw is None else sw.sum())

        def gram(v):
            return _gram_product(X, None, sw, v, fit_intercept)

    if m == 0 or S <= 0:
        return 0.0
    v = 1.0 + 0.1 * np.random.RandomState(0).uniform(-1, 1, m)
    v /= np.linalg.norm(v)
    lam = 0.0
    for it in range(n_iter):
        w = gram(v) / S
        previous, lam = lam, float(v @ w)
        nw = np.linalg.norm(w)
        if not np.isfinite(nw):
            return np.inf
        if nw == 0:
            return 0.0
        v = w / nw
        if it >= 2 and abs(lam - previous) <= 1e-3 * abs(lam):
            break
    return lam


def _block_rows(d, dtype):
    """Rows of ``d`` features of ``dtype`` in one block of about ``_BLOCK_BYTES``
    (at least 256)."""
    return max(256, _BLOCK_BYTES // max(1, d * np.dtype(dtype).itemsize))


def _gram_product(X, Y, sw, v, fit_intercept):
    """``Xt^T S Xt v`` with ``Xt = [X, 1]`` (``Y`` unused: the signature of
    :meth:`BlockedRows.map_reduce`).

    Dense arrays go by blocks of rows of about ``_BLOCK_BYTES``, each still in
    cache for its second product (one read of ``X`` per product).
    """
    n, d = X.shape
    vX = v[:d].astype(X.dtype, copy=False)
    rows = _block_rows(d, X.dtype) if isinstance(X, np.ndarray) else n
    w = np.zeros(len(v))
    for r0 in range(0, n, rows):
        Xb = X[r0 : r0 + rows]
        u = np.asarray(Xb @ vX, dtype=np.float64).ravel()
        if fit_intercept:
            u += v[d]
        if sw is not None:
            u *= sw[r0 : r0 + rows]
        w[:d] += np.asarray(Xb.T @ u.astype(X.dtype, copy=False)).ravel()
        if fit_intercept:
            w[d] += u.sum()
    return w


def _row_curvatures(X, sw, fit_intercept):
    """``(s_i / mean(s)) * (||x_i||^2 + fit_intercept)`` for every row (one pass).

    Their mean bounds the full-batch constant from above (the trace of
    ``[X, 1]^T S [X, 1] / sum(s)``), their maximum is ``L_max``.
    """
    if sp.issparse(X):
        sq = np.asarray(X.multiply(X).sum(axis=1), dtype=np.float64).ravel()
    else:
        sq = np.einsum("ij,ij->i", X, X, dtype=np.float64)
    sq += float(fit_intercept)
    if sw is not None:
        sq *= sw / sw.mean()
    return sq


def _curvature_sum(X, Y, sw, fit_intercept):
    """Sum of ``s_i * (||x_i||^2 + fit_intercept)`` (the trace, unnormalised)."""
    sq = _row_curvatures(X, None, fit_intercept)
    return float(sq.sum() if sw is None else sq @ sw)


def auto_learning_rate(
    X,
    sw,
    *,
    loss,
    penalty,
    alpha,
    fit_intercept,
    batch_size,
    optimizer,
    default_adaptive=None,
    target_scale=1.0,
):
    """The step size of ``learning_rate='auto'``.

    For SGD and momentum: ``1 / L_b`` where ``L_b`` is the smoothness constant
    of the objective for mini-batches of size ``b`` (Gower et al., 2019,
    "SGD: general analysis and improved rates", b-nice sampling)::

        L_b = c * (n (b - 1) / (b (n - 1)) * L + (n - b) / (b (n - 1)) * L_max)
              + alpha * l2

    with ``L`` the largest eigenvalue of ``[X, 1]^T S [X, 1] / sum(s)``
    (power iterations), ``L_max`` the largest weighted squared row norm,
    ``c`` the loss's curvature bound (1 squared error / Huber, 1/4 binary log
    loss, 1/2 multinomial, 2 squared hinge / modified Huber) and ``l2`` the
    penalty's L2 weight.  ``L_b = L`` for full batches, ``L_max`` for ``b = 1``.
    For full batches the step is ``1 / L``, stable for plain GD (< 2/L),
    heavy-ball momentum (< 2(1+m)/L) and Nesterov (< 2(1+m)/((1+2m)L)) on
    quadratics.  For mini-batches it is ``1 / (2 L_b)``, the step of Gower et
    al.'s Theorem 3.1 (convergence to a noise ball whose size grows with the
    step), further divided by the optimizer's
    ``noise_gain()`` (``(1 - dampening) / (1 - m)`` for momentum,
    ``1 + m (1 - dampening) / (1 - m)`` for Nesterov), so that the effective
    step of momentum, and hence the noise it settles at, is that of plain SGD
    with step ``1 / L_b``.
    For the adaptive optimizers (Adam, RMSprop, AdaGrad), which move every
    coefficient by about ``lr`` per step whatever the gradient's size, it is
    torch's default ``lr`` for that optimizer (1e-3 Adam, 1e-2 RMSprop and
    AdaGrad) times ``target_scale`` (the estimator passes ``max(1, RMS(y))``
    for regression, 1 for classification), so that the intercept of a target
    in the hundreds is reachable.
    """
    if getattr(optimizer, "adaptive", False):
        base = default_adaptive if default_adaptive is not None else 1e-3
        return float(base * max(1.0, target_scale))
    n = X.shape[0]
    b = n if batch_size is None else min(int(batch_size), n)
    self_tuning = getattr(optimizer, "self_tuning", False)
    blocked = isinstance(X, BlockedRows)  # always a full batch
    rows = None
    if b < n or (self_tuning and not blocked):
        rows = _row_curvatures(X, sw, fit_intercept)
    if self_tuning:
        # The optimizer picks its own steps after the first one: bound L by
        # the trace (one pass over X instead of the power iterations).
        if blocked:
            L = X.map_reduce(_curvature_sum, fit_intercept) / X.weight_sum
        else:
            L = float(rows.mean()) if rows.size else 0.0
    else:
        L = lipschitz_constant(X, sw, fit_intercept)
    if b < n:
        L_max = float(rows.max())
        L = (n * (b - 1) * L + (n - b) * L_max) / (b * (n - 1))
    L *= loss.curvature
    if penalty is not None and alpha:
        L += alpha * penalty.l2_weight
    factor = 1.0
    if b < n:
        factor = 0.5
        if hasattr(optimizer, "noise_gain"):
            factor /= optimizer.noise_gain()
    if not np.isfinite(L):
        raise DivergenceError(
            "learning_rate='auto': the Lipschitz constant of the data is not finite "
            "(features too large); scale the features, e.g. with StandardScaler."
        )
    return float(factor / L) if L > 0 else 1.0


class EpochResult:
    """What ``run_epochs`` did: counts and per-epoch curves."""

    def __init__(self):
        self.n_epochs = 0
        self.t = 0
        self.loss_curve = []
        self.learning_rate_curve = []
        self.validation_scores = []
        self.converged = False
        self.best_loss = np.inf
        self.best_score = -np.inf
        self.no_improvement_count = 0
        self.reference_objective = None


def _diverged(learning_rate, epoch, what):
    return DivergenceError(
        f"Training diverged at epoch {epoch}: {what} with learning_rate="
        f"{learning_rate:.6g}. Use a smaller learning_rate, learning_rate='auto', "
        "clip_norm, or scale the features (e.g. with StandardScaler)."
    )


def run_epochs(
    X,
    Y,
    sw,
    theta,
    *,
    loss,
    penalty,
    alpha,
    optimizer,
    opt_state,
    schedule,
    learning_rate,
    batch_size,
    max_epochs,
    t0=0,
    fit_intercept=True,
    clip_norm=None,
    shuffle=True,
    rng=None,
    tol=None,
    n_iter_no_change=5,
    score_fn=None,
    verbose=0,
):
    """Train ``theta`` in place for up to ``max_epochs`` epochs.

    ``score_fn(theta) -> float`` (higher is better), when given, is evaluated
    after every epoch and used for stopping (early stopping) and for
    performance-based schedules instead of the training objective.
    Raises :class:`DivergenceError` when the objective or the parameters stop
    being finite; ``theta`` is then garbage and must be discarded by the
    caller.
    """
    n, d = X.shape
    res = EpochResult()
    S = float(n if sw is None else sw.sum())
    sw_mean = S / n
    bsz = n if batch_size is None else min(int(batch_size), n)
    n_batches = -(-n // bsz)
    full_batch = n_batches == 1
    if isinstance(X, BlockedRows) and not full_batch:
        raise ValueError(
            "Data held in blocks (a dask array) are trained with full batches only "
            "(batch_size=None): mini-batches would shuffle rows across blocks. Use "
            "dask_ml.wrappers.Incremental or sklearn_gd.fit_chunks for mini-batches."
        )
    l1 = alpha * penalty.l1_weight if penalty is not None else 0.0
    l2 = alpha * penalty.l2_weight if penalty is not None else 0.0
    W = theta[:d]
    step_idx = np.arange(n_batches, dtype=np.float64)
    dense = not sp.issparse(X)
    bufs = None
    if isinstance(shuffle, str):  # 'batch': contiguous batches in random order
        chunk = bsz
    elif full_batch or (not shuffle and (dense or X.format == "csr")):
        chunk = n  # full batch, or contiguous slices of X: nothing to gather
    else:  # rows gathered (or CSC rows converted to CSR) chunk by chunk
        if dense:
            row_bytes = max(1, d * X.dtype.itemsize)
        else:  # stored entries (value + index) per row
            row_bytes = max(1, int(X.nnz / n * (X.dtype.itemsize + 4)))
        chunk = max(bsz, (_CHUNK_BYTES // row_bytes) // bsz * bsz)
        if dense:
            m = min(chunk, n)
            bufs = (np.empty((m, d), dtype=X.dtype), np.empty((m, d), dtype=X.dtype))
    if full_batch and Y.shape[1] > 1 and not Y.flags.f_contiguous:
        Y = np.asfortranarray(Y)  # matches the F-ordered raw scores (n x k, small)
    stepper = _Stepper(
        theta,
        d,
        bsz,
        loss,
        fit_intercept,
        l1,
        l2,
        clip_norm,
        optimizer,
        opt_state,
        penalty,
    )
    t = int(t0)
    start_time = time.time()

    epochs = (
        None if full_batch else _EpochChunks(X, rng, shuffle, max_epochs, chunk, bufs)
    )
    try:
        with np.errstate(
            over="ignore", invalid="ignore", divide="ignore", under="ignore"
        ):
            # Scale of the objective at the trivial model w = 0 (needs no pass
            # over X): an epoch objective _DIVERGENCE_FACTOR times above it (or
            # above the first epoch's) is a run-away, reported before it overflows.
            zero = np.zeros((min(n, 100_000), Y.shape[1]), dtype=theta.dtype)
            f0 = loss.loss_gradient(
                Y[: len(zero)], zero, None if sw is None else sw[: len(zero)]
            )[0]
            swz = len(zero) if sw is None else float(sw[: len(zero)].sum())
            res.reference_objective = f0 / swz if swz > 0 else 0.0
            for _ in range(max_epochs):
                epoch = res.n_epochs + 1
                lrs = learning_rate * np.asarray(
                    schedule(t + step_idx), dtype=np.float64
                )
                lrs = lrs.tolist()
                pen_start = (
                    alpha * penalty.value(W) if (penalty is not None and alpha) else 0.0
                )
                lsum_epoch = 0.0
                if full_batch:
                    lsum_epoch = stepper.step(X, Y, sw, n * sw_mean, lrs[0])
                    t += 1
                else:
                    k = 0
                    step = stepper.step
                    for Xc, Yc, swc in epochs.epoch(Y, sw):
                        for b0 in range(0, Xc.shape[0], bsz):
                            b1 = min(b0 + bsz, Xc.shape[0])
                            lsum_epoch += step(
                                Xc[b0:b1],
                                Yc[b0:b1],
                                None if swc is None else swc[b0:b1],
                                (b1 - b0) * sw_mean,
                                lrs[k],
                            )
                            k += 1
                    t += k
                obj = lsum_epoch / S + pen_start
                res.n_epochs = epoch
                res.t = t
                if not np.isfinite(obj):
                    raise _diverged(learning_rate, epoch, "the objective is not finite")
                if not res.loss_curve:
                    res.reference_objective = max(res.reference_objective, obj)
                if obj > _DIVERGENCE_FACTOR * res.reference_objective > 0:
                    raise _diverged(
                        learning_rate,
                        epoch,
                        f"the objective grew to {obj:.3g}, more than "
                        f"{_DIVERGENCE_FACTOR:.0e} times its starting value",
                    )
                if not np.all(np.isfinite(theta)):
                    raise _diverged(
                        learning_rate, epoch, "the coefficients are not finite"
                    )
                res.loss_curve.append(float(obj))
                res.learning_rate_curve.append(float(lrs[-1]))

                if score_fn is not None:
                    score = float(score_fn(theta))
                    res.validation_scores.append(score)
                    if tol is not None and score < res.best_score + tol:
                        res.no_improvement_count += 1
                    else:
                        res.no_improvement_count = 0
                    res.best_score = max(res.best_score, score)
                else:
                    if tol is not None and obj > res.best_loss - tol:
                        res.no_improvement_count += 1
                    else:
                        res.no_improvement_count = 0
                    res.best_loss = min(res.best_loss, obj)
                if getattr(schedule, "stateful", False):
                    if score_fn is not None:
                        schedule.observe(
                            res.validation_scores[-1], greater_is_better=True
                        )
                    else:
                        schedule.observe(obj)
                if verbose:
                    extra = (
                        f", validation score={res.validation_scores[-1]:.6g}"
                        if score_fn is not None
                        else ""
                    )
                    print(
                        f"Epoch {epoch}, objective={obj:.8g}{extra}, "
                        f"learning rate={lrs[-1]:.4g}, t={t}, "
                        f"time={time.time() - start_time:.3f}s"
                    )
                if tol is not None and res.no_improvement_count >= n_iter_no_change:
                    res.converged = True
                    break
    finally:
        if epochs is not None:
            epochs.close()  # stops the gather thread, gives back an unused permutation
    return res


class _EpochChunks:
    """The chunks of ``chunk`` rows of consecutive epochs, as ``(X, Y, sw)``.

    ``shuffle=False``: contiguous slices of ``X`` (of a CSR matrix, windows on
    its arrays; CSC rows are converted to CSR chunk by chunk).
    ``shuffle='batch'``: ``chunk`` is the batch size and each epoch visits
    the contiguous batches in the order of a fresh ``rng.permutation`` of the
    full ones, a short last batch last (Keras's ``shuffle='batch'``); nothing
    is gathered (CSC input is converted to CSR once).
    ``shuffle=True``: each epoch draws a fresh permutation of the rows from
    ``rng`` and its rows are gathered with ``np.take`` into buffer ``c % 2``
    of ``bufs``, ``c`` counting the chunks of all epochs (sparse chunks become
    ``_CSRRows``).  When an epoch has several chunks, a background thread
    gathers them (see :func:`_prefetched`) up to two chunks ahead, across the
    end of an epoch too: it draws the next epoch's permutation and gathers its
    first chunk while this epoch's last chunks train.  ``close()`` gives back
    a permutation drawn for an epoch that was not begun (``rng``'s state is
    restored), so ``rng`` ends as if every epoch had drawn its permutation at
    its start.  ``Y`` and ``sw`` (small) are gathered in the caller's thread.
    """

    def __init__(self, X, rng, shuffle, n_epochs, chunk, bufs):
        n = X.shape[0]
        self.X, self.rng, self.bufs, self.shuffle = X, rng, bufs, shuffle
        self.bounds = [(c0, min(c0 + chunk, n)) for c0 in range(0, n, chunk)]
        self.sparse = sp.issparse(X)
        self.csr = None  # rows read in place (no gather)
        if self.sparse and shuffle is not True:
            if X.format == "csr" or isinstance(shuffle, str):
                self.csr = _CSRRows(X)
        self.orders, self.states = {}, {}
        self.begun = 0  # epochs begun by the caller
        self.items = None  # a generator: its thread starts at the first item
        if shuffle is True and len(self.bounds) > 1:
            n_items = n_epochs * len(self.bounds)
            self.items = _prefetched(self._load, n_items, self._draw)

    def _draw(self, c):
        """Draw the permutation of chunk ``c``'s epoch if ``c`` is its first."""
        e, i = divmod(c, len(self.bounds))
        if i == 0:
            self.states[e] = _rng_state(self.rng)
            self.orders[e] = self.rng.permutation(self.X.shape[0])

    def _load(self, c):
        """Chunk ``c`` (counted over all epochs) and its row indices."""
        e, i = divmod(c, len(self.bounds))
        c0, c1 = self.bounds[i]
        idx = self.orders[e][c0:c1]
        if self.sparse:
            return _CSRRows(self.X[idx]), idx
        # mode="clip": mode="raise" would copy `out`
        out = self.bufs[c % 2][: c1 - c0]
        return np.take(self.X, idx, axis=0, out=out, mode="clip"), idx

    def _rows(self, c0, c1):
        """Rows ``c0:c1`` of ``X``, read in place."""
        if self.csr is not None:
            return self.csr.window(c0, c1)
        if self.sparse:  # CSC, unshuffled
            return _CSRRows(self.X[c0:c1])
        return self.X[c0:c1]

    def epoch(self, Y, sw):
        """Yield the chunks of the next epoch."""
        e = self.begun
        self.begun += 1
        if self.shuffle is not True:
            order = range(len(self.bounds))
            if self.shuffle:  # 'batch': full batches permuted, a short one last
                c0, c1 = self.bounds[-1]
                n_full = len(self.bounds) - (c1 - c0 < self.bounds[0][1])
                order = [*self.rng.permutation(n_full).tolist(), *order[n_full:]]
            for i in order:
                c0, c1 = self.bounds[i]
                yield self._rows(c0, c1), Y[c0:c1], None if sw is None else sw[c0:c1]
            return
        for c in range(e * len(self.bounds), (e + 1) * len(self.bounds)):
            if self.items is not None:
                Xc, idx = next(self.items)
            else:  # one chunk per epoch: no thread
                self._draw(c)
                Xc, idx = self._load(c)
            yield Xc, Y[idx], None if sw is None else sw[idx]
        self.orders.pop(e, None)
        self.states.pop(e, None)

    def close(self):
        if self.items is not None:
            self.items.close()
        if self.begun in self.states:  # drawn ahead for an epoch not begun
            _set_rng_state(self.rng, self.states[self.begun])


def _rng_state(rng):
    if isinstance(rng, np.random.Generator):
        return rng.bit_generator.state
    return rng.get_state()


def _set_rng_state(rng, state):
    if isinstance(rng, np.random.Generator):
        rng.bit_generator.state = state
    else:
        rng.set_state(state)


def _prefetched(load, n_items, prepare=None):
    """Yield ``load(0), ..., load(n_items - 1)``, item ``i + 1`` being loaded
    by a background thread while the caller works on item ``i``.

    ``load(i)`` may write into a buffer shared with item ``i + 2``: it is
    not called before the caller has asked for item ``i + 1`` (two items are
    alive at most).  ``prepare(i)``, when given, runs in the thread before
    that wait (work that needs no buffer, such as drawing a permutation).

    The hand-offs are arranged around the GIL.  ``np.take`` releases it, but
    the thread needs it to start a load and to return from one, and a thread
    waiting for the GIL gets it only when the holder blocks: the training
    thread releases it around every BLAS call and takes it straight back,
    which resets CPython's switch request.  A worker handed a job while
    training runs therefore starts only when training next blocks, and gather
    and training run one after the other (measured: no faster than gathering
    in the training thread).  Here the worker loads one item after another
    on its own, and after releasing a buffer the caller blocks until the
    worker has *started* the load that reuses it.  Each hand-off wakes a
    sleeping thread (tens of microseconds on a VM), so chunks are large and
    the worker runs a few lines of Python between two loads.  Locks serve
    as binary semaphores (``threading.Semaphore`` is slower Python code).
    """
    filled = [threading.Lock(), threading.Lock()]  # held: buffer not filled yet
    emptied = [threading.Lock(), threading.Lock()]  # held: buffer in use
    started = threading.Lock()  # released when the worker begins item i >= 2
    for lock in (*filled, started):
        lock.acquire()
    items = [None] * n_items
    failure = []
    stop = False

    def work():
        try:
            for i in range(n_items):
                if prepare is not None:
                    prepare(i)
                emptied[i % 2].acquire()
                if stop:
                    return
                if i >= 2:
                    started.release()
                items[i] = load(i)
                filled[i % 2].release()
        except BaseException as exc:  # handed to the training thread
            failure.append(exc)
            for lock in (*filled, started):
                if lock.locked():
                    lock.release()

    worker = threading.Thread(target=work, name="sklearn_gd-gather", daemon=True)
    worker.start()
    try:
        for i in range(n_items):
            filled[i % 2].acquire()
            if failure:
                raise failure[0]
            item, items[i] = items[i], None
            yield item
            del item
            emptied[i % 2].release()
            if i + 2 < n_items:
                started.acquire()  # the worker took the GIL and began item i + 2
                if failure:
                    raise failure[0]
    finally:
        stop = True
        for lock in emptied:
            if lock.locked():
                lock.release()
        worker.join()


class _CSRRows:
    """Row blocks of a CSR chunk without building scipy objects per batch.

    ``rows[b0:b1]`` returns a light ``_CSRBlock`` whose products call
    scipy's own CSR kernels (``scipy.sparse._sparsetools``, what ``X @ w``
    runs underneath) on the chunk's arrays directly: a batch's rows are the
    slice ``indptr[b0:b1 + 1]`` of the row pointers, so no array is sliced,
    shifted or copied per batch.
    """

    def __init__(self, X):
        if X.format != "csr":
            X = X.tocsr()
        self.X = X
        self.shape = X.shape
        self.offset = 0  # of row 0 in X (see ``window``)
        # the kernels take one index dtype (scipy's own, usually int32 for both)
        self.indptr, self.indices = X.indptr, X.indices
        if X.indptr.dtype != X.indices.dtype:
            self.indptr = X.indptr.astype(np.intp)
            self.indices = X.indices.astype(np.intp)
        self.data = X.data

    def window(self, r0, r1):
        """Rows ``r0:r1`` as a ``_CSRRows`` sharing this one's arrays."""
        rows = copy.copy(self)
        rows.offset = self.offset + r0
        rows.shape = (r1 - r0, self.shape[1])
        return rows

    def __getitem__(self, sl):
        return _CSRBlock(self, self.offset + sl.start, self.offset + sl.stop)


class _CSRBlock:
    __slots__ = ("m", "d", "parent", "b0", "b1")

    def __init__(self, parent, b0, b1):
        self.m = b1 - b0
        self.d = parent.shape[1]
        self.parent, self.b0, self.b1 = parent, b0, b1

    @property
    def shape(self):
        return (self.m, self.d)

    def _kernel(self, vec, mat, n_rows, n_cols, x, out):
        """``out[...] = op @ x`` with scipy's kernel ``vec`` (one column) or
        ``mat`` (several), for ``x`` of the data's dtype; the kernels add
        into a C-ordered output of that dtype."""
        p = self.parent
        x = np.ascontiguousarray(x)
        acc = out if out.flags.c_contiguous else np.empty(out.shape, out.dtype)
        acc[...] = 0
        indptr = p.indptr[self.b0 : self.b1 + 1]
        k = x.shape[1]
        if k == 1:  # csr_matvecs with one column is 3-4x slower than matvec
            vec(n_rows, n_cols, indptr, p.indices, p.data, x[:, 0], acc[:, 0])
        else:
            mat(n_rows, n_cols, k, indptr, p.indices, p.data, x.ravel(), acc.ravel())
        if acc is not out:
            out[...] = acc
        return out

    def _rows(self):
        return self.parent.X[self.b0 : self.b1]

    def matmul(self, W):
        """``Xb @ W`` for ``W`` of shape (d, k)."""
        if W.dtype != self.parent.data.dtype:  # rare (theta follows X's dtype)
            return np.asarray(self._rows() @ W)  # scipy promotes
        out = np.empty((self.m, W.shape[1]), dtype=W.dtype)
        vec, mat = _sparsetools.csr_matvec, _sparsetools.csr_matvecs
        return self._kernel(vec, mat, self.m, self.d, W, out)

    def rmatmul_into(self, G, out):
        """``out[...] = Xb.T @ G`` for ``G`` of shape (m, k).  The CSR arrays
        of ``Xb`` are the CSC arrays of ``Xb.T``."""
        dtype = self.parent.data.dtype
        if G.dtype != dtype or out.dtype != dtype:
            out[...] = self._rows().T @ G
            return
        vec, mat = _sparsetools.csc_matvec, _sparsetools.csc_matvecs
        self._kernel(vec, mat, self.d, self.m, G, out)


class _Gradient:
    """Data part of the objective on a batch and its gradient into ``grad``.

    The one implementation behind training steps and ``objective_gradient``
    (hence TNC and ``compare_solvers``); its buffers are reused across calls.
    """

    def __init__(self, theta, d, batch_size, loss, fit_intercept):
        self.d = d
        self.W = theta[:d]
        self.b = theta[d] if fit_intercept else None
        self.grad = np.zeros_like(theta)
        self.gW = self.grad[:d]
        self.gb = self.grad[d] if fit_intercept else None
        # Several outputs: raw scores are computed transposed, (k, m) in C
        # order, i.e. (m, k) in F order, so that the per-sample reductions of
        # the softmax run over contiguous columns.
        self.k = theta.shape[1]
        # Larger dense batches are cut into blocks of rows that stay in cache
        # between the forward and the backward product (X is read from
        # memory once per gradient instead of twice).
        self.block_rows = _block_rows(d, theta.dtype)
        self.m = m = min(batch_size, self.block_rows)
        self.raw = np.empty((m, 1) if self.k == 1 else (self.k, m), dtype=theta.dtype)
        self.loss = loss
        self.theta = theta
        self.fit_intercept = fit_intercept
        # One output and contiguous parameters: the products and the
        # intercept's sum go through SciPy's BLAS wrappers (see _blas).
        self.blas = None
        views = _blas.flat(theta, self.grad) if self.k == 1 else None
        if views is not None:
            self.blas = _blas.funcs(theta.dtype)
            self.Wf, self.gWf = views[0][:d], views[1][:d]
            self.raw1 = self.raw.reshape(-1)
            self.ones = np.ones(m, dtype=theta.dtype)  # the intercept's sum

    def dense(self, Xb, Yb, swb, norm):
        """``__call__`` for an ndarray batch of theta's dtype (the hot path
        of mini-batch training: no type dispatch, in-place BLAS products)."""
        W, m = self.W, Xb.shape[0]
        if m > self.block_rows:
            return self._blocked(Xb, Yb, swb, norm)
        if self.blas is not None and Xb.flags.c_contiguous:
            return self._dense_blas(Xb, Yb, swb, norm)
        if self.k == 1:
            raw = self.raw if m == self.m else np.empty((m, 1), W.dtype)
            np.dot(Xb, W, out=raw)
        else:
            rawT = self.raw if m == self.m else np.empty((self.k, m), W.dtype)
            np.dot(W.T, Xb.T, out=rawT)
            raw = rawT.T
        lsum, G = self._loss_gradient(raw, Yb, swb, norm)
        np.dot(Xb.T, G, out=self.gW)
        if self.b is not None:
            np.add.reduce(G, axis=0, out=self.gb)
        return lsum

    def _dense_blas(self, Xb, Yb, swb, norm):
        """``dense`` for one output with ``gemv`` on ``Xb.T`` (F-contiguous:
        read in place): ``raw = b + Xb @ W`` in one call, ``1 / norm`` applied
        by the backward product, the intercept's sum a dot product."""
        _, _, dot, gemv = self.blas
        m = Xb.shape[0]
        if m == self.m:
            raw1, raw = self.raw1, self.raw
        else:
            raw1 = np.empty(m, dtype=self.raw1.dtype)
            raw = raw1[:, None]
        XbT = Xb.T
        # beta=1 on a filled vector: with beta=0 BLAS may scale (NaN) garbage
        raw1.fill(0.0 if self.b is None else self.b[0])
        gemv(1.0, XbT, self.Wf, 1.0, raw1, 0, 1, 0, 1, 1, 1)
        lsum, G = self.loss.loss_gradient(Yb, raw, swb)
        if G.dtype != raw1.dtype:  # promoted by a float64 target or weights
            G = G.astype(raw1.dtype)
        Gf = G.reshape(-1)  # a view, or a contiguous copy (only read)
        inv = 1.0 / norm
        gemv(inv, XbT, Gf, 0.0, self.gWf, 0, 1, 0, 1, 0, 1)
        if self.b is not None:
            ones = self.ones[:m]  # m <= self.m: batches never exceed batch_size
            self.gb[0] = inv * dot(Gf, ones)
        return lsum

    def _loss_gradient(self, raw, Yb, swb, norm):
        """Loss sum and ``G / norm`` (in theta's dtype) from ``raw = Xb @ W``."""
        if self.b is not None:
            raw += self.b
        lsum, G = self.loss.loss_gradient(Yb, raw, swb)
        if G.dtype != self.W.dtype:  # promoted by a float64 target or weights
            G = G.astype(self.W.dtype)
        G *= 1.0 / norm
        return lsum, G

    def _blocked(self, X, Y, sw, norm):
        """``dense`` block by block of ``block_rows`` rows, gradients summed."""
        total = np.zeros_like(self.grad)
        lsum = 0.0
        R = self.block_rows
        for r0 in range(0, X.shape[0], R):
            swb = None if sw is None else sw[r0 : r0 + R]
            lsum += self.dense(X[r0 : r0 + R], Y[r0 : r0 + R], swb, norm)
            total += self.grad
        self.grad[...] = total
        return lsum

    def __call__(self, Xb, Yb, swb, norm):
        """Fill ``grad`` with the batch gradient / norm; return the loss sum."""
        if isinstance(Xb, np.ndarray) and Xb.dtype == self.W.dtype:
            return self.dense(Xb, Yb, swb, norm)  # the hot path first
        if isinstance(Xb, BlockedRows):
            # one pass over the blocks, each returning its sums
            lsum, grad = Xb.map_reduce(
                _block_gradient, self.theta, self.loss, self.fit_intercept
            )
            np.multiply(grad, 1.0 / norm, out=self.grad)
            return lsum
        csr = isinstance(Xb, _CSRBlock)
        # else scipy matrices, or dtypes that differ (TNC on float32 data)
        raw = Xb.matmul(self.W) if csr else np.asarray(Xb @ self.W)
        lsum, G = self._loss_gradient(raw, Yb, swb, norm)
        if csr:
            Xb.rmatmul_into(G, self.gW)
        else:
            self.gW[...] = Xb.T @ G
        if self.b is not None:
            np.add.reduce(G, axis=0, out=self.gb)
        return lsum


def _block_gradient(Xb, Yb, swb, theta, loss, fit_intercept):
    """Loss sum and gradient sum of one block (for :class:`BlockedRows`)."""
    gradient = _Gradient(theta, Xb.shape[1], Xb.shape[0], loss, fit_intercept)
    lsum = gradient(Xb, Yb, swb, 1.0)
    return lsum, gradient.grad


class BlockedRows:
    """Rows held in blocks elsewhere (for example on a Dask cluster).

    The engine trains on such data with full batches only: every quantity it
    needs is a sum over rows, so each pass is one call of
    ``map_reduce(func, *args)``, which must return the sum over the blocks of
    ``func(X_block, Y_block, sw_block, *args)`` (a number, an array, or a
    tuple of them), reduced in a fixed order so that results are
    deterministic.  Subclasses set ``shape``, ``dtype`` and ``weight_sum``
    (``sum(s)``, or ``n`` without weights).
    """

    shape = (0, 0)
    dtype = np.dtype(np.float64)
    weight_sum = 0.0

    def map_reduce(self, func, *args):  # pragma: no cover - abstract
        raise NotImplementedError


def tree_sum(parts, add):
    """Sum ``parts`` pairwise in a fixed tree: ``add(a, b)`` for each pair."""
    parts = list(parts)
    while len(parts) > 1:
        paired = [add(parts[i], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]
        if len(parts) % 2:
            paired.append(parts[-1])
        parts = paired
    return parts[0]


def add_sums(a, b):
    """``a + b`` for numbers, arrays and tuples of them."""
    if isinstance(a, tuple):
        return tuple(x + y for x, y in zip(a, b))
    return a + b


class _Stepper:
    """One parameter update on one batch: the data gradient, the L2 part,
    clipping, the optimizer's update and the L1 prox."""

    def __init__(
        self,
        theta,
        d,
        batch_size,
        loss,
        fit_intercept,
        l1,
        l2,
        clip_norm,
        optimizer,
        opt_state,
        penalty,
    ):
        self.theta = theta
        self.W = theta[:d]
        self.gradient = _Gradient(theta, d, batch_size, loss, fit_intercept)
        self.grad = self.gradient.grad
        self.l1, self.l2 = l1, l2
        self.clip_norm = clip_norm
        # update(lr); an object with only init_state/update (allowed by the
        # estimators' constraints) gets the base class's binding of update
        updater = getattr(optimizer, "updater", None) or functools.partial(
            Optimizer.updater, optimizer
        )
        self.update = updater(theta, self.grad, opt_state)
        self.opt_state = opt_state
        self.penalty = penalty
        self.l2_axpy = None  # gW += l2 * W with BLAS on flat views
        views = _blas.flat(theta, self.grad)
        if views is not None and l2:
            n = d * theta.shape[1]
            axpy = _blas.funcs(theta.dtype)[0]
            self.l2_axpy = functools.partial(axpy, views[0][:n], views[1][:n], n, l2)

    def step(self, Xb, Yb, swb, norm, lr):
        """Update ``theta`` in place; return the batch's weighted loss sum."""
        lsum = self.gradient(Xb, Yb, swb, norm)
        grad = self.grad
        W = self.W
        if self.l2_axpy is not None:
            self.l2_axpy()
        elif self.l2:
            self.gradient.gW += self.l2 * W
        if self.clip_norm is not None:
            gnorm = float(np.sqrt(np.vdot(grad, grad)))
            if gnorm > self.clip_norm:
                grad *= self.clip_norm / gnorm
        self.update(lr)
        if self.l1:
            # prox of the L1 part: soft threshold by step * alpha * l1_weight,
            # with the step the optimizer took when it chose its own
            step = self.opt_state.get("step_size") or lr
            self.penalty.prox_l1(W, step * self.l1 / self.penalty.l1_weight, out=W)
        return lsum
