"""`tfganimation export`: SavedModel and LiteRT files from a trained model, checked."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys

from tfganimation.choices import (
    DEFAULT_TFLITE_VARIANTS,
    EXPORT_FORMATS,
    EXPORT_PRECISIONS,
    TFLITE_VARIANTS,
)
from tfganimation.commands.arguments import add_command, named_after, positive_int
from tfganimation.commands.errors import CommandFailed
from tfganimation.commands.model_argument import KERAS_KINDS, add_model_argument, model_argument


SUMMARY = "export a trained generator as a SavedModel and LiteRT files"

DESCRIPTION = """\
Write DIR/saved_model/1 (TensorFlow Serving layout; signatures animate and estimate_aus),
DIR/generator_<variant>.tflite and DIR/metadata.json, then check every file against the Keras
model on real faces and print the parity table. Exits with status 1 (failed), keeping the files,
if a file fails its check. A .keras file may hold a GANimation or a bare Generator; a PyTorch
generator finds its critic beside it.
"""


def add_parser(subparsers) -> None:
    parser = add_command(subparsers, "export", run, SUMMARY, DESCRIPTION)
    add_model_argument(parser, KERAS_KINDS, operand_alias=True)
    parser.add_argument(
        "--out",
        default=None,
        help="export folder (default: MODEL_NAME_export in the working folder)",
    )
    parser.add_argument(
        "--formats",
        type=_choices(EXPORT_FORMATS),
        default=EXPORT_FORMATS,
        help="comma-separated (default: saved_model,tflite)",
    )
    parser.add_argument(
        "--variants",
        type=_choices(TFLITE_VARIANTS),
        default=DEFAULT_TFLITE_VARIANTS,
        help="LiteRT variants, comma-separated (default: float32,float16,dynamic,int8); "
        "float32_winograd runs float32 about 1.6x faster on CPUs in a 3.5x larger file",
    )
    parser.add_argument(
        "--precision",
        choices=EXPORT_PRECISIONS,
        default="float32",
        help="the SavedModel's arithmetic (default float32); bfloat16 runs faster where the "
        "hardware computes it natively, takes and gives the same dtypes, and is checked by "
        "PSNR >= 40 dB against float32; the LiteRT files keep their variants",
    )
    parser.add_argument(
        "--representative",
        default=None,
        metavar="DATASET_OR_DIR",
        help="dataset or folder of face images for int8 calibration and the parity check "
        "(default: the run's dataset; for demo, faces of its held-out synthetic identities; "
        "a .pth or a converted model names none: pass this)",
    )
    parser.add_argument(
        "--image-size",
        type=positive_int,
        default=None,
        help="exported height and width (default: the training size; another multiple of 4 "
        "exports the generator only)",
    )
    parser.add_argument(
        "--calibration-images",
        type=positive_int,
        default=64,
        help="faces that calibrate the int8 variant (default %(default)s)",
    )
    parser.add_argument(
        "--parity-images",
        type=positive_int,
        default=4,
        help="faces the parity check runs, each with every preset (default %(default)s)",
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="replace an earlier export in --out"
    )
    parser.add_argument(
        "--web",
        nargs="?",
        const="",
        default=None,
        metavar="DIR",
        help="also write the on-device page (web/, LiteRT.js) beside the LiteRT files, into DIR "
        "(default: --out), so that `python -m http.server` there serves it; needs `npm ci` in web/",
    )


def run(args: argparse.Namespace) -> int:
    from tfganimation.export.exporter import ParityError, export_model
    from tfganimation.outputs import output_folder

    if args.web is not None:
        from tfganimation.export.web import page_sources

        if "tflite" not in args.formats:
            raise ValueError("--web needs the tflite format: the page runs the .tflite files.")
        page_sources()  # A missing runtime fails now, not after minutes of export.
    model = model_argument(args, KERAS_KINDS)
    if not model.given:
        print("No --model given: exporting the demo model shipped in the package.")
    out = args.out or named_after(model.reference, "_export")
    output_folder(out, args.overwrite, "pass --overwrite to replace the earlier export")
    try:
        with _progress_on_stderr():
            report = export_model(
                model.reference,
                out,
                formats=args.formats,
                variants=args.variants,
                representative_data=args.representative,
                image_size=args.image_size,
                overwrite=args.overwrite,
                calibration_images=args.calibration_images,
                parity_images=args.parity_images,
                precision=args.precision,
            )
    except ParityError as error:
        _print_report(error.report)
        if args.web is not None:
            print(
                f"The on-device page was not written; `python export/web.py {out}` writes it "
                "anyway.",
                file=sys.stderr,
            )
        raise CommandFailed(str(error)) from error
    _print_report(report)
    if args.web is not None:
        from tfganimation.export.web import write_web_page

        web_dir = args.web or out
        write_web_page(out, web_dir, overwrite=args.overwrite)
        print(f"\nOn-device page: cd {web_dir} && python -m http.server (http://localhost:8000/)")
    return 0


def _print_report(report) -> None:
    print(report.format_table())
    print(
        f"\n{report.metadata['parity']['inputs']}; |Δ| in uint8 levels of the edited image "
        "against Keras; LiteRT timed on 1 thread."
    )
    for note in report.notes:
        print(f"Note: {note}")
    print("\nWrote:")
    for path in report.files.values():
        print(f"  {path}")


def _choices(allowed: tuple[str, ...]):
    def parse(text: str) -> tuple[str, ...]:
        chosen = tuple(item.strip() for item in text.split(",") if item.strip())
        unknown = [item for item in chosen if item not in allowed]
        if unknown or not chosen:
            raise argparse.ArgumentTypeError(
                f"expected a comma-separated subset of {','.join(allowed)}, got {text!r}"
            )
        return chosen

    return parse


@contextlib.contextmanager
def _progress_on_stderr():
    """Prints the exporter's progress lines (conversions take minutes at 128 px)."""
    logger = logging.getLogger("tfganimation.export")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    # Not propagated: TensorFlow gives the root logger a handler of its own.
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.level, logger.propagate = saved
