"""Starting a run from trained weights: a `.keras` model or a published PyTorch checkpoint."""

import json

import numpy as np
import pytest
from conftest import tiny_ganimation
from data_fixtures import random_aus, write_original_layout
from torch_fixtures import checkpoint, reference_io, requires_checkpoints

from tfganimation.export.metadata import weights_digest
from tfganimation.training import train
from tfganimation.training.config import TrainConfig
from tfganimation.training.fit import build_model
from tfganimation.training.initial_weights import copy_initial_weights, resolve_initial_model


@pytest.fixture
def dataset(tmp_path):
    names = [f"{index}.jpg" for index in range(6)]
    return write_original_layout(
        tmp_path / "data", names[:4], names[4:], {name[:-4]: random_aus(i) for i, name in enumerate(names)}
    )


@requires_checkpoints
def test_a_checkpoints_architecture_replaces_the_default_sizes():
    config = TrainConfig(data="d", out="o", init_from=str(checkpoint("original/net_epoch_30_id_G.pth")))
    resolved, loaded = resolve_initial_model(config)
    assert (resolved.conv_dim, resolved.critic_conv_dim, resolved.residual_blocks) == (8, 4, 2)
    assert (resolved.image_size, resolved.downsampling_layers) == (128, 6)
    assert loaded.source["layout"] == "original"
    model = build_model(resolved)
    copy_initial_weights(model, loaded)
    io = reference_io("original/net_epoch_30_id_G.pth")
    edited = np.asarray(model.generator((io["image"], io["target_aus"]))[0])
    assert np.abs(edited - io["edited"]).max() <= 1e-4
    realness = np.asarray(model.critic(io["critic_input"])[0])[..., 0]
    assert np.abs(realness - io["critic_realness"]).max() <= 1e-4 * np.abs(io["critic_realness"]).max()


@requires_checkpoints
def test_a_size_set_against_the_checkpoint_is_refused():
    config = TrainConfig(
        data="d", out="o", conv_dim=32, init_from=str(checkpoint("replicate/30_net_gen.pth"))
    )
    with pytest.raises(ValueError, match="--conv-dim 32 disagrees with the model in --init-from"):
        resolve_initial_model(config)
    with pytest.raises(ValueError, match="init_critic goes with init_from"):
        resolve_initial_model(TrainConfig(data="d", out="o", init_critic="D.pth"))


def test_training_starts_from_the_weights_with_fresh_optimizers(dataset, tmp_path):
    initial = tiny_ganimation(seed=3)
    initial_file = tmp_path / "initial.keras"
    initial.save(initial_file)
    config = TrainConfig(
        data=str(dataset), out=str(tmp_path / "run"), batch_size=2, epochs=1, decay_epochs=0,
        steps_per_epoch=1, validation_steps=0, init_from=str(initial_file), n_critic=1,
        image_size=32, seed=0,
    )  # fmt: skip
    model = train(config, verbose=0)
    record = json.loads((tmp_path / "run/run.json").read_text())
    assert record["initial_weights"]["generator_weights"] == weights_digest(initial.generator)
    assert record["config"]["conv_dim"] == 8 and record["config"]["residual_blocks"] == 1
    assert record["config"]["downsampling_layers"] == 1  # the tiny critic's, not 32 px's default 5
    # One step each from the initial weights with fresh Adam: small moves, not a new network.
    assert int(model.g_optimizer.iterations) == 1 and int(model.d_optimizer.iterations) == 1
    for trained, start in zip(model.generator.weights, initial.generator.weights, strict=True):
        change = np.abs(np.asarray(trained) - np.asarray(start)).max()
        assert change <= 2e-4 + 1e-6  # Adam's first step moves a weight by at most ~lr.
    assert any(
        np.abs(np.asarray(a) - np.asarray(b)).max() > 0
        for a, b in zip(model.generator.weights, initial.generator.weights, strict=True)
    )


@requires_checkpoints
def test_train_command_fine_tunes_a_pytorch_checkpoint(dataset, tmp_path):
    from tfganimation.cli import main

    status = main([
        "train", "--data", str(dataset), "--out", str(tmp_path / "run"), "--batch-size", "2",
        "--epochs", "1", "--decay-epochs", "0", "--steps-per-epoch", "1", "--validation-steps", "0",
        "--init-from", str(checkpoint("stargan_based/200000-G.ckpt")),
        "--critic", str(checkpoint("stargan_based/200000-D.ckpt")),
    ])  # fmt: skip
    assert status == 0
    record = json.loads((tmp_path / "run/run.json").read_text())
    assert record["status"] == "finished"
    assert record["initial_weights"]["source"]["critic"]["file"] == "200000-D.ckpt"
    assert record["config"]["init_critic"].endswith("200000-D.ckpt")


def test_train_records_the_initial_model_by_absolute_path(tmp_path, monkeypatch):
    from tfganimation.cli import build_parser

    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args(
        ["train", "--data", "d", "--out", "o", "--init-from", "ckpts/G.pth", "--critic", "ckpts/D.pth"]
    )
    assert args.init_from == str(tmp_path / "ckpts/G.pth")
    assert args.init_critic == str(tmp_path / "ckpts/D.pth")
    assert build_parser().parse_args(["train", "--data", "d", "--out", "o", "--init-from", "demo"]).init_from == "demo"
