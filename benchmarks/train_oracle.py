"""Trains the AU oracle and writes it into the package: `python benchmarks/train_oracle.py`.

Renders its own faces (identities no dataset uses), trains
`tfganimation.oracle.AUOracle`, measures it on held-out identities and saves
`tfganimation/oracle/files/{oracle.keras,oracle.json}`. Half an hour or so
on a 2-core CPU. `--out DIR` writes elsewhere (the shipped copy is replaced
only with `--overwrite`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tfganimation.oracle import ORACLE_DIR, save_oracle
from tfganimation.oracle.files import ORACLE_FILE
from tfganimation.oracle.training import OracleConfig, train_oracle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ORACLE_DIR))
    parser.add_argument("--overwrite", action="store_true")
    parser.add_argument("--epochs", type=int, default=OracleConfig.epochs)
    parser.add_argument("--identities", type=int, default=OracleConfig.n_identities)
    args = parser.parse_args()
    if (Path(args.out) / ORACLE_FILE).exists() and not args.overwrite:
        parser.error(f"{args.out}/{ORACLE_FILE} exists; pass --overwrite to replace it.")
    config = OracleConfig(epochs=args.epochs, n_identities=args.identities)
    oracle, record = train_oracle(config)
    save_oracle(oracle, record, args.out)
    print(json.dumps({key: record[key] for key in ("heldout", "heldout_corrupted")}, indent=1))
    print(f"held-out MSE / AU variance: {record['heldout']['mse_ratio']:.3f} "
          f"(corrupted: {record['heldout_corrupted']['mse_ratio']:.3f})")


if __name__ == "__main__":
    main()
