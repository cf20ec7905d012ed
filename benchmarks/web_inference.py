"""In-browser latency of the on-device page (LiteRT.js, WebAssembly) beside Python's LiteRT.

    python benchmarks/web_inference.py SITE [--variants float32,dynamic] [--threads 1,2]
        [--runs 30]

SITE is a folder written by `tfganimation export MODEL --out SITE --web` (or
`python export/web.py`). It is served on 127.0.0.1 with the COOP/COEP
headers (the page's `isolation.js` gives the same under `python -m
http.server`; sent directly here, no reload is needed), opened in headless
Chromium (Debian's `chromium` + `chromium-driver`, flags of
`tests/test_browser.py`), and each variant runs `--runs` times per thread
count on the page's example face with the `happy` preset, through the page's
own `Animator.run` (input copies + `animate` + output copies). The first run
after compiling is reported apart (warm-up). `ai_edge_litert` then times the
same file, inputs and thread counts in this process. The load average is
printed with every row: on a shared machine, it says how much the figures
are worth.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import pathlib
import statistics
import sys
import threading
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))
from test_browser import free_port, start_chromium, stop_chromium, wait_for  # noqa: E402

RUN_IN_PAGE = """
const [runs, done] = [arguments[0], arguments[arguments.length - 1]];
const page = window.tfganimation;
const aus = Float32Array.from(page.folder.metadata.presets.happy);
(async () => {
  const times = [];
  for (let i = 0; i < runs; i++) times.push((await page.animator.run(page.pixels, aus)).ms);
  done({times, threads: page.animator.threads, first: page.runs[0],
        isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency});
})().catch((error) => done({error: String(error)}));
"""


class _IsolatedHandler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()

    def log_message(self, *args):
        pass


def serve(folder: pathlib.Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    port = free_port()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(_IsolatedHandler, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}/", server


def in_browser(driver, url: str, variant: str, threads: int, runs: int) -> dict:
    driver.get(f"{url}?variant={variant}&threads={threads}")
    wait_for(
        lambda: driver.execute_script(
            "const p = window.tfganimation;"
            "return p && (p.state === 'error' || (p.state === 'ready' && p.lastRun !== null));"
        ),
        120,
        f"the page with {variant}",
    )
    state, message = driver.execute_script(
        "return [window.tfganimation.state, window.tfganimation.message]"
    )
    if state != "ready":
        raise RuntimeError(f"The page did not load {variant}: {message}")
    result = driver.execute_async_script(RUN_IN_PAGE, runs)
    if "error" in result:
        raise RuntimeError(result["error"])
    return result


def screenshot(driver, url: str, path: pathlib.Path) -> None:
    """The page as it opens, after a click on the `happy` preset."""
    from selenium.webdriver.common.by import By

    driver.set_window_size(1280, 1000)
    driver.get(url)
    wait_for(
        lambda: driver.execute_script("return window.tfganimation.lastRun !== null"), 120, "a run"
    )
    driver.find_element(By.CSS_SELECTOR, "button[data-preset=happy]").click()
    wait_for(
        lambda: driver.execute_script(
            "const run = window.tfganimation.lastRun; return run.aus.some((v) => v > 0);"
        ),
        120,
        "the happy edit",
    )
    driver.execute_script("window.scrollTo(0, 0)")
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))


def in_python(path: pathlib.Path, image: np.ndarray, aus: np.ndarray, threads: int, runs: int):
    from ai_edge_litert.interpreter import Interpreter

    animate = Interpreter(model_path=str(path), num_threads=threads).get_signature_runner("animate")
    animate(image=image, aus=aus)  # Warm-up.
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        animate(image=image, aus=aus)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=pathlib.Path)
    parser.add_argument("--variants", default=None, help="default: every file metadata.json lists")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--screenshot",
        type=pathlib.Path,
        default=None,
        help="also save the page (default file and threads, happy preset) here",
    )
    args = parser.parse_args(argv)

    metadata = json.loads((args.site / "metadata.json").read_text())
    files = metadata["litert"]["files"]
    variants = args.variants.split(",") if args.variants else list(files)
    thread_counts = [int(count) for count in args.threads.split(",")]
    size = metadata["image_size"]
    from PIL import Image

    face = Image.open(args.site / "example.png").convert("RGB")
    side = min(face.size)
    image = np.asarray(face.crop((0, 0, side, side)).resize((size, size), Image.BICUBIC))[None]
    aus = np.asarray(metadata["presets"]["happy"], np.float32)[None]

    url, server = serve(args.site)
    driver, profile = start_chromium(timeout=600)
    rows = []
    try:
        for variant in variants:
            for threads in thread_counts:
                load_before = os.getloadavg()[0]
                page = in_browser(driver, url, variant, threads, args.runs)
                python = in_python(args.site / files[variant], image, aus, threads, args.runs)
                rows.append(
                    {
                        "variant": variant,
                        "size_mb": (args.site / files[variant]).stat().st_size / 1e6,
                        "threads": page["threads"],
                        "browser_ms": statistics.median(page["times"]),
                        "browser_first_ms": page["first"],
                        "python_ms": statistics.median(python),
                        "load": (load_before, os.getloadavg()[0]),
                        "isolated": page["isolated"],
                        "cores": page["cores"],
                    }
                )
                print(json.dumps(rows[-1]), flush=True)
        if args.screenshot:
            screenshot(driver, url, args.screenshot)
    finally:
        stop_chromium(driver, profile)
        server.shutdown()

    print(f"\n{metadata['image_size']} px, {args.runs} runs each (median); happy preset")
    print("| file | MB | threads | browser ms | first run ms | Python LiteRT ms | load average |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['variant']} | {row['size_mb']:.2f} | {row['threads']} | "
            f"{row['browser_ms']:.1f} | {row['browser_first_ms']:.1f} | {row['python_ms']:.1f} | "
            f"{row['load'][0]:.1f}–{row['load'][1]:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
