"""The contract of the solvers: one problem in, one result out, one monitor.

Each solver (gradient descent, CG, TNC) takes a ``Problem`` and a start
``theta`` and returns a ``SolverResult``; the ``Monitor`` holds the stopping
rule, divergence detection and plateau feedback for all of them.  References
are computed here: scikit-learn's ``Ridge`` and L-BFGS on objectives written
out in NumPy.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import minimize
from sklearn.linear_model import Ridge

from sklearn_gd import (
    DivergenceError,
    GDClassifier,
    GDRegressor,
    _rows,
    compare_solvers,
)
from sklearn_gd._losses import get_loss
from sklearn_gd._problem import Problem, curvature_sums
from sklearn_gd._rows import ArrayRows
from sklearn_gd._solvers import TNC, ConjugateGradient, GradientDescent, Monitor
from sklearn_gd._step_size import lipschitz_constant
from sklearn_gd.optimizers import SGD, BarzilaiBorwein, Momentum
from sklearn_gd.penalties import L2, ElasticNet, Penalty
from sklearn_gd.schedules import Constant, ReduceLROnPlateau

ALPHA = 0.05


def _ridge_problem(n=200, d=5, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d)) * [1, 2, 0.5, 3, 1][:d]
    y = X @ rng.normal(size=d) + 1.5 + 0.3 * rng.normal(size=n)
    problem = Problem.from_arrays(
        X, y, None, get_loss("squared_error"), L2(), ALPHA, True
    )
    return problem, X, y


def _gd(problem, batch_size=None, lr=None, optimizer=None):
    optimizer = optimizer or SGD()
    if lr is None:
        lr = 1.0 / lipschitz_constant(problem.rows, True)
    return GradientDescent(
        optimizer=optimizer,
        opt_state=optimizer.init_state(problem.zeros()),
        schedule=Constant(),
        learning_rate=lr,
        batch_size=batch_size,
        rng=np.random.RandomState(0),
    )


@pytest.mark.parametrize("name", ["gd", "cg", "tnc"])
def test_every_solver_reaches_the_ridge_optimum(name):
    problem, X, y = _ridge_problem()
    ref = Ridge(alpha=ALPHA * len(y)).fit(X, y)
    solver = {"gd": _gd(problem), "cg": ConjugateGradient(), "tnc": TNC(tol=1e-4)}
    theta = problem.zeros()
    res = solver[name].solve(problem, theta, max_iter=3000, monitor=Monitor())
    assert_allclose(res.theta[:5, 0], ref.coef_, rtol=1e-6)
    assert res.theta[5, 0] == pytest.approx(ref.intercept_, rel=1e-6)
    if name != "tnc":  # the objective at the start (TNC: after its 1st iteration)
        assert res.loss_curve[0] == pytest.approx(0.5 * np.mean(y**2), rel=1e-12)
    assert len(res.loss_curve) == len(res.learning_rate_curve) == res.n_iter
    assert res.validation_scores is None
    assert res.n_grad_evals >= 1


def test_full_batch_counts_and_curves():
    problem, X, y = _ridge_problem()
    lr = 0.01
    res = _gd(problem, lr=lr).solve(
        problem, problem.zeros(), max_iter=7, monitor=Monitor()
    )
    assert res.n_iter == res.t == res.n_grad_evals == 7
    assert_allclose(res.learning_rate_curve, lr)
    # objective at the iterate each epoch started from: recompute by hand
    theta = problem.zeros()
    for f in res.loss_curve:
        value, grad = problem.value_grad(theta)
        assert f == pytest.approx(value, rel=1e-12)
        theta -= lr * grad
    assert_allclose(res.theta, theta, rtol=1e-12)


def test_mini_batch_counts_updates_and_epochs():
    problem, X, y = _ridge_problem(n=103)
    res = _gd(problem, batch_size=10, lr=0.01).solve(
        problem, problem.zeros(), max_iter=4, monitor=Monitor(), t0=5
    )
    assert res.n_iter == res.n_grad_evals == 4  # an epoch is one full gradient
    assert res.t == 5 + 4 * 11  # ten full batches and a short one per epoch


def test_monitor_stops_after_n_iter_no_change_without_improvement():
    monitor = Monitor(tol=0.1, n_iter_no_change=3)
    theta = np.zeros(2)
    values = [10.0, 5.0, 4.95, 4.92, 4.91]  # three steps without a 0.1 gain
    stops = [monitor(v, theta) for v in values]
    assert stops == [False, False, False, False, True]
    res = monitor.result(theta, t=5, n_grad_evals=5)
    assert res.converged and res.n_iter == 5
    assert_allclose(res.loss_curve, values)


def test_monitor_on_scores_and_plateau_feedback():
    plateau = ReduceLROnPlateau(factor=0.5, patience=0, min_factor=0.25)
    plateau.reset()
    scores = iter([0.5, 0.6, 0.6, 0.6])
    monitor = Monitor(
        tol=0.01, n_iter_no_change=2, score_fn=lambda theta: next(scores),
        schedule=plateau,
    )  # fmt: skip
    stops = [monitor(1.0, np.zeros(1)) for _ in range(4)]
    assert stops == [False, False, False, True]
    assert_allclose(monitor.validation_scores, [0.5, 0.6, 0.6, 0.6])
    # two epochs without gain: the plateau halves the step twice, and the
    # run stops only once the schedule cannot lower it further
    assert plateau.factor_ == pytest.approx(0.25)


@pytest.mark.parametrize(
    "objective, theta, what",
    [
        (np.nan, np.zeros(2), "objective is not finite"),
        (1e13, np.zeros(2), "more than 1e\\+12 times"),
        (1.0, np.array([0.0, np.inf]), "coefficients are not finite"),
    ],
)
def test_monitor_detects_divergence(objective, theta, what):
    monitor = Monitor()
    monitor.start(1.0, advice=" with learning_rate=5.")
    monitor(1.0, np.zeros(2))
    with pytest.raises(DivergenceError, match=f"epoch 2: .*{what}.*learning_rate=5"):
        monitor(objective, theta)


def test_rows_blocks_give_the_sums_and_maxima_of_one_block(monkeypatch):
    rng = np.random.RandomState(0)
    X, sw = rng.normal(size=(1000, 4)), rng.uniform(0.1, 2, 1000)
    whole = ArrayRows(X, np.zeros((1000, 1)), sw).map_reduce(
        curvature_sums, True, reduce=("sum", "max")
    )
    monkeypatch.setattr(_rows, "_BLOCK_BYTES", 1)
    rows = ArrayRows(X, np.zeros((1000, 1)), sw)
    assert rows.block == 256
    blocked = rows.map_reduce(curvature_sums, True, reduce=("sum", "max"))
    c = sw * ((X**2).sum(axis=1) + 1)
    assert blocked[0] == pytest.approx(c.sum(), rel=1e-12)
    assert blocked[1] == c.max() == whole[1]


# ----------------------------------------------------------------- penalties
class GroupNorm:
    """``R(w) = ||w||_2`` (group lasso), defined only by value and prox."""

    def value(self, coef):
        return float(np.linalg.norm(coef))

    def prox(self, coef, step):
        norm = np.linalg.norm(coef)
        return coef * max(0.0, 1.0 - step / norm) if norm > 0 else coef * 0.0


class GroupNormPenalty(Penalty):
    """The same as a ``Penalty`` subclass that overrides value and prox."""

    def value(self, coef):
        return GroupNorm().value(coef)

    def prox(self, coef, step):
        return GroupNorm().prox(coef, step)


def _group_lasso_reference(X, y, alpha):
    n, d = X.shape

    def fun(x):
        w, b = x[:d], x[d]
        r = X @ w + b - y
        norm = np.linalg.norm(w)
        g = np.r_[X.T @ r / n + alpha * w / norm, r.mean()]
        return 0.5 * r @ r / n + alpha * norm, g

    x0 = np.r_[np.linalg.lstsq(X, y - y.mean(), rcond=None)[0], y.mean()]
    return minimize(fun, x0, jac=True, method="L-BFGS-B", tol=1e-14).x


@pytest.mark.parametrize("penalty", [GroupNorm(), GroupNormPenalty()])
def test_a_penalty_with_only_value_and_prox_is_applied(penalty):
    problem, X, y = _ridge_problem()
    alpha = 0.3
    ref = _group_lasso_reference(X, y, alpha)
    est = GDRegressor(penalty=penalty, alpha=alpha, tol=None, max_iter=3000).fit(X, y)
    assert_allclose(est.coef_, ref[:5], rtol=1e-6)
    assert est.intercept_[0] == pytest.approx(ref[5], rel=1e-6)
    # it changes the fit: the unpenalised least squares differ
    plain = GDRegressor(penalty=None, tol=None, max_iter=3000).fit(X, y)
    assert np.linalg.norm(plain.coef_ - est.coef_) > 0.1
    assert est.objective(X, y) == pytest.approx(
        0.5 * np.mean((est.predict(X) - y) ** 2) + alpha * np.linalg.norm(est.coef_)
    )


def test_a_strong_group_penalty_gives_exact_zeros():
    _, X, y = _ridge_problem()
    # w = 0 is optimal when ||X^T (y - mean y)|| / n <= alpha
    alpha = 1.01 * np.linalg.norm(X.T @ (y - y.mean())) / len(y)
    est = GDRegressor(penalty=GroupNorm(), alpha=alpha, tol=None, max_iter=500)
    est.fit(X, y)
    assert np.all(est.coef_ == 0.0)
    assert est.intercept_[0] == pytest.approx(y.mean(), rel=1e-8)


def test_smooth_solvers_check_the_penalty_by_what_it_is():
    _, X, y = _ridge_problem()
    with pytest.raises(ValueError, match="solver='tnc'.*differentiable penalty"):
        GDRegressor(penalty=GroupNorm(), solver="tnc").fit(X, y)
    # ElasticNet without its L1 part is L2: accepted, and the same optimum
    en = GDRegressor(penalty=ElasticNet(l1_ratio=0.0), alpha=ALPHA, solver="tnc")
    l2 = GDRegressor(penalty="l2", alpha=ALPHA, solver="tnc")
    assert_allclose(en.fit(X, y).coef_, l2.fit(X, y).coef_, rtol=1e-10)


# ------------------------------------------------------------- public names
def test_bb_by_name_and_the_step_it_reports_drives_the_prox():
    problem, X, y = _ridge_problem()
    est = GDRegressor(optimizer="bb", alpha=ALPHA, tol=None, max_iter=200).fit(X, y)
    assert isinstance(est.optimizer_, BarzilaiBorwein)
    ref = Ridge(alpha=ALPHA * len(y)).fit(X, y)
    assert_allclose(est.coef_, ref.coef_, rtol=1e-8)
    w = np.array([1.0, -2.0])
    state = BarzilaiBorwein().init_state(w)
    assert BarzilaiBorwein().update(w, np.array([0.5, 0.5]), state, 0.1) == 0.1


def test_compare_solvers_runs_the_estimators_own_solver():
    _, X, y = _ridge_problem()
    table = compare_solvers(GDRegressor(solver="cg", alpha=ALPHA), X, y)
    assert list(table["solver"]) == ["gd", "tnc"]
    assert list(table["method"]) == ["cg", "tnc"]
    cg = GDRegressor(solver="cg", alpha=ALPHA).fit(X, y)
    assert int(table["n_iter"][0]) == cg.n_iter_


@pytest.mark.parametrize("solver", ["gd", "cg"])
def test_n_grad_evals_counts_full_gradient_equivalents(solver):
    _, X, y = _ridge_problem(n=100)
    yc = (y > np.median(y)).astype(int)
    mini = GDClassifier(batch_size=10, max_iter=6, tol=None, random_state=0)
    assert mini.fit(X, yc).n_grad_evals_ == 6
    # with a tol, a mini-batch fit also measures the full gradient at its
    # start and at the returned model: two more passes
    checked = GDClassifier(batch_size=10, max_iter=6, random_state=0).fit(X, yc)
    assert checked.n_grad_evals_ == checked.n_iter_ + 2
    est = GDClassifier(solver=solver, max_iter=6, tol=None).fit(X, yc)
    if solver == "gd":  # and each forward pass of 'auto''s line search
        n_evals = est.optimizer_state_["n_evals"]
        assert n_evals > 0
        assert est.n_grad_evals_ == est.n_iter_ + n_evals == 6 + n_evals
        plain = GDClassifier(optimizer="sgd", max_iter=6, tol=None).fit(X, yc)
        assert plain.n_grad_evals_ == plain.n_iter_ == 6
    else:  # CG: one gradient per accepted step, plus the start
        assert est.n_grad_evals_ == est.n_iter_ + 1


def test_momentum_presets_share_the_momentum_constraints():
    from sklearn_gd import MomentumSGDRegressor

    for name, constraint in Momentum._parameter_constraints.items():
        assert MomentumSGDRegressor._parameter_constraints[name] is constraint
