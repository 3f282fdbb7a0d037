"""sklearn_gd: scikit-learn compatible linear models trained by gradient descent.

Full-batch GD, mini-batch SGD, momentum/Nesterov and Adam-family updates,
Keras-style learning-rate schedules and proximal penalties, behind the
familiar ``fit`` / ``predict`` interface.
"""

from ._classification import GDClassifier, MomentumSGDClassifier
from ._exceptions import DivergenceError
from ._regression import GDRegressor, MomentumSGDRegressor
from .chunks import ArrayChunks, fit_chunks
from .compare import compare_solvers, objective_value

__version__ = "0.1.0"

__all__ = [
    "GDRegressor",
    "GDClassifier",
    "MomentumSGDRegressor",
    "MomentumSGDClassifier",
    "DivergenceError",
    "compare_solvers",
    "objective_value",
    "fit_chunks",
    "ArrayChunks",
    "__version__",
]
