from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP

from opkraevning.assistant.parse.autoreply import classify_machine_mail
from tests.conftest import DEV_CORPUS, FIXTURES

BOUNCES = FIXTURES / "bounces"


def test_sisimai_reports_at_least_97_percent_per_kind(report_score: Callable[[str], None]) -> None:
    labels = json.loads((BOUNCES / "labels.json").read_text(encoding="utf-8"))
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    recipients_found = bounces_seen = 0
    for name, label in labels.items():
        verdict = classify_machine_mail((BOUNCES / "mail" / name).read_bytes())
        kind = label["kind"]
        total[kind] += 1
        if kind in ("bounce", "auto_reply"):
            right[kind] += verdict.kind == kind
        else:  # feedback and delivered reports are neither a bounce nor an auto-reply
            right[kind] += verdict.kind not in ("bounce", "auto_reply")
        if kind == "bounce" and verdict.is_bounce:
            bounces_seen += 1
            recipients_found += bool(verdict.failed_recipients)
    for kind in sorted(total):
        report_score(
            f"bounces/{kind}: {right[kind]}/{total[kind]} = {right[kind] / total[kind]:.1%}"
        )
    report_score(f"bounces: failed recipient found in {recipients_found}/{bounces_seen}")
    assert set(total) == {"bounce", "auto_reply", "feedback", "delivered"}
    for kind in total:
        assert right[kind] / total[kind] >= 0.97, kind


def test_no_citizen_mail_in_the_corpus_is_taken_for_a_machine(
    report_score: Callable[[str], None],
) -> None:
    labels = [json.loads(line) for line in (DEV_CORPUS / "labels.jsonl").open(encoding="utf-8")]
    wrong = []
    for label in labels:
        verdict = classify_machine_mail((DEV_CORPUS / "mail" / label["file"]).read_bytes())
        machine = {"bounce": "bounce", "auto_reply": "auto_reply"}.get(label["intent"], "human")
        got = verdict.kind if verdict.kind in ("bounce", "auto_reply") else "human"
        if got != machine:
            wrong.append((label["file"], machine, got))
    report_score(f"corpus machine mail: {len(labels) - len(wrong)}/{len(labels)} right")
    assert wrong == []


def test_machine_detection_never_raises_on_any_shared_message() -> None:
    paths = sorted(FIXTURES.glob("**/*.eml")) + sorted((DEV_CORPUS / "mail").glob("*.eml"))
    kinds = Counter(classify_machine_mail(path.read_bytes()).kind for path in paths)
    assert sum(kinds.values()) == len(paths) > 700


def test_failed_recipient_of_the_danish_bounces() -> None:
    own = {"opkraevning@norddjurs.dk"}
    postfix = classify_machine_mail((DEV_CORPUS / "mail" / "010.eml").read_bytes(), own)
    exchange = classify_machine_mail((DEV_CORPUS / "mail" / "029.eml").read_bytes(), own)
    assert postfix.failed_recipients == ["oerni.knudsen@jubii.dk"]
    assert exchange.failed_recipients == ["mathilde.rasmussen@hotmail.com"]
    assert postfix.statuses == ["5.1.1"]


def _mail(subject: str, body: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Karen <karen@example.dk>")
    message["Subject"] = subject
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes(policy=SMTP)


def test_danish_out_of_office_by_subject_and_header() -> None:
    assert classify_machine_mail(_mail("Autosvar: Rykker", "Jeg er på ferie")).is_auto_reply
    assert classify_machine_mail(_mail("Fraværende", "Tilbage mandag")).is_auto_reply
    header = _mail("Re: Rykker", "Tak for din mail", Auto_Submitted="auto-replied")
    assert classify_machine_mail(header).is_auto_reply


def test_a_citizen_who_writes_about_a_returned_letter_is_human() -> None:
    mail = _mail(
        "Brevet kom retur",
        "Hej, jeres brev kom retur til jer fordi jeg er flyttet. Min nye adresse er Storegade 1.",
    )
    assert classify_machine_mail(mail).kind == "human"


def test_non_standard_bounce_from_mailer_daemon() -> None:
    mail = _mail(
        "failure notice",
        "Hi. This is the qmail-send program at mx.example.dk.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n\n"
        "<old.address@example.dk>:\nSorry, no mailbox here by that name. (#5.1.1)\n",
        From="MAILER-DAEMON@mx.example.dk",
    )
    verdict = classify_machine_mail(mail, {"opkraevning@norddjurs.dk"})
    assert verdict.is_bounce
    assert verdict.failed_recipients == ["old.address@example.dk"]
