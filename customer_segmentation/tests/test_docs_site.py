"""The docs site as an analyst sees it: ``dbt docs serve`` opened in headless Chromium.

The test serves the docs of the sample build exactly as ``make docs`` does (on 127.0.0.1,
another port) and drives Debian's ``chromium`` with Playwright. It reads what the page shows:
the overview's persona links, each persona's page, and the lineage graph the docs site draws,
from the source to every exposure. Screenshots land in ``target/docs_e2e/`` for a person to
look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from customer_segmentation.tests.dbt_runner import PROJECT_DIR, DbtRun, assert_succeeded, run_dbt

DBT = Path(sys.executable).with_name("dbt")
SCREENSHOT_DIR = PROJECT_DIR / "target" / "docs_e2e"
SERVER_START_TIMEOUT_S = 60
PAGE_TIMEOUT_MS = 30_000
PROJECT = "jewellery_segmentation"
SOURCE_ID = f"source.{PROJECT}.crm.customers"
EXPOSURES = (
    "persona_performance_dashboard",
    "campaign_audience_builder",
    "data_quality_review",
    "segmentation_report",
)
PERSONA_PAGES = {
    "High-Value Loyal Customers": "high_value_loyal_customers",
    "Young, Trend-Driven Shoppers": "young_trend_driven_customers",
    "Premium but Low Engagement": "premium_low_engagement_customers",
    "New or Low-Spend Customers": "new_low_spend_customers",
}
# The docs site's graph service, from the AngularJS app the page runs.
GRAPH_SERVICE = "angular.element(document.body).injector().get('graph')"


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail(
            "Debian's chromium is not installed: `make test` installs it with apt "
            "(`make browser`); install it by hand with `apt-get install -y chromium`."
        )
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def docs_url(sample_build: DbtRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("docs_site")
    generated = run_dbt(["docs", "generate"], workdir, duckdb_path=sample_build.duckdb_path)
    assert_succeeded(generated)
    port = free_port()
    server = subprocess.Popen(
        [
            str(DBT),
            "docs",
            "serve",
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(workdir / "target"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-browser",
        ],
        cwd=PROJECT_DIR,
        env={**os.environ, "DUCKDB_PATH": str(sample_build.duckdb_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_serving(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_until_serving(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"dbt docs serve exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(url + "manifest.json", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"dbt docs serve did not answer on {url} within {SERVER_START_TIMEOUT_S} s")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def browser_page(browser: Browser) -> Iterator[Page]:
    """A fresh tab per test: the docs site only reads the graph options of a URL it loads."""
    page = browser.new_page(viewport={"width": 1800, "height": 1000})
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield page
    finally:
        page.close()


def open_docs(page: Page, docs_url: str, route: str) -> None:
    page.goto(docs_url + "#!/" + route)
    page.wait_for_function("() => window.angular !== undefined")


def test_overview_speaks_to_marketing_and_links_every_persona(
    browser_page: Page, docs_url: str
) -> None:
    open_docs(browser_page, docs_url, "overview")
    browser_page.get_by_text("What this gives marketing").wait_for()
    for persona_name, metric in PERSONA_PAGES.items():
        link = browser_page.locator(f'a[href="#!/metric/metric.{PROJECT}.{metric}"]')
        assert link.inner_text() == persona_name


@pytest.mark.parametrize("persona_name", list(PERSONA_PAGES))
def test_each_persona_page_describes_the_persona_and_its_strategy(
    browser_page: Page, docs_url: str, persona_name: str
) -> None:
    open_docs(browser_page, docs_url, "overview")
    browser_page.get_by_role("link", name=persona_name, exact=True).click()
    heading = browser_page.get_by_role("heading", name=persona_name, exact=True)
    heading.first.wait_for()
    assert "Strategy:" in browser_page.locator("body").inner_text()
    assert browser_page.url.endswith(f"metric.{PROJECT}.{PERSONA_PAGES[persona_name]}")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    browser_page.screenshot(path=SCREENSHOT_DIR / f"persona_{PERSONA_PAGES[persona_name]}.png")


def test_lineage_graph_runs_from_the_source_to_every_exposure(
    browser_page: Page, docs_url: str
) -> None:
    selection = urllib.parse.quote(f"source:{SOURCE_ID.removeprefix(f'source.{PROJECT}.')}+")
    open_docs(browser_page, docs_url, f"overview?g_v=1&g_i={selection}")
    browser_page.wait_for_function(f"() => {GRAPH_SERVICE}.graph.elements.length > 0")
    # As an analyst would with the "resources" filter: tests and analyses hide the flow.
    browser_page.evaluate(
        """() => {
        const selector = angular.element(document.body).injector().get('selectorService');
        selector.selection.dirty.resource_types = selector.selection.dirty.resource_types
            .filter(type => !['test', 'unit_test', 'analysis'].includes(type));
    }"""
    )
    browser_page.get_by_text("Update Graph").click()
    browser_page.wait_for_function(
        f"() => {GRAPH_SERVICE}.graph.elements.every("
        "element => !['test', 'unit_test'].includes(element.data.resource_type))"
    )
    elements = browser_page.evaluate(
        f"""() => {GRAPH_SERVICE}.graph.elements.map(element => ({{
            id: element.data.id,
            source: element.data.source || null,
            target: element.data.target || null,
        }}))"""
    )
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    browser_page.screenshot(path=SCREENSHOT_DIR / "lineage.png")

    edges = [(element["source"], element["target"]) for element in elements if element["source"]]
    drawn = {element["id"] for element in elements if not element["source"]}
    reachable = reachable_from(SOURCE_ID, edges)
    for exposure in EXPOSURES:
        exposure_id = f"exposure.{PROJECT}.{exposure}"
        assert exposure_id in drawn, f"{exposure} is not on the lineage graph"
        assert exposure_id in reachable, f"no drawn path from the source to {exposure}"
    for mart in ("customer_segments", "segment_profiles", "customers_rejected"):
        assert f"model.{PROJECT}.{mart}" in reachable


def reachable_from(start: str, edges: list[tuple[str, str]]) -> set[str]:
    children: dict[str, list[str]] = {}
    for parent, child in edges:
        children.setdefault(parent, []).append(child)
    seen, queue = {start}, deque([start])
    while queue:
        for child in children.get(queue.popleft(), []):
            if child not in seen:
                seen.add(child)
                queue.append(child)
    return seen
