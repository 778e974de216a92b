"""The notice shown to jobseekers, in their language: suggestions are automatic, how they are made, how to contest.

The share of each part of the score is read from the engine's own weights, so the notice says what the
engine does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from esco_data import DEFAULT_LANGUAGE, LANGUAGES
from matching.ranking import COMPONENTS, ScoreWeights

_PARTS = {
    "fr": {
        "cosine": "la ressemblance générale de votre profil et de l'offre",
        "essential": "les compétences que l'offre exige et que vous avez",
        "optional": "les compétences souhaitées que vous avez",
        "occupation": "le métier (vos expériences et souhaits, le métier de l'offre)",
        "language": "les langues (votre niveau face au niveau demandé)",
        "location": "la distance",
    },
    "nl": {
        "cosine": "de algemene gelijkenis tussen uw profiel en de vacature",
        "essential": "de vereiste competenties die u hebt",
        "optional": "de gewenste competenties die u hebt",
        "occupation": "het beroep (uw ervaring en wensen, het beroep van de vacature)",
        "language": "de talen (uw niveau tegenover het gevraagde niveau)",
        "location": "de afstand",
    },
    "en": {
        "cosine": "the overall likeness of your profile and the vacancy",
        "essential": "the required skills you have",
        "optional": "the wished-for skills you have",
        "occupation": "the occupation (your experience and wishes, the vacancy's occupation)",
        "language": "languages (your level against the level asked)",
        "location": "distance",
    },
}

_TEXT = {
    "fr": {
        "title": "Comment vos suggestions sont faites",
        "automatic": (
            "Les offres qui vous sont suggérées, et les employeurs à qui votre profil est proposé, sont choisis "
            "automatiquement par un programme. Un conseiller peut les revoir, et il garde toujours la décision."
        ),
        "how": (
            "Vos compétences, vos expériences et vos souhaits sont reliés à la classification européenne ESCO. "
            "Chaque offre reçoit une note qui additionne : {parts}. Chaque suggestion est expliquée : ce qui "
            "correspond, ce qui manque."
        ),
        "never": (
            "Ne sont jamais utilisés : votre genre, votre âge, votre nationalité ou origine, un handicap, votre "
            "situation familiale, votre nom ou votre photo."
        ),
        "contest": (
            "Vous pouvez contester une suggestion, ou la manière dont elles sont faites : votre demande est "
            "transmise à un conseiller, qui vous répond."
        ),
        "rights": (
            "Vous pouvez aussi obtenir toutes vos données (export), refuser d'être proposé aux employeurs "
            "(vous gardez vos propres suggestions) et demander l'effacement de votre dossier. Un dossier inactif "
            "est effacé après {days} jours."
        ),
    },
    "nl": {
        "title": "Hoe uw suggesties tot stand komen",
        "automatic": (
            "De vacatures die u worden voorgesteld, en de werkgevers aan wie uw profiel wordt voorgesteld, worden "
            "automatisch gekozen door een programma. Een consulent kan ze nakijken en beslist altijd zelf."
        ),
        "how": (
            "Uw competenties, ervaring en wensen worden gekoppeld aan de Europese classificatie ESCO. Elke "
            "vacature krijgt een score die optelt: {parts}. Elke suggestie wordt uitgelegd: wat overeenkomt en "
            "wat ontbreekt."
        ),
        "never": (
            "Nooit gebruikt: uw gender, leeftijd, nationaliteit of afkomst, een handicap, uw gezinssituatie, uw "
            "naam of uw foto."
        ),
        "contest": (
            "U kunt een suggestie betwisten, of de manier waarop ze tot stand komen: uw verzoek gaat naar een "
            "consulent, die u antwoordt."
        ),
        "rights": (
            "U kunt ook al uw gegevens opvragen (export), weigeren aan werkgevers te worden voorgesteld (u houdt "
            "uw eigen suggesties) en de wissing van uw dossier vragen. Een inactief dossier wordt na {days} "
            "dagen gewist."
        ),
    },
    "en": {
        "title": "How your suggestions are made",
        "automatic": (
            "The vacancies suggested to you, and the employers your profile is proposed to, are chosen "
            "automatically by a program. A consultant can review them and always takes the decision."
        ),
        "how": (
            "Your skills, experience and wishes are linked to the European classification ESCO. Each vacancy "
            "gets a score that adds up: {parts}. Each suggestion is explained: what matches and what is missing."
        ),
        "never": (
            "Never used: your gender, age, nationality or origin, a disability, your family situation, your "
            "name or your photo."
        ),
        "contest": (
            "You can contest a suggestion, or the way they are made: your request goes to a consultant, who "
            "answers you."
        ),
        "rights": (
            "You can also get all your data (export), refuse to be proposed to employers (you keep your own "
            "suggestions) and ask for your file to be erased. An inactive file is erased after {days} days."
        ),
    },
}


@dataclass(frozen=True)
class Notice:
    """The notice in one language: a title and its paragraphs, plus the score's parts and their shares."""

    lang: str
    title: str
    paragraphs: list[str]
    parts: dict[str, float] = field(default_factory=dict)
    """Score part -> its share of the score (sums to 1)."""

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {"lang": self.lang, "title": self.title, "paragraphs": self.paragraphs, "parts": self.parts}


def notice(
    lang: str, weights: ScoreWeights, retention_days: int, *, default_language: str = DEFAULT_LANGUAGE
) -> Notice:
    """The notice for a reader of a language (the default language when it is not a supported one).

    Args:
        lang: the jobseeker's language.
        weights: the engine's score weights (the shares the notice states).
        retention_days: after how many days an inactive dossier is erased.
        default_language: the service's default language (a setting).

    Returns:
        The notice.
    """
    lang = lang if lang in LANGUAGES else default_language
    shares = dict(zip(COMPONENTS, (round(float(w), 3) for w in weights.normalised()), strict=True))
    names = _PARTS[lang]
    parts = ", ".join(f"{names[c]} ({round(100 * shares[c])} %)" for c in sorted(COMPONENTS, key=lambda c: -shares[c]))
    text = _TEXT[lang]
    paragraphs = [
        text["automatic"],
        text["how"].format(parts=parts),
        text["never"],
        text["contest"],
        text["rights"].format(days=retention_days),
    ]
    return Notice(lang, text["title"], paragraphs, shares)


__all__ = ["Notice", "notice"]
