"""Shuffled mini-batches are gathered chunk by chunk by a background thread.

A chunk is ~8 MB of rows, so the test data would fit in one chunk (and no
thread would start); ``_CHUNK_BYTES`` is shrunk to force many chunks,
including a short last one.
"""

import threading
import time

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_gd import MomentumSGDClassifier, MomentumSGDRegressor, _gather
from sklearn_gd._csr import _CSRRows
from sklearn_gd._losses import get_loss
from sklearn_gd._problem import Problem
from sklearn_gd._solvers import GradientDescent, Monitor
from sklearn_gd._solvers import gd as _gd
from sklearn_gd.optimizers import SGD
from sklearn_gd.schedules import Constant

pytestmark = pytest.mark.timeout(120)  # a hand-off bug would hang, not fail


def _gather_threads():
    return [t for t in threading.enumerate() if t.name == "sklearn_gd-gather"]


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(_gather, "_CHUNK_BYTES", 1)  # one batch per chunk


@pytest.mark.parametrize("sparse", [False, True])
def test_chunks_hold_the_rows_of_each_epochs_permutation(sparse):
    rng = np.random.RandomState(0)
    n, d, chunk = 1030, 6, 128  # 8 full chunks and one of 6 rows
    X = rng.normal(size=(n, d))
    X[X < 0.3] = 0.0
    Y, sw = rng.normal(size=(n, 2)), rng.uniform(size=n)
    bufs = (np.empty((chunk, d)), np.empty((chunk, d)))
    Xs = sp.csr_matrix(X) if sparse else X
    epochs = _gather._EpochChunks(Xs, np.random.RandomState(7), True, 5, chunk, bufs)
    reference = np.random.RandomState(7)
    for _ in range(3):  # 3 of at most 5 epochs
        order = reference.permutation(n)
        seen = []
        for i, (Xc, Yc, swc) in enumerate(epochs.epoch(Y, sw)):
            time.sleep(0.002)  # let the worker run ahead if it were allowed to
            idx = order[i * chunk : (i + 1) * chunk]
            rows = Xc.X.toarray() if sparse else Xc
            assert_array_equal(rows, X[idx])
            assert_array_equal(Yc, Y[idx])
            assert_array_equal(swc, sw[idx])
            seen.append(idx)
        assert_array_equal(np.concatenate(seen), order)
    # the worker drew epoch 4's permutation ahead; closing gives it back
    epochs.close()
    assert not _gather_threads()
    assert_array_equal(epochs.rng.permutation(n), reference.permutation(n))


@pytest.mark.parametrize("make_rng", [np.random.RandomState, np.random.default_rng])
def test_early_stop_leaves_the_rng_as_one_permutation_per_epoch(make_rng, small_chunks):
    X = np.random.RandomState(0).normal(size=(300, 3))
    Y = X.sum(axis=1, keepdims=True)
    rng, reference = make_rng(5), make_rng(5)
    problem = Problem.from_arrays(X, Y, None, get_loss("squared_error"), None, 0, True)
    solver = GradientDescent(
        optimizer=SGD(), opt_state=SGD().init_state(None), schedule=Constant(),
        learning_rate=0.05, batch_size=16, rng=rng,
    )  # fmt: skip
    monitor = Monitor(tol=1e-3, n_iter_no_change=2)
    res = solver.solve(problem, np.zeros((4, 1)), max_iter=50, monitor=monitor)
    assert res.converged and res.n_iter < 50
    for _ in range(res.n_iter):
        reference.permutation(300)
    assert_array_equal(rng.permutation(300), reference.permutation(300))


def test_prefetched_never_overwrites_an_item_in_use():
    # load(i) writes i into buffer i % 2: the item the caller holds must keep
    # its value until the caller asks for the next one
    bufs = [np.zeros(1000), np.zeros(1000)]
    loads = []

    def load(i):
        loads.append(i)
        bufs[i % 2][...] = i
        return bufs[i % 2]

    for i, item in enumerate(_gather._prefetched(load, 12)):
        assert (item == i).all()
        time.sleep(0.003)
        assert (item == i).all()  # the worker did not move on to item i + 2
        assert max(loads) <= i + 1
    assert loads == list(range(12))


def test_prefetched_error_in_load_reaches_the_caller():
    def load(i):
        if i == 3:
            raise MemoryError("no room for chunk 3")
        return i

    got = []
    with pytest.raises(MemoryError, match="chunk 3"):
        for item in _gather._prefetched(load, 8):
            got.append(item)
    # items before the failing one come in order (the error may surface
    # before the last of them: the epoch is lost either way)
    assert got == list(range(len(got))) and len(got) <= 3
    assert not _gather_threads()


def test_prefetched_stops_its_thread_when_the_caller_stops():
    items = _gather._prefetched(lambda i: i, 50)
    assert next(items) == 0
    assert next(items) == 1
    assert len(_gather_threads()) == 1
    items.close()
    assert not _gather_threads()


@pytest.mark.parametrize("Est", [MomentumSGDRegressor, MomentumSGDClassifier])
@pytest.mark.parametrize("sparse", [False, True])
def test_fit_over_many_chunks_equals_fit_over_one(Est, sparse, monkeypatch):
    # chunks are whole batches, so the batches (and every step) are the same
    rng = np.random.RandomState(1)
    X = rng.normal(size=(700, 5))
    y = X @ rng.normal(size=5) + 0.1 * rng.normal(size=700)
    if Est is MomentumSGDClassifier:
        y = np.digitize(y, [-1, 1])  # three classes
    if sparse:
        X[np.abs(X) < 0.5] = 0.0
        X = sp.csr_matrix(X)
    sw = rng.uniform(0.5, 2, 700)
    params = dict(batch_size=32, max_iter=4, tol=None, random_state=0)
    one = Est(**params).fit(X, y, sample_weight=sw)
    monkeypatch.setattr(_gather, "_CHUNK_BYTES", 1)
    many = Est(**params).fit(X, y, sample_weight=sw)
    assert_array_equal(many.coef_, one.coef_)
    assert_array_equal(many.intercept_, one.intercept_)
    # the loss values are summed chunk by chunk: grouped differently
    assert_allclose(many.loss_curve_, one.loss_curve_, rtol=1e-14)
    assert not _gather_threads()


def test_error_in_a_step_stops_the_gather_thread(small_chunks, monkeypatch):
    X = np.random.RandomState(0).normal(size=(600, 4))
    y = X.sum(axis=1)
    calls = []
    step = _gd._Stepper.step

    def failing_step(self, *args):
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return step(self, *args)

    monkeypatch.setattr(_gd._Stepper, "step", failing_step)
    est = MomentumSGDRegressor(batch_size=16, max_iter=2, tol=None)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    assert not _gather_threads()
    assert not hasattr(est, "coef_")


@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("indptr_dtype", [np.int32, np.int64])
def test_csr_block_products_equal_the_dense_ones(k, dtype, indptr_dtype):
    # unsorted column indices and a duplicate entry (summed), a batch that
    # starts mid-chunk, an empty row, W of another dtype and a strided output
    rng = np.random.RandomState(3)
    n, d = 40, 9
    dense = rng.normal(size=(n, d))
    dense[rng.uniform(size=(n, d)) < 0.6] = 0.0
    dense[17] = 0.0
    X = sp.csr_matrix(dense)
    X.indices[X.indptr[5] : X.indptr[6]] = X.indices[X.indptr[5] : X.indptr[6]][::-1]
    X.data[X.indptr[5] : X.indptr[6]] = X.data[X.indptr[5] : X.indptr[6]][::-1]
    X.has_sorted_indices = False
    row, at = 12, X.indptr[13]  # two more entries at the end of row 12
    X = sp.csr_matrix(
        (
            np.insert(X.data, at, [0.5, 0.25]),
            np.insert(X.indices, at, [2, 2]),
            X.indptr + np.where(np.arange(n + 1) > row, 2, 0),
        ),
        shape=(n, d),
    )
    dense[row, 2] += 0.75
    X = X.astype(dtype)
    X.indptr = X.indptr.astype(indptr_dtype)  # int64 vs int32 indices: converted
    dense = X.toarray().astype(np.float64)  # the stored (rounded) values
    block = _CSRRows(X)[3:31]
    for wdtype in (dtype, np.float64):
        # same dtype: scipy's kernels; float64 theta on float32 data: promoted
        rtol = 1e-5 if wdtype == np.float32 else 1e-12
        W = rng.normal(size=(d, k)).astype(wdtype)
        assert_allclose(block.matmul(W), dense[3:31] @ W, rtol=rtol)
        G = rng.normal(size=(28, k)).astype(wdtype)
        out = np.full((d, 2 * k), np.nan, dtype=wdtype)[:, ::2]  # strided
        block.rmatmul_into(G, out)
        assert_allclose(out, dense[3:31].T @ G, rtol=rtol)
