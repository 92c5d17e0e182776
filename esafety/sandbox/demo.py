"""Demo class blogs, so every role has something real to look at.

Each class gets approved posts and comments, a post waiting for the teacher and an open report;
Year 4 (Ash) has its blog open for writing. Safe to run twice.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from sqlalchemy import select

from ..extensions import db
from ..school import services as school
from ..school.demo import DemoSchool
from ..school.models import YearGroup
from . import moderation, reports, services
from .models import BlogPost

#: (title, words) pupils write, by year group; first names only, whole words, kind.
PUPIL_POSTS = {
    YearGroup.RECEPTION: [
        ("My favourite toy", "I like my red car. It goes fast."),
        ("Snow", "We made a **big** snowman in the playground."),
        ("Painting", "I painted a sun and a tree."),
    ],
    YearGroup.YEAR_1: [
        ("Our class pet", "Our hamster is called Biscuit. She sleeps all day."),
        ("Going to the farm", "We saw cows, sheep and a very muddy pig!"),
        ("My reading book", "My book is about a dragon who is scared of the dark."),
    ],
    YearGroup.YEAR_2: [
        ("The Great Fire of London", "It started in a bakery on Pudding Lane in 1666."),
        ("My drawing of a castle", "I drew a castle with a moat and a drawbridge."),
        ("Autumn leaves", "The leaves are orange, yellow and _crunchy_."),
    ],
    YearGroup.YEAR_3: [
        ("Stone Age tools", "We made tools out of clay. Mine was a hand axe."),
        (
            "Keeping safe online",
            "- Never share your password\n- Tell a grown-up if you are worried",
        ),
        ("Our class poem", "The wind whistles,\nthe rain taps,\nwe stay cosy inside."),
    ],
    YearGroup.YEAR_4: [
        ("The Romans", "The Romans built straight roads and long walls."),
        ("Electricity", "We made a circuit with a bulb, a battery and wires."),
        ("Being kind online", "Think before you post: would you say it to their face?"),
    ],
    YearGroup.YEAR_5: [
        ("Space", "We learnt that Jupiter is the biggest planet in our solar system."),
        ("Coding a game", "We used loops to make our sprite jump over the rocks."),
        ("Book review", "I would give *Wonder* five stars because it made me think."),
    ],
    YearGroup.YEAR_6: [
        ("Our residential trip", "We climbed, we canoed and we did not sleep much!"),
        ("Evolution", "We compared the beaks of finches from different islands."),
        ("Staying safe online", "Strong passwords are long and hard to guess."),
    ],
}
COMMENTS = [
    "I liked reading this.",
    "Great work! What did you like best?",
    "That sounds really fun.",
]
STAFF_POST = (
    "Welcome to our class blog",
    "This is where we share our learning. Remember: first names only, whole words, and "
    "be kind. Your teacher reads everything before it goes on the blog.",
)


def _drawing() -> io.BytesIO:
    """A child's drawing of a castle, made on the spot (no file is shipped)."""
    picture = Image.new("RGB", (480, 360), (210, 235, 255))
    pen = ImageDraw.Draw(picture)
    pen.rectangle((120, 150, 360, 320), fill=(170, 170, 170), outline=(60, 60, 60), width=4)
    for left in (100, 320):
        pen.rectangle((left, 100, left + 60, 320), fill=(150, 150, 150), outline=(60, 60, 60))
    pen.rectangle((210, 230, 270, 320), fill=(120, 70, 30))
    pen.ellipse((380, 30, 450, 100), fill=(255, 210, 0))
    pen.rectangle((0, 320, 480, 360), fill=(60, 170, 60))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    out.seek(0)
    return out


def seed(school_: DemoSchool) -> None:
    """Give every class a lived-in blog (only once)."""
    if db.session.scalar(select(BlogPost.id).limit(1)) is None:
        for year_group, school_class in school_.classes.items():
            _seed_class(school_, year_group, school_class.id)
    db.session.flush()


def _seed_class(school_: DemoSchool, year_group: YearGroup, class_id: int) -> None:
    teachers = school.teachers_of(class_id)
    teacher = teachers[0] if teachers else school_.staff["head"]
    pupils = school_.pupils[year_group]
    services.open_window(teacher, class_id, None)
    services.save_post(teacher, class_id, *STAFF_POST, send=True)
    posts = []
    for index, (title, words) in enumerate(PUPIL_POSTS[year_group]):
        author = pupils[index % len(pupils)]
        post = services.save_post(author.user, class_id, title, words, send=True)
        if index == 1 and year_group is YearGroup.YEAR_2:
            services.attach_picture(author.user, post, _drawing(), "A castle with two towers")
        if index < 2:
            moderation.approve(teacher, post)
            posts.append(post)
        # The third post stays waiting for the teacher.
    for number, post in enumerate(posts):
        commenter = pupils[(number + 3) % len(pupils)]
        comment = services.add_comment(commenter.user, post, COMMENTS[number % len(COMMENTS)])
        moderation.approve(teacher, comment)
        services.add_comment(teacher, post, COMMENTS[1])
    # One open report, from a classmate, for the teacher to decide.
    reporter = pupils[-1]
    reports.report_item(reporter.user, posts[-1], "something_else", "I think a word is wrong.")
    if year_group is not YearGroup.YEAR_4:
        services.close_window(teacher, class_id)
