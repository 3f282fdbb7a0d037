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
* Stopping: the monitor's rule (as full-batch gradient descent: the
  gradient norm relative to its start), ``max_iter`` iterations, and when
  the line search can no longer decrease the objective (converged to
  rounding).

Smooth objectives with the built-in penalties only (the estimator checks),
in-memory rows.  Works in ``X``'s dtype (float32 data are not up-cast).
"""

import numpy as np

from .._problem import linear_scores

__all__ = ["ConjugateGradient"]

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


class ConjugateGradient:
    """Polak-Ribière+ conjugate gradients with an exact line search."""

    name = "cg"

    def solve(self, problem, theta, *, max_iter, monitor, t0=0):
        """Minimise from ``theta`` (not modified); returns a SolverResult."""
        X, Y, sw = problem.rows.X, problem.rows.Y, problem.rows.sw
        S, d, fi = problem.weight_sum, problem.d, problem.fit_intercept
        l2 = problem.terms.l2
        theta = theta.copy()
        monitor.start(
            problem.zero_objective(),
            label="Iteration",
            advice="; scale the features (e.g. with StandardScaler).",
        )

        def gradient(G, W):
            g = np.empty_like(theta)
            g[:d] = np.asarray(X.T @ G) / S  # dense or sparse X
            if fi:
                g[d] = G.sum(axis=0) / S
            if l2:
                g[:d] += l2 * W
            return g

        raw = linear_scores(X, theta, fi).astype(theta.dtype, copy=False)
        lsum, G = problem.loss.loss_gradient(Y, raw.copy(), sw)
        f = lsum / S + 0.5 * l2 * float(np.vdot(theta[:d], theta[:d]))
        g = gradient(G, theta[:d])
        n_grad, p, g_prev, converged = 1, -g, None, False
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            for _ in range(int(max_iter)):
                p, dphi0 = _direction(g, g_prev, p)
                if dphi0 == 0:
                    converged = True  # zero gradient
                    break
                Xp = linear_scores(X, p, fi).astype(theta.dtype, copy=False)
                line = _Line(Y, sw, S, problem.loss, raw, Xp, l2, theta[:d], p[:d])
                sq = Xp * Xp if sw is None else Xp * Xp * sw[:, None]
                curv = problem.loss.curvature * float(sq.sum()) / S + l2 * line.pp
                t_init = -dphi0 / curv if curv > 0 else 1.0
                found = _line_search(line, f, dphi0, t_init)
                if found is None or not found[1] < f:
                    converged = True  # no decrease left: converged to rounding
                    break
                t, f_new, G = found
                theta += t * p
                raw += t * Xp
                g_prev, g = g, gradient(G, theta[:d])
                n_grad += 1
                # as gradient descent: the objective at the start of the iteration
                optimality = float(np.sqrt(np.vdot(g_prev, g_prev)))
                stop = monitor(f, theta, optimality=optimality)
                monitor.check(f_new, theta)
                f = f_new
                if stop:
                    break
        if not monitor.loss_curve:
            monitor(f, theta)
        n_iter = len(monitor.loss_curve)
        return monitor.result(
            theta, t=t0 + n_iter, n_grad_evals=n_grad, converged=converged or None
        )


def _direction(g, g_prev, p):
    """The Polak-Ribière+ direction and its slope, reset to ``-g`` when it
    is not a descent direction."""
    if g_prev is not None:
        gg = float(np.vdot(g_prev, g_prev))
        beta = max(0.0, float(np.vdot(g, g - g_prev)) / gg) if gg else 0.0
        p = beta * p - g
    else:
        p = -g
    dphi0 = float(np.vdot(g, p))
    if not dphi0 < 0:
        p = -g
        dphi0 = -float(np.vdot(g, g))
    return p, dphi0
