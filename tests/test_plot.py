"""Plot helpers on the Agg backend."""

import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from sklearn.datasets import make_regression  # noqa: E402

from sklearn_gd import GDRegressor, MomentumSGDRegressor  # noqa: E402
from sklearn_gd.plot import plot_learning_curves, plot_schedule  # noqa: E402
from sklearn_gd.schedules import ExponentialDecay  # noqa: E402


def test_plot_schedule_staircase_figure():
    scheds = [ExponentialDecay(10, 0.5), ExponentialDecay(10, 0.5, staircase=True)]
    ax = plot_schedule(scheds, 50, learning_rate=0.1, labels=["smooth", "staircase"])
    lines = ax.get_lines()
    assert len(lines) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "smooth",
        "staircase",
    ]
    np.testing.assert_allclose(lines[1].get_ydata(), 0.1 * scheds[1](np.arange(50)))
    assert ax.get_ylabel() == "learning rate"


def test_plot_single_schedule_default_label():
    ax = plot_schedule(ExponentialDecay(10, 0.5), 20)
    assert len(ax.get_lines()) == 1
    assert "ExponentialDecay" in ax.get_legend().get_texts()[0].get_text()


def test_plot_learning_curves():
    X, y = make_regression(60, 3, random_state=0)
    ests = [
        GDRegressor(max_iter=10, tol=None).fit(X, y),
        MomentumSGDRegressor(max_iter=7, tol=None, random_state=0).fit(X, y),
    ]
    axes = plot_learning_curves(ests, labels=["gd", "msgd"])
    assert len(axes) == 2
    assert [len(ax.get_lines()) for ax in axes] == [2, 2]
    assert len(axes[0].get_lines()[1].get_xdata()) == 7


def test_missing_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="plot"):
        plot_schedule(ExponentialDecay(10, 0.5), 10)


def test_learning_curves_skip_solvers_without_a_rate_and_draw_validation():
    X, y = make_regression(120, 3, random_state=0)
    ests = [
        GDRegressor(solver="cg").fit(X, y),  # no learning rate: no curve
        MomentumSGDRegressor(early_stopping=True, max_iter=15, random_state=0).fit(
            X, y
        ),
    ]
    ax_loss, ax_lr = plot_learning_curves(ests, labels=["cg", "es"])
    assert len(ax_loss.get_lines()) == 2 and len(ax_lr.get_lines()) == 1
    assert ax_lr.get_yscale() == "log"
    validation = ax_loss._validation_axis.get_lines()[0]
    assert list(validation.get_ydata()) == list(ests[1].validation_scores_)


def test_warmup_label_names_its_inner_schedule():
    from sklearn_gd.schedules import CosineDecay, Warmup

    ax = plot_schedule(Warmup(CosineDecay(40), warmup_steps=5), 50)
    assert "CosineDecay(" in ax.get_legend().get_texts()[0].get_text()
