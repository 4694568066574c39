#!/usr/bin/env python3
"""The page `swiftlearn serve` shows at `/`, in headless Chromium: it loads without console
errors, a chat message streams a reply into the page (the text grows while it arrives), and the
predict form returns predictions for a saved model.

Usage: scripts/serve/check_page.py --binary .build/release/swiftlearn --llm MODEL.gguf --model-file NAME=PATH
Exits 1 naming the failed step. Needs chromium and chromedriver (Debian: chromium chromium-driver).
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from check_plots import console_errors, make_driver  # noqa: E402  (the same browser set-up as the Plot check)
from serve.servers import free_port, stop, wait_ready  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", default=".build/release/swiftlearn")
    p.add_argument("--llm", required=True)
    p.add_argument("--model-file", required=True)
    args = p.parse_args()
    port = free_port()
    proc = subprocess.Popen([args.binary, "serve", "--llm", args.llm, "--model-file", args.model_file, "--port", str(port)],
                            stderr=open(os.devnull, "w"))
    driver = None
    try:
        wait_ready(proc, port)
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait
        driver = make_driver()
        driver.get(f"http://127.0.0.1:{port}/")
        wait = WebDriverWait(driver, 60)
        wait.until(lambda d: "language model:" in d.find_element(By.ID, "status").text)
        status = driver.find_element(By.ID, "status").text
        assert "SmolLM2" in status or os.path.basename(args.llm).split(".")[0] in status, status

        # Chat: the reply must arrive in several steps (streamed), and end as a complete line. A
        # MutationObserver installed before sending records every text the page writes into the log,
        # so the count does not depend on how often WebDriver polls (a short, fast reply could
        # otherwise finish between two polls and look unstreamed).
        driver.execute_script("""
            window.__assistantLengths = [];
            new MutationObserver(records => {
              for (const r of records) {
                const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
                if (el && el.classList.contains("assistant")) window.__assistantLengths.push(el.textContent.length);
              }
            }).observe(document.getElementById("log"), { childList: true, subtree: true, characterData: true });
        """)
        driver.find_element(By.ID, "chat-input").send_keys("Write two sentences about the sea.")
        driver.find_element(By.ID, "chat-send").click()
        deadline = time.time() + 90
        while time.time() < deadline:
            errors = driver.find_elements(By.CSS_SELECTOR, "#log .error")
            if errors:
                raise AssertionError(f"chat error in the page: {errors[-1].text}")
            if driver.execute_script("return document.body.dataset.replies") == "1":
                break
            time.sleep(0.05)
        else:
            raise AssertionError("no complete reply within 90 s")
        lengths = driver.execute_script("return window.__assistantLengths")
        reply = driver.find_elements(By.CSS_SELECTOR, "#log .assistant")[-1].text
        assert reply.startswith("assistant: ") and len(reply) > len("assistant: ") + 3, reply
        growing = [n for n in lengths if n > 0]
        assert len(set(growing)) >= 3, f"the reply did not stream (lengths seen: {growing})"

        # Predict: the form is pre-filled from the model's schema; the answer lists predictions.
        wait.until(lambda d: d.find_element(By.ID, "predict-rows").get_attribute("value").startswith("{"))
        driver.find_element(By.ID, "predict-send").click()
        wait.until(lambda d: d.find_element(By.ID, "predict-result").text.strip() != "")
        result = json.loads(driver.find_element(By.ID, "predict-result").text)
        assert "predictions" in result and len(result["predictions"]) == 1, result

        errors = console_errors(driver)
        assert not errors, f"console errors: {errors}"
        print(f"page ok: chat reply streamed in {len(set(growing))} steps ({len(reply)} chars), prediction {result['predictions'][0]!r}, no console errors")
    finally:
        if driver:
            driver.quit()
        stop(proc)


if __name__ == "__main__":
    main()
