"""Your notifications in the app."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth.dependencies import ActorDep
from app.db import SessionDep
from app.notifications import service
from app.notifications.schemas import MarkedRead, MarkRead, NotificationRead
from app.schemas import Page, PageDep

router = APIRouter(tags=["notifications"])


@router.get("/members/me/notifications")
def list_my_notifications(
    session: SessionDep, actor: ActorDep, page: PageDep, unread: bool = False
) -> Page[NotificationRead]:
    """New, escalated and reached warnings and resident reports sent to you, newest first."""
    rows, total = service.list_mine(session, actor=actor, unread=unread, page=page)
    return Page[NotificationRead](
        items=[NotificationRead.model_validate(n) for n in rows], total=total
    )


@router.post("/members/me/notifications/read")
def mark_my_notifications_read(
    session: SessionDep, actor: ActorDep, payload: MarkRead
) -> MarkedRead:
    """Mark some of your notifications read."""
    return MarkedRead(marked=service.mark_read(session, actor=actor, ids=payload.ids))
