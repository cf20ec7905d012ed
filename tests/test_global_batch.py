"""`GlobalBatch`: the reductions and draws a replica takes its share of."""

import numpy as np
import tensorflow as tf

from tfganimation.global_batch import GlobalBatch


def test_mean_divides_by_the_global_batch_and_sum_does_not():
    batch = GlobalBatch(tf.zeros([4, 2, 2, 3]))
    values = tf.constant([1.0, 2.0, 3.0, 6.0])
    assert float(batch.size) == 4.0
    assert float(batch.mean(values)) == 3.0
    assert float(batch.sum(values)) == 12.0


def test_draw_is_the_whole_batch_draw_on_one_device_and_keyed_on_the_seed():
    batch = GlobalBatch(tf.zeros([3, 2, 2, 3]))
    seed = tf.constant([7, 11], tf.int64)
    drawn = batch.draw(tf.random.stateless_uniform, [1, 1, 1], seed)
    np.testing.assert_array_equal(drawn, tf.random.stateless_uniform([3, 1, 1, 1], seed=seed))
    other = batch.draw(tf.random.stateless_uniform, [1, 1, 1], seed + 1)
    assert not np.array_equal(drawn, other)
