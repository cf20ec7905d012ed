"""Live mode's frame rate on the on-device page, per stage, in headless Chromium.

    python benchmarks/web_live.py [--demo DIR] [--full-size DIR] [--threads 1,2]
        [--runs 3] [--seconds 8] [--camera-fps 60] [--full-variants int8]
        [--models demo,full-size] [--json]

Two models: the demo (`tfganimation export demo --out DIR --web`, made in DIR
if missing) and a full-size 128-px generator (conv_dim 64, 6 residual blocks,
random weights: latency does not depend on their values) exported int8 by the
project's exporter (`tfganimation export ... --variants int8`, then the page
beside it; made in DIR if missing: with random weights the int8 file may miss
its parity floor, which does not change its speed). `--full-variants
float32,float16,dynamic,int8` exports those instead (a new DIR), so that live
mode can keep the fastest of them that passed its check, as it does for any
folder a user opens. Chromium's fake camera plays a VGA clip
(`tests/test_web_page.py`'s `write_camera_clip`) at `--camera-fps` (60 by
default, above the 30-fps goal, so the camera does not cap the figure); the
page is served with COOP/COEP headers (as `benchmarks/web_inference.py`).
Each run opens the page, starts live mode (the worker keeps the fastest file
that passed its export check), lets it warm up, then counts the frames drawn
over `--seconds`; the stage times are medians over the last 30 frames
(capture, crop, inference including the hand-off to the worker, paste,
draw). The worst of `--runs` runs is reported, with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from test_browser import start_chromium, stop_chromium, wait_for  # noqa: E402
from web_inference import serve  # noqa: E402

STAGES = ("capture", "crop", "inference", "paste", "draw")
GOALS = {"demo": 30, "full-size": 15}

MEASURE = """
const [seconds, done] = [arguments[0], arguments[arguments.length - 1]];
const live = window.tfganimation.live;
live.reset();
const start = performance.now();
setTimeout(() => {
  const elapsed = (performance.now() - start) / 1000;
  const stats = live.stats();
  done({fps: live.drawn / elapsed, camera_fps: live.seen / elapsed, dropped: live.dropped,
        seen: live.seen, stages: stats.stages, file: live.model.name, threads: live.model.threads,
        trials: live.model.trials, message: window.tfganimation.message});
}, seconds * 1000);
"""


def make_demo(folder: pathlib.Path) -> None:
    if not (folder / "index.html").is_file():
        run_cli(["export", "demo", "--out", str(folder), "--web"])


def make_full_size(folder: pathlib.Path, variants: str = "int8") -> None:
    if (folder / "index.html").is_file():
        return
    import keras
    from PIL import Image

    import tfganimation
    from tfganimation.synthetic import render_face, sample_identity

    work = pathlib.Path(tempfile.mkdtemp())
    rng = np.random.default_rng(0)
    (work / "faces").mkdir()
    for index in range(16):
        face = render_face(sample_identity(rng), rng.uniform(0, 3, 17), 128)
        Image.fromarray(face).save(work / "faces" / f"{index}.png")
    keras.utils.set_random_seed(0)
    tfganimation.Generator(image_size=128, conv_dim=64, residual_blocks=6).save(work / "g.keras")
    # Random weights quantise worse than trained ones: the int8 file may miss its parity floor,
    # so `--web` writes no page; its latency is what is measured here, so the page goes beside
    # it anyway (as `export/web.py` can), marked as failed in metadata.json.
    run_cli(
        ["export", str(work / "g.keras"), "--out", str(folder), "--formats", "tflite",
         "--variants", variants, "--representative", str(work / "faces")],
        check=False,
    )
    from tfganimation.export.web import write_web_page

    write_web_page(folder, overwrite=True)


def run_cli(arguments: list[str], check: bool = True) -> None:
    print("+ tfganimation " + " ".join(arguments), flush=True)
    subprocess.run([sys.executable, "-m", "tfganimation.cli", *arguments], check=check)


def live_run(driver, url: str, threads: int, seconds: float) -> dict:
    driver.get(f"{url}?threads={threads}")
    wait_for(
        lambda: driver.execute_script(
            "const p = window.tfganimation; return p && p.state !== 'loading' && p.lastRun !== null"
            " || (p && p.message)"
        ),
        300,
        "the page",
    )
    driver.execute_script("document.getElementById('live-start').click()")
    wait_for(
        lambda: driver.execute_script(
            "const p = window.tfganimation; return p.message || (p.live.last && p.live.last.count > 30)"
        ),
        300,
        "live frames",
    )
    load_before = os.getloadavg()[0]
    result = driver.execute_async_script(MEASURE, seconds)
    result["load"] = (load_before, os.getloadavg()[0])
    if result["message"]:
        raise RuntimeError(result["message"])
    driver.execute_script("document.getElementById('live-stop').click()")
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo", type=pathlib.Path, default=ROOT / "runs" / "web_live" / "demo")
    parser.add_argument("--full-size", type=pathlib.Path, default=ROOT / "runs" / "web_live" / "full_int8")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--camera-fps", type=int, default=60)
    parser.add_argument(
        "--full-variants", default="int8", help="LiteRT variants of the full-size export (if made)"
    )
    parser.add_argument("--models", default="demo,full-size", help="which of the two to measure")
    parser.add_argument("--json", action="store_true", help="print one JSON document at the end")
    args = parser.parse_args(argv)
    models = args.models.split(",")

    from test_web_page import write_camera_clip

    if "demo" in models:
        make_demo(args.demo)
    if "full-size" in models:
        make_full_size(args.full_size, args.full_variants)
    clip = write_camera_clip(
        pathlib.Path(tempfile.mkdtemp()) / "face.y4m", frames=args.camera_fps, fps=args.camera_fps
    )
    flags = (
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={clip}",
    )
    rows = []
    full_size = "full-size " + "/".join(args.full_variants.split(","))
    for name, folder in (("demo", args.demo), (full_size, args.full_size)):
        if name.split(" ")[0] not in models:
            continue
        url, server = serve(folder)
        driver, profile = start_chromium(flags, timeout=600)
        try:
            for threads in [int(count) for count in args.threads.split(",")]:
                runs = [live_run(driver, url, threads, args.seconds) for _ in range(args.runs)]
                for run in runs:
                    print(json.dumps({"model": name, **run}), file=sys.stderr, flush=True)
                worst = min(runs, key=lambda run: run["fps"])
                rows.append(
                    {"model": name, "threads": threads, "worst_fps": worst["fps"],
                     "fps_runs": [run["fps"] for run in runs],
                     "goal_fps": GOALS[name.split(" ")[0]],
                     "camera_fps": worst["camera_fps"], "dropped": worst["dropped"],
                     "seen": worst["seen"], "file": worst["file"], "trials": worst["trials"],
                     "stages_ms": worst["stages"], "load": [run["load"] for run in runs],
                     "time": time.strftime("%Y-%m-%d %H:%M")}
                )
        finally:
            stop_chromium(driver, profile)
            server.shutdown()

    if args.json:
        print(json.dumps({"camera": {"size": [640, 480], "fps": args.camera_fps},
                          "seconds": args.seconds, "rows": rows}, indent=1))
        return 0
    print(f"\nlive mode, VGA fake camera at {args.camera_fps} fps; worst of {args.runs} runs")
    print("| model | file | threads | fps (worst; runs) | goal | " + " | ".join(STAGES)
          + " | in worker | load average |")
    print("|---|---|---|---|---|" + "---|" * len(STAGES) + "---|---|")
    for row in rows:
        stages = row["stages_ms"]
        loads = [value for pair in row["load"] for value in pair]
        print(
            f"| {row['model']} | {row['file']} | {row['threads']} | {row['worst_fps']:.1f} "
            f"({', '.join(f'{fps:.1f}' for fps in row['fps_runs'])}) | {row['goal_fps']} | "
            + " | ".join(f"{stages[stage]:.1f}" for stage in STAGES)
            + f" | {stages['model']:.1f} | {min(loads):.1f}–{max(loads):.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
