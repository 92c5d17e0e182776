"""`flask esafety verify` checks every concern's chronology (esafety/safeguarding/chronology.py)."""

from __future__ import annotations

from sqlalchemy import delete

from esafety.extensions import db
from esafety.safeguarding import services
from esafety.safeguarding.models import ActionKind, ConcernAction, Involved
from tests import factories

from .conftest import details


def test_verify_checks_every_chronology(app, people):
    concern = services.raise_concern(people.y5_teacher, details(involved=Involved.ADULT_OUTSIDE))
    services.resolve(people.officer, concern, "Sorted.")
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["verify"])
    assert result.exit_code == 0, result.output
    assert "1 concerns' chronologies checked" in result.output

    # Someone with the owner's rights cuts the closing step out of the chronology.
    with factories.guards_off("concern_action"):
        db.session.execute(
            delete(ConcernAction).where(
                ConcernAction.concern_id == concern.id,
                ConcernAction.kind == ActionKind.RESOLVED,
            )
        )
    db.session.commit()
    result = runner.invoke(args=["verify"])
    assert result.exit_code == 1
    assert f"SG-{concern.id:04d}: it is resolved, but its chronology holds no closing step" in (
        result.output
    )
