"""The audit trail's one query, over an in-memory audit log."""

from __future__ import annotations

from datetime import timedelta

from tenantry.domain.audit import (
    OPERATOR,
    Action,
    Actor,
    AuditCursor,
    AuditQuery,
    audit_event,
    next_cursor,
)
from tenantry.domain.audit_trail import AuditTrail
from tests.support.fakes import NOW, MemoryDatabase

P1 = "11111111-1111-4111-8111-111111111111"
P2 = "22222222-2222-4222-8222-222222222222"


def trail_with_events() -> AuditTrail:
    db = MemoryDatabase()
    actor = Actor(OPERATOR, "ops")
    for minutes, action, partner in [
        (0, Action.PARTNER_CREATED, P1),
        (1, Action.APP_ADDED, P1),
        (2, Action.PARTNER_CREATED, P2),
        (3, Action.USER_ADDED, P1),
    ]:
        db.tables.audit.append(
            audit_event(
                actor,
                action,
                NOW + timedelta(minutes=minutes),
                target_type="partner",
                target_id=partner,
                partner_id=partner,
            )
        )
    return AuditTrail(db.uow)


async def test_newest_first_with_filters() -> None:
    trail = trail_with_events()
    everything = await trail.page(AuditQuery())
    assert [e.action for e in everything] == [
        "partner.user.added",
        "partner.created",
        "partner.app.added",
        "partner.created",
    ]
    ones = await trail.page(AuditQuery(partner_id=P1, action="partner.created"))
    assert [(e.partner_id, e.action) for e in ones] == [(P1, "partner.created")]
    recent = await trail.page(AuditQuery(since=NOW + timedelta(minutes=2)))
    assert len(recent) == 2


async def test_pages_follow_the_cursor() -> None:
    trail = trail_with_events()
    first = await trail.page(AuditQuery(limit=3))
    cursor = next_cursor(first, 3)
    assert isinstance(cursor, AuditCursor)
    rest = await trail.page(AuditQuery(limit=3, after=cursor))
    assert [e.id for e in first + rest] == [e.id for e in await trail.page(AuditQuery())]
    assert next_cursor(rest, 3) is None
