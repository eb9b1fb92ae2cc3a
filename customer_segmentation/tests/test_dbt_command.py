"""The one builder of dbt arguments, for the tests' runner and the benchmark."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from customer_segmentation.dbt_command import dbt_arguments


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
