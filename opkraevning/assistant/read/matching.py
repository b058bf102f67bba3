"""Who wrote? Matching a message to one debtor, with evidence — or to nobody.

Evidence is weighed in order of strength: Digital Post identity; CPR/CVR in the
new text; betalings-ID or invoice reference; a trusted reply to our own letter;
the registered email address; and last, name *and* address together (rapidfuzz on
Danish-folded text; a name alone never decides). Identifiers that stand only in
the quoted history do not count. When the strongest kind of evidence points at
two debtors, or the evidence is weak, the answer is nobody: a person decides,
shown the candidates. A wrong match discloses one citizen's debts to another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz.distance import JaroWinkler

from opkraevning.assistant.read.identifiers import Identifiers
from opkraevning.domain.folding import fold
from opkraevning.domain.privacy import mask_cpr
from opkraevning.domain.register import DebtorFacts, Register
from opkraevning.domain.street import street_key

# kind → (confidence, rank); a lower rank is stronger evidence
STRENGTH = {
    "digital_post_identity": (1.0, 0),
    "cpr": (0.99, 1),
    "cvr": (0.99, 1),
    "payment_id": (0.97, 2),
    "reference": (0.95, 2),
    "thread": (0.93, 3),
    "registered_email": (0.9, 4),
    "bounced_recipient": (0.9, 4),
    "name_and_address": (0.8, 5),
    "household_first_name": (0.75, 6),
    "signature_cvr": (0.7, 7),
    "signature_cpr": (0.7, 7),
    "returned_claim": (0.9, 99),  # only chooses among the bounced recipients
}
# who sent it: these verify the sender, they do not decide what the text is about
SENDER_KINDS = frozenset({"digital_post_identity", "registered_email", "thread"})
TEXT_IDENTIFIERS = frozenset({"cpr", "cvr", "payment_id", "reference"})
NAME_THRESHOLD = 94.0  # mean of first-name similarity and the exact surname, × 100
NAME_MARGIN = 3.0  # two candidates closer than this: too close to call
TOKEN_THRESHOLD = 0.88  # Jaro-Winkler, per name token
_COMPANY_FORMS = re.compile(r"\b(?:a/s|aps|i/s|ivs|k/s|p/s|amba|a\.m\.b\.a\.)(?=\W|$)")
# Starts only where a word starts: tried at every letter of a long word, the pattern
# took quadratic time (a 20,000-letter word held the worker for minutes).
_ADDRESS_IN_TEXT = re.compile(
    r"(?<![^\W\d_])"
    r"([^\W\d_][^\W\d_.'-]*(?:[ .-]+[^\W\d_][^\W\d_.'-]*){0,3})\.?\s+(\d{1,4}[a-z]?)\b"
)


@dataclass
class Evidence:
    kind: str
    debtor_id: str
    field: str  # where it was found: new_text, subject, from, memo_sender, …
    value: str  # what was found (a CPR is masked)
    score: float = 100.0
    name: str = ""  # the debtor's name (to tell the owners of a shared address apart)

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "debtor_id": self.debtor_id,
            "field": self.field,
            "value": self.value,
            "score": round(self.score, 1),
        }


@dataclass
class MatchResult:
    debtor_id: str | None
    confidence: float
    evidence: list[Evidence] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    reason: str = ""


@dataclass
class MatchInput:
    new_text: str
    subject: str
    text_ids: Identifiers
    subject_ids: Identifiers
    sender_address: str | None = None
    sender_name: str | None = None
    memo_sender_id: str | None = None
    thread_debtor_id: str | None = None
    bounced_recipients: list[str] = field(default_factory=list)
    signature_ids: Identifiers = field(default_factory=Identifiers)  # in the writer's signature
    writes_for_other: bool = False  # the writer says they write for someone else
    signer: str = ""  # the sign-off and display name: who of a shared address signed
    returned_ids: Identifiers = field(default_factory=Identifiers)  # a bounce's returned letter


def _years_for_suffix(suffix: str, years: range) -> list[str]:
    return [f"{year}-{suffix}" for year in years]


def address_keys(text: str) -> list[str]:
    """Street keys for every "word(s) number" in the text (1 to 3 words before the number)."""
    keys: list[str] = []
    for match in _ADDRESS_IN_TEXT.finditer(fold(text)):
        words = match.group(1).replace("-", " ").split()
        number = match.group(2).replace(" ", "")
        for size in range(1, min(3, len(words)) + 1):
            key = street_key(" ".join(words[-size:]) + " " + number)
            if key:
                keys.append(key)
    return list(dict.fromkeys(keys))


def _name_tokens(name: str) -> list[str]:
    """First, middle and last names, or the words of a company name without its legal form."""
    folded = _COMPANY_FORMS.sub(" ", fold(name))
    return [t for t in re.split(r"[^\w]+", folded) if len(t) > 1 and t != "og"]


def loose(token: str) -> str:
    """Spelling variants of one Danish name to one key: Sørensen/Sorensen, Winther/Winter.

    Deliberately no further: Pedersen/Petersen and Larsen/Lassen are different families.
    """
    token = token.replace("oe", "o").replace("aa", "a").replace("ae", "e").replace("th", "t")
    return re.sub(r"(.)\1+", r"\1", token)


def _words(texts: list[str]) -> list[str]:
    return [w for text in texts for w in re.split(r"[^\w]+", fold(text)) if len(w) > 1]


def name_score(register_name: str, texts: list[str]) -> float:
    """How surely the debtor's name stands in the texts (0 = not at all), × 100.

    The surname (or a one-word company name) must be there exactly, up to Danish
    spelling variants; the first name may carry a typo (Jaro-Winkler ≥ 0.88, so
    "Esmeralda" finds "Esmarelda"); a middle name may be left out, but one written
    in both places must agree. Each middle name found adds a little, so of two
    relatives at one address the fuller match wins.
    """
    return _name_score(register_name, TextWords(texts))


class TextWords:
    """The words of the texts, folded once, with their loose forms for surname look-up."""

    def __init__(self, texts: list[str]) -> None:
        self.words = _words(texts)
        self.loose = [loose(word) for word in self.words]
        self.loose_set = set(self.loose)


def _name_score(register_name: str, text: TextWords) -> float:
    tokens = _name_tokens(register_name)
    if not tokens or not text.words:
        return 0.0
    last = loose(tokens[-1])
    if last not in text.loose_set:  # the cheap test first: most candidates stop here
        return 0.0
    words = text.words
    last_positions = [i for i, w in enumerate(text.loose) if w == last]
    if len(tokens) == 1:
        return 100.0
    first, middles = tokens[0], tokens[1:-1]
    best, best_at = 0.0, -1
    for i, word in enumerate(words):
        similarity = JaroWinkler.similarity(first, word)
        if similarity > best:
            best, best_at = similarity, i
    if best < TOKEN_THRESHOLD:
        return 0.0
    following = [j for j in last_positions if 0 < j - best_at <= 4]
    if middles and following:
        written = words[best_at + 1 : following[0]]
        if written and not any(
            JaroWinkler.similarity(m, w) >= TOKEN_THRESHOLD for m in middles for w in written
        ):
            return 0.0  # "Morten Juul Østergaard" is not "Morten Lund Østergaard"
    found_middles = sum(
        any(JaroWinkler.similarity(m, w) >= TOKEN_THRESHOLD for w in words) for m in middles
    )
    return 100 * (best + 1.0) / 2 + 2 * found_middles


_POSTCODE_IN_TEXT = re.compile(r"(?<!\d)([1-9]\d{3})\s+[^\W\d_]{2,}")


def postcodes_in(text: str) -> set[str]:
    """Danish postcodes followed by a town name ("8500 Grenaa").

    A number that reads as a year ("fra 2025 på") is no postcode: taking it for one
    dropped the right debtor (a town filter that names no real town excludes everyone).
    """
    return {code for code in _POSTCODE_IN_TEXT.findall(fold(text)) if not 1990 <= int(code) <= 2039}


def _add(
    evidence: list[Evidence], debtors: list[DebtorFacts], kind: str, where: str, value: str
) -> None:
    for debtor in debtors:
        evidence.append(Evidence(kind, debtor.id, where, value, name=debtor.name))


def gather_evidence(register: Register, data: MatchInput, years: range) -> list[Evidence]:
    evidence: list[Evidence] = []
    if data.memo_sender_id:
        found = register.debtors_by_cpr(data.memo_sender_id) + register.debtors_by_cvr(
            data.memo_sender_id
        )
        _add(
            evidence,
            found,
            "digital_post_identity",
            "memo_sender",
            mask_cpr(data.memo_sender_id) or "",
        )
    for where, ids in (("new_text", data.text_ids), ("subject", data.subject_ids)):
        for cpr in ids.cprs:
            _add(evidence, register.debtors_by_cpr(cpr), "cpr", where, mask_cpr(cpr) or "")
        for cvr in ids.cvrs:
            _add(evidence, register.debtors_by_cvr(cvr), "cvr", where, cvr)
        for claim in register.claims_by_payment_ids(ids.payment_ids):
            evidence.append(Evidence("payment_id", claim.debtor_id, where, claim.payment_id or ""))
        references = ids.references + [
            ref for suffix in ids.reference_suffixes for ref in _years_for_suffix(suffix, years)
        ]
        for claim in register.claims_by_references(references):
            evidence.append(Evidence("reference", claim.debtor_id, where, claim.reference))
    for cvr in data.signature_ids.cvrs:
        _add(evidence, register.debtors_by_cvr(cvr), "signature_cvr", "signature", cvr)
    for cpr in data.signature_ids.cprs:
        _add(
            evidence,
            register.debtors_by_cpr(cpr),
            "signature_cpr",
            "signature",
            mask_cpr(cpr) or "",
        )
    if data.thread_debtor_id:
        evidence.append(Evidence("thread", data.thread_debtor_id, "in_reply_to", "trusted reply"))
    if data.sender_address:
        _add(
            evidence,
            register.debtors_by_email(data.sender_address),
            "registered_email",
            "from",
            data.sender_address,
        )
    for address in data.bounced_recipients:
        _add(evidence, register.debtors_by_email(address), "bounced_recipient", "report", address)
    if data.bounced_recipients:
        returned = {
            c.debtor_id for c in register.claims_by_payment_ids(data.returned_ids.payment_ids)
        }
        returned |= {
            c.debtor_id for c in register.claims_by_references(data.returned_ids.references)
        }
        for debtor_id in sorted(returned):
            evidence.append(Evidence("returned_claim", debtor_id, "report", "the returned letter"))
    text = TextWords([data.new_text, data.sender_name or ""])
    postcodes = postcodes_in(data.new_text)
    scored = []
    for debtor in register.debtors_by_street(address_keys(data.new_text)):
        if postcodes and debtor.postcode and debtor.postcode not in postcodes:
            continue  # same street and number in another town
        score = _name_score(debtor.name, text)
        if score >= NAME_THRESHOLD:
            scored.append((score, debtor))
    if scored:
        best = max(score for score, _ in scored)
        for score, debtor in scored:
            if best - score < NAME_MARGIN:  # clearly worse candidates are no rivals
                evidence.append(
                    Evidence("name_and_address", debtor.id, "new_text", debtor.name, score)
                )
    return evidence


def _about_whom(evidence: list[Evidence], writes_for_other: bool) -> tuple[list[Evidence], str]:
    """The evidence that may decide the debtor the text is about.

    The sender's identity verifies the sender only. When the writer writes for someone
    else, nothing about the sender decides (neither their address nor their own name or
    identifiers in the text); when the text's identifiers all point at someone other
    than the sender, the text decides. A caseworker then sees both.
    """
    sender_ids = {e.debtor_id for e in evidence if e.kind in SENDER_KINDS}
    if writes_for_other:
        kept = [e for e in evidence if e.kind not in SENDER_KINDS and e.debtor_id not in sender_ids]
        return kept, "the writer writes for someone else"
    text_ids = {e.debtor_id for e in evidence if e.kind in TEXT_IDENTIFIERS}
    if sender_ids and text_ids and not text_ids & sender_ids:
        kept = [e for e in evidence if e.kind not in SENDER_KINDS]
        return kept, "the text is about another debtor than the sender"
    return evidence, ""


def _tiebreak(strongest: list[Evidence], evidence: list[Evidence], signer: str) -> str | None:
    """Of two debtors sharing one address: the one the returned letter or the signature names."""
    debtors = sorted({item.debtor_id for item in strongest})
    if strongest[0].kind not in ("registered_email", "bounced_recipient"):
        return None
    returned = {e.debtor_id for e in evidence if e.kind == "returned_claim"} & set(debtors)
    if len(returned) == 1:
        return returned.pop()
    if strongest[0].kind == "bounced_recipient" or not signer:
        return None
    return _signed_by(debtors, [e for e in strongest], signer)


def _signed_by(debtors: list[str], strongest: list[Evidence], signer: str) -> str | None:
    names = {e.debtor_id: e.name for e in strongest if e.name}
    signed = set(_words([signer]))
    hits = [d for d in debtors if d in names and _first_name(names[d]) in signed]
    return hits[0] if len(hits) == 1 else None


def _first_name(name: str) -> str:
    tokens = _name_tokens(name)
    return tokens[0] if tokens else ""


def decide(
    evidence: list[Evidence], writes_for_other: bool = False, signer: str = ""
) -> MatchResult:
    """The strongest kind of evidence decides — if it names exactly one debtor."""
    all_evidence = evidence
    evidence, about = _about_whom(evidence, writes_for_other)
    ranked = [item for item in evidence if STRENGTH[item.kind][1] < 99]
    if not ranked:
        reason = about or "no identifier, address or registered sender"
        candidates = sorted({item.debtor_id for item in evidence})
        return MatchResult(None, 0.0, all_evidence, candidates, reason)
    best_rank = min(STRENGTH[item.kind][1] for item in ranked)
    strongest = [item for item in ranked if STRENGTH[item.kind][1] == best_rank]
    debtors = sorted({item.debtor_id for item in strongest})
    candidates = sorted({item.debtor_id for item in ranked})
    if len(debtors) > 1:
        chosen_by_tie = _tiebreak(strongest, evidence, signer)
        if chosen_by_tie is None:
            return MatchResult(
                None,
                0.0,
                all_evidence,
                candidates,
                f"{strongest[0].kind} points at {len(debtors)} debtors: a person must choose",
            )
        debtors = [chosen_by_tie]
        strongest = [item for item in strongest if item.debtor_id == chosen_by_tie]
    chosen = debtors[0]
    confidence = max(STRENGTH[item.kind][0] for item in strongest)
    if strongest[0].kind == "name_and_address":
        confidence *= max(item.score for item in strongest) / 100
    supporting = {item.kind for item in ranked if item.debtor_id == chosen}
    against = {item.debtor_id for item in ranked} - {chosen}
    if len(supporting) > 1:
        confidence = min(1.0, confidence + 0.02 * (len(supporting) - 1))
    if against:
        confidence -= 0.1  # weaker evidence points elsewhere: say so in the score
    reason = f"decided by {strongest[0].kind}" + (f" ({about})" if about else "")
    return MatchResult(chosen, round(confidence, 3), all_evidence, candidates, reason)


def match_debtor(register: Register, data: MatchInput, years: range) -> MatchResult:
    evidence = gather_evidence(register, data, years)
    result = decide(evidence, data.writes_for_other, data.signer)
    if result.debtor_id is None and data.writes_for_other:
        household = household_member(register, evidence, data.new_text)
        if household is not None:
            evidence.append(household)
            result = decide(evidence, True, data.signer)
    return result


def household_member(register: Register, evidence: list[Evidence], text: str) -> Evidence | None:
    """ "Min kone Katarzyna" from her husband's own address: the one debtor at the sender's
    address whose first name the text gives (the sender excluded)."""
    senders = {e.debtor_id for e in evidence if e.kind in SENDER_KINDS}
    if len(senders) != 1:
        return None
    sender = register.debtor(next(iter(senders)))
    key = street_key(sender.address) if sender else None
    if sender is None or key is None:
        return None
    words = set(_words([text]))
    found = [
        d
        for d in register.debtors_by_street([key])
        if d.id != sender.id and d.postcode == sender.postcode and _first_name(d.name) in words
    ]
    if len(found) != 1:
        return None
    return Evidence("household_first_name", found[0].id, "new_text", found[0].name, 75.0)
