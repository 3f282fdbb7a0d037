"""Epoch ratios at batch sizes 1, 32 and 256 against scikit-learn's per-sample
SGD epoch, and the float32 full-batch iteration against float64.

Plain SGD (``MomentumSGD*(momentum=0)``, a fixed learning rate, rows shuffled)
on 200k x 100 standard-normal float64 data, one BLAS thread; regressor with
the squared error, classifier with the binary log loss.  Times are marginal
epochs (see ``bench_epoch.epoch_times``), all cases interleaved in each round.

    python benchmarks/bench_small_batches.py [--n-samples 200000] [--repeat 3]
"""

import argparse

import numpy as np
from bench_epoch import _ratio, epoch_times
from sklearn.linear_model import SGDClassifier, SGDRegressor
from threadpoolctl import threadpool_limits

from sklearn_gd import (
    GDClassifier,
    GDRegressor,
    MomentumSGDClassifier,
    MomentumSGDRegressor,
)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n-samples", type=int, default=200_000)
    p.add_argument("--n-features", type=int, default=100)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--epochs", type=int, default=3)
    args = p.parse_args(argv)
    rng = np.random.RandomState(0)
    n, d, lr = args.n_samples, args.n_features, 1e-3
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal(d) + rng.standard_normal(n)
    yb = (y > 0).astype(int)
    X32, y32 = X.astype(np.float32), y.astype(np.float32)

    def ours(Est, B):
        return lambda e: Est(
            batch_size=B, momentum=0.0, learning_rate=lr, max_iter=e, tol=None,
            random_state=0,
        )  # fmt: skip

    def full(Est):
        return lambda e: Est(learning_rate=lr, max_iter=e, tol=None)

    cases = {
        "sk_reg": (
            lambda e: SGDRegressor(max_iter=e, tol=None, eta0=lr, random_state=0),
            X,
            y,
        ),
        "sk_clf": (
            lambda e: SGDClassifier(
                loss="log_loss", max_iter=e, tol=None, random_state=0
            ),
            X,
            yb,
        ),
    }
    for B in (1, 32, 256):
        cases[f"reg{B}"] = (ours(MomentumSGDRegressor, B), X, y)
        cases[f"clf{B}"] = (ours(MomentumSGDClassifier, B), X, yb)
    with threadpool_limits(1):
        t = epoch_times(cases, args.repeat, epochs=args.epochs)
        t.update(
            epoch_times(
                {
                    "gd64": (full(GDRegressor), X, y),
                    "gd32": (full(GDRegressor), X32, y32),
                    "gdc64": (full(GDClassifier), X, yb),
                    "gdc32": (full(GDClassifier), X32, yb),
                },
                args.repeat,
                epochs=10,
            )
        )
    print(f"{n} x {d}, 1 BLAS thread, median of {args.repeat} rounds\n")
    print("| batch_size | regressor epoch (ms) | / SGDRegressor | classifier "
          "epoch (ms) | / SGDClassifier |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|")
    print(f"| scikit-learn (per sample) | {t['sk_reg'] * 1e3:.1f} | 1 | "
          f"{t['sk_clf'] * 1e3:.1f} | 1 |")  # fmt: skip
    for B in (1, 32, 256):
        r, c = t[f"reg{B}"], t[f"clf{B}"]
        print(f"| {B} | {r * 1e3:.1f} | {_ratio(r, t['sk_reg'])} | {c * 1e3:.1f} | "
              f"{_ratio(c, t['sk_clf'])} |")  # fmt: skip
    print(
        "\n| full-batch iteration | float64 (ms) | float32 (ms) | float32 / float64 |"
    )
    print("|---|---:|---:|---:|")
    for name, a, b in [
        ("GDRegressor", "gd64", "gd32"),
        ("GDClassifier", "gdc64", "gdc32"),
    ]:
        print(
            f"| {name} | {t[a] * 1e3:.2f} | {t[b] * 1e3:.2f} | {_ratio(t[b], t[a])} |"
        )


if __name__ == "__main__":
    main()
