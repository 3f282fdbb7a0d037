"""Peak memory of a fit: X must not be copied.

    python benchmarks/bench_memory.py             # X of 0.8 GB
    python benchmarks/bench_memory.py --gb 1.6

Each fit runs in a fresh subprocess that builds X (float64, C order) and
reports its peak resident set size (``ru_maxrss``); the table gives the peak
above the process's footprint right after building X, relative to size(X).
"""

import argparse
import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, warnings
import numpy as np
from sklearn_gd import (
    GDClassifier, GDRegressor, MomentumSGDClassifier, MomentumSGDRegressor,
)
n, d, name = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(0)
X = rng.standard_normal((n, d))
y = (X[:, 0] > 0).astype(int) if "Classifier" in name else X[:, 0].copy()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
est = {
    "GDRegressor": GDRegressor(max_iter=3),
    "GDClassifier": GDClassifier(max_iter=3),
    "MomentumSGDRegressor": MomentumSGDRegressor(max_iter=1, batch_size=256),
    "MomentumSGDClassifier": MomentumSGDClassifier(max_iter=1, batch_size=256),
}[name]
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    est.fit(X, y)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"x_kb": X.nbytes / 1024, "base_kb": base, "peak_kb": peak}))
"""


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--gb", type=float, default=0.8, help="size of X in GB")
    p.add_argument("--n-features", type=int, default=500)
    args = p.parse_args(argv)
    d = args.n_features
    n = int(args.gb * 1e9 / (8 * d))
    print(f"\nX: {n} x {d} float64 = {n * d * 8 / 1e9:.2f} GB\n")
    print(
        "| estimator | size(X) MB | peak RSS MB | extra over X + data set-up "
        "| peak / size(X) |"
    )
    print("|---|---:|---:|---:|---:|")
    for name in [
        "GDRegressor",
        "GDClassifier",
        "MomentumSGDRegressor",
        "MomentumSGDClassifier",
    ]:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(n), str(d), name],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        extra = (r["peak_kb"] - r["base_kb"]) / 1024
        print(
            f"| {name} | {r['x_kb'] / 1024:.0f} | {r['peak_kb'] / 1024:.0f} | "
            f"{extra:.0f} MB ({extra / (r['x_kb'] / 1024):.1%} of X) | "
            f"{r['peak_kb'] / r['x_kb']:.2f} |"
        )


if __name__ == "__main__":
    main()
