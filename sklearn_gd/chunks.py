"""Out-of-core training: ``partial_fit`` over chunks of rows.

:func:`fit_chunks` runs epochs of ``partial_fit`` over a re-iterable source of
``(X, y)`` or ``(X, y, sample_weight)`` chunks; :class:`ArrayChunks` cuts
arrays that need not fit in memory (``numpy.memmap``, h5py or zarr datasets:
anything sliced by rows) into such chunks, reading one chunk at a time.

Each ``partial_fit`` call is one pass over its chunk, continuing the step
count ``t_``, the schedule, the optimizer state and the estimator's random
stream, so a pass over all chunks is one epoch over the data: with
``shuffle=False`` on the estimator and here, and chunk sizes that are
multiples of ``batch_size``, the batches are exactly those of ``fit`` on the
concatenated data and the coefficients are the same after every epoch.
"""

import copy
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_consistent_length

__all__ = ["fit_chunks", "ArrayChunks"]


class ArrayChunks(Sequence):
    """Consecutive row chunks of ``X``, ``y`` (and ``sample_weight``).

    Only ``X[a:b]`` is read for chunk ``i`` (``a = i * chunk_size``), so a
    ``numpy.memmap`` (or an h5py / zarr dataset) is read chunk by chunk and
    memory stays bounded by the chunk size.  Chunks of a ``numpy.memmap`` are
    copied into memory when indexed; chunks of an in-memory array are views.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Anything indexable by row slices: ndarray, ``numpy.memmap``, sparse
        matrix, h5py / zarr dataset.
    y : array-like of shape (n_samples,)
    chunk_size : int
        Rows per chunk (the last chunk may be smaller).  A multiple of the
        estimator's ``batch_size`` keeps batches from spanning chunk ends
        exactly as in ``fit``.
    sample_weight : array-like of shape (n_samples,), default=None

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_gd.chunks import ArrayChunks
    >>> chunks = ArrayChunks(np.arange(10.0).reshape(5, 2), np.arange(5), 2)
    >>> len(chunks), [len(y) for _, y in chunks]
    (3, [2, 2, 1])
    """

    def __init__(self, X, y, chunk_size, sample_weight=None):
        check_consistent_length(X, y, sample_weight)
        chunk_size = int(chunk_size)
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be >= 1, got {chunk_size}.")
        self.X, self.y, self.sample_weight = X, y, sample_weight
        self.chunk_size = chunk_size
        self.n_samples = X.shape[0]

    def __len__(self):
        return -(-self.n_samples // self.chunk_size)

    def __getitem__(self, i):
        if not -len(self) <= i < len(self):
            raise IndexError(f"chunk index {i} out of range for {len(self)} chunks")
        i %= len(self)
        a = i * self.chunk_size
        b = min(a + self.chunk_size, self.n_samples)
        Xc, yc = self.X[a:b], np.asarray(self.y[a:b])
        if isinstance(Xc, np.memmap):
            # read the chunk into memory now (in fit_chunks' prefetch thread),
            # so training does not page-fault through the file
            Xc = np.array(Xc)
        elif not hasattr(Xc, "tocsr"):  # ndarray view, or h5py / zarr read
            Xc = np.asarray(Xc)
        if self.sample_weight is None:
            return Xc, yc
        return Xc, yc, np.asarray(self.sample_weight[a:b])


def fit_chunks(
    estimator, chunks, *, epochs=1, classes=None, shuffle=True, random_state=None
):
    """Train ``estimator`` by ``partial_fit`` over ``chunks`` for ``epochs``.

    Parameters
    ----------
    estimator : estimator with ``partial_fit``
        Trained in place (continuing its state when already fitted).  Its
        own ``shuffle`` permutes the rows within each chunk.
    chunks : sequence or re-iterable of tuples
        ``(X, y)`` or ``(X, y, sample_weight)`` chunks.  A sequence (with
        ``len`` and indexing, such as :class:`ArrayChunks` or a list) is
        visited in a new random order every epoch when ``shuffle``; any other
        iterable is visited in its own order and must give a fresh iterator
        every epoch (a generator can be passed only with ``epochs=1``).
    epochs : int, default=1
        Passes over all chunks.
    classes : array-like, default=None
        All class labels, required by classifiers on their first
        ``partial_fit`` call (as in scikit-learn).
    shuffle : bool, default=True
        Visit the chunks of a sequence in a fresh random order every epoch.
    random_state : int, RandomState or None, default=None
        Seeds the chunk order; ``None`` takes the estimator's
        ``random_state`` (so a seeded estimator gives a reproducible run on
        its own).  The rows within chunks follow the estimator's stream.

    Returns
    -------
    estimator
        The trained estimator.  Its ``n_iter_`` and ``loss_curve_`` count
        ``partial_fit`` calls (one entry per chunk), and epoch-based
        schedules such as ``ReduceLROnPlateau`` observe every chunk; a
        ``learning_rate='auto'`` is estimated from the first chunk.  With
        sample weights, each ``partial_fit`` call weighs its batches by the
        mean weight of its own chunk (the chunk is its objective), so chunks
        whose mean weights differ train like ``fit`` only approximately.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_gd import MomentumSGDRegressor
    >>> from sklearn_gd.chunks import ArrayChunks, fit_chunks
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(1000, 3))
    >>> y = X @ [1.0, -2.0, 0.5] + 3.0
    >>> est = MomentumSGDRegressor(batch_size=50, random_state=0)
    >>> est = fit_chunks(est, ArrayChunks(X, y, 200), epochs=20, random_state=0)
    >>> np.round(est.coef_, 2), np.round(est.intercept_, 2)
    (array([ 1. , -2. ,  0.5]), array([3.]))
    """
    epochs, indexable = _check_args(estimator, chunks, epochs)
    if random_state is None:  # reproducible from the estimator's own seed
        random_state = getattr(estimator, "random_state", None)
    rng = check_random_state(random_state)
    kwargs = {}
    if is_classifier(estimator) and not hasattr(estimator, "classes_"):
        if classes is None:
            raise ValueError(
                "classes must be given to fit a classifier on chunks: "
                "partial_fit needs every class on its first call."
            )
        kwargs["classes"] = classes
    # All or nothing: an error in any chunk (bad values, divergence,
    # KeyboardInterrupt) restores the estimator as it was before the call.
    snapshot = copy.deepcopy(estimator.__dict__)
    try:
        _run(estimator, chunks, epochs, indexable, shuffle, rng, kwargs)
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(snapshot)
        raise
    return estimator


def _check_args(estimator, chunks, epochs):
    """``(epochs, whether chunks can be indexed)``; errors for bad arguments."""
    if not hasattr(estimator, "partial_fit"):
        raise TypeError(f"{type(estimator).__name__} has no partial_fit method.")
    epochs = int(epochs)
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}.")
    indexable = isinstance(chunks, Sequence) or (
        hasattr(chunks, "__len__") and hasattr(chunks, "__getitem__")
    )
    if not indexable and epochs > 1 and iter(chunks) is chunks:
        raise ValueError(
            "chunks is a one-shot iterator (e.g. a generator), which cannot be "
            f"read for {epochs} epochs; pass a sequence, a re-iterable object, "
            "or epochs=1."
        )
    return epochs, indexable


def _run(estimator, chunks, epochs, indexable, shuffle, rng, kwargs):
    # The next chunk is read in a background thread while partial_fit trains
    # on the current one (reading a memmap or a file releases the GIL), so at
    # most two chunks are in memory.
    with ThreadPoolExecutor(1) as executor:
        for _ in range(epochs):
            if indexable:
                n_chunks = len(chunks)
                order = rng.permutation(n_chunks) if shuffle else range(n_chunks)
                source = (chunks[int(i)] for i in order)
            else:
                source = iter(chunks)
            future = executor.submit(next, source, None)
            while (chunk := future.result()) is not None:
                future = executor.submit(next, source, None)
                X, y, *rest = chunk
                sample_weight = rest[0] if rest else None
                estimator.partial_fit(X, y, sample_weight=sample_weight, **kwargs)
                kwargs = {}
                del chunk, X, y, rest, sample_weight
