"""Side-by-side comparison of an estimator's solver with scipy's TNC."""

import time

import numpy as np
from sklearn.base import clone

__all__ = ["compare_solvers", "objective_value"]

COLUMNS = ["solver", "objective", "fit_time", "n_grad_evals", "max_abs_coef_diff"]


def objective_value(estimator, X, y, sample_weight=None):
    """The objective of ``API.md`` at a fitted estimator's coefficients.

    ``sum_i s_i loss_i / sum_i s_i + alpha * R(w)`` on ``(X, y)``, with the
    estimator's loss, penalty, ``alpha`` and class weights (its
    :meth:`objective` method), in float64.

    Parameters
    ----------
    estimator : fitted GDRegressor, GDClassifier, MomentumSGDRegressor or
        MomentumSGDClassifier
    X, y : data
    sample_weight : array-like or None

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_gd import GDRegressor, objective_value
    >>> X, y = np.array([[0.0], [1.0], [2.0]]), np.array([1.0, 3.0, 5.0])
    >>> est = GDRegressor(alpha=0.0, tol=None, max_iter=3000).fit(X, y)
    >>> round(objective_value(est, X, y), 8)
    0.0
    """
    return estimator.objective(X, y, sample_weight=sample_weight)


def _coef_vector(est):
    parts = [np.ravel(est.coef_)]
    if est.fit_intercept:
        parts.append(np.ravel(est.intercept_))
    return np.concatenate(parts).astype(np.float64)


def compare_solvers(estimator, X, y, sample_weight=None):
    """Fit the same objective with the estimator's solver and with TNC.

    Parameters
    ----------
    estimator : GDRegressor, GDClassifier, MomentumSGDRegressor or
        MomentumSGDClassifier (unfitted or fitted; it is cloned)
    X, y : training data
    sample_weight : array-like or None

    Returns
    -------
    table : pandas.DataFrame or dict of lists
        One row per solver, first ``'gd'`` (the estimator as configured,
        with its own ``solver``: ``'gd'``, ``'cg'``, ...) then ``'tnc'``,
        with the columns ``solver``,
        ``objective`` (the objective of ``API.md`` on ``(X, y)``),
        ``fit_time`` (seconds), ``n_grad_evals`` (the estimators'
        ``n_grad_evals_``: full-gradient equivalents, a mini-batch epoch
        counting as one), ``max_abs_coef_diff`` (largest absolute difference
        of coefficients and intercepts to the TNC solution), then ``n_iter``
        and ``method`` (the solver that row ran).  A DataFrame when pandas
        is installed.
    """
    fitted = {}
    times = {}
    for name in ("gd", "tnc"):
        est = clone(estimator)
        if name == "tnc":
            est.set_params(solver="tnc")
        start = time.perf_counter()
        est.fit(X, y, sample_weight=sample_weight)
        times[name] = time.perf_counter() - start
        fitted[name] = est
    ref = _coef_vector(fitted["tnc"])
    rows = {c: [] for c in COLUMNS + ["n_iter", "method"]}
    for name, est in fitted.items():
        rows["solver"].append(name)
        rows["objective"].append(objective_value(est, X, y, sample_weight))
        rows["fit_time"].append(times[name])
        rows["n_grad_evals"].append(int(est.n_grad_evals_))
        rows["max_abs_coef_diff"].append(float(np.max(np.abs(_coef_vector(est) - ref))))
        rows["n_iter"].append(int(est.n_iter_))
        rows["method"].append(est.solver)
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the environment
        return rows
    return pd.DataFrame(rows)
