"""The workshop app in a real browser: a real Solara server, Debian's Chromium via Playwright.

Starts ``prds app``'s server on a free localhost port in a subprocess, opens it in headless
Chromium and works it as a trainer would: play, pause, watch the step counter and a chart move,
change an intervention lever, reset, step, and see the result change; on a built scenario,
the map of the real place moves with the steps and the colour toggle. Every console error,
page error, failed request and request leaving this machine fails the test, so the app is
also checked to work offline (Solara's front end served from solara-assets).
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SERVER_START_SECONDS = 120  # a cold start imports Solara, Mesa and the app (~15 s, more under load)
WAIT_MS = 45_000
CAR_RECIPE = Path(__file__).resolve().parents[2] / "scenarios" / "build" / "car-2024.recipe.yaml"


def chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        pytest.fail("Debian's chromium is needed for the browser tests: run `bash .ci/setup` as "
                    "root, or `apt-get install -y chromium`")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(log, *scenario):
    """``prds app [SCENARIO] --port N`` on a free port, as a trainer starts it; stopped after."""
    port = free_port()
    prds = [sys.executable, "-c", "from simulation.cli import app; app()"]
    with open(log, "w") as out:
        server = subprocess.Popen([*prds, "app", *map(str, scenario), "--port", str(port)],
                                  stdout=out, stderr=subprocess.STDOUT)
    url = f"http://localhost:{port}/"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if server.poll() is not None:
                pytest.fail(f"the app server exited ({server.returncode}):\n{log.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the app server did not answer in {SERVER_START_SECONDS} s:\n"
                            f"{log.read_text()}")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The app on the bundled scenarios (the default first)."""
    with serving(tmp_path_factory.mktemp("app") / "server.log") as url:
        yield url


@pytest.fixture(scope="module")
def car_url(tmp_path_factory):
    """The app on the CAF example recipe, built at a small sample (a scenario with a map)."""
    import yaml

    from simulation.build import build

    folder = tmp_path_factory.mktemp("car")
    recipe = yaml.safe_load(CAR_RECIPE.read_text(encoding="utf-8"))
    for key in ("boundaries", "population", "displacement", "sites"):
        recipe[key] = str((CAR_RECIPE.parent / recipe[key]).resolve())
    for key in ("conflict", "prices"):
        recipe[key]["file"] = str((CAR_RECIPE.parent / recipe[key]["file"]).resolve())
    recipe.update(sample=0.002, steps=6)
    (folder / "car.recipe.yaml").write_text(yaml.safe_dump(recipe), encoding="utf-8")
    build(folder / "car.recipe.yaml", folder / "car.yaml")
    with serving(folder / "server.log", folder / "car.yaml") as url:
        yield url


@contextlib.contextmanager
def browsing(url):
    """A headless Chromium tab on ``url``; any console error, failed request or request
    leaving this machine fails the test."""
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1500, "height": 1000})
        tab.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
               if m.type == "error" else None)
        tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        tab.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
        tab.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
               if r.status >= 400 else None)
        tab.on("request", lambda r: problems.append(f"request off this machine: {r.url}")
               if urlparse(r.url).hostname not in (None, "127.0.0.1", "localhost")
               and urlparse(r.url).scheme in ("http", "https", "ws", "wss") else None)
        tab.set_default_timeout(WAIT_MS)
        tab.goto(url)
        tab.wait_for_selector("img.prds-graph")
        yield tab
        browser.close()
    assert not problems, "the browser saw problems:\n" + "\n".join(problems)


@pytest.fixture
def page(app_url):
    with browsing(app_url) as tab:
        yield tab


@pytest.fixture
def car_page(car_url):
    with browsing(car_url) as tab:
        yield tab


def step_number(tab) -> int:
    return int(tab.inner_text(".prds-step").split()[1])


def wait_for_step(tab, condition: str) -> None:
    """Wait until the step counter satisfies ``condition`` (a JS expression in ``n``)."""
    tab.wait_for_function(
        "() => { const el = document.querySelector('.prds-step');"
        f" if (!el) return false; const n = parseInt(el.innerText.split(' ')[1]); return {condition}; }}")


def spent(tab, column: int) -> str:
    """The 'spent (USD)' cell of the outcome table (column 1 baseline, 2 intervention)."""
    return tab.locator(".prds-outcomes tr", has_text="spent").locator("td").nth(column).inner_text()


def test_play_step_and_a_lever_change_the_picture_and_the_result(page):
    from playwright.sync_api import expect

    tab = page
    assert step_number(tab) == 0
    # every picture is decoded by the browser: served and rendered without internet
    for name in ("graph", "statuses", "coping", "self-reliance"):
        image = tab.locator(f"img.prds-{name}")
        image.wait_for()
        assert image.evaluate("img => img.complete && img.naturalWidth > 200"), name
    # the default's x/y are drawing positions: no map, a one-line note instead
    assert tab.locator("img.prds-map").count() == 0
    assert "No map of a real place" in tab.inner_text(".prds-no-map")
    for concept in ("prds", "coping", "self_reliance", "solutions", "harmful"):
        assert tab.locator(f".prds-concept-{concept}").first.inner_text().strip()
    chart_before = tab.locator("img.prds-statuses").screenshot()
    source_before = tab.get_attribute("img.prds-statuses", "src")

    tab.get_by_role("button", name="▶").click()
    wait_for_step(tab, "n >= 3")
    tab.get_by_role("button", name="❚❚").click()
    tab.wait_for_selector("button:has-text('Step'):not([disabled])")
    played_to = step_number(tab)
    assert played_to >= 3
    tab.wait_for_function("src => document.querySelector('img.prds-statuses').src !== src",
                          arg=source_before)
    assert tab.locator("img.prds-statuses").screenshot() != chart_before
    assert tab.locator("img.prds-graph").evaluate("img => img.naturalWidth") > 200

    # the graph's colour toggle: harmful coping -> self-reliance redraws the graph
    graph_before = tab.get_attribute("img.prds-graph", "src")
    tab.locator(".prds-colour-by button", has_text="self-reliance").click()
    tab.wait_for_function("src => document.querySelector('img.prds-graph').src !== src",
                          arg=graph_before)
    tab.get_by_text("Colour: the share of them self-reliant").wait_for()

    # Reset goes back to step 0 (a step already under way when pausing finishes on the old
    # model); then Step moves exactly one step at a time
    tab.get_by_role("button", name="Reset").click()
    wait_for_step(tab, "n === 0")

    def two_steps() -> None:
        for n in (1, 2):
            tab.get_by_role("button", name="Step").click()
            wait_for_step(tab, f"n === {n}")

    two_steps()
    with_cash = tab.inner_text(".prds-outcomes")
    assert spent(tab, 1) == "0" and spent(tab, 2) != "0"

    # a lever: coverage down to none of the eligible, then Reset applies it
    coverage = tab.locator(".v-input", has_text="coverage").locator("[role=slider]")
    coverage.focus()
    coverage.press("Home")
    expect(coverage).to_have_attribute("aria-valuenow", "0")
    tab.get_by_role("button", name="Reset").click()
    wait_for_step(tab, "n === 0")
    tab.wait_for_selector(".prds-levers:has-text('0% of the eligible')")
    two_steps()
    assert spent(tab, 2) == "0"
    assert tab.inner_text(".prds-outcomes") != with_cash


def test_a_built_scenario_is_on_its_map_which_moves_with_the_steps_and_the_toggle(car_page):
    tab = car_page
    image = tab.locator("img.prds-map")
    image.wait_for()
    assert image.evaluate("img => img.complete && img.naturalWidth > 600"), "map not decoded"
    assert tab.locator(".prds-no-map").count() == 0
    before = tab.get_attribute("img.prds-map", "src")
    tab.get_by_role("button", name="Step").click()
    wait_for_step(tab, "n === 1")
    tab.wait_for_function("src => document.querySelector('img.prds-map').src !== src",
                          arg=before)
    stepped = tab.get_attribute("img.prds-map", "src")
    tab.locator(".prds-colour-by button", has_text="self-reliance").click()
    tab.wait_for_function("src => document.querySelector('img.prds-map').src !== src",
                          arg=stepped)
    tab.get_by_text("Units shaded by the share of their households self-reliant").wait_for()
