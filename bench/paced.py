"""Open-loop paced load: requests leave on a fixed schedule whether or not earlier ones are back,
and each latency is measured from the moment its request was due (so a slow server cannot hide
its queue by slowing the client down).

  warm   each page a few times, unmeasured, before the runs
  mix    every page of the mix at once, each at its own rate (pages.PAGES' paced_rate): the
         latencies "at the mix's rate", as opposed to wrk's at saturation
  surge  the booking surge: one request per parent from surge.tsv, arriving at random moments
         within the given seconds
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from client import RawRequest, read_requests, send
from pages import PAGES, request_file

REQUESTS = Path(__file__).resolve().parent / "results" / "requests"


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


class Feed:
    """Hands out a page's requests: round-robin, or each at most once."""

    def __init__(self, requests: list[RawRequest], once: bool, start: int = 0) -> None:
        self.requests, self.once = requests, once
        self.position = start
        self.lock = threading.Lock()
        self.exhausted = False

    def next(self) -> RawRequest | None:
        with self.lock:
            if self.once and self.position >= len(self.requests):
                self.exhausted = True
                return None
            request = self.requests[self.position % len(self.requests)]
            self.position += 1
            return request


def run(
    host: str, port: int, schedule: list[tuple[float, str]], feeds: dict[str, Feed], workers: int
) -> dict[str, dict]:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    skipped: dict[str, int] = defaultdict(int)
    record = threading.Lock()

    def job(name: str, due: float) -> None:
        request = feeds[name].next()
        if request is None:
            with record:
                skipped[name] += 1
            return
        try:
            status = send(host, port, request, timeout=60)
        except OSError:
            status = 0
        elapsed = (time.perf_counter() - due) * 1000
        with record:
            latencies[name].append(elapsed)
            statuses[name][status] += 1
            if status == 0 or status >= 400:
                errors[name] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for offset, name in schedule:
            due = started + offset
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(job, name, due)
    seconds = time.perf_counter() - started
    results = {}
    for name in feeds:
        values = latencies[name]
        results[name] = {
            "requests": len(values),
            "seconds": round(seconds, 3),
            "rps": round(len(values) / seconds, 2) if seconds else 0,
            "p50_ms": round(percentile(values, 50), 2),
            "p95_ms": round(percentile(values, 95), 2),
            "p99_ms": round(percentile(values, 99), 2),
            "max_ms": round(max(values), 2) if values else 0,
            "errors": errors[name],
            "statuses": {str(k): v for k, v in sorted(statuses[name].items())},
            "skipped": skipped[name],
        }
    return results


def mix(host: str, port: int, config: str, seconds: float, scale: int) -> dict:
    rng = random.Random(7)
    schedule: list[tuple[float, str]] = []
    feeds = {}
    for page in PAGES:
        name = request_file(page.name, config, paced=True, scale=scale)
        requests = read_requests(REQUESTS / name)
        if not requests:
            continue
        once = page.mode == "once"
        feeds[page.name] = Feed(requests, once, start=0 if once else rng.randrange(len(requests)))
        rate = page.paced_rate * scale
        phase = rng.random() / rate
        count = int(seconds * rate)
        schedule += [(phase + k / rate, page.name) for k in range(count)]
    schedule.sort()
    total = len(schedule)
    print(f"paced mix: {total} requests over {seconds:.0f} s ({total / seconds:.1f}/s)", flush=True)
    return run(host, port, schedule, feeds, workers=64)


def surge(host: str, port: int, seconds: float) -> dict:
    requests = read_requests(REQUESTS / "surge.tsv")
    rng = random.Random(300)
    schedule = sorted((rng.random() * seconds, "surge") for _ in requests)
    result = run(host, port, schedule, {"surge": Feed(requests, once=True)}, workers=300)
    return result["surge"]


def warm(host: str, port: int, config: str, count: int, workers: int) -> dict[str, int]:
    """Send each page's requests a few times before measuring: every worker loads the lesson
    catalogue and compiles its templates once, which a short run must not count."""
    problems: dict[str, int] = {}
    for page in PAGES:
        name = request_file(page.name, config)
        if page.mode == "once":
            name = f"{page.name}-{config}-warmup.tsv"
        requests = read_requests(REQUESTS / name)
        if not requests:
            continue
        chosen = (
            requests[:count]
            if page.mode == "once"
            else [requests[k % len(requests)] for k in range(count)]
        )
        with ThreadPoolExecutor(max_workers=workers) as pool:
            statuses = list(pool.map(lambda r: send(host, port, r), chosen))
        bad = sum(1 for status in statuses if status >= 400)
        if bad:
            problems[page.name] = bad
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["mix", "surge", "warm"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--config", default="sync")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--scale", type=int, default=1, help="multiply every page's rate")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--count", type=int, default=20, help="warm: requests per page")
    parser.add_argument("--workers", type=int, default=5, help="warm: at once")
    args = parser.parse_args()
    if args.command == "warm":
        problems = warm(args.host, args.port, args.config, args.count, args.workers)
        print(f"warmed up every page{': failures ' + str(problems) if problems else ''}")
        return 1 if problems else 0
    if args.command == "mix":
        result = mix(args.host, args.port, args.config, args.seconds, args.scale)
    else:
        result = surge(args.host, args.port, args.seconds)
    args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
