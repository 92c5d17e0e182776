"""Acceptable-use agreements: pupils agree in class with their teacher, families sign online
once a year, and parents read the policies the school shares with them."""

from __future__ import annotations

import pytest

from esafety.auth.roles import Role
from esafety.errors import DomainError, NotFoundError
from esafety.induction import agreements, policies
from esafety.induction.models import AgreementKind
from esafety.school.models import YearGroup
from tests import factories
from tests.induction.helpers import make_head, publish_policy


def test_pupils_get_the_words_for_their_age(school):
    assert agreements.kind_for(YearGroup.RECEPTION) is AgreementKind.KS1
    assert agreements.kind_for(YearGroup.YEAR_2) is AgreementKind.KS1
    assert agreements.kind_for(YearGroup.YEAR_3) is AgreementKind.KS2
    ks1, ks2 = agreements.text_of(AgreementKind.KS1)[0], agreements.text_of(AgreementKind.KS2)[0]
    assert len(ks1.split()) < len(ks2.split())
    assert "filter" in ks2 and "tell a grown-up" in ks1


def test_the_teacher_records_the_class_agreement(school):
    year1 = school.classes[YearGroup.YEAR_1]
    teacher = school.teachers[YearGroup.YEAR_1]
    here, away = school.pupils[YearGroup.YEAR_1][:2], school.pupils[YearGroup.YEAR_1][2]
    entry = agreements.record_class_agreement(teacher, year1.id, [p.id for p in here])
    assert entry.kind is AgreementKind.KS1
    assert agreements.agreement_for_pupil(here[0].user).agreed_on is not None
    assert agreements.agreement_for_pupil(away.user).agreed_on is None
    agreements.record_class_agreement(teacher, year1.id, [away.id])  # back from being away
    assert agreements.agreement_for_pupil(away.user).agreed_on is not None
    assert agreements.agreement_for_pupil(here[0].user).agreed_on is not None
    other_teacher = school.teachers[YearGroup.YEAR_5]
    with pytest.raises(NotFoundError):
        agreements.record_class_agreement(other_teacher, year1.id, [here[0].id])
    stranger = school.pupils[YearGroup.YEAR_5][0]
    with pytest.raises(DomainError) as error:
        agreements.record_class_agreement(teacher, year1.id, [stranger.id])
    assert error.value.field == "pupil_ids"


def test_one_parent_signs_for_the_family_once_a_year(school):
    child = school.pupils[YearGroup.YEAR_4][0]
    mum = factories.make_parent(child, first_name="Amira", last_name="Khan")
    dad = factories.make_parent(child, first_name="Sami", last_name="Khan")
    with pytest.raises(DomainError) as error:
        agreements.sign_family_agreement(mum, agreed=True, typed_name="Someone Else")
    assert error.value.field == "full_name"
    with pytest.raises(DomainError) as error:
        agreements.sign_family_agreement(mum, agreed=False, typed_name="Amira Khan")
    assert error.value.field == "agree"
    signed = agreements.sign_family_agreement(mum, agreed=True, typed_name=" amira  KHAN ")
    assert agreements.signed_for_family(dad) == signed
    with pytest.raises(DomainError, match="already signed"):
        agreements.sign_family_agreement(dad, agreed=True, typed_name="Sami Khan")


def test_parents_read_only_the_policies_shared_with_them(client, login_as, school):
    head = make_head()
    shared = publish_policy(head)
    private = publish_policy(head, title="Staff Code of Conduct", slug="code")
    policies.set_policy_rules(head, shared.policy, annual_resign_month=None, open_to_families=True)
    parent = factories.make_parent(school.pupils[YearGroup.YEAR_3][0])
    login_as(parent)
    page = client.get("/induction/family").get_data(as_text=True)
    assert "Social Media Policy" in page and "Staff Code of Conduct" not in page
    assert client.get(f"/induction/family/policies/{shared.id}").status_code == 200
    assert client.get(f"/induction/family/policies/{private.id}").status_code == 404
    form = client.post(
        "/induction/family", data={"agree": "y", "full_name": "Wrong Name"}
    ).get_data(as_text=True)
    assert "type your full name" in form and 'value="Wrong Name"' in form
    done = client.post(
        "/induction/family",
        data={"agree": "y", "full_name": parent.full_name},
        follow_redirects=True,
    )
    assert "agreement is signed for this school year" in done.get_data(as_text=True)


def test_a_pupil_reads_the_promise_with_a_read_aloud_button(client, login_as, school):
    pupil = school.pupils[YearGroup.RECEPTION][0]
    login_as(pupil.user)
    page = client.get("/induction/agreement").get_data(as_text=True)
    assert "Read this to me" in page and "tell a grown-up" in page
    assert client.get("/induction/family").status_code == 403


def test_the_class_page_records_the_agreement(client, login_as, school):
    teacher = school.teachers[YearGroup.YEAR_6]
    year6 = school.classes[YearGroup.YEAR_6]
    login_as(teacher)
    page = client.get(f"/induction/agreement/classes/{year6.id}").get_data(as_text=True)
    assert "Read it aloud" in page
    ids = [p.id for p in school.pupils[YearGroup.YEAR_6]]
    response = client.post(f"/induction/agreement/classes/{year6.id}", data={"pupil_ids": ids})
    assert response.status_code == 302
    login_as(factories.make_user(Role.TEACHER))
    assert client.get(f"/induction/agreement/classes/{year6.id}").status_code == 404
