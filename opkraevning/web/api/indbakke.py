"""Indbakke: the messages waiting, with counts by state and intent."""

from __future__ import annotations

from fastapi import APIRouter

from opkraevning.domain.privacy import masked
from opkraevning.store import casework_queries as q
from opkraevning.web.api.schemas import InboxCounts, InboxMessageOut, InboxOut
from opkraevning.web.deps import ApiUser, Db

router = APIRouter()


@router.get("/indbakke")
def inbox(
    user: ApiUser, db: Db, intent: str = "", state: str = "", claim_type: str = ""
) -> InboxOut:
    box = q.inbox(db, intent=intent, state=state, claim_type=claim_type)
    return InboxOut(
        counts=InboxCounts(state=dict(box.by_state), intent=dict(box.by_intent)),
        messages=[
            InboxMessageOut(
                id=row.message.id,
                received_at=row.message.received_at.isoformat(),
                state=row.message.state,
                intent=row.intent,
                from_=masked(row.message.from_address),
                subject=masked(row.message.subject),
                debtor_id=row.message.debtor_id,
                claim_types=row.claim_types,
                draft_id=row.draft.id if row.draft else None,
            )
            for row in box.rows
        ],
    )
