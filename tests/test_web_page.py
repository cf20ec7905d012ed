"""The on-device page (`web/`) in headless Chromium, checked against Python's LiteRT.

A tiny generator is exported (float32 and int8) with the page beside it by
`tfganimation export ... --web DIR`, and DIR is served with `python -m
http.server`, exactly as docs/on_device.md deploys it. The page runs each
file on a fixed photo and preset in LiteRT.js (WebAssembly); its output must
match `ai_edge_litert` running the same file on the same inputs: float32 within
1 level of 255 at 99.9% of the pixels, int8 above its documented PSNR floor
(`parity.PSNR_FLOORS["int8"]`).
Bad model folders, model files and photos must each get one message on the
page; a photo from Chromium's test-pattern camera must be cropped and edited.

Needs Chromium, its driver and selenium (see `test_browser.py`, whose
helpers this reuses) and LiteRT.js in `web/node_modules` (`npm ci` in `web/`,
which `.ci/run` does); skipped, with the reason, where any is missing.
"""

import base64
import decimal
import json
import pathlib
import shutil
import sys

import numpy as np
import pytest
from conftest import TINY
from PIL import Image
from test_browser import (
    free_port,
    missing_browser,
    running_server,
    start_chromium,
    stop_chromium,
    wait_for,
)

STEP_SECONDS = 120
"""Longest wait for any one change on the page (a page load compiles ~9 MB of WebAssembly;
seconds alone, much longer where higher-priority jobs hold both cores)."""
FAKE_CAMERA_FLAGS = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")
"""Chromium's fake camera (fed from `write_camera_clip`'s file), allowed without asking."""
CLIP_SIZE, CLIP_FPS, CLIP_FRAMES = (640, 480), 30, 30
"""The fake camera's clip: VGA, a synthetic face in the centred square, a bar moving beside it."""
FLOAT32_LEVELS, FLOAT32_SHARE = 1, 0.999
"""float32: at most 1 level of 255 apart at 99.9% of the values."""

ENCODE = """
const encode = (array) => {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
};
"""
"""A typed array as base64, for the scripts that read the page's arrays back."""

READ_RUN = ENCODE + """
const run = window.tfganimation && window.tfganimation.lastRun;
if (!run) return null;
const canvas = document.getElementById('edited-canvas');
const shown = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
return {
  file: run.file, variant: run.variant, threads: run.threads, aus: run.aus, ms: run.ms,
  input: encode(run.input), image: encode(run.image), attention: encode(run.attention),
  color: encode(run.color), shown: encode(shown),
  timing: document.getElementById('timing').textContent,
};
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A tiny export with the page beside it; skips with the reason where the page cannot run."""
    from tfganimation.export.web import page_sources

    reason = missing_browser()
    try:
        page_sources()
    except FileNotFoundError as error:
        reason = reason or str(error)
    if reason:
        print(f"SKIP: {reason}")
        pytest.skip(reason)

    import keras

    import tfganimation
    from tfganimation import cli

    root = tmp_path_factory.mktemp("web")
    faces = root / "faces"
    faces.mkdir()
    rng = np.random.default_rng(0)
    for index in range(6):
        image = rng.integers(0, 256, (48, 48, 3), dtype=np.uint8)
        Image.fromarray(image).save(faces / f"{index}.png")
    keras.utils.set_random_seed(0)
    tfganimation.Generator(**TINY).save(root / "generator.keras")
    folder = root / "site"
    status = cli.main(
        [
            "export",
            "--model",
            str(root / "generator.keras"),
            "--out",
            str(root / "export"),
            "--formats",
            "tflite",
            "--variants",
            "float32,float32_winograd,int8",
            "--representative",
            str(faces),
            "--calibration-images",
            "4",
            "--parity-images",
            "1",
            "--web",
            str(folder),
        ]
    )
    assert status == 0

    # Bad model folders, beside the good one.
    (folder / "no_metadata").mkdir()
    shutil.copyfile(folder / "generator_float32.tflite", folder / "no_metadata" / "model.tflite")
    other = folder / "other_size"
    other.mkdir()
    shutil.copyfile(folder / "generator_float32.tflite", other / "generator_float32.tflite")
    metadata = json.loads((folder / "metadata.json").read_text())
    metadata["image_size"] = 2 * TINY["image_size"]
    metadata["litert"]["files"] = {"float32": "generator_float32.tflite"}
    (other / "metadata.json").write_text(json.dumps(metadata))
    return folder


@pytest.fixture(scope="module")
def server(site, tmp_path_factory):
    """`python -m http.server` in the folder: the whole deployment."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with running_server(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=site,
        log_path=tmp_path_factory.mktemp("server") / "http.log",
        health_url=url,
        seconds=30,
    ):
        yield url


@pytest.fixture(scope="module")
def browser(server, tmp_path_factory):
    clip = write_camera_clip(tmp_path_factory.mktemp("camera") / "face.y4m")
    flags = (*FAKE_CAMERA_FLAGS, f"--use-file-for-fake-video-capture={clip}")
    driver, profile = start_chromium(flags, timeout=STEP_SECONDS)
    try:
        yield driver
    finally:
        stop_chromium(driver, profile)


def write_camera_clip(path: pathlib.Path, frames: int = CLIP_FRAMES, fps: int = CLIP_FPS) -> pathlib.Path:
    """A Y4M clip for Chromium's fake camera: a still face in the centred square, motion outside it.

    The face (`tfganimation.synthetic`, neutral) fills the square live mode crops, so every
    crop is the same picture and a change in the edit can only come from the AUs; a white bar
    moves down the left margin, so every frame differs.
    """
    import cv2

    from tfganimation.synthetic import render_face, sample_identity

    width, height = CLIP_SIZE
    face = render_face(sample_identity(np.random.default_rng(1)), np.zeros(17), height)
    with open(path, "wb") as clip:
        clip.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for index in range(frames):
            frame = np.full((height, width, 3), 40, np.uint8)
            left = (width - height) // 2
            frame[:, left : left + height] = face
            top = (index * height // frames) % (height - 40)
            frame[top : top + 40, 10:60] = 255
            clip.write(b"FRAME\n" + cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420).tobytes())
    return path


def page_state(browser) -> tuple[str, str] | None:
    return browser.execute_script(
        "const page = window.tfganimation; return page ? [page.state, page.message] : null"
    )


def open_page(browser, url: str) -> None:
    """Loads the page; waits until the model is compiled or a message is shown."""
    browser.get(url)
    wait_for(
        lambda: (state := page_state(browser)) and (state[0] != "loading" or state[1]),
        STEP_SECONDS,
        f"{url} to load",
    )


def read_run(browser) -> dict | None:
    run = browser.execute_script(READ_RUN)
    if run is None:
        return None
    for name, dtype in (
        ("input", np.uint8),
        ("image", np.uint8),
        ("attention", np.float32),
        ("color", np.uint8),
        ("shown", np.uint8),
    ):
        run[name] = np.frombuffer(base64.b64decode(run[name]), dtype)
    return run


def wait_for_run(browser, file: str, aus: np.ndarray, input_pixels: np.ndarray) -> dict:
    def ready():
        run = read_run(browser)
        return (
            run is not None
            and run["file"] == file
            and np.allclose(run["aus"], aus)
            and np.array_equal(run["input"], input_pixels.ravel())
            and run
        )

    return wait_for(ready, STEP_SECONDS, f"the page to run {file}")


def python_litert(path: pathlib.Path, image: np.ndarray, aus: np.ndarray) -> dict:
    from ai_edge_litert.interpreter import Interpreter

    animate = Interpreter(model_path=str(path), num_threads=1).get_signature_runner("animate")
    return animate(image=image[None], aus=aus[None].astype(np.float32))


def message(browser) -> str:
    from selenium.webdriver.common.by import By

    element = browser.find_element(By.ID, "message")
    return element.text if element.is_displayed() else ""


@pytest.mark.browser
@pytest.mark.slow
def test_page_matches_python_litert_on_float32_float32_winograd_and_int8(
    browser, server, site, tmp_path
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from tfganimation.aus import preset
    from tfganimation.export.parity import PSNR_FLOORS

    size = TINY["image_size"]
    open_page(browser, server + "?variant=float32")
    assert page_state(browser) == ["ready", ""], message(browser)
    # isolation.js made the page cross-origin isolated: the threaded runtime is running.
    assert browser.execute_script("return crossOriginIsolated && tfganimation.runtime.threaded")

    # A fixed photo, 16 px wider than tall: the centred square is its middle, unscaled.
    rng = np.random.default_rng(7)
    photo = rng.integers(0, 256, (size, size + 16, 3), dtype=np.uint8)
    Image.fromarray(photo).save(tmp_path / "photo.png")
    crop = photo[:, 8 : 8 + size]
    browser.find_element(By.ID, "photo-file").send_keys(str(tmp_path / "photo.png"))
    happy = preset("happy")
    browser.find_element(By.CSS_SELECTOR, "button[data-preset=happy]").click()

    for variant in ("float32", "float32_winograd", "int8"):
        if variant != "float32":
            Select(browser.find_element(By.ID, "variant")).select_by_value(variant)
        file = f"generator_{variant}.tflite"
        run = wait_for_run(browser, file, happy, crop)
        expected = python_litert(site / file, crop, happy)

        # What the page shows is what the model returned.
        shown = run["shown"].reshape(size, size, 4)
        np.testing.assert_array_equal(shown[..., :3].ravel(), run["image"])
        assert run["ms"] > 0 and f"On-device inference: {to_fixed(run['ms'], 1)} ms" in run["timing"]
        assert file in run["timing"]

        for name in ("image", "color"):
            levels = np.abs(run[name].astype(int) - expected[name].astype(int).ravel())
            mse = np.mean(levels.astype(float) ** 2)
            psnr = np.inf if mse == 0 else 10 * np.log10(255**2 / mse)
            print(
                f"{variant} {name}: max |Δ| {levels.max()} levels, "
                f"{np.mean(levels <= FLOAT32_LEVELS):.2%} within 1, PSNR {psnr:.1f} dB "
                f"against ai_edge_litert; page {run['ms']:.1f} ms on {run['threads']} threads"
            )
            if variant != "int8":
                assert np.mean(levels <= FLOAT32_LEVELS) >= FLOAT32_SHARE, (name, levels.max())
            else:
                assert psnr >= PSNR_FLOORS["int8"], (name, psnr)
        attention = np.abs(run["attention"] - expected["attention"].ravel()) * 255
        print(f"{variant} attention: max |Δ| {attention.max():.3g} levels of 255")
        if variant != "int8":
            assert np.mean(attention <= FLOAT32_LEVELS) >= FLOAT32_SHARE, attention.max()
    assert page_state(browser) == ["ready", ""]


@pytest.mark.browser
@pytest.mark.slow
def test_bad_inputs_get_one_clear_message(browser, server, site, tmp_path):
    from selenium.webdriver.common.by import By

    size = TINY["image_size"]
    open_page(browser, server + "?model=no_metadata/")
    assert page_state(browser)[0] == "error"
    assert "No metadata.json in /no_metadata/" in message(browser)

    open_page(browser, server + "?model=other_size/")
    assert page_state(browser)[0] == "error"
    text = message(browser)
    assert f"takes {size}×{size} images, but metadata.json says {2 * size}×{2 * size}" in text

    open_page(browser, server)
    assert page_state(browser) == ["ready", ""]
    # Model files from the device: a .tflite without its metadata.json, then both.
    model_files = browser.find_element(By.ID, "model-files")
    model_files.send_keys(str(site / "generator_int8.tflite"))
    wait_for(lambda: message(browser), STEP_SECONDS, "the message about metadata.json")
    assert message(browser).startswith("No metadata.json among the chosen files")
    model_files.send_keys(f"{site / 'metadata.json'}\n{site / 'generator_int8.tflite'}")
    wait_for(
        lambda: (run := read_run(browser)) and run["file"] == "generator_int8.tflite",
        STEP_SECONDS,
        "the chosen int8 file to run",
    )
    assert message(browser) == "" and "from the chosen files" in browser.find_element(
        By.ID, "model-status"
    ).text

    upload = browser.find_element(By.ID, "photo-file")
    not_an_image = tmp_path / "notes.jpg"
    not_an_image.write_text("not a photo")
    upload.send_keys(str(not_an_image))
    wait_for(lambda: message(browser), STEP_SECONDS, "the message about a non-image")
    assert message(browser).startswith("notes.jpg is not an image this browser can read")

    too_large = tmp_path / "huge.png"
    Image.new("RGB", (6000, 4200), (128, 128, 128)).save(too_large)  # 25.2 MP, a small file.
    upload.send_keys(str(too_large))
    wait_for(lambda: "megapixels" in message(browser), STEP_SECONDS, "the message about size")
    assert message(browser) == (
        "huge.png is 6000×4200 (25.2 megapixels); this page takes photos up to 24 megapixels."
    )
    # One message at a time, and the page is still there.
    assert len(browser.find_elements(By.CSS_SELECTOR, "[role=alert]:not([hidden])")) == 1
    assert page_state(browser)[0] == "ready"


@pytest.mark.browser
@pytest.mark.slow
def test_camera_photo_is_cropped_and_edited(browser, server):
    from selenium.webdriver.common.by import By

    open_page(browser, server)
    assert page_state(browser) == ["ready", ""]
    before = read_run(browser)
    browser.find_element(By.ID, "camera-start").click()
    take = browser.find_element(By.ID, "camera-take")
    wait_for(take.is_displayed, STEP_SECONDS, "the camera to start")
    wait_for(
        lambda: browser.execute_script("return document.getElementById('camera').videoWidth > 0"),
        STEP_SECONDS,
        "a camera frame",
    )
    take.click()

    def camera_run():
        run = read_run(browser)
        return run if not np.array_equal(run["input"], before["input"]) else None

    after = wait_for(camera_run, STEP_SECONDS, "the camera photo's edit")
    assert after["input"].size == before["input"].size and message(browser) == ""
    browser.find_element(By.ID, "camera-stop").click()
    assert not take.is_displayed()


READ_LIVE = ENCODE + """
const live = window.tfganimation.live;
const last = live.last;
if (!last) return null;
return {
  count: last.count, file: last.file, variant: last.variant, aus: last.aus, strength: last.strength,
  input: encode(last.input), image: encode(last.image), attention: encode(last.attention),
  trials: live.model.trials, stats: live.stats(), running: live.running,
  text: document.getElementById('live-stats').textContent,
};
"""


def to_fixed(value: float, digits: int) -> str:
    """JavaScript's `value.toFixed(digits)`: the exact binary value, ties rounded up
    (Python's format rounds an exact tie such as 4.25 to even: "4.2" where the page shows "4.3")."""
    exact = decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-digits), decimal.ROUND_HALF_UP)
    return f"{exact:.{digits}f}"


def read_live(browser) -> dict | None:
    live = browser.execute_script(READ_LIVE)
    if live is not None:
        for name, dtype in (("input", np.uint8), ("image", np.uint8), ("attention", np.float32)):
            live[name] = np.frombuffer(base64.b64decode(live[name]), dtype)
    return live


def wait_for_live(browser, after: int, what: str, **expected) -> dict:
    """The first live frame drawn after frame `after` whose fields equal `expected`."""

    def ready():
        live = read_live(browser)
        return (
            live is not None
            and live["count"] > after
            and all(np.allclose(live[key], value) for key, value in expected.items())
            and live
        )

    return wait_for(ready, STEP_SECONDS, what)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(float) - b.astype(float)) ** 2)
    return np.inf if mse == 0 else 10 * np.log10(255**2 / mse)


@pytest.mark.browser
@pytest.mark.slow
def test_live_mode_edits_the_camera_stream(browser, server, site, tmp_path):
    import av
    from selenium.webdriver.common.by import By

    from tfganimation.aus import preset
    from tfganimation.export.parity import PSNR_FLOORS

    size = TINY["image_size"]
    open_page(browser, server)
    assert page_state(browser) == ["ready", ""], message(browser)
    browser.find_element(By.ID, "live-start").click()
    first = wait_for_live(browser, 0, "live frames")
    live = wait_for_live(browser, first["count"] + 10, "ten more live frames")
    assert live["running"] and message(browser) == ""
    # The worker timed every file (all passed their export check) and kept the fastest.
    trials = {trial["variant"]: trial["ms"] for trial in live["trials"]}
    assert set(trials) == {"float32", "float32_winograd", "int8"}
    assert trials[live["variant"]] == min(trials.values())
    stats = live["stats"]
    assert stats["drawn"] >= 11 and stats["seen"] >= stats["drawn"]
    assert all(stats["stages"][stage] is not None for stage in ("capture", "crop", "inference"))
    assert "fps (camera" in live["text"] and "paste" in live["text"]

    # A processed frame is Python's LiteRT on the same crop and AUs, within the file's floor.
    expected = python_litert(site / live["file"], live["input"].reshape(size, size, 3), np.zeros(17))
    if live["variant"] in ("float32", "float32_winograd"):
        levels = np.abs(live["image"].astype(int) - expected["image"].astype(int).ravel())
        assert np.mean(levels <= FLOAT32_LEVELS) >= FLOAT32_SHARE, levels.max()
    else:
        assert psnr(live["image"], expected["image"].ravel()) >= PSNR_FLOORS[live["variant"]]

    # A preset changes the next frames; the crop is the same still face, so only the AUs did.
    browser.find_element(By.CSS_SELECTOR, "button[data-preset=happy]").click()
    happy = wait_for_live(browser, live["count"], "a frame with the happy AUs", aus=preset("happy"))
    np.testing.assert_array_equal(happy["input"], live["input"])
    assert not np.array_equal(happy["image"], live["image"])

    # Recording: a WebM of the edited frames that decodes.
    browser.find_element(By.ID, "record-start").click()
    wait_for_live(browser, happy["count"] + 20, "frames to record")
    browser.find_element(By.ID, "record-stop").click()
    link = browser.find_element(By.ID, "record-download")
    wait_for(link.is_displayed, STEP_SECONDS, "the download link")
    assert link.get_attribute("download") == "tfganimation-live.webm"
    data = browser.execute_async_script(
        "const done = arguments[0]; const reader = new FileReader();"
        "reader.onload = () => done(reader.result.split(',')[1]);"
        "reader.readAsDataURL(window.tfganimation.recording);"
    )
    video = tmp_path / "live.webm"
    video.write_bytes(base64.b64decode(data))
    with av.open(str(video)) as container:
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    assert len(frames) >= 5 and frames[-1].shape == (CLIP_SIZE[1], CLIP_SIZE[0], 3)

    # A camera that stops: one message, live mode off.
    browser.execute_script(
        "window.tfganimation.live.stream.getVideoTracks().forEach((track) => track.stop())"
    )
    wait_for(lambda: message(browser), STEP_SECONDS, "the message about the camera")
    assert message(browser).startswith("The camera stopped sending pictures")
    assert browser.find_element(By.ID, "live-start").is_displayed()


@pytest.mark.browser
@pytest.mark.slow
def test_live_mode_without_a_camera_says_why(browser, server):
    from selenium.webdriver.common.by import By

    open_page(browser, server)
    for name, why in (
        ("NotAllowedError", "permission to use the camera was refused"),
        ("NotFoundError", "no camera was found"),
    ):
        browser.execute_script(
            "navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('', arguments[0]))",
            name,
        )
        browser.find_element(By.ID, "live-start").click()
        wait_for(lambda: message(browser), STEP_SECONDS, f"the message for {name}")
        assert message(browser) == f"The camera did not start: {why}. Choose a photo instead."
        assert browser.find_element(By.ID, "live-start").is_displayed()
        assert page_state(browser)[0] == "ready"
        browser.execute_script("document.getElementById('message').hidden = true")


@pytest.mark.browser
@pytest.mark.slow
def test_live_paste_matches_python_paste_face(browser, server):
    """web/paste.js against tfganimation.faces.paste on the same square, edit and attention."""
    from tfganimation.faces.crop import FaceCrop
    from tfganimation.faces.paste import paste_face

    open_page(browser, server)
    rng = np.random.default_rng(3)
    size, side = 32, 120
    region = rng.integers(0, 256, (side, side, 3), dtype=np.uint8)
    crop = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
    edited = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
    attention = np.ones((size, size), np.float32)
    attention[18:26, 8:24] = rng.uniform(0, 0.6, (8, 16))  # A mouth the model repainted.
    for strength in (1.0, 0.4, 0.0):
        pasted = browser.execute_async_script(
            """
            const [region, crop, edited, attention, side, size, strength, done] = arguments;
            import('./paste.js').then(({pasteSquare}) => {
              const rgba = new Uint8ClampedArray(side * side * 4);
              for (let i = 0; i < side * side; i++) {
                for (let c = 0; c < 3; c++) rgba[4 * i + c] = region[3 * i + c];
              }
              pasteSquare(rgba, side, Uint8Array.from(crop), Uint8Array.from(edited),
                          Float32Array.from(attention), size, strength);
              done(Array.from(rgba.filter((_, i) => i % 4 !== 3)));
            });
            """,
            region.ravel().tolist(), crop.ravel().tolist(), edited.ravel().tolist(),
            attention.ravel().tolist(), side, size, strength,
        )
        pasted = np.asarray(pasted, np.uint8).reshape(side, side, 3)
        if strength == 0:
            np.testing.assert_array_equal(pasted, region)
            continue
        scale = size / side
        transform = np.array([[scale, 0, 0.5 * scale - 0.5], [0, scale, 0.5 * scale - 0.5]])
        face_crop = FaceCrop(image=crop, transform=transform, face=None, photo_shape=(side, side))
        # Strength s scales the paste's weight: the same as pasting a change s times as large
        # where nothing was repainted; compare at full strength exactly, partial in spirit.
        if strength == 1:
            expected = paste_face(region, face_crop, edited, attention)
            levels = np.abs(pasted.astype(int) - expected.astype(int))
            changed = np.any(expected != region, axis=-1).mean()
            print(f"paste.js vs paste_face: max |Δ| {levels.max()}, {np.mean(levels <= 1):.2%} "
                  f"within 1 level; {changed:.0%} of the square changed")
            assert changed > 0.05
            assert levels.max() <= 1, levels.max()  # Measured: 0 (identical).
            assert np.array_equal(pasted[:4], region[:4])  # The feathered border: untouched.
        else:
            full = np.abs(expected.astype(int) - region.astype(int)).sum()
            partial = np.abs(pasted.astype(int) - region.astype(int)).sum()
            assert 0.2 * full < partial < 0.7 * full


# `write_web_page` and `--web` without a browser.


def fake_export(folder: pathlib.Path, files: dict[str, str]) -> pathlib.Path:
    folder.mkdir(parents=True)
    (folder / "metadata.json").write_text(json.dumps({"litert": {"files": files}}))
    for name in files.values():
        (folder / name).write_bytes(b"TFL3")
    return folder


def fake_web_source(folder: pathlib.Path, version: str = "2.5.3") -> pathlib.Path:
    from tfganimation.export import web

    for name in web.PAGE_FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(name)
    (folder / "package.json").write_text(
        json.dumps({"dependencies": {web.RUNTIME_PACKAGE: "2.5.3"}})
    )
    modules = folder / "node_modules"
    for path in web.RUNTIME_FILES.values():
        (modules / path).parent.mkdir(parents=True, exist_ok=True)
        (modules / path).write_text(f'import {{x}} from "@litertjs/wasm-utils"; // {path}')
    (modules / web.RUNTIME_PACKAGE / "package.json").write_text(json.dumps({"version": version}))
    return folder


def test_write_web_page_copies_page_runtime_and_model(tmp_path):
    from tfganimation.export.web import EXAMPLE_FILE, RUNTIME_FILES, write_web_page

    export = fake_export(tmp_path / "export", {"float32": "generator_float32.tflite"})
    source = fake_web_source(tmp_path / "web")
    written = write_web_page(export, tmp_path / "site", web_source=source)
    site = tmp_path / "site"
    for name in ["index.html", "metadata.json", "generator_float32.tflite", EXAMPLE_FILE]:
        assert (site / name).is_file(), name
    assert set(RUNTIME_FILES) <= {str(path.relative_to(site)) for path in written}
    assert Image.open(site / EXAMPLE_FILE).size == (256, 256)
    # The Web Worker has no import map: LiteRT.js's bare import points at its file.
    assert 'from "./wasm-utils.js"' in (site / "litert/index.js").read_text()
    with pytest.raises(FileExistsError, match="--overwrite"):
        write_web_page(export, site, web_source=source)
    write_web_page(export, site, web_source=source, overwrite=True)
    # Into the export folder itself: the model files stay where they are.
    write_web_page(export, web_source=source)
    assert (export / "index.html").is_file()


def test_write_web_page_says_what_is_missing(tmp_path):
    from tfganimation.export.web import write_web_page

    source = fake_web_source(tmp_path / "web")
    with pytest.raises(FileNotFoundError, match="No metadata.json"):
        write_web_page(tmp_path, tmp_path / "site", web_source=source)
    with pytest.raises(ValueError, match="lists no LiteRT files"):
        write_web_page(fake_export(tmp_path / "e1", {}), web_source=source)
    export = fake_export(tmp_path / "e2", {"int8": "generator_int8.tflite"})
    (export / "generator_int8.tflite").unlink()
    with pytest.raises(FileNotFoundError, match="generator_int8.tflite, missing from"):
        write_web_page(export, web_source=source)
    export = fake_export(tmp_path / "e3", {"int8": "generator_int8.tflite"})
    with pytest.raises(FileNotFoundError, match="2.4.0 is installed, but web/package.json pins"):
        write_web_page(export, web_source=fake_web_source(tmp_path / "old", version="2.4.0"))
    shutil.rmtree(source / "node_modules")
    with pytest.raises(FileNotFoundError, match="run `npm ci` in"):
        write_web_page(export, web_source=source)
    assert not (export / "index.html").exists()


def test_export_web_option_fails_before_exporting(tmp_path, capsys, monkeypatch):
    from tfganimation import cli
    from tfganimation.export import web

    out = tmp_path / "out"
    command = ["export", "--model", str(tmp_path / "missing.keras"), "--out", str(out)]
    status = cli.main([*command, "--formats", "saved_model", "--web"])
    assert status != 0
    assert "--web needs the tflite format" in capsys.readouterr().err
    monkeypatch.setattr(web, "WEB_SOURCE", tmp_path / "no_web")
    status = cli.main([*command, "--web"])
    assert status != 0
    assert "The page's sources are not in" in capsys.readouterr().err
    assert not out.exists()
