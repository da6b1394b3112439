"""The workshop app in a real browser: a real Solara server, Debian's Chromium via Playwright.

Starts ``prds app``'s server on a free localhost port in a subprocess, opens it in headless
Chromium and works it as a trainer would: play, pause, watch the step counter and a chart move,
change an intervention lever, reset, step, and see the result change. Every console error,
page error, failed request and request leaving this machine fails the test, so the app is
also checked to work offline (Solara's front end served from solara-assets).
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SERVER_START_SECONDS = 120  # a cold start imports Solara, Mesa and the app (~15 s, more under load)
WAIT_MS = 45_000


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


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """``prds app --port N`` on a free port, as a trainer starts it; stopped after the tests."""
    port = free_port()
    log = tmp_path_factory.mktemp("app") / "server.log"
    prds = [sys.executable, "-c", "from simulation.cli import app; app()"]
    with open(log, "w") as out:
        server = subprocess.Popen([*prds, "app", "--port", str(port)], stdout=out,
                                  stderr=subprocess.STDOUT)
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


@pytest.fixture
def page(app_url):
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
        tab.goto(app_url)
        tab.wait_for_selector("img.prds-graph")
        yield tab
        browser.close()
    assert not problems, "the browser saw problems:\n" + "\n".join(problems)


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
