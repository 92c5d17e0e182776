"""Print the benchmark's table and write bench/RESULTS.md: figures per page and server
configuration, the floor, memory per worker, the surge, the machine and the date."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from pages import PAGES

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "results"
#: The targets: p95 at the mix's rate and at four times it, each read page's share of the
#: bare floor's throughput at saturation, memory per worker.
P95_TARGET_MS = 50
P95_AT_FOUR_TIMES_TARGET_MS = 100
FLOOR_SHARE_TARGET = 0.10
MEMORY_TARGET_MB = 150
#: In-process CPU targets (ms): the signed-in layout floor, read pages, writes.
LAYOUT_FLOOR_TARGET_MS = 1.0
READ_CPU_TARGET_MS = 4.0
READ_WITH_PG_TARGET_MS = 6.0
WRITE_CPU_TARGET_MS = 8.0


def _load(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.is_file() else None


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = "unknown"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    postgres = "unknown"
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(os.environ["ESAFETY_DATABASE_URL"])
        with engine.connect() as connection:
            postgres = connection.execute(text("SHOW server_version")).scalar()
        engine.dispose()
    except Exception:  # noqa: BLE001 - the report still prints without it
        pass
    try:
        wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
        wrk_version = (wrk.stdout or wrk.stderr).split("[")[0].strip() or "wrk"
    except OSError:
        wrk_version = "not found"
    try:
        import gunicorn

        gunicorn_version = gunicorn.__version__
    except ImportError:
        gunicorn_version = "not installed"
    before = OUT / "loadavg-before"
    load = Path("/proc/loadavg").read_text().split()[:3]
    return {
        "load average (1, 5, 15 min) before the run, and after": (
            f"{before.read_text().strip() if before.is_file() else '?'}; {' '.join(load)} "
            "(other work on the machine shows here: it shares the cores with the run)"
        ),
        "cores (nproc)": str(os.cpu_count()),
        "CPU": cpu,
        "memory": memory,
        "Python": platform.python_version(),
        "PostgreSQL": postgres,
        "gunicorn": gunicorn_version,
        "load generator": f"{wrk_version} (saturation) and bench/paced.py (paced), both on "
        "this machine",
    }


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def config_table(
    config: str, queries: dict[str, int], before: Path | None = None
) -> tuple[list[str], dict]:
    floor = _load(OUT / config / "floor.json")
    paced = _load(OUT / config / "paced.json") or {}
    paced4 = _load(OUT / config / "paced4.json") or {}
    floor_rps = floor["rps"] if floor else None
    old_floor = _load(before / config / "floor.json") if before else None
    lines = [
        "| page | kind | req/s | p50 ms | p95 ms | p99 ms | errors | × floor "
        "| × floor before | p95 ms at the mix's rate | p95 ms at 4 × the rate "
        "| SQL per request |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    if floor:
        lines.append(
            f"| **floor** (bare Flask) | – | {floor['rps']:.0f} | {_ms(floor['p50_ms'])} "
            f"| {_ms(floor['p95_ms'])} | {_ms(floor['p99_ms'])} | {floor['errors']} | 1 | 1 "
            "| – | – | 0 |"
        )
    figures = {}
    for page in PAGES:
        result = _load(OUT / config / f"{page.name}.json")
        if result is None:
            continue
        share = result["rps"] / floor_rps if floor_rps else None
        old = _load(before / config / f"{page.name}.json") if before else None
        old_share = f"{old['rps'] / old_floor['rps']:.3f}" if old and old_floor else ""
        at_rate = paced.get(page.name, {})
        at_four = paced4.get(page.name, {})
        errors = result["errors"] + at_rate.get("errors", 0) + at_four.get("errors", 0)
        note = ""
        if result.get("repeated_after_use"):
            note = f" ({result['repeated_after_use']} sent again after the list ran out)"
        lines.append(
            f"| {page.label} | {page.kind} | {result['rps']:.1f} | {_ms(result['p50_ms'])} "
            f"| {_ms(result['p95_ms'])} | {_ms(result['p99_ms'])} | {errors}{note} "
            f"| {share:.3f} | {old_share} "
            f"| {_ms(at_rate.get('p95_ms'))} ({at_rate.get('requests', 0)}) "
            f"| {_ms(at_four.get('p95_ms'))} ({at_four.get('requests', 0)}) "
            f"| {queries.get(page.name, '')} |"
        )
        figures[page.name] = {
            "share": share,
            "paced_p95": at_rate.get("p95_ms"),
            "paced4_p95": at_four.get("p95_ms"),
            "errors": errors,
            "kind": page.kind,
        }
    return lines, figures


def inprocess_table(
    figures: dict[str, dict], before: dict[str, dict] | None = None
) -> tuple[list[str], list[str]]:
    """CPU per request in-process beside the floors (and a earlier run's, when given), and the
    verdicts on the CPU targets."""
    before = before or {}
    rows = [
        "| page | CPU ms (median) | loop units | loop units before | SQL | SQL before | SQL ms "
        "| PostgreSQL CPU ms | x floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    bare = figures.get("bare_flask", {}).get("cpu_ms_median") or 0
    labels = {
        "bare_flask": "bare Flask (the floor)",
        "signed_in": "signed in, nothing rendered",
        "layout": "signed in + the base layout",
        **{page.name: page.label for page in PAGES},
    }
    for name, label in labels.items():
        f = figures.get(name)
        if not f:
            continue
        times = f["cpu_ms_median"] / bare if bare else 0
        old = before.get(name, {})
        old_units = f"{old['loop_units']:.2f}" if "loop_units" in old else ""
        rows.append(
            f"| {label} | {f['cpu_ms_median']:.2f} | {f['loop_units']:.2f} | {old_units} | "
            f"{f.get('sql_per_request', 0)} | {old.get('sql_per_request', '')} | "
            f"{f.get('sql_ms_per_request', 0) or 0:.2f} | "
            f"{f.get('pg_cpu_ms_per_request', 0) or 0:.2f} | {times:.0f} |"
        )
    kinds = {page.name: page for page in PAGES}
    over_read = [
        n
        for n, p in kinds.items()
        if p.kind == "read" and n in figures and figures[n]["cpu_ms_median"] > READ_CPU_TARGET_MS
    ]
    over_read_pg = [
        n
        for n, p in kinds.items()
        if p.kind == "read"
        and n in figures
        and figures[n]["cpu_ms_median"] + (figures[n].get("pg_cpu_ms_per_request") or 0)
        > READ_WITH_PG_TARGET_MS
    ]
    over_write = [
        n
        for n, p in kinds.items()
        if p.kind == "write"
        and n != "login"
        and n in figures
        and figures[n]["cpu_ms_median"] > WRITE_CPU_TARGET_MS
    ]
    layout = figures.get("layout", {}).get("cpu_ms_median")
    verdicts = [
        _verdict(
            f"signed-in layout floor at most {LAYOUT_FLOOR_TARGET_MS} ms CPU in-process",
            layout is not None and layout <= LAYOUT_FLOOR_TARGET_MS,
            f"{layout} ms",
        ),
        _verdict(
            f"every read page at most {READ_CPU_TARGET_MS} ms CPU in-process",
            not over_read,
            f"over: {', '.join(over_read)}",
        ),
        _verdict(
            f"every read page at most {READ_WITH_PG_TARGET_MS} ms with PostgreSQL's CPU",
            not over_read_pg,
            f"over: {', '.join(over_read_pg)}",
        ),
        _verdict(
            f"every write but the password login at most {WRITE_CPU_TARGET_MS} ms CPU",
            not over_write,
            f"over: {', '.join(over_write)}",
        ),
    ]
    return rows, verdicts


def build(seconds: int | None, settings: str, before: Path | None = None) -> str:
    queries = _load(OUT / "queries.json") or {}
    seed = _load(OUT / "seed.json") or {}
    surge = _load(OUT / "surge.json")
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "# Load benchmark results",
        "",
        f"Measured {now} by `bench/run.sh`"
        + (f" in {seconds // 60} min {seconds % 60} s" if seconds else "")
        + ". Regenerated by every run; what the figures mean, and the fixes they call for, are "
        "in bench/README.md.",
        "",
        "## The machine",
        "",
        *[f"- {key}: {value}" for key, value in machine().items()],
        f"- settings: {settings}",
        "",
        "## The school",
        "",
        ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in seed.items()),
        "",
    ]
    verdicts: list[str] = []
    inprocess = _load(OUT / "inprocess.json")
    if inprocess:
        rows, cpu_verdicts = inprocess_table(
            inprocess, _load(before / "inprocess.json") if before else None
        )
        loop = inprocess.get("bare_flask", {}).get("loop_ms")
        parts += [
            "## CPU per request, in-process",
            "",
            "Each page's own requests replayed one at a time through the app's test client on "
            "the bench database (`bench/inprocess.py`): the median of the Python process's CPU "
            "per request, the SQL statements and their time, and PostgreSQL's own CPU (the "
            "serving backend's /proc ticks over the page's requests). 'Loop units' divide the "
            f"median by a fixed CPU loop timed just before the page ({loop} ms at the start), "
            "so runs on a faster or busier moment compare"
            + (f"; 'before' is the run kept in {before.name}." if before else "."),
            "",
            *rows,
            "",
        ]
        verdicts += cpu_verdicts
    for config in ("sync", "gthread"):
        if not (OUT / config).is_dir():
            continue
        lines, figures = config_table(config, queries, before)
        memory = _load(OUT / config / "memory.json")
        paced = _load(OUT / config / "paced.json") or {}
        rate = sum(v.get("rps", 0) for v in paced.values())
        parts += [
            f"## gunicorn {config}",
            "",
            "req/s, p50/p95/p99: wrk at saturation (each page alone, every connection busy). "
            f"'p95 at the mix's rate': every page at once, paced at {rate:.0f} requests/s in "
            "all (bench/pages.py), measured from when each request was due; the number of "
            "requests behind it in brackets; '4 × the rate' the same mix four times as fast. "
            "'× floor before': the same page's share in the run kept for comparison. Errors "
            "count all three runs.",
            "",
            *lines,
            "",
        ]
        if memory:
            workers = ", ".join(f"{w['hwm_mb']:.0f}" for w in memory["workers"])
            parts += [
                f"Peak memory per worker (VmHWM, MB): {workers}; now (VmRSS) at most "
                f"{memory['max_rss_mb']:.0f} MB.",
                "",
            ]
        if config == "sync":
            slow = [n for n, f in figures.items() if (f["paced_p95"] or 0) >= P95_TARGET_MS]
            slow4 = [
                n
                for n, f in figures.items()
                if (f["paced4_p95"] or 0) >= P95_AT_FOUR_TIMES_TARGET_MS
            ]
            low = [
                n
                for n, f in figures.items()
                if f["kind"] == "read" and (f["share"] or 0) < FLOOR_SHARE_TARGET
            ]
            errors = sum(f["errors"] for f in figures.values())
            verdicts += [
                _verdict(
                    f"every page's p95 under {P95_TARGET_MS} ms at the mix's rate",
                    not slow,
                    f"over: {', '.join(slow)}",
                ),
                _verdict(
                    f"every page's p95 under {P95_AT_FOUR_TIMES_TARGET_MS} ms at four times it",
                    not slow4,
                    f"over: {', '.join(slow4)}",
                ),
                _verdict(
                    f"every read page at least {FLOOR_SHARE_TARGET} of the floor's throughput",
                    not low,
                    f"under: {', '.join(low)}",
                ),
            ]
            if memory:
                verdicts.append(
                    _verdict(
                        f"peak memory under {MEMORY_TARGET_MB} MB per worker",
                        memory["max_hwm_mb"] < MEMORY_TARGET_MB,
                        f"highest {memory['max_hwm_mb']:.0f} MB",
                    )
                )
            verdicts.append(_verdict("no errors", errors == 0, f"{errors} errors"))
    if surge:
        parts += [
            "## The booking surge",
            "",
            f"300 parents (distinct accounts and sessions) booking one evening of "
            f"{surge['capacity']} places, arriving at random within {surge['seconds']:.0f} s, "
            "through the real booking form (sync workers). Counted in the database afterwards:",
            "",
            f"- confirmed: {surge['confirmed']} bookings holding {surge['confirmed_places']} "
            f"places (the evening's places_taken: {surge['places_taken']})",
            f"- waitlisted: {surge['waitlisted']}; cancelled: {surge['cancelled']}; "
            f"distinct parents: {surge['distinct_parents']}; errors: {surge['errors']}",
            f"- latency: p50 {_ms(surge['p50_ms'])} ms, p95 {_ms(surge['p95_ms'])} ms, "
            f"p99 {_ms(surge['p99_ms'])} ms",
            "",
        ]
        verdicts.append(_verdict("the surge exact", surge["exact"], "not exact"))
    parts += ["## Targets", "", *verdicts, ""]
    return "\n".join(parts)


def _verdict(target: str, met: bool, why: str) -> str:
    return f"- {target}: {'met' if met else 'NOT met (' + why + ')'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int)
    parser.add_argument("--settings", default="")
    parser.add_argument(
        "--before", type=Path, help="an earlier run's results folder, shown beside this one"
    )
    args = parser.parse_args()
    text = build(args.seconds, args.settings, args.before)
    (BENCH / "RESULTS.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
