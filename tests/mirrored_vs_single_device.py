"""Trains the same tiny GANimation on one device and on two mirrored replicas.

Run by `test_distribute.py` in its own process: the two logical CPU
devices must be configured before TensorFlow initialises its devices,
which a pytest process has long done. Prints one JSON line: the largest
weight difference, the largest weight change, the step counts and both
runs' logs (from `fit` and from `evaluate`).
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

tf.config.set_logical_device_configuration(
    tf.config.list_physical_devices("CPU")[0], [tf.config.LogicalDeviceConfiguration()] * 2
)

import keras  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from conftest import random_batches, tiny_ganimation  # noqa: E402


def adam():
    # epsilon=1e-3 instead of 1e-7: with Adam's default, weights whose true
    # gradient is exactly 0 (the generator's first kernel, centre tap, on the
    # constant AU planes: instance norm removes their output) move by
    # ±lr · rounding noise / 1e-7, i.e. up to 6e-5 apart between any two
    # summation orders. A larger epsilon keeps the update a smooth function
    # of the gradient, and sensitive to its scale (a wrong reduction shows).
    return keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.999, epsilon=1e-3)


def train(strategy):
    with strategy.scope():
        model = tiny_ganimation(seed=0)
        model.compile(g_optimizer=adam(), d_optimizer=adam(), jit_compile=False)
    initial = [np.array(w) for w in model.trainable_weights]
    data = random_batches(n_batches=6, batch_size=4)
    history = model.fit(data, epochs=1, verbose=0)
    evaluation = model.evaluate(data, verbose=0, return_dict=True)
    weights = [np.array(w) for w in model.trainable_weights]
    change = max(float(np.max(np.abs(after - before))) for after, before in zip(weights, initial))
    return {
        "weights": weights,
        "change": change,
        "fit": {name: values[-1] for name, values in history.history.items()},
        "evaluate": evaluation,
        "global_step": int(np.array(model.global_step)),
        "generator_steps": int(np.array(model.g_optimizer.iterations)),
        "replicas": strategy.num_replicas_in_sync,
    }


single = train(tf.distribute.get_strategy())
mirrored = train(tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]))
difference = max(
    float(np.max(np.abs(a - b))) for a, b in zip(single.pop("weights"), mirrored.pop("weights"))
)
print(json.dumps({"max_weight_difference": difference, "single": single, "mirrored": mirrored}))
