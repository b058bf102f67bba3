"""A rendered letter as an outbound letter row: one place that knows which columns hold
the text, the template version and the legal references."""

from __future__ import annotations

from typing import Any

from opkraevning.assistant.drafting.letters import RenderedLetter
from opkraevning.store.models import OutboundLetter


def outbound_letter(rendered: RenderedLetter, **fields: Any) -> OutboundLetter:
    """``fields`` are the rest: kind, state, channel, debtor, recipient, policy version, trace…"""
    return OutboundLetter(
        subject=rendered.subject,
        body=rendered.text,
        template=rendered.template,
        template_version=rendered.template_version,
        legal_refs=rendered.legal_refs,
        **fields,
    )
