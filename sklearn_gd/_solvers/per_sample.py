"""The per-sample path: plain SGD with ``batch_size=1``, one row at a time.

A step of a batch of one row is a dot product, a scalar derivative and an
axpy; through the general mini-batch machinery (gathered chunks, 2-d batch
arrays, vectorized losses) it costs a dozen NumPy calls on one-element
arrays.  This path does only the three calls per step, as scikit-learn's
``SGDRegressor``/``SGDClassifier`` do in Cython: the row is a view of ``X``
(nothing gathered), the derivative comes from the loss's scalar ``point``
method in plain Python floats, and the L2 part of the penalty is folded into
a scale ``c`` of the coefficients (``w = c v``, Bottou's trick, as in
scikit-learn's ``WeightVector``) so that it costs no vector operation:

    p = c (x . v) + b,   g = s_i loss'(y, p) / mean(s),
    c <- c (1 - lr l2),   v <- v - (lr g / c) x,   b <- b - lr g,

which is ``w <- (1 - lr l2) w - lr g x``, the general path's step, to rounding
(tested equal).  ``v`` is rescaled when ``c`` falls below 1e-9.

It is taken when it changes nothing but speed: one output, dense
C-contiguous float32/float64 ``X`` in memory, a loss with ``point``, an
optimizer whose update is the plain step (``optimizers.SGD``, ``Momentum``
with ``momentum=0``), no clipping, no averaging, and no proximal part of the
penalty (L1, a custom prox, ``positive=True``).  The rows are visited in the
order the general path visits them (the same permutation drawn from the same
random state), so the two paths give the same model.
"""

import numpy as np

from .. import _blas

__all__ = ["PerSample"]


class PerSample:
    """Epochs of per-sample plain SGD on ``problem`` (see the module)."""

    def __init__(self, problem, theta):
        rows = problem.rows
        self.X, self.d = rows.X, problem.d
        self.y = rows.Y[:, 0].tolist()
        self.fit_intercept = problem.fit_intercept
        self.point = problem.loss.point
        self.l2 = problem.terms.l2
        self.sw = None
        if rows.sw is not None:
            self.sw = rows.sw.tolist()
            self.inv_mean = rows.X.shape[0] / problem.weight_sum
        self.axpy, self.scal, self.dot = _blas.funcs(self.X.dtype)[:3]
        self.v = np.empty(problem.d, dtype=theta.dtype)

    @classmethod
    def applies(cls, problem, theta, optimizer, batch_size, clip_norm, average):
        """Whether this path gives the general path's steps (see the module)."""
        rows, terms = problem.rows, problem.terms
        X = getattr(rows, "X", None)
        plain = getattr(optimizer, "plain_step", None)
        return (
            batch_size == 1
            and clip_norm is None
            and average is None
            and theta.shape[1] == 1
            and isinstance(X, np.ndarray)
            and X.flags.c_contiguous
            and _blas.funcs(X.dtype) is not None
            and X.dtype == theta.dtype
            and hasattr(problem.loss, "point")
            and plain is not None
            and plain()
            and not terms.l1
            and terms.generic_prox is None
            and not terms.positive
        )

    def epoch(self, theta, order, lrs):
        """Train ``theta`` in place over the rows in ``order`` with step sizes
        ``lrs`` (one per row); the weighted loss sum before each step."""
        X, y, sw, point, l2 = self.X, self.y, self.sw, self.point, self.l2
        axpy, scal, dot, d = self.axpy, self.scal, self.dot, self.d
        v = self.v
        v[:] = theta[:d, 0]
        fi = self.fit_intercept
        b = float(theta[d, 0]) if fi else 0.0
        c, lsum = 1.0, 0.0
        for i, lr in zip(order, lrs):
            x = X[i]
            loss, g = point(y[i], c * dot(x, v) + b)
            if sw is not None:
                loss *= sw[i]
                g *= sw[i] * self.inv_mean
            lsum += loss
            step = lr * g
            if l2:
                c *= 1.0 - lr * l2
                if c < 1e-9:  # fold the scale into v (also c <= 0 from a huge step)
                    scal(c, v)
                    c = 1.0
            axpy(x, v, d, -step / c)
            if fi:
                b -= step
        theta[:d, 0] = v
        if c != 1.0:
            theta[:d, 0] *= c
        if fi:
            theta[d, 0] = b
        return lsum
