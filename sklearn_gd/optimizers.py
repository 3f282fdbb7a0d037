"""Update rules, with the equations of ``torch.optim`` (default options).

An optimizer object carries only its hyper-parameters (clonable, tunable as
``optimizer__beta_1``).  Its state (velocity, moments, its own step count)
is an explicit dict created by ``init_state(params)`` and threaded through
``update(params, grad, state, lr)``, which changes ``params`` in place; the
estimator keeps that dict in its fitted attribute ``optimizer_state_``.
``lr`` is the step size of this update, ``learning_rate * schedule(t)``.
``update`` may return the step size it actually took (an optimizer that
chooses its own steps, such as ``BarzilaiBorwein``); the proximal step of an
L1 penalty then uses it.  The training loop binds the arrays once per fit with
``step = updater(params, grad, state)`` and calls ``step(lr)`` per batch:
``SGD`` and ``Momentum`` then update contiguous float arrays with BLAS
``axpy``/``scal`` calls (cheaper than NumPy on short vectors); ``update`` is
the NumPy reference they are tested against.

Two class attributes tell ``learning_rate='auto'`` what the optimizer needs:
``default_learning_rate`` (a float for optimizers whose step is a
per-coordinate scale, torch's default ``lr``; ``None`` for a multiple of the
inverse Lipschitz constant) and ``lipschitz_bound`` (``'spectral'``: power
iterations; ``'trace'``: the cheaper trace bound, for optimizers that only
need a safe first step).

Equations (``g`` the gradient, ``w`` the parameters, ``t`` counted from 1):

* ``SGD``: ``w -= lr * g``.
* ``Momentum`` (``torch.optim.SGD``): ``v_1 = g_1``,
  ``v_t = momentum * v_{t-1} + (1 - dampening) * g_t``; the direction is
  ``g_t + momentum * v_t`` if ``nesterov`` else ``v_t``; ``w -= lr * d``.
* ``Adam``: ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g^2``,
  ``w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)``.
* ``RMSprop``: ``v = rho v + (1 - rho) g^2``, ``w -= lr * g / (sqrt(v) + eps)``.
* ``AdaGrad``: ``s += g^2``, ``w -= lr * g / (sqrt(s) + eps)``.
"""

import functools
from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval

from . import _blas
from ._component import Component, resolve

__all__ = [
    "Optimizer",
    "SGD",
    "Momentum",
    "Adam",
    "RMSprop",
    "AdaGrad",
    "BarzilaiBorwein",
    "ScheduleFreeSGD",
    "AcceleratedGradient",
    "get_optimizer",
]


class Optimizer(Component):
    """Base class of update rules."""

    _parameter_constraints: dict = {}
    #: The ``learning_rate='auto'`` of an optimizer whose step is a
    #: per-coordinate scale (Adam family); None: ``1 / L`` from the data.
    default_learning_rate = None
    #: How ``'auto'`` bounds the Lipschitz constant: ``'spectral'`` (power
    #: iterations) or ``'trace'`` (one pass; enough for a safe first step).
    lipschitz_bound = "spectral"

    def init_state(self, params):
        """A fresh state for parameters shaped like ``params``."""
        return {"step": 0}

    def update(self, params, grad, state, lr):  # pragma: no cover - abstract
        """Apply one update to ``params`` in place; ``grad`` may be overwritten.

        Returns None (the step was ``lr``) or the step size actually taken.
        """
        raise NotImplementedError

    def updater(self, params, grad, state):
        """``step(lr)``: :meth:`update` of these very arrays, bound once.

        The training loop calls it once per fit and ``step`` once per batch;
        optimizers may return a faster function than ``update`` for
        contiguous arrays (``SGD`` and ``Momentum`` call BLAS on them).
        """
        return functools.partial(self.update, params, grad, state)

    def plain_step(self):
        """Whether :meth:`update` is exactly ``params -= lr * grad`` (plus the
        ``"step"`` count): the per-sample fast path of ``batch_size=1`` then
        applies it itself."""
        return False

    def noise_gain(self):
        """How much the update amplifies a persistent gradient (the
        "effective step" of momentum, ``lr * noise_gain()``).

        ``learning_rate='auto'`` divides its mini-batch step by this factor so
        that the steady-state noise is that of plain SGD at ``1 / L_b``.
        """
        return 1.0

    def steady_gain(self):
        """The exact factor by which the update moves the parameters along a
        constant gradient at steady state (``lr * steady_gain()`` per step);
        the proximal step of a non-smooth penalty uses it so that the fixed
        points are the optimum's."""
        return 1.0


class SGD(Optimizer):
    """Plain step ``w -= lr * g``.

    See Also
    --------
    Momentum, Adam

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_gd.optimizers import SGD
    >>> w = np.array([1.0, 2.0]); opt = SGD(); state = opt.init_state(w)
    >>> opt.update(w, np.array([0.5, -1.0]), state, lr=0.1); w
    array([0.95, 2.1 ])
    """

    def update(self, params, grad, state, lr):
        state["step"] += 1
        grad *= lr
        params -= grad

    def plain_step(self):
        return True

    def updater(self, params, grad, state):
        views = _blas.flat(params, grad)
        if views is None:
            return super().updater(params, grad, state)
        pf, gf = views
        axpy = _blas.funcs(params.dtype)[0]

        def step(lr):
            state["step"] += 1
            axpy(gf, pf, pf.size, -lr)

        return step


class Momentum(Optimizer):
    """``torch.optim.SGD`` with momentum.

    Parameters
    ----------
    momentum : float in [0, 1), default=0.9
    dampening : float in [0, 1], default=0.0
        ``dampening=momentum`` gives the moving-average form
        ``v = m v + (1 - m) g``.
    nesterov : bool, default=False
        Nesterov's look-ahead direction ``g + momentum * v``.  As in torch,
        it requires ``momentum > 0`` and ``dampening=0`` (``ValueError``
        otherwise).

    See Also
    --------
    SGD, Adam

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_gd.optimizers import Momentum
    >>> w = np.zeros(1); opt = Momentum(0.9); state = opt.init_state(w)
    >>> for _ in range(2):
    ...     opt.update(w, np.ones(1), state, lr=1.0)
    >>> w  # v_1 = 1, v_2 = 0.9 * 1 + 1
    array([-2.9])
    """

    _parameter_constraints: dict = {
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "dampening": [Interval(Real, 0, 1, closed="both")],
        "nesterov": ["boolean"],
    }

    def __init__(self, momentum=0.9, dampening=0.0, nesterov=False):
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov

    def _check_consistency(self):
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum > 0 and zero dampening "
                f"(as torch.optim.SGD), got momentum={self.momentum}, "
                f"dampening={self.dampening}."
            )

    def init_state(self, params):
        return {"step": 0, "velocity": None}

    def plain_step(self):
        return float(self.momentum) == 0.0

    def steady_gain(self):
        m, d = float(self.momentum), float(self.dampening)
        if m == 0.0:
            return 1.0
        gain = (1.0 - d) / (1.0 - m)
        return 1.0 + m * gain if self.nesterov else gain

    def noise_gain(self):
        return self.steady_gain() if self.nesterov else max(self.steady_gain(), 1.0)

    def update(self, params, grad, state, lr):
        m = float(self.momentum)
        state["step"] += 1
        if m == 0.0:  # torch keeps no buffer without momentum: a plain step
            grad *= lr
            params -= grad
            return
        v = state["velocity"]
        if v is None:
            v = state["velocity"] = grad.copy()
        else:
            v *= m
            damp = 1.0 - float(self.dampening)
            if damp == 1.0:
                v += grad
            else:
                v += damp * grad
        if self.nesterov:
            grad += m * v
            grad *= lr
        else:
            np.multiply(v, lr, out=grad)  # grad is scratch now: no temporary
        params -= grad

    def updater(self, params, grad, state):
        """:meth:`update` with BLAS calls on flat views (tested equal)."""
        m = float(self.momentum)
        v = state["velocity"]
        views = _blas.flat(params, grad, grad if v is None else v)
        if views is None:
            return super().updater(params, grad, state)
        pf, gf, vf = views
        if v is None:
            vf = None  # v_1 = g_1, created by the first step
        axpy, scal = _blas.funcs(params.dtype)[:2]
        damp = 1.0 - float(self.dampening)
        n = pf.size

        def step(lr):
            nonlocal vf
            state["step"] += 1
            if m == 0.0:  # torch keeps no buffer without momentum
                axpy(gf, pf, n, -lr)
                return
            if vf is None:
                v = state["velocity"] = grad.copy()
                vf = v.reshape(-1)
            else:
                scal(m, vf)  # v = m v + (1 - dampening) g
                axpy(gf, vf, n, damp)
            if self.nesterov:
                axpy(vf, gf, n, m)  # g + m v
                axpy(gf, pf, n, -lr)
            else:
                axpy(vf, pf, n, -lr)

        return step


class Adam(Optimizer):
    """``torch.optim.Adam`` (no weight decay, no amsgrad).

    Parameters
    ----------
    beta_1 : float in [0, 1), default=0.9
    beta_2 : float in [0, 1), default=0.999
    epsilon : float > 0, default=1e-8

    See Also
    --------
    RMSprop, AdaGrad

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_gd.optimizers import Adam
    >>> w = np.zeros(2); opt = Adam(); state = opt.init_state(w)
    >>> opt.update(w, np.array([10.0, -0.01]), state, lr=0.1)
    >>> np.round(w, 6)  # the first step is lr * sign(g), whatever |g|
    array([-0.1,  0.1])
    """

    default_learning_rate = 1e-3

    _parameter_constraints: dict = {
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def init_state(self, params):
        return {"step": 0, "m": np.zeros_like(params), "v": np.zeros_like(params)}

    def update(self, params, grad, state, lr):
        b1, b2 = float(self.beta_1), float(self.beta_2)
        state["step"] += 1
        t = state["step"]
        m, v = state["m"], state["v"]
        m *= b1
        m += (1.0 - b1) * grad
        v *= b2
        grad *= grad
        grad *= 1.0 - b2
        v += grad
        step_size = lr / (1.0 - b1**t)
        denom = np.sqrt(v)
        denom /= np.sqrt(1.0 - b2**t)
        denom += float(self.epsilon)
        np.divide(m, denom, out=denom)
        denom *= step_size
        params -= denom


class RMSprop(Optimizer):
    """``torch.optim.RMSprop`` (not centered, no momentum).

    torch calls the decay ``alpha``; here it is ``rho`` so that it never
    clashes with the penalty strength ``alpha``.

    Parameters
    ----------
    rho : float in [0, 1), default=0.99
    epsilon : float > 0, default=1e-8

    See Also
    --------
    Adam, AdaGrad
    """

    default_learning_rate = 1e-2

    _parameter_constraints: dict = {
        "rho": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, rho=0.99, epsilon=1e-8):
        self.rho = rho
        self.epsilon = epsilon

    def init_state(self, params):
        return {"step": 0, "square_avg": np.zeros_like(params)}

    def update(self, params, grad, state, lr):
        rho = float(self.rho)
        state["step"] += 1
        sq = state["square_avg"]
        sq *= rho
        sq += (1.0 - rho) * grad * grad
        denom = np.sqrt(sq)
        denom += float(self.epsilon)
        np.divide(grad, denom, out=grad)
        grad *= lr
        params -= grad


class AdaGrad(Optimizer):
    """``torch.optim.Adagrad`` (``lr_decay=0``, ``initial_accumulator_value=0``).

    Parameters
    ----------
    epsilon : float > 0, default=1e-10

    See Also
    --------
    Adam, RMSprop
    """

    default_learning_rate = 1e-2

    _parameter_constraints: dict = {
        "epsilon": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, epsilon=1e-10):
        self.epsilon = epsilon

    def init_state(self, params):
        return {"step": 0, "sum": np.zeros_like(params)}

    def update(self, params, grad, state, lr):
        state["step"] += 1
        s = state["sum"]
        s += grad * grad
        denom = np.sqrt(s)
        denom += float(self.epsilon)
        np.divide(grad, denom, out=grad)
        grad *= lr
        params -= grad


class BarzilaiBorwein(Optimizer):
    """Gradient steps with Barzilai-Borwein (spectral) step sizes, full batch.

    With ``s = w_k - w_{k-1}`` and ``y = g_k - g_{k-1}`` the two Barzilai-Borwein
    sizes are ``BB1 = s.s / s.y`` (long) and ``BB2 = s.y / y.y`` (short); the
    step follows the adaptive rule ABBmin of Frassoldati, Zanni & Zanghirati
    (2008): when ``BB2 / BB1 < tau`` (the gradient is nearly an eigenvector)
    the step is the smallest ``BB2`` of the last 10 updates and ``tau`` shrinks
    by 0.9, otherwise it is ``BB1`` and ``tau`` grows by 1.1 (``tau`` starts at
    0.5).  Steps are capped at ``max_factor * lr``; the scheduled ``lr`` is
    used for the first update and whenever ``s.y <= 0``.  Not an update of
    ``torch.optim``: the step sizes are chosen from the curvature seen along
    the path, which makes full-batch gradient descent competitive with
    quasi-Newton solvers on ill-conditioned problems (see
    ``benchmarks/RESULTS.md``).  The sequence is not
    monotone; with mini-batches the curvature estimates are noise, so use it
    with ``batch_size=None``.  With an L1 penalty the proximal step uses the
    same step size (SpaRSA).  With ``learning_rate='auto'`` the first step is
    ``1 / trace``-bound of the Lipschitz constant (cheaper than the power
    iterations, and safe), and ``max_factor`` caps later steps relative to it.

    Parameters
    ----------
    max_factor : float > 0, default=1e6
        Largest step as a multiple of the scheduled ``lr``.

    See Also
    --------
    SGD, Momentum

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn_gd import GDRegressor
    >>> from sklearn_gd.optimizers import BarzilaiBorwein
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 5)) * [1, 2, 5, 10, 20]
    >>> y = X @ np.ones(5) + rng.normal(size=200)
    >>> est = GDRegressor(optimizer=BarzilaiBorwein(), alpha=0.01, tol=None,
    ...                   max_iter=100).fit(X, y)
    >>> ref = Ridge(alpha=0.01 * 200).fit(X, y)
    >>> bool(np.allclose(est.coef_, ref.coef_, rtol=1e-4))
    True
    """

    lipschitz_bound = "trace"  # 'auto' only needs a safe first step

    _parameter_constraints: dict = {
        "max_factor": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, max_factor=1e6):
        self.max_factor = max_factor

    #: ABBmin's constants: memory of BB2 steps and the starting threshold.
    _MEMORY, _TAU0 = 10, 0.5

    def init_state(self, params):
        return {
            "step": 0,
            "prev_params": None,
            "prev_grad": None,
            "step_size": None,
            "tau": self._TAU0,
            "bb2_history": [],
        }

    def update(self, params, grad, state, lr):
        state["step"] += 1
        step = lr
        prev_w, prev_g = state["prev_params"], state["prev_grad"]
        if prev_w is not None:
            s_ = params - prev_w
            y_ = grad - prev_g
            sy = float(np.vdot(s_, y_))
            if sy > 0:
                bb1 = float(np.vdot(s_, s_)) / sy
                bb2 = sy / float(np.vdot(y_, y_))
                history = (state["bb2_history"] + [bb2])[-self._MEMORY :]
                state["bb2_history"] = history
                if bb2 < state["tau"] * bb1:
                    step = min(history)
                    state["tau"] *= 0.9
                else:
                    step = bb1
                    state["tau"] *= 1.1
                step = min(step, float(self.max_factor) * lr)
            prev_w[...] = params
            prev_g[...] = grad
        else:
            state["prev_params"] = params.copy()
            state["prev_grad"] = grad.copy()
        state["step_size"] = step
        grad *= step
        params -= grad
        return step


class ScheduleFreeSGD(Optimizer):
    """Schedule-free SGD (Defazio et al., 2024, "The Road Less Scheduled").

    The parameters the estimator trains are the gradient points ``y``; the
    state keeps the base sequence ``z`` and the averaging weights.  With
    ``lr`` the scheduled step (a warm-up is a :class:`~sklearn_gd.schedules.Warmup`
    schedule)::

        lr_max = max(lr_max, lr),  w = lr_max ** weight_lr_power
        c = w / (sum of the w so far, this one included)
        z <- z - lr * g(y)
        x <- (1 - c) x + c z,  x = (y - (1 - b1) z) / b1 before the step
        y <- b1 x + (1 - b1) z

    as optax's ``contrib.schedule_free_sgd`` (Keras 3's ``ScheduleFreeSGD``).
    With a constant ``lr``, ``c = 1 / t``: ``x`` is the running mean of the
    ``z``.  The model (``coef_``, predictions, validation scores) uses ``x``
    (:meth:`eval_params`); training continues from ``y``.

    Parameters
    ----------
    b1 : float in (0, 1], default=0.9
        Interpolation between the average ``x`` and the base sequence ``z``.
    weight_lr_power : float >= 0, default=2.0
        Weight of each step in the average, ``lr_max ** weight_lr_power``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_gd.optimizers import ScheduleFreeSGD
    >>> w = np.array([1.0]); opt = ScheduleFreeSGD(); state = opt.init_state(w)
    >>> opt.update(w, 2 * w.copy(), state, lr=0.25)  # f(w) = w^2
    >>> opt.eval_params(w, state)  # x_1 = z_1 = 1 - 0.25 * 2
    array([0.5])
    """

    _parameter_constraints: dict = {
        "b1": [Interval(Real, 0, 1, closed="right")],
        "weight_lr_power": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, b1=0.9, weight_lr_power=2.0):
        self.b1 = b1
        self.weight_lr_power = weight_lr_power

    def init_state(self, params):
        return {"step": 0, "z": np.array(params, copy=True), "weight_sum": 0.0,
                "max_lr": 0.0}  # fmt: skip

    def update(self, params, grad, state, lr):
        b1 = float(self.b1)
        state["step"] += 1
        state["max_lr"] = max(state["max_lr"], float(lr))
        weight = state["max_lr"] ** float(self.weight_lr_power)
        state["weight_sum"] += weight
        c = weight / state["weight_sum"] if state["weight_sum"] > 0 else 0.0
        z = state["z"]
        x = (params - (1.0 - b1) * z) / b1
        grad *= lr
        z -= grad
        x *= 1.0 - c
        x += c * z
        np.multiply(x, b1, out=params)
        params += (1.0 - b1) * z

    def eval_params(self, params, state):
        """The averaged sequence ``x`` at which to evaluate the model."""
        b1 = float(self.b1)
        return (params - (1.0 - b1) * state["z"]) / b1


_EPS64 = float(np.finfo(np.float64).eps)
_EPS = {}  # dtype -> machine epsilon (np.finfo costs microseconds a call)


def _eps(dtype):
    eps = _EPS.get(dtype)
    if eps is None:
        eps = _EPS[dtype] = float(np.finfo(dtype).eps)
    return eps


class AcceleratedGradient(Optimizer):
    """Nesterov's accelerated gradient with adaptive restart, full batch.

    The parameters hold the extrapolated point ``y_k`` at which the gradient
    is taken (Beck & Teboulle's FISTA sequence without a prox):

        x_k = y_k - h_k g(y_k),   t_{k+1} = (1 + sqrt(1 + 4 t_k^2)) / 2,
        y_{k+1} = x_k + (t_k - 1) / t_{k+1} (x_k - x_{k-1}),   t_1 = 1,

    and, with ``restart=True``, the gradient restart of O'Donoghue & Candès
    (2015): when ``g(y_k) . (x_k - x_{k-1}) > 0`` (the momentum points uphill)
    ``t`` is reset to 1, so the next step is a plain gradient step.  With a
    step ``h_k = lr <= 1 / L`` it needs ``O(sqrt(L / mu))`` iterations where
    plain gradient descent needs ``O(L / mu)`` (``mu`` the strong convexity,
    here at least ``alpha`` times the L2 weight); the restart recovers this
    rate without knowing ``mu``.  The model is the last ``x_k``
    (:meth:`eval_params`).  With a proximal part (an L1 part,
    ``positive=True``) the estimator passes the prox to :meth:`update`, which
    applies it between the gradient step and the extrapolation, as FISTA
    does: ``x_k = prox(y_k - h g(y_k))``, and the restart test uses the step
    taken ``y_k - x_k`` (the gradient mapping times ``h``).  The estimators
    choose it for ``optimizer='auto'`` for full-batch fits of smooth losses
    with built-in penalties; it is meant for full batches.

    With ``line_search=True`` the step adapts to the curvature along the path
    (backtracking with increase, as Scheinberg, Goldfarb & Bai 2014): each
    iteration first tries ``h = 1.5 h_{k-1}`` (or ``h_{k-1}`` when the last
    accepted trial showed the curvature along the gradient, ``c`` in
    ``f(y - h g) = f(y) - h|g|^2 + h^2 c |g|^2 / 2``, at ``h c >= 1 / 1.5``:
    a longer step would fail) and halves it until the
    sufficient decrease ``f(y - h g) <= f(y) - h |g|^2 / 2`` holds (one
    objective evaluation, a forward pass over the data, per try), never going
    below the scheduled ``lr``, which needs no test when it is ``1 / L``
    (the descent lemma).  The global bound ``L`` of ``learning_rate='auto'``
    is the worst curvature anywhere; near the optimum of a logistic
    regression on nearly separable classes the curvature is tens of times
    smaller, and so is the number of iterations (``benchmarks/RESULTS.md``).
    The estimator then supplies ``objective`` (``f(y)``) and ``evaluate``
    (``f`` at any point) to :meth:`update`; without them the step is ``lr``.
    With a prox, ``f`` is the smooth part and the condition is the composite
    one, ``f(x) <= f(y) - g.(y - x) + |y - x|^2 / (2 h)`` at
    ``x = prox(y - h g)`` (Beck & Teboulle's backtracking).
    Full batches only.

    Parameters
    ----------
    restart : bool, default=True
        Reset the momentum when it points uphill.
    line_search : bool, default=False
        Lengthen the step while the sufficient decrease condition holds.

    See Also
    --------
    Momentum, BarzilaiBorwein

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_gd.optimizers import AcceleratedGradient
    >>> w = np.zeros(1); opt = AcceleratedGradient(); state = opt.init_state(w)
    >>> for _ in range(2):  # x_1 = y_2 = 1; x_2 = y_3 = 2 (t_1 = 1: no momentum)
    ...     _ = opt.update(w, np.array([-1.0]), state, lr=1.0)
    >>> _ = opt.update(w, np.array([-1.0]), state, lr=1.0)  # x_3 = 3, t_3 = 2.19
    >>> w  # y_4 = 3 + (1.618 - 1) / 2.194 * (3 - 2)
    array([3.28175353])
    """

    _parameter_constraints: dict = {
        "restart": ["boolean"],
        "line_search": ["boolean"],
    }
    #: FISTA applies the prox between the gradient step and the
    #: extrapolation: the estimator passes it to :meth:`update`
    applies_prox = True
    #: the line search's growth of the step per iteration
    _GROW = 1.5
    #: iterations at ``lr`` after a search that found no longer step
    _WAIT = 8
    #: the smallest decrease tested, in units of the float64 rounding of
    #: ``f`` (at least 4 roundings of ``f`` in the parameters' dtype)
    _MARGIN = 1e6

    def __init__(self, restart=True, line_search=False):
        self.restart = restart
        self.line_search = line_search

    def init_state(self, params):
        return {"step": 0, "x": None, "t": 1.0, "n_restarts": 0, "step_size": None,
                "wait": 0, "room": True, "n_evals": 0}  # fmt: skip

    def update(self, params, grad, state, lr, objective=None, evaluate=None, prox=None):
        """One step; returns the step size taken (``lr`` without a line
        search).  ``prox(P, h)``: the proximal step of the non-smooth part on
        a parameter-shaped array in place (FISTA's ``x_k = prox(y_k - h g)``);
        ``evaluate`` then evaluates the smooth part only."""
        state["step"] += 1
        x_prev = state["x"]
        h = lr
        if self.line_search and evaluate is not None:
            h = self._search(params, grad, state, lr, objective, evaluate, prox)
        state["step_size"] = h
        step = params.copy() if prox is not None else None
        grad *= h
        params -= grad  # x_k = y_k - h g(y_k)
        if prox is not None:
            prox(params, h)  # x_k = prox(y_k - h g(y_k))
            np.subtract(step, params, out=grad)  # y_k - x_k, the step taken
        if x_prev is None:
            state["x"] = params.copy()
            return h
        diff = params - x_prev  # x_k - x_{k-1}
        x_prev[...] = params
        t = state["t"]
        # uphill: the step (h times the gradient mapping) opposes the momentum
        if self.restart and float(np.vdot(grad, diff)) > 0:
            state["t"] = 1.0
            state["n_restarts"] += 1
            return h
        t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        diff *= (t - 1.0) / t_next
        params += diff
        state["t"] = float(t_next)
        return h

    def _search(self, y, grad, state, lr, f_y, evaluate, prox=None):
        """The longest step of ``1.5 h_{k-1}, 0.75 h_{k-1}, ...`` (down to
        ``lr``) whose point ``x = prox(y - h g)`` satisfies
        ``f(x) <= f(y) - g.(y - x) + |y - x|^2 / (2 h)`` (``f`` the smooth
        part; without a prox: a decrease of at least ``h |g|^2 / 2``).  After a
        search that ends at ``lr`` the next ``_WAIT`` iterations keep ``lr``
        untested (on a quadratic, where ``1 / L`` is the curvature along the
        path, a try per iteration would cost half a pass for nothing)."""
        h = state["step_size"] or lr
        if state["wait"] > 0:
            state["wait"] -= 1
        elif state["room"]:
            h *= self._GROW
        if h <= lr:
            return lr
        gg = float(np.vdot(grad, grad))
        # rounding of two evaluations of f at nearly the same point
        slack = 16.0 * _eps(y.dtype) * abs(f_y)
        margin = max(self._MARGIN * 16.0 * _EPS64 * abs(f_y), 4.0 * slack)
        if 0.5 * h * gg <= margin:
            # a decrease this close to rounding would be decided by it, and
            # so would the path (two fits of one objective would part)
            return lr
        trial = np.empty_like(y)
        while h > lr:
            np.multiply(grad, -h, out=trial)
            trial += y
            bound = f_y - 0.5 * h * gg  # the model's value at the trial
            if prox is not None:
                prox(trial, h)
                moved = y - trial
                bound = f_y - float(np.vdot(grad, moved))
                bound += float(np.vdot(moved, moved)) / (2.0 * h)
            state["n_evals"] += 1
            f_x = evaluate(trial)
            if f_x <= bound + slack:
                # along g, f(y - h g) = f(y) - h|g|^2 + h^2 c|g|^2 / 2 for a
                # curvature c: h c = 2 - (f(y) - f(x)) / (h |g|^2 / 2); a
                # longer step is worth a try only when h c leaves room
                state["room"] = prox is not None or (
                    2.0 - (f_y - f_x) / (0.5 * h * gg) < 1.0 / self._GROW
                )
                return h
            h *= 0.5
        state["wait"], state["room"] = self._WAIT, True
        return lr

    def eval_params(self, params, state):
        """The last gradient step ``x_k`` (``params`` before any update)."""
        return params if state["x"] is None else state["x"]


_NAMES = {
    "sgd": lambda: SGD(),
    "momentum": lambda: Momentum(0.9),
    "nesterov": lambda: Momentum(0.9, nesterov=True),
    "adam": lambda: Adam(),
    "rmsprop": lambda: RMSprop(),
    "adagrad": lambda: AdaGrad(),
    "bb": lambda: BarzilaiBorwein(),
    "schedule_free": lambda: ScheduleFreeSGD(),
    "accelerated": lambda: AcceleratedGradient(),
}

OPTIMIZER_NAMES = tuple(_NAMES)


def get_optimizer(optimizer):
    """Resolve a name (``'sgd'``, ``'momentum'``, ``'nesterov'``, ``'adam'``,
    ``'rmsprop'``, ``'adagrad'``, ``'bb'``, ``'schedule_free'``,
    ``'accelerated'``) or an optimizer object."""
    return resolve(optimizer, _NAMES, "optimizer")
