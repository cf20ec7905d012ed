"""Exports a trained generator as LiteRT (TFLite) files, checked against Keras.

    python export/tflite.py --model MODEL --out DIR [--variants float32,float16,dynamic,int8,...]
        [--representative DATASET_OR_DIR] [--image-size N] [--overwrite]

MODEL is a training run directory, a `.keras` file, a PyTorch `.pth`/`.ckpt`
or `demo`. Writes `DIR/generator_<variant>.tflite` (signature `animate`,
batch 1, builtin ops only, metadata embedded) and `DIR/metadata.json`. The same as
`tfganimation export --model MODEL --out DIR --formats tflite`. Add `float32_winograd`
to `--variants` for float32 on CPUs, about 1.6x faster than `float32` in a 3.5x
larger file (docs/export.md).
"""

import sys

from tfganimation.cli import main

if __name__ == "__main__":
    sys.exit(main(["export", *sys.argv[1:], "--formats", "tflite"]))
