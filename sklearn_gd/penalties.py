"""Penalties ``R(w)``: the shape of the regularisation.

The strength is always the estimator's ``alpha``; a penalty object only
carries its shape (``l1_ratio``).  The objective's penalty term is
``alpha * R(w)`` with, as in ``sklearn.linear_model.SGDRegressor``::

    L2:          R(w) = ||w||^2 / 2
    L1:          R(w) = ||w||_1
    ElasticNet:  R(w) = l1_ratio * ||w||_1 + (1 - l1_ratio) * ||w||^2 / 2

The intercept is never penalised (penalties never see it).  For a matrix of
coefficients (several classes) the norms are taken over all entries.

How gradient descent applies a penalty: for these built-in penalties the
smooth (L2) part is added to the gradient (``gradient``) before the
optimizer's update, like torch's ``weight_decay``, and the L1 part is applied
after the update as a proximal soft-threshold step (``prox_l1`` with
``step = lr_t * alpha``), which yields exact zeros.  ``prox`` is the full
proximal operator of ``R``.

The protocol is just ``value(coef)`` and ``prox(coef, step)``: any other
object with those two methods (or a subclass of :class:`Penalty` that
overrides ``prox``) is applied through its own ``prox(coef, lr_t * alpha)``
after every update.  Define ``is_smooth = True`` and ``gradient(coef)`` as
well to use it with ``solver='tnc'``.
"""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval

from ._component import Component, resolve

__all__ = ["Penalty", "L2", "L1", "ElasticNet", "get_penalty"]


def _soft_threshold(coef, threshold, out=None):
    """``sign(w) * max(|w| - threshold, 0)``; in place when ``out is coef``."""
    if out is None:
        out = np.empty_like(coef)
    mag = np.abs(coef)
    mag -= threshold
    np.maximum(mag, 0, out=mag)
    np.copysign(mag, coef, out=out)
    return out


class Penalty(Component):
    """Base class: ``R(w) = l1 * ||w||_1 + l2 * ||w||^2 / 2``.

    Subclasses define the weights ``l1_weight`` and ``l2_weight``.
    """

    _parameter_constraints: dict = {}

    @property
    def l1_weight(self):
        return 0.0

    @property
    def l2_weight(self):
        return 0.0

    @property
    def is_smooth(self):
        """Whether ``R`` is differentiable (no L1 part)."""
        return self.l1_weight == 0.0

    def value(self, coef):
        """``R(coef)``."""
        coef = np.asarray(coef)
        out = 0.0
        if self.l1_weight:
            out += self.l1_weight * float(np.abs(coef).sum())
        if self.l2_weight:
            out += 0.5 * self.l2_weight * float(np.vdot(coef, coef).real)
        return out

    def gradient(self, coef):
        """Gradient of the smooth (L2) part of ``R`` at ``coef``."""
        return self.l2_weight * np.asarray(coef)

    def prox(self, coef, step):
        """Proximal operator of ``step * R`` at ``coef``.

        ``argmin_z  ||z - coef||^2 / 2 + step * R(z)``, i.e. the soft threshold
        by ``step * l1`` followed by the shrinkage ``1 / (1 + step * l2)``.
        """
        coef = np.asarray(coef)
        if self.l1_weight:
            out = _soft_threshold(coef, step * self.l1_weight)
        else:
            out = coef.copy()
        if self.l2_weight:
            out /= 1.0 + step * self.l2_weight
        return out

    def prox_l1(self, coef, step, out=None):
        """Soft threshold by ``step * l1_weight``: prox of the L1 part only."""
        return _soft_threshold(coef, step * self.l1_weight, out=out)


class L2(Penalty):
    """``R(w) = ||w||^2 / 2`` (ridge).

    See Also
    --------
    L1, ElasticNet

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_gd.penalties import L2
    >>> L2().value(np.array([3.0, -4.0])), L2().prox(np.array([3.0, -4.0]), 1.0)
    (12.5, array([ 1.5, -2. ]))
    """

    @property
    def l2_weight(self):
        return 1.0


class L1(Penalty):
    """``R(w) = ||w||_1`` (lasso); applied as a soft threshold, exact zeros.

    See Also
    --------
    L2, ElasticNet

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_gd.penalties import L1
    >>> L1().prox(np.array([0.3, -2.0, 1.0]), 0.5)
    array([ 0. , -1.5,  0.5])
    """

    @property
    def l1_weight(self):
        return 1.0


class ElasticNet(Penalty):
    """``R(w) = l1_ratio * ||w||_1 + (1 - l1_ratio) * ||w||^2 / 2``.

    Parameters
    ----------
    l1_ratio : float in [0, 1], default=0.15
        The mixing of the L1 part, as in ``SGDRegressor``.

    See Also
    --------
    L1, L2

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_gd.penalties import ElasticNet
    >>> ElasticNet(l1_ratio=0.5).value(np.array([2.0, -2.0]))
    4.0
    """

    _parameter_constraints: dict = {"l1_ratio": [Interval(Real, 0, 1, closed="both")]}

    def __init__(self, l1_ratio=0.15):
        self.l1_ratio = l1_ratio

    @property
    def l1_weight(self):
        return float(self.l1_ratio)

    @property
    def l2_weight(self):
        return 1.0 - float(self.l1_ratio)


class _NoPenalty(Penalty):
    """``R(w) = 0`` (``penalty=None``)."""


_NAMES = {"l2": L2, "l1": L1, "elasticnet": ElasticNet}


def get_penalty(penalty):
    """Resolve ``None``, ``'l2'``, ``'l1'``, ``'elasticnet'`` or an object."""
    if penalty is None:
        return _NoPenalty()
    return resolve(penalty, _NAMES, "penalty")
