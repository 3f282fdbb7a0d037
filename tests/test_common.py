"""scikit-learn's common estimator checks over explicit configurations."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_gd import (
    GDClassifier,
    GDRegressor,
    MomentumSGDClassifier,
    MomentumSGDRegressor,
)
from sklearn_gd.optimizers import Adam
from sklearn_gd.penalties import ElasticNet
from sklearn_gd.schedules import ExponentialDecay, InvScaling

ESTIMATORS = [
    GDRegressor(),
    GDClassifier(),
    MomentumSGDRegressor(),
    MomentumSGDClassifier(),
    GDRegressor(schedule=ExponentialDecay(decay_steps=50, decay_rate=0.9)),
    GDClassifier(schedule=InvScaling(power_t=0.1), penalty="elasticnet"),
    GDRegressor(penalty=ElasticNet(l1_ratio=0.5), optimizer="adam"),
    GDClassifier(optimizer=Adam(beta_1=0.8), loss="modified_huber"),
    GDClassifier(batch_size=8, loss="hinge", random_state=0),
    GDRegressor(batch_size=8, loss="huber", optimizer="nesterov"),
    MomentumSGDClassifier(nesterov=True, penalty="l1", random_state=0),
    MomentumSGDRegressor(dampening=0.9, schedule="cosine", clip_norm=10.0),
    MomentumSGDClassifier(shuffle="batch", batch_size=8, random_state=0),
    MomentumSGDRegressor(shuffle="batch", batch_size=8, random_state=0),
    GDClassifier(
        loss="squared_hinge", optimizer="sgd", warm_start=True, tol=None, max_iter=300
    ),
    GDRegressor(solver="tnc"),
    GDClassifier(solver="tnc"),
    GDRegressor(solver="cg", loss="huber"),
    GDClassifier(solver="cg"),
    GDClassifier(average=True),
    GDRegressor(optimizer="schedule_free"),
    MomentumSGDClassifier(solver="saga", random_state=0),
    GDRegressor(solver="svrg", random_state=0),
    GDClassifier(solver="saga", penalty="l1", shuffle=False),
    GDRegressor(positive=True),
    GDRegressor(loss="poisson"),
    GDRegressor(loss="tweedie", power=1.5, solver="cg"),
    MomentumSGDRegressor(loss="quantile", quantile=0.3, random_state=0),
    MomentumSGDRegressor(average=5, random_state=0),
    GDClassifier(optimizer=Adam()),  # 'auto' step scaled by the class log-odds
    GDClassifier(optimizer="sgd"),  # the seeds' plain gradient descent
    MomentumSGDRegressor(batch_size=1, momentum=0.0, random_state=0),  # per sample
]

SAMPLE_WEIGHT_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "shuffled mini-batches: repeated rows and weights give other batches"
    ),
    "check_sample_weight_equivalence_on_sparse_data": (
        "shuffled mini-batches: repeated rows and weights give other batches"
    ),
}


TNC_SAMPLE_WEIGHT_CHECKS = {
    name: (
        "TNC's line search stops once the objective no longer decreases in "
        "float64, which leaves ~1e-6 relative differences along flat directions "
        "between two roundings of the same problem, above the check's rtol=1e-7"
    )
    for name in SAMPLE_WEIGHT_CHECKS
}


WARM_START_CHECKS = {
    "check_class_weight_balanced_linear_classifier": (
        "warm_start=True: the check fits twice and the second fit continues "
        "from the first one's coefficients, which is what warm_start means"
    )
}


def expected_failed_checks(estimator):
    """The sample-weight-equivalence checks for shuffled small mini-batches
    (scikit-learn declares the same for its own SGD) and for the TNC
    comparison solver (full-batch gradient descent passes them), and the
    refit check of linear classifiers under warm_start."""
    # The checks' data sets are one batch at the default batch_size=32, so
    # only configurations with smaller batches are really shuffled.
    small_batches = estimator.batch_size is not None and estimator.batch_size < 16
    if small_batches and estimator.shuffle:
        return SAMPLE_WEIGHT_CHECKS
    if estimator.solver == "tnc":
        return TNC_SAMPLE_WEIGHT_CHECKS
    if estimator.warm_start:
        return WARM_START_CHECKS
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
