"""Figures of schedules and training curves (needs the ``plot`` extra).

matplotlib is imported only when a function is called; without it a clear
``ImportError`` names the extra to install (``pip install sklearn_gd[plot]``).
"""

import numpy as np

__all__ = ["plot_schedule", "plot_learning_curves"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "sklearn_gd.plot needs matplotlib; install the 'plot' extra: "
            "pip install 'sklearn_gd[plot]'"
        ) from exc
    return plt


def _label(obj):
    params = obj.get_params(deep=False) if hasattr(obj, "get_params") else {}
    inner = ", ".join(
        f"{k}={_label(v) if hasattr(v, 'get_params') else repr(v)}"
        for k, v in params.items()
    )
    return f"{type(obj).__name__}({inner})"


def plot_schedule(schedule, n_steps, learning_rate=1.0, ax=None, labels=None):
    """Plot the step sizes ``learning_rate * schedule(t)`` of the first steps.

    Parameters
    ----------
    schedule : schedule object or list of schedule objects
        One line per schedule (e.g. ``ExponentialDecay`` with and without
        ``staircase``).
    n_steps : int
        Number of steps shown.
    learning_rate : float, default=1.0
        Scale; with 1.0 the plot shows the multiplier.
    ax : matplotlib Axes, default=None
        Drawn on a new figure when None.
    labels : list of str, default=None
        Legend entries (default: the schedules' reprs).

    Returns
    -------
    ax : matplotlib Axes
    """
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    schedules = list(schedule) if isinstance(schedule, (list, tuple)) else [schedule]
    if labels is None:
        labels = [_label(s) for s in schedules]
    steps = np.arange(int(n_steps))
    for s, label in zip(schedules, labels):
        ax.plot(steps, learning_rate * np.asarray(s(steps)), label=label)
    ax.set_xlabel("step t (parameter updates)")
    ax.set_ylabel("learning rate" if learning_rate != 1.0 else "multiplier")
    ax.legend(fontsize="small")
    return ax


def plot_learning_curves(estimators, labels=None, axes=None, log_loss_scale=True):
    """Plot ``loss_curve_`` and ``learning_rate_curve_`` of fitted estimators.

    Parameters
    ----------
    estimators : fitted estimator or list of fitted estimators
        Pipelines are looked through (their last step is used).
    labels : list of str, default=None
    axes : pair of matplotlib Axes, default=None
        ``(loss axis, learning-rate axis)``; a new figure when None.
    log_loss_scale : bool, default=True
        Logarithmic y axis for the objective.

    Returns
    -------
    axes : ndarray of two Axes
    """
    plt = _pyplot()
    ests = list(estimators) if isinstance(estimators, (list, tuple)) else [estimators]
    ests = [e.steps[-1][1] if hasattr(e, "steps") else e for e in ests]
    if labels is None:
        labels = [type(e).__name__ for e in ests]
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 4))
    ax_loss, ax_lr = axes
    for est, label in zip(ests, labels):
        epochs = np.arange(1, len(est.loss_curve_) + 1)
        (line,) = ax_loss.plot(epochs, est.loss_curve_, label=label)
        scores = getattr(est, "validation_scores_", None)
        if scores is not None:  # early stopping: the held-out score, dashed
            twin = getattr(ax_loss, "_validation_axis", None) or ax_loss.twinx()
            ax_loss._validation_axis = twin
            twin.plot(epochs, scores, "--", color=line.get_color())
            twin.set_ylabel("validation score (dashed)")
        rates = np.asarray(est.learning_rate_curve_, dtype=float)
        if np.isfinite(rates).any():  # CG and TNC have no learning rate
            ax_lr.plot(epochs, rates, label=label, color=line.get_color())
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training objective")
    if log_loss_scale:
        ax_loss.set_yscale("log")
    ax_lr.set_xlabel("epoch")
    ax_lr.set_ylabel("learning rate (last update of the epoch)")
    ax_lr.set_yscale("log")  # rates of different optimizers span decades
    ax_loss.legend(fontsize="small", loc="best")
    if ax_lr.get_lines():
        ax_lr.legend(fontsize="small", loc="best")
    return np.asarray(axes)
