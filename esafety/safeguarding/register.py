"""The blocked-site register: inappropriate content reached in school is reported to the
e-safety officer, who has the site blocked by the school's filter."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from sqlalchemy import select

from .. import audit
from ..auth.models import User
from ..auth.roles import Role
from ..clock import utcnow
from ..errors import DomainError, NotAllowed, NotFoundError
from ..extensions import db
from .models import BlockedSite, BlockStatus, Concern

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
FIELD = "domain"


def normalise_domain(value: str) -> str:
    """Turn what someone pasted (a link, a host, 'WWW.Example.com.') into 'example.com'."""
    text = (value or "").strip()
    if not text:
        raise DomainError("Enter the website's address, for example example.com.", FIELD)
    if "://" not in text:
        text = "http://" + text.lstrip("/")
    try:
        host = urlsplit(text).hostname or ""
    except ValueError as error:
        raise DomainError("That does not look like a website address.", FIELD) from error
    host = host.rstrip(".")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise DomainError(
            "That is a number address (IP), which a hosts file cannot block. "
            "Enter the site's name, such as example.com.",
            FIELD,
        )
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as error:
        raise DomainError("That website name has characters we cannot use.", FIELD) from error
    if host.startswith("www."):
        host = host[4:]
    labels = host.split(".")
    if (
        len(host) > 253
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise DomainError(
            "That does not look like a website address. Try something like example.com.", FIELD
        )
    return host


def _may_manage(actor: User) -> None:
    if not actor.has_role(Role.ESAFETY_OFFICER):
        raise NotAllowed("Only the e-safety officer keeps the blocked-site register.")


def entries() -> list[BlockedSite]:
    """Everything on the register: waiting requests first, then the newest."""
    order = {BlockStatus.PENDING: 0, BlockStatus.APPROVED: 1, BlockStatus.DECLINED: 2}
    rows = db.session.scalars(select(BlockedSite).order_by(BlockedSite.requested_at.desc()))
    return sorted(rows, key=lambda e: order[e.status])


def _existing(domain: str) -> BlockedSite | None:
    return db.session.scalar(select(BlockedSite).where(BlockedSite.domain == domain))


def record_domain(
    actor: User, value: str, reason: str, concern: Concern | None = None
) -> BlockedSite:
    """The e-safety officer blocks a site directly: it goes on the register as approved."""
    _may_manage(actor)
    domain = normalise_domain(value)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the site should be blocked.", "reason")
    entry = _existing(domain)
    if entry is not None and entry.status is BlockStatus.APPROVED:
        raise DomainError(f"{domain} is already blocked.", FIELD)
    values = {
        "reason": reason,
        "status": BlockStatus.APPROVED,
        "decided_by_id": actor.id,
        "decided_at": utcnow(),
        "decision_note": "Recorded by the e-safety officer.",
    }
    if concern is not None:
        values["concern_id"] = concern.id
    if entry is None:
        entry = BlockedSite(
            domain=domain, requested_by_id=actor.id, requested_at=utcnow(), **values
        )
        db.session.add(entry)
    else:
        for column, setting in values.items():
            setattr(entry, column, setting)
    db.session.flush()
    audit.record("safeguarding.site_blocked", actor=actor, target=entry, domain=domain)
    return entry


def request_block(
    requested_by: User, value: str, reason: str, concern: Concern | None
) -> tuple[BlockedSite, bool]:
    """A request arising from a concern waits for approval; returns (entry, newly_requested)."""
    domain = normalise_domain(value)
    reason = (reason or "").strip() or "Inappropriate content reached in school."
    entry = _existing(domain)
    if entry is not None and entry.status in (BlockStatus.APPROVED, BlockStatus.PENDING):
        return entry, False
    values = {
        "reason": reason,
        "status": BlockStatus.PENDING,
        "concern_id": concern.id if concern else None,
        "requested_by_id": requested_by.id,
        "requested_at": utcnow(),
        "decided_by_id": None,
        "decided_at": None,
        "decision_note": "",
    }
    if entry is None:
        entry = BlockedSite(domain=domain, **values)
        db.session.add(entry)
    else:
        for column, setting in values.items():
            setattr(entry, column, setting)
    db.session.flush()
    audit.record(
        "safeguarding.block_requested",
        actor=requested_by,
        target=entry,
        domain=domain,
        concern_id=concern.id if concern else None,
    )
    return entry, True


def decide(actor: User, entry_id: int, approve: bool, note: str = "") -> BlockedSite:
    """The e-safety officer approves (the site is blocked) or declines a waiting request."""
    _may_manage(actor)
    entry = db.session.get(BlockedSite, entry_id)
    if entry is None:
        raise NotFoundError("That entry is not on the register.")
    if entry.status is not BlockStatus.PENDING:
        raise DomainError(f"The request for {entry.domain} has already been decided.")
    note = (note or "").strip()
    if not approve and not note:
        raise DomainError("Say why the request is declined.", "note")
    entry.status = BlockStatus.APPROVED if approve else BlockStatus.DECLINED
    entry.decided_by_id = actor.id
    entry.decided_at = utcnow()
    entry.decision_note = note
    db.session.flush()
    audit.record(
        "safeguarding.block_approved" if approve else "safeguarding.block_declined",
        actor=actor,
        target=entry,
        domain=entry.domain,
    )
    return entry


def blocked_domains() -> list[str]:
    return list(
        db.session.scalars(
            select(BlockedSite.domain)
            .where(BlockedSite.status == BlockStatus.APPROVED)
            .order_by(BlockedSite.domain)
        )
    )


def domain_list() -> str:
    """One domain a line, for filters that take a plain list (and block subdomains themselves)."""
    return "".join(f"{domain}\n" for domain in blocked_domains())


_HEADER = "Blocked by the school's e-safety officer. Generated by esafety; do not edit by hand."
#: Names a hosts file lists beside each domain: a hosts file cannot say "every subdomain", so
#: it covers the usual ones; the other formats block every subdomain.
HOSTS_PREFIXES = ("", "www.", "m.", "mobile.", "web.", "api.", "app.", "login.", "static.", "cdn.")


def wildcard_list() -> str:
    """Each domain and every name under it, for filters that take wildcards (*.example.com)."""
    lines = [f"# {_HEADER}"]
    for domain in blocked_domains():
        lines += [domain, f"*.{domain}"]
    return "\n".join(lines) + "\n"


def hosts_file() -> str:
    """A hosts file: each site and its usual subdomains go nowhere (prefer dnsmasq, Unbound or
    RPZ, which block every subdomain)."""
    lines = [
        f"# {_HEADER}",
        "# A hosts file cannot block every subdomain: use the dnsmasq, Unbound or RPZ export.",
    ]
    for domain in blocked_domains():
        lines += [f"0.0.0.0 {prefix}{domain}" for prefix in HOSTS_PREFIXES]
    return "\n".join(lines) + "\n"


def dnsmasq_config() -> str:
    """dnsmasq: address=/example.com/ answers nothing for the domain and all its subdomains."""
    lines = [f"# {_HEADER}"] + [f"address=/{domain}/" for domain in blocked_domains()]
    return "\n".join(lines) + "\n"


def unbound_config() -> str:
    """Unbound: an always_nxdomain zone covers the domain and everything under it."""
    lines = [f"# {_HEADER}", "server:"]
    lines += [f'    local-zone: "{domain}." always_nxdomain' for domain in blocked_domains()]
    return "\n".join(lines) + "\n"


def rpz_zone(serial: int | None = None) -> str:
    """A response policy zone (BIND, Knot, PowerDNS): NXDOMAIN for each domain and *.domain."""
    serial = serial or int(utcnow().strftime("%Y%m%d%H"))
    lines = [
        f"; {_HEADER}",
        "$TTL 300",
        f"@ IN SOA localhost. root.localhost. {serial} 3600 600 86400 300",
        "@ IN NS localhost.",
    ]
    for domain in blocked_domains():
        lines += [f"{domain} CNAME .", f"*.{domain} CNAME ."]
    return "\n".join(lines) + "\n"


#: Every download the filter may take: name -> (file name, what makes it).
EXPORTS = {
    "domains": ("blocked-domains.txt", domain_list),
    "wildcards": ("blocked-domains-wildcard.txt", wildcard_list),
    "hosts": ("hosts-blocked.txt", hosts_file),
    "dnsmasq": ("blocked-dnsmasq.conf", dnsmasq_config),
    "unbound": ("blocked-unbound.conf", unbound_config),
    "rpz": ("blocked.rpz", rpz_zone),
}
