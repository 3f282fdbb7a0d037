"""Epoch and iteration times of sklearn_gd against scikit-learn and the BLAS floor.

Prints a Markdown table of ratios measured in one run (median of --repeat).

    python benchmarks/bench_epoch.py                 # 200k x 100, 1 BLAS thread
    python benchmarks/bench_epoch.py --n-samples 50000 --repeat 5

The "one-gradient floor" is the time of ``X.T @ (X @ w - y)`` on the whole data:
what one epoch must at least cost when it reads X twice (forward and backward).
Epoch times are marginal: the fixed cost of a fit (validation) cancels out.
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


def epoch_time(make, X, y, repeat, epochs=3):
    """Marginal time of one epoch: (fit with 1 + epochs) - (fit with 1), / epochs.

    The fixed costs of a fit (input validation, set-up) cancel out; a fixed
    learning rate avoids the power iterations of ``'auto'``.
    """

    def run(e):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            make(e).fit(X, y)

    short = median_time(lambda: run(1), repeat)
    long = median_time(lambda: run(1 + epochs), repeat)
    return max(long - short, 0.0) / epochs


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
        floor = median_time(lambda: X.T @ (X @ w - y_reg), args.repeat)
        one_pass = median_time(lambda: X @ w, args.repeat)
        sk_reg = epoch_time(
            lambda e: SGDRegressor(max_iter=e, tol=None, eta0=lr, random_state=0),
            X,
            y_reg,
            args.repeat,
        )
        sk_clf = epoch_time(
            lambda e: SGDClassifier(
                loss="log_loss", max_iter=e, tol=None, random_state=0
            ),
            X,
            y_bin,
            args.repeat,
        )

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

        ours_reg = epoch_time(msgd_reg, X, y_reg, args.repeat)
        ours_clf = epoch_time(msgd_clf, X, y_bin, args.repeat)
        ours_reg32 = epoch_time(msgd_reg, X32, y32, args.repeat)
        gd_iter = epoch_time(
            lambda e: GDRegressor(learning_rate=lr, max_iter=e, tol=None),
            X,
            y_reg,
            args.repeat,
            epochs=10,
        )
        gd_bin = epoch_time(
            lambda e: GDClassifier(learning_rate=lr, max_iter=e, tol=None),
            X,
            y_bin,
            args.repeat,
            epochs=10,
        )
        gd_multi = epoch_time(
            lambda e: GDClassifier(learning_rate=lr, max_iter=e, tol=None),
            X,
            y_multi,
            args.repeat,
            epochs=10,
        )
        rows += [
            ("one gradient X.T @ (X @ w - y) (floor)", floor * 1e3, "1.00 floor", ""),
            ("one pass X @ w", one_pass * 1e3, f"{one_pass / floor:.2f} floor", ""),
            (
                "sklearn SGDRegressor epoch",
                sk_reg * 1e3,
                f"{sk_reg / floor:.2f} floor",
                "",
            ),
            (
                "sklearn SGDClassifier(log_loss) epoch",
                sk_clf * 1e3,
                f"{sk_clf / floor:.2f} floor",
                "",
            ),
            (
                f"MomentumSGDRegressor(batch_size={B}) epoch",
                ours_reg * 1e3,
                f"{ours_reg / floor:.2f} floor",
                f"{ours_reg / sk_reg:.2f} x sklearn (<= 0.30)",
            ),
            (
                f"MomentumSGDClassifier(batch_size={B}) epoch",
                ours_clf * 1e3,
                f"{ours_clf / floor:.2f} floor",
                f"{ours_clf / sk_clf:.2f} x sklearn (<= 0.30)",
            ),
            (
                f"MomentumSGDRegressor(batch_size={B}) epoch, float32",
                ours_reg32 * 1e3,
                f"{ours_reg32 / floor:.2f} floor",
                f"{ours_reg32 / ours_reg:.2f} x float64 (<= 0.6)",
            ),
            (
                "GDRegressor full-batch iteration",
                gd_iter * 1e3,
                f"{gd_iter / floor:.2f} floor",
                "(<= 1.1 floor)",
            ),
            (
                "GDClassifier binary iteration",
                gd_bin * 1e3,
                f"{gd_bin / floor:.2f} floor",
                "",
            ),
            (
                "GDClassifier 10 classes iteration",
                gd_multi * 1e3,
                f"{gd_multi / floor:.2f} floor",
                f"{gd_multi / gd_bin:.2f} x binary (<= 1.5)",
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
            sk_sparse = epoch_time(
                lambda e: SGDRegressor(max_iter=e, tol=None, eta0=lr, random_state=0),
                Xs,
                ys,
                args.repeat,
            )
            ours_sparse = epoch_time(msgd_reg, Xs, ys, args.repeat)
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
                    f"{ours_sparse / sk_sparse:.2f} x sklearn (<= 1.0)",
                ),
            ]

    print(
        f"\nn={n}, d={d}, float64 unless said, {args.threads} BLAS thread(s), "
        f"median of {args.repeat}\n"
    )
    print("| what | ms | vs floor | target ratio |")
    print("|---|---:|---:|---|")
    for name, ms, vs_floor, ratio in rows:
        print(f"| {name} | {ms:.1f} | {vs_floor} | {ratio} |")


if __name__ == "__main__":
    main()
