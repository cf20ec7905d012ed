"""Command-line subcommands: each module has `add_parser(subparsers)` and `run(args)`.

Modules here only parse arguments and call library functions; heavy imports
(TensorFlow) happen inside `run`, so `tfganimation --help` stays instant.
"""
