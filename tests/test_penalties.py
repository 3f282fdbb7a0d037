"""Penalty values and proximal operators against their definitions."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import minimize_scalar
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_gd.penalties import L1, L2, ElasticNet, get_penalty

W = np.array([[1.5, -0.2], [0.0, 3.0], [-0.7, 0.05]])


def test_values():
    assert L2().value(W) == pytest.approx(0.5 * np.sum(W**2))
    assert L1().value(W) == pytest.approx(np.sum(np.abs(W)))
    en = ElasticNet(l1_ratio=0.3)
    assert en.value(W) == pytest.approx(
        0.3 * np.sum(np.abs(W)) + 0.7 * 0.5 * np.sum(W**2)
    )
    assert get_penalty(None).value(W) == 0.0


@pytest.mark.parametrize(
    "pen", [L2(), L1(), ElasticNet(0.15), ElasticNet(0.8)], ids=repr
)
@pytest.mark.parametrize("step", [0.01, 0.3, 2.0])
def test_prox_is_the_argmin(pen, step):
    """prox(w, s) = argmin_z (z - w)^2 / 2 + s R(z), entry by entry."""
    out = pen.prox(W, step)
    for w, z in zip(W.ravel(), out.ravel()):
        res = minimize_scalar(
            lambda v, w=w: 0.5 * (v - w) ** 2 + step * pen.value(np.array([v])),
            bounds=(-10, 10),
            method="bounded",
            options={"xatol": 1e-12},
        )
        assert z == pytest.approx(res.x, abs=1e-7)


def test_l1_prox_gives_exact_zeros():
    out = L1().prox(W, 0.25)
    assert_allclose(out, [[1.25, 0.0], [0.0, 2.75], [-0.45, 0.0]])
    assert np.sum(out == 0.0) == 3
    inplace = W.copy()
    L1().prox_l1(inplace, 0.25, out=inplace)
    assert_allclose(inplace, out)


def test_gradient_of_smooth_part():
    assert_allclose(L2().gradient(W), W)
    assert_allclose(L1().gradient(W), 0 * W)
    assert_allclose(ElasticNet(0.25).gradient(W), 0.75 * W)
    assert ElasticNet(0.0).is_smooth and not L1().is_smooth and L2().is_smooth


def test_clone_and_validation():
    en = ElasticNet(l1_ratio=0.4)
    assert clone(en).get_params() == {"l1_ratio": 0.4}
    with pytest.raises(InvalidParameterError, match="l1_ratio.*ElasticNet"):
        ElasticNet(l1_ratio=1.5).validate()
    with pytest.raises(ValueError, match="Unknown penalty"):
        get_penalty("l3")
