"""sklearn_gd: scikit-learn compatible linear models trained by gradient descent.

Full-batch GD, mini-batch SGD, momentum/Nesterov and Adam-family updates,
Keras-style learning-rate schedules and proximal penalties, behind the
familiar ``fit`` / ``predict`` interface.
"""

from ._estimators import (
    GDClassifier,
    GDRegressor,
    MomentumSGDClassifier,
    MomentumSGDRegressor,
)
from .chunks import ArrayChunks, fit_chunks
from .compare import compare_solvers

__version__ = "0.1.0"

__all__ = [
    "GDRegressor",
    "GDClassifier",
    "MomentumSGDRegressor",
    "MomentumSGDClassifier",
    "compare_solvers",
    "fit_chunks",
    "ArrayChunks",
    "__version__",
]
