"""The objective of ``API.md`` on one training set, written once.

    f(theta) = sum_i s_i loss(y_i, x_i . w + b) / sum_i s_i  +  alpha * R(w)

``theta`` has shape ``(n_features + fit_intercept, k)``: the coefficients
(rows ``:n_features``) and the intercept (last row when fitted).  A
:class:`Problem` holds the rows (behind the :mod:`~sklearn_gd._rows`
protocol), the loss, the penalty and ``alpha``; solvers read the objective
only through it:

* :meth:`Problem.value_grad` -- the objective and its gradient, one full pass
  (``rows.map_reduce`` of :func:`loss_grad_sums`), for in-memory and Dask
  data alike;
* :class:`BatchGradient` -- the data part on one mini-batch (the hot path of
  mini-batch training), the same kernel that computes every block sum;
* :class:`PenaltyTerms` -- how the penalty enters an update.
"""

import threading

import numpy as np
from sklearn.utils.extmath import row_norms, safe_sparse_dot

from . import _blas
from ._csr import _CSRBlock
from ._rows import ArrayRows, block_rows
from .penalties import Penalty

__all__ = [
    "Problem",
    "PenaltyTerms",
    "BatchGradient",
    "loss_grad_sums",
    "linear_scores",
    "theta_from_coef",
    "coef_from_theta",
]


def linear_scores(X, theta, fit_intercept):
    """Raw scores ``X @ W + b`` (dense or sparse ``X``), shape ``(n, k)``."""
    d = X.shape[1]
    raw = np.asarray(safe_sparse_dot(X, theta[:d], dense_output=True))
    if fit_intercept:
        raw = raw + theta[d]
    return raw


def theta_from_coef(coef, intercept, n_features, n_outputs, fit_intercept, dtype):
    """``theta`` from scikit-learn's ``coef_`` / ``intercept_`` shapes."""
    theta = np.zeros((n_features + int(fit_intercept), n_outputs), dtype=dtype)
    coef = np.asarray(coef).reshape(-1, n_features)
    if coef.shape[0] != n_outputs:
        raise ValueError(
            f"warm_start: the fitted coef_ has shape {np.shape(coef)}, which does "
            "not match the data; fit from scratch (warm_start=False)."
        )
    theta[:n_features] = coef.T
    if fit_intercept:
        theta[n_features] = np.asarray(intercept).ravel()[:n_outputs]
    return theta


def coef_from_theta(theta, n_features, fit_intercept):
    """``(coef (k, d), intercept (k,))`` as fresh arrays."""
    coef = theta[:n_features].T.copy()
    if fit_intercept:
        return coef, theta[n_features].copy()
    return coef, np.zeros(theta.shape[1], dtype=theta.dtype)


class PenaltyTerms:
    """How ``alpha * R`` enters a gradient step.

    The built-in penalties (:class:`~sklearn_gd.penalties.Penalty` subclasses
    that keep its ``prox``) are split into an L2 part added to the gradient
    (``l2 = alpha * l2_weight``) and an L1 part applied after the update as a
    soft threshold (``l1 = alpha * l1_weight``).  Any other object with
    ``value(coef)`` and ``prox(coef, step)`` is applied through its own
    ``prox`` with step ``lr * alpha`` after each update (proximal gradient);
    it is differentiable for TNC/CG only when it says ``is_smooth`` and has
    ``gradient(coef)``.  ``positive=True`` projects the coefficients on
    ``w >= 0`` after that step (with L1, exactly the prox of L1 plus the
    constraint: ``max(w - step * l1, 0)``).
    """

    def __init__(self, penalty, alpha, positive=False):
        self.penalty, self.alpha = penalty, float(alpha)
        self.positive = bool(positive)
        self.builtin = isinstance(penalty, Penalty) and type(penalty).prox is (
            Penalty.prox
        )
        self.l1 = self.l2 = 0.0
        self.generic_prox = None
        if penalty is None or not self.alpha:
            self.smooth = True
            return
        if self.builtin:
            self.l1 = self.alpha * float(penalty.l1_weight)
            self.l2 = self.alpha * float(penalty.l2_weight)
            self.smooth = self.l1 == 0.0
        else:
            self.generic_prox = penalty.prox
            self.smooth = bool(getattr(penalty, "is_smooth", False)) and hasattr(
                penalty, "gradient"
            )

    def value(self, W):
        """``alpha * R(W)``."""
        if self.penalty is None or not self.alpha:
            return 0.0
        return self.alpha * float(self.penalty.value(W))

    def add_gradient(self, W, gW):
        """``gW += gradient of the smooth part`` (all of R for TNC/CG)."""
        if self.l2:
            gW += self.l2 * W
        elif self.generic_prox is not None and self.smooth:
            gW += self.alpha * np.asarray(self.penalty.gradient(W))

    @property
    def needs_prox(self):
        """Whether a step ends with :meth:`prox` (L1, prox-only, positive)."""
        return bool(self.l1 or self.generic_prox is not None or self.positive)

    def prox(self, W, step):
        """The non-smooth part's proximal step on ``W`` in place."""
        if self.l1:
            self.penalty.prox_l1(W, step * self.l1 / self.penalty.l1_weight, out=W)
        elif self.generic_prox is not None:
            W[...] = self.generic_prox(W, step * self.alpha)
        if self.positive:
            np.maximum(W, 0.0, out=W)


class BatchGradient:
    """Data part of the objective on one batch and its gradient into ``grad``.

    The one implementation behind mini-batch steps and the block sums of
    full passes (:func:`loss_grad_sums`); its buffers are reused across calls.
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
        self.block_rows = block_rows(d, theta.dtype)
        self.m = m = min(batch_size, self.block_rows)
        self.raw = np.empty((m, 1) if self.k == 1 else (self.k, m), dtype=theta.dtype)
        self.loss = loss
        self.theta = theta
        self.fit_intercept = fit_intercept
        self.pos = 0  # scores kept by `deferred`
        # One output and contiguous parameters: BLAS calls (see _blas).
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

    def defer(self, max_rows):
        """Switch mini-batch steps to :meth:`deferred` (one output, BLAS
        views, a loss with ``derivative``/``value_sum``); False if they do
        not apply.  The loss values then wait, as scores in a buffer of
        ``max_rows``, until :meth:`pending_loss` sums a chunk of batches in
        one vectorized pass: a step costs the derivative's few calls instead
        of the loss's whole ``loss_gradient`` on ``batch_size`` values.
        """
        if self.blas is None or not hasattr(self.loss, "derivative"):
            return False
        self.pending = np.empty(max_rows, dtype=self.raw1.dtype)
        self.pos = 0
        self.G = np.empty((self.m, 1), dtype=self.raw1.dtype)
        return True

    def deferred(self, Xb, Yb, swb, norm):
        """``_dense_blas`` with the scores kept for :meth:`pending_loss`
        (``Xb`` C-contiguous, consecutive batches of one chunk); returns 0."""
        _, _, dot, gemv = self.blas
        m, pos = Xb.shape[0], self.pos
        self.pos = pos + m
        raw1 = self.pending[pos : pos + m]
        XbT = Xb.T
        raw1.fill(0.0 if self.b is None else self.b[0])
        gemv(1.0, XbT, self.Wf, 1.0, raw1, 0, 1, 0, 1, 1, 1)
        G = self.loss.derivative(
            Yb, raw1[:, None], self.G if m == self.m else self.G[:m]
        )
        if swb is not None:
            G *= swb[:, None]
        Gf = G.reshape(-1)
        inv = self.loss.derivative_sign / norm
        gemv(inv, XbT, Gf, 0.0, self.gWf, 0, 1, 0, 1, 0, 1)
        if self.b is not None:
            self.gb[0] = inv * dot(Gf, self.ones[:m])
        return 0.0

    def pending_loss(self, Y, sw):
        """The loss sum of the scores kept since the last call, ``Y`` and
        ``sw`` holding their rows from the first on."""
        n, self.pos = self.pos, 0
        if not n:
            return 0.0
        return self.loss.value_sum(
            Y[:n], self.pending[:n, None], None if sw is None else sw[:n]
        )

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
        """``dense`` for a batch larger than a block: block sums, as a full pass."""
        rows = ArrayRows(X, Y, sw)
        lsum, grad = rows.map_reduce(
            loss_grad_sums, self.theta, self.loss, self.fit_intercept
        )
        np.multiply(grad, 1.0 / norm, out=self.grad)
        return lsum

    def __call__(self, Xb, Yb, swb, norm):
        """Fill ``grad`` with the batch gradient / norm; return the loss sum."""
        if isinstance(Xb, np.ndarray) and Xb.dtype == self.W.dtype:
            return self.dense(Xb, Yb, swb, norm)  # the hot path first
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


def mapping_norm(theta, grad, d, terms, eta):
    """Norm of the gradient mapping at ``theta`` with step ``eta``.

    ``grad`` holds the gradient of the smooth part (loss and L2 part).  With
    no proximal part it is ``||grad||``; otherwise the coefficients' part is
    ``(W - prox(W - eta gW, eta)) / eta``, the intercept's its gradient.
    """
    if not terms.needs_prox:
        return float(np.sqrt(np.vdot(grad, grad)))
    W = theta[:d]
    moved = W - eta * grad[:d]
    terms.prox(moved, eta)
    mapped = float(np.vdot(W - moved, W - moved)) / eta**2
    rest = grad[d:]
    return float(np.sqrt(mapped + np.vdot(rest, rest)))


_KERNELS = threading.local()  # one cached block kernel per thread


def _block_kernel(theta, m, loss, fit_intercept):
    """A :class:`BatchGradient` on ``theta`` for blocks of up to ``m`` rows,
    reused across the blocks (and passes) of one thread."""
    k = getattr(_KERNELS, "kernel", None)
    if (
        k is None
        or k.theta is not theta
        or k.loss is not loss
        or k.fit_intercept != fit_intercept
        or k.m < m
    ):
        d = theta.shape[0] - int(fit_intercept)
        k = _KERNELS.kernel = BatchGradient(theta, d, m, loss, fit_intercept)
    return k


def loss_grad_sums(Xb, Yb, swb, theta, loss, fit_intercept):
    """Block sums at ``theta``: ``(sum_i s_i loss_i, sum of the gradients)``."""
    kernel = _block_kernel(theta, Xb.shape[0], loss, fit_intercept)
    lsum = kernel(Xb, Yb, swb, 1.0)
    return lsum, kernel.grad.copy()


# several outputs: targets in the Fortran order of the kernel's scores
loss_grad_sums.fortran_targets = True


def loss_sums(Xb, Yb, swb, theta, loss, fit_intercept):
    """Block sum ``sum_i s_i loss_i`` at ``theta``: the forward half of
    :func:`loss_grad_sums` (scores and loss values, no gradient product)."""
    d = theta.shape[0] - int(fit_intercept)
    W = theta[:d]
    if isinstance(Xb, _CSRBlock):
        raw = Xb.matmul(W)
    else:  # ndarrays, scipy matrices, dtypes that differ
        raw = np.asarray(Xb @ W)
    if raw.dtype != W.dtype:
        raw = raw.astype(W.dtype)
    if fit_intercept:
        raw += theta[d]
    return float(loss.value_sum(Yb, raw, swb))


def gram_sums(Xb, Yb, swb, v, fit_intercept):
    """Block sum of ``Xt^T S Xt v`` with ``Xt = [X, 1]`` (``Yb`` unused)."""
    d = Xb.shape[1]
    u = np.asarray(Xb @ v[:d].astype(Xb.dtype, copy=False), dtype=np.float64)
    u = u.ravel()
    if fit_intercept:
        u += v[d]
    if swb is not None:
        u *= swb
    w = np.zeros(len(v))
    w[:d] = np.asarray(Xb.T @ u.astype(Xb.dtype, copy=False)).ravel()
    if fit_intercept:
        w[d] = u.sum()
    return w


def curvature_sums(Xb, Yb, swb, fit_intercept):
    """``(sum_i s_i c_i, max_i s_i c_i)`` with ``c_i = ||x_i||^2 + fit_intercept``."""
    c = row_norms(Xb, squared=True).astype(np.float64) + float(fit_intercept)
    if swb is not None:
        c *= swb
    return float(c.sum()), float(c.max()) if c.size else 0.0


class Problem:
    """The objective on one training set: rows, loss, penalty, ``alpha``.

    Parameters
    ----------
    rows : Rows
        ``X``, the encoded target and the weights (:mod:`sklearn_gd._rows`).
    loss : private loss object (:mod:`sklearn_gd._losses`)
    penalty : penalty object or None
    alpha : float
    fit_intercept : bool
    positive : bool, default=False
        Constrain the coefficients (not the intercept) to ``w >= 0``.
    """

    def __init__(self, rows, loss, penalty, alpha, fit_intercept, positive=False):
        self.rows, self.loss = rows, loss
        self.penalty, self.alpha = penalty, float(alpha)
        self.fit_intercept = bool(fit_intercept)
        self.n, self.d = rows.shape
        self.k = rows.n_outputs
        self.dtype = rows.dtype
        self.weight_sum = rows.weight_sum
        self.terms = PenaltyTerms(penalty, alpha, positive)
        self.positive = bool(positive)
        #: ``1 / L`` of the full objective once ``learning_rate='auto'`` ran
        #: its power iterations (reused by a final full proximal step)
        self.full_batch_step = None
        self._row_norm_sums = None

    def row_norm_sums(self):
        """``(sum_i s_i c_i, max_i s_i c_i)``, ``c_i = ||x_i||^2 +
        fit_intercept`` (:func:`curvature_sums`): one pass, made once."""
        if self._row_norm_sums is None:
            self._row_norm_sums = self.rows.map_reduce(
                curvature_sums, self.fit_intercept, reduce=("sum", "max")
            )
        return self._row_norm_sums

    @classmethod
    def from_arrays(cls, X, Y, sw, loss, penalty, alpha, fit_intercept, positive=False):
        """A problem on in-memory ``X`` (``Y`` of shape ``(n, k)``)."""
        Y = np.asarray(Y)
        Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
        rows = ArrayRows(X, Y, sw)
        return cls(rows, loss, penalty, alpha, fit_intercept, positive)

    @property
    def smooth(self):
        """Whether the objective is differentiable (for TNC and CG)."""
        return bool(self.loss.smooth) and self.terms.smooth

    def zeros(self, dtype=None):
        """``theta = 0`` of this problem's shape."""
        shape = (self.d + int(self.fit_intercept), self.k)
        return np.zeros(shape, dtype=self.dtype if dtype is None else dtype)

    def loss_grad(self, theta):
        """Data part: ``(mean weighted loss, its gradient)`` (one full pass)."""
        with np.errstate(over="ignore"):  # losses fall back to stable forms
            lsum, grad = self.rows.map_reduce(
                loss_grad_sums, theta, self.loss, self.fit_intercept
            )
        grad *= 1.0 / self.weight_sum
        return lsum / self.weight_sum, grad

    def value_grad(self, theta):
        """The objective and its gradient (the gradient of the smooth
        penalty part; a non-smooth part enters the value only)."""
        f, grad = self.loss_grad(theta)
        W = theta[: self.d]
        self.terms.add_gradient(W, grad[: self.d])
        return f + self.terms.value(W), grad

    def loss_value(self, theta):
        """The data part of the objective (a forward pass: no gradient)."""
        with np.errstate(over="ignore"):
            lsum = self.rows.map_reduce(loss_sums, theta, self.loss, self.fit_intercept)
        return lsum / self.weight_sum

    def value(self, theta):
        """The objective (a forward pass: no gradient)."""
        return self.loss_value(theta) + self.terms.value(theta[: self.d])

    def newton_gap(self, theta, rtol=0.0, max_iter=20):
        """A second-order estimate of ``f(theta) - f*`` (smooth objectives).

        ``g^T H^-1 g / 2`` -- exact for a quadratic -- by conjugate gradients
        on ``H x = g`` with Hessian-vector products taken as finite
        differences of gradients (one pass each, every smooth loss alike).
        After ``k`` steps ``g.x_k / 2`` is below the value and, with the
        residual ``r_k``, ``(g.x_k + |r_k|^2 / mu) / 2`` above it when every
        eigenvalue of ``H`` is at least ``mu`` (``alpha`` times the L2
        weight: all parameters penalized).  Stops when that upper figure is
        within 1% of the lower one or below ``rtol * |f(theta)|`` (returns
        it), when the lower one has moved by less than 0.1% for 3 steps
        (returns it: an estimate), or after ``max_iter`` products (the upper
        one).  Returns ``(f(theta), figure)``; the figure is None when there
        is no L2 part, a product is not positive or a value not finite.
        """
        mu = self.terms.l2
        theta = np.asarray(theta, dtype=np.float64)  # differences in float64
        with np.errstate(all="ignore"):
            f, g = self.value_grad(theta)
            if not (mu > 0 and self.smooth):
                return f, None
            target = rtol * abs(f)
            scale = np.sqrt(np.finfo(np.float64).eps) * (1.0 + np.linalg.norm(theta))
            x, r = np.zeros_like(g), g.copy()
            p, rr = r.copy(), float(np.vdot(r, r))
            upper, lower, settled = None, 0.0, 0
            for _ in range(max_iter):
                eps = scale / np.sqrt(float(np.vdot(p, p)))
                Hp = (self.value_grad(theta + eps * p)[1] - g) / eps
                pHp = float(np.vdot(p, Hp))
                if not (np.isfinite(pHp) and pHp > 0):
                    return f, upper
                a = rr / pHp
                x += a * p
                r -= a * Hp
                rr_next = float(np.vdot(r, r))
                previous, lower = lower, 0.5 * float(np.vdot(g, x))
                upper = lower + 0.5 * rr_next / mu
                if upper <= max(1.01 * lower, target):
                    break
                # the lower figure rises to the value; 3 steps that move it
                # by less than 0.1%: settled (the |r|^2 / mu term with a tiny
                # mu would keep the upper one far above for many more steps)
                settled = settled + 1 if lower <= 1.001 * previous else 0
                if settled >= 3:
                    upper = lower
                    break
                p *= rr_next / rr
                p += r
                rr = rr_next
        return f, (upper if upper is not None and np.isfinite(upper) else None)

    def mapping_norm(self, theta, eta, *, step=None):
        """``||G_eta(theta)||`` after one full pass (see :func:`mapping_norm`).

        With ``step``, also the point one proximal gradient step of that size
        away, ``prox(theta - step grad)`` (the same pass): ``(norm, point)``.
        """
        with np.errstate(all="ignore"):
            _, grad = self.loss_grad(theta)
        grad[: self.d] += self.terms.l2 * theta[: self.d]
        norm = mapping_norm(theta, grad, self.d, self.terms, eta)
        if step is None:
            return norm
        point = theta - step * grad
        self.terms.prox(point[: self.d], step)
        return norm, point

    def zero_objective(self, max_rows=100_000):
        """The data part at ``theta = 0`` on the first rows (no pass over X):
        the scale against which the monitor detects a run-away."""
        Y, sw = self.rows.Y[:max_rows], self.rows.sw
        sw = None if sw is None else sw[:max_rows]
        zero = np.zeros(Y.shape, dtype=self.dtype)
        with np.errstate(all="ignore"):
            lsum = self.loss.loss_gradient(Y, zero, sw)[0]
        total = len(Y) if sw is None else float(sw.sum())
        return lsum / total if total > 0 else 0.0
