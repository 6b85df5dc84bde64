"""vapay's benchmarks: speed and memory as ratios measured side by side, in one run.

    python benchmarks/run.py [--latency-ms 50] [--items N] [--per-page 25]
                             [--rounds R] [--quick] [--plain] [--profile] ...

(`--help` lists every flag; benchmarks/README.md explains the method and the figures.)

Starts the sandbox (`python -m vapay.sandbox`) in a process of its own, once with
no latency and once with `--latency-ms`, and measures on the same pages:

- vapay against two hand-written baselines (see `_baselines.py`): "raw" (aiohttp
  GET + `json.loads`, no models) and "hand" (raw + the same attrs models, built
  by a hand-written loop), sequentially and with 16 requests in flight;
- vapay with 16 requests in flight against vapay sequential, at `--latency-ms`;
- decode-only items/s of vapay's converter against `json.loads` alone and an
  equivalent pydantic v2 model (`_decode.py`);
- peak memory of listing 10x more items, each size in a fresh process (`_memory.py`);
- "scale": `list_many` over thousands of accounts at `--latency-ms`, vapay against a
  hand-written `gather` + semaphore at concurrency 16, 64 and 256 (`_scale.py`), and
  `va_transactions.list_many` against the plain loop.

Contenders take turns round-robin (the order rotating every round) and each is
reported by its median, so machine noise hits all alike. The exit status is 0
whatever the figures (this is a report); 2 when the benchmark itself could not
run (the sandbox did not start, contenders disagree on the items).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import gc
import importlib
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import aiohttp

import vapay
from _baselines import (
    Listing,
    auth_headers,
    get_body,
    hand,
    last_page,
    raw,
    walk_concurrent,
    walk_sequential,
)
from _decode import check_equivalent, decoders, profile, time_decoders
from _fleet import fleet_row
from _report import Measure, Row, Target, median, render_plain, render_rich, summary
from _sandbox import SandboxError, SandboxSettings, sandbox_process
from _scale import ScaleSettings, WorkerError, run_scale
from reconcile_match import rows as reconcile_rows
from vapay._client import DEFAULT_CONNECTION_LIMIT

CONCURRENCY = 16  # "c16" in contender and row names
SCALE_CONCURRENCIES = (16, 64, 256)
KIND = "temporary"
MAX_PER_PAGE = 25  # the API's documented maximum for virtual accounts; the sandbox enforces it
MEMORY_SCRIPT = Path(__file__).with_name("_memory.py")

Contender = Callable[[], Awaitable[object]]


class BenchmarkError(RuntimeError):
    """The benchmark cannot give meaningful figures (contenders disagree, a probe failed)."""


@dataclass(frozen=True)
class Settings:
    """The sizes of one run."""

    latency_ms: float
    items: int  # per 0 ms listing; a whole number of pages
    latency_items: int  # per listing at --latency-ms
    per_page: int
    rounds: int  # of the 0 ms listings
    decode_rounds: int
    latency_rounds: int
    memory_pages: int  # N = this many pages; the large run lists 10N
    memory_repeats: int  # fresh processes per size
    scale_accounts: int
    scale_repetitions: int
    payments_accounts: int
    batch_seconds: float  # one decode batch
    quick: bool
    plain: bool
    profile: bool

    @property
    def pages(self) -> int:
        """Pages of one 0 ms listing."""
        return self.items // self.per_page

    @property
    def latency_pages(self) -> int:
        """Pages of one listing at `--latency-ms`."""
        return self.latency_items // self.per_page

    @property
    def account_items(self) -> int:
        """`temporary` VAs the 0 ms sandbox's account holds: enough for every listing."""
        return max(self.items, 10 * self.memory_pages * self.per_page)

    @property
    def scale(self) -> ScaleSettings:
        """The scale section's sizes: 4 pages of `temporary` VAs an account, as in the issue."""
        return ScaleSettings(
            accounts=self.scale_accounts,
            virtual_accounts=2 * 4 * self.per_page,
            concurrencies=SCALE_CONCURRENCIES,
            repetitions=self.scale_repetitions,
            latency=self.latency_ms / 1000,
            per_page=self.per_page,
            payments_accounts=self.payments_accounts,
        )


def parse_args(argv: Sequence[str] | None = None) -> Settings:
    """The command line as `Settings` (`--quick` shrinks every size)."""
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--latency-ms", type=float, default=50.0, help="latency of run 2")
    parser.add_argument("--items", type=int, default=5_000, help="items per 0 ms listing")
    parser.add_argument(
        "--latency-items", type=int, default=5_000, help="items per --latency-ms listing"
    )
    parser.add_argument(
        "--per-page",
        type=int,
        default=MAX_PER_PAGE,
        help=f"1..{MAX_PER_PAGE} (the API's maximum for virtual accounts)",
    )
    parser.add_argument("--rounds", type=int, default=25, help="rounds at 0 ms and of decoding")
    parser.add_argument("--latency-rounds", type=int, default=3, help="rounds at --latency-ms")
    parser.add_argument("--decode-rounds", type=int, default=9, help="rounds of decoding")
    parser.add_argument("--memory-pages", type=int, default=30, help="N, in pages")
    parser.add_argument("--memory-repeats", type=int, default=3, help="processes per size")
    parser.add_argument(
        "--scale-accounts", type=int, default=2_000, help="accounts of the scale section"
    )
    parser.add_argument("--scale-reps", type=int, default=3, help="repetitions of each scale walk")
    parser.add_argument(
        "--payments-accounts", type=int, default=200, help="accounts of the payments row"
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke check")
    parser.add_argument("--plain", action="store_true", help="plain-text table, even with rich")
    parser.add_argument("--profile", action="store_true", help="cProfile vapay's decode step")
    args = parser.parse_args(argv)
    if not 1 <= args.per_page <= MAX_PER_PAGE:
        parser.error(
            f"--per-page must be 1..{MAX_PER_PAGE}, the API's maximum for virtual accounts"
        )
    sizes = (args.items, args.latency_items, args.rounds, args.latency_rounds)
    scale = (args.scale_accounts, args.scale_reps, args.payments_accounts)
    if min(*sizes, *scale, args.decode_rounds, args.memory_pages, args.memory_repeats) < 1:
        parser.error("sizes and rounds must be positive")
    settings = Settings(
        latency_ms=args.latency_ms,
        items=_whole_pages(args.items, args.per_page),
        latency_items=_whole_pages(args.latency_items, args.per_page),
        per_page=args.per_page,
        rounds=args.rounds,
        decode_rounds=args.decode_rounds,
        latency_rounds=args.latency_rounds,
        memory_pages=args.memory_pages,
        memory_repeats=args.memory_repeats,
        scale_accounts=args.scale_accounts,
        scale_repetitions=args.scale_reps,
        payments_accounts=args.payments_accounts,
        batch_seconds=0.2,
        quick=args.quick,
        plain=args.plain,
        profile=args.profile,
    )
    if args.quick:
        settings = replace(
            settings,
            items=5 * args.per_page,
            latency_items=5 * args.per_page,
            rounds=2,
            decode_rounds=2,
            latency_rounds=1,
            memory_pages=2,
            memory_repeats=1,
            scale_accounts=40,
            scale_repetitions=1,
            payments_accounts=10,
            batch_seconds=0.01,
        )
    return settings


def _whole_pages(items: int, per_page: int) -> int:
    return max(1, -(-items // per_page)) * per_page


# The machine and the packages.


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    try:
        with Path("/proc/cpuinfo").open() as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_lines() -> list[str]:
    """Date, machine, and versions: what the figures depend on."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    packages = ("aiohttp", "attrs", "cattrs", "pydantic", "pydantic-core", "msgspec")
    versions = ", ".join(f"{name} {_version(name) or 'MISSING'}" for name in packages)
    system = f"{platform.system()} {platform.release()}"
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return [
        f"date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"machine: {cpus} CPUs ({_cpu_model()}), {system}, load average {load}",
        f"python: {python}; vapay {vapay.__version__}; {versions}",
    ]


def _importable(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def missing_optional() -> list[str]:
    """What the optional packages' absence leaves out of the report."""
    missing = []
    if not _importable("pydantic"):
        missing.append("pydantic (pip install pydantic): the pydantic decode rows are skipped")
    if not _importable("msgspec"):
        missing.append("msgspec (pip install msgspec): the msgspec decode rows are skipped")
    if not _importable("rich"):
        missing.append("rich: the table is printed as plain text")
    return missing


# Timing contenders on the same listing.


def _count(result: object) -> int:
    if isinstance(result, int):
        return result
    assert isinstance(result, list)
    return len(result)


async def time_contenders(
    contenders: Mapping[str, Contender], *, expected: int, rounds: int
) -> dict[str, list[float]]:
    """Seconds per listing of each contender, round-robin, the order rotating.

    Raises:
        BenchmarkError: a contender got a different number of items.
    """
    names = list(contenders)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            started = time.perf_counter()
            result = await contenders[name]()
            times[name].append(time.perf_counter() - started)
            if (got := _count(result)) != expected:
                raise BenchmarkError(f"{name} listed {got} items, expected {expected}")
    return times


def throughput_row(
    name: str,
    times: Mapping[str, Sequence[float]],
    a: str,
    b: str,
    *,
    items: int,
    target: Target | None = None,
) -> Row:
    """Items/s of *a* against *b* (medians), with the range of per-round ratios."""
    paired = [tb / ta for ta, tb in zip(times[a], times[b], strict=True)]
    return Row(
        name,
        Measure(a, items / median(times[a]), "it/s"),
        Measure(b, items / median(times[b]), "it/s"),
        target,
        paired,
    )


async def vapay_list(
    client: vapay.Client, listing: Listing, concurrency: int
) -> list[vapay.VirtualAccount]:
    """vapay's listing of the same pages: `list(...).collect()`."""
    pager = client.virtual_accounts.list(
        listing.account_id,
        kind=listing.kind,
        per_page=listing.per_page,
        page=listing.first_page,
        concurrency=concurrency,
    )
    return await pager.collect()


@dataclass
class Harness:
    """One sandbox's clients: vapay's, and the baselines' session and headers."""

    client: vapay.Client
    session: aiohttp.ClientSession
    headers: dict[str, str]
    account_id: str
    total_pages: int  # of the account's `temporary` listing at `per_page`

    def listing(self, sandbox: SandboxSettings, settings: Settings, pages: int) -> Listing:
        """The last *pages* pages of the account's listing (it ends where the data does)."""
        return Listing(
            base_url=sandbox.base_url,
            account_id=self.account_id,
            kind=KIND,
            per_page=settings.per_page,
            first_page=self.total_pages - pages + 1,
            items=pages * settings.per_page,
        )

    def contenders(self, listing: Listing, *names: str) -> dict[str, Contender]:
        """The named contenders, bound to *listing*."""
        seq = functools.partial(walk_sequential, self.session, listing, self.headers)
        con = functools.partial(
            walk_concurrent, self.session, listing, self.headers, concurrency=CONCURRENCY
        )
        every: dict[str, Contender] = {
            "raw seq": lambda: raw(seq),
            "hand seq": lambda: hand(seq, listing.account_id),
            "vapay seq": lambda: vapay_list(self.client, listing, 1),
            "raw c16": lambda: raw(con),
            "hand c16": lambda: hand(con, listing.account_id),
            "vapay c16": lambda: vapay_list(self.client, listing, CONCURRENCY),
        }
        return {name: every[name] for name in names}


def open_clients(sandbox: SandboxSettings) -> tuple[vapay.Client, aiohttp.ClientSession]:
    """vapay's client and the baselines' session (with vapay's connection limit)."""
    client = vapay.Client(
        api_key=sandbox.api_key,
        client_id=sandbox.client_id,
        client_secret=sandbox.client_secret,
        base_url=sandbox.base_url,
    )
    connector = aiohttp.TCPConnector(limit=DEFAULT_CONNECTION_LIMIT)
    return client, aiohttp.ClientSession(connector=connector)


async def make_harness(
    client: vapay.Client,
    session: aiohttp.ClientSession,
    sandbox: SandboxSettings,
    settings: Settings,
) -> Harness:
    """The harness on *sandbox*: the account to list, its page count, the token.

    The baselines send the token vapay's own provider got (one token request,
    before any timing), so every contender uses the same token.
    """
    accounts = await client.accounts.list().collect()
    token = await client.token_provider.get_token()
    headers = auth_headers(sandbox.api_key, token.access_token)
    probe = Listing(sandbox.base_url, accounts[0].id, KIND, settings.per_page, 1, 0)
    total_pages = last_page(json.loads(await get_body(session, probe, headers, 1)))
    return Harness(client, session, headers, accounts[0].id, total_pages)


async def check_same_items(harness: Harness, listing: Listing) -> list[str]:
    """vapay and hand must produce equal items, sequentially and concurrently."""
    problems = []
    for suffix in ("seq", "c16"):
        both = harness.contenders(listing, f"vapay {suffix}", f"hand {suffix}")
        ours, theirs = [await run() for run in both.values()]
        assert isinstance(ours, list)
        assert isinstance(theirs, list)
        if [va.id for va in ours] != [va.id for va in theirs]:
            raise BenchmarkError(f"vapay {suffix} and hand {suffix} listed different ids")
        if ours != theirs:
            diff = next(pair for pair in zip(ours, theirs, strict=True) if pair[0] != pair[1])
            problems.append(f"vapay and hand items differ ({suffix}): {diff[0]!r} != {diff[1]!r}")
    return problems


@dataclass
class ZeroLatency:
    """What the 0 ms run hands on: rows, a page body to decode, and the listing's shape."""

    rows: list[Row]
    body: bytes
    account_id: str
    total_pages: int
    warnings: list[str]


async def run_zero_latency(sandbox: SandboxSettings, settings: Settings) -> ZeroLatency:
    """vapay vs raw vs hand, sequential and concurrent, at 0 ms latency."""
    client, session = open_clients(sandbox)
    async with client, session:
        harness = await make_harness(client, session, sandbox, settings)
        listing = harness.listing(sandbox, settings, settings.pages)
        names = ["raw seq", "hand seq", "vapay seq", "raw c16", "hand c16", "vapay c16"]
        contenders = harness.contenders(listing, *names)
        warnings = await check_same_items(harness, listing)
        for run in contenders.values():  # warm-up: connections, allocator, caches
            await run()
        times = await time_contenders(contenders, expected=listing.items, rounds=settings.rounds)
        body = await get_body(session, listing, harness.headers, listing.first_page)
    row = functools.partial(throughput_row, times=times, items=listing.items)
    rows = [
        row("0 ms seq: vapay vs hand", a="vapay seq", b="hand seq", target=Target(">=", 0.9)),
        row("0 ms seq: vapay vs raw", a="vapay seq", b="raw seq"),
        row("0 ms seq: hand vs raw", a="hand seq", b="raw seq"),
        row("0 ms c16: vapay vs hand", a="vapay c16", b="hand c16", target=Target(">=", 0.9)),
        row("0 ms c16: vapay vs raw", a="vapay c16", b="raw c16"),
        row("0 ms: vapay c16 vs vapay seq", a="vapay c16", b="vapay seq"),
    ]
    return ZeroLatency(rows, body, harness.account_id, harness.total_pages, warnings)


async def run_latency(sandbox: SandboxSettings, settings: Settings) -> list[Row]:
    """vapay concurrency 16 vs vapay sequential (and vs hand), at `--latency-ms`."""
    client, session = open_clients(sandbox)
    async with client, session:
        harness = await make_harness(client, session, sandbox, settings)
        listing = harness.listing(sandbox, settings, settings.latency_pages)
        contenders = harness.contenders(listing, "vapay seq", "vapay c16", "hand c16")
        times = await time_contenders(
            contenders, expected=listing.items, rounds=settings.latency_rounds
        )
    ms = f"{settings.latency_ms:g} ms"
    row = functools.partial(throughput_row, times=times, items=listing.items)
    # Page 1 alone, then waves of 16: the best c16 can do against one at a time.
    pages = settings.latency_pages
    ceiling = pages / (1 + -(-(pages - 1) // CONCURRENCY))
    return [
        row(
            f"{ms}: vapay c16 vs vapay seq (ceiling {ceiling:.1f}x)",
            a="vapay c16",
            b="vapay seq",
            target=Target(">=", 10),
        ),
        row(f"{ms} c16: vapay vs hand", a="vapay c16", b="hand c16"),
    ]


# Decode-only.


def run_decode(body: bytes, account_id: str, settings: Settings) -> tuple[list[Row], list[str]]:
    """Decode-only rows, and any disagreement between the decoders' items."""
    contenders = decoders(body, account_id)
    problems = check_equivalent(contenders)
    times = time_decoders(
        contenders, rounds=settings.decode_rounds, batch_seconds=settings.batch_seconds
    )
    items = len(json.loads(body)["data"])

    def row(name: str, a: str, b: str, target: Target | None = None) -> Row:
        if a not in times or b not in times:
            missing = "pydantic" if "pydantic" in a + b else "msgspec"
            return Row(name, None, None, target, note=f"{missing} not installed")
        return throughput_row(name, times, a, b, items=items, target=target)

    pyd_dicts, pyd_json = "pydantic dicts", "pydantic json"
    rows = [
        # The targets: the hand-written loop, and the straight-line loop
        # written for exactly this item shape (the pure-Python ceiling).
        row("decode: vapay vs hand", "vapay", "hand", Target(">=", 1.0)),
        row("decode: vapay vs straight-line (tuned)", "vapay", "tuned", Target(">=", 0.85)),
        row("decode: vapay vs pydantic v2 (dicts)", "vapay", pyd_dicts),
        row("decode: vapay vs json.loads alone", "vapay", "json.loads"),
        row("decode: vapay vs pydantic validate_json", "vapay", pyd_json),
        # What else could be done while keeping attrs models (benchmarks/README.md).
        row("decode: tuned Python vs pydantic v2 (dicts)", "tuned", pyd_dicts),
        row("decode: msgspec + attrs vs pydantic v2 (dicts)", "msgspec + attrs", pyd_dicts),
        row("decode: msgspec + attrs vs json.loads alone", "msgspec + attrs", "json.loads"),
    ]
    return rows, problems


# Memory, one fresh process per size.


def memory_peak(
    sandbox: SandboxSettings, job: Sequence[object], expected: int, timeout: float = 900.0
) -> int:
    """Peak traced bytes of one listing, measured by `_memory.py` in a new process."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(MEMORY_SCRIPT), *map(str, job)],
        env={**os.environ, **sandbox.env()},
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise BenchmarkError(f"memory probe failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["items"] != expected:
        raise BenchmarkError(f"memory probe listed {result['items']} items, expected {expected}")
    return int(result["peak"])


def run_memory(sandbox: SandboxSettings, settings: Settings, zero: ZeroLatency) -> list[Row]:
    """Peak memory of N and 10N items; iterating must stay flat, collecting must not.

    The peak of a walk depends on how many fetched pages wait at one moment, which
    varies from run to run: each size is measured `memory_repeats` times,
    alternating, in a new process each time, and reported by its median.
    """
    small, large = settings.memory_pages, 10 * settings.memory_pages
    first_small, first_large = zero.total_pages - small + 1, zero.total_pages - large + 1
    per_page = settings.per_page

    def peak(first: int, mode: str) -> int:
        job = (zero.account_id, KIND, per_page, first, first_small, CONCURRENCY, mode)
        return memory_peak(sandbox, job, (zero.total_pages - first + 1) * per_page)

    peaks: dict[int, list[int]] = {first_large: [], first_small: []}
    for _ in range(settings.memory_repeats):
        for first, found in peaks.items():
            found.append(peak(first, "iterate"))
    repeats = f"median of {settings.memory_repeats}"
    iterate = (
        Measure(f"iterate {large * per_page} items ({repeats})", median(peaks[first_large]), "B"),
        Measure(f"iterate {small * per_page} items ({repeats})", median(peaks[first_small]), "B"),
    )
    paired = [a / b for a, b in zip(peaks[first_large], peaks[first_small], strict=True)]
    collect = (
        Measure(f"collect {large * per_page} items", peak(first_large, "collect"), "B"),
        Measure(f"collect {small * per_page} items", peak(first_small, "collect"), "B"),
    )
    return [
        Row("memory c16: 10N vs N items, iterating", *iterate, Target("<", 1.3), paired),
        Row("memory (probe check): 10N vs N, collect()", *collect),
    ]


# The whole run.


def run_all(settings: Settings) -> tuple[list[Row], list[str], str | None, list[str]]:
    """Every measurement; the rows, warnings, the decode profile if asked for, and the
    scale section's detail table."""
    warnings: list[str] = []
    vas = 2 * settings.account_items  # kinds alternate: half are `temporary`
    with sandbox_process(virtual_accounts=vas, latency=0.0) as sandbox:
        print(f"0 ms sandbox at {sandbox.base_url}: listings ...", flush=True)
        zero = asyncio.run(run_zero_latency(sandbox, settings))
        print("memory (one process per size) ...", flush=True)
        memory_rows = run_memory(sandbox, settings, zero)
    warnings += zero.warnings
    print("decode-only ...", flush=True)
    decode_rows, problems = run_decode(zero.body, zero.account_id, settings)
    warnings += problems
    report = None
    if settings.profile:
        contenders = decoders(zero.body, zero.account_id)
        report = profile(contenders["vapay"], calls=2000 if not settings.quick else 50)
    latency = settings.latency_ms / 1000
    with sandbox_process(virtual_accounts=2 * settings.latency_items, latency=latency) as sandbox:
        print(f"{settings.latency_ms:g} ms sandbox at {sandbox.base_url}: listings ...", flush=True)
        latency_rows = asyncio.run(run_latency(sandbox, settings))
        print("fleet (Redis store + budget) ...", flush=True)
        latency_rows.append(fleet_row(sandbox, requests=32 if settings.quick else 320))
    print(
        f"scale: {settings.scale_accounts} accounts at {settings.latency_ms:g} ms ...", flush=True
    )
    scale_rows, scale_table = run_scale(settings.scale)
    print("reconcile matching ...", flush=True)
    match_rows = reconcile_rows(10_000 if settings.quick else 100_000, 2 if settings.quick else 5)
    rows = [*zero.rows, *latency_rows, *scale_rows, *decode_rows, *memory_rows, *match_rows]
    return rows, warnings, report, scale_table


def print_report(rows: Sequence[Row], settings: Settings, argv: Sequence[str]) -> None:
    """The table, then the settings and the summary line."""
    print()
    if settings.plain or not sys.stdout.isatty() or not render_rich(rows):
        print(render_plain(rows))
    print()
    print(
        f"command: python benchmarks/run.py {' '.join(argv)}".rstrip()
        + f"  (0 ms: {settings.items} items x {settings.rounds} rounds; {settings.latency_ms:g} "
        f"ms: {settings.latency_items} items x {settings.latency_rounds} rounds; "
        f"decoding: {settings.decode_rounds} rounds; per_page {settings.per_page}, "
        f"memory N = {settings.memory_pages} pages, "
        f"memory repeats {settings.memory_repeats}, c16 = {CONCURRENCY} requests in flight)"
    )
    print(
        "figures are medians over rounds; ratio = A/B of the medians; per-round A/B = the "
        "spread of A/B within each round (quartiles, or the range under 4 rounds)"
    )
    print(
        "decode contenders: json = stdlib json.loads; vapay = vapay's loads (exact Decimal "
        "numbers) + structure_page(..., VirtualAccount, extra=...); hand = json.loads + the "
        "hand loop; tuned = json.loads + one straight-line function for this page's item "
        "shape (the straight-line target row); msgspec + attrs = msgspec Structs decoded "
        "in C, then the same attrs models; pydantic dicts = json.loads + model_validate "
        "(what generated SDKs do); pydantic json = TypeAdapter.validate_json"
    )
    if hasattr(os, "getloadavg"):
        print("load average at the end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    if settings.quick:
        print("QUICK MODE: sizes are too small for the targets to mean anything.")
    print(summary(rows))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks and print the report."""
    argv = list(sys.argv[1:] if argv is None else argv)
    settings = parse_args(argv)
    for line in machine_lines():
        print(line)
    for line in missing_optional():
        print(f"optional package missing: {line}")
    try:
        rows, warnings, report, scale_table = run_all(settings)
    except (SandboxError, BenchmarkError, WorkerError) as err:
        print(f"ERROR: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; the sandbox has been stopped", file=sys.stderr)
        return 130
    if report is not None:
        print("\ncProfile of vapay's decode step, by own time:\n" + report)
    for warning in warnings:
        print(f"WARNING: {warning}")
    print(
        f"\nscale: list_many over {settings.scale_accounts} accounts x 4 pages at "
        f"{settings.latency_ms:g} ms, each figure min / median / max over "
        f"{settings.scale_repetitions} walks (each walk a fresh process):"
    )
    print("\n".join(scale_table))
    print_report(rows, settings, argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
