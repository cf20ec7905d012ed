"""Exports a trained model as a TensorFlow SavedModel, checked against Keras.

    python export/saved_model.py --model MODEL --out DIR [--representative DATASET_OR_DIR]
        [--image-size N] [--precision float32|bfloat16] [--overwrite]

MODEL is a training run directory, a `.keras` file, a PyTorch `.pth`/`.ckpt`
or `demo`. Writes `DIR/saved_model/1/` (signatures `animate`, `estimate_aus`,
`serving_default`; serve `DIR/saved_model` with TensorFlow Serving) and
`DIR/metadata.json`.
The same as `tfganimation export --model MODEL --out DIR --formats saved_model`.
"""

import sys

from tfganimation.cli import main

if __name__ == "__main__":
    sys.exit(main(["export", *sys.argv[1:], "--formats", "saved_model"]))
