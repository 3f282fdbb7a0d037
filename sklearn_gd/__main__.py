"""The main job: ``python -m sklearn_gd`` (what ``make demo`` runs).

Fits, in a ``StandardScaler`` pipeline, full-batch GD, GD with Nesterov
momentum, mini-batch momentum SGD with a cosine schedule, Adam, conjugate
gradients (``solver='cg'``), TNC and
scikit-learn's ``SGDRegressor`` / ``SGDClassifier`` on scikit-learn's bundled
data sets and on a synthetic large problem, and prints one table per problem:
the final objective (the objective of ``API.md``, the same for every row),
the test score, epochs or iterations, full-gradient evaluations, the fit time
and its ratio to scikit-learn's SGD.  Nothing is downloaded.
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    make_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier, SGDRegressor
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from . import GDClassifier, GDRegressor, MomentumSGDClassifier, MomentumSGDRegressor
from .compare import objective_value
from .schedules import CosineDecay

ALPHA = 1e-4
PROBLEMS = (
    "diabetes",
    "breast_cancer",
    "digits",
    "synthetic_regression",
    "synthetic_classification",
)


def _load(name, n_samples, n_features, seed):
    if name == "diabetes":
        return load_diabetes(return_X_y=True)
    if name == "breast_cancer":
        return load_breast_cancer(return_X_y=True)
    if name == "digits":
        return load_digits(return_X_y=True)
    if name == "synthetic_regression":
        return make_regression(
            n_samples,
            n_features,
            n_informative=n_features // 2,
            noise=10.0,
            random_state=seed,
        )
    return make_classification(
        n_samples, n_features, n_informative=n_features // 2, random_state=seed
    )


def _models(classifier, n_train, large, seed):
    """(name, estimator) pairs, all minimising the same L2 objective."""
    batch = 256 if large else 32
    n_batches = -(-n_train // batch)
    sgd_epochs = 10 if large else 100
    gd_iters = 100 if large else 1000
    GD = GDClassifier if classifier else GDRegressor
    MSGD = MomentumSGDClassifier if classifier else MomentumSGDRegressor
    Sk = SGDClassifier if classifier else SGDRegressor
    sk_kw = dict(loss="log_loss") if classifier else {}
    return [
        ("GD (default: accelerated)", GD(alpha=ALPHA, max_iter=gd_iters)),
        # momentum makes the objective non-monotone: a longer patience
        (
            "GD + Nesterov momentum 0.9",
            GD(
                alpha=ALPHA,
                optimizer="nesterov",
                max_iter=gd_iters,
                n_iter_no_change=20,
            ),
        ),
        (
            f"MomentumSGD b={batch} + cosine",
            MSGD(
                alpha=ALPHA,
                batch_size=batch,
                max_iter=sgd_epochs,
                schedule=CosineDecay(decay_steps=sgd_epochs * n_batches, alpha=0.01),
                n_iter_no_change=20,
                random_state=seed,
            ),
        ),
        (
            f"Adam b={batch}",
            GD(
                alpha=ALPHA,
                optimizer="adam",
                batch_size=batch,
                max_iter=sgd_epochs,
                random_state=seed,
            ),
        ),
        ("CG", GD(alpha=ALPHA, solver="cg")),
        ("TNC", GD(alpha=ALPHA, solver="tnc")),
        (f"sklearn {Sk.__name__}", Sk(alpha=ALPHA, random_state=seed, **sk_kw)),
    ]


def _objective(pipe, X_train, y_train, template):
    """Our objective at the fitted model's coefficients (any linear model)."""
    model = pipe[-1]
    Xs = pipe[:-1].transform(X_train)
    surrogate = clone(template)
    surrogate.coef_ = np.asarray(model.coef_, dtype=np.float64)
    surrogate.intercept_ = np.atleast_1d(np.asarray(model.intercept_, dtype=np.float64))
    surrogate.penalty_ = getattr(model, "penalty_", None)
    if surrogate.penalty_ is None:
        from .penalties import L2

        surrogate.penalty_ = L2()
    if hasattr(model, "classes_"):
        surrogate.classes_ = model.classes_
    return objective_value(surrogate, Xs, y_train)


def _grad_evals(model):
    """Full-gradient equivalents (scikit-learn's SGD: its epochs)."""
    if hasattr(model, "n_grad_evals_"):
        return int(model.n_grad_evals_)
    return int(np.max(model.n_iter_))


def run_problem(name, n_samples, n_features, seed, progress, plots_dir=None):
    X, y = _load(name, n_samples, n_features, seed)
    classifier = name in ("breast_cancer", "digits", "synthetic_classification")
    X_train, X_test, y_train, y_test = train_test_split(
        X,
        y,
        test_size=0.25,
        random_state=seed,
        stratify=y if classifier else None,
    )
    large = len(X) >= 20000
    template = (GDClassifier if classifier else GDRegressor)(alpha=ALPHA)
    rows, fitted = [], []
    for label, est in _models(classifier, len(X_train), large, seed):
        pipe = make_pipeline(StandardScaler(), est)
        progress(f"[{name}] fitting {label} ...")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            pipe.fit(X_train, y_train)
            elapsed = time.perf_counter() - start
        progress(f"[{name}] {label}: {elapsed:.2f} s")
        model = pipe[-1]
        rows.append(
            dict(
                model=label,
                objective=_objective(pipe, X_train, y_train, template),
                score=pipe.score(X_test, y_test),
                epochs=int(np.max(model.n_iter_)),
                grad_evals=_grad_evals(model),
                time=elapsed,
            )
        )
        fitted.append((label, model))
    ref = rows[-1]["time"]
    for r in rows:
        r["ratio"] = r["time"] / ref if ref > 0 else float("nan")
    if plots_dir is not None:
        _plots(name, fitted, plots_dir)
    return dict(name=name, n=X.shape[0], d=X.shape[1], classifier=classifier, rows=rows)


def format_table(result):
    score = "accuracy" if result["classifier"] else "R^2"
    head = (
        f"\n{result['name']}  (n={result['n']}, d={result['d']}, test {score}; "
        f"objective = mean loss + {ALPHA:g} * ||w||^2 / 2 on the training part)"
    )
    cols = [
        "model",
        "objective",
        f"test {score}",
        "epochs/iter",
        "grad evals",
        "fit time (s)",
        "time / sklearn SGD",
    ]
    lines = [
        [
            r["model"],
            f"{r['objective']:.6g}",
            f"{r['score']:.4f}",
            str(r["epochs"]),
            str(r["grad_evals"]),
            f"{r['time']:.3f}",
            f"{r['ratio']:.2f}",
        ]
        for r in result["rows"]
    ]
    widths = [max(len(c), *(len(ln[i]) for ln in lines)) for i, c in enumerate(cols)]

    def fmt(cells):
        return (
            "| "
            + " | ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths))
            )
            + " |"
        )

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    table = [head, fmt(cols), sep] + [fmt(ln) for ln in lines]
    if result["classifier"]:
        table.append(
            "note: scikit-learn's SGDClassifier trains one-vs-rest; with more than "
            "two classes its objective is the multinomial one evaluated at its "
            "one-vs-rest coefficients, which it does not minimise."
        )
    return "\n".join(table)


def _plots(name, fitted, plots_dir):
    from .plot import _pyplot, plot_learning_curves

    plt = _pyplot()
    ours = [(label, m) for label, m in fitted if hasattr(m, "learning_rate_curve_")]
    axes = plot_learning_curves([m for _, m in ours], labels=[lbl for lbl, _ in ours])
    axes[0].figure.suptitle(name)
    path = os.path.join(plots_dir, f"curves_{name}.png")
    axes[0].figure.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(axes[0].figure)


def _schedule_gallery(plots_dir):
    from .plot import _pyplot, plot_schedule
    from .schedules import (
        CosineDecayRestarts,
        ExponentialDecay,
        InverseTimeDecay,
        LinearCosineDecay,
        NoisyLinearCosineDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        Warmup,
    )

    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    plot_schedule(
        [ExponentialDecay(100, 0.5), ExponentialDecay(100, 0.5, staircase=True)],
        500,
        ax=axes[0],
        labels=["staircase=False", "staircase=True"],
    )
    axes[0].set_title("ExponentialDecay(decay_steps=100, decay_rate=0.5)")
    plot_schedule(
        [
            InverseTimeDecay(100, 0.5),
            PolynomialDecay(200, 0.1, 2.0, cycle=True),
            PiecewiseConstantDecay([100, 300], [1.0, 0.5, 0.1]),
            CosineDecayRestarts(100, t_mul=2.0, m_mul=0.8),
            LinearCosineDecay(400, num_periods=2),
            NoisyLinearCosineDecay(400, initial_variance=0.1, random_state=0),
            Warmup(CosineDecay(400, alpha=0.1), warmup_steps=50),
        ],
        500,
        ax=axes[1],
    )
    axes[1].set_title("the schedule family")
    # seven long labels: beside the panel, not over either plot
    axes[1].legend(fontsize="x-small", loc="upper left", bbox_to_anchor=(1.02, 1.0))
    path = os.path.join(plots_dir, "schedules.png")
    fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)


def build_parser():
    p = argparse.ArgumentParser(
        prog="python -m sklearn_gd",
        description="Fit sklearn_gd's solvers, TNC and scikit-learn's SGD "
        "side by side.",
    )
    p.add_argument(
        "--n-samples",
        type=int,
        default=200_000,
        help="rows of the synthetic problems (default 200000)",
    )
    p.add_argument(
        "--n-features",
        type=int,
        default=100,
        help="columns of the synthetic problems (default 100)",
    )
    p.add_argument(
        "--problems",
        nargs="+",
        choices=PROBLEMS,
        default=list(PROBLEMS),
        metavar="NAME",
        help=f"subset of {', '.join(PROBLEMS)}",
    )
    p.add_argument(
        "--plots",
        metavar="DIR",
        default=None,
        help="write PNG figures there (needs matplotlib, the 'plot' extra)",
    )
    p.add_argument("--seed", type=int, default=0)
    return p


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.n_samples < 20:
        parser.error("--n-samples must be at least 20")
    if args.n_features < 2:
        parser.error("--n-features must be at least 2")
    if args.plots is not None:
        try:
            from .plot import _pyplot

            _pyplot()
        except ImportError as exc:
            parser.error(str(exc))
        os.makedirs(args.plots, exist_ok=True)

    def progress(msg):
        print(msg, file=sys.stderr, flush=True)

    start = time.perf_counter()
    for name in args.problems:
        result = run_problem(
            name, args.n_samples, args.n_features, args.seed, progress, args.plots
        )
        print(format_table(result), flush=True)
    if args.plots is not None:
        _schedule_gallery(args.plots)
        print(f"\nFigures written to {os.path.abspath(args.plots)}")
    print(f"\nTotal time: {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
