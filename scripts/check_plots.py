#!/usr/bin/env python3
"""Checks the Plot module's charts as a person sees them: in headless Chromium.

1. Renders the sample charts and report page:
   SWIFTLEARN_PLOT_OUTPUT=<dir> swift test -c release --skip-build --filter PlotSamples
   (build first with `swift build -c release --build-tests`, or pass --build).
2. Opens every chart's SVG file and the HTML report in headless Chromium (selenium + the system
   chromedriver: Debian's `chromium chromium-driver`, `pip install selenium`), and asserts:
   no console errors; the document is an SVG / the report has every chart and no external
   resource; the expected elements exist (bars, markers, cells, curves, legend text); every text
   lies inside its SVG (nothing clipped); x tick labels do not overlap each other; the legend
   covers no data marker; the report does not overflow horizontally on a 400 px wide screen.
3. Saves one screenshot per chart type as docs/images/chart-<type>.png (each < 150 KB) and a
   full-page screenshot of the report into the output directory.

Exit status 0 when every check passes, 1 otherwise; every check is printed.

Usage: python3 scripts/check_plots.py [--output DIR] [--images DIR | --no-images] [--build]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHART_TYPES = ["line", "scatter", "bar", "histogram", "heatmap", "roc"]
MAX_PNG_BYTES = 150 * 1024

# Per chart type: CSS selector -> expected count (int) or (min, max); legend labels expected.
EXPECTED = {
    "line": {"counts": {"polyline.series-line": 2, "g.legend": 1}, "legend": ["train", "validation"]},
    "scatter": {"counts": {".data .marker": 240, "g.legend": 1},
                "legend": ["cluster 0", "cluster 1", "cluster 2", "cluster 3"]},
    "bar": {"counts": {"rect.bar": 12, "text.value-label": (1, 12), "g.legend": 1},
            "legend": ["logistic regression", "random forest", "k-nearest neighbours"]},
    "histogram": {"counts": {"rect.bar": (10, 30)}, "legend": []},
    "heatmap": {"counts": {"rect.cell": 9, "text.cell-value": 9, "rect.colorbar-step": 48}, "legend": []},
    "roc": {"counts": {"polyline.roc-curve": 2, "line.chance-line": 1, "g.legend": 1},
            "legend": ["gradient boosting (AUC =", "naive Bayes (AUC =", "Chance (AUC = 0.500)"]},
}

# JavaScript helpers run in the page.
JS_TEXT_OUTSIDE = """
const svg = arguments[0]; const box = svg.getBoundingClientRect(); const bad = [];
for (const t of svg.querySelectorAll('text')) {
  const r = t.getBoundingClientRect();
  if (r.width === 0) continue;
  if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
    bad.push(t.textContent);
}
return bad;"""

JS_TICK_OVERLAPS = """
const svg = arguments[0]; const bad = [];
for (const group of svg.querySelectorAll('g.x-ticks, g.category-labels, g.column-labels, g.y-ticks, g.row-labels')) {
  const rs = Array.from(group.querySelectorAll('text')).map(t => [t.textContent, t.getBoundingClientRect()]);
  for (let i = 0; i < rs.length; i++) for (let j = i + 1; j < rs.length; j++) {
    const a = rs[i][1], b = rs[j][1];
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
      bad.push(rs[i][0] + ' / ' + rs[j][0]);
  }
}
return bad;"""

JS_LEGEND_COVERS = """
const svg = arguments[0]; const legend = svg.querySelector('g.legend > rect');
if (!legend) return 0;
const l = legend.getBoundingClientRect(); let n = 0;
for (const m of svg.querySelectorAll('.data .marker, .data rect.bar')) {
  const r = m.getBoundingClientRect(); const cx = (r.left + r.right) / 2, cy = (r.top + r.bottom) / 2;
  if (cx > l.left && cx < l.right && cy > l.top && cy < l.bottom) n++;
}
return n;"""


class Checker:
    def __init__(self):
        self.failures = 0
        self.passes = 0

    def check(self, condition, what):
        print(("  ok    " if condition else "  FAIL  ") + what, flush=True)
        if condition:
            self.passes += 1
        else:
            self.failures += 1
        return condition


def render_samples(output, build):
    if build:
        subprocess.run(["swift", "build", "-c", "release", "--build-tests"], cwd=ROOT, check=True)
    env = dict(os.environ, SWIFTLEARN_PLOT_OUTPUT=str(output))
    cmd = ["swift", "test", "-c", "release", "--skip-build", "--filter", "PlotSamples"]
    print("== rendering samples:", "SWIFTLEARN_PLOT_OUTPUT=%s" % output, " ".join(cmd), flush=True)
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout[-4000:], result.stderr[-4000:])
        sys.exit("sample rendering failed")


def make_driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    browser = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    driver_path = shutil.which("chromedriver")
    if not browser or not driver_path:
        sys.exit("needs chromium and chromedriver (Debian: apt-get install -y chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--hide-scrollbars",
                 "--force-device-scale-factor=2", "--window-size=1000,800", "--lang=en-US", "--font-render-hinting=none"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=driver_path), options=options)


def console_errors(driver):
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def check_svg_common(driver, c, svg, name):
    outside = driver.execute_script(JS_TEXT_OUTSIDE, svg)
    c.check(not outside, f"{name}: every text inside the chart {'' if not outside else outside}")
    overlaps = driver.execute_script(JS_TICK_OVERLAPS, svg)
    c.check(not overlaps, f"{name}: no overlapping tick/category labels {'' if not overlaps else overlaps[:5]}")
    covered = driver.execute_script(JS_LEGEND_COVERS, svg)
    c.check(covered == 0, f"{name}: legend covers no data point ({covered} covered)")
    labels = [t.text for t in svg.find_elements("css selector", "g.tick-labels text")]
    noisy = [t for t in labels if "0000000" in t or "9999999" in t]
    c.check(not noisy, f"{name}: tick labels are clean ({', '.join(labels[:8])}{' …' if len(labels) > 8 else ''})")


def check_charts(driver, c, samples, images):
    from selenium.webdriver.common.by import By
    for name in CHART_TYPES:
        path = samples / f"chart-{name}.svg"
        print(f"== chart-{name}.svg", flush=True)
        if not c.check(path.exists(), f"{path.name} was rendered"):
            continue
        driver.get(path.as_uri())
        c.check(driver.execute_script("return document.documentElement.tagName") == "svg", f"{name}: parses as an SVG document")
        errors = console_errors(driver)
        c.check(not errors, f"{name}: no console errors {errors if errors else ''}")
        svg = driver.find_element(By.CSS_SELECTOR, "svg")
        spec = EXPECTED[name]
        for selector, expected in spec["counts"].items():
            n = len(svg.find_elements(By.CSS_SELECTOR, selector))
            ok = (expected[0] <= n <= expected[1]) if isinstance(expected, tuple) else n == expected
            c.check(ok, f"{name}: {n} × '{selector}' (expected {expected})")
        legend_text = " | ".join(t.text for t in svg.find_elements(By.CSS_SELECTOR, "g.legend text"))
        for label in spec["legend"]:
            c.check(label in legend_text, f"{name}: legend shows '{label}'")
        title = svg.find_elements(By.CSS_SELECTOR, "text.title")
        c.check(len(title) == 1 and title[0].text, f"{name}: title '{title[0].text if title else ''}'")
        check_svg_common(driver, c, svg, name)
        if images:
            target = images / f"chart-{name}.png"
            svg.screenshot(str(target))
            size = target.stat().st_size
            c.check(size < MAX_PNG_BYTES, f"{name}: screenshot {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target} ({size // 1024} KB < 150 KB)")


def check_report(driver, c, samples, expected_charts):
    from selenium.webdriver.common.by import By
    path = samples / "report.html"
    print("== report.html", flush=True)
    if not c.check(path.exists(), "report.html was rendered"):
        return
    driver.set_window_size(1000, 800)
    driver.get(path.as_uri())
    errors = console_errors(driver)
    c.check(not errors, f"report: no console errors {errors if errors else ''}")
    svgs = driver.find_elements(By.CSS_SELECTOR, "figure.chart svg")
    c.check(len(svgs) == expected_charts, f"report: {len(svgs)} inline SVG charts (expected {expected_charts})")
    c.check(not driver.find_elements(By.CSS_SELECTOR, "svg.chart-error"), "report: no chart drew an error")
    resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    c.check(not resources, f"report: self-contained, no external resources {resources if resources else ''}")
    c.check(not driver.find_elements(By.CSS_SELECTOR, "script, link, img, iframe"), "report: no script/link/img/iframe")
    rows = driver.find_elements(By.CSS_SELECTOR, "table tbody tr")
    c.check(len(rows) == 3, f"report: table has {len(rows)} rows (expected 3)")
    c.check(len(driver.find_elements(By.CSS_SELECTOR, "td.num")) >= 4, "report: numeric cells right-aligned (td.num)")
    para = driver.find_element(By.CSS_SELECTOR, "main p").text
    c.check("<Text> & \"quotes\"" in para, "report: escaped text shows as written")
    for i, svg in enumerate(svgs):
        outside = driver.execute_script(JS_TEXT_OUTSIDE, svg)
        overlaps = driver.execute_script(JS_TICK_OVERLAPS, svg)
        covered = driver.execute_script(JS_LEGEND_COVERS, svg)
        caption = svg.find_element(By.XPATH, "..").find_element(By.CSS_SELECTOR, "figcaption").text
        c.check(not outside and not overlaps and covered == 0,
                f"report: {caption}: text inside, labels apart, legend clear"
                + (f" (outside {outside}, overlaps {overlaps[:3]}, covered {covered})" if outside or overlaps or covered else ""))
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1000, min(height + 100, 16000))
    driver.save_screenshot(str(samples / "report.png"))
    print(f"  (full-page screenshot: {samples / 'report.png'})")
    driver.set_window_size(400, 800)
    overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    c.check(overflow <= 0, f"report: no horizontal overflow at 400 px width ({overflow} px)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, help="directory for the rendered samples (default: a temporary one)")
    parser.add_argument("--images", type=Path, default=ROOT / "docs" / "images", help="where chart-<type>.png go")
    parser.add_argument("--no-images", action="store_true", help="do not write docs/images")
    parser.add_argument("--build", action="store_true", help="run swift build -c release --build-tests first")
    args = parser.parse_args()
    samples = (args.output or Path(tempfile.mkdtemp(prefix="swiftlearn-plots-"))).resolve()
    samples.mkdir(parents=True, exist_ok=True)
    images = None if args.no_images else args.images.resolve()
    if images:
        images.mkdir(parents=True, exist_ok=True)
    render_samples(samples, args.build)
    expected_charts = len([p for p in samples.glob("chart-*.svg")])
    c = Checker()
    driver = make_driver()
    try:
        print("browser:", driver.capabilities.get("browserName"), driver.capabilities.get("browserVersion"), flush=True)
        check_charts(driver, c, samples, images)
        check_report(driver, c, samples, expected_charts)
    finally:
        driver.quit()
    print(f"check_plots: {c.passes} passed, {c.failures} failed")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
