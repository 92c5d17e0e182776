"""The governors' oversight: their dashboard and annual report, ratifying and reviewing
policies, and filtering and monitoring to the DfE standards."""

from ..safeguarding import prejudice as _prejudice  # noqa: F401  (its table joins the schema)
from . import models as _models  # noqa: F401
from .views import bp

__all__ = ["bp"]
