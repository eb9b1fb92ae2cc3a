from __future__ import annotations

import pytest

from customer_segmentation.tests.dbt_runner import DbtRun, assert_succeeded, run_dbt


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """One full ``dbt build`` of the shipped sample, shared by the tests that read its result."""
    run = run_dbt(["build"], tmp_path_factory.mktemp("sample_build"))
    assert_succeeded(run)
    return run
