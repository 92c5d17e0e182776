"""The blocked-site register: domains checked and tidied, requests approved, filter exports."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from esafety.errors import DomainError, NotAllowed
from esafety.extensions import db
from esafety.safeguarding import register, services
from esafety.safeguarding.models import BlockedSite, BlockStatus

from .conftest import details


@pytest.mark.parametrize(
    ("typed", "domain"),
    [
        ("example.com", "example.com"),
        ("  WWW.Example.COM.  ", "example.com"),
        ("https://www.example.com/some/page?x=1#top", "example.com"),
        ("http://user@games.example.co.uk:8080/", "games.example.co.uk"),
        ("sub.domain-with-dash.example", "sub.domain-with-dash.example"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_domains_are_tidied(typed, domain):
    assert register.normalise_domain(typed) == domain


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "localhost",
        "192.168.1.10",
        "http://[::1]/",
        "-bad.example",
        "a..b",
        "exa mple.com",
        "example.123",
        "x" * 64 + ".example",
        "under_score.example",
    ],
)
def test_things_that_are_not_domains_are_refused(typed):
    with pytest.raises(DomainError) as refused:
        register.normalise_domain(typed)
    assert refused.value.field == "domain"


def test_the_officer_blocks_a_site_with_a_reason_and_a_concern(people):
    concern = services.raise_concern(people.y5_teacher, details())
    entry = register.record_domain(
        people.officer, "https://bad.example/x", "Violent videos", concern
    )
    assert (entry.domain, entry.status, entry.concern_id) == (
        "bad.example",
        BlockStatus.APPROVED,
        concern.id,
    )
    assert entry.decided_by_id == people.officer.id and entry.requested_at is not None
    with pytest.raises(DomainError, match="already blocked"):
        register.record_domain(people.officer, "bad.example", "again")


def test_only_the_esafety_officer_keeps_the_register(people):
    for person in (people.head, people.slt, people.y5_teacher):
        with pytest.raises(NotAllowed):
            register.record_domain(person, "bad.example", "x")


def test_requests_wait_for_approval_then_are_approved_or_declined(people):
    first, new = register.request_block(people.slt, "one.example", "seen in ICT", None)
    second, _ = register.request_block(people.slt, "two.example", "seen in ICT", None)
    assert new and first.status is BlockStatus.PENDING
    again, new_again = register.request_block(people.slt, "one.example", "again", None)
    assert again.id == first.id and not new_again
    assert register.domain_list() == ""
    register.decide(people.officer, first.id, approve=True)
    with pytest.raises(DomainError):
        register.decide(people.officer, second.id, approve=False, note="")
    register.decide(people.officer, second.id, approve=False, note="An education site")
    assert second.status is BlockStatus.DECLINED and second.decision_note == "An education site"
    with pytest.raises(DomainError, match="already been decided"):
        register.decide(people.officer, first.id, approve=False, note="x")
    # A declined site can be asked for again.
    third, new_third = register.request_block(people.slt, "two.example", "seen again", None)
    assert new_third and third.id == second.id and third.status is BlockStatus.PENDING


def test_exports_hold_approved_sites_only(people):
    register.record_domain(people.officer, "zeta.example", "x")
    register.record_domain(people.officer, "alpha.example", "x")
    register.request_block(people.slt, "waiting.example", "x", None)
    assert register.domain_list() == "alpha.example\nzeta.example\n"
    hosts = register.hosts_file()
    assert "0.0.0.0 alpha.example\n" in hosts and "0.0.0.0 www.alpha.example\n" in hosts
    assert "waiting" not in hosts
    for line in hosts.splitlines():
        assert line.startswith("#") or line.startswith("0.0.0.0 ")


def test_the_register_page_and_downloads(client, login_as, people):
    login_as(people.officer)
    response = client.post(
        "/safeguarding/register", data={"domain": "https://www.bad.example/", "reason": "Gore"}
    )
    assert response.status_code == 302
    response = client.post("/safeguarding/register", data={"domain": "10.0.0.1", "reason": "IP"})
    assert response.status_code == 400
    page = response.data.decode()
    assert 'id="domain-error"' in page and "10.0.0.1" in page and "IP" in page
    request_entry, _ = register.request_block(people.slt, "pending.example", "From ICT", None)
    db.session.commit()
    page = client.get("/safeguarding/register").data.decode()
    assert "pending.example" in page and "Waiting for approval (1)" in page
    response = client.post(
        f"/safeguarding/register/{request_entry.id}/decide", data={"decision": "approve"}
    )
    assert response.status_code == 302
    with client.get("/safeguarding/register/domains.txt") as response:
        assert response.data.decode() == "bad.example\npending.example\n"
        assert response.headers["Content-Disposition"].startswith("attachment")
    with client.get("/safeguarding/register/hosts") as response:
        assert "0.0.0.0 pending.example" in response.data.decode()


def test_declining_without_a_note_is_explained(client, login_as, people):
    entry, _ = register.request_block(people.slt, "pending.example", "From ICT", None)
    db.session.commit()
    login_as(people.officer)
    response = client.post(
        f"/safeguarding/register/{entry.id}/decide",
        data={"decision": "decline", f"d{entry.id}-note": ""},
    )
    assert (
        response.status_code == 400 and "Say why the request is declined" in response.data.decode()
    )
    assert db.session.scalar(select(BlockedSite.status)) is BlockStatus.PENDING


def test_a_leader_who_is_not_the_officer_sees_but_cannot_change_the_register(
    client, login_as, people
):
    login_as(people.head)
    page = client.get("/safeguarding/register").data.decode()
    assert "Block this site" not in page
