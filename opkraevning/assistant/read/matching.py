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
}
NAME_THRESHOLD = 94.0  # mean of first-name similarity and the exact surname, × 100
NAME_MARGIN = 3.0  # two candidates closer than this: too close to call
TOKEN_THRESHOLD = 0.88  # Jaro-Winkler, per name token
_COMPANY_FORMS = re.compile(r"\b(?:a/s|aps|i/s|ivs|k/s|p/s|amba|a\.m\.b\.a\.)(?=\W|$)")
_ADDRESS_IN_TEXT = re.compile(
    r"([^\W\d_][^\W\d_.'-]*(?:[ .-]+[^\W\d_][^\W\d_.'-]*){0,3})\.?\s+(\d{1,4}[a-z]?)\b"
)


@dataclass
class Evidence:
    kind: str
    debtor_id: str
    field: str  # where it was found: new_text, subject, from, memo_sender, …
    value: str  # what was found (a CPR is masked)
    score: float = 100.0

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
    """Danish postcodes followed by a town name ("8500 Grenaa")."""
    return set(_POSTCODE_IN_TEXT.findall(fold(text)))


def _add(
    evidence: list[Evidence], debtors: list[DebtorFacts], kind: str, where: str, value: str
) -> None:
    for debtor in debtors:
        evidence.append(Evidence(kind, debtor.id, where, value))


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


def decide(evidence: list[Evidence]) -> MatchResult:
    """The strongest kind of evidence decides — if it names exactly one debtor."""
    if not evidence:
        return MatchResult(None, 0.0, [], [], "no identifier, address or registered sender")
    best_rank = min(STRENGTH[item.kind][1] for item in evidence)
    strongest = [item for item in evidence if STRENGTH[item.kind][1] == best_rank]
    debtors = sorted({item.debtor_id for item in strongest})
    candidates = sorted({item.debtor_id for item in evidence})
    if len(debtors) > 1:
        return MatchResult(
            None,
            0.0,
            evidence,
            candidates,
            f"{strongest[0].kind} points at {len(debtors)} debtors: a person must choose",
        )
    chosen = debtors[0]
    confidence = max(STRENGTH[item.kind][0] for item in strongest)
    if strongest[0].kind == "name_and_address":
        confidence *= max(item.score for item in strongest) / 100
    supporting = {item.kind for item in evidence if item.debtor_id == chosen}
    against = {item.debtor_id for item in evidence} - {chosen}
    if len(supporting) > 1:
        confidence = min(1.0, confidence + 0.02 * (len(supporting) - 1))
    if against:
        confidence -= 0.1  # weaker evidence points elsewhere: say so in the score
    return MatchResult(
        chosen,
        round(confidence, 3),
        evidence,
        candidates,
        f"decided by {strongest[0].kind}",
    )


def match_debtor(register: Register, data: MatchInput, years: range) -> MatchResult:
    return decide(gather_evidence(register, data, years))
