from . import cli  # noqa: F401 - its commands hang on bp.cli (`flask safeguarding ...`)
from .views import bp

__all__ = ["bp"]
