"""
=====================================================
Exponential decay with and without ``staircase``
=====================================================

The classic figure of TensorFlow's ``exponential_decay``: the continuous
decay ``decay_rate ** (t / decay_steps)`` and its staircase version, which
floors the exponent and drops the step size only every ``decay_steps``
updates.  Then every schedule of :mod:`sklearn_gd.schedules` side by side.
"""

import matplotlib.pyplot as plt

from sklearn_gd.plot import plot_schedule
from sklearn_gd.schedules import (
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
    StepDecay,
    Warmup,
)

fig, ax = plt.subplots(figsize=(7, 4))
plot_schedule(
    [ExponentialDecay(100, 0.5), ExponentialDecay(100, 0.5, staircase=True)],
    500,
    learning_rate=0.1,
    ax=ax,
    labels=["staircase=False", "staircase=True"],
)
ax.set_title("ExponentialDecay(decay_steps=100, decay_rate=0.5), learning_rate=0.1")

# %%
# The whole family (multipliers of ``learning_rate``)
schedules = {
    "NaturalExpDecay(100, 0.5)": NaturalExpDecay(100, 0.5),
    "InverseTimeDecay(100, 0.5)": InverseTimeDecay(100, 0.5),
    "PolynomialDecay(150, cycle=True)": PolynomialDecay(150, 0.1, 2.0, cycle=True),
    "PiecewiseConstantDecay": PiecewiseConstantDecay([100, 300], [1.0, 0.5, 0.1]),
    "CosineDecay(400)": CosineDecay(400, alpha=0.05),
    "CosineDecayRestarts(100)": CosineDecayRestarts(100, t_mul=2.0, m_mul=0.8),
    "LinearCosineDecay(400, 2)": LinearCosineDecay(400, num_periods=2),
    "NoisyLinearCosineDecay(400)": NoisyLinearCosineDecay(400, 0.05, random_state=0),
    "LinearDecay(400, 0.1)": LinearDecay(400, 0.1),
    "StepDecay(150, 0.5)": StepDecay(150, 0.5),
    "InvScaling(0.5)": InvScaling(0.5),
    "Warmup(CosineDecay(400), 50)": Warmup(CosineDecay(400), warmup_steps=50),
}
fig, axes = plt.subplots(3, 4, figsize=(14, 8), sharex=True)
for ax, (name, s) in zip(axes.ravel(), schedules.items()):
    plot_schedule(s, 500, ax=ax, labels=[name])
    ax.set_xlabel("")
fig.tight_layout()
plt.show()
