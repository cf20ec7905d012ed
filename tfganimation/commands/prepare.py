"""`tfganimation prepare`: validate a dataset and convert it to the manifest layout."""

from __future__ import annotations

import argparse

from tfganimation.commands.arguments import add_command, named_after
from tfganimation.commands.errors import CommandError
from tfganimation.data.openface import DEFAULT_MIN_CONFIDENCE

EPILOG = """\
examples:
  tfganimation prepare path/to/ganimation_dataset --out data/celeba
  tfganimation prepare --images faces/ --openface openface_csvs/ --out data/faces
"""


SUMMARY = "validate a dataset and write it as images/ + manifest.csv"

DESCRIPTION = """\
Reads a GANimation dataset (imgs/, aus_openface.pkl, train_ids.csv, test_ids.csv), a manifest
dataset, or OpenFace AU CSVs with their images; skips and counts every unusable image or AU row;
writes DATASET/images/, DATASET/manifest.csv and DATASET/report.json. The source is never
modified.
"""


def add_parser(subparsers) -> None:
    parser = add_command(
        subparsers,
        "prepare",
        run,
        SUMMARY,
        DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("source", nargs="?", metavar="SOURCE", help="a GANimation or manifest dataset folder")
    parser.add_argument(
        "--openface",
        metavar="CSV",
        help="OpenFace output, one CSV or a folder of CSVs, instead of SOURCE (default: none)",
    )
    parser.add_argument(
        "--images",
        metavar="DIR",
        help="the images the OpenFace CSVs describe (default: the folder of the CSVs)",
    )
    parser.add_argument(
        "--out",
        metavar="DATASET",
        help="folder to write (default: SOURCE_NAME_prepared in the working folder)",
    )
    parser.add_argument(
        "--test-fraction", type=float, default=0.1,
        help="OpenFace: share of images (or videos) in the test split (default: %(default)s)",
    )
    parser.add_argument(
        "--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE,
        help="OpenFace: drop face rows below this confidence (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=0, help="OpenFace: seed of the split (default: %(default)s)")
    parser.add_argument("--overwrite", action="store_true", help="replace an earlier dataset in --out")
    parser.add_argument("--copy", action="store_true", help="copy images even where hard links are possible")


def run(args: argparse.Namespace) -> int:
    from tfganimation.data.prepare import prepare_dataset

    if args.openface and args.source:
        raise CommandError("give either SOURCE or --openface CSV, not both")
    if args.images and not args.openface:
        raise CommandError("--images goes with --openface CSV")
    if not (args.openface or args.source):
        raise CommandError("give SOURCE, or --openface CSV --images DIR")
    source = args.openface or args.source
    try:
        report = prepare_dataset(
            source,
            args.out or named_after(source, "_prepared"),
            format="openface" if args.openface else None,
            images=args.images,
            min_confidence=args.min_confidence,
            test_fraction=args.test_fraction,
            seed=args.seed,
            overwrite=args.overwrite,
            link=not args.copy,
        )
    except OSError as error:  # unreadable or unwritable paths: one line, no traceback
        raise CommandError(str(error)) from None
    print("\n".join(report.lines()))
    return 0
