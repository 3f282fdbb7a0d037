"""Epoch and iteration times of sklearn_gd against scikit-learn and the BLAS floor.

Prints a Markdown table of ratios measured in one run (median of --repeat).

    python benchmarks/bench_epoch.py                 # 200k x 100, 1 BLAS thread
    python benchmarks/bench_epoch.py --n-samples 50000 --repeat 5

The "one-gradient floor" is the time of ``X.T @ (X @ w - y)`` on the whole data:
what one epoch must at least cost when it reads X twice (forward and backward);
it is timed in the same interleaved rounds as the epochs.  Epoch times are
marginal: the fixed cost of a fit (validation) cancels out.  Rows marked
``shuffle='batch'`` use the documented batch-order mode (contiguous batches in a
random order, nothing gathered); the others shuffle rows (the default).
"""

import argparse
import time
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier, SGDRegressor
from threadpoolctl import threadpool_limits

from sklearn_gd import (
    GDClassifier,
    GDRegressor,
    MomentumSGDClassifier,
    MomentumSGDRegressor,
)


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def _ratio(a, b):
    """``a / b`` to two decimals ("n/a" when a time rounds to zero: tiny data)."""
    return f"{a / b:.2f}" if b > 0 else "n/a"


def epoch_times(cases, repeat, epochs=3):
    """Marginal time of one epoch for each case, measured interleaved.

    ``cases`` maps a name to ``(make, X, y)``; the result maps it to the median
    over ``repeat`` rounds of ((fit with 1 + epochs) - (fit with 1)) / epochs,
    so the fixed costs of a fit (input validation, set-up) cancel out (a fixed
    learning rate avoids the power iterations of ``'auto'``).  Each round runs
    every case in turn, so the slow and fast spells of a shared machine fall
    on all of them alike and the ratios stay comparable.
    """

    def run(make, X, y, e):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            make(e).fit(X, y)
            return time.perf_counter() - start

    marginal = {name: [] for name in cases}
    for _ in range(repeat):
        for name, (make, X, y) in cases.items():
            short = run(make, X, y, 1)
            long = run(make, X, y, 1 + epochs)
            marginal[name].append(max(long - short, 0.0) / epochs)
    return {name: float(np.median(v)) for name, v in marginal.items()}


class _Gradients:
    """``fit`` computes ``X.T @ (X @ w - y)`` ``n`` times: the floor, timed
    by :func:`epoch_times` interleaved with the estimators."""

    def __init__(self, n):
        self.n = n

    def fit(self, X, y):
        w = np.zeros(X.shape[1], dtype=X.dtype)
        for _ in range(self.n):
            X.T @ (X @ w - y)
        return self


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n-samples", type=int, default=200_000)
    p.add_argument("--n-features", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    p.add_argument("--sparse-features", type=int, default=10_000)
    p.add_argument("--density", type=float, default=0.005)
    p.add_argument("--skip-sparse", action="store_true")
    p.add_argument(
        "--epochs",
        type=int,
        default=6,
        help="extra epochs of the long fit in a marginal epoch time (default 6): "
        "a one-off delay of a fit (on a shared VM the second core sometimes wakes "
        "~20 ms late) is divided by this",
    )
    args = p.parse_args(argv)

    rng = np.random.RandomState(0)
    n, d, B = args.n_samples, args.n_features, args.batch_size
    X = rng.standard_normal((n, d))
    w_true = rng.standard_normal(d)
    y_reg = X @ w_true + rng.standard_normal(n)
    y_bin = (y_reg > 0).astype(int)
    y_multi = np.digitize(y_reg, np.quantile(y_reg, np.linspace(0, 1, 11)[1:-1]))
    X32, y32 = X.astype(np.float32), y_reg.astype(np.float32)
    lr = 1e-3
    rows = []

    with threadpool_limits(args.threads):
        w = np.zeros(d)
        one_pass = median_time(lambda: X @ w, args.repeat)

        def msgd_reg(e, **kw):
            return MomentumSGDRegressor(
                batch_size=B,
                learning_rate=lr,
                max_iter=e,
                tol=None,
                random_state=0,
                **kw,
            )

        def msgd_clf(e, **kw):
            return MomentumSGDClassifier(
                batch_size=B,
                learning_rate=lr,
                max_iter=e,
                tol=None,
                random_state=0,
                **kw,
            )

        def sgd_reg(e):
            return SGDRegressor(max_iter=e, tol=None, eta0=lr, random_state=0)

        def sgd_clf(e):
            return SGDClassifier(loss="log_loss", max_iter=e, tol=None, random_state=0)

        def gd_reg(e):
            return GDRegressor(learning_rate=lr, max_iter=e, tol=None)

        def gd_clf(e):
            return GDClassifier(learning_rate=lr, max_iter=e, tol=None)

        def batch_order(make):
            return lambda e: make(e, shuffle="batch")

        def batch_row(name, t, ref, what, suffix=""):
            return (
                f"{name}(batch_size={B}, shuffle='batch') epoch{suffix}",
                t * 1e3,
                f"{_ratio(t, floor)} floor",
                f"{_ratio(t, ref)} x {what}",
            )

        times = epoch_times(
            {
                "floor": (_Gradients, X, y_reg),
                "sk_reg": (sgd_reg, X, y_reg),
                "ours_reg": (msgd_reg, X, y_reg),
                "ours_reg32": (msgd_reg, X32, y32),
                "sk_clf": (sgd_clf, X, y_bin),
                "ours_clf": (msgd_clf, X, y_bin),
                "batch_reg": (batch_order(msgd_reg), X, y_reg),
                "batch_reg32": (batch_order(msgd_reg), X32, y32),
                "batch_clf": (batch_order(msgd_clf), X, y_bin),
            },
            args.repeat,
            epochs=args.epochs,
        )
        times.update(
            epoch_times(
                {
                    "gd_iter": (gd_reg, X, y_reg),
                    "gd_bin": (gd_clf, X, y_bin),
                    "gd_multi": (gd_clf, X, y_multi),
                },
                args.repeat,
                epochs=10,
            )
        )
        floor, sk_reg, sk_clf = times["floor"], times["sk_reg"], times["sk_clf"]
        ours_reg, ours_clf, ours_reg32 = (
            times["ours_reg"],
            times["ours_clf"],
            times["ours_reg32"],
        )
        gd_iter, gd_bin, gd_multi = times["gd_iter"], times["gd_bin"], times["gd_multi"]
        rows += [
            ("one gradient X.T @ (X @ w - y) (floor)", floor * 1e3, "1.00 floor", ""),
            ("one pass X @ w", one_pass * 1e3, f"{_ratio(one_pass, floor)} floor", ""),
            (
                "sklearn SGDRegressor epoch",
                sk_reg * 1e3,
                f"{_ratio(sk_reg, floor)} floor",
                "",
            ),
            (
                "sklearn SGDClassifier(log_loss) epoch",
                sk_clf * 1e3,
                f"{_ratio(sk_clf, floor)} floor",
                "",
            ),
            (
                f"MomentumSGDRegressor(batch_size={B}) epoch",
                ours_reg * 1e3,
                f"{_ratio(ours_reg, floor)} floor",
                f"{_ratio(ours_reg, sk_reg)} x sklearn (<= 0.30)",
            ),
            (
                f"MomentumSGDClassifier(batch_size={B}) epoch",
                ours_clf * 1e3,
                f"{_ratio(ours_clf, floor)} floor",
                f"{_ratio(ours_clf, sk_clf)} x sklearn (<= 0.30)",
            ),
            (
                f"MomentumSGDRegressor(batch_size={B}) epoch, float32",
                ours_reg32 * 1e3,
                f"{_ratio(ours_reg32, floor)} floor",
                f"{_ratio(ours_reg32, ours_reg)} x float64 (<= 0.6)",
            ),
            batch_row("MomentumSGDRegressor", times["batch_reg"], sk_reg, "sklearn"),
            batch_row("MomentumSGDClassifier", times["batch_clf"], sk_clf, "sklearn"),
            batch_row(
                "MomentumSGDRegressor",
                times["batch_reg32"],
                times["batch_reg"],
                "float64",
                ", float32",
            ),
            (
                "GDRegressor full-batch iteration",
                gd_iter * 1e3,
                f"{_ratio(gd_iter, floor)} floor",
                "(<= 1.1 floor)",
            ),
            (
                "GDClassifier binary iteration",
                gd_bin * 1e3,
                f"{_ratio(gd_bin, floor)} floor",
                "",
            ),
            (
                "GDClassifier 10 classes iteration",
                gd_multi * 1e3,
                f"{_ratio(gd_multi, floor)} floor",
                f"{_ratio(gd_multi, gd_bin)} x binary (<= 1.5)",
            ),
        ]

        if not args.skip_sparse:
            Xs = sp.random(
                n,
                args.sparse_features,
                density=args.density,
                format="csr",
                random_state=0,
                dtype=np.float64,
            )
            ws = rng.standard_normal(args.sparse_features)
            ys = np.asarray(Xs @ ws).ravel() + rng.standard_normal(n)
            sparse_times = epoch_times(
                {
                    "sk": (sgd_reg, Xs, ys),
                    "ours": (msgd_reg, Xs, ys),
                    "batch": (batch_order(msgd_reg), Xs, ys),
                },
                args.repeat,
                epochs=args.epochs,
            )
            sk_sparse, ours_sparse = sparse_times["sk"], sparse_times["ours"]
            rows += [
                (
                    f"sklearn SGDRegressor epoch, CSR {n}x{args.sparse_features} "
                    f"density {args.density}",
                    sk_sparse * 1e3,
                    "",
                    "",
                ),
                (
                    f"MomentumSGDRegressor(batch_size={B}) epoch, CSR",
                    ours_sparse * 1e3,
                    "",
                    f"{_ratio(ours_sparse, sk_sparse)} x sklearn (<= 1.0)",
                ),
                (
                    f"MomentumSGDRegressor(batch_size={B}, shuffle='batch') epoch, CSR",
                    sparse_times["batch"] * 1e3,
                    "",
                    f"{_ratio(sparse_times['batch'], sk_sparse)} x sklearn",
                ),
            ]

    print(
        f"\nn={n}, d={d}, float64 unless said, {args.threads} BLAS thread(s), "
        f"median of {args.repeat} interleaved rounds; an epoch is (fit of "
        f"{1 + args.epochs} epochs - fit of 1) / {args.epochs}, a full-batch "
        "iteration (fit of 11 - fit of 1) / 10\n"
    )
    print("| what | ms | vs floor | target ratio |")
    print("|---|---:|---:|---|")
    for name, ms, vs_floor, ratio in rows:
        print(f"| {name} | {ms:.1f} | {vs_floor} | {ratio} |")


if __name__ == "__main__":
    main()
