#!/usr/bin/env python3
"""The run-comparison pages of `swiftlearn track serve` in headless Chromium.

    python3 scripts/ops/check_tracking_page.py --binary .build/release/swiftlearn

Starts the server on a fresh store, logs runs into it the way users do (`learn fit --track` twice
with different settings, `train --recipe mlp-digits --track` twice for metric histories), then
loads `/` and `/compare?experiment_id=…` and checks: no console errors; the experiment list
links each experiment; the run table has one row per run and marks the differing parameter; the
parallel-coordinates chart draws one line per run; one line chart per metric with one line per
run; every chart's text stays inside it (the Plot check's measures). Exits 1 on a failed check.
Needs chromium and chromedriver (Debian: chromium chromium-driver).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from check_plots import JS_TEXT_OUTSIDE, console_errors, make_driver  # noqa: E402  (the Plot check's browser set-up)


def check(condition, what):
    if not condition:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {what}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", default=".build/release/swiftlearn")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen([args.binary, "track", "serve", "--store", os.path.join(tmp, "store"), "--port", "0"],
                                  stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        driver = None
        try:
            line = server.stderr.readline()
            m = re.search(r"listening on (http://[\d.]+:\d+)", line)
            check(m is not None, f"track serve listens ({line.strip()})")
            uri = m.group(1)
            data = "Sources/Datasets/Data/penguins.csv"
            for n in ("10", "40"):
                subprocess.run([args.binary, "learn", "fit", "--model", "random-forest", "--train", data, "--target", "species",
                                "--seed", "1", "--set", f"n_estimators={n}", "--track", uri, "--experiment", "forests"],
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for lr in ("0.002", "0.01"):
                subprocess.run([args.binary, "train", "--recipe", "mlp-digits", "--epochs", "4", "--lr", lr, "--plot", "none",
                                "--track", uri, "--experiment", "digits"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            from selenium.webdriver.common.by import By
            driver = make_driver()
            driver.get(uri + "/")
            links = {a.text: a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#experiments a")}
            check({"forests", "digits"} <= set(links), f"the index links the experiments ({sorted(links)})")
            errors = console_errors(driver)
            check(not errors, f"the index page: no console errors {errors or ''}")
            for name, runs in (("forests", 2), ("digits", 2)):
                driver.get(links[name])
                errors = console_errors(driver)
                check(not errors, f"{name}: no console errors {errors or ''}")
                table = driver.find_element(By.CSS_SELECTOR, "table")
                rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
                check(len(rows) == runs, f"{name}: the run table has {len(rows)} rows")
                headers = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
                marked = "n_estimators *" if name == "forests" else "learning_rate *"
                check(marked in headers, f"{name}: the differing parameter is marked ({marked})")
                svgs = driver.find_elements(By.CSS_SELECTOR, "svg.swiftlearn-chart")
                parallel = [s for s in svgs if "parallel-coordinates-chart" in s.get_attribute("class")]
                check(len(parallel) == 1, f"{name}: one parallel-coordinates chart")
                lines = parallel[0].find_elements(By.CSS_SELECTOR, "polyline.series-line")
                check(len({l.get_attribute("data-name") for l in lines}) == runs, f"{name}: it draws a line per run ({len(lines)} segments)")
                charts = [s for s in svgs if s not in parallel]
                check(len(charts) >= 1, f"{name}: {len(charts)} metric charts")
                if name == "digits":
                    loss = [s for s in charts if s.find_element(By.TAG_NAME, "title").get_attribute("textContent") == "val_loss"]
                    check(len(loss) == 1 and len(loss[0].find_elements(By.CSS_SELECTOR, "polyline.series-line")) == runs,
                          "digits: val_loss by step, one line per run")
                for s in svgs:
                    outside = driver.execute_script(JS_TEXT_OUTSIDE, s)
                    check(not outside, f"{name}: chart '{s.find_element(By.TAG_NAME, 'title').get_attribute('textContent')}' keeps its text inside {outside or ''}")
        finally:
            if driver:
                driver.quit()
            server.terminate()
            server.wait(timeout=20)
    print("the tracking pages pass in Chromium")


if __name__ == "__main__":
    main()
