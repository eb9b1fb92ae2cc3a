"""The one builder of dbt arguments, for the tests' runner and the benchmark."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from customer_segmentation.dbt_command import PRODUCTION_BUILD_OPTIONS, dbt_arguments


def option(arguments: list[str], name: str) -> str:
    return arguments[arguments.index(name) + 1]


def test_a_production_build_leaves_unit_tests_out_and_writes_where_it_is_told():
    target = Path("/tmp/bench/target")
    arguments = dbt_arguments(
        ["build"],
        target_path=target,
        log_path=target / "logs",
        dbt_vars={"customers_path": "/tmp/bench/customers.csv", "n_clusters": 4},
        production_build=True,
    )

    assert arguments[0] == "build"
    assert option(arguments, "--exclude-resource-type") == "unit_test"
    assert option(arguments, "--target-path") == str(target)
    assert option(arguments, "--log-path") == str(target / "logs")
    assert "--no-use-colors" in arguments
    assert json.loads(option(arguments, "--vars")) == {
        "customers_path": "/tmp/bench/customers.csv",
        "n_clusters": 4,
    }


def test_the_tests_build_keeps_unit_tests_and_the_command_comes_first():
    arguments = dbt_arguments(
        ["build", "--select", "stg_crm__customers"],
        target_path=Path("work/target"),
        log_path=Path("work/logs"),
        project_dir=Path("project"),
        profiles_dir=Path("project"),
        quiet=True,
    )

    assert arguments[:3] == ["build", "--select", "stg_crm__customers"]
    assert "--exclude-resource-type" not in arguments
    assert "--vars" not in arguments
    assert option(arguments, "--project-dir") == option(arguments, "--profiles-dir") == "project"
    assert "--quiet" in arguments


def test_only_a_build_can_be_the_production_build():
    with pytest.raises(ValueError, match="dbt parse"):
        dbt_arguments(
            ["parse"], target_path=Path("t"), log_path=Path("t/logs"), production_build=True
        )


def test_make_build_runs_the_production_build_the_bench_times():
    # The Makefile spells the flags out; the bench takes them from PRODUCTION_BUILD_OPTIONS.
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    recipe = makefile.split("\nbuild: ", 1)[1].split("\n\n", 1)[0]
    build_lines = [line for line in recipe.splitlines() if "$(BIN)/dbt build" in line]

    assert build_lines
    for line in build_lines:
        assert f"dbt build {' '.join(PRODUCTION_BUILD_OPTIONS)} " in line
