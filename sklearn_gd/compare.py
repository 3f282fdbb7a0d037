"""Side-by-side comparison of an estimator's solver with scipy's TNC."""

import time

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_array

__all__ = ["compare_solvers", "objective_value"]

COLUMNS = ["solver", "objective", "fit_time", "n_grad_evals", "max_abs_coef_diff"]


def objective_value(estimator, X, y, sample_weight=None):
    """The objective of ``API.md`` at a fitted estimator's coefficients.

    ``sum_i s_i loss_i / sum_i s_i + alpha * R(w)`` on ``(X, y)``, with the
    estimator's loss, penalty, ``alpha`` and class weights.
    """
    from . import _engine

    est = estimator
    # float64 without a copy when X already is (dense or CSR/CSC)
    Xv = check_array(X, accept_sparse=["csr", "csc"], dtype=np.float64)
    y = np.asarray(y)
    classes = getattr(est, "classes_", None)
    sw = est._sample_weight(sample_weight, Xv, y, classes)
    Y = est._encode(y, np.float64, classes)
    loss = est._loss_object(classes)
    d = Xv.shape[1]
    theta = np.zeros((d + int(est.fit_intercept), Y.shape[1]))
    theta[:d] = np.asarray(est.coef_, dtype=np.float64).reshape(-1, d).T
    if est.fit_intercept:
        theta[d] = np.asarray(est.intercept_, dtype=np.float64).ravel()
    f, _ = _engine.objective_gradient(
        Xv,
        Y,
        sw,
        theta,
        loss=loss,
        penalty=est.penalty_,
        alpha=est.alpha,
        fit_intercept=est.fit_intercept,
    )
    return float(f)


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
        One row per solver, first ``'gd'`` (the estimator's own
        configuration) then ``'tnc'``, with the columns ``solver``,
        ``objective`` (the objective of ``API.md`` on ``(X, y)``),
        ``fit_time`` (seconds), ``n_grad_evals`` (full-data gradient
        evaluations; a mini-batch epoch counts as one), ``max_abs_coef_diff``
        (largest absolute difference of coefficients and intercepts to the
        TNC solution), then ``n_iter``.  A DataFrame when pandas is installed.
    """
    fitted = {}
    times = {}
    for name in ("gd", "tnc"):
        est = clone(estimator).set_params(solver=name)
        start = time.perf_counter()
        est.fit(X, y, sample_weight=sample_weight)
        times[name] = time.perf_counter() - start
        fitted[name] = est
    ref = _coef_vector(fitted["tnc"])
    rows = {c: [] for c in COLUMNS + ["n_iter"]}
    for name, est in fitted.items():
        rows["solver"].append(name)
        rows["objective"].append(objective_value(est, X, y, sample_weight))
        rows["fit_time"].append(times[name])
        if name == "gd":
            n_batches = est.t_ / max(est.n_iter_, 1)
            evals = est.n_iter_ if n_batches <= 1 else est.t_ / n_batches
            rows["n_grad_evals"].append(int(round(evals)))
        else:
            rows["n_grad_evals"].append(int(est.n_grad_evals_))
        rows["max_abs_coef_diff"].append(float(np.max(np.abs(_coef_vector(est) - ref))))
        rows["n_iter"].append(int(est.n_iter_))
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the environment
        return rows
    return pd.DataFrame(rows)
