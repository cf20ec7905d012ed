"""How each step's loss terms reach `fit`'s logs: one `keras.metrics.Mean` per term.

The means are weighted by images (a partial last batch weighs less), undo the
replicas' share of each global loss, and come out in the shape Keras can
average over workers. `GANimation` owns the trackers; these functions are the
bookkeeping its steps share.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from tfganimation.distribute import is_multi_worker


def record_losses(
    trackers: dict[str, keras.metrics.Mean], terms: dict, total_name: str | None, images
) -> None:
    """Adds this step's terms (and their sum, as `total_name` unless None) to the epoch's means.

    Each step counts as many times as it has images: a partial last batch
    weighs less. The updates wait for the images: a metric's counter does
    not depend on the data otherwise, and on the step that finds a dataset
    of unknown length exhausted, graph execution would bump the counters
    before `get_next()` fails, halving what `evaluate` reports.
    """
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    with tf.control_dependencies([images]):
        batch_size = tf.cast(tf.shape(images)[0], tf.float32)
        # A replica holds its share of each global loss; the mean over
        # replicas of share × replicas is the global value.
        if total_name is not None:
            terms = {total_name: tf.add_n(list(terms.values())), **terms}
        for name, value in terms.items():
            trackers[name].update_state(value * replicas, sample_weight=batch_size)


def loss_logs(trackers: dict[str, keras.metrics.Mean]) -> dict[str, tf.Tensor]:
    """Every term's running mean, in the shape `fit` can average over replicas."""
    logs = {name: tracker.result() for name, tracker in trackers.items()}
    if is_multi_worker(tf.distribute.get_strategy()):
        # Keras 3.15 averages multi-worker logs along an axis 0 that
        # scalars lack (tensorflow/tensorflow#72388): give them one.
        logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
    return logs
