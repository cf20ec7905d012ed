import cv2
import numpy as np
import pytest
import tensorflow as tf
from data_fixtures import random_aus, write_image

from tfganimation.aus import N_AUS
from tfganimation.data import (
    decode_image,
    flip_horizontally,
    load_dataset,
    sample_target_aus,
    scale_image,
    write_manifest,
)

N_TRAIN, N_TEST, SIZE = 10, 3, 16


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """A manifest dataset of lossless PNGs; returns (root, {name: pixels}, {name: aus})."""
    root = tmp_path_factory.mktemp("manifest")
    files = [f"images/{i:02d}.png" for i in range(N_TRAIN + N_TEST)]
    pixels = {name: write_image(root / name, SIZE, seed=i) for i, name in enumerate(files)}
    aus = {name: random_aus(i) for i, name in enumerate(files)}
    splits = ["train"] * N_TRAIN + ["test"] * N_TEST
    write_manifest(root, files, splits, np.stack(list(aus.values())))
    return root, pixels, aus


def as_numpy(dataset):
    return [{key: value.numpy() for key, value in batch.items()} for batch in dataset]


def scaled(pixels):
    return pixels.astype(np.float32) / 127.5 - 1.0


def test_batches_have_the_contracted_shapes_types_and_ranges(dataset):
    root, _, _ = dataset
    batches = as_numpy(load_dataset(root, image_size=SIZE, batch_size=4, seed=0))
    assert len(batches) == N_TRAIN // 4  # the train split drops the partial batch
    for batch in batches:
        assert batch["image"].shape == (4, SIZE, SIZE, 3) and batch["image"].dtype == np.float32
        assert batch["real_aus"].shape == batch["target_aus"].shape == (4, N_AUS)
        assert batch["real_aus"].dtype == batch["target_aus"].dtype == np.float32
        assert -1.0 <= batch["image"].min() and batch["image"].max() <= 1.0
        assert 0.0 <= batch["real_aus"].min() and batch["real_aus"].max() <= 1.0
        assert -0.1 <= batch["target_aus"].min() and batch["target_aus"].max() <= 1.1


def test_test_split_in_order_keeps_pixels_aus_and_the_last_batch(dataset):
    root, pixels, aus = dataset
    test_names = sorted(pixels)[N_TRAIN:]
    [batch] = as_numpy(load_dataset(root, split="test", image_size=SIZE, batch_size=4, shuffle=False))
    np.testing.assert_allclose(batch["image"], [scaled(pixels[name]) for name in test_names], atol=1e-6)
    np.testing.assert_allclose(batch["real_aus"], [aus[name] / 5 for name in test_names], rtol=1e-6)


def test_training_images_are_flipped_at_random(dataset):
    root, pixels, _ = dataset
    names = sorted(pixels)[:N_TRAIN]
    flips = []
    for epoch in as_numpy(load_dataset(root, image_size=SIZE, batch_size=N_TRAIN, shuffle=False, seed=1).repeat(2)):
        for name, image in zip(names, epoch["image"]):
            original = scaled(pixels[name])
            flipped = np.allclose(image, original[:, ::-1], atol=1e-6)
            assert flipped or np.allclose(image, original, atol=1e-6)
            flips.append(flipped)
    assert 0 < sum(flips) < len(flips)


def test_targets_are_source_aus_plus_bounded_noise(dataset):
    root, _, aus = dataset
    pool = np.stack([aus[name] for name in sorted(aus)[:N_TRAIN]]) / 5
    for batch in as_numpy(load_dataset(root, image_size=SIZE, batch_size=5, seed=0).repeat(4)):
        distance = np.abs(batch["target_aus"][:, None, :] - pool[None]).max(axis=-1)  # [batch, pool]
        assert np.all(distance.min(axis=1) <= 0.1 + 1e-6)  # each is some sample's AUs +- 0.1
        assert np.all(distance.min(axis=1) > 0)  # noise was added


def test_sample_target_aus_noise_is_uniform_and_unclipped():
    pool = tf.constant([[0.0] * N_AUS, [1.0] * N_AUS])
    targets = sample_target_aus(pool, tf.constant([3, 4]), noise=0.1, shape=[2000]).numpy()
    assert targets.shape == (2000, N_AUS)
    source = np.where(targets.mean(axis=1, keepdims=True) > 0.5, 1.0, 0.0)
    noise = targets - source
    assert np.abs(noise).max() <= 0.1 and abs(noise.mean()) < 0.01 and noise.std() > 0.05
    assert targets.min() < 0.0 and targets.max() > 1.0  # like the reference, no clipping
    assert 0.4 < source.mean() < 0.6  # both pool rows are drawn
    again = sample_target_aus(pool, tf.constant([3, 4]), noise=0.1, shape=[2000]).numpy()
    np.testing.assert_array_equal(targets, again)


def test_same_seed_same_batches_every_epoch(dataset):
    root, _, _ = dataset

    def two_epochs(seed):
        return as_numpy(load_dataset(root, image_size=SIZE, batch_size=5, seed=seed).repeat(2))

    first, second, other = two_epochs(7), two_epochs(7), two_epochs(8)
    assert len(first) == 4
    for a, b in zip(first, second):
        for key in a:
            np.testing.assert_array_equal(a[key], b[key])
    assert not all(np.array_equal(a["target_aus"], b["target_aus"]) for a, b in zip(first, other))
    # Each epoch reshuffles: epoch 2 is not a replay of epoch 1.
    assert not np.array_equal(first[0]["real_aus"], first[2]["real_aus"]) or not np.array_equal(
        first[0]["target_aus"], first[2]["target_aus"]
    )


def test_other_sizes_are_center_cropped_and_resized(tmp_path):
    image = np.zeros((12, 24, 3), np.uint8)
    image[:, 6:18] = 200  # the centered square
    (tmp_path / "images").mkdir()
    assert cv2.imwrite(str(tmp_path / "images/wide.png"), image)
    write_manifest(tmp_path, ["images/wide.png"], ["test"], [random_aus(0)])
    [batch] = as_numpy(load_dataset(tmp_path, split="test", image_size=6, batch_size=1))
    assert batch["image"].shape == (1, 6, 6, 3)
    np.testing.assert_allclose(batch["image"], 200 / 127.5 - 1, atol=1e-6)


@pytest.mark.parametrize("suffix,channels", [(".png", 1), (".png", 4), (".bmp", 3), (".gif", 3), (".jpg", 1)])
def test_decode_image_gives_rgb(tmp_path, suffix, channels):
    path = tmp_path / f"image{suffix}"
    if suffix == ".gif":
        from PIL import Image

        Image.fromarray(np.full((8, 8, 3), 90, np.uint8)).save(path)
        pixels = np.full((8, 8, 3), 90, np.uint8)
    else:
        pixels = write_image(path, 8, channels=channels)
    image = decode_image(tf.io.read_file(str(path))).numpy()
    assert image.shape == (8, 8, 3) and image.dtype == np.uint8
    if channels == 1:
        assert np.array_equal(image[..., 0], image[..., 1]) and np.array_equal(image[..., 1], image[..., 2])
    if suffix in (".png", ".bmp", ".gif"):
        expected = pixels[..., None].repeat(3, -1) if channels == 1 else pixels[..., :3]
        np.testing.assert_array_equal(image, expected)


def test_scale_image_and_flip():
    pixels = tf.constant(np.arange(256, dtype=np.uint8).reshape(1, 16, 16, 1))
    np.testing.assert_allclose(scale_image(pixels), pixels.numpy() / 127.5 - 1, atol=1e-6)
    assert scale_image(pixels).dtype == tf.float32
    image = tf.constant(np.arange(12, dtype=np.uint8).reshape(2, 2, 3))
    np.testing.assert_array_equal(flip_horizontally(image, tf.constant(True)), image.numpy()[:, ::-1])
    np.testing.assert_array_equal(flip_horizontally(image, tf.constant(False)), image.numpy())


@pytest.mark.parametrize("kwargs,message", [
    ({"split": "val"}, "split must be one of"),
    ({"image_size": 0}, "image_size must be a positive integer"),
    ({"batch_size": 2.5}, "batch_size must be a positive integer"),
    ({"target_noise": -1}, "target_noise must be >= 0"),
])
def test_bad_arguments_are_refused(dataset, kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_dataset(dataset[0], **kwargs)


def test_redraw_each_pass_false_repeats_the_first_pass(dataset):
    # A fixed validation set: every pass (epoch end) has the same images in
    # the same order with the same targets; with the default, targets change.
    root, _, _ = dataset
    fixed = load_dataset(root, "train", SIZE, batch_size=4, seed=3, redraw_each_pass=False)
    first, second = as_numpy(fixed), as_numpy(fixed)
    for a, b in zip(first, second, strict=True):
        for key in a:
            np.testing.assert_array_equal(a[key], b[key])
    redrawn = load_dataset(root, "train", SIZE, batch_size=4, seed=3)
    assert not np.array_equal(as_numpy(redrawn)[0]["target_aus"], as_numpy(redrawn)[0]["target_aus"])
    with pytest.raises(ValueError, match="needs a seed"):
        load_dataset(root, "train", SIZE, redraw_each_pass=False)
