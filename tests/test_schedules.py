"""Schedules against scalar reference implementations of the published formulas.

The references below are written from the TensorFlow 1.x ``tf.train.*_decay``
functions and Keras ``keras.optimizers.schedules`` sources, with
``initial_learning_rate`` factored out (``lr * schedule(t)`` is the Keras
value).  They use Python's ``math`` on one step at a time, independently of
the vectorized NumPy code under test.
"""

import math
import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.datasets import make_regression
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_gd import GDRegressor
from sklearn_gd.schedules import (
    SCHEDULE_NAMES,
    Constant,
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    InvScaling,
    LinearCosineDecay,
    LinearDecay,
    NaturalExpDecay,
    NoisyLinearCosineDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
    ReduceLROnPlateau,
    StepDecay,
    Warmup,
    get_schedule,
)

STEPS = [
    0,
    1,
    2,
    5,
    9,
    10,
    11,
    19,
    20,
    21,
    29,
    30,
    31,
    49,
    50,
    70,
    99,
    100,
    101,
    250,
    1000,
]


# ----------------------------------------------------------------- references
def ref_exponential(t, decay_steps, decay_rate, staircase=False):
    p = t / decay_steps
    if staircase:
        p = math.floor(p)
    return decay_rate**p


def ref_natural_exp(t, decay_steps, decay_rate, staircase=False):
    p = t / decay_steps
    if staircase:
        p = math.floor(p)
    return math.exp(-decay_rate * p)


def ref_inverse_time(t, decay_steps, decay_rate, staircase=False):
    p = t / decay_steps
    if staircase:
        p = math.floor(p)
    return 1.0 / (1.0 + decay_rate * p)


def ref_polynomial(t, decay_steps, end, power, cycle):
    if cycle:
        mult = 1.0 if t == 0 else math.ceil(t / decay_steps)
        d = decay_steps * mult
    else:
        d = decay_steps
        t = min(t, decay_steps)
    return (1.0 - end) * (1.0 - t / d) ** power + end


def ref_piecewise(t, boundaries, values):
    if t <= boundaries[0]:
        return values[0]
    if t > boundaries[-1]:
        return values[-1]
    for low, high, v in zip(boundaries[:-1], boundaries[1:], values[1:-1]):
        if low < t <= high:
            return v
    raise AssertionError


def ref_cosine(t, decay_steps, alpha):
    t = min(t, decay_steps)
    return (1 - alpha) * 0.5 * (1 + math.cos(math.pi * t / decay_steps)) + alpha


def ref_cosine_restarts(t, first, t_mul, m_mul, alpha):
    # Walk the periods one by one (SGDR), instead of the closed form.
    start, length, peak = 0.0, float(first), 1.0
    while t >= start + length:
        start += length
        length *= t_mul
        peak *= m_mul
    frac = (t - start) / length
    return (1 - alpha) * 0.5 * peak * (1 + math.cos(math.pi * frac)) + alpha


def ref_linear_cosine(t, decay_steps, num_periods, alpha, beta, noise=0.0):
    t = min(t, decay_steps)
    linear = (decay_steps - t) / decay_steps + noise
    cosine = 0.5 * (1 + math.cos(math.pi * 2 * num_periods * t / decay_steps))
    return (alpha + linear) * cosine + beta


def ref_linear(t, decay_steps, end):
    return 1 + (end - 1) * min(t, decay_steps) / decay_steps


def ref_step(t, step_size, gamma):
    return gamma ** math.floor(t / step_size)


def ref_invscaling(t, power_t):
    return (t + 1) ** -power_t


CASES = [
    (Constant(), lambda t: 1.0),
    (ExponentialDecay(10, 0.5), lambda t: ref_exponential(t, 10, 0.5)),
    (
        ExponentialDecay(10, 0.5, staircase=True),
        lambda t: ref_exponential(t, 10, 0.5, True),
    ),
    (ExponentialDecay(7.5, 0.96), lambda t: ref_exponential(t, 7.5, 0.96)),
    (NaturalExpDecay(10, 0.3), lambda t: ref_natural_exp(t, 10, 0.3)),
    (NaturalExpDecay(10, 0.3, True), lambda t: ref_natural_exp(t, 10, 0.3, True)),
    (InverseTimeDecay(10, 0.5), lambda t: ref_inverse_time(t, 10, 0.5)),
    (InverseTimeDecay(10, 0.5, True), lambda t: ref_inverse_time(t, 10, 0.5, True)),
    (PolynomialDecay(20), lambda t: ref_polynomial(t, 20, 0.0, 1.0, False)),
    (PolynomialDecay(20, 0.1, 2.0), lambda t: ref_polynomial(t, 20, 0.1, 2.0, False)),
    (
        PolynomialDecay(20, 0.1, 0.5, True),
        lambda t: ref_polynomial(t, 20, 0.1, 0.5, True),
    ),
    (
        PolynomialDecay(10, 0.0, 1.0, True),
        lambda t: ref_polynomial(t, 10, 0.0, 1.0, True),
    ),
    (
        PiecewiseConstantDecay([10, 20, 50], [1.0, 0.5, 0.1, 0.01]),
        lambda t: ref_piecewise(t, [10, 20, 50], [1.0, 0.5, 0.1, 0.01]),
    ),
    (
        PiecewiseConstantDecay([10], [1.0, 0.3]),
        lambda t: ref_piecewise(t, [10], [1.0, 0.3]),
    ),
    (CosineDecay(50), lambda t: ref_cosine(t, 50, 0.0)),
    (CosineDecay(50, alpha=0.1), lambda t: ref_cosine(t, 50, 0.1)),
    (CosineDecayRestarts(10), lambda t: ref_cosine_restarts(t, 10, 2.0, 1.0, 0.0)),
    (
        CosineDecayRestarts(10, t_mul=1.0, m_mul=0.5, alpha=0.1),
        lambda t: ref_cosine_restarts(t, 10, 1.0, 0.5, 0.1),
    ),
    (
        CosineDecayRestarts(10, t_mul=3.0, m_mul=0.7),
        lambda t: ref_cosine_restarts(t, 10, 3.0, 0.7, 0.0),
    ),
    (
        CosineDecayRestarts(8, t_mul=1.5, m_mul=0.9, alpha=0.05),
        lambda t: ref_cosine_restarts(t, 8, 1.5, 0.9, 0.05),
    ),
    (LinearCosineDecay(50), lambda t: ref_linear_cosine(t, 50, 0.5, 0.0, 0.001)),
    (
        LinearCosineDecay(50, num_periods=2.0, alpha=0.1, beta=0.01),
        lambda t: ref_linear_cosine(t, 50, 2.0, 0.1, 0.01),
    ),
    (LinearDecay(50, 0.2), lambda t: ref_linear(t, 50, 0.2)),
    (StepDecay(20, 0.5), lambda t: ref_step(t, 20, 0.5)),
    (InvScaling(0.25), lambda t: ref_invscaling(t, 0.25)),
    (InvScaling(0.5), lambda t: ref_invscaling(t, 0.5)),
    (
        Warmup(CosineDecay(50, alpha=0.1), warmup_steps=10, start_factor=0.1),
        lambda t: (
            0.1 + (ref_cosine(0, 50, 0.1) - 0.1) * t / 10
            if t < 10
            else ref_cosine(t - 10, 50, 0.1)
        ),
    ),
    (
        Warmup(ExponentialDecay(10, 0.5), warmup_steps=5),
        lambda t: t / 5 if t < 5 else ref_exponential(t - 5, 10, 0.5),
    ),
]


CASE_IDS = [f"{i}-{type(c[0]).__name__}" for i, c in enumerate(CASES)]


@pytest.mark.parametrize("schedule, ref", CASES, ids=CASE_IDS)
def test_schedule_matches_reference_scalar_and_array(schedule, ref):
    expected = np.array([ref(float(t)) for t in STEPS])
    scalars = np.array([schedule(t) for t in STEPS])
    assert all(isinstance(schedule(t), float) for t in STEPS[:3])
    assert_allclose(scalars, expected, rtol=1e-12, atol=1e-15)
    arr = schedule(np.array(STEPS))
    assert isinstance(arr, np.ndarray) and arr.shape == (len(STEPS),)
    assert_allclose(arr, expected, rtol=1e-12, atol=1e-15)
    # 2-d arrays keep their shape
    grid = schedule(np.array(STEPS[:4]).reshape(2, 2))
    assert grid.shape == (2, 2)


def test_staircase_edges():
    s = ExponentialDecay(10, 0.5, staircase=True)
    assert s(9) == 1.0 and s(10) == 0.5 and s(19) == 0.5 and s(20) == 0.25


def test_polynomial_cycle_edges():
    s = PolynomialDecay(10, end_factor=0.0, power=1.0, cycle=True)
    # step 0 uses one period; at a multiple of decay_steps the period just ends
    assert s(0) == 1.0
    assert s(10) == pytest.approx(0.0)
    assert s(11) == pytest.approx(1 - 11 / 20)
    assert s(20) == pytest.approx(0.0)
    no_cycle = PolynomialDecay(10, end_factor=0.25)
    assert no_cycle(10) == no_cycle(1000) == pytest.approx(0.25)


def test_piecewise_boundary_side():
    s = PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    # Keras: a step equal to a boundary still takes the earlier value
    assert s(10) == 1.0 and s(11) == 0.5 and s(20) == 0.5 and s(21) == 0.1


def test_restarts_period_lengths_and_peaks():
    s = CosineDecayRestarts(10, t_mul=2.0, m_mul=0.5)
    # restarts at 10 and 30 (10 + 20) with peaks 0.5 and 0.25
    assert s(10) == pytest.approx(0.5)
    assert s(30) == pytest.approx(0.25)
    assert s(20) == pytest.approx(0.25)  # middle of the second period: 0.5 * 0.5


def test_steps_past_decay_steps_are_flat():
    for s in [CosineDecay(10, 0.2), LinearDecay(10, 0.3), LinearCosineDecay(10)]:
        assert s(10) == pytest.approx(s(1000))


def test_noisy_linear_cosine_reproducible_and_order_free():
    s = NoisyLinearCosineDecay(100, random_state=3)
    steps = np.arange(0, 150, 7)
    forward = s(steps)
    backward = s(steps[::-1])[::-1]
    assert_allclose(forward, backward, rtol=0, atol=0)
    assert_allclose([s(int(t)) for t in steps], forward, rtol=0, atol=0)
    assert_allclose(NoisyLinearCosineDecay(100, random_state=3)(steps), forward)
    assert not np.allclose(NoisyLinearCosineDecay(100, random_state=4)(steps), forward)
    # formula: the noise is standard normal scaled by the TF1 standard deviation
    z = s.noise(steps)
    for t, zi, v in zip(steps, z, forward):
        tt = min(t, 100)
        std = math.sqrt(1.0 / (1 + tt) ** 0.55)
        assert v == pytest.approx(
            ref_linear_cosine(float(t), 100, 0.5, 0.0, 0.001, noise=std * zi), rel=1e-12
        )
    # zero variance gives the noiseless schedule
    quiet = NoisyLinearCosineDecay(100, initial_variance=0.0)
    assert_allclose(quiet(steps), LinearCosineDecay(100)(steps), rtol=1e-12)


@pytest.mark.parametrize(
    "schedule",
    [c[0] for c in CASES] + [NoisyLinearCosineDecay(50)],
    ids=CASE_IDS + ["noisy"],
)
def test_purity_and_clone(schedule):
    params = schedule.get_params(deep=True)
    before = pickle.dumps(schedule)
    a = schedule(np.arange(100))
    b = schedule(np.arange(100))
    assert_allclose(a, b, rtol=0, atol=0)
    assert pickle.dumps(schedule) == before
    assert schedule.get_params(deep=True).keys() == params.keys()
    c = clone(schedule)
    assert c is not schedule
    assert_allclose(c(np.arange(100)), a, rtol=0, atol=0)


def test_values_non_negative():
    for schedule, _ in CASES:
        assert np.all(schedule(np.arange(2000)) >= 0)


@pytest.mark.parametrize(
    "schedule, match",
    [
        (
            ExponentialDecay(decay_steps=0, decay_rate=0.5),
            "decay_steps.*ExponentialDecay",
        ),
        (
            ExponentialDecay(decay_steps=10, decay_rate=-1),
            "decay_rate.*ExponentialDecay",
        ),
        (PolynomialDecay(decay_steps=10, power=-1), "power.*PolynomialDecay"),
        (CosineDecay(decay_steps=-5), "decay_steps.*CosineDecay"),
        (StepDecay(step_size=0), "step_size.*StepDecay"),
        (InvScaling(power_t=-0.5), "power_t.*InvScaling"),
        (ReduceLROnPlateau(factor=1.5), "factor.*ReduceLROnPlateau"),
        (Warmup(schedule="nope"), "schedule.*Warmup"),
        (
            NoisyLinearCosineDecay(random_state=-1),
            "random_state.*NoisyLinearCosineDecay",
        ),
    ],
)
def test_invalid_arguments_name_the_schedule(schedule, match):
    X, y = make_regression(n_samples=20, n_features=2, random_state=0)
    with pytest.raises(InvalidParameterError, match=match):
        schedule.validate()
    with pytest.raises(InvalidParameterError, match=match):
        GDRegressor(schedule=schedule, max_iter=2).fit(X, y)


def test_piecewise_inconsistent_lengths():
    with pytest.raises(ValueError, match="one more"):
        PiecewiseConstantDecay([10, 20], [1.0, 0.5]).validate()


def test_negative_steps_rejected():
    with pytest.raises(ValueError, match=">= 0"):
        ExponentialDecay(10, 0.5)(-1)


def test_string_names_resolve_to_documented_defaults():
    import sklearn_gd.schedules as schedules

    # every schedule class in __all__ that builds without arguments, in
    # snake_case, with and without "_decay" (API.md), plus two aliases
    expected = {"invscaling": InvScaling, "plateau": ReduceLROnPlateau}
    for name in schedules.__all__:
        cls = getattr(schedules, name)
        if not isinstance(cls, type) or cls in (
            schedules.Schedule,
            schedules.FunctionSchedule,
        ):
            continue  # fmt: skip
        try:
            cls().validate()
        except (ValueError, TypeError):
            assert name == "Sequential"  # the one that needs arguments
            continue
        snake = "".join("_" + c.lower() if c.isupper() else c for c in name)[1:]
        snake = snake.replace("l_r_", "lr_")  # ReduceLROnPlateau
        expected[snake] = expected[snake.replace("_decay", "")] = cls
    assert SCHEDULE_NAMES == expected
    for name in ("natural_exp", "cosine_restarts", "step", "linear", "cyclic"):
        assert name in SCHEDULE_NAMES  # the examples of API.md
    assert isinstance(get_schedule(None), Constant)
    assert get_schedule("exponential").get_params() == ExponentialDecay().get_params()
    assert get_schedule("invscaling")(3) == pytest.approx(4**-0.25)
    with pytest.raises(ValueError, match="Unknown schedule"):
        get_schedule("bogus")


def _halving(t):
    return 0.5 ** (np.asarray(t) // 4)


def _halving_scalar(t):
    return 0.5 ** (t // 4) if t >= 0 else 1.0  # fails on arrays: ambiguous truth


@pytest.mark.parametrize("func", [_halving, _halving_scalar])
def test_a_function_is_a_schedule(func):
    X, y = make_regression(n_samples=40, n_features=3, random_state=0)
    est = GDRegressor(learning_rate=0.01, schedule=func, batch_size=10, max_iter=3,
                      tol=None, shuffle=False)  # fmt: skip
    est.fit(X, y)
    steps = np.arange(12)
    expected = 0.01 * 0.5 ** (steps // 4)
    assert_allclose(est.learning_rate_curve_, expected[3::4], rtol=1e-15)
    assert est.schedule is func  # the constructor argument is kept as given
    clone(est).fit(X, y)
    # module-level functions pickle; grid search over them runs in parallel
    assert pickle.loads(pickle.dumps(est)).schedule_(5) == 0.5
    grid = GridSearchCV(est, {"schedule": [_halving, _halving_scalar]}, cv=2, n_jobs=2)
    grid.fit(X, y)
    assert_allclose(grid.cv_results_["mean_test_score"][0],
                    grid.cv_results_["mean_test_score"][1], rtol=1e-12)  # fmt: skip


def test_a_negative_function_value_is_refused():
    X, y = make_regression(n_samples=20, n_features=2, random_state=0)
    with pytest.raises(ValueError, match=">= 0"):
        GDRegressor(schedule=lambda t: -1.0 + 0 * t, max_iter=2).fit(X, y)


def test_nested_parameter_of_a_named_schedule_says_what_to_do():
    est = GDRegressor(schedule="exponential")
    with pytest.raises(ValueError, match="is a name.*Pass an object"):
        est.set_params(schedule__decay_rate=0.5)
    # an object in the same call is fine
    est.set_params(schedule=ExponentialDecay(), schedule__decay_rate=0.5)
    assert est.schedule.decay_rate == 0.5


def test_learning_rate_times_schedule_is_the_step_used():
    X, y = make_regression(n_samples=64, n_features=3, random_state=0)
    sched = ExponentialDecay(decay_steps=3, decay_rate=0.5)
    est = GDRegressor(
        learning_rate=0.01,
        schedule=sched,
        batch_size=16,
        max_iter=5,
        tol=None,
        random_state=0,
    ).fit(X, y)
    # four updates per epoch; the curve records the last update of each epoch
    expected = [0.01 * sched(4 * e + 3) for e in range(5)]
    assert_allclose(est.learning_rate_curve_, expected, rtol=1e-12)
    assert est.t_ == 20
    # partial_fit continues the global step
    est.partial_fit(X, y)
    assert_allclose(est.learning_rate_curve_[-1], 0.01 * sched(23), rtol=1e-12)
    assert est.t_ == 24


def test_nested_grid_search_over_schedule_parameters():
    X, y = make_regression(n_samples=60, n_features=3, noise=1.0, random_state=0)
    est = GDRegressor(
        optimizer="sgd",  # plain steps: the schedule decides how far 30 get
        schedule=Warmup(
            ExponentialDecay(decay_steps=10, decay_rate=0.9), warmup_steps=5
        ),
        max_iter=30,
        tol=None,
    )
    grid = GridSearchCV(
        est,
        {
            "schedule__schedule__decay_rate": [0.5, 0.99],
            "schedule__warmup_steps": [2, 5],
        },
        cv=2,
    ).fit(X, y)
    assert grid.best_params_["schedule__schedule__decay_rate"] == 0.99
    assert est.schedule.schedule.decay_rate == 0.9  # the original is untouched
    assert set(grid.cv_results_["param_schedule__warmup_steps"]) == {2, 5}


def test_reduce_on_plateau_torch_semantics():
    s = ReduceLROnPlateau(
        factor=0.5, patience=2, threshold=0.1, cooldown=1, min_factor=0.2
    )
    s.reset()
    seen = [
        s.observe(v) for v in [10.0, 9.5, 9.4, 9.3, 8.0, 7.9, 7.8, 7.7, 7.6, 7.5, 7.4]
    ]
    # 10 is best; 9.5, 9.4 are within 10% -> bad epochs 1, 2; 9.3 -> 3 > 2: reduce
    # 8.0 is better than 10 * 0.9 = 9 -> best, and uses up the one cooldown epoch
    assert seen[:4] == [1.0, 1.0, 1.0, 0.5]
    assert seen[4] == 0.5
    # 7.9, 7.8 bad (1, 2: not below 8 * 0.9), 7.7 bad (3) -> reduce to 0.25
    assert seen[5:8] == [0.5, 0.5, 0.25]
    # never below min_factor
    assert min(seen) >= 0.2
    assert s(123) == seen[-1]


def test_reduce_on_plateau_through_estimator():
    X, y = make_regression(n_samples=100, n_features=4, noise=5.0, random_state=0)
    plateau = ReduceLROnPlateau(factor=0.5, patience=2, threshold=0.0)
    est = GDRegressor(schedule=plateau, max_iter=200, tol=None, learning_rate=0.2).fit(
        X, y
    )
    # Replaying the epoch objectives through a fresh schedule gives exactly the
    # step of every epoch: epoch e uses the factor after e observations.
    replay = ReduceLROnPlateau(factor=0.5, patience=2, threshold=0.0).reset()
    factors = [1.0] + [replay.observe(v) for v in est.loss_curve_[:-1]]
    assert_allclose(est.learning_rate_curve_, 0.2 * np.array(factors), rtol=1e-15)
    assert min(factors) < 1.0  # it did reduce
    # the constructor's object is untouched; the fitted copy carries the state
    assert not hasattr(plateau, "factor_")
    assert est.schedule_ is not plateau and est.schedule_.factor_ < 1.0
    # partial_fit continues from the fitted state
    before = est.schedule_.factor_
    est.partial_fit(X, y)
    assert est.learning_rate_curve_[-1] == pytest.approx(est.learning_rate_ * before)


def test_sequential_joins_with_restarted_counts():
    from sklearn_gd.schedules import Sequential

    s = Sequential([LinearDecay(10, 0.5), ExponentialDecay(5, 0.5)], boundaries=[10])
    steps = np.arange(30)
    expected = [
        ref_linear(t, 10, 0.5) if t < 10 else ref_exponential(t - 10, 5, 0.5)
        for t in steps
    ]
    assert_allclose(s(steps), expected, rtol=1e-12)
    assert s(9) == pytest.approx(ref_linear(9, 10, 0.5)) and s(10) == 1.0
    with pytest.raises(ValueError, match="one more schedule"):
        Sequential([LinearDecay()], boundaries=[5]).validate()
    with pytest.raises(ValueError, match="performance-based"):
        Sequential([LinearDecay(), ReduceLROnPlateau()], boundaries=[5]).validate()


@pytest.mark.parametrize("mode", ["triangular", "triangular2"])
def test_cyclic_triangular(mode):
    from sklearn_gd.schedules import Cyclic

    s = Cyclic(step_size_up=4, base_factor=0.2, mode=mode)
    steps = np.arange(40)

    def ref(t):
        cycle = math.floor(1 + t / 8)
        x = abs(t / 4 - 2 * cycle + 1)
        scale = 1.0 if mode == "triangular" else 0.5 ** (cycle - 1)
        return 0.2 + 0.8 * max(0.0, 1 - x) * scale

    assert_allclose(s(steps), [ref(t) for t in steps], rtol=1e-12)
    assert s(0) == pytest.approx(0.2) and s(4) == pytest.approx(1.0)
