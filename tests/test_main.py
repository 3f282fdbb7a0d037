"""The main job ``python -m sklearn_gd``."""

import subprocess
import sys

import pytest

MODELS = ["GD", "GD + Nesterov", "MomentumSGD", "Adam", "CG", "TNC", "sklearn SGD"]


def _run(*args):
    return subprocess.run(
        [sys.executable, "-m", "sklearn_gd", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_main_job_small_runs_and_prints_tables(tmp_path):
    pytest.importorskip("matplotlib")
    proc = _run("--n-samples", "400", "--n-features", "8", "--plots", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for problem in [
        "diabetes",
        "breast_cancer",
        "digits",
        "synthetic_regression",
        "synthetic_classification",
    ]:
        assert problem in out
    tables = [
        block
        for block in out.split("\n\n")
        if block.strip().startswith(
            ("diabetes", "breast_cancer", "digits", "synthetic")
        )
    ]
    assert len(tables) == 5
    for block in tables:
        rows = [
            ln for ln in block.splitlines() if ln.startswith("| ") and "model" not in ln
        ]
        assert len(rows) == len(MODELS)
        for row, name in zip(rows, MODELS):
            assert row[2:].startswith(name)
        # the reference row has ratio 1.00
        assert rows[-1].rstrip(" |").endswith("1.00")
    assert "fitting TNC" in proc.stderr  # progress, one line per model
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert "schedules.png" in pngs and "curves_diabetes.png" in pngs
    assert "Figures written to" in out


@pytest.mark.parametrize(
    "args",
    [
        ["--bogus"],
        ["--n-samples", "many"],
        ["--problems", "iris"],
        ["--n-samples", "3"],
    ],
)
def test_bad_flag_exits_non_zero(args):
    proc = _run(*args)
    assert proc.returncode != 0
    assert "usage" in proc.stderr.lower() or "error" in proc.stderr.lower()
