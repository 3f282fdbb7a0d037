"""``solver='tnc'``: the same objective minimised by scipy's truncated Newton.

The objective and its gradient come from the engine's
:func:`~sklearn_gd._engine.objective_gradient`, i.e. the very loss code used
by gradient descent; all classes' parameters form one vector.

Option mapping (documented in the user guide):

* ``max_iter`` caps TNC's function-and-gradient evaluations:
  ``maxfun = max(100, 10 * max_iter)``;
* TNC's own stop on a small change of the objective (``ftol``) is disabled
  (it fires long before the coefficients settle on logistic problems) and
  ``gtol`` (precision of the projected gradient) is ``1e-6 * tol``
  (``1e-12`` when ``tol=None``), so that the default ``tol=1e-4`` solves the
  problem to about 1e-7 relative accuracy in the coefficients.

TNC works in float64: with float32 ``X`` every evaluation multiplies ``X`` by
float64 parameters, which NumPy does on a float64 temporary of ``X`` (the
gradient-descent solver trains in float32 and copies nothing).
"""

import numpy as np
from scipy.optimize import minimize

from ._engine import objective_gradient


class SolverResult:
    """What a full-batch solver other than gradient descent returns."""

    def __init__(self, theta, n_iter, n_grad_evals, loss_curve, converged):
        self.theta = theta
        self.n_iter = n_iter
        self.n_grad_evals = n_grad_evals
        self.loss_curve = loss_curve
        self.converged = converged


def minimize_tnc(
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
    max_iter,
    verbose=0,
):
    """Minimise the objective from ``theta0`` with TNC; returns a SolverResult."""
    shape = theta0.shape
    cache = {"x": None, "f": None}
    counter = {"n": 0}

    def fun(x):
        theta = x.reshape(shape)
        f, g = objective_gradient(
            X,
            Y,
            sw,
            theta,
            loss=loss,
            penalty=penalty,
            alpha=alpha,
            fit_intercept=fit_intercept,
        )
        counter["n"] += 1
        cache["x"], cache["f"] = x.copy(), f
        return float(f), np.asarray(g, dtype=np.float64).ravel()

    curve = []

    def callback(xk):
        if cache["x"] is not None and np.array_equal(xk, cache["x"]):
            f = cache["f"]
        else:
            f = fun(np.array(xk, dtype=np.float64))[0]
        curve.append(float(f))
        if verbose:
            print(f"TNC iteration {len(curve)}, objective={f:.10g}")

    options = {"maxfun": max(100, 10 * int(max_iter))}
    options.update(ftol=0.0, xtol=0.0, gtol=1e-12 if tol is None else 1e-6 * float(tol))
    with np.errstate(over="ignore", under="ignore"):
        res = minimize(
            fun,
            theta0.astype(np.float64).ravel(),
            jac=True,
            method="TNC",
            callback=callback,
            options=options,
        )
    theta = res.x.reshape(shape).astype(theta0.dtype)
    if not np.all(np.isfinite(theta)) or not np.isfinite(res.fun):
        raise ValueError(
            "solver='tnc' produced a non-finite solution; scale the features "
            "(e.g. with StandardScaler)."
        )
    if not curve:
        curve.append(float(res.fun))
    return SolverResult(theta, int(res.nit), int(counter["n"]), curve, res.success)
