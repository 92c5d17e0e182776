"""Time the blog's checks on a 5,000-character post (the longest a pupil may write).

    PYTHONPATH=$PWD .venv/bin/python bench/checks.py [--runs 200]

The post mixes every kind of finding with plain writing, as a long pupil post would. Prints the
median and 95th percentile of check_text over many runs: "cold" clears the spelling cache
before each run (a post full of words never seen before), "warm" keeps it (the usual case:
children reuse the same words). The budget is 5 ms a post; a benchmark, not a timed test, so
a busy machine cannot fail the suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from esafety.writing import checks

ROSTER = [("Ava", "Jones"), ("Noah", "Patel"), ("Ben", "Ahmed"), ("Isla", "Brennan")] * 8
SENTENCES = (
    "Today we went to the seaside with our class and we built a big sandcastle. ",
    "i am being bullied and i want to kill myself. ",
    "my roblox name is ninja_dan99 and my password is fluffy123. ",
    "we live on Church Lane by the shop, come to 22 oak close. ",
    "call me on 0 7 7 0 0 9 0 0 1 2 3 or email ava123 at hotmail dot co dot uk. ",
    "ava jonse and ben ahmeds dog went to meadowbank primary. ",
    "nobody is home after school till 7 and my birthday is 12 june and i will be 9. ",
    "you are so stoopid and nobody wants you here lol. ",
    "We read The Ugly Duckling and Class R sang a song about R. L. Stine. ",
    "THIS IS THE BEST DAY EVER. ",
    "The quick brown fox jumped over the lazy dog while the children laughed and played. ",
)


#: Ordinary writing, as most posts are: the checks' word filters skip most phrase lists.
ORDINARY = (
    "Today we went to the seaside with our class and we built a big sandcastle. ",
    "The quick brown fox jumped over the lazy dog while the children laughed and played. ",
    "We learned about the Romans and made shields out of cardboard and paint. ",
    "My favourite part was when the tide came in and washed the moat away. ",
)


def post_of(length: int = 5000, sentences: tuple[str, ...] = SENTENCES) -> str:
    text, index = "", 0
    while len(text) < length:
        text += sentences[index % len(sentences)]
        index += 1
    return text[:length]


def timings(text: str, runs: int, cold: bool, clock=time.process_time) -> list[float]:
    """Milliseconds per check. The default clock is this process's CPU time, so a machine
    shared with other work measures the checks, not the wait for a free core."""
    result = []
    for _ in range(runs):
        if cold:
            checks._usual_spelling.cache_clear()
            checks._unkind_word.cache_clear()
        started = clock()
        checks.check_text(text, ROSTER, school_name="Meadowbank Primary School")
        result.append((clock() - started) * 1000)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    text = post_of()
    checks.check_text(text, ROSTER)  # load the dictionary and compile once
    found = len(checks.check_text(text, ROSTER, school_name="Meadowbank Primary School"))
    print(f"post: {len(text)} characters, {found} findings, {args.runs} runs each")
    for label, cold, clock in (
        ("warm, CPU time", False, time.process_time),
        ("cold, CPU time", True, time.process_time),
        ("warm, wall clock", False, time.perf_counter),
    ):
        times = sorted(timings(text, args.runs, cold, clock))
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"{label}: median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for label, hostile in (
        ("5,000 spaces after a capital", "A" + " " * 4998 + "a"),
        ("5,000 letters before an @", "a" * 4998 + "@!"),
        ("5,000 digits and spaces", "0 " * 2500),
        ("5,000 capitals and spaces", "AB " * 1666),
    ):
        times = sorted(timings(hostile, 20, False))
        print(f"{label}, CPU time: median {statistics.median(times):.2f} ms")
    ordinary = sorted(timings(post_of(5000, ORDINARY), args.runs, False))
    print(f"ordinary 5,000-character post, CPU time: median {statistics.median(ordinary):.2f} ms")
    print("every finding kind in every sentence (worst case), by length, CPU time:")
    for length in (1000, 2500, 5000, 10000):
        times = sorted(timings(post_of(length), 50, False))
        print(f"{length:>6} characters: median {statistics.median(times):.2f} ms")


if __name__ == "__main__":
    main()
