"""Learning-rate schedules: the global step -> a non-negative multiplier.

A schedule carries only the *shape* of the decay; the scale is the estimator's
``learning_rate``.  The step size used for the update made at global step ``t``
(the number of updates made so far, starting at 0, TensorFlow's ``global_step``)
is ``learning_rate * schedule(t)``.

Every schedule but :class:`ReduceLROnPlateau` is a pure function of the step:
calling it never changes the object, and it accepts an int or a NumPy array of
steps.  The formulas are those of TensorFlow/Keras with
``initial_learning_rate`` factored out, so that ``learning_rate * schedule(t)``
equals the Keras value for ``initial_learning_rate=learning_rate``; absolute end
values of Keras become fractions (``end_factor``) of ``learning_rate``.

Schedules are scikit-learn ``BaseEstimator`` objects: ``clone``,
``get_params``/``set_params`` and nested grid search
(``schedule__decay_rate``, ``schedule__schedule__alpha``) work, and their
arguments are validated with ``_parameter_constraints`` when an estimator is
fitted (or by calling ``validate()``), with errors naming the schedule.
"""

import re
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from ._component import Component, resolve

__all__ = [
    "Schedule",
    "Constant",
    "ExponentialDecay",
    "NaturalExpDecay",
    "InverseTimeDecay",
    "PolynomialDecay",
    "PiecewiseConstantDecay",
    "CosineDecay",
    "CosineDecayRestarts",
    "LinearCosineDecay",
    "NoisyLinearCosineDecay",
    "LinearDecay",
    "StepDecay",
    "InvScaling",
    "Warmup",
    "ReduceLROnPlateau",
    "Sequential",
    "Cyclic",
    "FunctionSchedule",
    "SCHEDULE_NAMES",
    "get_schedule",
]


def _as_steps(step):
    """Return ``(steps as float64 array, was_scalar)``."""
    arr = np.asarray(step, dtype=np.float64)
    if np.any(arr < 0) or not np.all(np.isfinite(arr)):
        raise ValueError(f"Schedule steps must be finite and >= 0, got {step!r}.")
    return arr, arr.ndim == 0


def _out(values, scalar):
    values = np.asarray(values, dtype=np.float64)
    return float(values) if scalar else values


class Schedule(Component):
    """Base class of schedules.

    Subclasses implement ``_value(steps)`` on a float64 array of steps and
    return an array of the same shape.
    """

    _parameter_constraints: dict = {}
    #: Whether the schedule reacts to the epoch objective (see ReduceLROnPlateau).
    stateful = False

    def __call__(self, step):
        """Multiplier at global step ``step`` (int or array of ints)."""
        steps, scalar = _as_steps(step)
        return _out(self._value(steps), scalar)

    def _value(self, steps):  # pragma: no cover - abstract
        raise NotImplementedError


class Constant(Schedule):
    """Multiplier 1 at every step."""

    def _value(self, steps):
        return np.ones_like(steps)


class _DecayBase(Schedule):
    _parameter_constraints: dict = {
        "decay_steps": [Interval(Real, 0, None, closed="neither")],
        "decay_rate": [Interval(Real, 0, None, closed="left")],
        "staircase": ["boolean"],
    }

    def __init__(self, decay_steps=1000, decay_rate=0.96, staircase=False):
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase

    def _p(self, steps):
        p = steps / self.decay_steps
        return np.floor(p) if self.staircase else p


class ExponentialDecay(_DecayBase):
    """``decay_rate ** (t / decay_steps)`` (exponent floored if ``staircase``).

    Keras ``ExponentialDecay`` / TF1 ``exponential_decay``.
    Default (also the string ``'exponential'``): ``decay_steps=1000``,
    ``decay_rate=0.96``.

    Parameters
    ----------
    decay_steps : float > 0, default=1000
    decay_rate : float >= 0, default=0.96
    staircase : bool, default=False
        Floor ``t / decay_steps``: the step drops every ``decay_steps`` updates.

    See Also
    --------
    NaturalExpDecay, InverseTimeDecay, StepDecay

    Examples
    --------
    >>> from sklearn_gd.schedules import ExponentialDecay
    >>> s = ExponentialDecay(decay_steps=10, decay_rate=0.5, staircase=True)
    >>> s(9), s(10), s([0, 25])
    (1.0, 0.5, array([1.  , 0.25]))
    """

    def _value(self, steps):
        return np.power(float(self.decay_rate), self._p(steps))


class NaturalExpDecay(_DecayBase):
    """``exp(-decay_rate * t / decay_steps)`` (floored if ``staircase``).

    TF1 ``natural_exp_decay``.  Defaults: ``decay_steps=1000``,
    ``decay_rate=0.5``.
    """

    def __init__(self, decay_steps=1000, decay_rate=0.5, staircase=False):
        super().__init__(decay_steps, decay_rate, staircase)

    def _value(self, steps):
        return np.exp(-float(self.decay_rate) * self._p(steps))


class InverseTimeDecay(_DecayBase):
    """``1 / (1 + decay_rate * t / decay_steps)`` (floored if ``staircase``).

    Keras ``InverseTimeDecay``.  Defaults (also ``'inverse_time'``):
    ``decay_steps=1000``, ``decay_rate=0.5``.
    """

    def __init__(self, decay_steps=1000, decay_rate=0.5, staircase=False):
        super().__init__(decay_steps, decay_rate, staircase)

    def _value(self, steps):
        return 1.0 / (1.0 + float(self.decay_rate) * self._p(steps))


class PolynomialDecay(Schedule):
    """Keras ``PolynomialDecay`` with ``end_learning_rate = end_factor``.

    ``(1 - end_factor) * (1 - t' / D') ** power + end_factor`` where, without
    ``cycle``, ``t' = min(t, decay_steps)`` and ``D' = decay_steps``; with
    ``cycle``, ``t' = t`` and ``D' = decay_steps * ceil(t / decay_steps)``
    (``D' = decay_steps`` at ``t = 0``).  Defaults (also ``'polynomial'``):
    ``decay_steps=1000``, ``end_factor=0.0``, ``power=1.0``.
    """

    _parameter_constraints: dict = {
        "decay_steps": [Interval(Real, 0, None, closed="neither")],
        "end_factor": [Interval(Real, 0, None, closed="left")],
        "power": [Interval(Real, 0, None, closed="left")],
        "cycle": ["boolean"],
    }

    def __init__(self, decay_steps=1000, end_factor=0.0, power=1.0, cycle=False):
        self.decay_steps = decay_steps
        self.end_factor = end_factor
        self.power = power
        self.cycle = cycle

    def _value(self, steps):
        d = float(self.decay_steps)
        if self.cycle:
            mult = np.where(steps == 0, 1.0, np.ceil(steps / d))
            d_recomp = d * mult
            t = steps
        else:
            d_recomp = d
            t = np.minimum(steps, d)
        p = t / d_recomp
        end = float(self.end_factor)
        return (1.0 - end) * np.power(1.0 - p, float(self.power)) + end


class PiecewiseConstantDecay(Schedule):
    """Keras ``PiecewiseConstantDecay``; ``values`` are multipliers.

    ``values[0]`` for ``t <= boundaries[0]``, ``values[i]`` for
    ``boundaries[i-1] < t <= boundaries[i]``, ``values[-1]`` for
    ``t > boundaries[-1]``.  Defaults: ``boundaries=(1000,)``,
    ``values=(1.0, 0.1)``.
    """

    _parameter_constraints: dict = {
        "boundaries": ["array-like"],
        "values": ["array-like"],
    }

    def __init__(self, boundaries=(1000,), values=(1.0, 0.1)):
        self.boundaries = boundaries
        self.values = values

    def _check_consistency(self):
        b = np.asarray(self.boundaries, dtype=np.float64).ravel()
        v = np.asarray(self.values, dtype=np.float64).ravel()
        if len(v) != len(b) + 1:
            raise ValueError(
                "PiecewiseConstantDecay: the number of values must be one more "
                f"than the number of boundaries, got {len(v)} values and "
                f"{len(b)} boundaries."
            )
        if np.any(np.diff(b) < 0):
            raise ValueError("PiecewiseConstantDecay: boundaries must be increasing.")
        if np.any(v < 0) or not np.all(np.isfinite(v)):
            raise ValueError("PiecewiseConstantDecay: values must be finite and >= 0.")

    def _value(self, steps):
        b = np.asarray(self.boundaries, dtype=np.float64).ravel()
        v = np.asarray(self.values, dtype=np.float64).ravel()
        # side="left": a step equal to a boundary still uses the earlier value.
        return v[np.searchsorted(b, steps, side="left")]


class CosineDecay(Schedule):
    """``(1 - alpha) * 0.5 * (1 + cos(pi * min(t, D) / D)) + alpha``.

    Keras ``CosineDecay`` (for its warm-up use ``Warmup(CosineDecay(...))``).
    Defaults (also ``'cosine'``): ``decay_steps=1000``, ``alpha=0.0``.

    Parameters
    ----------
    decay_steps : float > 0, default=1000
    alpha : float >= 0, default=0.0
        The multiplier reached at ``decay_steps`` and kept afterwards.

    See Also
    --------
    CosineDecayRestarts, Warmup, LinearCosineDecay

    Examples
    --------
    >>> from sklearn_gd.schedules import CosineDecay
    >>> s = CosineDecay(decay_steps=100, alpha=0.1)
    >>> s(0), round(s(50), 6), s(100), s(500)
    (1.0, 0.55, 0.1, 0.1)
    """

    _parameter_constraints: dict = {
        "decay_steps": [Interval(Real, 0, None, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, decay_steps=1000, alpha=0.0):
        self.decay_steps = decay_steps
        self.alpha = alpha

    def _value(self, steps):
        d = float(self.decay_steps)
        frac = np.minimum(steps, d) / d
        a = float(self.alpha)
        return (1.0 - a) * 0.5 * (1.0 + np.cos(np.pi * frac)) + a


class CosineDecayRestarts(Schedule):
    """Keras ``CosineDecayRestarts`` (SGDR, Loshchilov & Hutter).

    Period ``i`` lasts ``first_decay_steps * t_mul**i`` steps and its peak is
    ``m_mul**i``; within a period the multiplier follows a cosine from the
    peak down to ``alpha``.  Defaults: ``first_decay_steps=1000``,
    ``t_mul=2.0``, ``m_mul=1.0``, ``alpha=0.0``.
    """

    _parameter_constraints: dict = {
        "first_decay_steps": [Interval(Real, 0, None, closed="neither")],
        "t_mul": [Interval(Real, 0, None, closed="neither")],
        "m_mul": [Interval(Real, 0, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, first_decay_steps=1000, t_mul=2.0, m_mul=1.0, alpha=0.0):
        self.first_decay_steps = first_decay_steps
        self.t_mul = t_mul
        self.m_mul = m_mul
        self.alpha = alpha

    def _value(self, steps):
        frac = steps / float(self.first_decay_steps)
        t_mul = float(self.t_mul)
        if t_mul == 1.0:
            i_restart = np.floor(frac)
            frac = frac - i_restart
        else:
            i_restart = np.floor(np.log(1.0 - frac * (1.0 - t_mul)) / np.log(t_mul))
            sum_r = (1.0 - t_mul**i_restart) / (1.0 - t_mul)
            frac = (frac - sum_r) / t_mul**i_restart
        m_fac = float(self.m_mul) ** i_restart
        cosine = 0.5 * m_fac * (1.0 + np.cos(np.pi * frac))
        a = float(self.alpha)
        return (1.0 - a) * cosine + a


class LinearCosineDecay(Schedule):
    """TF1 ``linear_cosine_decay`` (Bello et al., 2017).

    With ``t' = min(t, D)``:
    ``(alpha + (D - t') / D) * 0.5 * (1 + cos(2 pi num_periods t' / D)) + beta``.
    Defaults: ``decay_steps=1000``, ``num_periods=0.5``, ``alpha=0.0``,
    ``beta=0.001``.
    """

    _parameter_constraints: dict = {
        "decay_steps": [Interval(Real, 0, None, closed="neither")],
        "num_periods": [Interval(Real, 0, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "beta": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, decay_steps=1000, num_periods=0.5, alpha=0.0, beta=0.001):
        self.decay_steps = decay_steps
        self.num_periods = num_periods
        self.alpha = alpha
        self.beta = beta

    def _parts(self, steps):
        d = float(self.decay_steps)
        t = np.minimum(steps, d)
        linear = (d - t) / d
        fraction = 2.0 * float(self.num_periods) * (t / d)
        cosine = 0.5 * (1.0 + np.cos(np.pi * fraction))
        return t, linear, cosine

    def _value(self, steps):
        _, linear, cosine = self._parts(steps)
        return (float(self.alpha) + linear) * cosine + float(self.beta)


class NoisyLinearCosineDecay(LinearCosineDecay):
    """TF1 ``noisy_linear_cosine_decay``.

    As :class:`LinearCosineDecay` with Gaussian noise of variance
    ``initial_variance / (1 + t') ** variance_decay`` added to the linear part.
    The noise at step ``t`` is drawn from a generator seeded with
    ``(random_state, t)``, so the same ``random_state`` gives the same value at
    the same step whatever order the steps are asked in (``None`` means seed 0).
    Unlike the other schedules the value may be negative for large variances,
    as in TensorFlow.
    """

    _parameter_constraints: dict = {
        **LinearCosineDecay._parameter_constraints,
        "initial_variance": [Interval(Real, 0, None, closed="left")],
        "variance_decay": [Interval(Real, 0, None, closed="left")],
        "random_state": [None, Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        decay_steps=1000,
        initial_variance=1.0,
        variance_decay=0.55,
        num_periods=0.5,
        alpha=0.0,
        beta=0.001,
        random_state=None,
    ):
        super().__init__(decay_steps, num_periods, alpha, beta)
        self.initial_variance = initial_variance
        self.variance_decay = variance_decay
        self.random_state = random_state

    def noise(self, step):
        """Standard-normal draw used at each step (before scaling by the std)."""
        steps, scalar = _as_steps(step)
        seed = 0 if self.random_state is None else int(self.random_state)
        flat = steps.ravel().astype(np.int64)
        out = np.empty(flat.shape, dtype=np.float64)
        for i, s in enumerate(flat):
            out[i] = np.random.default_rng([seed, int(s)]).standard_normal()
        return _out(out.reshape(steps.shape), scalar)

    def _value(self, steps):
        t, linear, cosine = self._parts(steps)
        variance = float(self.initial_variance) / np.power(
            1.0 + t, float(self.variance_decay)
        )
        noisy = linear + np.sqrt(variance) * np.asarray(self.noise(steps))
        return (float(self.alpha) + noisy) * cosine + float(self.beta)


class LinearDecay(Schedule):
    """Linear from 1 to ``end_factor`` over ``decay_steps`` steps, then flat.

    ``1 + (end_factor - 1) * min(t, D) / D`` (torch ``LinearLR`` with
    ``start_factor=1``).  Defaults: ``decay_steps=1000``, ``end_factor=0.0``.
    """

    _parameter_constraints: dict = {
        "decay_steps": [Interval(Real, 0, None, closed="neither")],
        "end_factor": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, decay_steps=1000, end_factor=0.0):
        self.decay_steps = decay_steps
        self.end_factor = end_factor

    def _value(self, steps):
        d = float(self.decay_steps)
        return 1.0 + (float(self.end_factor) - 1.0) * np.minimum(steps, d) / d


class StepDecay(Schedule):
    """``gamma ** floor(t / step_size)`` (torch ``StepLR``).

    Defaults: ``step_size=1000``, ``gamma=0.1``.
    """

    _parameter_constraints: dict = {
        "step_size": [Interval(Real, 0, None, closed="neither")],
        "gamma": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, step_size=1000, gamma=0.1):
        self.step_size = step_size
        self.gamma = gamma

    def _value(self, steps):
        return np.power(float(self.gamma), np.floor(steps / float(self.step_size)))


class InvScaling(Schedule):
    """``(t + 1) ** -power_t`` (scikit-learn's ``'invscaling'``).

    Default (also ``'invscaling'``): ``power_t=0.25``.
    """

    _parameter_constraints: dict = {
        "power_t": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, power_t=0.25):
        self.power_t = power_t

    def _value(self, steps):
        return np.power(steps + 1.0, -float(self.power_t))


class Warmup(Schedule):
    """Linear warm-up before another schedule.

    ``start_factor + (schedule(0) - start_factor) * t / warmup_steps`` for
    ``t < warmup_steps``, then ``schedule(t - warmup_steps)``.  Keras's
    ``CosineDecay(warmup_target=..., warmup_steps=...)`` is
    ``Warmup(CosineDecay(...), warmup_steps)``.  ``schedule`` may be a schedule
    object or a schedule name.  Defaults: ``schedule=None`` (constant),
    ``warmup_steps=100``, ``start_factor=0.0``.
    """

    _parameter_constraints: dict = {
        "schedule": [
            None,
            StrOptions(set()),  # filled in below, once the names are known
            HasMethods(["__call__", "get_params"]),
        ],
        "warmup_steps": [Interval(Real, 0, None, closed="neither")],
        "start_factor": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, schedule=None, warmup_steps=100, start_factor=0.0):
        self.schedule = schedule
        self.warmup_steps = warmup_steps
        self.start_factor = start_factor

    def _inner(self):
        return get_schedule(self.schedule)

    def _check_consistency(self):
        inner = self._inner()
        if getattr(inner, "stateful", False):
            raise ValueError("Warmup cannot wrap a performance-based schedule.")
        if isinstance(inner, Schedule):
            inner.validate()

    def _value(self, steps):
        inner = self._inner()
        w = float(self.warmup_steps)
        s = float(self.start_factor)
        after = np.asarray(inner(np.maximum(steps - w, 0.0)), dtype=np.float64)
        first = float(inner(0))
        during = s + (first - s) * steps / w
        return np.where(steps < w, during, after)


class ReduceLROnPlateau(Schedule):
    """Performance-based multiplier (torch ``ReduceLROnPlateau``, relative mode).

    Starts at 1.  After each epoch the estimator reports the monitored value
    (the epoch objective, to be minimised, or the validation score, to be
    maximised, under early stopping).  An epoch improves when the value is
    better than ``best * (1 - threshold)`` (minimising) or
    ``best * (1 + threshold)`` (maximising).  When more than ``patience``
    epochs in a row have not improved, the multiplier is multiplied by
    ``factor`` (never below ``min_factor``) and ``cooldown`` epochs follow
    during which bad epochs are not counted.

    This is the one stateful schedule: the state (``factor_``, ``best_``,
    ``num_bad_epochs_``, ``cooldown_counter_``) lives only in the estimator's
    fitted copy ``schedule_``; the object passed to the estimator is never
    changed.  Called on steps, it returns the current multiplier.
    Default (also ``'plateau'``): ``factor=0.1``, ``patience=10``,
    ``threshold=1e-4``, ``cooldown=0``, ``min_factor=0.0``.

    Parameters
    ----------
    factor : float in (0, 1), default=0.1
    patience : int, default=10
    threshold : float, default=1e-4
    cooldown : int, default=0
    min_factor : float, default=0.0

    Attributes
    ----------
    factor_ : float
        The multiplier in force (fitted copies only).
    best_ : float or None
    num_bad_epochs_ : int
    cooldown_counter_ : int

    Examples
    --------
    >>> from sklearn_gd.schedules import ReduceLROnPlateau
    >>> s = ReduceLROnPlateau(factor=0.5, patience=1).reset()
    >>> [s.observe(v) for v in [3.0, 2.0, 2.0, 2.0, 1.0]]
    [1.0, 1.0, 1.0, 0.5, 0.5]
    """

    stateful = True

    _parameter_constraints: dict = {
        "factor": [Interval(Real, 0, 1, closed="neither")],
        "patience": [Interval(Integral, 0, None, closed="left")],
        "threshold": [Interval(Real, 0, None, closed="left")],
        "cooldown": [Interval(Integral, 0, None, closed="left")],
        "min_factor": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self, factor=0.1, patience=10, threshold=1e-4, cooldown=0, min_factor=0.0
    ):
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.cooldown = cooldown
        self.min_factor = min_factor

    def reset(self):
        """Set the state to the start of training (multiplier 1)."""
        self.factor_ = 1.0
        self.best_ = None
        self.num_bad_epochs_ = 0
        self.cooldown_counter_ = 0
        return self

    def _value(self, steps):
        return np.full(steps.shape, getattr(self, "factor_", 1.0))

    def observe(self, value, greater_is_better=False):
        """Report one epoch's monitored value; may reduce the multiplier.

        Returns the multiplier in force after this epoch.
        """
        if not hasattr(self, "factor_"):
            self.reset()
        value = float(value)
        if self.best_ is None:
            better = True
        elif greater_is_better:
            better = value > self.best_ * (1.0 + self.threshold)
        else:
            better = value < self.best_ * (1.0 - self.threshold)
        if better:
            self.best_ = value
            self.num_bad_epochs_ = 0
        else:
            self.num_bad_epochs_ += 1
        if self.cooldown_counter_ > 0:
            self.cooldown_counter_ -= 1
            self.num_bad_epochs_ = 0
        if self.num_bad_epochs_ > self.patience:
            new = max(self.factor_ * float(self.factor), float(self.min_factor))
            if self.factor_ - new > 1e-12:
                self.factor_ = new
            self.cooldown_counter_ = int(self.cooldown)
            self.num_bad_epochs_ = 0
        return self.factor_


class Sequential(Schedule):
    """Join schedules at step boundaries (optax's ``join_schedules``).

    ``schedules[0](t)`` for ``t < boundaries[0]``, then
    ``schedules[i](t - boundaries[i - 1])`` for
    ``boundaries[i - 1] <= t < boundaries[i]``: each schedule starts its own
    count at its boundary.  Nested parameters are reached as
    ``schedule__schedules`` (the list is one parameter).

    Parameters
    ----------
    schedules : list of schedule objects
    boundaries : list of int, one fewer than ``schedules``, increasing

    Examples
    --------
    >>> from sklearn_gd.schedules import Sequential, LinearDecay, CosineDecay
    >>> s = Sequential([LinearDecay(10, 0.5), CosineDecay(20)], boundaries=[10])
    >>> s(5), s(10), s(20)
    (0.75, 1.0, 0.5)
    """

    _parameter_constraints: dict = {
        "schedules": [list, tuple],
        "boundaries": ["array-like"],
    }

    def __init__(self, schedules=(), boundaries=()):
        self.schedules = schedules
        self.boundaries = boundaries

    def _check_consistency(self):
        b = np.asarray(self.boundaries, dtype=np.float64).ravel()
        if len(self.schedules) != len(b) + 1:
            raise ValueError(
                "Sequential: give one more schedule than boundaries, got "
                f"{len(self.schedules)} schedules and {len(b)} boundaries."
            )
        if np.any(np.diff(b) <= 0) or np.any(b <= 0):
            raise ValueError("Sequential: boundaries must be positive and increasing.")
        for sched in self.schedules:
            inner = get_schedule(sched)
            if getattr(inner, "stateful", False):
                raise ValueError("Sequential cannot hold a performance-based schedule.")
            if isinstance(inner, Schedule):
                inner.validate()

    def _value(self, steps):
        b = np.asarray(self.boundaries, dtype=np.float64).ravel()
        which = np.searchsorted(b, steps, side="right")
        starts = np.concatenate([[0.0], b])
        out = np.empty_like(steps)
        for i, sched in enumerate(self.schedules):
            mask = which == i
            if np.any(mask):
                out[mask] = get_schedule(sched)(steps[mask] - starts[i])
        return out


class Cyclic(Schedule):
    """Triangular cyclical learning rate (Smith, 2017; torch ``CyclicLR``).

    The multiplier rises linearly from ``base_factor`` to 1 over
    ``step_size_up`` steps and falls back over as many;
    ``mode='triangular2'`` halves the amplitude every cycle.  With
    ``cycle = floor(1 + t / (2 s))`` and ``x = |t / s - 2 cycle + 1|``:
    ``base + (1 - base) * max(0, 1 - x) * scale(cycle)``.

    Parameters
    ----------
    step_size_up : int, default=100
    base_factor : float in [0, 1], default=0.1
    mode : {'triangular', 'triangular2'}, default='triangular'

    Examples
    --------
    >>> from sklearn_gd.schedules import Cyclic
    >>> s = Cyclic(step_size_up=10, base_factor=0.1)
    >>> s(0), s(5), s(10), s(20)
    (0.1, 0.55, 1.0, 0.1)
    """

    _parameter_constraints: dict = {
        "step_size_up": [Interval(Real, 0, None, closed="neither")],
        "base_factor": [Interval(Real, 0, 1, closed="both")],
        "mode": [StrOptions({"triangular", "triangular2"})],
    }

    def __init__(self, step_size_up=100, base_factor=0.1, mode="triangular"):
        self.step_size_up = step_size_up
        self.base_factor = base_factor
        self.mode = mode

    def _value(self, steps):
        s = float(self.step_size_up)
        cycle = np.floor(1.0 + steps / (2.0 * s))
        x = np.abs(steps / s - 2.0 * cycle + 1.0)
        scale = 1.0 if self.mode == "triangular" else 0.5 ** (cycle - 1.0)
        base = float(self.base_factor)
        return base + (1.0 - base) * np.maximum(0.0, 1.0 - x) * scale


#: String names accepted by ``schedule=`` and the class each resolves to
#: (constructed with its default arguments).
class FunctionSchedule(Schedule):
    """Any function ``t -> multiplier`` as a schedule.

    ``schedule=callable`` on an estimator is wrapped in this class, which gives
    it ``get_params`` (so ``clone`` and ``GridSearchCV`` handle it; to pickle
    the estimator, or to run a search with ``n_jobs > 1``, pass a function
    defined at module level rather than a lambda).

    Parameters
    ----------
    func : callable
        ``func(t)`` for an int step ``t`` (the number of updates so far), or,
        faster, for a NumPy array of steps at once (vectorized): the training
        loop asks for all the steps of an epoch in one call, and a function
        that fails on an array or returns another shape is called step by step.

    Examples
    --------
    >>> from sklearn_gd.schedules import FunctionSchedule
    >>> FunctionSchedule(lambda t: 0.5 ** (t // 10))(25)
    0.25
    """

    _parameter_constraints: dict = {"func": [callable]}

    def __init__(self, func=None):
        self.func = func

    def _value(self, steps):
        func = self.func if self.func is not None else (lambda t: 1.0)
        try:
            with np.errstate(all="ignore"):
                out = np.asarray(func(steps), dtype=np.float64)
            if out.shape == steps.shape:
                return _non_negative(out)
        except (TypeError, ValueError):
            pass  # a scalar function
        flat = [float(func(int(t))) for t in steps.ravel()]
        return _non_negative(np.asarray(flat).reshape(steps.shape))


def _non_negative(values):
    if np.any(values < 0) or not np.all(np.isfinite(values)):
        raise ValueError(
            "A schedule function must return finite multipliers >= 0, got "
            f"{values[(values < 0) | ~np.isfinite(values)][:3]}."
        )
    return values


def _snake(name):
    return re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _names():
    """Every schedule class that builds and validates without arguments, by
    the snake_case of its name, with and without ``_decay``, plus the
    historical aliases ``'invscaling'`` and ``'plateau'``."""
    names = {"invscaling": InvScaling, "plateau": ReduceLROnPlateau}
    for cls_name in __all__:
        cls = globals().get(cls_name)
        if not (isinstance(cls, type) and issubclass(cls, Schedule)):
            continue
        if cls in (Schedule, FunctionSchedule):
            continue
        try:
            cls().validate()
        except (ValueError, TypeError):
            continue
        snake = _snake(cls_name)
        names[snake] = cls
        names[snake.replace("_decay", "")] = cls
    return dict(sorted(names.items()))


def get_schedule(schedule):
    """Resolve ``None``, a name or a schedule object to a schedule object.

    Objects are returned as they are (not copied); names build a new object
    with the default arguments documented on its class.
    """
    if schedule is None:
        return Constant()
    schedule = resolve(schedule, SCHEDULE_NAMES, "schedule")
    if not callable(schedule):
        raise TypeError(f"A schedule must be callable, got {schedule!r}.")
    if not hasattr(schedule, "get_params"):
        return FunctionSchedule(schedule)
    return schedule


SCHEDULE_NAMES = _names()

Warmup._parameter_constraints["schedule"][1] = StrOptions(set(SCHEDULE_NAMES))
