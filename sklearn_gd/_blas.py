"""SciPy's BLAS wrappers for the short vectors of a mini-batch step.

A mini-batch step is two matrix-vector products around a dozen operations on
vectors of ``n_features + 1`` or ``batch_size`` values.  On vectors that
short the call overhead dominates, and the f2py wrappers of
:mod:`scipy.linalg.blas`, called with positional arguments, cost less than
NumPy calls; ``gemv`` also scales its product and adds it to a given vector
in the same call (figures in ``benchmarks/RESULTS.md``).

The wrappers write in place only into contiguous 1-d arrays (or 2-d arrays
with one column) of their own dtype; given anything else f2py silently works
on a copy.  Callers therefore pass 1-d views of C-contiguous arrays they
checked once, see :func:`flat`.
"""

import numpy as np
from scipy.linalg import blas

_FUNCS = {}


def funcs(dtype):
    """``(axpy, scal, dot, gemv)`` for float32 or float64 ``dtype``, else None.

    Positional signatures: ``axpy(x, y, n, a)`` (``y += a x``), ``scal(a, x)``,
    ``dot(x, y)``, ``gemv(alpha, A, x, beta, y, offx, incx, offy, incy, trans,
    overwrite_y)`` (``y = alpha op(A) x + beta y``).
    """
    dtype = np.dtype(dtype)
    if dtype not in _FUNCS:
        _FUNCS[dtype] = None
        if dtype in (np.float32, np.float64):
            _FUNCS[dtype] = tuple(
                blas.get_blas_funcs(("axpy", "scal", "dot", "gemv"), dtype=dtype)
            )
    return _FUNCS[dtype]


def flat(*arrays):
    """1-d views of ``arrays`` if all are C-contiguous, of one float32 or
    float64 dtype and of one size, else None."""
    a0 = arrays[0]
    if funcs(a0.dtype) is None:
        return None
    for a in arrays:
        if a.dtype != a0.dtype or a.size != a0.size or not a.flags.c_contiguous:
            return None
    return tuple(a.reshape(-1) for a in arrays)
