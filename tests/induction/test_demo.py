"""The demo school's policies cover the school's rules, and its staff are in every state."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from esafety.extensions import db
from esafety.induction import compliance, demo, ledger, policies
from esafety.induction.compliance import ItemState
from esafety.induction.models import InductionCertificate, SignOff, TrainingRecord
from esafety.school import demo as school_demo

POLICY_DIR = Path(demo.__file__).parent / "policies"
SOCIAL_MEDIA = (POLICY_DIR / "social-media-policy.md").read_text()

#: Each rule of the school's Social Media Policy, and words our version must use to carry it.
RULES = {
    "purpose of the school's accounts": ["school's own accounts", "good work", "special events"],
    "pupils' use is directed and moderated": ["a teacher decides what they use"],
    "governing body responsible, no discrimination": ["governing body", "sexual orientation"],
    "staff follow it fairly in every classroom": ["volunteers", "fairly"],
    "parents responsible at home": ["at home", "good example"],
    "approved uploaders only": ["approved by the computing lead", "may put content"],
    "photo consent every academic year": ["every academic year", "consent"],
    "e-safety curriculum": ["e-safety curriculum"],
    "no text-speak": ["text-speak", "gr8"],
    "write collectively": ['"Year 4 have been..."', '"We have been..."'],
    "varied content and parents' information": ["parents' evenings", "clubs"],
    "public account, no names": ["**public**", "no pupil is ever named"],
    "training at induction and ongoing": ["part of their induction", "regular safeguarding"],
    "passwords in the office, never shared": ["kept securely in the school office", "**never**"],
    "computing lead responsible": ["computing lead"],
    "no social media in lessons unless curriculum": ["during lessons unless"],
    "staff must not friend pupils or parents": ["Do not send friend requests to"],
    "no damaging content": ["could harm the school, its staff or its pupils"],
    "bullying by staff is disciplinary": ["disciplinary matter"],
    "school and personal email apart": ["school email address", "personal address"],
    "pupils and parents must not friend staff; reported": ["reported to the headteacher"],
    "age restrictions": ["minimum age is above their own age"],
    "inappropriate content reported to a teacher": ["tell a teacher"],
    "blocked sites": ["network filter", "Facebook and Instagram"],
    "circumvention leads to a ban": ["get round the filter", "close supervision"],
    "inappropriate content to the e-safety officer to block": ["reported to the e-safety officer"],
    "e-safety officer monitoring": ["may check which websites"],
    "pupils' cyber bullying: anti-bullying policy": ["Anti-Bullying Policy"],
    "staff allegations policy": ["allegations of abuse against staff"],
    "do not retaliate; support from the headteacher": ["do not reply or hit back", "support"],
    "keep evidence with date and time": ["Keep the evidence", "date and time"],
    "pupil or colleague: school procedures": ["disciplinary procedures"],
    "adult perpetrator: SLT meeting, removal": ["senior leadership team", "take the content down"],
    "provider reporting": ["reporting tools"],
    "police": ["hate crime", "police"],
    "prevention through computing and PSHE": ["computing and PSHE"],
    "annual review": ["reviewed **every year**", "incident"],
    "cyber bullying defined": ["**Cyber bullying** means"],
    "school community defined": ["former pupil"],
    "e-safety meetings for parents": ["e-safety evenings"],
}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r)
def test_the_social_media_policy_covers_every_rule(rule):
    for words in RULES[rule]:
        assert words in SOCIAL_MEDIA, f"{rule}: {words!r} is missing"


def test_the_policies_are_in_sections_and_in_our_own_words(shared_dir):
    reference = (shared_dir / "reference" / "social-media-policy.txt").read_text()
    for path in POLICY_DIR.glob("*.md"):
        text = path.read_text()
        assert len(policies.split_sections(text)) >= 5, path.name
        ours = set(_sentences(text))
        copied = [s for s in _sentences(reference) if len(s) > 40 and s in ours]
        assert copied == [], f"{path.name} copies: {copied[:3]}"


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"[.\n]", text) if s.strip()]


def _seed_twice():
    for _ in range(2):
        school = school_demo.build()
        demo.seed(school)
        db.session.commit()
    return school


def test_the_demo_is_seeded_once_and_its_ledger_verifies():
    school = _seed_twice()
    assert db.session.scalar(select(func.count(SignOff.id))) > 20
    assert ledger.verify_ledger().ok
    counts = (
        db.session.scalar(select(func.count(TrainingRecord.id))),
        db.session.scalar(select(func.count(InductionCertificate.id))),
    )
    demo.seed(school)
    db.session.commit()
    assert counts == (
        db.session.scalar(select(func.count(TrainingRecord.id))),
        db.session.scalar(select(func.count(InductionCertificate.id))),
    )


def test_the_demo_staff_are_in_every_state():
    school = _seed_twice()
    board = compliance.dashboard()
    by_key = {
        key: next(i for i in board.inductions if i.user.id == user.id)
        for key, user in school.staff.items()
    }
    assert by_key["head"].complete and by_key["reception"].complete
    assert by_key["year3"].overdue and by_key["governor"].overdue
    anna = by_key["year2"]
    # Anna signed before version 3 of the Social Media Policy, and before this September,
    # when everyone signs the staff code again.
    resign = {p.policy.slug: p for p in anna.needs_resign}
    assert sorted(resign) == ["code-of-conduct", "social-media"]
    assert resign["social-media"].version.number == 3 and resign["social-media"].signed_number < 3
    assert resign["code-of-conduct"].yearly and not resign["social-media"].yearly
    assert by_key["volunteer"].complete and not by_key["supply"].complete
    assert by_key["chair"].complete  # the chair signed the governors' code this September
    newcomer = by_key["newteacher"]
    assert newcomer.status == "In progress" and not newcomer.overdue
    social = next(r for r in board.policies if r.policy.slug == "social-media")
    assert 0 < social.current < social.required and social.needs_resign >= 1
    assert {t.state for t in board.expiring_training} == {"expiring", "expired"}
    assert ItemState.DONE in {p.state for p in by_key["ta"].policies}
