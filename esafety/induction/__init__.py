from . import cli  # noqa: F401 - its commands hang on bp.cli (`flask induction ...`)
from .views import bp

__all__ = ["bp"]
