"""``solver='cg'``: nonlinear conjugate gradients with an exact line search.

For a linear model the objective along a direction ``p`` depends on the data
only through the scores: ``raw(t) = raw + t * (X p)``.  One product ``X @ p``
per iteration therefore gives every trial point of the line search at
``O(n k)`` each, and the gradient at the accepted point needs one
``X.T @ G``: an iteration costs two passes over ``X``, what one gradient
evaluation of gradient descent costs, and the scores are never recomputed.

* Direction: Polak-Ribière+ (``beta = max(0, g.(g - g_prev) / g_prev.g_prev)``,
  Gilbert & Nocedal 1992), reset to ``-g`` when it is not a descent direction.
* Line search on ``phi(t) = f(theta + t p)``: first trial the Newton step
  with the loss's curvature bound (exact for the squared error, where the
  method is linear conjugate gradients and ends in at most ``n_params``
  iterations in exact arithmetic), then secant steps on ``phi'`` inside a
  bracket until the strong Wolfe conditions hold (``c1 = 1e-4``,
  ``c2 = 0.1``).
* Stopping: as gradient descent (``tol`` on the objective for
  ``n_iter_no_change`` iterations, ``max_iter`` iterations), and when the
  line search can no longer decrease the objective (converged to rounding).

Smooth objectives only (the estimator checks: smooth losses, L2 or no
penalty).  Works in ``X``'s dtype (float32 data are not up-cast).
"""

import numpy as np

from ._engine import DivergenceError
from ._tnc import SolverResult

_C1, _C2 = 1e-4, 0.1
_MAX_TRIALS = 30


class _Line:
    """``phi(t)`` and ``phi'(t)`` along ``p`` from the scores, O(n k) each."""

    def __init__(self, Y, sw, S, loss, raw, Xp, l2, W, pW):
        self.Y, self.sw, self.S, self.loss = Y, sw, S, loss
        self.raw, self.Xp = raw, Xp
        self.l2 = l2
        # the L2 part along the line: l2/2 (|W|^2 + 2 t W.pW + t^2 |pW|^2)
        self.ww = float(np.vdot(W, W))
        self.wp = float(np.vdot(W, pW))
        self.pp = float(np.vdot(pW, pW))
        self.buffers = [np.empty_like(raw), np.empty_like(raw)]
        self.turn = 0

    def __call__(self, t):
        """``(phi, phi', G)`` at ``t``; ``G`` (the loss gradient in the scores)
        lives in one of two buffers, valid until the next-but-one call."""
        out = self.buffers[self.turn]
        self.turn ^= 1
        np.multiply(self.Xp, t, out=out)
        out += self.raw
        lsum, G = self.loss.loss_gradient(self.Y, out, self.sw)
        reg = self.ww + t * (2 * self.wp + t * self.pp)
        phi = lsum / self.S + 0.5 * self.l2 * reg
        dphi = float(np.vdot(G, self.Xp)) / self.S + self.l2 * (self.wp + t * self.pp)
        return phi, dphi, G


def _line_search(line, f0, dphi0, t):
    """Strong Wolfe step by safeguarded secant steps; ``(t, phi, G)`` or None."""
    lo, dlo = 0.0, dphi0  # phi'(lo) < 0 and Armijo holds at lo
    hi = dhi = None
    best = None
    for _ in range(_MAX_TRIALS):
        phi, dphi, G = line(t)
        if not np.isfinite(phi):
            hi, dhi = t, np.inf
        elif phi > f0 + _C1 * t * dphi0:
            hi, dhi = t, dphi  # too far: no sufficient decrease
        else:
            if best is None or phi < best[1]:
                best = (t, phi, G.copy())
            if abs(dphi) <= _C2 * abs(dphi0):
                return t, phi, G
            if dphi < 0:
                lo, dlo = t, dphi
            else:
                hi, dhi = t, dphi
        # next trial: secant on phi' inside [lo, hi], else extrapolate / bisect
        if hi is None:  # then lo == t: extrapolate the secant through 0 and t
            t_new = t - dphi * t / (dphi - dphi0) if dphi > dphi0 else 4 * t
            t = min(max(t_new, 1.5 * t), 8 * t)
        else:
            if dhi is not None and np.isfinite(dhi) and dhi > dlo:
                t_new = lo - dlo * (hi - lo) / (dhi - dlo)
            else:
                t_new = 0.5 * (lo + hi)
            width = hi - lo
            if not (lo + 0.01 * width < t_new < hi - 0.01 * width):
                t_new = 0.5 * (lo + hi)
            t = t_new
            if width <= 1e-16 * max(hi, 1.0):
                break
    return best  # the lowest point with sufficient decrease, if any


def minimize_cg(
    X,
    Y,
    sw,
    theta0,
    *,
    loss,
    penalty,
    alpha,
    fit_intercept,
    tol,
    n_iter_no_change,
    max_iter,
    verbose=0,
):
    """Minimise the smooth objective from ``theta0``; returns a SolverResult."""
    n, d = X.shape
    S = float(n if sw is None else sw.sum())
    l2 = float(alpha * penalty.l2_weight) if penalty is not None else 0.0
    theta = theta0.copy()
    dtype = theta.dtype

    def scores(M):
        raw = np.asarray(X @ M[:d], dtype=dtype)
        if fit_intercept:
            raw += M[d]
        return raw

    def gradient(G, W):
        g = np.empty_like(theta)
        g[:d] = np.asarray(X.T @ G) / S  # dense or sparse X
        if fit_intercept:
            g[d] = G.sum(axis=0) / S
        if l2:
            g[:d] += l2 * W
        return g

    raw = scores(theta)
    lsum, G = loss.loss_gradient(Y, raw.copy(), sw)
    f = lsum / S + 0.5 * l2 * float(np.vdot(theta[:d], theta[:d]))
    g = gradient(G, theta[:d])
    n_grad = 1
    p = -g
    g_prev = None
    curve = []
    best, stall, converged = np.inf, 0, False
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for _ in range(int(max_iter)):
            if g_prev is not None:
                gg = float(np.vdot(g_prev, g_prev))
                beta = max(0.0, float(np.vdot(g, g - g_prev)) / gg) if gg else 0.0
                p = beta * p - g
            dphi0 = float(np.vdot(g, p))
            if not dphi0 < 0:  # not a descent direction: restart
                p = -g
                dphi0 = -float(np.vdot(g, g))
            if dphi0 == 0:
                converged = True  # zero gradient
                break
            Xp = scores(p)
            line = _Line(Y, sw, S, loss, raw, Xp, l2, theta[:d], p[:d])
            sq = Xp * Xp if sw is None else Xp * Xp * sw[:, None]
            curv = loss.curvature * float(sq.sum()) / S + l2 * line.pp
            found = _line_search(line, f, dphi0, -dphi0 / curv if curv > 0 else 1.0)
            if found is None or not found[1] < f:
                converged = True  # no decrease left: converged to rounding
                break
            t, f_new, G = found
            theta += t * p
            raw += t * Xp
            g_prev, g = g, gradient(G, theta[:d])
            n_grad += 1
            if not (np.isfinite(f_new) and np.all(np.isfinite(theta))):
                raise DivergenceError(
                    "solver='cg' produced a non-finite objective; scale the "
                    "features (e.g. with StandardScaler)."
                )
            # as gradient descent: the objective at the start of the iteration
            curve.append(float(f))
            if verbose:
                print(f"CG iteration {len(curve)}, objective={f:.10g}, step={t:.4g}")
            if tol is not None:
                stall = stall + 1 if f > best - tol else 0
                best = min(best, f)
            f = f_new
            if tol is not None and stall >= n_iter_no_change:
                converged = True
                break
    if not curve:
        curve.append(float(f))
    return SolverResult(theta, len(curve), n_grad, curve, converged)
