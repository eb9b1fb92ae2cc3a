"""The dbt arguments of the commands the tests' runner (``tests/dbt_runner.py``, through
dbtRunner) and the benchmark (a ``dbt`` process) run.

``make build`` runs the production build, ``dbt build --exclude-resource-type unit_test``:
unit tests check the project's code, not the user's file, so ``make test`` runs them and a
production build leaves them out, as dbt advises. The benchmark times that build.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

# What makes a `dbt build` the production build (the Makefile's `build` target says it too).
PRODUCTION_BUILD_OPTIONS = ("--exclude-resource-type", "unit_test")


def dbt_arguments(
    command: Sequence[str],
    *,
    target_path: Path,
    log_path: Path,
    dbt_vars: dict | None = None,
    production_build: bool = False,
    project_dir: Path | None = None,
    profiles_dir: Path | None = None,
    quiet: bool = False,
) -> list[str]:
    """dbt's arguments for ``command`` (``["build"]``, ``["run", "--select", "x"]``), without
    the ``dbt`` executable: dbtRunner takes them as they are, a process after ``dbt``.

    Artifacts go to ``target_path`` and logs to ``log_path``, so the user's ``target/`` and
    ``logs/`` are left alone; no colours, so logs read as text; ``dbt_vars``, if any, as JSON.
    ``production_build`` leaves the unit tests out, as ``make build`` does.
    """
    if production_build and command[0] != "build":
        raise ValueError(f"a production build is a dbt build, not dbt {command[0]}")
    arguments = list(command)
    if project_dir is not None:
        arguments += ["--project-dir", str(project_dir)]
    if profiles_dir is not None:
        arguments += ["--profiles-dir", str(profiles_dir)]
    arguments += ["--target-path", str(target_path), "--log-path", str(log_path), "--no-use-colors"]
    if quiet:
        arguments.append("--quiet")
    if production_build:
        arguments += PRODUCTION_BUILD_OPTIONS
    if dbt_vars:
        arguments += ["--vars", json.dumps(dbt_vars)]
    return arguments
