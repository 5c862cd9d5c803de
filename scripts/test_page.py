#!/usr/bin/env python3
"""The page at / in a real browser: headless Chromium (Debian's chromium + chromium-driver) driven
by selenium uploads the JFK dev clip to a real `sotto serve`, waits for the streamed segments and
checks the rendered transcript, the timestamps and the time / real-time-factor line. Saves a
screenshot to docs/serving-page.png when --screenshot is given. Run by scripts/test.sh.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_server import JFK, JFK_WORDS, ROOT, Server  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,800"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


def main():
    server = Server()
    driver = browser()
    try:
        driver.get(server.base + "/")
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#model option"))
        assert [o.text for o in driver.find_elements(By.CSS_SELECTOR, "#model option")] == ["tiny.en"]
        driver.find_element(By.ID, "file").send_keys(JFK)
        WebDriverWait(driver, 30).until(lambda d: "en_jfk.wav" in d.find_element(By.ID, "audio-info").text)
        driver.find_element(By.ID, "run").click()
        WebDriverWait(driver, 300).until(lambda d: d.find_element(By.ID, "stats").get_attribute("data-done"))
        segments = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#segments li")]
        transcript = " ".join(segments).lower()
        assert JFK_WORDS in transcript, segments
        assert segments[0].startswith("[0:00.00 →"), segments
        stats = driver.find_element(By.ID, "stats").text
        assert " s · real-time factor " in stats, stats
        print(f"page: {len(segments)} segments rendered, '{stats}': ok")
        # Words: verbose_json with word timestamps, each word's times in its title (shown on hover).
        Select(driver.find_element(By.ID, "format")).select_by_value("words")
        driver.find_element(By.ID, "run").click()
        WebDriverWait(driver, 300).until(lambda d: d.find_element(By.ID, "stats").get_attribute("data-done"))
        words = driver.find_elements(By.CSS_SELECTOR, "#segments .word")
        assert JFK_WORDS in " ".join(w.text for w in words).lower(), [w.text for w in words]
        assert all(" → " in w.get_attribute("title") for w in words), [w.get_attribute("title") for w in words]
        print(f"page: {len(words)} words with their times: ok")
        if "--screenshot" in sys.argv:
            path = os.path.join(ROOT, "docs", "serving-page.png")
            driver.save_screenshot(path)
            print(f"wrote {path}")
    except BaseException:
        print(server.output()[-3000:], file=sys.stderr)
        raise
    finally:
        driver.quit()
        server.stop()


if __name__ == "__main__":
    main()
