"""The curriculum's YAML data files (the framework map, the app ages): read one, or say why not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class DataFileError(Exception):
    """A data file is wrong; `problems` names each entry and field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def read_data_file(path: Path, error: type[DataFileError]) -> Any:
    """The file's YAML, or `error` naming the file when it is missing or not YAML."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error([f"{path.name}: the file is missing ({path})"]) from None
    except yaml.YAMLError as problem:
        raise error([f"{path.name}: is not valid YAML: {problem}"]) from None
