"""Variance-reduced mini-batch solvers: SAGA and SVRG.

For a linear model the gradient of sample ``i`` is ``x_i (x) G_i`` (and
``G_i`` for the intercept), ``G_i = s_i * d loss / d raw`` having one value
per output, so the gradient table of SAGA is a table ``D`` of ``n x k``
derivatives, not of gradients.  With ``s`` the mean weight and a batch ``B``
of ``b`` rows, both methods step along

    v = X_B^T (G_B(theta) - D_B) / (b s) + X^T D / (n s) + alpha * l2 * w

(an unbiased estimate of the full gradient whose variance vanishes at the
optimum), then apply the proximal step of the non-smooth penalty part.

* SAGA (Defazio, Bach & Lacoste-Julien, 2014): ``D_B <- G_B(theta)`` after
  every step, and the average ``X^T D`` with it;
* SVRG (Johnson & Zhang, 2013): ``D`` holds the derivatives at a snapshot,
  refreshed by a full pass at the start of every epoch.

The table starts with one full pass at the start point, or, for SAGA, is
carried over from the fit this one continues (``warm_start``, ``partial_fit``)
when it has a row per sample of the data given: its averages are then
recomputed on those data (half a pass), so the estimate stays unbiased even
if the rows changed.  SVRG's table is its snapshot, refreshed at every epoch
but a fit's first.  Memory: ``n x k`` floats (and no copy of ``X``).  The
stopping rule is the full-batch one (gradient-mapping norm relative to its
start): exact for SVRG at its snapshots, the table's average gradient for
SAGA.
"""

import numpy as np

from .._gather import EpochBatches
from .._problem import linear_scores, mapping_norm

__all__ = ["VarianceReduced"]


class VarianceReduced:
    """Mini-batch SAGA (``kind='saga'``) or SVRG (``kind='svrg'``).

    Parameters
    ----------
    kind : {'saga', 'svrg'}
    learning_rate : float
    batch_size : int
    shuffle : bool or 'batch'
    rng : RandomState
    table : ndarray of shape (n_samples, k) or None
        SAGA's table from the fit this one continues (the ``state`` of its
        result); used when its shape fits the data.
    """

    def __init__(
        self, kind, *, learning_rate, batch_size, shuffle=True, rng=None, table=None
    ):
        self.name = self.kind = kind
        self.learning_rate = float(learning_rate)
        self.batch_size, self.shuffle, self.rng = int(batch_size), shuffle, rng
        self.table = table

    def solve(self, problem, theta, *, max_iter, monitor, t0=0):
        """Train ``theta`` in place; returns a SolverResult whose ``state``
        is SAGA's table."""
        rows, d, n = problem.rows, problem.d, problem.n
        X, Y, sw = rows.X, rows.Y, rows.sw
        bsz = min(self.batch_size, n)
        saga, table = self.kind == "saga", self.table
        carried = saga and table is not None and table.shape == (n, theta.shape[1])
        table = _Table(problem, theta, saga, table if carried else None)
        monitor.start(
            problem.zero_objective(),
            advice=f" with learning_rate={self.learning_rate:.6g}; use a smaller "
            "learning_rate or learning_rate='auto'.",
        )
        index = np.arange(n).reshape(-1, 1)
        stream = EpochBatches(X, index, None, bsz, self.shuffle, self.rng, max_iter)
        lr, s_mean = self.learning_rate, problem.weight_sum / n
        t, n_batches, passes = int(t0), -(-n // bsz), 0.5 if carried else 1
        try:
            with np.errstate(all="ignore"):
                for epoch in range(max_iter):
                    if self.kind == "svrg" and epoch:
                        table.refresh(theta)  # the snapshot: a full pass
                        passes += 1
                    optimality = table.optimality(theta, lr)
                    penalty = problem.terms.value(theta[:d])
                    lsum = 0.0
                    for Xb, idx, _ in stream.epoch():
                        idx = idx[:, 0]
                        swb = None if sw is None else sw[idx]
                        lsum += table.step(theta, Xb, Y[idx], swb, idx, lr, s_mean)
                    t += n_batches
                    obj = lsum / problem.weight_sum + penalty
                    if monitor(obj, theta, lr, t=t, optimality=optimality):
                        break
        finally:
            stream.close()
        # an epoch is one full-gradient equivalent, plus the passes of the table
        n_grad = len(monitor.loss_curve) + int(np.ceil(passes))
        result = monitor.result(theta, t=t, n_grad_evals=n_grad)
        result.state = table.D if saga else None
        return result


class _Table:
    """The derivative table ``D`` and its average gradient ``X^T D``."""

    def __init__(self, problem, theta, saga, D=None):
        self.problem, self.saga = problem, saga
        if D is None:
            self.refresh(theta)
        else:  # a copy: the fitted estimator's table is never changed in place
            self._set(np.array(D, dtype=theta.dtype, order="C", copy=True))

    def refresh(self, theta):
        """``D`` at ``theta`` (a full pass), and its sums."""
        p = self.problem
        X, Y, sw = p.rows.X, p.rows.Y, p.rows.sw
        raw = linear_scores(X, theta, p.fit_intercept).astype(theta.dtype, copy=False)
        _, G = p.loss.loss_gradient(Y, raw, sw)
        self._set(np.array(G, dtype=theta.dtype, order="C", copy=True))

    def _set(self, D):
        """Take ``D`` as the table and compute its sums on the data."""
        self.D = D
        self.sum_W = np.asarray(self.problem.rows.X.T @ D).astype(D.dtype, copy=False)
        self.sum_b = D.sum(axis=0)

    def optimality(self, theta, eta):
        """The gradient-mapping norm of the table's average gradient."""
        p = self.problem
        grad = np.empty_like(theta)
        grad[: p.d] = self.sum_W / p.weight_sum + p.terms.l2 * theta[: p.d]
        if p.fit_intercept:
            grad[p.d] = self.sum_b / p.weight_sum
        return mapping_norm(theta, grad, p.d, p.terms, eta)

    def step(self, theta, Xb, Yb, swb, idx, lr, s_mean):
        """One variance-reduced step on a batch; the batch's loss sum."""
        p = self.problem
        d, fi = p.d, p.fit_intercept
        W = theta[:d]
        raw = _forward(Xb, W)
        if fi:
            raw += theta[d]
        lsum, G = p.loss.loss_gradient(Yb, raw, swb)
        delta = G - self.D[idx]
        back = _backward(Xb, delta, W.dtype)
        m = Xb.shape[0]
        inv_b, inv_n = 1.0 / (m * s_mean), 1.0 / p.weight_sum
        gW = back * inv_b + self.sum_W * inv_n
        if p.terms.l2:
            gW += p.terms.l2 * W
        W -= lr * gW
        if fi:
            theta[d] -= lr * (delta.sum(axis=0) * inv_b + self.sum_b * inv_n)
        if p.terms.needs_prox:
            p.terms.prox(W, lr)
        if self.saga:
            self.sum_W += back
            self.sum_b += delta.sum(axis=0)
            self.D[idx] = G
        return lsum


def _forward(Xb, W):
    if hasattr(Xb, "matmul"):  # a CSR block read in place
        return Xb.matmul(W)
    return np.asarray(Xb @ W)


def _backward(Xb, G, dtype):
    if hasattr(Xb, "rmatmul_into"):
        out = np.empty((Xb.shape[1], G.shape[1]), dtype=dtype)
        Xb.rmatmul_into(np.ascontiguousarray(G, dtype=dtype), out)
        return out
    return np.asarray(Xb.T @ G, dtype=dtype)
