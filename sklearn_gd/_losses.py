"""Private losses, on raw predictions only (they never see ``X``).

Every loss works on 2-d arrays: ``raw`` of shape ``(n, k)`` (``k = 1`` for
regression and binary problems, the number of classes otherwise) and an
encoded target ``Y`` of the same shape:

* regression: ``Y`` holds ``y`` (``k = 1``);
* binary and one-vs-rest classification: ``Y`` holds +1 / -1 per column;
* multinomial ``log_loss``: ``Y`` is the one-hot matrix of the classes.

``loss_gradient(Y, raw, sw)`` returns ``(sum_i sw_i * loss_i, G)`` where
``G = sw[:, None] * d loss / d raw``, summed over columns for one-vs-rest, so
that one-vs-rest objectives are the sums of the per-class binary objectives.
It may overwrite ``raw`` (``G`` is often ``raw`` itself, which saves the
engine an allocation per batch).
The caller divides both by its normaliser.  Definitions follow
``SGDRegressor`` / ``SGDClassifier``.
"""

import math

import numpy as np
from scipy.special import expit


class _Loss:
    #: Upper bound of the second derivative in ``raw`` (1 for the
    #: non-smooth losses, used as a heuristic curvature by 'auto').
    curvature = 1.0
    smooth = True
    #: whether the objective's Hessian is the same everywhere (no curvature
    #: to find along the path beyond the bound ``curvature`` gives)
    constant_curvature = False
    #: The largest ``|d loss / d raw|`` of a non-smooth loss (the subgradient
    #: scale of the mini-batch noise warning).
    max_derivative = 1.0

    def loss_gradient(self, Y, raw, sw):  # pragma: no cover - abstract
        """``(sum_i sw_i loss_i, G)``; may overwrite ``raw`` (and return it as G)."""
        raise NotImplementedError

    def set_scale(self, Y):
        """Adapt the curvature bound to the targets (log-link losses)."""

    def value_sum(self, Y, raw, sw):
        """``sum_i s_i loss_i``; may overwrite ``raw``.  The losses that split
        off a ``derivative`` use it to sum the values of many mini-batches in
        one call (the gradient computed alongside costs little per chunk)."""
        return self.loss_gradient(Y, raw, sw)[0]


_ONES = {}  # (rows, dtype) -> a column of ones, for batch-sized sums
_ONES_MAX_ROWS = 4096


def ones_column(m, dtype):
    """A cached read-only ``(m, 1)`` column of ones (``m <= 4096``): a sum as a
    dot product with it is cheaper than ``.sum()`` on a batch."""
    key = (m, np.dtype(dtype).char)
    ones = _ONES.get(key)
    if ones is None:
        ones = _ONES[key] = np.ones((m, 1), dtype=dtype)
        ones.flags.writeable = False
    return ones


def _weighted_sum(values, sw):
    """``sum_i sw_i * sum_k values[i, k]`` without temporaries when possible."""
    if sw is None:
        m = values.shape[0]
        if values.shape[1] == 1 and m <= _ONES_MAX_ROWS and values.flags.c_contiguous:
            return float(np.vdot(values, ones_column(m, values.dtype)))
        return float(values.sum())
    if values.shape[1] == 1:
        return float(np.dot(sw, values[:, 0]))
    return float(sw @ values.sum(axis=1))


def _apply_weights(G, sw):
    if sw is not None:
        G *= sw[:, None]
    return G


class SquaredError(_Loss):
    """``(y - p)^2 / 2``."""

    #: the Hessian does not depend on the scores: ``curvature`` is exact
    constant_curvature = True

    def point(self, y, p):
        """``(loss, d loss / d p)`` of one sample, in Python floats."""
        r = p - y
        return 0.5 * r * r, r

    def loss_gradient(self, Y, raw, sw):
        G = raw
        G -= Y
        if sw is None:
            lsum = 0.5 * float(np.vdot(G, G))
        else:
            lsum = 0.5 * _weighted_sum(G * G, sw)
            G *= sw[:, None]
        return lsum, G

    #: the sign that turns :meth:`derivative` into ``d loss / d raw``
    derivative_sign = 1.0

    def derivative(self, Y, raw, out):
        """``d loss / d raw`` (unweighted, times ``derivative_sign``) into
        ``out``; ``raw`` is kept.

        With :meth:`_Loss.value_sum`, the split of :meth:`loss_gradient` that
        lets mini-batch epochs sum the loss values of many batches at once.
        """
        return np.subtract(raw, Y, out=out)


class Huber(_Loss):
    """``r^2 / 2`` if ``|r| <= epsilon`` else ``epsilon |r| - epsilon^2 / 2``."""

    def __init__(self, epsilon=0.1):
        self.epsilon = epsilon

    def point(self, y, p):
        eps, r = self.epsilon, p - y
        a = abs(r)
        if a <= eps:
            return 0.5 * r * r, r
        return eps * a - 0.5 * eps * eps, eps if r > 0 else -eps

    def loss_gradient(self, Y, raw, sw):
        eps = self.epsilon
        r = raw
        r -= Y
        absr = np.abs(r)
        small = absr <= eps
        values = np.where(small, 0.5 * r * r, eps * absr - 0.5 * eps * eps)
        G = np.where(small, r, eps * np.sign(r))
        return _weighted_sum(values, sw), _apply_weights(G, sw)


class EpsilonInsensitive(_Loss):
    """``max(0, |y - p| - epsilon)``."""

    smooth = False

    def __init__(self, epsilon=0.1):
        self.epsilon = epsilon

    def point(self, y, p):
        r = p - y
        value = abs(r) - self.epsilon
        if value <= 0:
            return 0.0, 0.0
        return value, 1.0 if r > 0 else -1.0

    def loss_gradient(self, Y, raw, sw):
        r = raw
        r -= Y
        values = np.abs(r)
        values -= self.epsilon
        np.maximum(values, 0.0, out=values)
        G = np.sign(r, out=r)
        G[values <= 0] = 0.0
        return _weighted_sum(values, sw), _apply_weights(G, sw)


class BinaryLogLoss(_Loss):
    """``log(1 + exp(-y p))`` with ``y`` in {-1, +1}."""

    curvature = 0.25

    def point(self, y, p):
        z = y * p  # the exponent is never positive: no overflow
        if z > 0:
            e = math.exp(-z)
            return math.log1p(e), -y * e / (1.0 + e)
        e = math.exp(z)
        return math.log1p(e) - z, -y / (1.0 + e)

    #: :meth:`derivative` returns ``y expit(-y p)``, the derivative's negative
    derivative_sign = -1.0

    def derivative(self, Y, raw, out):
        """``y expit(-y p)`` into ``out``: ``-(d loss / d p)``, exact to
        rounding for every ``p``; the caller applies ``derivative_sign``
        (one NumPy call fewer on a mini-batch)."""
        z = np.multiply(raw, Y, out=out)
        np.negative(z, out=z)
        H = expit(z, out=z)
        H *= Y
        return H

    def value_sum(self, Y, raw, sw):
        """``loss_gradient``'s sum without the gradient (the same values)."""
        mz = raw
        mz *= Y
        np.negative(mz, out=mz)  # -y p
        e = np.exp(mz)
        lsum = _weighted_sum(np.log1p(e, out=e), sw)
        if lsum == np.inf:  # exp overflowed: the stable form
            lsum = _weighted_sum(np.logaddexp(0.0, mz), sw)
        return lsum

    def loss_gradient(self, Y, raw, sw):
        mz = raw
        mz *= Y
        np.negative(mz, out=mz)  # -y p
        # log1p(exp(-y p)) and exp / (1 + exp) are exact to rounding while
        # exp does not overflow, and twice as fast as logaddexp + expit on
        # mini-batches; an overflow (-y p > 709) shows as an infinite sum.
        e = np.exp(mz)
        values = np.log1p(e)
        lsum = _weighted_sum(values, sw)
        if lsum == np.inf:
            values = np.logaddexp(0.0, mz)
            lsum = _weighted_sum(values, sw)
            G = expit(mz, out=mz)
            G *= Y
            np.negative(G, out=G)  # -y * expit(-y p)
        else:
            np.subtract(-1.0, e, out=values)  # -(1 + e), exactly
            G = np.divide(e, values, out=mz)  # -expit(-y p)
            G *= Y
        return lsum, _apply_weights(G, sw)


class MultinomialLogLoss(_Loss):
    """``logsumexp(p) - p[y]`` with a one-hot ``Y``.

    ``curvature`` is Böhning's bound of the softmax Hessian.
    """

    curvature = 0.5

    def loss_gradient(self, Y, raw, sw):
        ry = np.einsum("ij,ij->i", Y, raw)  # p[y]
        mx = raw.max(axis=1)
        raw -= mx[:, None]
        np.exp(raw, out=raw)
        tot = raw.sum(axis=1)
        raw /= tot[:, None]  # softmax
        G = raw
        G -= Y
        np.log(tot, out=tot)
        tot += mx
        tot -= ry  # per-sample loss
        lsum = float(tot.sum()) if sw is None else float(np.dot(sw, tot))
        return lsum, _apply_weights(G, sw)


class Hinge(_Loss):
    """``max(0, 1 - y p)``; gradient ``-y`` where ``y p <= 1``."""

    smooth = False

    def point(self, y, p):
        z = y * p
        if z <= 1.0:
            return 1.0 - z, -y
        return 0.0, 0.0

    def loss_gradient(self, Y, raw, sw):
        z = raw
        z *= Y
        active = z <= 1.0
        np.subtract(1.0, z, out=z)
        np.maximum(z, 0.0, out=z)
        lsum = _weighted_sum(z, sw)
        G = np.negative(Y, out=z)
        G *= active
        return lsum, _apply_weights(G, sw)


class SquaredHinge(_Loss):
    """``max(0, 1 - y p)^2``."""

    curvature = 2.0

    def point(self, y, p):
        m = max(1.0 - y * p, 0.0)
        return m * m, -2.0 * y * m

    def loss_gradient(self, Y, raw, sw):
        m = raw
        m *= Y
        np.subtract(1.0, m, out=m)
        np.maximum(m, 0.0, out=m)
        lsum = _weighted_sum(m * m, sw)
        G = m
        G *= Y
        G *= -2.0
        return lsum, _apply_weights(G, sw)


class ModifiedHuber(_Loss):
    """``max(0, 1 - y p)^2`` for ``y p >= -1``, else ``-4 y p``."""

    curvature = 2.0

    def point(self, y, p):
        z = y * p
        if z < -1.0:
            return -4.0 * z, -4.0 * y
        m = max(1.0 - z, 0.0)
        return m * m, -2.0 * y * m

    def loss_gradient(self, Y, raw, sw):
        z = raw
        z *= Y
        m = np.maximum(1.0 - z, 0.0)
        low = z < -1.0
        values = np.where(low, -4.0 * z, m * m)
        G = np.where(low, -4.0 * Y, -2.0 * Y * m)
        return _weighted_sum(values, sw), _apply_weights(G, sw)


class Quantile(_Loss):
    """Pinball loss: ``q (y - p)`` if ``y >= p`` else ``(1 - q) (p - y)``."""

    smooth = False

    def __init__(self, quantile=0.5):
        self.quantile = quantile

    @property
    def max_derivative(self):
        return max(float(self.quantile), 1.0 - float(self.quantile))

    def point(self, y, p):
        q, r = float(self.quantile), p - y
        if r < 0:
            return -q * r, -q
        if r == 0:
            return 0.0, 0.0
        return (1.0 - q) * r, 1.0 - q

    def loss_gradient(self, Y, raw, sw):
        q = float(self.quantile)
        r = raw
        r -= Y  # p - y
        below = r < 0  # y > p
        values = np.where(below, -q * r, (1.0 - q) * r)
        G = np.where(below, -q, 1.0 - q).astype(r.dtype)
        G[r == 0] = 0.0
        return _weighted_sum(values, sw), _apply_weights(G, sw)


class HalfTweedie(_Loss):
    """Half the Tweedie deviance with a log link (scikit-learn's definition);
    ``raw`` is ``log(mu)``.  ``power=1`` is Poisson, ``power=2`` Gamma.

    Its curvature ``mu^(2-p)`` has no global bound: :meth:`set_scale`
    bounds it by the targets (``2 max(1, max y)^(2-p)``), the scale of
    ``mu`` near the optimum.
    """

    def __init__(self, power=1.5):
        self.power = float(power)
        self.curvature = 2.0

    def set_scale(self, Y):
        top = max(1.0, float(np.max(Y))) if Y.size else 1.0
        self.curvature = 2.0 * top ** max(2.0 - self.power, 0.0)

    def loss_gradient(self, Y, raw, sw):
        p = self.power
        Y = np.asarray(Y, dtype=raw.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 1.0:  # Poisson: mu - y raw + y log y - y
                mu = np.exp(raw)
                ylogy = np.where(Y > 0, Y * np.log(np.where(Y > 0, Y, 1.0)), 0.0)
                values = mu - Y * raw + ylogy - Y
                G = mu - Y
            elif p == 2.0:  # Gamma: raw - log y + y / mu - 1
                inv = np.exp(-raw)
                values = raw - np.log(Y) + Y * inv - 1.0
                G = 1.0 - Y * inv
            else:
                a, b = np.exp(raw * (1.0 - p)), np.exp(raw * (2.0 - p))
                const = np.where(Y > 0, Y ** (2.0 - p), 0.0) / ((1 - p) * (2 - p))
                values = const - Y * a / (1.0 - p) + b / (2.0 - p)
                G = b - Y * a
        return _weighted_sum(values, sw), _apply_weights(G, sw)


REGRESSION_LOSSES = (
    "squared_error",
    "huber",
    "epsilon_insensitive",
    "quantile",
    "poisson",
    "tweedie",
)
LOG_LINK_LOSSES = ("poisson", "tweedie")
CLASSIFICATION_LOSSES = ("log_loss", "hinge", "squared_hinge", "modified_huber")
SMOOTH_LOSSES = (
    "squared_error",
    "huber",
    "log_loss",
    "squared_hinge",
    "modified_huber",
    "poisson",
    "tweedie",
)


def get_loss(name, *, epsilon=0.1, n_classes=None, quantile=0.5, power=1.5):
    """The loss object for ``name`` (multinomial log loss for > 2 classes)."""
    if name == "quantile":
        return Quantile(quantile)
    if name == "poisson":
        return HalfTweedie(1.0)
    if name == "tweedie":
        return HalfTweedie(power)
    if name == "squared_error":
        return SquaredError()
    if name == "huber":
        return Huber(epsilon)
    if name == "epsilon_insensitive":
        return EpsilonInsensitive(epsilon)
    if name == "log_loss":
        return MultinomialLogLoss() if (n_classes or 2) > 2 else BinaryLogLoss()
    if name == "hinge":
        return Hinge()
    if name == "squared_hinge":
        return SquaredHinge()
    if name == "modified_huber":
        return ModifiedHuber()
    raise ValueError(f"Unknown loss {name!r}.")
