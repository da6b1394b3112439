"""How long one step of the workshop app takes to render, on the default scenario or another.

Two measures, both with the app's defaults (baseline and cash side by side; the default
scenario has 6,400 households each, ``--scenario FILE`` measures another, e.g. a built one):

1. in process: ``WorkshopModel.step`` plus drawing the pictures to PNG, as the server
   does after each step; wall time and CPU time of this process (CPU time is what the step
   costs on an idle machine; wall time includes whatever else the machine is running). When
   the scenario names a map (a built scenario, a Flee import), the map's own redraw is also
   reported (``median_map_wall_ms``, ``median_map_cpu_ms``), and ``full_map_draw_*`` the cost
   of drawing it from scratch, which the app's blitting avoids.
2. end to end (``--browser``): a real server and headless Chromium; the time from clicking
   Step to the step counter changing on screen, pictures included. ``--screenshot PATH``
   also saves a screenshot after playing ``--play`` steps (the README's picture).

Run: ``.venv/bin/python benchmarks/app_render.py [--steps 12] [--scenario FILE] [--browser]
[--screenshot docs/app.png]``. Not a test: numbers vary with the machine and its load
(printed).
"""

import argparse
import json
import os
import statistics
import time


def in_process(steps: int, scenario: str | None = None) -> dict:
    from simulation.app import controls, page
    from simulation.app.workshop import WorkshopModel

    model = WorkshopModel(**controls.initial_values(controls.model_params(scenario)))
    pictures = page.Pictures(model)
    map_times: list[tuple[float, float]] = []
    if pictures.map is not None:  # time the map's own redraw inside each render
        render_map = pictures.map.render

        def timed(colour_by: str = "harmful coping") -> bytes:
            started, started_cpu = time.perf_counter(), time.process_time()
            png = render_map(colour_by)
            map_times.append((time.perf_counter() - started, time.process_time() - started_cpu))
            return png

        pictures.map.render = timed
    pictures.render("harmful coping")
    map_times.clear()
    wall, cpu, step_wall = [], [], []
    for _ in range(steps):
        started, started_cpu = time.perf_counter(), time.process_time()
        model.step()
        stepped = time.perf_counter()
        pictures.render("harmful coping")
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        step_wall.append(stepped - started)
    households = sum(len(run.households) for run in model.runs.values())
    report = {"scenario": str(model.path), "households_in_all_runs": households,
              "steps": steps, "median_wall_ms": 1000 * statistics.median(wall),
              "max_wall_ms": 1000 * max(wall), "median_cpu_ms": 1000 * statistics.median(cpu),
              "median_model_step_ms": 1000 * statistics.median(step_wall)}
    if pictures.map is None:
        report["map"] = pictures.map_note
        return report
    report |= {"median_map_wall_ms": 1000 * statistics.median(t[0] for t in map_times),
               "median_map_cpu_ms": 1000 * statistics.median(t[1] for t in map_times)}
    full = []
    for _ in range(3):  # the same frame drawn from scratch (what blitting saves)
        started, started_cpu = time.perf_counter(), time.process_time()
        pictures.map.invalidate()
        render_map("harmful coping")
        full.append((time.perf_counter() - started, time.process_time() - started_cpu))
    report |= {"full_map_draw_wall_ms": 1000 * statistics.median(t[0] for t in full),
               "full_map_draw_cpu_ms": 1000 * statistics.median(t[1] for t in full)}
    return report


def in_browser(steps: int, play: int, screenshot: str | None, scenario: str | None = None) -> dict:
    import socket
    import subprocess
    import urllib.request

    from playwright.sync_api import sync_playwright

    from simulation.app.command import server_command, server_environment

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(server_command(port, host="127.0.0.1"),
                              env=server_environment(scenario), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                      "--no-first-run", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync"])
            tab = browser.new_page(viewport={"width": 1500, "height": 1900})
            tab.set_default_timeout(60_000)
            tab.goto(url)
            tab.wait_for_selector("img.prds-graph")
            latencies = []
            for _ in range(steps):
                before = tab.inner_text(".prds-step")
                started = time.perf_counter()
                tab.get_by_role("button", name="Step").click()
                tab.wait_for_function("t => document.querySelector('.prds-step').innerText !== t",
                                      arg=before)
                latencies.append(time.perf_counter() - started)
            if screenshot:
                tab.get_by_role("button", name="▶").click()
                tab.wait_for_function(
                    f"() => parseInt(document.querySelector('.prds-step').innerText.split(' ')[1])"
                    f" >= {steps + play}")
                tab.get_by_role("button", name="❚❚").click()
                tab.wait_for_selector("button:has-text('Step'):not([disabled])")
                tab.wait_for_timeout(1500)  # let the last frame arrive
                tab.screenshot(path=screenshot)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"steps": steps, "median_click_to_counter_ms": 1000 * statistics.median(latencies),
            "max_click_to_counter_ms": 1000 * max(latencies), "screenshot": screenshot}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--scenario", help="scenario YAML (default: the bundled default)")
    parser.add_argument("--browser", action="store_true", help="also measure in Chromium")
    parser.add_argument("--play", type=int, default=12, help="steps to play before the screenshot")
    parser.add_argument("--screenshot", help="save a screenshot of the app here (implies --browser)")
    args = parser.parse_args()
    report = {"machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()},
              "in_process": in_process(args.steps, args.scenario)}
    if args.browser or args.screenshot:
        report["browser"] = in_browser(args.steps, args.play, args.screenshot, args.scenario)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
