"""Data access: the rows of a training set behind one small protocol.

A :class:`Rows` object holds ``X`` (where it lives), the encoded target
``Y`` (``n x k``) and the sample weights ``sw`` (or None; both small, also
held in memory) and offers the two ways solvers read them:

* ``map_reduce(func, *args, reduce="sum")``: ``func(Xb, Yb, swb, *args)`` on
  every block of rows, the results (numbers, arrays or tuples of them)
  summed (or maximised) in a fixed order, so results are deterministic.
  Every full pass (the gradient, the power iterations of
  ``learning_rate='auto'``) goes through it.  A block function with the
  attribute ``fortran_targets = True`` gets multi-output ``Yb`` in Fortran
  order (in memory: one copy of ``Y``, made once);
* ``batches(batch_size, shuffle, rng, n_epochs)``: the mini-batches of
  consecutive epochs (an :class:`~sklearn_gd._gather.EpochBatches`).

:class:`ArrayRows` is the in-memory implementation (dense blocks sized to
stay in cache between the forward and the backward product; sparse data in
one block); :class:`~sklearn_gd._dask.DaskRows` runs one task per block of a
dask array.
"""

import numpy as np
import scipy.sparse as sp

from ._gather import EpochBatches

__all__ = ["Rows", "ArrayRows", "block_rows", "combiner", "tree_sum"]

# Rows of a dense block: about this many bytes stay in cache between
# ``Xb @ W`` and ``Xb.T @ G`` (one read of X per pass; benchmarks/RESULTS.md).
_BLOCK_BYTES = 2 * 2**20


def block_rows(d, dtype):
    """Rows of ``d`` features of ``dtype`` in one dense block (at least 256)."""
    return max(256, _BLOCK_BYTES // max(1, d * np.dtype(dtype).itemsize))


def add_sums(a, b):
    """``a + b`` for numbers, arrays and tuples of them."""
    if isinstance(a, tuple):
        return tuple(x + y for x, y in zip(a, b))
    return a + b


def _add_into(a, b):
    """``a + b``, written into ``a``'s arrays."""
    if isinstance(a, tuple):
        return tuple(_add_into(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        a += b
        return a
    return a + b


def max_parts(a, b):
    """Element-wise maximum for numbers, arrays and tuples of them."""
    if isinstance(a, tuple):
        return tuple(np.maximum(x, y) for x, y in zip(a, b))
    return np.maximum(a, b)


_REDUCE = {"sum": add_sums, "max": max_parts}


def combiner(reduce):
    """The pairwise combination for ``reduce``: ``'sum'``, ``'max'`` or a
    tuple of them, one per item of the tuples that the blocks return."""
    if isinstance(reduce, str):
        return _REDUCE[reduce]
    ops = [_REDUCE[r] for r in reduce]
    return lambda a, b: tuple(op(x, y) for op, x, y in zip(ops, a, b))


def tree_sum(parts, add=add_sums):
    """Combine ``parts`` pairwise in a fixed tree: ``add(a, b)`` for each pair."""
    parts = list(parts)
    while len(parts) > 1:
        paired = [add(parts[i], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]
        if len(parts) % 2:
            paired.append(parts[-1])
        parts = paired
    return parts[0]


class Rows:
    """The protocol: ``shape``, ``dtype``, ``n_outputs``, ``weight_sum``
    (``sum(s)``, or ``n`` without weights), ``Y``, ``sw``, :meth:`map_reduce`
    and :meth:`batches`."""

    Y = sw = None
    shape = (0, 0)
    dtype = np.dtype(np.float64)
    n_outputs = 1
    weight_sum = 0.0

    def map_reduce(self, func, *args, reduce="sum"):  # pragma: no cover
        raise NotImplementedError

    def single_block(self, max_rows):
        """``(X, Y, sw)`` when all rows are one dense in-memory ndarray of at
        most ``max_rows`` rows (a full-batch step may then read them in one
        kernel call, without :meth:`map_reduce`'s block loop); else None."""
        return None

    def batches(self, batch_size, shuffle, rng, n_epochs):  # pragma: no cover
        raise NotImplementedError


class ArrayRows(Rows):
    """Rows held in memory: a dense array or a CSR/CSC matrix (never copied)."""

    def __init__(self, X, Y, sw):
        self.X, self.Y, self.sw = X, Y, sw
        self._Yf = None  # Y in Fortran order, made once when a block function asks
        self.shape = X.shape
        self.dtype = X.dtype
        self.n_outputs = Y.shape[1]
        self.weight_sum = float(X.shape[0] if sw is None else sw.sum())
        n, d = X.shape
        self.block = n if sp.issparse(X) else block_rows(d, X.dtype)

    def single_block(self, max_rows):
        X = self.X
        if isinstance(X, np.ndarray) and X.shape[0] <= max_rows:
            return X, self.Y, self.sw
        return None

    def map_reduce(self, func, *args, reduce="sum"):
        X, Y, sw, R = self.X, self.Y, self.sw, self.block
        if getattr(func, "fortran_targets", False) and Y.shape[1] > 1:
            # several outputs: the kernel's scores are in Fortran order
            if self._Yf is None:
                self._Yf = np.asfortranarray(Y)
            Y = self._Yf
        if X.shape[0] <= R:
            return func(X, Y, sw, *args)
        # block functions return fresh arrays: sums accumulate in place
        combine = _add_into if reduce == "sum" else combiner(reduce)
        total = None
        for r0 in range(0, X.shape[0], R):
            swb = None if sw is None else sw[r0 : r0 + R]
            part = func(X[r0 : r0 + R], Y[r0 : r0 + R], swb, *args)
            total = part if total is None else combine(total, part)
        return total

    def batches(self, batch_size, shuffle, rng, n_epochs):
        return EpochBatches(self.X, self.Y, self.sw, batch_size, shuffle, rng, n_epochs)
