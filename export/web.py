"""Puts the on-device page (web/) next to an existing LiteRT export.

    python export/web.py EXPORT_DIR [--out DIR] [--overwrite]

Copies the page, the LiteRT.js runtime (from web/node_modules: run `npm ci`
in web/ first) and an example face into DIR (default: EXPORT_DIR; another DIR
also gets metadata.json and the .tflite files). Then `cd DIR && python -m
http.server` is the whole deployment. `tfganimation export --model MODEL --out
DIR --web` does the same right after exporting.
"""

import argparse
import sys

from tfganimation.export.web import write_web_page


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export_dir", help="a `tfganimation export` folder")
    parser.add_argument("--out", default=None, help="folder to serve (default: EXPORT_DIR)")
    parser.add_argument("--overwrite", action="store_true", help="replace an earlier page")
    args = parser.parse_args(argv)
    try:
        written = write_web_page(args.export_dir, args.out, overwrite=args.overwrite)
    except (OSError, ValueError) as error:
        print(f"export/web.py: error: {error}", file=sys.stderr)
        return 1
    folder = args.out or args.export_dir
    print(f"Wrote {len(written)} files. Serve them with: cd {folder} && python -m http.server")
    return 0


if __name__ == "__main__":
    sys.exit(main())
