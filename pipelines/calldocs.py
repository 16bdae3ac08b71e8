"""The role of a document attached to a funding call, read from its title and link.

`document_role(title, url)` -> one of `ROLES`: the first rule of `_RULES` whose words occur in the
title, else in the link's path (decoded; ``-``, ``_``, ``/``, ``.`` read as spaces), ``document`` when
none does. Words are those the Funding & Tenders Portal's document packs use in titles and file
names ("Call document", "Standard application form (Part B)", "Model grant agreement",
"Rules for legal entity validation, LEAR and financial capacity", "Guide for applicants") and their
usual equivalents in German, French, Italian, Spanish, Dutch, Portuguese and Polish. Order matters:
"Annex 1: application form template" is a template, "Call document and annexes" a call document.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

ROLES: tuple[str, ...] = (
    "call document",
    "guide",
    "template",
    "annex",
    "model agreement",
    "rules",
    "work programme",
    "document",
)
"""What an attachment of a call can be (``document``: none of the others is recognised)."""

_RULES: tuple[tuple[str, str], ...] = (
    ("model agreement", r"\bmga\b|model (?:grant )?agreement|grant agreement|finanzhilfevereinbarung|"
     r"convention de subvention|convenzione di sovvenzione|acuerdo de subvención|subsidieovereenkomst"),
    ("template", r"template|\btpl\b|application form|\bpart b\b|standard form|vorlage|muster|antragsformular|"
     r"formulaire|modèle|modello|formulario|plantilla|sjabloon|aanvraagformulier|wzór|formularz"),
    ("call document", r"call[ -]?(?:document|text|fiche)|call for proposals|topic conditions|"
     r"aufruf|ausschreibung|appel à propositions|appel à projets|invito a presentare|bando|convocatoria|"
     r"oproep|aviso de abertura|nabór wniosków"),
    ("guide", r"guide|guidance|handbook|manual|instructions|\bfaq\b|frequently asked|leitfaden|handbuch|"
     r"merkblatt|guida|guía|vademecum|handleiding|przewodnik|orientações"),
    ("rules", r"\brules\b|\blev\b|\blear\b|\bfca\b|regeln|règles|regole|normas|regels|regulamin"),
    ("work programme", r"work ?programme|\bwp\b|arbeitsprogramm|programme de travail|programma di lavoro|"
     r"programa de trabajo|werkprogramma"),
    ("annex", r"annex|anhang|anlage|allegato|anexo|bijlage|załącznik"),
)  # fmt: skip
_COMPILED = tuple((role, re.compile(pattern, re.IGNORECASE)) for role, pattern in _RULES)


def document_role(title: str | None, url: str | None) -> str:
    """The role of a call's attached document (see the module docstring); the title is read first,
    the link only when the title tells nothing."""
    path = re.sub(r"[-_/.+]+", " ", unquote(urlsplit(url).path)) if url else ""
    for words in (title or "", path):
        for role, pattern in _COMPILED:
            if pattern.search(words):
                return role
    return "document"
