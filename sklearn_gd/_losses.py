"""Private losses, on raw predictions only (they never see ``X``).

Every loss works on 2-d arrays: ``raw`` of shape ``(n, k)`` (``k = 1`` for
regression and binary problems, the number of classes otherwise) and an
encoded target ``Y`` of the same shape:

* regression: ``Y`` holds ``y`` (``k = 1``);
* binary and one-vs-rest classification: ``Y`` holds +1 / -1 per column;
* multinomial ``log_loss``: ``Y`` is the one-hot matrix of the classes.

``loss_gradient(Y, raw, sw)`` returns ``(sum_i sw_i * loss_i, G)`` where
``G = sw[:, None] * d loss / d raw`` (summed over columns for one-vs-rest, so
that one-vs-rest objectives are the sums of the per-class binary objectives).
The caller divides both by its normaliser.  Definitions follow
``SGDRegressor`` / ``SGDClassifier``.
"""

import numpy as np
from scipy.special import expit, logsumexp


class _Loss:
    #: Upper bound of the second derivative in ``raw`` (1 for the
    #: non-smooth losses, used as a heuristic curvature by 'auto').
    curvature = 1.0
    smooth = True

    def loss_gradient(self, Y, raw, sw):  # pragma: no cover - abstract
        raise NotImplementedError

    def loss(self, Y, raw, sw):
        return self.loss_gradient(Y, raw, sw)[0]


def _weighted(values, G, sw):
    """Apply sample weights to per-entry losses and gradients."""
    if sw is None:
        return float(values.sum()), G
    G *= sw[:, None]
    return float(sw @ values.sum(axis=1)), G


class SquaredError(_Loss):
    """``(y - p)^2 / 2``."""

    def loss_gradient(self, Y, raw, sw):
        G = raw - Y
        return _weighted(0.5 * G * G, G, sw)


class Huber(_Loss):
    """``r^2 / 2`` if ``|r| <= epsilon`` else ``epsilon |r| - epsilon^2 / 2``."""

    def __init__(self, epsilon=0.1):
        self.epsilon = epsilon

    def loss_gradient(self, Y, raw, sw):
        eps = self.epsilon
        r = raw - Y
        absr = np.abs(r)
        small = absr <= eps
        values = np.where(small, 0.5 * r * r, eps * absr - 0.5 * eps * eps)
        G = np.where(small, r, eps * np.sign(r))
        return _weighted(values, G, sw)


class EpsilonInsensitive(_Loss):
    """``max(0, |y - p| - epsilon)``."""

    smooth = False

    def __init__(self, epsilon=0.1):
        self.epsilon = epsilon

    def loss_gradient(self, Y, raw, sw):
        r = raw - Y
        values = np.maximum(np.abs(r) - self.epsilon, 0.0)
        G = np.where(values > 0, np.sign(r), 0.0)
        return _weighted(values, G, sw)


class BinaryLogLoss(_Loss):
    """``log(1 + exp(-y p))`` with ``y`` in {-1, +1}."""

    curvature = 0.25

    def loss_gradient(self, Y, raw, sw):
        z = Y * raw
        values = np.logaddexp(0.0, -z)
        G = -Y * expit(-z)
        return _weighted(values, G, sw)


class MultinomialLogLoss(_Loss):
    """``logsumexp(p) - p[y]`` with a one-hot ``Y``.

    ``curvature`` is Böhning's bound of the softmax Hessian.
    """

    curvature = 0.5

    def loss_gradient(self, Y, raw, sw):
        lse = logsumexp(raw, axis=1, keepdims=True)
        values = lse - (Y * raw).sum(axis=1, keepdims=True)
        G = np.exp(raw - lse)
        G -= Y
        return _weighted(values, G, sw)


class Hinge(_Loss):
    """``max(0, 1 - y p)``; gradient ``-y`` where ``y p <= 1``."""

    smooth = False

    def loss_gradient(self, Y, raw, sw):
        z = Y * raw
        values = np.maximum(1.0 - z, 0.0)
        G = np.where(z <= 1.0, -Y, 0.0)
        return _weighted(values, G, sw)


class SquaredHinge(_Loss):
    """``max(0, 1 - y p)^2``."""

    curvature = 2.0

    def loss_gradient(self, Y, raw, sw):
        z = Y * raw
        m = np.maximum(1.0 - z, 0.0)
        G = -2.0 * Y * m
        return _weighted(m * m, G, sw)


class ModifiedHuber(_Loss):
    """``max(0, 1 - y p)^2`` for ``y p >= -1``, else ``-4 y p``."""

    curvature = 2.0

    def loss_gradient(self, Y, raw, sw):
        z = Y * raw
        m = np.maximum(1.0 - z, 0.0)
        low = z < -1.0
        values = np.where(low, -4.0 * z, m * m)
        G = np.where(low, -4.0 * Y, -2.0 * Y * m)
        return _weighted(values, G, sw)


REGRESSION_LOSSES = ("squared_error", "huber", "epsilon_insensitive")
CLASSIFICATION_LOSSES = ("log_loss", "hinge", "squared_hinge", "modified_huber")
SMOOTH_LOSSES = (
    "squared_error",
    "huber",
    "log_loss",
    "squared_hinge",
    "modified_huber",
)


def get_loss(name, *, epsilon=0.1, n_classes=None):
    """The loss object for ``name`` (multinomial log loss for > 2 classes)."""
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
