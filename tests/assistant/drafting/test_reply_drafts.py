"""Draft replies: who may learn what, which channel, which actions (RULES.md §8)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from pydantic import Field

from opkraevning.assistant.drafting.reply_drafts import draft_reply
from opkraevning.assistant.policy.model import DEFAULT_POLICY, policy_for
from opkraevning.cli import main
from opkraevning.domain.cpr import contains_cpr
from opkraevning.domain.inbound import Reading
from opkraevning.domain.outbound import (
    AgreementAction,
    CaseworkerAction,
    HoldAction,
    InstallmentProposal,
)
from tests.assistant.drafting.letter_cases import (
    CALENDAR,
    EMAIL,
    HUSLEJE,
    KARLA,
    LOEN,
    NO_ID,
    OVERDRAGET,
    POLICY,
    POST,
    ROTTE,
    TODAY,
    reading,
    reply_cases,
)
from tests.conftest import DEV_CORPUS, Database

AMOUNT = re.compile(r"\d+,\d\d kr\.")
CASES = reply_cases()


def test_machine_mail_and_other_get_no_reply() -> None:
    for intent in ("auto_reply", "other"):
        assert draft_reply(reading(intent), EMAIL, KARLA, [HUSLEJE], POLICY, TODAY) is None
    bounce = reading("bounce", bounce=True, debtor_id=None)
    assert draft_reply(bounce, EMAIL, None, [], POLICY, TODAY) is None  # nobody we know


def test_a_bounce_to_a_citizen_drafts_a_letter_by_post_asking_for_a_new_address() -> None:
    draft = CASES["mail_retur"]
    assert draft.situation == "email_bounced"
    assert (draft.channel, draft.recipient) == ("digital_post", None)  # never the dead address
    assert KARLA.email is not None and KARLA.email in draft.letter.text
    assert "ny mailadresse" in draft.letter.text
    assert not AMOUNT.search(draft.letter.text)
    auto = reading("installment_request", auto_reply=True)
    assert draft_reply(auto, EMAIL, KARLA, [HUSLEJE], POLICY, TODAY) is None


def test_not_identified_discloses_nothing_and_asks_for_the_invoice_number() -> None:
    draft = CASES["ikke_identificeret"]
    assert (draft.channel, draft.recipient) == ("email", EMAIL.sender_address)
    assert not AMOUNT.search(draft.letter.text)
    assert "fakturanummeret eller betalings-ID'et" in draft.letter.text
    assert "Skriv ikke dit CPR-nummer" in draft.letter.text


def test_not_verified_gets_no_amounts_and_no_claim_details() -> None:
    draft = CASES["ikke_verificeret"]
    assert draft.channel == "email"
    assert not AMOUNT.search(draft.letter.text)
    for claim in (HUSLEJE, LOEN):
        assert claim.reference not in draft.letter.text
    assert "Digital Post" in draft.letter.text
    assert draft.proposal is None and draft.actions == []


def test_verified_answer_goes_by_digital_post_and_the_email_only_points_there() -> None:
    draft = CASES["saldo"]
    assert (draft.channel, draft.recipient) == ("digital_post", None)
    assert AMOUNT.search(draft.letter.text)
    assert draft.notice is not None and draft.notice_recipient == EMAIL.sender_address
    assert not AMOUNT.search(draft.notice.text)
    assert "Digital Post" in draft.notice.text


def test_secure_email_policy_sends_the_answer_to_the_verified_address(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    path.write_text(
        text.replace("secure_email_to_verified = false", "secure_email_to_verified = true")
    )
    policy = policy_for(TODAY, path)
    draft = draft_reply(
        reading("balance_request"), EMAIL, KARLA, [HUSLEJE], policy, TODAY, CALENDAR
    )
    assert draft is not None
    assert (draft.channel, draft.recipient, draft.notice) == ("email", EMAIL.sender_address, None)


def test_a_debtor_without_cpr_or_cvr_gets_the_answer_by_post() -> None:
    draft = draft_reply(
        reading("balance_request"), EMAIL, NO_ID, [HUSLEJE], POLICY, TODAY, CALENDAR
    )
    assert draft is not None
    assert (draft.channel, draft.notice) == ("print", None)


def test_a_digital_post_question_is_answered_by_digital_post_without_a_notice() -> None:
    draft = draft_reply(reading("balance_request"), POST, KARLA, [HUSLEJE], POLICY, TODAY, CALENDAR)
    assert draft is not None
    assert (draft.channel, draft.notice) == ("digital_post", None)


def test_transferred_claims_are_referred_to_gaeldsstyrelsen() -> None:
    draft = CASES["overdraget"]
    assert draft.letter.template == "svar_overdraget"
    assert "Gældsstyrelsen" in draft.letter.text and "gil-3" in draft.letter.legal_refs
    mixed = CASES["afdrag_modforslag"]
    assert OVERDRAGET.reference in mixed.letter.text  # named in the note about Gældsstyrelsen
    assert mixed.proposal is not None
    assert isinstance(mixed.proposal, InstallmentProposal)
    assert OVERDRAGET.id not in [claim.id for claim in mixed.proposal.claims]


def test_dispute_proposes_a_hold_and_a_caseworker() -> None:
    draft = CASES["indsigelse"]
    assert HoldAction(reason="dispute", claim_ids=[ROTTE.id]) in draft.actions
    assert CaseworkerAction(reason="dispute") in draft.actions


def test_installment_reply_carries_the_proposal_and_the_agreement_action() -> None:
    draft = CASES["afdrag_accepteret"]
    assert draft.situation == "installment_accept"
    assert draft.proposal is not None and draft.proposal.decision == "accept"
    assert isinstance(draft.proposal, InstallmentProposal) and draft.proposal.monthly_ore == 100_000
    action = next(action for action in draft.actions if isinstance(action, AgreementAction))
    assert action.claim_ids == [LOEN.id]
    refused = CASES["afdrag_afslag_aftale"]
    assert refused.situation == "installment_refuse"
    assert not [action for action in refused.actions if isinstance(action, AgreementAction)]
    assert "kan ikke klage" in refused.letter.text  # § 2, stk. 3, 3. pkt.


def test_estate_holds_reminders() -> None:
    draft = CASES["doedsbo"]
    assert draft.situation == "estate"
    assert isinstance(draft.actions[0], HoldAction) and draft.actions[0].reason == "estate"


def test_ingest_json_fills_draft_for_every_message_that_should_get_one(
    dev_database: Database, report_score: Callable[[str], None]
) -> None:
    labels = {
        row["file"]: row
        for row in map(json.loads, (DEV_CORPUS / "labels.jsonl").read_text().splitlines())
    }
    files = sorted(str(path) for path in (DEV_CORPUS / "mail").glob("*.eml"))
    result = CliRunner().invoke(
        main, ["ingest", *files], env={"OPKRAEVNING_DATABASE_URL": dev_database.url}
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == len(labels)
    situations: Counter[str] = Counter()
    for row in rows:
        label = labels[row["file"]]
        draft = row["draft"]
        should = label["intent"] not in ("auto_reply", "bounce", "other") or (
            label["intent"] == "bounce" and row["debtor_id"] is not None
        )
        assert (draft is not None) == should, row["file"]
        if draft is None:
            continue
        situations[draft["situation"]] += 1
        assert draft["body"] and draft["subject"] and draft["template_version"]
        if draft["channel"] == "email":  # email never names debts (policy default)
            assert not AMOUNT.search(draft["body"]), row["file"]
        if draft["notice"]:
            assert not AMOUNT.search(draft["notice"]["body"]), row["file"]
        for text in (draft["body"], (draft["notice"] or {}).get("body", "")):
            assert not contains_cpr(text), row["file"]
    report_score(
        f"drafts on the dev corpus ({dev_database.kind}): "
        f"{sum(situations.values())} of {len(rows)} messages; "
        + ", ".join(f"{name} {n}" for name, n in sorted(situations.items()))
    )


def test_a_counter_proposal_gives_concrete_reasons_and_weighs_the_situation() -> None:
    text = CASES["afdrag_modforslag_indkomst"].letter.text
    assert "Det er kommunens regel" not in text
    # § 22 for the duty to give reasons, never as the source of the municipality's limits
    assert "Derfor skal vi begrunde vores svar (forvaltningsloven § 22)" in text
    assert "inden for 18 måneder (forvaltningsloven § 22)" not in text
    assert "forvaltningsloven § 24" in text
    assert "En rate skal mindst være" in text and "højst vare 18 måneder" in text
    assert "Du har tilbudt 300,00 kr. om måneden" in text  # the facts of this case
    # the tabeltræk figure is no longer a confusing invitation to pay more
    assert "kunne Gældsstyrelsen efter sin tabel kræve 5.700,00 kr. om måneden" in text
    assert "Vi foreslår et lavere beløb" in text
    assert "Vi har også set på din situation" in text


def test_a_refusal_names_the_rule_the_facts_and_an_individual_assessment() -> None:
    for name in ("afdrag_afslag_smaat", "afdrag_afslag_aftale", "henstand_modforslag"):
        text = CASES[name].letter.text
        assert "Det er kommunens regel" not in text, name
        assert "forvaltningsloven § 22" in text and "forvaltningsloven § 24" in text, name
        assert "Vi har også set på din situation" in text, name
    small = CASES["afdrag_afslag_smaat"].letter.text
    assert "Du skylder 80,00 kr." in small and "ikke mere end én rate" in small
    deferral = CASES["henstand_modforslag"].letter.text
    assert "højst 30 dage" in deferral
    assert "giver grund til en længere henstand" in deferral


def test_a_death_notice_gets_condolences_a_hold_and_a_task_for_the_estate() -> None:
    draft = CASES["doedsbo"]
    text = draft.letter.text
    assert "Til dødsboet efter Karla Frederiksen" in text and "Kære Karla" not in text
    assert "Vi er kede af at høre om dødsfaldet" in text
    assert "ikke flere rykkere" in text and "dødsboskifteloven § 81, stk. 3, nr. 2" in text
    hold, task = draft.actions
    assert isinstance(hold, HoldAction) and hold.reason == "estate" and hold.claim_ids
    assert isinstance(task, CaseworkerAction) and task.reason == "estate"
    assert task.task is not None and "Anmeld kommunens krav i dødsboet" in task.task
    assert task.due_on == date(2027, 1, 22)  # 8 weeks from 27 November 2026


class _ReadingWithHardship(Reading):
    """The reading as issue 14 extends it (hardship signals with their evidence)."""

    hardship: list[str] = Field(default_factory=list)
    hardship_evidence: dict[str, str] = Field(default_factory=dict)


def test_hardship_is_read_flagged_and_weighed() -> None:
    base = reading("installment_request", offer_monthly_ore=20_000).model_dump()
    sick = _ReadingWithHardship.model_validate(
        {
            **base,
            "hardship": ["illness"],
            "hardship_evidence": {"illness": "efter en længere sygdomsperiode"},
        }
    )
    draft = draft_reply(sick, EMAIL, KARLA, [HUSLEJE, LOEN], POLICY, TODAY, CALENDAR)
    assert draft is not None
    text = draft.letter.text
    assert "Du skriver, at du er syg. Det har vi taget med i vurderingen." in text
    [task] = [a for a in draft.actions if isinstance(a, CaseworkerAction)]
    assert task.reason == "hardship" and task.task is not None
    assert "»efter en længere sygdomsperiode«" in task.task and "pause" in task.task
    assert isinstance(draft.proposal, InstallmentProposal) and draft.proposal.needs_caseworker
    plain = draft_reply(
        reading("installment_request", offer_monthly_ore=20_000),
        EMAIL, KARLA, [HUSLEJE, LOEN], POLICY, TODAY, CALENDAR,
    )  # fmt: skip
    assert plain is not None and "du er syg" not in plain.letter.text
    assert not [a for a in plain.actions if isinstance(a, CaseworkerAction)]


def test_a_death_reported_by_someone_unverified_gets_condolences_and_no_oracle() -> None:
    told = reading("contact_update", verified_sender=False, text="Min far er død i sidste uge.")
    known = draft_reply(told, EMAIL, KARLA, [HUSLEJE], POLICY, TODAY, CALENDAR)
    unknown = draft_reply(
        told.model_copy(update={"debtor_id": None}), EMAIL, None, [], POLICY, TODAY, CALENDAR
    )
    assert known is not None and unknown is not None
    assert known.letter.text == unknown.letter.text  # the same words: nothing disclosed
    text = known.letter.text
    assert "Vi er kede af at høre om dødsfaldet" in text and "skifteretsattesten" in text
    assert "Mailen kommer ikke fra den adresse" not in text and "7.344,90" not in text
    assert "D1100022" not in text  # the journalnummer is the message's
    hold, task = known.actions
    assert (
        isinstance(hold, HoldAction) and hold.reason == "estate" and hold.claim_ids == [HUSLEJE.id]
    )
    assert isinstance(task, CaseworkerAction) and task.due_on == date(2027, 1, 22)
    assert unknown.actions == []


def test_the_dev_corpus_death_notice_gets_the_condolence_draft(dev_database: Database) -> None:
    from sqlalchemy import select
    from sqlmodel import Session, col

    from opkraevning.app.pipeline import run_pipeline
    from opkraevning.store.db import session_scope
    from opkraevning.store.inbound import store_raw_message
    from opkraevning.store.models import OutboundLetter
    from opkraevning.store.outbound import stored_trace

    with session_scope(dev_database.engine) as session:
        message, _ = store_raw_message(
            session, (DEV_CORPUS / "mail" / "019.eml").read_bytes(), channel="smtp"
        )
    run_pipeline(dev_database.engine, ["opkraevning@norddjurs.dk"])
    with Session(dev_database.engine) as session:
        reply = session.scalars(
            select(OutboundLetter).where(col(OutboundLetter.inbound_message_id) == message.id)
        ).one()
        trace = stored_trace(reply)
    assert reply.template == "svar_doedsfald" and "kede af at høre om dødsfaldet" in reply.body
    assert trace.situation == "estate_reported"
    assert [action.action for action in trace.actions] == ["hold", "caseworker"]


def test_no_oracle_unidentified_and_unverified_get_the_same_answer() -> None:
    """Whoever the writer named, registered or not, the letter is word for word the same."""
    for inquiry in (EMAIL, POST):
        nobody = draft_reply(
            reading("balance_request", debtor_id=None), inquiry, None, [], POLICY, TODAY
        )
        someone = draft_reply(
            reading("balance_request", verified_sender=False),
            inquiry,
            KARLA,
            [HUSLEJE, LOEN],
            POLICY,
            TODAY,
        )
        assert nobody is not None and someone is not None
        assert nobody.letter.text == someone.letter.text
        assert nobody.letter.subject == someone.letter.subject
        assert nobody.situation != someone.situation  # the caseworker still sees which
    assert "Kære Karla Frederiksen" in CASES["ikke_identificeret"].letter.text  # own name


def test_a_representative_is_asked_for_a_power_of_attorney_and_told_nothing() -> None:
    draft = CASES["repraesentant"]
    assert draft.situation == "representative"
    assert "fuldmagt" in draft.letter.text
    assert not AMOUNT.search(draft.letter.text)
    assert draft.proposal is None and draft.actions == []
    assert any("sagsbehandler" in reason for reason in draft.reasons)
    estate = CASES["repraesentant_doedsbo_digital_post"]
    assert "skifteretsattesten" in estate.letter.text
    # verified or not, a writer for someone else gets the same letter
    verified = draft_reply(
        reading("balance_request", on_behalf_of="relative"), EMAIL, KARLA, [HUSLEJE], POLICY, TODAY
    )
    assert verified is not None and verified.letter.text == draft.letter.text


def test_an_uncertain_amount_is_never_drafted_as_accepted() -> None:
    held = CASES["afdrag_behandles"]
    assert held.situation == "installment_caseworker"
    assert held.actions == []
    assert held.proposal is not None
    assert getattr(held.proposal, "held_because", None) == "offer_uncertain"
    assert any("ikke sikkert læst" in reason for reason in held.reasons)
    assert not AMOUNT.search(held.letter.text)


def test_one_installment_covering_the_whole_debt_goes_to_a_caseworker() -> None:
    whole = draft_reply(
        reading("installment_request", offer_monthly_ore=2_000_000, claim_ids=[LOEN.id]),
        EMAIL,
        KARLA,
        [LOEN],
        POLICY,
        TODAY,
    )
    assert whole is not None and whole.situation == "installment_caseworker"
    assert whole.proposal is not None
    assert getattr(whole.proposal, "held_because", None) == "offer_covers_whole_debt"
    assert whole.actions == []
