"""Dask arrays behind the rows protocol (full batches, data parallel, optional).

``fit`` on a ``dask.array`` chunked by rows keeps ``X`` where its blocks are
(the workers of a ``dask.distributed`` cluster when a client is active,
otherwise dask's local scheduler): the blocks are persisted once, and every
pass a solver needs (the gradient of each iteration, the power iterations of
``learning_rate='auto'``) is one task per block returning its sums; the
client adds them in a fixed binary tree, so the result does not depend on
which worker finishes first.  Only the target (``n`` values), the sample weights and the
parameters travel.  dask is imported only when such an array is passed.
"""

import sys
import warnings

import numpy as np

from ._rows import Rows, combiner, tree_sum

__all__ = ["is_dask_collection", "DaskRows", "check_dask_X", "to_numpy", "map_rows"]


def is_dask_collection(obj):
    """Whether ``obj`` is a dask collection (without importing dask)."""
    if "dask" not in sys.modules or obj is None:
        return False
    import dask

    return dask.is_dask_collection(obj)


def to_numpy(obj):
    """A dask collection computed to NumPy (targets and weights: n values)."""
    if is_dask_collection(obj):
        return np.asarray(obj.compute())
    return obj


def check_dask_X(X):
    """Validate a dask array for training: 2-D, float, one block of columns,
    finite.  Returns the converted array, persisted where its blocks live."""
    import dask
    import dask.array as da

    if not isinstance(X, da.Array):
        raise TypeError(
            f"Expected a dask.array.Array for X, got {type(X).__name__}; convert "
            "dask DataFrames with .to_dask_array(lengths=True)."
        )
    if X.ndim != 2:
        raise ValueError(f"Expected a 2D array, got a {X.ndim}D dask array.")
    if not isinstance(getattr(X, "_meta", None), np.ndarray):
        raise TypeError(
            "Only dask arrays of NumPy blocks are supported, got blocks of "
            f"{type(X._meta).__name__} (sparse blocks: use fit_chunks or "
            "dask_ml.wrappers.Incremental, which train on one block at a time)."
        )
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError(
            "The dask array has unknown chunk sizes; compute them first "
            "(X.compute_chunk_sizes() or .to_dask_array(lengths=True))."
        )
    if X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(
            f"Found array with {X.shape[0]} sample(s) and {X.shape[1]} feature(s) "
            "while a minimum of 1 is required."
        )
    if X.dtype not in (np.float32, np.float64):
        if X.dtype.kind not in "biuf":
            raise ValueError(f"dask array X has a non-numeric dtype {X.dtype}.")
        X = X.astype(np.float64)
    if X.numblocks[1] != 1:
        X = X.rechunk({1: -1})  # blocks of whole rows
    # Persist first: a lazy source (files, zarr) is then read once, for the
    # check and for every pass of the training that follows.
    (X,) = dask.persist(X)
    has_nan, has_inf = dask.compute(da.isnan(X).any(), da.isinf(X).any())
    if has_nan:
        raise ValueError("Input X contains NaN.")
    if has_inf:
        raise ValueError("Input X contains infinity or a value too large for float.")
    return X


class DaskRows(Rows):
    """The row blocks of a dask array with the encoded target and weights.

    ``X``, ``Y`` (``n x k``) and ``sw`` are persisted in blocks of the same
    rows; :meth:`map_reduce` runs one task per block; only the block sums
    (the size of the parameters) come back to the client, which adds them in
    a fixed order.
    """

    def __init__(self, X, Y, sw):
        import dask
        import dask.array as da

        rows = X.chunks[0]
        Yd = da.from_array(np.asarray(Y), chunks=(rows, Y.shape[1]))
        parts = [X, Yd]  # X is persisted already (check_dask_X): a no-op
        if sw is not None:
            parts.append(da.from_array(np.asarray(sw), chunks=(rows,)))
        with warnings.catch_warnings():
            # The target is sent to the workers once per fit, by design.
            warnings.filterwarnings("ignore", message="Sending large graph")
            parts = dask.persist(*parts)
        self.X_blocks = parts[0].to_delayed().ravel().tolist()
        self.Y_blocks = parts[1].to_delayed().ravel().tolist()
        self.sw_blocks = (
            parts[2].to_delayed().ravel().tolist()
            if sw is not None
            else [None] * len(self.X_blocks)
        )
        self._persisted = parts  # keeps the blocks alive during the fit
        self.Y, self.sw = Y, sw  # n values, on the client too
        self.shape = X.shape
        self.dtype = X.dtype
        self.n_outputs = Y.shape[1]
        self.weight_sum = float(X.shape[0] if sw is None else np.sum(sw))

    def batches(self, batch_size, shuffle, rng, n_epochs):
        raise ValueError(
            "Data held in blocks (a dask array) are trained with full batches only "
            "(batch_size=None): mini-batches would shuffle rows across blocks. Use "
            "dask_ml.wrappers.Incremental or sklearn_gd.fit_chunks for mini-batches."
        )

    def map_reduce(self, func, *args, reduce="sum"):
        import dask
        from dask import delayed

        task = delayed(func, pure=False)
        parts = [
            task(Xb, Yb, swb, *args)
            for Xb, Yb, swb in zip(self.X_blocks, self.Y_blocks, self.sw_blocks)
        ]
        # The block sums (parameter-sized) are combined on the client in a
        # fixed tree: one round trip per pass.
        return tree_sum(dask.compute(*parts), combiner(reduce))


def map_rows(X, func, tail, dtype):
    """``func`` applied to every row block of a dask array, lazily; ``tail``
    is the shape of the result after the rows (``()`` for a vector).  Each
    block is validated by ``func`` itself (the estimator's in-memory method)."""
    if X.ndim != 2:
        raise ValueError(f"Expected a 2D array, got a {X.ndim}D dask array.")
    if X.numblocks[1] != 1:
        X = X.rechunk({1: -1})
    if tail:
        return X.map_blocks(func, dtype=dtype, chunks=(X.chunks[0],) + tuple(tail))
    return X.map_blocks(func, dtype=dtype, chunks=(X.chunks[0],), drop_axis=1)
