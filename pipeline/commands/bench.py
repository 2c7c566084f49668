"""``python -m pipeline bench``: the benchmark of issue #6 (docs/bench.md)."""

from __future__ import annotations

import argparse
import importlib.util
import shutil
from pathlib import Path

from rich.console import Console

from pipeline.bench import corpus, report, suite
from pipeline.bench.measure import BenchError
from pipeline.bench.runners import ROOT
from pipeline.errors import UserError

HELP = "measure ingest, site build and digest on generated corpora against their targets (table and JSON)"
DEFAULT_SIZES = (2000, 10000)
_SHARED_AEB = ROOT.parent / "shared" / "benchmarks" / "extraction" / "aeb"
REAL_DEFAULT = _SHARED_AEB if (_SHARED_AEB / "html").is_dir() else ROOT / "tests" / "fixtures" / "aeb-sample"
QUICK_SIZES = (100, 200)  # --quick: an end-to-end check in about a minute; its figures mean nothing
# The site is built at the smallest size only by default: at 10,000 pages the five builds take over 10 minutes
# on 2 cores, and the whole run would pass 15 (docs/bench.md has those figures).


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(sorted({int(part) for part in text.split(",")}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of page counts: {text!r}") from None
    if not sizes or sizes[0] < 1 or sizes[-1] >= corpus.CAPACITY:
        raise argparse.ArgumentTypeError(f"page counts run from 1 to {corpus.CAPACITY - 1}")
    return sizes


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return int(text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sizes",
        type=_sizes,
        metavar="N,N",
        help="corpus sizes in pages (default: 2000,10000; at least two)",
    )
    parser.add_argument(
        "--build-sizes", type=_sizes, metavar="N,N", help="sizes built into a site (default: the smallest)"
    )
    parser.add_argument("--repeat", type=_positive, default=1, help="best of N runs per figure (default: 1)")
    parser.add_argument(
        "--digest-runs", type=_positive, default=15, help="median of N digest renderings (default: 15)"
    )
    parser.add_argument("--seed", type=int, default=corpus.SEED, help="corpus seed (default: %(default)s)")
    parser.add_argument(
        "--out", type=Path, default=Path("bench-out"), help="results and work folder (default: bench-out)"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="JSON results (default: OUT/bench.json)")
    parser.add_argument("--keep", action="store_true", help="keep OUT/work: corpora, content, sites, logs")
    parser.add_argument(
        "--quick", action="store_true", help="sizes 100,200, builds at 100, 3 digest runs: a smoke test"
    )
    parser.add_argument(
        "--real",
        type=Path,
        default=REAL_DEFAULT,
        metavar="DIR",
        help="real pages laid out like the extraction benchmark's (html/*.html[.gz]); default: its 181 pages "
        "when ../shared/benchmarks/extraction/aeb is there, else the 31 of tests/fixtures/aeb-sample",
    )


def _settings(args: argparse.Namespace) -> suite.Settings:
    sizes = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    build_sizes = args.build_sizes or sizes[:1]
    if len(sizes) < 2:
        raise UserError("--sizes needs two sizes at least: memory is compared between smallest and largest")
    if not set(build_sizes) <= set(sizes):
        raise UserError("--build-sizes must be among --sizes")
    if sizes[-1] < max(suite.DIGEST_ITEMS):
        raise UserError(f"the largest size must be at least {max(suite.DIGEST_ITEMS)} (the digest's items)")
    return suite.Settings(
        sizes=sizes,
        build_sizes=build_sizes,
        repeat=args.repeat,
        digest_runs=3 if args.quick and args.digest_runs == 15 else args.digest_runs,
        seed=args.seed,
        work=(args.out / "work").resolve(),
        real=args.real.resolve(),
    )


def run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if importlib.util.find_spec("trafilatura") is None:
        raise UserError("trafilatura, the ingest's baseline, is not installed: run `make bench`")
    console = Console()
    try:
        results = report.finish(suite.run(settings, lambda line: console.print(line, highlight=False)))
    except BenchError as exc:
        raise UserError(str(exc)) from None
    finally:
        if not args.keep:
            shutil.rmtree(settings.work, ignore_errors=True)
    path = args.json or args.out / "bench.json"
    report.save(results, path)
    (args.out / "bench.md").write_text(report.markdown(results), encoding="utf-8")
    report.show(results, console)
    console.print(f"results: {path}, {args.out / 'bench.md'}", highlight=False)
    return 0
