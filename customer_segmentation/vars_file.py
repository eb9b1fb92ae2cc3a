"""Read a vars file: the dbt vars of a build on the user's own file, as YAML.

``make run VARS_FILE=my_export.vars.yml`` passes the file's vars to dbt as ``--vars`` would,
so the file holds exactly what ``--vars`` would: ``customers_path``, ``customer_columns``,
``required_features``, ... (see ``dbt_project.yml``). dbt checks the values; this module only
makes sure the file is a readable mapping, and turns the values YAML reads as dates
(``as_of_date: 2026-06-30`` unquoted) back into the ISO text dbt expects.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

# The var the build records the vars file's path in, so later commands and messages name it.
VARS_FILE_VAR = "vars_file"


class VarsFileError(RuntimeError):
    """The vars file cannot be used; the message says why and what to do."""


def _dates_as_text(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _dates_as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(item) for item in value]
    return value


def read_vars_file(path: Path) -> dict:
    """The vars in ``path``, a YAML mapping of var name to value."""
    if not path.is_file():
        raise VarsFileError(
            f"Vars file {path} not found (VARS_FILE). Give the path of a YAML file."
        )
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise VarsFileError(f"Vars file {path} is not valid YAML: {error}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise VarsFileError(
            f"Vars file {path} must be a mapping of var name to value, e.g."
            " `customers_path: /abs/path/customers.csv`; it holds a"
            f" {type(loaded).__name__}."
        )
    if VARS_FILE_VAR in loaded:
        raise VarsFileError(
            f"Vars file {path} sets `{VARS_FILE_VAR}`, which make sets itself: remove it."
        )
    return _dates_as_text(loaded)


def build_vars(path: Path) -> dict:
    """The vars a build from ``path`` passes to dbt: the file's, and the file's own path."""
    return {**read_vars_file(path), VARS_FILE_VAR: str(path.resolve())}
