"""Distribution strategies for training, and a `tf.cond` that works under them."""

from __future__ import annotations

from typing import Callable

import tensorflow as tf

from tfganimation.choices import STRATEGIES


def make_strategy(name: str = "default") -> tf.distribute.Strategy:
    """The `tf.distribute.Strategy` called `name`.

    * `"default"`: one device, no distribution.
    * `"mirrored"`: `MirroredStrategy`, one replica per local GPU (or the CPU).
    * `"multiworker"`: `MultiWorkerMirroredStrategy`; every worker runs the
      same command with its own `TF_CONFIG` (see docs/training_at_scale.md).

    Create it before the model, and build the model under `strategy.scope()`.
    """
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multiworker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ValueError(f"strategy must be one of {STRATEGIES}. Received: strategy={name!r}")


def is_multi_worker(strategy: tf.distribute.Strategy) -> bool:
    """Whether `strategy` spans several workers (hosts or processes)."""
    return (
        isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
        and len(strategy.extended.worker_devices) < strategy.num_replicas_in_sync
    )


def run_if(predicate: tf.Tensor, fn: Callable, *args) -> None:
    """Runs `fn(*args)` on every replica when `predicate` holds.

    A plain `tf.cond` inside `strategy.run` cannot hold an optimizer update:
    `MirroredStrategy` (and the multi-worker one) aggregate gradients through
    `merge_call`, which is not allowed inside a replica's control flow. So,
    like Keras' `LossScaleOptimizer`, this takes the condition in the
    cross-replica context and runs `fn` from there on every replica. The
    predicate must have the same value on every replica (e.g. computed from
    a mirrored step counter); the first replica's value is used.

    Without a strategy, or where the strategy needs no `merge_call` (XLA on
    GPUs), it is a plain `tf.cond`. `fn`'s return value is discarded.
    """

    def call():
        fn(*args)
        return tf.constant(True)

    if (
        not tf.distribute.has_strategy()
        or tf.__internal__.distribute.strategy_supports_no_merge_call()
    ):
        tf.cond(predicate, call, lambda: tf.constant(False))
        return

    def cross_replica(strategy, predicate, *args):
        def call_on_every_replica():
            strategy.extended.call_for_each_replica(fn, args=args)
            return tf.constant(True)

        first_replica_predicate = strategy.experimental_local_results(predicate)[0]
        tf.cond(first_replica_predicate, call_on_every_replica, lambda: tf.constant(False))

    tf.distribute.get_replica_context().merge_call(cross_replica, args=(predicate, *args))
