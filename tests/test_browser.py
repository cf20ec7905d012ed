"""The viewer in a real browser: `streamlit run`, headless Chromium, an upload and a slider.

Needs Chromium and its driver (Debian: `apt-get install -y chromium
chromium-driver`) and `selenium`; skipped, with the reason, where any is
missing. Nothing is downloaded: Selenium gets the driver's path, so its
driver manager never runs.

Environment:
    TFGANIMATION_SCREENSHOT: also save the final screenshot here (the
        README's `docs/viewer.png` is made this way).
    TFGANIMATION_SCREENSHOT_MODEL: show this model instead of the test's
        tiny untrained one (e.g. `runs/quickstart/run`, for the README).
"""

import contextlib
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest
from conftest import tiny_ganimation
from PIL import Image

from tfganimation import streamlit_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APP = pathlib.Path(__file__).resolve().parents[1] / "streamlit_app" / "app.py"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1440,1280",
)
SERVER_START_SECONDS = 90
"""Streamlit starts in seconds, but the first page load also imports TensorFlow and MTCNN."""
STEP_SECONDS = 90
"""Longest wait for any one change on the page."""


def missing_browser() -> str | None:
    """Why this test cannot run here, or `None`."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install selenium)"
    for program in (CHROMIUM, CHROMEDRIVER):
        if not os.access(program, os.X_OK):
            return f"{program} not found (apt-get install -y chromium chromium-driver)"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, seconds: float, what: str, interval: float = 0.25):
    """Polls `condition()` until it is truthy, for at most `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"Gave up after {seconds:g} s waiting for {what}.")


@pytest.fixture(scope="module")
def model_path(tmp_path_factory) -> str:
    chosen = os.environ.get("TFGANIMATION_SCREENSHOT_MODEL")
    if chosen:
        return os.path.abspath(chosen)
    path = tmp_path_factory.mktemp("browser_model") / "tiny.keras"
    tiny_ganimation().save(path)
    return str(path)


@pytest.fixture
def server(model_path, tmp_path):
    """`streamlit run streamlit_app/app.py -- --model PATH` on a free port; stopped afterwards."""
    reason = missing_browser()
    if reason:
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--",
        "--model",
        model_path,
    ]
    url = f"http://127.0.0.1:{port}"
    with running_server(
        command,
        cwd=tmp_path,  # No runs/ here: the sidebar lists only the given model.
        log_path=tmp_path / "streamlit.log",
        health_url=f"{url}/_stcore/health",
        seconds=SERVER_START_SECONDS,
    ):
        yield url


@contextlib.contextmanager
def running_server(
    command: list[str], cwd, log_path: pathlib.Path, health_url: str, seconds: float
):
    """Runs `command` (`python -m MODULE ...`) until the block ends, once `health_url` answers.

    Its output goes to `log_path`, shown in the error if it exits early.

    The server runs the checkout's package, not an installed one (its cwd is
    not the checkout), in its own process group, stopped as one afterwards.
    """
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**os.environ, "PYTHONPATH": str(APP.parents[1])},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for(
                lambda: process.poll() is not None or healthy(health_url), seconds, command[2]
            )
            if process.poll() is not None:
                raise RuntimeError(f"{command[2]} exited: {log_path.read_text()[-3000:]}")
            yield
        finally:
            stop(process)


def healthy(url: str) -> bool:
    """Whether `url` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def stop(process: subprocess.Popen) -> None:
    """Ends the server and anything it started: SIGTERM, then SIGKILL after 10 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def start_chromium(extra_flags=(), timeout: float = STEP_SECONDS):
    """Headless Debian Chromium under Selenium, with a throw-away profile: `(driver, profile)`."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, *extra_flags):
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="tfganimation-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(timeout)
    driver.set_script_timeout(timeout)
    return driver, profile


def stop_chromium(driver, profile: str) -> None:
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser(server):
    driver, profile = start_chromium()
    try:
        yield driver
    finally:
        stop_chromium(driver, profile)


class Page:
    """What the test reads off the Streamlit page."""

    def __init__(self, driver):
        self.driver = driver

    def image_src(self, caption: str) -> str | None:
        """The `src` of the image with this caption; each new image gets a new URL."""
        return self.driver.execute_script(
            """
            for (const element of document.querySelectorAll('[data-testid=stImageCaption]')) {
                if (element.innerText.trim() === arguments[0]) {
                    const image = element.parentElement.querySelector('img');
                    return image && image.complete && image.naturalWidth > 0 ? image.src : null;
                }
            }
            return null;
            """,
            caption,
        )

    def idle(self) -> bool:
        """The script has finished its run (Streamlit marks the app's root element)."""
        return self.driver.execute_script(
            "const app = document.querySelector('[data-testid=stApp]');"
            "return app !== null && app.getAttribute('data-test-script-state') === 'notRunning';"
        )

    def errors(self) -> list[str]:
        from selenium.webdriver.common.by import By

        found = self.driver.find_elements(
            By.CSS_SELECTOR, "[data-testid=stAlert], [data-testid=stException]"
        )
        return [element.text for element in found]


def test_upload_a_photo_and_move_a_slider_in_chromium(browser, server, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    page = Page(browser)
    photo = tmp_path / "portrait.png"
    Image.fromarray(streamlit_page.example_photo("Synthetic face 2").image).save(photo)

    browser.get(server)
    example_src = wait_for(
        lambda: page.image_src("Edited photo"), STEP_SECONDS, "the example's edit"
    )

    # 1. Upload a photo.
    browser.find_element(
        By.XPATH, "//label[@data-testid='stRadioOption'][.//p[text()='Upload']]"
    ).click()
    file_input = wait_for(
        lambda: browser.find_elements(By.CSS_SELECTOR, "input[type=file]"),
        STEP_SECONDS,
        "the uploader",
    )[0]
    file_input.send_keys(str(photo))
    uploaded_src = wait_for(
        lambda: (
            page.idle()
            and page.image_src("Edited photo") not in (None, example_src)
            and page.image_src("Edited photo")
        ),
        STEP_SECONDS,
        "the uploaded photo's edit",
    )
    assert (
        "portrait.png" in browser.find_element(By.CSS_SELECTOR, "[data-testid=stFileUploader]").text
    )
    assert page.errors() == []

    # 2. Move the AU12 (smile) slider with the keyboard.
    slider = browser.find_element(
        By.CSS_SELECTOR, "input[type=range][aria-label='AU12 Lip Corner Puller']"
    )
    before = float(slider.get_attribute("value"))
    browser.execute_script("arguments[0].focus()", slider)
    slider.send_keys(*[Keys.ARROW_RIGHT] * 25)
    wait_for(
        lambda: float(slider.get_attribute("value")) > before, STEP_SECONDS, "the slider to move"
    )
    wait_for(
        lambda: page.idle() and page.image_src("Edited photo") not in (None, uploaded_src),
        STEP_SECONDS,
        "the edit after moving the slider",
    )
    assert float(slider.get_attribute("value")) == pytest.approx(min(5.0, before + 2.5), abs=0.05)
    # Each panel is its own <img>: after a rerun the browser may still be loading some of them.
    for caption in ("Original face", "Edited face", "Attention (white: kept)", "Colour (painted)"):
        wait_for(lambda caption=caption: page.image_src(caption), STEP_SECONDS, caption)
    assert page.errors() == []

    # 3. Keep a screenshot: always in the test's folder, and where asked.
    wait_for(page.idle, STEP_SECONDS, "the page to settle")
    screenshot = tmp_path / "viewer.png"
    assert browser.save_screenshot(str(screenshot))
    assert Image.open(screenshot).size[0] >= 1000
    wanted = os.environ.get("TFGANIMATION_SCREENSHOT")
    if wanted:
        pathlib.Path(wanted).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(screenshot, wanted)
