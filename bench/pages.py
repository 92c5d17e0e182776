"""The pages of the benchmark's mix, in the order the saturation runs take them.

Reads come before the writes that would change what they read (posts fill the teacher's queue
and the pupils' own lists), and approvals come last: they approve the posts just written.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str
    label: str
    #: "read" pages are held to the 0.15-of-the-floor target; writes are reported beside them.
    kind: str
    #: "cycle": the prepared requests are replayed round-robin; "once": each request is used at
    #: most once (a booking or an approval cannot happen twice).
    mode: str
    #: Requests a second in the paced run ("at the mix's rate"): two classes in a lesson, their
    #: teachers moderating, parents booking, a leader or two looking at a dashboard.
    paced_rate: float


PAGES = [
    Page("login", "Pupil picture login (argon2id)", "write", "cycle", 1.0),
    Page("blog", "Class blog page (pupil)", "read", "cycle", 3.0),
    Page("lesson", "Lesson page (pupil)", "read", "cycle", 3.0),
    Page("quiz", "Quiz answer (pupil)", "write", "cycle", 3.0),
    Page("moderation", "Moderation queue (teacher)", "read", "cycle", 0.5),
    Page("progress", "Class progress (teacher)", "read", "cycle", 0.5),
    Page("booking_page", "Booking page (parent)", "read", "cycle", 2.0),
    Page("booking", "Booking (parent)", "write", "once", 1.0),
    Page("coverage", "Lessons coverage (leaders)", "read", "cycle", 0.5),
    Page("induction", "Induction compliance (leaders)", "read", "cycle", 0.5),
    Page("summary", "Evenings summary (leaders)", "read", "cycle", 0.5),
    Page("post", "Post submit (pupil)", "write", "cycle", 0.5),
    Page("approve", "Approve a post (teacher)", "write", "once", 0.5),
]
BY_NAME = {page.name: page for page in PAGES}


def request_file(name: str, config: str, paced: bool = False, scale: int = 1) -> str:
    """The request file a page uses: bookings and approvals have their own per run (the paced
    run at four times the rate books another evening and approves the posts left after it)."""
    if name in ("booking", "approve"):
        run = ("-paced" if scale == 1 else f"-paced{scale}") if paced else ""
        return f"{name}-{config}{run}.tsv"
    return f"{name}.tsv"


if __name__ == "__main__":
    # For run.sh: one "name mode" line per page, in the saturation runs' order.
    for page in PAGES:
        print(page.name, page.mode)
