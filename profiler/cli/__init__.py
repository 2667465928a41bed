"""The headless command line: `python app.py <subcommand> ...`."""
from __future__ import annotations

import argparse

from . import bench_cmd, calibrate_cmd, compare_cmd, profile_cmd, run_cmd
from .common import run_guarded

SUBCOMMANDS = ("run", "bench", "profile", "calibrate", "compare")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="app.py", description="Layerscope: ncnn model workbench (headless)")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (run_cmd, bench_cmd, profile_cmd, calibrate_cmd, compare_cmd):
        module.add_parser(sub)
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    return run_guarded(args.handler, args)
