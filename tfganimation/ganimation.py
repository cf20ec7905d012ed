"""GANimation's adversarial training, as a Keras model that `fit` drives."""

from __future__ import annotations

import random

import keras
import tensorflow as tf

from tfganimation import losses
from tfganimation.augment import augment, check_augmentations
from tfganimation.critic import Critic
from tfganimation.distribute import run_if
from tfganimation.generator import Generator
from tfganimation.global_batch import GlobalBatch
from tfganimation.loss_tracking import loss_logs, record_losses
from tfganimation.schedules import make_optimizers

LOSS_NAMES = (
    "d_loss", "d_real", "d_fake", "d_gp", "d_au",
    "g_loss", "g_fake", "g_au", "g_cycle", "g_attention", "g_attention_tv",
)  # fmt: skip
"""The metrics `fit` and `evaluate` report, one per loss term; `d_au_gp` and
`g_color_tv` join them when their (non-reference) weights are set.

`d_` is the critic's side and `g_` the generator's: the reference's names
(its critic is "D", the discriminator), kept so that curves compare with
the reference's. They are a file format too: `history.csv`, TensorBoard,
`run.json`, `--best-checkpoint`, the demo's learning curve and model card
name losses this way. `d_optimizer` (the critic's) follows the same rule."""


@keras.saving.register_keras_serializable(package="tfganimation")
class GANimation(keras.Model):
    """Trains a `Generator` against a `Critic` with the GANimation losses.

    Every batch updates the critic on the WGAN-GP loss plus the AU
    regression of real images; every `n_critic`-th batch also updates the
    generator on fooling the critic, producing the target AUs, reconstructing
    the input from its edit (cycle) and keeping the attention sparse and
    smooth. The schedule is a counter variable tested inside the graph, so it
    holds under `tf.function`, XLA and `tf.distribute`.

    The loss weights default to the reference implementation's. The AU loss
    reproduces its scaling: the mean squared error is divided once more by
    the batch size before the weight of 4000 (160 at batch 25). Loss terms
    are reduced over the global batch, so an update on N replicas equals the
    update on one device with the same global batch.

    One deliberate difference: the reference applies the gradient penalty in
    a second, separate critic optimizer step; here it is part of the one
    critic loss, as in WGAN-GP (Gulrajani et al., 2017).

    Reference: [Pumarola et al., ECCV 2018](https://arxiv.org/abs/1807.09251).

    Args:
        generator: `Generator`. The face editor being trained.
        critic: `Critic`. Its adversary; must have the generator's
            `image_size` and `n_aus`.
        n_critic: int. Critic steps per generator step. Defaults to `5`.
        gp_weight: float. Gradient-penalty weight. Defaults to `10.0`.
        au_weight: float. AU-regression weight (before the division by the
            batch size). Defaults to `4000.0`.
        cycle_weight: float. Cycle-consistency (L1) weight. Defaults to `10.0`.
        attention_weight: float. Weight of the mean attention, on both the
            edit and the reconstruction. Defaults to `0.1`.
        attention_tv_weight: float. Weight of the attention's total variation
            (summed over pixels and batch). Defaults to `1e-5`.
        seed: int. Seeds the gradient-penalty interpolation weights and the
            augmentations; drawn at random when `None` and then kept in the
            config.

    Beyond the reference (all off by default; the demo model's recipe turns
    them on, see `benchmarks/train_demo.py` for their measured effect):

    Args:
        augmentations: names from `tfganimation.augment.AUGMENTATIONS`. The
            critic sees every image, real or fake, in both steps through
            these differentiable transformations (DiffAugment). Defaults to
            `()`.
        color_tv_weight: float. Weight of the colour map's mean total
            variation, on both passes. Defaults to `0.0`.
        au_gradient_weight: float. Weight of `losses.au_gradient_penalty`,
            taken at the gradient penalty's interpolates. Defaults to `0.0`.
        au_gradient_every: int. Take that penalty on every this many critic
            steps only, weighted by as much ("lazy regularisation", Karras et
            al., StyleGAN2, 2020): a second-order pass costs about a third of
            a critic step. Defaults to `1`.
        critic_warmup_steps: int. Batches at the start of training on which
            the critic learns only the AU regression of real images (no
            generator, no adversarial terms), so the generator starts
            against an AU head that already reads expressions: a plain
            critic learns AUs slowly while it also learns realness.
            Defaults to `0`.

    Example:
    ```python
    model = tfganimation.GANimation(
        tfganimation.Generator(image_size=128), tfganimation.Critic(image_size=128)
    )
    model.compile()  # Adam(1e-4, 0.5, 0.999) for both networks.
    model.fit(dataset, epochs=30)  # batches {"image", "real_aus", "target_aus"}
    ```
    """

    def __init__(
        self,
        generator: Generator,
        critic: Critic,
        n_critic: int = 5,
        gp_weight: float = 10.0,
        au_weight: float = 4000.0,
        cycle_weight: float = 10.0,
        attention_weight: float = 0.1,
        attention_tv_weight: float = 1e-5,
        seed: int | None = None,
        augmentations: tuple[str, ...] | list[str] = (),
        color_tv_weight: float = 0.0,
        au_gradient_weight: float = 0.0,
        au_gradient_every: int = 1,
        critic_warmup_steps: int = 0,
        **kwargs,
    ):
        if n_critic < 1:
            raise ValueError(f"n_critic must be >= 1. Received: n_critic={n_critic}")
        if au_gradient_every < 1:
            raise ValueError(f"au_gradient_every must be >= 1. Received: {au_gradient_every}")
        if critic_warmup_steps < 0:
            raise ValueError(
                f"critic_warmup_steps must be >= 0. Received: {critic_warmup_steps}"
            )
        for attribute in ("image_size", "n_aus"):
            if getattr(generator, attribute) != getattr(critic, attribute):
                raise ValueError(
                    f"The generator and the critic disagree on {attribute}: "
                    f"{getattr(generator, attribute)} != {getattr(critic, attribute)}."
                )
        super().__init__(**{"name": "ganimation", **kwargs})
        self.generator = generator
        self.critic = critic
        self.n_critic = n_critic
        self.gp_weight = gp_weight
        self.au_weight = au_weight
        self.cycle_weight = cycle_weight
        self.attention_weight = attention_weight
        self.attention_tv_weight = attention_tv_weight
        self.seed = random.randrange(2**31) if seed is None else int(seed)
        self.augmentations = check_augmentations(augmentations)
        self.color_tv_weight = color_tv_weight
        self.au_gradient_weight = au_gradient_weight
        self.au_gradient_every = int(au_gradient_every)
        self.critic_warmup_steps = int(critic_warmup_steps)
        # The run's global step: batches trained on, each one critic step (the
        # generator steps on every `n_critic`-th); saved with the weights.
        self.global_step = self.add_weight(
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            # Every replica adds 1; the first replica's update is the one kept.
            aggregation="only_first_replica",
            name="global_step",
        )
        names = LOSS_NAMES + ("d_au_gp",) * bool(au_gradient_weight)
        names += ("g_color_tv",) * bool(color_tv_weight)
        self.loss_trackers = {name: keras.metrics.Mean(name=name) for name in names}
        self.built = True

    @property
    def metrics(self):
        return list(self.loss_trackers.values())

    def call(self, inputs, training=False):
        """Edits faces: `(images, target_aus)` → `(edited, color, attention)`."""
        return self.generator(inputs, training=training)

    def compile(
        self,
        g_optimizer: keras.optimizers.Optimizer | None = None,
        d_optimizer: keras.optimizers.Optimizer | None = None,
        **kwargs,
    ):
        """Sets the two optimizers; the rest goes to `keras.Model.compile`.

        Args:
            g_optimizer: the generator's optimizer. Defaults to the
                reference's Adam(1e-4, beta_1=0.5, beta_2=0.999) at a
                constant rate; see `make_optimizers` for the decaying one.
            d_optimizer: the critic's optimizer; the same default.
            **kwargs: `jit_compile`, `run_eagerly`, `steps_per_execution`.
        """
        default_g, default_d = make_optimizers()
        # `optimizer=None`: Keras' default would create a stray RMSprop.
        super().compile(optimizer=None, **kwargs)
        self.g_optimizer = self._with_loss_scaling(g_optimizer or default_g)
        self.d_optimizer = self._with_loss_scaling(d_optimizer or default_d)
        # Built now, outside the graph: the generator's update runs inside a
        # `tf.cond`, where creating optimizer variables is not allowed.
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.critic.trainable_variables)
        self._compile_kwargs = kwargs

    def _with_loss_scaling(self, optimizer):
        # `compile()` wraps only `self.optimizer`; ours are wrapped here.
        needs_scaling = self.generator.dtype_policy.name == "mixed_float16"
        if needs_scaling and not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            return keras.optimizers.LossScaleOptimizer(optimizer)
        return optimizer

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Under a distribution strategy, Keras' `fit`/`evaluate` first build
        # an unbuilt model on a batch averaged over the replicas, an average
        # that `MultiWorkerMirroredStrategy` cannot take of a dict batch
        # (Keras 3.15). The networks are built in `__init__` and the
        # optimizers in `compile()`: there is nothing to build.
        return

    def get_compile_config(self):
        if not self.compiled:
            return {}
        return {
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            **self._compile_kwargs,
        }

    def compile_from_config(self, config):
        """Restores both optimizers (and their state) when a model is loaded."""
        config = dict(config)
        for key in ("g_optimizer", "d_optimizer"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        self.compile(**config)

    def train_step(self, batch):
        """One batch of the reference schedule.

        1. The critic takes a step on every batch (only on the AU regression
           during its `critic_warmup_steps`).
        2. The generator takes a step after every `n_critic`-th critic step
           once the warm-up is over.
        """
        images, real_aus, target_aus = _unpack(batch)
        if self.critic_warmup_steps:
            run_if(self.global_step < self.critic_warmup_steps, self._critic_au_step, images, real_aus)
            run_if(
                self.global_step >= self.critic_warmup_steps,
                self._critic_step, images, real_aus, target_aus,
            )  # fmt: skip
        else:
            self._critic_step(images, real_aus, target_aus)
        self.global_step.assign_add(1)
        run_if(
            tf.logical_and(
                tf.equal(self.global_step % self.n_critic, 0),
                self.global_step > self.critic_warmup_steps,
            ),
            self._generator_step,
            images,
            real_aus,
            target_aus,
        )
        return loss_logs(self.loss_trackers)

    def test_step(self, batch):
        """Reports every loss term on a batch without updating anything."""
        images, real_aus, target_aus = _unpack(batch)
        g_terms, edited = self.generator_loss_terms(images, real_aus, target_aus)
        d_terms = self.critic_loss_terms(images, edited, real_aus)
        record_losses(self.loss_trackers, d_terms, "d_loss", images)
        record_losses(self.loss_trackers, g_terms, "g_loss", images)
        return loss_logs(self.loss_trackers)

    def _critic_step(self, images, real_aus, target_aus):
        edited = tf.stop_gradient(self.generator((images, target_aus), training=True)[0])
        with tf.GradientTape() as tape:
            terms = self.critic_loss_terms(images, edited, real_aus)
            loss = tf.add_n(list(terms.values()))
            scaled_loss = self.d_optimizer.scale_loss(loss)
        variables = self.critic.trainable_variables
        self.d_optimizer.apply(tape.gradient(scaled_loss, variables), variables)
        record_losses(self.loss_trackers, terms, "d_loss", images)

    def _critic_au_step(self, images, real_aus):
        """A warm-up step: the critic's AU regression of real images alone."""
        batch = GlobalBatch(images)
        with tf.GradientTape() as tape:
            _, estimated_aus = self.critic(self._augment(images, stream=1), training=True)
            loss = self._au_term(batch, estimated_aus, real_aus)
            scaled_loss = self.d_optimizer.scale_loss(loss)
        variables = self.critic.trainable_variables
        self.d_optimizer.apply(tape.gradient(scaled_loss, variables), variables)
        record_losses(self.loss_trackers, {"d_au": loss}, None, images)

    def _generator_step(self, images, real_aus, target_aus):
        with tf.GradientTape() as tape:
            terms, _ = self.generator_loss_terms(images, real_aus, target_aus)
            loss = tf.add_n(list(terms.values()))
            scaled_loss = self.g_optimizer.scale_loss(loss)
        variables = self.generator.trainable_variables
        self.g_optimizer.apply(tape.gradient(scaled_loss, variables), variables)
        record_losses(self.loss_trackers, terms, "g_loss", images)

    def critic_loss_terms(self, images, edited, real_aus, interpolation_weights=None):
        """The critic's weighted loss terms, by name; their sum is its loss.

        Args:
            images: real images `[N, H, W, 3]`.
            edited: the generator's fakes of them `[N, H, W, 3]`.
            real_aus: the real images' AUs `[N, n_aus]`.
            interpolation_weights: `[N, 1, 1, 1]` mixing weights of the
                gradient penalty's interpolates. `None` (training) draws them
                from (seed, global step); a test passes the reference's.
        """
        batch = GlobalBatch(images)
        images = self._augment(images, stream=1)
        edited = self._augment(edited, stream=2)
        real_scores, estimated_aus, fake_scores = self._critic_scores(images, edited)
        if interpolation_weights is None:
            alpha = self._interpolation_weights(batch)
        else:
            alpha = tf.cast(tf.reshape(interpolation_weights, [-1, 1, 1, 1]), images.dtype)
        penalty = losses.gradient_penalty(self.critic, images, edited, alpha)
        terms = {
            "d_real": -batch.mean(losses.realness(real_scores)),
            "d_fake": batch.mean(losses.realness(fake_scores)),
            "d_gp": self.gp_weight * batch.mean(penalty),
            "d_au": self._au_term(batch, estimated_aus, real_aus),
        }
        if self.au_gradient_weight:
            terms["d_au_gp"] = self._au_gradient_term(batch, alpha * images + (1.0 - alpha) * edited)
        return terms

    def _critic_scores(self, images, edited):
        """The critic on real and fake images in one call: real scores, real AUs, fake scores.

        One batch of 2N instead of two of N: each layer runs once, with more
        work per call to spread over the cores. Exact, because the critic
        has no normalisation: an image's outputs depend on that image alone.
        """
        scores, aus = self.critic(tf.concat([images, edited], axis=0), training=True)
        count = tf.shape(images)[0]
        return scores[:count], aus[:count], scores[count:]

    def _au_gradient_term(self, batch: GlobalBatch, points):
        def penalty():
            draw = tf.random.stateless_normal
            directions = batch.draw(draw, [self.critic.n_aus], self._stream_seed(stream=3))
            directions /= self.critic.n_aus**0.5
            values = losses.au_gradient_penalty(self.critic, points, directions)
            return self.au_gradient_weight * self.au_gradient_every * batch.mean(values)

        if self.au_gradient_every == 1:
            return penalty()
        due = tf.equal(self.global_step % self.au_gradient_every, 0)
        return tf.cond(due, penalty, lambda: tf.constant(0.0))

    def generator_loss_terms(self, images, real_aus, target_aus):
        """The generator's weighted loss terms, by name, and its edits of `images`."""
        batch = GlobalBatch(images)
        edited, color, attention = self.generator((images, target_aus), training=True)
        fake_scores, estimated_aus = self.critic(self._augment(edited, stream=4), training=True)
        reconstructed, reconstruction_color, reconstruction_attention = self.generator(
            (edited, real_aus), training=True
        )
        attentions = (attention, reconstruction_attention)
        terms = {
            "g_fake": -batch.mean(losses.realness(fake_scores)),
            "g_au": self._au_term(batch, estimated_aus, target_aus),
            "g_cycle": self.cycle_weight * batch.mean(losses.cycle_error(reconstructed, images)),
            "g_attention": self.attention_weight
            * tf.add_n([batch.mean(losses.attention_mean(a)) for a in attentions]),
            "g_attention_tv": self.attention_tv_weight
            * tf.add_n([batch.sum(losses.attention_total_variation(a)) for a in attentions]),
        }
        if self.color_tv_weight:
            terms["g_color_tv"] = self.color_tv_weight * tf.add_n(
                [batch.mean(losses.color_total_variation(c)) for c in (color, reconstruction_color)]
            )
        return terms, edited

    def _au_term(self, batch: GlobalBatch, estimated_aus, aus):
        """The weighted AU regression, with the reference's extra division by the batch size."""
        return self.au_weight * batch.mean(losses.au_regression_error(estimated_aus, aus)) / batch.size

    def _augment(self, images, stream: int):
        """`images` through the critic's augmentations, drawn from (seed, step, stream)."""
        if not self.augmentations:
            return images
        return augment(images, self.augmentations, self._stream_seed(stream))

    def _interpolation_weights(self, batch: GlobalBatch):
        """Per-image mixing weights for the gradient penalty.

        Drawn for the whole global batch from a stateless generator keyed on
        (seed, step), then sliced to this replica's rows: the draw depends
        only on the step, so a resumed run and a run on N replicas see
        exactly the weights of an uninterrupted single-device run.
        """
        seed = tf.stack([tf.constant(self.seed, tf.int64), self.global_step.value])
        return batch.draw(tf.random.stateless_uniform, [1, 1, 1], seed)

    def _stream_seed(self, stream: int):
        """A stateless seed for draw number `stream` of this step, apart from the penalty's."""
        key = tf.constant(self.seed + stream * 2**31, tf.int64)
        return tf.stack([key, self.global_step.value])

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "generator": keras.saving.serialize_keras_object(self.generator),
                "critic": keras.saving.serialize_keras_object(self.critic),
                "n_critic": self.n_critic,
                "gp_weight": self.gp_weight,
                "au_weight": self.au_weight,
                "cycle_weight": self.cycle_weight,
                "attention_weight": self.attention_weight,
                "attention_tv_weight": self.attention_tv_weight,
                "seed": self.seed,
                "augmentations": list(self.augmentations),
                "color_tv_weight": self.color_tv_weight,
                "au_gradient_weight": self.au_gradient_weight,
                "au_gradient_every": self.au_gradient_every,
                "critic_warmup_steps": self.critic_warmup_steps,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator", "critic"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)


def _unpack(batch):
    try:
        return batch["image"], batch["real_aus"], batch["target_aus"]
    except (KeyError, TypeError):
        raise ValueError(
            'GANimation trains on batches {"image", "real_aus", "target_aus"}; '
            f"received {type(batch).__name__} with keys "
            f"{sorted(batch) if isinstance(batch, dict) else 'none'}."
        ) from None
