"""GANimation's loss terms, each returned per example.

Every function returns one value per example (shape `[N]`) rather than a
batch mean, so that `GANimation` can reduce over the *global* batch when the
batch is split across replicas: the update on N replicas then equals the
update on one device with the same global batch. The weights (gp 10,
AU 4000, cycle 10, attention 0.1 and 1e-5) are applied by the model.
"""

from __future__ import annotations

import tensorflow as tf
from keras import ops


def realness(scores):
    """Mean critic score over the patches of each image (the WGAN value)."""
    return ops.mean(scores, axis=(1, 2, 3))


def au_regression_error(predicted_aus, target_aus):
    """Squared error of the AU regression, averaged over the AUs.

    The reference computes `MSELoss` (a mean over batch and AUs) and then
    divides it by the batch size once more before weighting by 4000; the
    model applies that extra division, so at batch 25 the effective weight
    is 160.
    """
    return ops.mean(ops.square(predicted_aus - target_aus), axis=-1)


def cycle_error(reconstructed, images):
    """L1 distance between G(G(x, y_g), y_r) and x, averaged over pixels."""
    return ops.mean(ops.abs(reconstructed - images), axis=(1, 2, 3))


def attention_mean(attention):
    """Mean attention of each image.

    Minimising it pushes A towards 0, i.e. towards painting with C; the
    adversarial and cycle losses push back wherever the input must be kept,
    which stops the attention from saturating to 1 (a generator that copies
    its input).
    """
    return ops.mean(attention, axis=(1, 2, 3))


def attention_total_variation(attention):
    """L1 total variation of each attention map, summed over pixels.

    The reference sums (it does not average) over pixels and over the batch;
    the model therefore sums this over the batch too.
    """
    dx = ops.abs(attention[:, :, 1:, :] - attention[:, :, :-1, :])
    dy = ops.abs(attention[:, 1:, :, :] - attention[:, :-1, :, :])
    return ops.sum(dx, axis=(1, 2, 3)) + ops.sum(dy, axis=(1, 2, 3))


def gradient_penalty(critic, real_images, fake_images, alpha):
    """WGAN-GP term `(‖∇_x̂ D(x̂)‖₂ − 1)²` on interpolates x̂ (Gulrajani et al. 2017).

    `x̂ = α · real + (1 − α) · fake` with one α per image. The gradient is
    that of the sum of the critic's patch scores, as in the reference. Call
    this inside the critic's `GradientTape`: the nested tape below records a
    differentiable gradient, so the outer tape can take the second
    derivative the penalty needs.

    Args:
        critic: the critic; `critic(x)[0]` is the realness map.
        real_images, fake_images: `[N, H, W, 3]` float32.
        alpha: `[N, 1, 1, 1]` mixing weights in [0, 1].
    """
    interpolates = alpha * real_images + (1.0 - alpha) * fake_images
    with tf.GradientTape() as tape:
        tape.watch(interpolates)
        scores = critic(interpolates, training=True)[0]
    gradients = tape.gradient(scores, interpolates)
    # The tiny constant keeps the derivative of the norm finite at 0.
    norms = tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=(1, 2, 3)) + 1e-12)
    return tf.square(norms - 1.0)


def color_total_variation(color):
    """Mean L1 total variation of each colour map, per pixel and channel.

    Not in the reference. Speckle (the pattern a generator finds that moves
    an AU regressor without changing the face) is all variation, while a
    face's edit is mostly flat regions with a few edges, so a small weight on
    this term makes speckle costly and leaves edits almost free. Averaged,
    not summed, so its weight does not depend on the image size.
    """
    dx = ops.abs(color[:, :, 1:, :] - color[:, :, :-1, :])
    dy = ops.abs(color[:, 1:, :, :] - color[:, :-1, :, :])
    return ops.mean(dx, axis=(1, 2, 3)) + ops.mean(dy, axis=(1, 2, 3))


def au_gradient_penalty(critic, images, directions):
    """Squared norm of the AU head's input gradient along random AU directions.

    Not in the reference. WGAN-GP bounds the gradient of the realness score
    but nothing bounds the AU head's, so a small, high-frequency change of
    the image can move its estimate a long way: the generator then learns
    that change instead of an expression. `‖∇ₓ (v · AU(x))‖²` with `v` drawn
    per image has the expectation `‖J‖²_F / n_aus` for `v ~ N(0, I/n_aus)`,
    a cheap estimate of the head's Jacobian norm (input-gradient
    regularisation, Ross & Doshi-Velez, AAAI 2018). Call it inside the
    critic's tape, like `gradient_penalty`.

    Args:
        critic: the critic; `critic(x)[1]` is the AU estimate.
        images: `[N, H, W, 3]` points to penalise the gradient at.
        directions: `[N, n_aus]` random directions in AU space.
    """
    with tf.GradientTape() as tape:
        tape.watch(images)
        aus = critic(images, training=True)[1]
        projected = tf.reduce_sum(aus * directions)
    gradients = tape.gradient(projected, images)
    return tf.reduce_sum(tf.square(gradients), axis=(1, 2, 3))
