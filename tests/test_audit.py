"""The audit log is only ever added to."""

from __future__ import annotations

import pytest

from esafety import audit
from esafety.extensions import RecordIsAppendOnly, db


def test_an_audit_entry_cannot_be_changed_or_deleted():
    entry = audit.record("test.something", target_type="user", target_id=1)
    db.session.commit()
    entry.action = "test.rewritten"
    with pytest.raises(RecordIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(audit.AuditEntry, entry.id))
    with pytest.raises(RecordIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(audit.AuditEntry, entry.id).action == "test.something"
