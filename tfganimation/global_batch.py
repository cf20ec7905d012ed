"""Loss reductions and random draws over the batch of all replicas together.

GANimation's losses and random draws are defined on the global batch, so that
training on N replicas takes the same update as one device with the same
batch; `GlobalBatch` is where a replica learns its share of both.
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf


class GlobalBatch:
    """Reduces per-example losses over the batch of all replicas together.

    Each replica returns its share, `sum(local values) / global size`; the
    optimizer sums the replicas' gradients, which is the gradient of the
    mean over the global batch. The global size is summed over the replicas,
    so a last, partial evaluation batch split unevenly (or leaving a replica
    empty) is still averaged right.
    """

    def __init__(self, images):
        replica_context = tf.distribute.get_replica_context()
        self.replicas = tf.distribute.get_strategy().num_replicas_in_sync
        self.replica_id = replica_context.replica_id_in_sync_group if replica_context else 0
        self.local_size = tf.shape(images)[0]
        local_size = tf.cast(self.local_size, tf.float32)
        self.size = (
            replica_context.all_reduce(tf.distribute.ReduceOp.SUM, local_size)
            if replica_context
            else local_size
        )

    def mean(self, values):
        return tf.reduce_sum(values) / self.size

    def local_rows(self, draws):
        """This replica's rows of a tensor drawn for the whole global batch."""
        start = self.replica_id * self.local_size
        return draws[start : start + self.local_size]

    def draw(self, sample: Callable, shape, seed):
        """This replica's rows of `sample([global batch, *shape], seed=seed)`.

        `sample` is a stateless `tf.random` function: drawing for the whole
        global batch and keeping this replica's slice makes every row depend
        on (seed, row) alone, so N replicas and one device draw alike.
        """
        return self.local_rows(sample([self.local_size * self.replicas, *shape], seed=seed))

    def sum(self, values):
        return tf.reduce_sum(values)
