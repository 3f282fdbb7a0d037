"""Cross-checks against torch itself (skipped when torch is not installed)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklearn_gd import GDRegressor
from sklearn_gd.optimizers import SGD, AdaGrad, Adam, Momentum, RMSprop
from sklearn_gd.schedules import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    LinearDecay,
    PolynomialDecay,
    ReduceLROnPlateau,
    StepDecay,
)

torch = pytest.importorskip("torch")


def _torch_lrs(make_sched, n, lr=0.5):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr)
    sched = make_sched(opt)
    out = []
    for _ in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(out)


S = torch.optim.lr_scheduler


@pytest.mark.parametrize(
    "ours, make, n",
    [
        (StepDecay(7, 0.5), lambda o: S.StepLR(o, 7, 0.5), 40),
        (ExponentialDecay(1, 0.9), lambda o: S.ExponentialLR(o, 0.9), 40),
        (LinearDecay(20, 0.1), lambda o: S.LinearLR(o, 1.0, 0.1, 20), 40),
        (CosineDecay(25, alpha=0.2), lambda o: S.CosineAnnealingLR(o, 25, 0.1), 26),
        (
            CosineDecayRestarts(10, t_mul=1.0, alpha=0.2),
            lambda o: S.CosineAnnealingWarmRestarts(o, 10, 1, 0.1),
            45,
        ),
        (
            CosineDecayRestarts(5, t_mul=2.0, alpha=0.0),
            lambda o: S.CosineAnnealingWarmRestarts(o, 5, 2, 0.0),
            40,
        ),
        (PolynomialDecay(20, 0.0, 2.0), lambda o: S.PolynomialLR(o, 20, 2.0), 30),
    ],
    ids=lambda v: (
        repr(v)[:40] if not callable(v) or hasattr(v, "get_params") else "torch"
    ),
)
def test_schedules_match_torch_lr_scheduler(ours, make, n):
    expected = _torch_lrs(make, n)
    assert_allclose(0.5 * ours(np.arange(n)), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["triangular", "triangular2"])
def test_cyclic_matches_torch(mode):
    from sklearn_gd.schedules import Cyclic

    expected = _torch_lrs(
        lambda o: S.CyclicLR(
            o, base_lr=0.05, max_lr=0.5, step_size_up=6, mode=mode, cycle_momentum=False
        ),
        50,
    )
    ours = 0.5 * Cyclic(step_size_up=6, base_factor=0.1, mode=mode)(np.arange(50))
    assert_allclose(ours, expected, rtol=1e-10)


def test_plateau_matches_torch():
    rng = np.random.RandomState(0)
    metrics = np.cumsum(rng.normal(0, 1, 80)) + 100
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=1.0)
    ts = S.ReduceLROnPlateau(
        opt, factor=0.5, patience=3, threshold=1e-2, cooldown=2, min_lr=0.01
    )
    ours = ReduceLROnPlateau(
        factor=0.5, patience=3, threshold=1e-2, cooldown=2, min_factor=0.01
    )
    ours.reset()
    for m in metrics:
        ts.step(float(m))
        assert ours.observe(m) == pytest.approx(opt.param_groups[0]["lr"], rel=1e-12)


@pytest.mark.parametrize(
    "ours, make",
    [
        (SGD(), lambda ps: torch.optim.SGD(ps, lr=1.0)),
        (Momentum(0.9), lambda ps: torch.optim.SGD(ps, lr=1.0, momentum=0.9)),
        (
            Momentum(0.8, dampening=0.3),
            lambda ps: torch.optim.SGD(ps, lr=1.0, momentum=0.8, dampening=0.3),
        ),
        (
            Momentum(0.9, nesterov=True),
            lambda ps: torch.optim.SGD(ps, lr=1.0, momentum=0.9, nesterov=True),
        ),
        (
            Adam(0.8, 0.99, 1e-7),
            lambda ps: torch.optim.Adam(ps, lr=1.0, betas=(0.8, 0.99), eps=1e-7),
        ),
        (
            RMSprop(0.9, 1e-7),
            lambda ps: torch.optim.RMSprop(ps, lr=1.0, alpha=0.9, eps=1e-7),
        ),
        (AdaGrad(1e-9), lambda ps: torch.optim.Adagrad(ps, lr=1.0, eps=1e-9)),
    ],
    ids=lambda v: repr(v) if hasattr(v, "update") else "torch",
)
def test_full_batch_estimator_matches_torch_training_loop(ours, make):
    """Same objective, same schedule: the estimator's coefficients after each
    epoch equal a torch training loop's parameters (float64)."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.3 + 0.1 * rng.normal(size=60)
    alpha, lr = 0.01, 0.05
    sched = ExponentialDecay(decay_steps=5, decay_rate=0.8)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    w = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = make([w, b])
    torch_coefs = []
    for t in range(15):
        for g in opt.param_groups:
            g["lr"] = lr * sched(t)
        opt.zero_grad()
        f = 0.5 * ((Xt @ w + b - yt) ** 2).mean() + alpha * 0.5 * (w**2).sum()
        f.backward()
        opt.step()
        torch_coefs.append(w.detach().numpy().copy())
    for epochs in (1, 7, 15):
        est = GDRegressor(
            optimizer=ours,
            alpha=alpha,
            learning_rate=lr,
            schedule=sched,
            max_iter=epochs,
            tol=None,
        ).fit(X, y)
        assert_allclose(est.coef_, torch_coefs[epochs - 1], rtol=1e-10, atol=1e-12)
