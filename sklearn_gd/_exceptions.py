"""The package's own exception (re-exported as ``sklearn_gd.DivergenceError``)."""

__all__ = ["DivergenceError"]


class DivergenceError(ValueError):
    """Training produced a non-finite objective or non-finite parameters.

    A ``ValueError`` subclass, so code that catches scikit-learn's usual
    errors catches it too.  The estimator is left as it was before the call.
    """
