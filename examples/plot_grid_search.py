"""
========================================================
Tuning learning rate, decay and alpha with GridSearchCV
========================================================

Scales are flat estimator parameters (``learning_rate``, ``alpha``); shapes
live in the schedule and penalty objects and are reached with ``__``.
"""

from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_gd import MomentumSGDClassifier
from sklearn_gd.schedules import ExponentialDecay

X, y = load_breast_cancer(return_X_y=True)
pipe = make_pipeline(
    StandardScaler(),
    MomentumSGDClassifier(
        schedule=ExponentialDecay(decay_steps=50, decay_rate=0.9),
        max_iter=50,
        random_state=0,
    ),
)
grid = GridSearchCV(
    pipe,
    {
        "momentumsgdclassifier__learning_rate": [0.001, 0.01, "auto"],
        "momentumsgdclassifier__schedule__decay_rate": [0.5, 0.9],
        "momentumsgdclassifier__alpha": [1e-4, 1e-2],
    },
    cv=3,
    n_jobs=2,
).fit(X, y)
print("best:", grid.best_params_, f"{grid.best_score_:.3f}")
print("cross_val_score:", cross_val_score(grid.best_estimator_, X, y, cv=5).mean())
