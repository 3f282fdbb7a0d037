"""Out-of-core training: fit_chunks / ArrayChunks against fit on the whole data."""

import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from sklearn_gd import (
    GDClassifier,
    MomentumSGDClassifier,
    MomentumSGDRegressor,
)
from sklearn_gd.chunks import ArrayChunks, fit_chunks
from sklearn_gd.schedules import ExponentialDecay


def _regression(n=1200, d=6, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.3 * rng.normal(size=n) + 2.0
    return X, y


def _classification(n=1200, d=5, k=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d))
    y = np.argmax(X @ rng.normal(size=(d, k)) + rng.normal(size=(n, k)), axis=1)
    return X, y


def _memmap(tmp_path, A, name):
    mm = np.memmap(tmp_path / name, dtype=A.dtype, mode="w+", shape=A.shape)
    mm[:] = A
    mm.flush()
    return np.memmap(tmp_path / name, dtype=A.dtype, mode="r", shape=A.shape)


@pytest.mark.parametrize("epochs", [1, 2, 3])
def test_chunks_in_order_equal_fit_epoch_by_epoch(tmp_path, epochs):
    X, y = _regression()
    est = MomentumSGDRegressor(
        batch_size=50,
        shuffle=False,
        learning_rate=0.02,
        schedule=ExponentialDecay(decay_steps=7, decay_rate=0.9),
        nesterov=True,
        tol=None,
        max_iter=epochs,
    )
    ref = clone(est).fit(X, y)
    Xm = _memmap(tmp_path, X, "X.dat")
    out = fit_chunks(clone(est), ArrayChunks(Xm, y, 200), epochs=epochs, shuffle=False)
    np.testing.assert_allclose(out.coef_, ref.coef_, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(out.intercept_, ref.intercept_, rtol=1e-12)
    assert out.t_ == ref.t_ == epochs * 24
    assert out.n_iter_ == 6 * epochs  # one partial_fit per chunk


def test_chunks_multinomial_weighted_equal_fit(tmp_path):
    X, y = _classification()
    # partial_fit normalises a batch by the mean weight of its own call's data:
    # chunks with the same mean weight as the whole data train as fit does
    sw = np.tile(np.random.RandomState(1).uniform(0.2, 2.0, 120), 10)
    est = MomentumSGDClassifier(
        batch_size=40, shuffle=False, learning_rate=0.05, tol=None, max_iter=3
    )
    ref = clone(est).fit(X, y, sample_weight=sw)
    chunks = ArrayChunks(_memmap(tmp_path, X, "X.dat"), y, 120, sample_weight=sw)
    out = fit_chunks(clone(est), chunks, epochs=3, classes=[0, 1, 2], shuffle=False)
    np.testing.assert_allclose(out.coef_, ref.coef_, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(out.intercept_, ref.intercept_, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(out.classes_, ref.classes_)


def test_shuffled_chunks_follow_the_recorded_order():
    """Shuffled chunk order and shuffled rows within chunks: the result equals
    ``fit`` without shuffling on the rows in the order they were visited."""
    X, y = _regression(n=1000)
    chunk, epochs, seed, est_seed = 200, 3, 7, 11
    est = MomentumSGDRegressor(
        batch_size=50, learning_rate=0.02, random_state=est_seed, tol=None
    )
    out = fit_chunks(
        clone(est), ArrayChunks(X, y, chunk), epochs=epochs, random_state=seed
    )
    # the order fit_chunks and partial_fit draw: chunk order from `seed`,
    # rows within each chunk from the estimator's own stream
    rng_chunks = np.random.RandomState(seed)
    rng_rows = np.random.RandomState(est_seed)
    rows = []
    for _ in range(epochs):
        for c in rng_chunks.permutation(len(X) // chunk):
            rows.append(c * chunk + rng_rows.permutation(chunk))
    rows = np.concatenate(rows)
    ref = clone(est).set_params(shuffle=False, max_iter=1).fit(X[rows], y[rows])
    np.testing.assert_allclose(out.coef_, ref.coef_, rtol=1e-12)
    np.testing.assert_allclose(out.intercept_, ref.intercept_, rtol=1e-12)
    assert out.t_ == ref.t_
    # and it is a different order from the one without shuffling
    plain = fit_chunks(
        clone(est).set_params(shuffle=False),
        ArrayChunks(X, y, chunk),
        epochs=epochs,
        shuffle=False,
    )
    assert np.abs(plain.coef_ - out.coef_).max() > 1e-6


def test_sparse_chunks_equal_fit():
    X, y = _classification(n=600, k=2)
    Xs = sp.csr_matrix(np.where(np.abs(X) > 0.8, X, 0.0))
    est = GDClassifier(batch_size=30, shuffle=False, learning_rate=0.1, tol=None)
    ref = clone(est).set_params(max_iter=2).fit(Xs, y)
    out = fit_chunks(
        clone(est), ArrayChunks(Xs, y, 150), epochs=2, classes=[0, 1], shuffle=False
    )
    np.testing.assert_allclose(out.coef_, ref.coef_, rtol=1e-12, atol=1e-14)


def test_list_and_reiterable_sources():
    X, y = _regression(n=400)
    est = MomentumSGDRegressor(batch_size=50, shuffle=False, learning_rate=0.02)
    as_list = [(X[i : i + 100], y[i : i + 100]) for i in range(0, 400, 100)]

    class Reader:  # re-iterable: a fresh iterator every epoch
        def __iter__(self):
            return iter(as_list)

    a = fit_chunks(clone(est), as_list, epochs=2, shuffle=False)
    b = fit_chunks(clone(est), Reader(), epochs=2)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    with pytest.raises(ValueError, match="one-shot iterator"):
        fit_chunks(clone(est), iter(as_list), epochs=2)
    one = fit_chunks(clone(est), iter(as_list), epochs=1)
    assert one.t_ == 8


def test_errors_and_rollback():
    X, y = _classification(n=400, k=2)
    with pytest.raises(ValueError, match="classes must be given"):
        fit_chunks(MomentumSGDClassifier(), ArrayChunks(X, y, 100))
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        fit_chunks(MomentumSGDClassifier(), ArrayChunks(X, y, 100), epochs=0)
    with pytest.raises(TypeError, match="no partial_fit"):
        fit_chunks(object(), ArrayChunks(X, y, 100))
    with pytest.raises(ValueError, match="chunk_size"):
        ArrayChunks(X, y, 0)
    est = MomentumSGDClassifier(batch_size=20, random_state=0)
    fit_chunks(est, ArrayChunks(X, y, 100), classes=[0, 1], random_state=0)
    names = ["coef_", "intercept_", "t_", "n_iter_", "loss_curve_"]
    before = {k: np.copy(getattr(est, k)) for k in names}
    bad = X.copy()
    bad[350, 1] = np.nan  # in the last chunk: earlier chunks train first
    with pytest.raises(ValueError, match="NaN"):
        fit_chunks(est, ArrayChunks(bad, y, 100), shuffle=False)
    for k, v in before.items():
        np.testing.assert_array_equal(getattr(est, k), v)


def test_memory_bounded_by_chunk(tmp_path):
    """Training over a memmap allocates about a chunk, not the data."""
    n, d, chunk = 100_000, 50, 2_000  # 40 MB of data, 0.8 MB chunks
    rng = np.random.RandomState(0)
    mm = np.memmap(tmp_path / "X.dat", dtype=np.float64, mode="w+", shape=(n, d))
    for a in range(0, n, 10_000):
        mm[a : a + 10_000] = rng.normal(size=(10_000, d))
    mm.flush()
    Xm = np.memmap(tmp_path / "X.dat", dtype=np.float64, mode="r", shape=(n, d))
    y = rng.normal(size=n)
    est = MomentumSGDRegressor(batch_size=100, learning_rate=0.001, random_state=0)
    tracemalloc.start()
    try:
        fit_chunks(est, ArrayChunks(Xm, y, chunk), epochs=1, random_state=0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    chunk_bytes = chunk * d * 8
    assert peak < 6 * chunk_bytes, (peak, chunk_bytes)
    assert peak < n * d * 8 / 8


def test_a_seeded_estimator_makes_fit_chunks_reproducible():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 3))
    y = X @ [1.0, -1.0, 2.0]
    runs = []
    for _ in range(2):
        est = MomentumSGDRegressor(batch_size=20, random_state=3)
        runs.append(fit_chunks(est, ArrayChunks(X, y, 100), epochs=3).coef_)
    np.testing.assert_array_equal(runs[0], runs[1])
    other = fit_chunks(
        MomentumSGDRegressor(batch_size=20, random_state=4), ArrayChunks(X, y, 100),
        epochs=3,
    )  # fmt: skip
    assert not np.array_equal(other.coef_, runs[0])
