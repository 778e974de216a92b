"""The parts of a job ad: what the job asks (tasks, profile) and what it does not (the employer, the offer).

An ad is cut into units (lines, bullet items, sentences). A unit belongs to the section its last header opened
("VOTRE MISSION :", "Profil recherché", "Wij bieden", "Solliciteren"); a unit that itself talks about pay,
hours, the contract, benefits, the employer or how to apply is that kind of unit whatever its section. Only
task and profile units (and units of no known section that say none of those things) are read for skills.

The cue words are the vocabulary of job ads in French, Dutch and English, not of any one collection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from esco_data import normalize_label


class Section(StrEnum):
    """What a part of an ad is about."""

    tasks = "tasks"
    profile = "profile"
    employer = "employer"
    offer = "offer"
    """Pay, hours, contract, benefits: what the employer gives."""
    apply = "apply"
    education = "education"
    """Diplomas, degrees, years of experience: asked, but not skills."""
    other = "other"
    """No header said, and the unit itself gives no cue."""

    @property
    def asks(self) -> bool:
        """Whether units of this section may state requirements."""
        return self in (Section.tasks, Section.profile, Section.other)


@dataclass(frozen=True, slots=True)
class AdUnit:
    """A line, bullet item or sentence of an ad, with its span and section."""

    text: str
    start: int
    end: int
    section: Section


def _words(*phrases: str) -> str:
    return "|".join(phrases)


# Headers: a short line (or the start of one, up to a colon) that names a section.
_HEADERS: dict[Section, re.Pattern[str]] = {
    Section.tasks: re.compile(
        _words(
            r"(?:vos |votre |les |principales |main )?missions?(?: principales| suivantes)?",
            r"vos t[aâ]ches(?: principales)?",
            r"description du poste",
            r"descriptif (?:du poste|mission)",
            r"le poste",
            r"votre r[oô]le",
            r"quel sera votre r[oô]le",
            r"activit[ée]s",
            r"responsabilit[ée]s",
            r"functieomschrijving",
            r"(?:jouw |je |uw )?(?:taken|takenpakket|functie|opdracht|verantwoordelijkheden)",
            r"wat ga je doen",
            r"(?:job |role )?description",
            r"(?:your |key )?(?:tasks|duties|responsibilities|role)",
            r"what you will do",
        )
    ),
    Section.profile: re.compile(
        _words(
            r"(?:votre |le |description du )?profil(?: recherch[ée]| id[ée]al| souhait[ée])?",
            r"comp[ée]tences(?: attendues| requises| recherch[ée]es)?",
            r"qualit[ée]s(?: requises)?",
            r"savoir[- ](?:faire|[êe]tre)",
            r"pr[ée]requis",
            r"(?:jouw |je |uw )?(?:profiel|vaardigheden|competenties|vereisten)",
            r"wie ben je",
            r"wat vragen (?:we|wij)",
            r"(?:your )?(?:profile|requirements|qualifications|skills)",
            r"who you are",
        )
    ),
    Section.employer: re.compile(
        _words(
            r"(?:l'|l’)?entreprise",
            r"qui (?:sommes[- ]nous|sont[- ]ils)",
            r"(?:notre|la) soci[ée]t[ée]",
            r"pr[ée]sentation(?: de l'entreprise)?",
            r"(?:over ons|wie zijn we|het bedrijf|onze klant)",
            r"(?:about us|the company|who we are)",
        )
    ),
    Section.offer: re.compile(
        _words(
            r"(?:nous (?:vous )?(?:offrons|proposons))",
            r"(?:ce que nous (?:vous )?(?:offrons|proposons))",
            r"avantages",
            r"r[ée]mun[ée]ration",
            r"salaire",
            r"conditions",
            r"(?:wat )?(?:bieden (?:we|wij)|wij bieden|aanbod|ons aanbod)",
            r"(?:what we offer|we offer|benefits|salary)",
        )
    ),
    Section.apply: re.compile(
        _words(
            r"(?:comment )?postuler",
            r"candidature",
            r"int[ée]ress[ée]\(?e?\)?",
            r"(?:solliciteren|interesse|geïnteresseerd)",
            r"(?:how to apply|apply)",
        )
    ),
}
_HEADER_LINE = re.compile(r"^\W*(?P<head>[^:\n]{2,60}?)\s*(?::|\?|!|$)")

# Cues inside a unit: a unit with one of these words is about the offer, the employer or applying.
_CUES: dict[Section, re.Pattern[str]] = {
    Section.offer: re.compile(
        r"\b(?:"
        r"salaire|r[ée]mun[ée]r\w*|brut|nets?|€|eur|euros|prime|primes|mutuelle|tickets? restaurants?|"
        r"titres? restaurants?|cong[ée]s|avantages|int[ée]ressement|participation|13[èe]me mois|"
        r"cdi|cdd|int[ée]rim\w*|contrat|temps (?:plein|partiel|complet)|mi-temps|horaires?|heures?|"
        r"\d+\s?h(?:\d\d)?|du lundi au|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|week-?end|"
        r"poste [àa] pourvoir|d[ée]but de (?:contrat|mission)|convention collective|"
        r"loon|salaris|bruto|netto|maaltijdcheques|ecocheques|hospitalisatieverzekering|groepsverzekering|"
        r"bedrijfswagen|vakantiedagen|contract|voltijds|deeltijds|uurrooster|werkuren|"
        r"salary|wage|benefits?|insurance|full[- ]time|part[- ]time|hours"
        r")\b",
        re.IGNORECASE,
    ),
    Section.apply: re.compile(
        r"\b(?:"
        r"postul\w*|envoy\w* (?:nous |vous )?(?:votre |ton |un )?(?:cv|candidature|lettre)|votre cv|ton cv|"
        r"lettre de motivation|rejoignez[- ]nous|n'h[ée]sitez (?:plus|pas) [àa] (?:postuler|nous contacter)|"
        r"solliciteer|solliciteren|stuur (?:je|uw|ons) (?:cv|kandidatuur|sollicitatie)|"
        r"apply (?:now|online|via|here)|send (?:your|us your) (?:cv|resume|application)"
        r")\b",
        re.IGNORECASE,
    ),
    Section.education: re.compile(
        r"\b(?:"
        r"dipl[ôo]m[ée]e?s?|titulaire d|cap|bep|bac|bts|dut|but|licence|master|bac ?\+ ?\d|niveau bac|"
        r"\d+ ans? d'exp[ée]rience|exp[ée]rience (?:de |d')?\d+|"
        r"diploma|getuigschrift|bachelor|bachelordiploma|masterdiploma|\d+ jaar ervaring|"
        r"degree|years? of experience"
        r")\b",
        re.IGNORECASE,
    ),
    Section.employer: re.compile(
        r"^(?:recherche|recrute|zoekt|seeking)\b|\b(?:"
        r"nous sommes|notre (?:entreprise|soci[ée]t[ée]|groupe|agence|client|partenaire|[ée]quipe est)|"
        r"est un groupe|groupe (?:international|fran[çc]ais|familial)|acteur (?:majeur|cl[ée]|de r[ée]f[ée]rence)|"
        r"op[ée]rant dans|pr[ée]sente? dans|emploie|depuis (?:plus de )?\d+ ans|"
        r"notre client|leader|fond[ée]e? en|cr[ée][ée]e? en|collaborateurs|chiffre d'affaires|implant[ée]e?|"
        r"sp[ée]cialis[ée]e? dans|filiale|recrute|recherche(?:ons)? (?:un|une|des)|"
        r"wij zijn|onze (?:klant|organisatie|onderneming)|marktleider|werknemers|zoekt|zoeken (?:een|we)|"
        r"we are|our (?:client|company)|is looking for|are looking for"
        r")\b",
        re.IGNORECASE,
    ),
}

# Words that say the unit itself states the job's tasks or the profile asked.
_ASKS: dict[Section, re.Pattern[str]] = {
    Section.tasks: re.compile(
        r"\b(?:vous (?:aurez|serez|devrez|assurerez|assurez|r[ée]alisez|r[ée]aliserez|effectuez|effectuerez|"
        r"prenez en charge|interviendrez|intervenez|participez|participerez|contribuez|[ée]tes charg[ée])|"
        r"votre r[ôo]le|vos missions|vos t[âa]ches|en charge de|charg[ée]e? de|"
        r"je (?:bent verantwoordelijk|staat in voor|zorgt voor|voert)|jouw taken|je taken|"
        r"you will|your role|responsible for)\b",
        re.IGNORECASE,
    ),
    Section.profile: re.compile(
        r"\b(?:vous (?:avez|poss[ée]dez|disposez|ma[îi]trisez|justifiez|connaissez)|"
        r"je (?:hebt|beschikt|beheerst|kan)|you (?:have|are able))\b",
        re.IGNORECASE,
    ),
}

_UNIT = re.compile(r"[^\n\r•·▪●◦*;]+")
_SENTENCE_END = re.compile(r"(?<=[a-zà-ÿ0-9\)])[.!?](?=\s+[A-ZÀ-Ý]|[A-ZÀ-Ý][a-zà-ÿ])")
_BULLET_LEAD = re.compile(r"^(?:[\s\-–—+>o](?=\s)|[\s\-–—+>])+")


def header_of(line: str) -> Section | None:
    """The section a line opens when it is a header ("Profil recherché :", "Wat bieden wij?"), else None."""
    found = _header(line)
    return found[0] if found is not None else None


def _header(line: str) -> tuple[Section, int] | None:
    """The section a line opens and where its header ends in the line ("Interesse? Solliciteer ...")."""
    lead = len(line) - len(line.lstrip())
    match = _HEADER_LINE.match(line.strip())
    if match is None:
        return None
    head = normalize_label(match.group("head"))
    if len(head.split()) > 6:
        return None
    for section, pattern in _HEADERS.items():
        if pattern.fullmatch(head) or pattern.fullmatch(match.group("head").strip().lower()):
            return section, lead + match.end()
    return None


def cue_of(text: str, *, employer: bool = True) -> Section | None:
    """The section a unit's own words put it in (pay, applying, diplomas, the employer), or None.

    Args:
        text: a unit or a clause.
        employer: whether to look for the employer's presentation too.
    """
    for section in (Section.apply, Section.offer, Section.education, Section.employer):
        if (employer or section is not Section.employer) and _CUES[section].search(text):
            return section
    return None


def asks_of(text: str) -> Section | None:
    """``tasks`` or ``profile`` when a unit's own words state the job's tasks or the profile, else None."""
    for section, pattern in _ASKS.items():
        if pattern.search(text):
            return section
    return None


def split_ad(text: str) -> list[AdUnit]:
    """Cut an ad into units with their sections.

    Args:
        text: a vacancy description (or any requirement text).

    Returns:
        Units in order, each with its span in ``text``; header lines are not units.
    """
    units: list[AdUnit] = []
    section = Section.other
    for line in _UNIT.finditer(text):
        raw = line.group()
        header = _header(raw)
        body_start = line.start()
        if header is not None:
            section, end = header
            body_start = line.start() + end
        for piece_start, piece_end in _sentences(text, body_start, line.end()):
            piece = text[piece_start:piece_end]
            lead = _BULLET_LEAD.match(piece)
            skip = lead.end() if lead else 0
            body = piece[skip:].rstrip(" \t,.:")
            if not normalize_label(body):
                continue
            start = piece_start + skip
            units.append(AdUnit(body, start, start + len(body), _kind(body, section)))
            asks = asks_of(body)
            if asks is not None and not section.asks:
                # "Ce que nous vous proposons : ... votre rôle sera de ..." opens the tasks after all.
                section = asks
    return units


def _kind(unit: str, section: Section) -> Section:
    """A unit's section: its own words first, then the header's."""
    asks = asks_of(unit)
    if asks is not None:
        return asks
    if section in (Section.tasks, Section.profile):
        # Under a requirement header, only pay, contract and applying take a unit out; the employer's
        # words ("chiffre d'affaires") and diplomas are weighed clause by clause.
        cue = cue_of(unit, employer=False)
        return cue if cue in (Section.offer, Section.apply) else section
    return cue_of(unit) or section


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of text[start:end] (also where a sentence ends glued to the next: "Free.Vous")."""
    spans = []
    position = start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append((position, match.start()))
        position = match.end()
    spans.append((position, end))
    return [(a, b) for a, b in spans if b > a]


__all__ = ["AdUnit", "Section", "asks_of", "cue_of", "header_of", "split_ad"]
