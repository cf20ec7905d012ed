"""Loss terms: analytic values and the reference's reductions."""

import numpy as np
import tensorflow as tf

from tfganimation import losses


class LinearCritic:
    """D(x) = w · <u, x> with ‖u‖ = 1, so ‖∇ₓD‖ = |w| everywhere."""

    def __init__(self, shape, w):
        direction = np.random.default_rng(0).normal(size=shape).astype("float32")
        self.u = tf.constant(direction / np.linalg.norm(direction))
        self.w = tf.Variable(w, dtype=tf.float32)

    def __call__(self, images, training=False):
        scores = self.w * tf.reduce_sum(images * self.u, axis=(1, 2, 3))
        return tf.reshape(scores, (-1, 1, 1, 1)), None


def test_gradient_penalty_equals_analytic_value():
    critic = LinearCritic((16, 16, 3), w=3.0)
    real = tf.random.normal((4, 16, 16, 3))
    fake = tf.random.normal((4, 16, 16, 3))
    alpha = tf.random.uniform((4, 1, 1, 1))
    penalty = losses.gradient_penalty(critic, real, fake, alpha)
    np.testing.assert_allclose(penalty, np.full(4, (3.0 - 1.0) ** 2), rtol=1e-5)


def test_gradient_penalty_is_differentiable_in_the_critic_weights():
    critic = LinearCritic((8, 8, 3), w=3.0)
    real, fake = tf.random.normal((2, 8, 8, 3)), tf.random.normal((2, 8, 8, 3))
    with tf.GradientTape() as tape:
        penalty = tf.reduce_mean(losses.gradient_penalty(critic, real, fake, tf.fill((2, 1, 1, 1), 0.5)))
    # d/dw (|w| - 1)^2 = 2 (w - 1) = 4 at w = 3: needs the nested tape.
    np.testing.assert_allclose(tape.gradient(penalty, critic.w), 4.0, rtol=1e-4)


def test_attention_total_variation_is_an_l1_sum():
    attention = np.zeros((2, 4, 4, 1), "float32")
    attention[0, :, 2:, 0] = 1.0  # one vertical edge, 4 pixels tall
    attention[1, 1, 1, 0] = 0.5  # an isolated dot: 4 neighbours differ by 0.5
    np.testing.assert_allclose(losses.attention_total_variation(attention), [4.0, 2.0])


def test_per_example_reductions():
    predicted = np.array([[0.0, 1.0], [1.0, 1.0]], "float32")
    target = np.zeros((2, 2), "float32")
    np.testing.assert_allclose(losses.au_regression_error(predicted, target), [0.5, 1.0])
    scores = np.arange(8, dtype="float32").reshape(2, 2, 2, 1)
    np.testing.assert_allclose(losses.realness(scores), [1.5, 5.5])
    np.testing.assert_allclose(
        losses.cycle_error(np.ones((1, 2, 2, 3), "float32"), np.zeros((1, 2, 2, 3), "float32")), [1.0]
    )
    np.testing.assert_allclose(losses.attention_mean(np.full((1, 3, 3, 1), 0.25, "float32")), [0.25])
