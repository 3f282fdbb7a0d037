"""``shuffle='batch'``: contiguous batches visited in a random order.

Each epoch draws ``rng.permutation(n_full_batches)`` and visits the full
batches in that order, a short last batch last (Keras's ``batch_shuffle``);
a batch is a slice of ``X`` read in place.  The references below rebuild that
order from the same seed and train on the reordered rows without shuffling.
"""

import threading

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_gd import MomentumSGDClassifier, MomentumSGDRegressor, _gather


def _batch_orders(seed, n, batch_size, n_epochs):
    """The rows of each epoch in visiting order, from a fresh ``RandomState``."""
    rng = np.random.RandomState(seed)
    n_full = n // batch_size
    starts = np.arange(0, n, batch_size)
    orders = []
    for _ in range(n_epochs):
        visit = np.concatenate(
            [rng.permutation(n_full), np.arange(n_full, len(starts))]
        )
        orders.append(
            np.concatenate(
                [np.arange(s, min(s + batch_size, n)) for s in starts[visit]]
            )
        )
    return orders


@pytest.mark.parametrize("fmt", ["dense", "csr", "csc"])
@pytest.mark.parametrize("n", [96, 100])  # no short batch / a short one of 4 rows
def test_epochs_visit_the_batches_of_a_fresh_permutation(fmt, n):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 5))
    X[X < 0.2] = 0.0
    Y, sw = rng.normal(size=(n, 2)), rng.uniform(size=n)
    Xs = X if fmt == "dense" else sp.csr_matrix(X).asformat(fmt)
    epochs = _gather._EpochChunks(Xs, np.random.RandomState(3), "batch", 4, 16, None)
    for order in _batch_orders(3, n, 16, 4):
        seen = []
        for Xc, Yc, swc in epochs.epoch(Y, sw):
            assert "sklearn_gd-gather" not in [t.name for t in threading.enumerate()]
            rows = Xc if fmt == "dense" else Xc[0 : Xc.shape[0]]._rows().toarray()
            m = len(Yc)
            idx = order[len(seen) : len(seen) + m]
            assert m == 16 or (n % 16 and m == n % 16 and len(seen) == n - m)
            assert_array_equal(rows, X[idx])
            assert_array_equal(Yc, Y[idx])
            assert_array_equal(swc, sw[idx])
            seen.extend(idx)
        assert_array_equal(seen, order)
    epochs.close()


@pytest.mark.parametrize(
    "Est, make_y",
    [
        (MomentumSGDRegressor, lambda X, r: X @ r.normal(size=X.shape[1]) + 0.1),
        (
            MomentumSGDClassifier,
            lambda X, r: np.digitize(X[:, 0] + X[:, 1], [-0.5, 0.5]),
        ),
    ],
)
def test_fit_equals_unshuffled_epochs_over_the_reordered_rows(Est, make_y):
    r = np.random.RandomState(1)
    X = r.normal(size=(203, 7))
    y, sw = make_y(X, r), r.uniform(0.5, 2.0, size=203)
    est = Est(
        batch_size=20, learning_rate=0.02, tol=None, max_iter=3, random_state=7,
        shuffle="batch",
    )  # fmt: skip
    est.fit(X, y, sample_weight=sw)
    # the reference: one unshuffled epoch per partial_fit, continuing the
    # momentum, t_ and the schedule, over the rows in this epoch's order
    ref = clone(est).set_params(shuffle=False)
    classes = np.unique(y) if Est is MomentumSGDClassifier else None
    for order in _batch_orders(7, 203, 20, 3):
        kw = {} if classes is None else {"classes": classes}
        ref.partial_fit(X[order], y[order], sample_weight=sw[order], **kw)
    assert ref.t_ == est.t_ == 3 * 11
    assert_allclose(est.coef_, ref.coef_, rtol=1e-13, atol=1e-15)
    assert_allclose(est.intercept_, ref.intercept_, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("shuffle", ["batch", False])
def test_sparse_input_trains_as_dense(fmt, shuffle):
    r = np.random.RandomState(2)
    X = r.normal(size=(150, 9))
    X[r.uniform(size=X.shape) < 0.6] = 0.0
    y = np.digitize(X[:, 0] - X[:, 2], [-0.3, 0.3])
    est = MomentumSGDClassifier(
        batch_size=16, learning_rate=0.05, tol=None, max_iter=4, random_state=0,
        shuffle=shuffle,
    )  # fmt: skip
    dense = clone(est).fit(X, y)
    sparse = clone(est).fit(sp.csr_matrix(X).asformat(fmt), y)
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-12, atol=1e-14)
    assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=1e-12)


def test_batch_order_depends_on_the_seed_and_is_reproducible():
    r = np.random.RandomState(3)
    X = r.normal(size=(300, 4))
    y = X.sum(axis=1)
    est = MomentumSGDRegressor(batch_size=10, tol=None, max_iter=2, shuffle="batch")
    a = clone(est).set_params(random_state=0).fit(X, y).coef_
    b = clone(est).set_params(random_state=0).fit(X, y).coef_
    c = clone(est).set_params(random_state=1).fit(X, y).coef_
    assert_array_equal(a, b)
    assert not np.allclose(a, c, rtol=1e-8, atol=0)


@pytest.mark.parametrize("bad", ["rows", "Batch", 2])
def test_other_shuffle_values_are_rejected(bad):
    X, y = np.ones((10, 2)), np.arange(10.0)
    with pytest.raises(InvalidParameterError, match="shuffle"):
        MomentumSGDRegressor(shuffle=bad).fit(X, y)


def test_read_only_memmap_trains_in_place_as_in_memory(tmp_path):
    import tracemalloc

    r = np.random.RandomState(4)
    X = r.normal(size=(4000, 25))
    y = X @ r.normal(size=25)
    path = tmp_path / "X.dat"
    X.tofile(path)
    Xm = np.memmap(path, dtype=np.float64, mode="r", shape=X.shape)
    est = MomentumSGDRegressor(
        batch_size=64, learning_rate=0.01, tol=None, max_iter=2, random_state=0,
        shuffle="batch",
    )  # fmt: skip
    ref = clone(est).fit(X, y)
    tracemalloc.start()
    try:
        got = clone(est).fit(Xm, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_array_equal(got.coef_, ref.coef_)
    assert peak < 0.2 * X.nbytes  # batches are slices of the map, never a copy
