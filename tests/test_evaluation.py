"""The AU-control metric: 0 for a perfect editor, the baseline for a do-nothing one."""

import json
import subprocess
import sys

import cv2
import numpy as np
import pytest

from tfganimation import aus
from tfganimation.evaluation import PSNR_CAP_DB, score_au_control, generator_editor, save_grid
from tfganimation.evaluation.pictures import HEADER_HEIGHT
from tfganimation.synthetic import make_dataset, render_face, sample_identity

SIZE = 32
IDENTITY = sample_identity(np.random.default_rng(7))


def perfect_editor(images, target_aus):
    """The renderer itself: it knows the one identity every face is drawn from."""
    truths = [render_face(IDENTITY, aus.to_openface_scale(target), SIZE) for target in target_aus]
    return np.stack(truths).astype(np.float32) / 127.5 - 1.0, None


def copy_editor(images, target_aus):
    return images, np.ones(images.shape[:3] + (1,), np.float32)


def halfway_editor(images, target_aus):
    return (images + perfect_editor(images, target_aus)[0]) / 2.0, None


def run(editor, **kwargs):
    options = {"n_pairs": 8, "pairs_per_au": 1, "batch_size": 16, **kwargs}
    return score_au_control(editor, [IDENTITY], SIZE, **options)


def test_perfect_editor_scores_zero():
    report = run(perfect_editor)
    assert report.model.l1 == report.model.region_l1 == report.model.outside_l1 == 0.0
    assert report.model.psnr == report.model.region_psnr == PSNR_CAP_DB
    assert report.copy.region_l1 > 0.0 and report.copy.psnr < 40.0
    assert report.region_l1_ratio == 0.0
    assert all(scores.model_l1 == 0.0 for scores in report.per_au.values())


def test_copy_editor_equals_the_baseline():
    report = run(copy_editor)
    assert report.model == report.copy
    assert report.l1_ratio == report.region_l1_ratio == 1.0
    assert report.copy.outside_l1 == 0.0
    assert all(scores.ratio == 1.0 for scores in report.per_au.values())


def test_halfway_editor_halves_the_error():
    report = run(halfway_editor)
    assert report.region_l1_ratio == pytest.approx(0.5, abs=1e-6)
    assert report.l1_ratio == pytest.approx(0.5, abs=1e-6)
    assert report.model.psnr == pytest.approx(report.copy.psnr + 10 * np.log10(4), abs=1e-3)


def test_per_au_breakdown_covers_every_au_with_visible_edits():
    report = run(copy_editor, pairs_per_au=2)
    assert list(report.per_au) == list(aus.AU_CODES)
    for code, scores in report.per_au.items():
        assert scores.n_pairs == 2 and scores.copy_l1 > 0.0, code
    assert run(copy_editor, pairs_per_au=0).per_au == {}


def test_same_seed_same_report():
    assert run(halfway_editor, seed=3) == run(halfway_editor, seed=3)
    assert run(halfway_editor, seed=3) != run(halfway_editor, seed=4)


def test_report_serialises_and_prints(tmp_path):
    report = run(halfway_editor)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["region_l1_ratio"] == pytest.approx(0.5, abs=1e-6)
    assert data["per_au"]["AU12"]["ratio"] == pytest.approx(report.per_au["AU12"].ratio)
    table = report.format_table()
    assert "copy input" in table and "0..1 pixel scale" in table
    assert all(code in table for code in aus.AU_CODES)


def test_grid_has_a_row_per_pair_and_an_attention_column(tmp_path):
    run(copy_editor, grid_path=tmp_path / "grid.png", grid_rows=3)
    grid = cv2.imread(str(tmp_path / "grid.png"))
    zoom = 3  # 32 px faces are enlarged to 96 px
    assert grid.shape == (HEADER_HEIGHT + 3 * SIZE * zoom, 4 * SIZE * zoom, 3)
    save_grid(tmp_path / "plain.png", *(np.zeros((2, SIZE, SIZE, 3)),) * 3)
    plain = cv2.imread(str(tmp_path / "plain.png"))
    assert plain.shape == (HEADER_HEIGHT + 2 * SIZE * zoom, 3 * SIZE * zoom, 3)


def test_dataset_folder_uses_only_its_test_identities(tmp_path):
    summary = make_dataset(
        tmp_path, n_identities=4, per_identity=1, image_size=SIZE, seed=0, test_fraction=0.5
    )
    report = score_au_control(copy_editor, tmp_path, SIZE, n_pairs=2, pairs_per_au=0)
    assert report.n_identities == len(summary.test_identities) == 2
    assert report.l1_ratio == 1.0


def test_wrong_editor_output_is_reported():
    with pytest.raises(ValueError, match="shape"):
        run(lambda images, target_aus: (images[:, :16], None))
    with pytest.raises(ValueError, match="No identities"):
        score_au_control(copy_editor, [], SIZE)


class _RecordingGenerator:
    """Stands in for `tfganimation.Generator`: returns (edited, color, attention)."""

    def __call__(self, inputs, training):
        self.inputs, self.training = inputs, training
        images, _ = inputs
        return images * 0.5, images, np.full(images.shape[:3] + (1,), 0.25, np.float32)


def test_generator_editor_follows_the_generator_contract():
    generator = _RecordingGenerator()
    images = np.zeros((2, SIZE, SIZE, 3), np.float32)
    targets = np.ones((2, aus.N_AUS), np.float32)
    edited, attention = generator_editor(generator)(images, targets)
    assert generator.training is False and generator.inputs[1] is targets
    assert attention.shape == (2, SIZE, SIZE, 1) and float(attention.max()) == 0.25
    assert isinstance(edited, np.ndarray)


def test_generator_editor_runs_the_real_generator(tmp_path):
    import tfganimation

    generator = tfganimation.Generator(image_size=SIZE, conv_dim=4, residual_blocks=1)
    grid_path = tmp_path / "grid.png"
    report = run(generator_editor(generator), n_pairs=2, pairs_per_au=0, grid_path=grid_path)
    assert np.isfinite(report.model.l1) and report.model.l1 > 0.0
    assert cv2.imread(str(grid_path)).shape[1] == 4 * SIZE * 3


def test_evaluate_run_scores_a_saved_run(tmp_path):
    from conftest import tiny_ganimation

    from tfganimation.atomic import write_json_atomically
    from tfganimation.evaluation import evaluate_run
    from tfganimation.training import save_model_atomically

    data = tmp_path / "data"
    make_dataset(data, n_identities=2, per_identity=1, image_size=SIZE, seed=0, test_fraction=0.5)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    save_model_atomically(tiny_ganimation(), run_dir / "model.keras")
    write_json_atomically(run_dir / "run.json", {"data": {"path": str(data)}})

    report, out = evaluate_run(run_dir, n_pairs=2, oracle=brightness_oracle)
    assert out == run_dir / "evaluation" and report.n_identities == 1
    saved = json.loads((out / "evaluation.json").read_text())
    assert saved["region_l1_ratio"] == pytest.approx(report.region_l1_ratio)
    assert cv2.imread(str(out / "grid.png")).shape[1] == 4 * SIZE * 3
    with pytest.raises(FileExistsError):
        evaluate_run(run_dir, n_pairs=2, oracle=brightness_oracle)
    with pytest.raises(FileNotFoundError, match="not a synthetic dataset"):
        evaluate_run(run_dir, data=tmp_path / "run", out=tmp_path / "elsewhere",
                     oracle=brightness_oracle)  # fmt: skip
    assert not (tmp_path / "elsewhere").exists()


def test_evaluate_generator_writes_its_report_and_grid_beside_other_files(tmp_path):
    """The quickstart's call: the folder already holds the run and the dataset, which stay."""
    import tfganimation
    from tfganimation.evaluation import EVALUATION_FILE, evaluate_generator

    (tmp_path / "run").mkdir()
    generator = tfganimation.Generator(image_size=SIZE, conv_dim=4, residual_blocks=1)
    report = evaluate_generator(generator, [IDENTITY], tmp_path, n_pairs=2,
                                oracle=brightness_oracle, grid_name="au_control_grid.png")  # fmt: skip
    saved = json.loads((tmp_path / EVALUATION_FILE).read_text())
    assert saved == json.loads(json.dumps(report.to_dict()))
    assert cv2.imread(str(tmp_path / "au_control_grid.png")) is not None
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "au_control_grid.png",
        EVALUATION_FILE,
        "run",
    ]


def test_evaluate_run_scores_the_demo_on_the_identities_it_ships_with(tmp_path, monkeypatch):
    from tfganimation.demo import demo_test_identities
    from tfganimation.evaluation import evaluate_run

    monkeypatch.chdir(tmp_path)
    report, out = evaluate_run("demo", n_pairs=2)

    assert out.resolve() == tmp_path.resolve() / "demo_evaluation"
    assert report.image_size == 64 and report.n_pairs == 2
    assert report.n_identities == len(demo_test_identities())
    saved = json.loads((out / "evaluation.json").read_text())
    documented = {"image_size", "n_pairs", "n_identities", "seed", "model", "copy", "per_au"}
    headline = {"oracle_au_ratio", "region_l1_ratio", "outside_l1"}  # the keys
    assert documented | headline | {"l1_ratio", "oracle"} <= set(saved)
    assert set(saved["model"]) >= {"l1", "psnr", "region_l1", "region_psnr", "outside_l1"}
    assert all(np.isfinite(saved[key]) for key in headline)  # the shipped oracle was used
    assert set(saved["oracle"]) == {"model", "copy", "truth"}
    assert cv2.imread(str(out / "grid.png")) is not None


def brightness_oracle(images):
    """A stand-in AU reader: any deterministic function of the pixels will do for bookkeeping."""
    return np.repeat(np.asarray(images).mean(axis=(1, 2, 3))[:, None], aus.N_AUS, axis=1)


def test_oracle_scores_the_truth_the_copy_and_the_edit():
    perfect = run(perfect_editor, oracle=brightness_oracle)
    assert perfect.oracle.model == perfect.oracle.truth
    copy = run(copy_editor, oracle=brightness_oracle)
    assert copy.oracle.model == copy.oracle.copy and copy.oracle_au_ratio == 1.0
    assert all(scores.oracle.ratio == 1.0 for scores in copy.per_au.values())
    result = copy.to_dict()
    assert result["oracle_au_ratio"] == 1.0
    assert result["region_l1_ratio"] == 1.0 and result["outside_l1"] == 0.0
    assert "Oracle AU MSE" in copy.format_table()


def test_without_an_oracle_the_keys_are_still_there():
    result = run(copy_editor).to_dict()
    assert result["oracle_au_ratio"] is None and result["oracle"] is None
    assert np.isnan(run(copy_editor).oracle_au_ratio)


def test_an_oracle_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match="oracle returned"):
        run(copy_editor, oracle=lambda images: np.zeros((len(images), 3)))


def test_the_metric_and_its_report_run_without_tensorflow(tmp_path):
    script = f"""
import sys
sys.modules["tensorflow"] = sys.modules["keras"] = None  # Importing either now fails.
import numpy as np
from tfganimation.evaluation import score_au_control, save_grid, write_report
from tfganimation.synthetic import sample_identity

identity = sample_identity(np.random.default_rng(0))
report = score_au_control(lambda images, aus: (images, None), [identity], 32, n_pairs=2, pairs_per_au=0,
                  grid_path={str(tmp_path / "grid.png")!r})
write_report(report, {str(tmp_path / "evaluation.json")!r})
assert report.region_l1_ratio == 1.0
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    assert json.loads((tmp_path / "evaluation.json").read_text())["region_l1_ratio"] == 1.0


def test_the_package_keeps_every_name_the_module_had():
    import tfganimation.evaluation as evaluation

    former = ["AUReader", "AUScores", "EVALUATION_FILE", "Editor", "EvaluationReport",
              "OracleScores", "PSNR_CAP_DB", "Scores", "score_au_control", "evaluate_run",
              "generator_editor", "save_grid", "shipped_oracle"]  # fmt: skip
    assert set(former) <= set(evaluation.__all__)
    assert all(getattr(evaluation, name) is not None for name in former)
