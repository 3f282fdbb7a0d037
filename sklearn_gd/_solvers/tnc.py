"""``solver='tnc'``: the same objective minimised by scipy's truncated Newton.

The objective and its gradient are :meth:`Problem.value_grad
<sklearn_gd._problem.Problem.value_grad>`, the very code of gradient descent;
all classes' parameters form one vector.

Option mapping (documented in the user guide):

* ``max_iter`` caps TNC's function-and-gradient evaluations:
  ``maxfun = max(100, 10 * max_iter)``;
* TNC's own stop on a small change of the objective (``ftol``) is disabled
  (it fires long before the coefficients settle on logistic problems) and
  ``gtol`` (precision of the projected gradient) is ``1e-6 * tol``
  (``1e-12`` when ``tol=None``), so that the default ``tol=1e-4`` solves the
  problem to about 1e-7 relative accuracy in the coefficients.  The monitor
  records each iteration (curves, divergence, verbose) but TNC stops by its
  own rule.

TNC works in float64; float32 data are up-cast block by block.
"""

import numpy as np
from scipy.optimize import minimize

__all__ = ["TNC"]


class TNC:
    """``scipy.optimize.minimize(method='TNC')`` on the problem.

    Parameters
    ----------
    tol : float or None
        Sets TNC's ``gtol`` to ``1e-6 * tol``.
    """

    name = "tnc"

    def __init__(self, tol=1e-4):
        self.tol = tol

    def solve(self, problem, theta, *, max_iter, monitor, t0=0):
        """Minimise from ``theta`` (not modified); returns a SolverResult."""
        shape = theta.shape
        last = {"x": None, "f": None, "n": 0}
        monitor.start(
            problem.zero_objective(),
            label="Iteration",
            advice="; scale the features (e.g. with StandardScaler).",
        )

        def fun(x):
            f, g = problem.value_grad(x.reshape(shape))
            last.update(x=x.copy(), f=f, n=last["n"] + 1)
            return float(f), np.asarray(g, dtype=np.float64).ravel()

        def callback(xk):
            same = last["x"] is not None and np.array_equal(xk, last["x"])
            f = last["f"] if same else fun(np.array(xk, dtype=np.float64))[0]
            monitor(f, xk.reshape(shape))  # TNC stops by its own rule

        gtol = 1e-12 if self.tol is None else 1e-6 * float(self.tol)
        options = {"maxfun": max(100, 10 * int(max_iter))}
        options.update(ftol=0.0, xtol=0.0, gtol=gtol)
        bounds = None
        if problem.positive:  # coefficients >= 0, the intercept free
            lower = np.full(shape, -np.inf)
            lower[: problem.d] = 0.0
            bounds = [(lo, None) for lo in lower.ravel()]
        with np.errstate(over="ignore", under="ignore"):
            res = minimize(
                fun,
                theta.astype(np.float64).ravel(),
                jac=True,
                method="TNC",
                bounds=bounds,
                callback=callback,
                options=options,
            )
        out = res.x.reshape(shape).astype(theta.dtype)
        if not monitor.loss_curve:
            monitor(res.fun, out)
        monitor.check(float(res.fun), out)
        return monitor.result(
            out,
            t=t0 + int(res.nit),
            n_grad_evals=last["n"],
            converged=res.success,
            n_iter=int(res.nit),
        )
