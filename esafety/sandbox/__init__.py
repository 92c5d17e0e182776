from . import cli  # noqa: F401 - its commands hang on bp.cli (`flask sandbox ...`)
from .views import bp

__all__ = ["bp"]
