"""``learning_rate='auto'``: step sizes from the data's Lipschitz constants.

Every quantity is a sum over rows, read through ``rows.map_reduce`` (in
memory or on a Dask cluster alike).
"""

import numpy as np

from ._exceptions import DivergenceError
from ._problem import gram_sums

__all__ = ["lipschitz_constant", "auto_learning_rate"]


_DRAWS = np.empty(0)


def _start_draws(m):
    """``RandomState(0).uniform(-1, 1, m)``: the first ``m`` draws of one
    stream, kept (making a ``RandomState`` costs ~90 us, more than the power
    iterations of a small problem)."""
    global _DRAWS
    if len(_DRAWS) < m:
        draws = np.random.RandomState(0).uniform(-1, 1, max(m, 1024))
        draws.flags.writeable = False  # handed out as views
        _DRAWS = draws
    return _DRAWS[:m]


def lipschitz_constant(rows, fit_intercept=True, n_iter=10):
    """Largest eigenvalue of ``Xt^T S Xt / sum(s)``, ``Xt = [X, 1]``.

    At most ``n_iter`` power iterations (Rayleigh quotient, which approaches
    the eigenvalue from below) from a fixed start, so it is deterministic and
    independent of the row order; they stop once the quotient moves by less
    than 0.1%.  The products run in ``X``'s dtype (float32 is never up-cast).
    """
    n, d = rows.shape
    m = d + int(fit_intercept)
    S = rows.weight_sum
    if m == 0 or S <= 0:
        return 0.0
    v = 1.0 + 0.1 * _start_draws(m)
    v /= np.linalg.norm(v)
    lam = 0.0
    for it in range(n_iter):
        w = rows.map_reduce(gram_sums, v, fit_intercept) / S
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


def auto_learning_rate(problem, batch_size, optimizer, target_scale=1.0):
    """The step size of ``learning_rate='auto'``.

    An optimizer whose step is a per-coordinate scale (Adam, RMSprop,
    AdaGrad) states its own ``default_learning_rate`` (torch's ``lr``); it is
    multiplied by ``max(1, target_scale)`` (the estimator passes the RMS of a
    regression target), so that the intercept of a target in the hundreds is
    reachable.  For the others it is ``1 / L_b`` (full batch) or
    ``1 / (2 L_b noise_gain)`` (mini-batches), where ``L_b`` is the
    smoothness constant for batches of ``b`` rows (Gower et al., 2019, "SGD:
    general analysis and improved rates", b-nice sampling)::

        L_b = c * (n (b - 1) / (b (n - 1)) * L + (n - b) / (b (n - 1)) * L_max)
              + alpha * l2

    with ``L`` the largest eigenvalue of ``[X, 1]^T S [X, 1] / sum(s)``
    (power iterations; the trace bound when the optimizer's
    ``lipschitz_bound`` is ``'trace'``, as for Barzilai-Borwein, which only
    needs a safe first step), ``L_max`` the largest weighted squared row norm
    over ``mean(s)``, ``c`` the loss's curvature bound and ``l2`` the penalty's
    L2 weight.  ``1 / L`` is stable for plain GD (< 2/L), heavy ball and
    Nesterov on quadratics; for mini-batches ``1 / (2 L_b)`` is the step of
    Gower et al.'s Theorem 3.1, divided by the optimizer's ``noise_gain()``
    so that momentum settles at the noise of plain SGD.
    """
    default = getattr(optimizer, "default_learning_rate", None)
    if default is not None:
        return float(default * max(1.0, target_scale))
    rows = problem.rows
    n, S = problem.n, problem.weight_sum
    b = n if batch_size is None else min(int(batch_size), n)
    fi = problem.fit_intercept
    trace = getattr(optimizer, "lipschitz_bound", "spectral") == "trace"
    sums = None
    if b < n or trace:
        sums = problem.row_norm_sums()
    L = sums[0] / S if trace else lipschitz_constant(rows, fi)
    if not trace:  # 1 / L of the full objective, for a final full step
        problem.full_batch_step = 1.0 / (
            L * problem.loss.curvature + problem.terms.l2 or 1.0
        )
    if b < n:
        L_max = sums[1] / (S / n)
        L = (n * (b - 1) * L + (n - b) * L_max) / (b * (n - 1))
    L = L * problem.loss.curvature + problem.terms.l2
    if not np.isfinite(L):
        raise DivergenceError(
            "learning_rate='auto': the Lipschitz constant of the data is not finite "
            "(features too large); scale the features, e.g. with StandardScaler."
        )
    factor = 1.0
    if b < n:
        gain = optimizer.noise_gain() if hasattr(optimizer, "noise_gain") else 1.0
        factor = 0.5 / gain
    return float(factor / L) if L > 0 else 1.0
