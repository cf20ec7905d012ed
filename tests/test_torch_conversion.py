"""The three PyTorch codebases' checkpoints, converted, compute what their own code computed."""

import json
import zipfile

import numpy as np
import pytest
from torch_fixtures import GENERATORS, checkpoint, reference_io, requires_checkpoints

from tfganimation.model_files.loading import load_model
from tfganimation.torch_checkpoints.conversion import (
    SOURCE_RECORD_FILE,
    convert_checkpoint,
    find_critic,
    save_converted,
)
from tfganimation.torch_checkpoints.torch_pickle import CheckpointError

pytestmark = requires_checkpoints

EXPECTED = {
    "original legacy": ("original", "legacy (PyTorch < 1.6)", "face_recognition"),
    "original zip": ("original", "zip", "face_recognition"),
    "original DataParallel": ("original", "zip", "face_recognition"),
    "replicate": ("replicate", "legacy (PyTorch < 1.6)", "face_recognition"),
    "stargan_based": ("stargan_based", "zip", "openface_simalign"),
}


@pytest.fixture(scope="module", params=list(GENERATORS))
def converted(request):
    generator, critic = GENERATORS[request.param]
    return request.param, convert_checkpoint(checkpoint(generator), checkpoint(critic))


def test_generator_matches_the_codebases_own_outputs(converted):
    name, model = converted
    io = reference_io(GENERATORS[name][0])
    edited, color, attention = (
        np.asarray(t) for t in model.generator((io["image"], io["target_aus"]), training=False)
    )
    for got, key in ((color, "color"), (attention, "attention"), (edited, "edited")):
        assert np.abs(got - io[key]).max() <= 1e-4, key
    # Not trivially equal: the edit differs from the input.
    assert np.abs(edited - io["image"]).max() > 0.1


def test_critic_matches_the_codebases_own_outputs(converted):
    name, model = converted
    io = reference_io(GENERATORS[name][0])
    realness, aus = (np.asarray(t) for t in model.critic(io["critic_input"]))
    for got, want in ((realness[..., 0], io["critic_realness"]), (aus, io["critic_aus"])):
        assert got.shape == want.shape
        assert np.abs(got - want).max() <= 1e-4 * np.abs(want).max()


def test_the_record_says_what_was_found(converted):
    name, model = converted
    layout, file_format, framing = EXPECTED[name]
    record = model.record
    assert record["layout"] == layout and record["framing"] == framing
    assert record["generator"]["format"] == file_format
    assert record["generator"]["sizes"] == {"conv_dim": 8, "residual_blocks": 2, "n_aus": 17}
    assert record["critic"]["sizes"] == {
        "conv_dim": 4, "downsampling_layers": 6, "n_aus": 17, "image_size": 128,
    }  # fmt: skip
    assert record["image_size"] == 128 and record["image_size_from"] == "the critic's AU head"
    assert len(record["generator"]["sha256"]) == 64
    assert record["generator"]["data_parallel_prefix"] == (name == "original DataParallel")
    port = record["generator"]["port"]
    assert port["used"] + port["cancelled_biases"] + sum(port["unused"].values()) == port["tensors"]


def test_what_each_layout_leaves_unused_is_explained():
    original = convert_checkpoint(checkpoint("original/net_epoch_30_id_G.pth")).record
    assert list(original["generator"]["port"]["unused"].values()) == [2 * 9]  # 9 norms' statistics
    replicate = convert_checkpoint(checkpoint("replicate/30_net_gen.pth")).record
    assert replicate["generator"]["port"]["cancelled_biases"] == 9  # every conv before a norm
    stargan = convert_checkpoint(checkpoint("stargan_based/200000-G.ckpt")).record
    assert sorted(stargan["generator"]["port"]["unused"].values()) == [27, 120]


def test_a_generator_alone_is_taken_at_128_px_unless_told():
    alone = convert_checkpoint(checkpoint("replicate/30_net_gen.pth"))
    assert alone.critic is None and alone.record["critic"] is None
    assert alone.generator.image_size == 128
    assert alone.record["image_size_from"].startswith("default")
    told = convert_checkpoint(checkpoint("replicate/30_net_gen.pth"), image_size=64)
    assert told.generator.image_size == 64 and told.record["image_size_from"] == "--image-size"
    with pytest.raises(CheckpointError, match="disagrees with the critic"):
        convert_checkpoint(
            checkpoint("replicate/30_net_gen.pth"), checkpoint("replicate/30_net_dis.pth"), image_size=64
        )


def test_framing_can_be_overridden():
    record = convert_checkpoint(
        checkpoint("stargan_based/200000-G.ckpt"), framing="face_recognition"
    ).record
    assert record["framing"] == "face_recognition" and record["framing_from"] == "--framing"
    with pytest.raises(ValueError, match="Unknown `framing`"):
        convert_checkpoint(checkpoint("stargan_based/200000-G.ckpt"), framing="tight")


@pytest.mark.parametrize(
    "relative, message",
    [
        ("hostile/five_aus_G.pth", "conditioned on 5 values, not GANimation's 17 action units"),
        ("hostile/not_ganimation.pth", "not a GANimation generator of any known layout"),
        ("original/net_epoch_30_id_D.pth", "looks like a critic"),
        ("hostile/truncated.pth", "truncated"),
        ("hostile/code_execution.zip-format.pth", "refused"),
    ],
)
def test_files_that_are_no_usable_generator_get_one_line(relative, message):
    with pytest.raises(CheckpointError, match=message) as error:
        convert_checkpoint(checkpoint(relative))
    assert "\n" not in str(error.value)


def test_a_wrong_layout_is_refused_by_name():
    with pytest.raises(CheckpointError, match="no first convolution 'model.0.weight'.*wrong --layout"):
        convert_checkpoint(checkpoint("original/net_epoch_30_id_G.pth"), layout="replicate")
    with pytest.raises(CheckpointError, match="not a critic in the replicate layout"):
        convert_checkpoint(
            checkpoint("replicate/30_net_gen.pth"), checkpoint("original/net_epoch_30_id_D.pth")
        )


def test_unexplained_tensors_are_refused(tmp_path):
    from tfganimation.torch_checkpoints import porting
    from tfganimation.torch_checkpoints.layouts import ORIGINAL
    from tfganimation.torch_checkpoints.torch_pickle import read_state_dict

    state = read_state_dict(checkpoint("original/net_epoch_30_id_G.zip-format.pth"))
    state["main.0.extra_scale"] = np.ones(3, np.float32)
    source = porting.SourceTensors(state, {key: key for key in state}, "G.pth")
    sizes = porting.generator_sizes(source, ORIGINAL)
    from tfganimation.generator import Generator

    generator = Generator(image_size=32, conv_dim=sizes.conv_dim, residual_blocks=sizes.residual_blocks)
    porting.port_generator(source, ORIGINAL, generator)
    with pytest.raises(CheckpointError, match="cannot map.*main.0.extra_scale"):
        source.report(ORIGINAL)


def test_a_differing_duplicate_is_refused():
    from tfganimation.torch_checkpoints import porting
    from tfganimation.torch_checkpoints.layouts import STARGAN_BASED
    from tfganimation.torch_checkpoints.torch_pickle import read_state_dict

    state = read_state_dict(checkpoint("stargan_based/200000-G.ckpt"))
    state["debug2.3.weight"] = state["debug2.3.weight"] + 1
    source = porting.SourceTensors(state, {key: key for key in state}, "G.ckpt")
    source.used.update(key for key in state if key.startswith("main."))
    with pytest.raises(CheckpointError, match="'debug2.3.weight' should repeat 'main.3.weight'"):
        source.report(STARGAN_BASED)


def test_critics_are_found_by_each_codebases_naming(tmp_path):
    for generator, critic in (
        ("net_epoch_30_id_G.pth", "net_epoch_30_id_D.pth"),
        ("30_net_gen.pth", "30_net_dis.pth"),
        ("200000-G.ckpt", "200000-D.ckpt"),
    ):
        (tmp_path / generator).touch()
        assert find_critic(tmp_path / generator) is None
        (tmp_path / critic).touch()
        assert find_critic(tmp_path / generator) == tmp_path / critic


def test_saved_conversion_loads_back_with_its_record(tmp_path):
    converted = convert_checkpoint(
        checkpoint("replicate/30_net_gen.pth"), checkpoint("replicate/30_net_dis.pth")
    )
    path = save_converted(converted, tmp_path / "replicate.keras")
    with zipfile.ZipFile(path) as archive:
        assert json.loads(archive.read(SOURCE_RECORD_FILE)) == converted.record
    loaded = load_model(path)
    assert loaded.source == converted.record and loaded.framing == "face_recognition"
    io = reference_io("replicate/30_net_gen.pth")
    edited = np.asarray(loaded.generator((io["image"], io["target_aus"]))[0])
    assert np.abs(edited - io["edited"]).max() <= 1e-4
    aus = np.asarray(loaded.critic(io["critic_input"])[1])
    assert np.abs(aus - io["critic_aus"]).max() <= 1e-4 * np.abs(io["critic_aus"]).max()
    with pytest.raises(FileExistsError):
        save_converted(converted, path)
    assert path.stat().st_size > 0


def test_load_model_converts_a_checkpoint_with_the_critic_beside_it(tmp_path):
    loaded = load_model(checkpoint("stargan_based/200000-G.ckpt"))
    assert loaded.critic is not None and loaded.framing == "openface_simalign"
    assert loaded.source["critic"]["file"] == "200000-D.ckpt"
    alone = tmp_path / "200000-G.ckpt"
    alone.write_bytes(checkpoint("stargan_based/200000-G.ckpt").read_bytes())
    assert load_model(alone).critic is None


def test_every_layout_names_a_known_framing():
    from tfganimation.faces import FRAMINGS
    from tfganimation.torch_checkpoints.layouts import LAYOUTS

    assert {layout.framing for layout in LAYOUTS.values()} == set(FRAMINGS)
