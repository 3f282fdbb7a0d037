"""What penalties, schedules and optimizers share: validation and names."""

from sklearn.base import BaseEstimator

__all__ = ["Component", "resolve"]


class Component(BaseEstimator):
    """A clonable object that carries only shape parameters.

    ``validate()`` checks the arguments against ``_parameter_constraints``
    (raising ``InvalidParameterError`` naming the class and the argument),
    then :meth:`_check_consistency` for checks that involve several of them.
    """

    _parameter_constraints: dict = {}

    def validate(self):
        """Check the arguments; errors name the class."""
        self._validate_params()
        self._check_consistency()
        return self

    def _check_consistency(self):
        """Hook for checks that involve several arguments."""


def resolve(value, names, kind):
    """A new object with default arguments for a name in ``names`` (a dict of
    callables), or ``value`` itself."""
    if not isinstance(value, str):
        return value
    try:
        return names[value]()
    except KeyError:
        raise ValueError(
            f"Unknown {kind} {value!r}; expected one of {sorted(names)}, None or "
            f"a {kind} object."
        ) from None
