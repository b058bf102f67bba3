"""The closed set of claim types the register may carry (RULES.md §1).

The legal properties of each type (regime, udpantningsret, fortrinsret, interest)
live in the policy file; this module only names the types, so that the import can
refuse unknown ones and people see a Danish name.
"""

from __future__ import annotations

CLAIM_TYPES: dict[str, str] = {
    "ejendomsskat": "Ejendomsskat",
    "rottebekaempelse": "Rottebekæmpelse",
    "skorstensfejning": "Skorstensfejning",
    "byggesagsgebyr": "Byggesagsgebyr",
    "husleje": "Husleje",
    "klientbetaling": "Klientbetaling",
    "daginstitution": "Daginstitutionsbetaling",
    "boliglaan": "Boliglån",
    "loenkrav": "For meget udbetalt løn",
    "juniorklub": "Juniorklub",
    "kulturskole": "Kulturskole",
    "foreningsgebyr": "Foreningsgebyr",
    "erstatningskrav": "Erstatningskrav",
}


def danish_name(claim_type: str) -> str:
    return CLAIM_TYPES.get(claim_type, claim_type)
