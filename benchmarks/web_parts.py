"""Where LiteRT.js spends a full-size generator's time: the network cut in parts.

    python benchmarks/web_parts.py [--out DIR] [--threads 1,2] [--runs 5] [--json]

LiteRT.js (`@litertjs/core` 2.5.3) has no per-op profiler: its compile
options are `cpuOptions.numThreads` and an accelerator, and its WebAssembly
logs only that the XNNPACK delegate was created. So the full-size generator
(128 px, conv_dim 64, 6 residual blocks; random weights, made with the seed
of `benchmarks/web_live.py`: latency does not depend on the values) is traced
through the generator's own functions in five parts (and a sixth, the
residual blocks without their norms); the five chained are first checked
against `Generator.call`, so that they are the exported graph. Each
part is converted alone as float32, dynamic and int8 (instance norms
and the AU term kept float, as `tfganimation.export.tflite.FLOAT_SCOPES`
does; calibrated on random inputs, which changes the values, not the ops):

| part | what | at |
|---|---|---|
| stem | 7×7 conv (RGB) + AU term + norm + ReLU | 128 px |
| down | two 4×4 stride-2 convs + norms | 128 → 32 px |
| bottleneck | six residual blocks (12 3×3 convs 256→256 + norms) | 32 px |
| up | two 4×4 transposed convs + norms | 32 → 128 px |
| heads | colour (7×7, 3 ch) and attention (7×7, 1 ch) convs | 128 px |
| bottleneck-convs | the bottleneck without its 12 norms (their cost, Q/DQ included) | 32 px |

Each file runs `--runs` times (after one warm-up) on constant inputs in
headless Chromium, served with COOP/COEP headers so that LiteRT.js loads its
threaded, relaxed-SIMD WebAssembly (as the isolated page does, for 1 thread
too), and then in `ai_edge_litert` (native XNNPACK) in this process. Each
part's GMAC/s comes from the multiply-accumulates of its traced convolutions
and matrix products (the converter's estimate agrees: 7.25 G for the
residual blocks, 9.77 G in all). The load average is printed with every row.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from test_browser import start_chromium, stop_chromium, wait_for  # noqa: E402
from web_inference import serve  # noqa: E402

PARTS = ("stem", "down", "bottleneck", "up", "heads", "bottleneck-convs")
VARIANTS = ("float32", "dynamic", "int8")

PROBE_PAGE = """<!doctype html><meta charset="utf-8"><title>LiteRT.js timing</title>
<script type="importmap">
{"imports": {"@litertjs/core": "./litert/index.js",
             "@litertjs/wasm-utils": "./litert/wasm-utils.js"}}
</script>
<script type="module">
import * as core from '@litertjs/core';
let loaded = null;
window.time = async (file, threads, runs) => {
  const wasm = new URL('litert/wasm/', document.baseURI).href;
  loaded = loaded || core.loadLiteRt(wasm, {threads: true});
  await loaded;
  const bytes = new Uint8Array(await (await fetch(file)).arrayBuffer());
  const options = {accelerator: 'wasm', cpuOptions: {numThreads: threads}};
  const model = await core.loadAndCompile(bytes, options);
  const times = [];
  try {
    for (let i = 0; i <= runs; i++) {
      const inputs = model.getInputDetails().map((detail) => {
        const count = detail.shape.reduce((a, b) => a * b, 1);
        const data = detail.dtype === 'uint8' ?
            new Uint8Array(count).fill(128) : new Float32Array(count).fill(0.5);
        return new core.Tensor(data, Array.from(detail.shape));
      });
      const start = performance.now();
      const outputs = await model.run(inputs);
      for (const output of outputs) output.toTypedArray();
      if (i > 0) times.push(performance.now() - start);
      for (const tensor of [...inputs, ...outputs]) tensor.delete();
    }
  } finally {
    model.delete();
  }
  return {times, isolated: crossOriginIsolated};
};
window.ready = true;
</script>
"""


def part_functions(generator):
    """`{part: (input shapes, fn)}`: the generator's forward pass, cut where the resolution changes."""
    import tensorflow as tf

    from tfganimation.au_conditioning import au_conv_term
    from tfganimation.generator import run_layers
    from tfganimation.layers import instance_normalize

    size, width = generator.image_size, generator.conv_dim
    first, norm, relu, *down = generator.encoder.layers

    def stem(images, aus):
        x = tf.nn.conv2d(images, first.kernel[:, :, :3, :], strides=1, padding="SAME")
        x = x + au_conv_term(aus, first.kernel[:, :, 3:, :], size, size)
        return relu(instance_normalize(x, norm))

    def bottleneck(x):
        for block in generator.bottleneck.layers:
            x = block(x)
        return x

    def bottleneck_convs(x):
        for block in generator.bottleneck.layers:
            x = x + block.conv_2(tf.nn.relu(block.conv_1(x)))
        return x

    quarter = size // 4
    return {
        "stem": ([[1, size, size, 3], [1, generator.n_aus]], stem),
        "down": ([[1, size, size, width]], lambda x: run_layers(down, x)),
        "bottleneck": ([[1, quarter, quarter, 4 * width]], bottleneck),
        "up": (
            [[1, quarter, quarter, 4 * width]],
            lambda x: run_layers(generator.decoder.layers, x),
        ),
        "heads": ([[1, size, size, width]], generator.heads),
        "bottleneck-convs": ([[1, quarter, quarter, 4 * width]], bottleneck_convs),
    }


def check_parts(generator, parts) -> None:
    """Raises unless the parts, chained, compute the generator's colour and attention.

    The timings stand for the exported file only if the cut is the file's
    graph: this catches a part that drifted from `Generator.call`.
    """
    import tensorflow as tf

    rng = np.random.default_rng(0)
    size = generator.image_size
    images = tf.constant(rng.uniform(-1, 1, (1, size, size, 3)), tf.float32)
    aus = tf.constant(rng.uniform(0, 5, (1, generator.n_aus)), tf.float32)
    x = parts["stem"][1](images, aus)
    for part in ("down", "bottleneck", "up"):
        x = parts[part][1](x)
    color, attention = parts["heads"][1](x)
    _, expected_color, expected_attention = generator((images, aus))
    pairs = (("color", color, expected_color), ("attention", attention, expected_attention))
    for name, got, expected in pairs:
        error = float(tf.reduce_max(tf.abs(got - expected)))
        if error > 1e-5:
            raise AssertionError(f"The parts' {name} differs from the generator's by {error}.")


def convert_part(shapes, fn, variant: str, seed: int = 0) -> tuple[bytes, float]:
    """One part as a LiteRT file, and its multiply-accumulates (GMAC, the converter's count)."""
    import tensorflow as tf
    from ai_edge_litert.interpreter import Interpreter

    from tfganimation.export.tflite import FLOAT_SCOPES, in_scopes
    from tfganimation.layers import portable_ops

    signature = [tf.TensorSpec(shape, tf.float32) for shape in shapes]
    function = tf.function(fn, input_signature=signature)
    with portable_ops():  # As the exported file has them.
        concrete = function.get_concrete_function()

    def converter():
        return tf.lite.TFLiteConverter.from_concrete_functions([concrete], function)

    float32 = converter().convert()
    gmac = macs(concrete) / 1e9
    if variant == "float32":
        return float32, gmac
    quantized = converter()
    quantized.optimizations = [tf.lite.Optimize.DEFAULT]
    if variant == "dynamic":
        return quantized.convert(), gmac
    rng = np.random.default_rng(seed)
    quantized.representative_dataset = lambda: (
        [rng.normal(0, 1, shape).astype(np.float32) for shape in shapes] for _ in range(4)
    )
    quantized.target_spec.supported_ops = [
        tf.lite.OpsSet.TFLITE_BUILTINS_INT8,
        tf.lite.OpsSet.TFLITE_BUILTINS,
    ]
    float_nodes = [
        detail["name"]
        for detail in Interpreter(model_content=float32).get_tensor_details()
        if in_scopes(detail["name"], FLOAT_SCOPES)
    ]
    debugger = tf.lite.experimental.QuantizationDebugger(
        converter=quantized,
        debug_options=tf.lite.experimental.QuantizationDebugOptions(denylisted_nodes=float_nodes),
    )
    return debugger.get_nondebug_quantized_model(), gmac


def macs(concrete) -> float:
    """Multiply-accumulates of the convolutions and matrix products in a traced function."""
    total = 0.0
    for op in concrete.graph.get_operations():
        if op.type in ("Conv2D", "Conv2DBackpropInput"):
            kernel = op.inputs[1].shape
            out = op.outputs[0].shape
            if op.type == "Conv2D":
                total += np.prod(out) * kernel[0] * kernel[1] * kernel[2]
            else:  # Each input pixel meets the whole kernel once.
                source = op.inputs[2].shape
                total += np.prod(source) * kernel[0] * kernel[1] * kernel[2]
        elif op.type in ("MatMul", "BatchMatMulV2"):
            total += np.prod(op.outputs[0].shape) * op.inputs[0].shape[-1]
    return float(total)


def in_python(path: pathlib.Path, threads: int, runs: int) -> float:
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path), num_threads=threads)
    interpreter.allocate_tensors()
    for detail in interpreter.get_input_details():
        interpreter.set_tensor(detail["index"], np.full(detail["shape"], 0.5, detail["dtype"]))
    interpreter.invoke()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        interpreter.invoke()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def copy_litert(folder: pathlib.Path) -> None:
    """LiteRT.js's files into `folder/litert/`, as `tfganimation export --web` deploys them."""
    from tfganimation.export.web import RUNTIME_FILES, RUNTIME_REWRITES

    modules = ROOT / "web" / "node_modules"
    for target, source in RUNTIME_FILES.items():
        (folder / target).parent.mkdir(parents=True, exist_ok=True)
        text = (modules / source).read_bytes()
        if target in RUNTIME_REWRITES:
            old, new = RUNTIME_REWRITES[target]
            text = text.replace(old.encode(), new.encode())
        (folder / target).write_bytes(text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=None, help="keep the part files here")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON document at the end")
    args = parser.parse_args(argv)

    import keras

    import tfganimation

    keras.utils.set_random_seed(0)
    generator = tfganimation.Generator(image_size=128, conv_dim=64, residual_blocks=6)
    folder = args.out or pathlib.Path(tempfile.mkdtemp(prefix="web-parts-"))
    folder.mkdir(parents=True, exist_ok=True)
    gmacs = {}
    parts = part_functions(generator)
    check_parts(generator, parts)
    for part, (shapes, fn) in parts.items():
        for variant in VARIANTS:
            model, gmacs[part] = convert_part(shapes, fn, variant)
            (folder / f"{part}_{variant}.tflite").write_bytes(model)
    copy_litert(folder)
    (folder / "probe.html").write_text(PROBE_PAGE)

    url, server = serve(folder)
    rows = []
    try:
        for threads in [int(count) for count in args.threads.split(",")]:
            driver, profile = start_chromium(timeout=600)
            try:
                driver.get(url + "probe.html")
                wait_for(
                    lambda: driver.execute_script("return window.ready === true"), 60, "the page"
                )
                for part in PARTS:
                    for variant in VARIANTS:
                        name = f"{part}_{variant}.tflite"
                        load_before = os.getloadavg()[0]
                        result = driver.execute_async_script(
                            "const done = arguments[arguments.length - 1];"
                            "window.time(arguments[0], arguments[1], arguments[2])"
                            ".then(done, (error) => done({error: String(error)}));",
                            name,
                            threads,
                            args.runs,
                        )
                        if "error" in result:
                            raise RuntimeError(f"{name}: {result['error']}")
                        browser = statistics.median(result["times"])
                        python = in_python(folder / name, threads, args.runs)
                        rows.append(
                            {
                                "part": part,
                                "variant": variant,
                                "threads": threads,
                                "gmac": gmacs[part],
                                "browser_ms": browser,
                                "python_ms": python,
                                "browser_gmac_s": gmacs[part] / browser * 1000,
                                "python_gmac_s": gmacs[part] / python * 1000,
                                "isolated": result["isolated"],
                                "load": (load_before, os.getloadavg()[0]),
                                "time": time.strftime("%Y-%m-%d %H:%M"),
                            }
                        )
                        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
            finally:
                stop_chromium(driver, profile)
    finally:
        server.shutdown()

    if args.json:
        print(json.dumps({"runs": args.runs, "rows": rows}, indent=1))
        return 0
    print(f"\nfull-size generator in parts, {args.runs} runs each (median)")
    print(
        "| part | GMAC | variant | threads | LiteRT.js ms | GMAC/s | Python LiteRT ms | GMAC/s"
        " | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['part']} | {row['gmac']:.2f} | {row['variant']} | {row['threads']} | "
            f"{row['browser_ms']:.1f} | {row['browser_gmac_s']:.1f} | {row['python_ms']:.1f} | "
            f"{row['python_gmac_s']:.1f} | {row['load'][0]:.1f}–{row['load'][1]:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
