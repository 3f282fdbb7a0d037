"""Scaling out: out-of-core training on a memmap, and full-batch GD on Dask.

    python benchmarks/bench_scaling.py                 # 1.6 GB memmap, 200k x 100
    python benchmarks/bench_scaling.py --gb 3 --budget-mb 256 --n-samples 400000

Part 1 writes X (float64) to a ``numpy.memmap`` file of ``--gb`` and trains
``MomentumSGDRegressor(batch_size=256)`` with ``fit_chunks`` over
``ArrayChunks`` in a subprocess whose private memory is capped with
``RLIMIT_DATA`` (heap and anonymous mappings, not the file's page cache) at
its footprint after the imports plus ``--budget-mb``, far below size(X); the
fit succeeding under the cap is the measurement, and the peak anonymous RSS
(sampled every 2 ms) and tracemalloc's peak are reported too.  Times come from
a second run without the sampling and tracemalloc.  The same fit on
X loaded in memory (anonymous RSS ~ size(X)) is the reference for time.

Part 2 starts a ``dask.distributed.LocalCluster`` (2 worker processes, 1
thread each, loopback) and times ``GDRegressor`` / ``GDClassifier`` full-batch
iterations on a row-chunked ``dask.array`` against the same fit in memory
(NumPy with its BLAS threads), and reports the largest coefficient difference.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

CHILD = r"""
import json, resource, sys, threading, time, tracemalloc, warnings
import numpy as np
from sklearn_gd import MomentumSGDRegressor
from sklearn_gd.chunks import ArrayChunks, fit_chunks

path, n, d, chunk, budget_mb, mode, epochs, measure = sys.argv[1:9]
n, d, chunk, budget_mb, epochs = int(n), int(d), int(chunk), int(budget_mb), int(epochs)
measure = measure == "1"  # memory (sampling, tracemalloc) or time, not both

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])  # kB

X = np.memmap(path + ".X", dtype=np.float64, mode="r", shape=(n, d))
y = np.memmap(path + ".y", dtype=np.float64, mode="r", shape=(n,))
if mode == "memory":
    X, y = np.array(X), np.array(y)
base_anon = status("RssAnon")
if mode == "chunks":
    limit = status("VmData") * 1024 + budget_mb * 2**20
    resource.setrlimit(resource.RLIMIT_DATA, (limit, resource.RLIM_INFINITY))
peak = [base_anon]
done = threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], status("RssAnon"))
        time.sleep(0.002)
if measure:
    threading.Thread(target=sample, daemon=True).start()
    tracemalloc.start()
est = MomentumSGDRegressor(batch_size=256, learning_rate=1e-3, random_state=0,
                           tol=None, max_iter=epochs)
t = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    if mode == "chunks":
        fit_chunks(est, ArrayChunks(X, y, chunk), epochs=epochs, random_state=0)
    else:
        est.fit(X, y)
elapsed = time.perf_counter() - t
traced = tracemalloc.get_traced_memory()[1]
done.set()
print(json.dumps({"time": elapsed / epochs, "base_anon_kb": base_anon,
                  "peak_anon_kb": peak[0], "traced": traced,
                  "coef0": float(est.coef_[0])}))
"""


def _write_memmap(path, n, d, seed=0):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(d)
    X = np.memmap(path + ".X", dtype=np.float64, mode="w+", shape=(n, d))
    y = np.memmap(path + ".y", dtype=np.float64, mode="w+", shape=(n,))
    step = max(1, (64 * 2**20) // (8 * d))
    for a in range(0, n, step):
        b = min(a + step, n)
        block = rng.standard_normal((b - a, d))
        X[a:b] = block
        y[a:b] = block @ w + 0.1 * rng.standard_normal(b - a)
    X.flush()
    y.flush()
    del X, y


def out_of_core(gb, d, budget_mb, chunk_mb, epochs):
    n = int(gb * 1e9 / (8 * d))
    chunk = max(256, int(chunk_mb * 2**20 / (8 * d)) // 256 * 256)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "data")
        t = time.perf_counter()
        _write_memmap(path, n, d)
        print(
            f"\n### Out-of-core: X {n} x {d} float64 = {n * d * 8 / 1e9:.2f} GB on "
            f"disk (written in {time.perf_counter() - t:.1f} s), chunks of {chunk} "
            f"rows ({chunk * d * 8 / 2**20:.0f} MB), memory budget {budget_mb} MB, "
            f"{epochs} epochs of MomentumSGDRegressor(batch_size=256)\n"
        )
        rows = {}
        for mode in ["chunks", "memory"]:
            runs = []
            for measure in ["1", "0"]:
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, path, str(n), str(d), str(chunk)]
                    + [str(budget_mb), mode, str(epochs), measure],
                    capture_output=True,
                    text=True,
                )
                if out.returncode != 0:
                    print(out.stderr[-2000:])
                    raise SystemExit(f"{mode} run failed")
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            rows[mode] = dict(runs[0], time=runs[1]["time"])
    print(
        "| run | private memory cap | peak anonymous RSS above start | "
        "tracemalloc peak | epoch time (s) |"
    )
    print("|---|---:|---:|---:|---:|")
    for mode, label in [
        ("chunks", "fit_chunks over the memmap"),
        ("memory", "fit on X loaded in memory"),
    ]:
        r = rows[mode]
        cap = f"{budget_mb} MB" if mode == "chunks" else "none"
        extra = (r["peak_anon_kb"] - r["base_anon_kb"]) / 1024
        if mode == "memory":
            extra = r["peak_anon_kb"] / 1024  # X itself is in the footprint
            label += " (anonymous RSS incl. X)"
        print(
            f"| {label} | {cap} | {extra:.0f} MB | {r['traced'] / 2**20:.0f} MB "
            f"| {r['time']:.2f} |"
        )
    ratio = rows["chunks"]["time"] / rows["memory"]["time"]
    print(f"\nEpoch time out-of-core / in memory: {ratio:.2f}")


def on_dask(n, d, blocks, n_iter, repeats):
    import dask.array as da
    from dask.distributed import Client, LocalCluster
    from sklearn.datasets import make_classification

    from sklearn_gd import GDClassifier, GDRegressor

    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal(d) + 0.1 * rng.standard_normal(n)
    Xc, yc = make_classification(n, d, n_informative=20, n_classes=10, random_state=0)
    rows = n // blocks
    print(
        f"\n### Dask full-batch GD: {n} x {d} float64 in {blocks} row blocks, "
        f"LocalCluster of 2 worker processes x 1 thread (loopback), {n_iter} "
        f"iterations, best of {repeats}\n"
    )
    print(
        "| model | in memory (ms/iter) | dask (ms/iter) | dask / in memory "
        "| fit with 1 iteration, in memory (s) | same, dask (s) "
        "| max abs coef diff / max abs coef |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
            silence_logs=40,
        )
    with cluster, Client(cluster) as client:
        client.wait_for_workers(2)
        cases = [
            ("GDRegressor", GDRegressor, X, y),
            ("GDClassifier, 10 classes", GDClassifier, Xc, yc),
        ]
        for name, cls, A, b in cases:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "Sending large graph": X, once
                Ad = da.from_array(A, chunks=(rows, d)).persist()
                bd = da.from_array(b, chunks=rows).persist()
            # fit set-up (validation, the finite-check pass, sending y) is
            # measured with max_iter=1; iterations as the marginal cost
            times = {(m, k): [] for m in ("memory", "dask") for k in (1, n_iter)}
            fitted = {}
            cls(max_iter=1, tol=None).fit(Ad, bd)  # warm up the workers' imports
            for _ in range(repeats):
                for mode, k in times:
                    est = cls(max_iter=k, tol=None, learning_rate=0.1)
                    t = time.perf_counter()
                    est.fit(*((A, b) if mode == "memory" else (Ad, bd)))
                    times[mode, k].append(time.perf_counter() - t)
                    fitted[mode] = est
            best = {key: min(v) for key, v in times.items()}
            per = {
                m: (best[m, n_iter] - best[m, 1]) / (n_iter - 1)
                for m in ("memory", "dask")
            }
            ref, out = fitted["memory"], fitted["dask"]
            diff = np.abs(out.coef_ - ref.coef_).max() / np.abs(ref.coef_).max()
            print(
                f"| {name} | {per['memory'] * 1e3:.1f} | {per['dask'] * 1e3:.1f} | "
                f"{per['dask'] / per['memory']:.2f} | {best['memory', 1]:.3f} | "
                f"{best['dask', 1]:.3f} | {diff:.1e} |"
            )


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--gb", type=float, default=1.6, help="memmap size in GB")
    p.add_argument("--n-features", type=int, default=100)
    p.add_argument("--budget-mb", type=int, default=256)
    p.add_argument("--chunk-mb", type=float, default=32)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--n-samples", type=int, default=200_000, help="Dask part")
    p.add_argument("--blocks", type=int, default=8, help="Dask part")
    p.add_argument("--n-iter", type=int, default=30, help="Dask part")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--skip-out-of-core", action="store_true")
    p.add_argument("--skip-dask", action="store_true")
    args = p.parse_args(argv)
    if not args.skip_out_of_core:
        out_of_core(
            args.gb, args.n_features, args.budget_mb, args.chunk_mb, args.epochs
        )
    if not args.skip_dask:
        on_dask(args.n_samples, args.n_features, args.blocks, args.n_iter, args.repeats)


if __name__ == "__main__":
    main()
