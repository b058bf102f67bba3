"""Who writes for whom, and what hardship the writer names (pure, cue rules with evidence).

``on_behalf_of`` says who writes when it is not the debtor: ``lawyer``, ``social_worker``,
``relative``, ``estate`` (the debtor has died: heir, bobestyrer, even a lawyer),
``accountant`` (an external bookkeeper or auditor), ``neighbour`` or ``other``. It is
never verified: whatever the writer claims, the reply asks for a power of attorney
(or the estate's documents), discloses nothing and goes to a caseworker. A
first-person writer ("jeg", "vi" about their own company) is nobody's representative.

``hardship`` lists the signals a caseworker weighs (sociale hensyn): ``illness``,
``unemployment``, ``divorce``, ``death_in_family``, ``benefits`` (pension,
kontanthjælp, SU, dagpenge) and ``other`` (single parent, reduced hours, a hard
season). Each reading carries the phrase that decided it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from opkraevning.domain.folding import fold

ROLES = ("estate", "lawyer", "social_worker", "accountant", "neighbour", "relative", "other")
_REL = (
    r"(?:mor|mors|far|fars|moder|fader|mand|kone|hustru|aegtefaelle|samlever|kaereste|soen|datter"
    r"|svigermor|svigerfar|bror|soester|barnebarn|bedstemor|bedstefar|onkel|tante|nevoe|niece"
    r"|husband|wife|mother|father|son|daughter|mutter|vater|vaters|mannes|frau|mann|tochter"
    r"|sohn|mamma"
    r"|pappa|min man|hustru)"
)
_ROLE_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("estate", re.compile(
        r"doedsbo|\bboet efter|bobestyrer|skifteret|skifteretsattest|arving|\bafdoede"
        r"|(?:doede|er doed|gik bort|afgik ved doeden)\b.{0,80}(?:hans|hendes) (?:regning|gaeld"
        r"|laan)"
        r"|estate of|nachlass|verstorben|dödsbo|doedsboet")),
    ("lawyer", re.compile(
        r"\badvokat\w*|\bpaa vegne af (?:min|vores) klient|\bmin klient|\bvores klient|\blawyer"
        r"|\battorney|rechtsanwalt|\bmandant")),
    ("social_worker", re.compile(
        r"sagsbehandler for|socialraadgiver|bostoette\w*|familieraadgiver|kontaktperson for"
        r"|jobcent\w* (?:og|,) (?:skriver|henvender)|stoettekontaktperson|\bvaerge for"
        r"|beskikket vaerge"
        r"|social worker|\bvisitator\b|\bhjemmeplejen\b.{0,40}borger"
        r"|\bi jobcent\w*.{0,60}(?:samtykke|paa vegne)|(?:samtykke|paa vegne).{0,80}jobcent")),
    ("accountant", re.compile(
        r"(?:er|som) (?:\w+ )?(?:revisor|bogholder|regnskabsfoerer)\w* for|(?:revisor"
        r"|bogholder)\w* for \w"
        r"|bogfoering\w* (?:for|paa vegne)"
        r"|regnskab\w* for\b|sidder med regnskabet for|\baccountant|steuerberater|bookkeeper"
        r"|paa vegne af (?:vores )?kunde|\bvores kunde"
        r"|\bklient(?:en)?s?\b(?!.{0,5}klientbetaling)")),
    ("neighbour", re.compile(
        r"(?:jeg er|skriver for|paa vegne af|hjaelper) (?:min |vores |en )?(?:nabo|genbo)\b"
        r"|\bnabo til\b"
        r"|my neighbou?r|\bnachbar\w*|\bgranne")),
    ("relative", re.compile(
        r"(?:paa vegne af|for|paa|skriver for|hjaelper|on behalf of|im namen|i namn av) (?:min"
        r"|mit|mine|vores|my|meines|meiner|meine|min)? ?"
        + _REL + r"\b"
        r"|" + r"(?:min|vores|my|meines|meine) " + _REL + r",?(?: [a-z-]+,?){0,4}? "
        r"(?:har|kan|er|fik|faar|ligger|bad|get|gets|mangler|has|is|hat|ist|at betale)\b"
        r"|fuldmagt til (?:min|hans|hendes)|kone til|gift med|datter af|soen af|mand til"
        r"|(?:han|hun) (?:har fuldmagt|er ikke|kan ikke (?:selv|skrive)|taler ikke)")),
]  # fmt: skip
_FIRST_PERSON_COMPANY = re.compile(r"\b(?:vores|mit|min) (?:firma|virksomhed|selskab|forretning)")

HARDSHIPS = ("illness", "unemployment", "divorce", "death_in_family", "benefits", "other")
_HARDSHIP_CUES: dict[str, re.Pattern[str]] = {
    "illness": re.compile(
        r"\bsyg\w*|sygemeld\w*|sygedagpenge|hospital\w*|sygehus\w*|indlagt|\bkraeft\b|stress\b"
        r"|depression"
        r"|blodprop|hjerneblod|slagtilfaelde|operation|\bdement\w*|\bkrank\w*|schlaganfall|\bill\b"
        r"|\billness|\bsjuk\w*|kemo|behandling paa|psykisk|handicap"),
    "unemployment": re.compile(
        r"arbejdsloes|ledig\b|mistet (?:mit|sit|mit faste) (?:arbejde|job)|mistede mit (?:job"
        r"|arbejde)"
        r"|fyret|opsagt fra|afskediget|(?<!syge)(?<!barsels)\bdagpenge|a-kasse|uden arbejde"
        r"|uden job"
        r"|unemployed|lost my job|arbeitslos|arbetsloes"),
    "divorce": re.compile(r"\bskilt\b|skilsmisse|separeret|divorce|geschieden|skild\b|eksmand"
        r"|ekskone"
                          r"|ex-mand|brudt op|gaaet fra hinanden"),
    "death_in_family": re.compile(
        r"\bdoed(?:e)?\b|doedsfald|doedsbo|gik bort|afgik ved doeden|begravelse|bisaettelse|afdoede"
        r"|passed away|died|verstorben|gestorben|dog i\b|\bboet efter"),
    "benefits": re.compile(
        r"folkepension|foertidspension|\bpension(?:ist|aer|en|\b)|kontanthjaelp|\bsu\b|\bsuen\b"
        r"|integrationsydelse|uddannelseshjaelp|boligstoette|ydelse\b|ressourceforloeb"
        r"|\bpensioner\b|pensionaer|\bpension\b|rente\b(?= )|buergergeld|sozialhilfe"),
    "other": re.compile(
        r"alene med|enlig (?:mor|far|forsoerger)|eneforsoerger|nedsat tid|faerre timer"
        r"|\d+ timer om ugen"
        r"|kun \d+ timer|deltid|ujaevn indtaegt|svaer saeson|daarligt aar|stille efteraar|i laere"
        r"|stram|barsel|tandlaegeregning|bilreparation|ordblind|forstaar ikke alt|gravid"),
}  # fmt: skip


@dataclass
class Representation:
    on_behalf_of: str | None
    evidence: list[str] = field(default_factory=list)


def read_representation(text: str, signoff: str = "") -> Representation:
    """The writer's role when writing for someone else, with the phrase that says so."""
    folded = " ".join(fold(text + "\n" + signoff).split())
    for role, pattern in _ROLE_CUES:
        match = pattern.search(folded)
        if match is None:
            continue
        if role == "accountant" and _FIRST_PERSON_COMPANY.search(folded[: match.start()]):
            continue
        return Representation(role, [match.group(0)])
    return Representation(None)


def read_hardship(text: str) -> dict[str, str]:
    """Hardship signal → the phrase that shows it."""
    folded = " ".join(fold(text).split())
    found: dict[str, str] = {}
    for name in HARDSHIPS:
        match = _HARDSHIP_CUES[name].search(folded)
        if match:
            found[name] = match.group(0)
    return found
