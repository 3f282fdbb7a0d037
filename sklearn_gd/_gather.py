"""Mini-batch epochs over in-memory rows: batch order, gathering, prefetch.

Shuffled epochs copy the rows of a fresh permutation chunk by chunk into two
reusable buffers (one ``np.take`` per chunk instead of one fancy-indexed copy
per batch); a background thread gathers the next chunk while the current one
trains.  Unshuffled epochs and ``shuffle='batch'`` read ``X`` in place.
"""

import threading

import numpy as np
import scipy.sparse as sp

from ._csr import _CSRRows

__all__ = ["EpochBatches"]

# Rows gathered at once when shuffling: about this many bytes per chunk (the
# chunk size trades thread hand-offs against cache; see benchmarks/RESULTS.md).
_CHUNK_BYTES = 8 * 2**20


class EpochBatches:
    """The mini-batches ``(Xb, Yb, swb)`` of consecutive epochs.

    ``shuffle=True``: a fresh permutation of the rows every epoch, its rows
    gathered chunk by chunk; ``'batch'``: contiguous batches visited in a
    fresh random order, a short last batch last; ``False``: the rows in
    order.  Every epoch visits every row once; the last batch may be short.
    Call :meth:`close` when done (it stops the gather thread).
    """

    def __init__(self, X, Y, sw, batch_size, shuffle, rng, n_epochs):
        n = X.shape[0]
        self.Y, self.sw, self.batch_size = Y, sw, batch_size
        bufs = None
        if isinstance(shuffle, str):  # 'batch': nothing is gathered
            chunk = batch_size
        elif not shuffle and (not sp.issparse(X) or X.format == "csr"):
            chunk = n  # contiguous slices of X
        else:
            chunk, bufs = _gather_chunk(X, batch_size)
        self.chunks = _EpochChunks(X, rng, shuffle, n_epochs, chunk, bufs)
        self.chunk_rows = min(chunk, n)

    def epoch(self):
        """Yield the batches of the next epoch."""
        bsz = self.batch_size
        for Xc, Yc, swc in self.chunks.epoch(self.Y, self.sw):
            m = Xc.shape[0]
            for b0 in range(0, m, bsz):
                b1 = min(b0 + bsz, m)
                yield Xc[b0:b1], Yc[b0:b1], None if swc is None else swc[b0:b1]

    def epoch_chunks(self):
        """Yield the chunks ``(Xc, Yc, swc)`` of the next epoch; its batches
        are their consecutive slices of ``batch_size`` rows."""
        return self.chunks.epoch(self.Y, self.sw)

    def close(self):
        self.chunks.close()


def _gather_chunk(X, batch_size):
    """Rows per gathered chunk (a multiple of the batch size) and, for dense
    ``X``, the two reusable buffers."""
    n, d = X.shape
    if sp.issparse(X):  # stored entries (value + index) per row
        row_bytes = max(1, int(X.nnz / n * (X.dtype.itemsize + 4)))
    else:
        row_bytes = max(1, d * X.dtype.itemsize)
    chunk = max(batch_size, (_CHUNK_BYTES // row_bytes) // batch_size * batch_size)
    if sp.issparse(X):
        return chunk, None
    m = min(chunk, n)
    return chunk, (np.empty((m, d), dtype=X.dtype), np.empty((m, d), dtype=X.dtype))


class _EpochChunks:
    """The chunks of ``chunk`` rows of consecutive epochs, as ``(X, Y, sw)``.

    ``shuffle=False``: contiguous slices of ``X`` (of a CSR matrix, windows on
    its arrays; CSC rows are converted to CSR chunk by chunk).
    ``shuffle='batch'``: ``chunk`` is the batch size and each epoch visits
    the contiguous batches in the order of a fresh ``rng.permutation`` of the
    full ones, a short last batch last (Keras's ``shuffle='batch'``); nothing
    is gathered (CSC input is converted to CSR once).
    ``shuffle=True``: each epoch draws a fresh permutation of the rows from
    ``rng`` and its rows are gathered with ``np.take`` into buffer ``c % 2``
    of ``bufs``, ``c`` counting the chunks of all epochs (sparse chunks become
    ``_CSRRows``).  When an epoch has several chunks, a background thread
    gathers them (see :func:`_prefetched`) up to two chunks ahead, across the
    end of an epoch too: it draws the next epoch's permutation and gathers its
    first chunk while this epoch's last chunks train.  ``close()`` gives back
    a permutation drawn for an epoch that was not begun (``rng``'s state is
    restored), so ``rng`` ends as if every epoch had drawn its permutation at
    its start.  ``Y`` and ``sw`` (small) are gathered in the caller's thread.
    """

    def __init__(self, X, rng, shuffle, n_epochs, chunk, bufs):
        n = X.shape[0]
        self.X, self.rng, self.bufs, self.shuffle = X, rng, bufs, shuffle
        self.bounds = [(c0, min(c0 + chunk, n)) for c0 in range(0, n, chunk)]
        self.sparse = sp.issparse(X)
        self.csr = None  # rows read in place (no gather)
        if self.sparse and shuffle is not True:
            if X.format == "csr" or isinstance(shuffle, str):
                self.csr = _CSRRows(X)
        self.orders, self.states = {}, {}
        self.begun = 0  # epochs begun by the caller
        self.items = None  # a generator: its thread starts at the first item
        if shuffle is True and len(self.bounds) > 1:
            n_items = n_epochs * len(self.bounds)
            self.items = _prefetched(self._load, n_items, self._draw)

    def _draw(self, c):
        """Draw the permutation of chunk ``c``'s epoch if ``c`` is its first."""
        e, i = divmod(c, len(self.bounds))
        if i == 0:
            self.states[e] = _rng_state(self.rng)
            self.orders[e] = self.rng.permutation(self.X.shape[0])

    def _load(self, c):
        """Chunk ``c`` (counted over all epochs) and its row indices."""
        e, i = divmod(c, len(self.bounds))
        c0, c1 = self.bounds[i]
        idx = self.orders[e][c0:c1]
        if self.sparse:
            return _CSRRows(self.X[idx]), idx
        # mode="clip": mode="raise" would copy `out`
        out = self.bufs[c % 2][: c1 - c0]
        return np.take(self.X, idx, axis=0, out=out, mode="clip"), idx

    def _rows(self, c0, c1):
        """Rows ``c0:c1`` of ``X``, read in place."""
        if self.csr is not None:
            return self.csr.window(c0, c1)
        if self.sparse:  # CSC, unshuffled
            return _CSRRows(self.X[c0:c1])
        return self.X[c0:c1]

    def epoch(self, Y, sw):
        """Yield the chunks of the next epoch."""
        e = self.begun
        self.begun += 1
        if self.shuffle is not True:
            order = range(len(self.bounds))
            if self.shuffle:  # 'batch': full batches permuted, a short one last
                c0, c1 = self.bounds[-1]
                n_full = len(self.bounds) - (c1 - c0 < self.bounds[0][1])
                order = [*self.rng.permutation(n_full).tolist(), *order[n_full:]]
            for i in order:
                c0, c1 = self.bounds[i]
                yield self._rows(c0, c1), Y[c0:c1], None if sw is None else sw[c0:c1]
            return
        for c in range(e * len(self.bounds), (e + 1) * len(self.bounds)):
            if self.items is not None:
                Xc, idx = next(self.items)
            else:  # one chunk per epoch: no thread
                self._draw(c)
                Xc, idx = self._load(c)
            yield Xc, Y[idx], None if sw is None else sw[idx]
        self.orders.pop(e, None)
        self.states.pop(e, None)

    def close(self):
        if self.items is not None:
            self.items.close()
        if self.begun in self.states:  # drawn ahead for an epoch not begun
            _set_rng_state(self.rng, self.states[self.begun])


def _rng_state(rng):
    if isinstance(rng, np.random.Generator):
        return rng.bit_generator.state
    return rng.get_state()


def _set_rng_state(rng, state):
    if isinstance(rng, np.random.Generator):
        rng.bit_generator.state = state
    else:
        rng.set_state(state)


def _prefetched(load, n_items, prepare=None):
    """Yield ``load(0), ..., load(n_items - 1)``, item ``i + 1`` being loaded
    by a background thread while the caller works on item ``i``.

    ``load(i)`` may write into a buffer shared with item ``i + 2``: it is
    not called before the caller has asked for item ``i + 1`` (two items are
    alive at most).  ``prepare(i)``, when given, runs in the thread before
    that wait (work that needs no buffer, such as drawing a permutation).

    The hand-offs are arranged around the GIL: a worker handed a job while
    training runs would start only when training next blocks, so here the
    worker loads one item after another on its own, and after releasing a
    buffer the caller blocks until the worker has *started* the load that
    reuses it.  Each hand-off wakes a sleeping thread, so chunks are large.
    Locks serve as binary semaphores (cheaper than ``threading.Semaphore``).
    """
    filled = [threading.Lock(), threading.Lock()]  # held: buffer not filled yet
    emptied = [threading.Lock(), threading.Lock()]  # held: buffer in use
    started = threading.Lock()  # released when the worker begins item i >= 2
    for lock in (*filled, started):
        lock.acquire()
    items = [None] * n_items
    failure = []
    stop = False

    def work():
        try:
            for i in range(n_items):
                if prepare is not None:
                    prepare(i)
                emptied[i % 2].acquire()
                if stop:
                    return
                if i >= 2:
                    started.release()
                items[i] = load(i)
                filled[i % 2].release()
        except BaseException as exc:  # handed to the training thread
            failure.append(exc)
            for lock in (*filled, started):
                if lock.locked():
                    lock.release()

    worker = threading.Thread(target=work, name="sklearn_gd-gather", daemon=True)
    worker.start()
    try:
        for i in range(n_items):
            filled[i % 2].acquire()
            if failure:
                raise failure[0]
            item, items[i] = items[i], None
            yield item
            del item
            emptied[i % 2].release()
            if i + 2 < n_items:
                started.acquire()  # the worker took the GIL and began item i + 2
                if failure:
                    raise failure[0]
    finally:
        stop = True
        for lock in emptied:
            if lock.locked():
                lock.release()
        worker.join()
