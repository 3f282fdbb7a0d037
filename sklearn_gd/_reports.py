"""What a fit tells its user: convergence warnings and scikit-learn's
callback tasks (one per epoch, driven by the solvers' monitor)."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # pragma: no cover - older scikit-learn: no callbacks

    class CallbackSupportMixin:
        pass

    def with_callbacks(method):
        return method


__all__ = [
    "CallbackSupportMixin",
    "with_callbacks",
    "EpochTasks",
    "warn_not_converged",
    "warn_if_rising",
    "warn_if_noise_plateau",
]


def warn_not_converged(solver, max_iter, tol, result, problem):
    """``max_iter`` ended the run before the stopping rule: say how far."""
    if solver == "tnc":
        return  # TNC's own rule; its result is the comparison reference
    if solver == "cg":
        what = f"solver='cg': maximum number of iterations ({max_iter})"
    else:
        what = f"Maximum number of epochs ({max_iter})"
    warnings.warn(
        f"{what} reached before convergence.{_how_far(result, problem, tol)} "
        "Consider increasing max_iter or tol.",
        ConvergenceWarning,
    )


def warn_if_rising(curve, learning_rate, start=None):
    """Warn when the run ended above where it started (a step far too large
    that the divergence guard did not catch).  ``start``: the objective at the
    start point when known (a fit from zero); the first entry of the curve
    otherwise.  (A mini-batch epoch's entry averages its batches' losses, and
    the penalty of a fit from zero only grows: its first entry is no start.)"""
    first = curve[0] if len(curve) else np.nan
    if start is not None and np.isfinite(start):
        first = max(first, start)
    if len(curve) < 2 or not curve[-1] > 1.01 * first + 1e-12:
        return
    step = (
        ""
        if not np.isfinite(learning_rate)
        else f" with learning_rate={learning_rate:.6g}"
    )
    warnings.warn(
        f"The objective rose from {first:.6g} to {curve[-1]:.6g} during the "
        f"fit{step}: the result is worse than the start. Use a smaller "
        "learning_rate or learning_rate='auto'.",
        ConvergenceWarning,
    )


def _how_far(result, problem, tol):
    """How far a full-batch run stopped from the optimum, in words."""
    if not np.isfinite(result.optimality):
        return ""
    text = (
        f" The gradient norm is still {result.optimality:.2g} times its starting "
        f"value (tol={tol:g})."
    )
    if not problem.loss.smooth:
        return text + (
            " The loss is not differentiable: its subgradients need not vanish"
            " at the optimum, so this rule rarely ends a full-batch run; with a"
            " decaying schedule (schedule='auto') the objective still approaches"
            " its minimum as max_iter grows."
        )
    gap = _suboptimality_bound(result, problem)
    if np.isfinite(gap) and len(result.loss_curve):
        f = result.loss_curve[-1]
        words = _gap_words(gap, problem)
        if gap > 1e-2 * abs(f):  # the bound ignores the loss's curvature
            f, newton = problem.newton_gap(result.theta)
            if newton is not None and newton < gap:
                words = _second_order_words(newton)
                if not problem.fit_intercept:
                    words += (
                        f", and at most {gap:.2g} above it (the L2 penalty makes "
                        "it strongly convex)"
                    )
        text += f" The objective ({f:.6g}) is {words}."
    return text


def _second_order_words(gap):
    """The figure of :meth:`Problem.newton_gap` in words."""
    return (
        f"about {gap:.2g} above its minimum by a second-order estimate "
        "(g^T H^-1 g / 2 at the model, by conjugate gradients on Hessian-vector "
        "products)"
    )


def _gap_words(gap, problem):
    """``|G|^2 / (2 mu)`` in words: a bound when the L2 penalty makes the
    objective strongly convex in every parameter, else an estimate."""
    if problem.fit_intercept:
        return (
            f"up to about {gap:.2g} above its minimum (|grad|^2 / (2 alpha), "
            "from the L2 part's strong convexity: often far above the true gap "
            "where the loss adds curvature, an estimate only since the "
            "unpenalized intercept may be flatter)"
        )
    return (
        f"at most {gap:.2g} above its minimum (the L2 penalty makes it strongly convex)"
    )


def _suboptimality_bound(result, problem):
    """``|G|^2 / (2 mu)`` with ``mu`` the L2 strong convexity (inf without)."""
    mu = problem.terms.l2
    if mu > 0 and problem.smooth:
        return result.gradient_norm**2 / (2 * mu)
    return np.inf


def warn_if_noise_plateau(result, problem, tol, rtol=1e-2):
    """Warn when a mini-batch run stopped on a plateau of its noisy objective
    while the full gradient at the model is above ``tol`` times its start and
    says the objective may be more than ``rtol`` (relative) above the optimum
    (or, without an L2 part to bound that, is above ``rtol`` times its start).

    The figure is ``|G|^2 / (2 mu)`` (the L2 part's strong convexity), or,
    when lower, the second-order estimate of :meth:`Problem.newton_gap` (up
    to 21 more passes, only when the first figure is above ``rtol``); no
    warning when twice the estimate is within ``rtol``."""
    if not np.isfinite(result.optimality) or result.optimality <= tol:
        return  # a non-smooth loss (no gradient to measure), or optimal to tol
    f = result.loss_curve[-1]
    gap = _suboptimality_bound(result, problem)
    if np.isfinite(gap):
        if gap <= rtol * abs(f):
            return
        # the bound ignores the loss's curvature: ask the Hessian (a local
        # quadratic model: it trusts the figure within a factor of 2, which
        # covers what the tests measured on logistic problems)
        f, newton = problem.newton_gap(result.theta, 0.5 * rtol)
        if newton is not None and newton < gap:
            if 2.0 * newton <= rtol * abs(f):
                return
            words = _second_order_words(newton)
            detail = f" and the objective ({f:.6g}) may be {words}"
        else:
            detail = f" and the objective ({f:.6g}) may be {_gap_words(gap, problem)}"
    elif result.optimality <= rtol:
        return
    else:
        detail = ""
    warnings.warn(
        "The mini-batch objective stopped improving (tol, n_iter_no_change), but "
        f"the full gradient is still {result.optimality:.2g} times its starting "
        f"value{detail}. Use average=True, a decaying schedule (e.g. "
        "schedule='invscaling'), batch_size=None (full batch) or solver='cg'.",
        ConvergenceWarning,
    )


def warn_if_subgradient_noise(result, problem, batch_size, gain, rtol=1e-2):
    """Warn when a mini-batch run of a non-smooth loss (no gradient to
    measure) stopped while its step may still be too large for 1% accuracy.

    At an effective step ``eta`` (the last scheduled step times the
    optimizer's ``noise_gain()``) the stochastic subgradient method settles
    about ``eta * G^2 / (2 b)`` above the optimum, ``G^2`` the mean squared
    per-sample subgradient norm (the largest loss derivative squared times
    the weighted mean of ``||x_i||^2 + fit_intercept``, one pass) and ``b``
    the batch size: the noise floor of its classical error bound.  An
    estimate (it says "may"), tested on hinge and epsilon-insensitive
    problems against the optimum of a QP."""
    if not len(result.loss_curve) or not len(result.learning_rate_curve):
        return
    eta = float(result.learning_rate_curve[-1]) * float(gain)
    total = problem.row_norm_sums()[0]  # the pass of 'auto', when it ran
    g2 = total / problem.weight_sum * float(problem.loss.max_derivative) ** 2
    floor = eta * g2 / (2.0 * batch_size)
    f = float(result.loss_curve[-1])
    if not floor > rtol * abs(f):
        return
    warnings.warn(
        "The mini-batch objective stopped improving (tol, n_iter_no_change), but "
        f"at the last step ({eta:.3g} with momentum) the subgradient noise of a "
        f"non-smooth loss may keep the objective ({f:.6g}) about {floor:.2g} above "
        "its minimum (eta G^2 / (2 batch_size)). Use a decaying schedule (e.g. "
        "schedule=InvScaling(0.5)), a smaller learning_rate, a larger batch_size "
        "or batch_size=None (full batch).",
        ConvergenceWarning,
    )


class EpochTasks:
    """One scikit-learn callback task per epoch (the monitor's hooks)."""

    def __init__(self, ctx, estimator, X, y, reconstruct):
        self.ctx, self.estimator, self.X, self.y = ctx, estimator, X, y
        self.reconstruct, self.sub = reconstruct, None

    def begin(self):
        self.sub = self.ctx.subcontext(task_name="epoch")
        self.sub.call_on_fit_task_begin(estimator=self.estimator, X=self.X, y=self.y)

    def end(self, theta):
        return bool(
            self.sub.call_on_fit_task_end(
                estimator=self.estimator,
                X=self.X,
                y=self.y,
                reconstruction_attributes=lambda: self.reconstruct(theta),
            )
        )

    def close(self):
        self.sub.call_on_fit_task_end(estimator=self.estimator)
