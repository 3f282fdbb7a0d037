"""Peer solvers over one :class:`~sklearn_gd._problem.Problem`.

Each solver has ``solve(problem, theta, *, max_iter, monitor, t0=0)`` and
returns a :class:`SolverResult`; the :class:`Monitor` holds the stopping rule,
divergence detection, plateau feedback and verbose output for all of them.
"""

from ._monitor import Monitor, SolverResult
from .cg import ConjugateGradient
from .gd import GradientDescent
from .tnc import TNC
from .vr import VarianceReduced

__all__ = [
    "Monitor",
    "SolverResult",
    "GradientDescent",
    "ConjugateGradient",
    "TNC",
    "VarianceReduced",
]
