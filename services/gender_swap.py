"""Counterfactual gender swap of job titles and skill texts (French and Dutch), for the fairness check.

"Boulanger" becomes "Boulangère" and back, "Verkoper" "Verkoopster", "Opérateur / Opératrice du son"
"Opératrice / Opérateur du son", "(h/f/x)" "(f/h/x)", "(m/v/x)" "(v/m/x)". A ranking that changes when only
these forms change treats people differently by the gender their words show.

Written from the grammar of the two languages, apart from how the linker reads gendered titles (its cleaning
and the forms it learns from ESCO's labels): a check that reused the engine's procedure would share its blind
spots. What a gender marker is, the regular masculine and feminine endings and writing a word in another's
case are read from their one home, ``matching.linking.gender``.

Only the head of a title is swapped (the words before its first preposition, in every part of a "masculine /
feminine" title): that is where French and Dutch mark the person's gender; the complement ("de grue", "van de
klantendienst") names things. In skill texts and summaries only explicit forms are
swapped (markers, "vendeur / vendeuse" pairs): their other words name tasks and tools, not people.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from esco_data import DEFAULT_LANGUAGE
from matching.linking import gender

# -- French -------------------------------------------------------------------------------------------------

# Irregular or ambiguous pairs (masculine, feminine): looked up before any ending rule, in both directions.
_FR_PAIRS = {
    "chef": "cheffe",
    "député": "députée",
    "maître": "maîtresse",
    "hôte": "hôtesse",
    "prince": "princesse",
    "comte": "comtesse",
    "poète": "poétesse",
    "docteur": "docteure",
    "professeur": "professeure",
    "ingénieur": "ingénieure",
    "auteur": "autrice",
    "procureur": "procureure",
    "gouverneur": "gouverneure",
    "assesseur": "assesseure",
    "défenseur": "défenseure",
    "successeur": "successeure",
    "ambassadeur": "ambassadrice",
    "empereur": "impératrice",
    "serviteur": "servante",
    "visiteur": "visiteuse",
    "dompteur": "dompteuse",
    "apprenti": "apprentie",
    "élu": "élue",
    "patron": "patronne",
    "maçon": "maçonne",
    "vigneron": "vigneronne",
    "bûcheron": "bûcheronne",
    "forgeron": "forgeronne",
    "champion": "championne",
    "espion": "espionne",
    "baron": "baronne",
    "paysan": "paysanne",
    "artisan": "artisane",
    "courtisan": "courtisane",
    "doyen": "doyenne",
    "citoyen": "citoyenne",
    "avocat": "avocate",
    "candidat": "candidate",
    "magistrat": "magistrate",
    "soldat": "soldate",
    "expert": "experte",
    "adjoint": "adjointe",
    "marchand": "marchande",
    "écrivain": "écrivaine",
    "châtelain": "châtelaine",
    "souverain": "souveraine",
    "voisin": "voisine",
    "cousin": "cousine",
    "copain": "copine",
    "cadet": "cadette",
    "préfet": "préfète",
    "veuf": "veuve",
    "public": "publique",
    "grec": "grecque",
    "turc": "turque",
    "blanc": "blanche",
    "franc": "franche",
    "long": "longue",
    "nouveau": "nouvelle",
    "jumeau": "jumelle",
    "beau": "belle",
    "vieux": "vieille",
    "père": "mère",
    "frère": "sœur",
    "oncle": "tante",
    "fils": "fille",
    "garçon": "fille",
    "homme": "femme",
    "roi": "reine",
    "héros": "héroïne",
    "dieu": "déesse",
    "compagnon": "compagne",
    "parrain": "marraine",
}
# Words with a gendered ending that do not name a person (or never change): left alone.
_FR_KEEP = frozenset(
    {
        # -er / -ier / -ère / -ière
        "manager", "designer", "developer", "leader", "planner", "trader", "reporter", "webmaster", "master",
        "officer", "engineer", "partner", "dealer", "broker", "controller", "scrum", "fer", "mer", "hiver",
        "chantier", "atelier", "courrier", "dossier", "papier", "métier", "quartier", "fichier", "escalier",
        "calendrier", "acier", "clavier", "levier", "palier", "panier", "sentier", "tablier", "cimetière",
        "barrière", "rivière", "lumière", "matière", "carrière", "frontière", "prière", "bière", "chaudière",
        "cafetière", "théière", "soupière", "clairière", "manière", "filière", "bannière", "croisière",
        "poussière", "paupière", "litière", "visière", "verrière", "gouttière", "civière", "lisière",
        "portière", "glacière", "serpillière", "sphère", "atmosphère", "galère", "colère", "cratère",
        "caractère", "ministère", "monastère", "mystère", "critère", "derrière", "arrière", "salière",
        # -eur / -euse / -trice
        "moteur", "ordinateur", "secteur", "capteur", "réacteur", "compteur", "extérieur", "intérieur",
        "couleur", "valeur", "chaleur", "hauteur", "largeur", "longueur", "profondeur", "honneur", "bonheur",
        "malheur", "odeur", "douleur", "fleur", "peur", "sœur", "cœur", "labeur", "vapeur", "erreur",
        "perceuse", "tondeuse", "moissonneuse", "chargeuse", "niveleuse", "broyeuse", "cribleuse", "friteuse",
        "agrafeuse", "ponceuse", "visseuse", "pelleteuse", "raboteuse", "couveuse", "mitrailleuse",
        "berceuse", "veilleuse", "batteuse", "débroussailleuse", "foreuse", "décapeuse", "ensileuse",
        "matrice", "cicatrice", "calculatrice", "perforatrice", "locomotrice", "motrice",
        # -é / -ée
        "café", "thé", "marché", "canapé", "clé", "blé", "pré", "degré", "côté", "été", "comité", "lycée",
        "musée", "trophée", "mausolée", "apogée", "entrée", "journée", "année", "armée", "idée", "pensée",
        "marée", "durée", "randonnée", "poupée", "vallée", "chaussée", "fusée", "soirée", "tournée", "allée",
        "arrivée", "montée", "plongée", "denrée", "fumée", "corvée", "purée", "portée", "traversée", "gelée",
        # -ant / -ent / -ante / -ente
        "restaurant", "carburant", "diamant", "enfant", "volant", "instant", "montant", "courant", "croissant",
        "argent", "accident", "incident", "talent", "dent", "vent", "parent", "client", "patient",
        "vente", "pente", "tente", "attente", "entente", "rente", "descente", "détente", "tante", "plante",
        # -el / -elle / -al / -ale / -if / -ive
        "hôtel", "logiciel", "tunnel", "appel", "rappel", "matériel", "personnel", "label", "ciel", "miel",
        "vaisselle", "nacelle", "poubelle", "chapelle", "dentelle", "ficelle", "passerelle", "selle",
        "échelle", "ruelle", "semelle", "gamelle", "aquarelle", "citadelle",
        "métal", "animal", "journal", "cheval", "festival", "canal", "signal", "terminal", "hôpital",
        "carnaval", "bocal", "escale", "cale", "morale", "finale", "cathédrale", "spirale", "rafale",
        "sandale", "centrale", "pédale", "succursale", "capitale",
        "rive", "lessive", "directive", "perspective", "archive", "initiative", "locomotive", "missive",
        "olive", "gencive", "salive", "coursive", "offensive", "défensive",
        # -ien / -ienne
        "entretien", "soutien", "maintien", "lien", "bien", "rien", "chien", "persienne",
    }
)  # fmt: skip
_FR_INVARIABLE = ("ité", "té", "ment")
"""Endings of words that never change ("qualité", "santé", "gestionnaire de paiement"): checked first."""
_FR_TO_FEMININE: list[tuple[str, str | None]] = [*((ending, None) for ending in _FR_INVARIABLE), *gender.FRENCH_ENDINGS]
"""Masculine ending -> feminine ending (``None`` keeps the word), the more specific first."""
_FR_TO_MASCULINE: list[tuple[str, str | None]] = sorted(
    ((f, m) for m, f in gender.FRENCH_ENDINGS), key=lambda p: -len(p[0])
)
_FR_STOPS = frozenset(
    "de du des d d' d’ en à au aux pour chez sur sous dans et ou avec par le la les l l' l’ un une".split()
)

# -- Dutch --------------------------------------------------------------------------------------------------

# Pairs that also end compounds ("dans|leraar", "hoofd|kok").
_NL_PAIRS = {
    "boer": "boerin",
    "kok": "kokkin",
    "schrijver": "schrijfster",
    "zanger": "zangeres",
    "danser": "danseres",
    "schilder": "schilderes",
    "leraar": "lerares",
    "kunstenaar": "kunstenares",
    "tekenaar": "tekenares",
    "handelaar": "handelaarster",
    "wandelaar": "wandelaarster",
    "winkelier": "winkelierster",
    "secretaris": "secretaresse",
    "politicus": "politica",
    "musicus": "musica",
    "historicus": "historica",
    "kandidaat": "kandidate",
    "advocaat": "advocate",
    "soldaat": "soldate",
    "ambassadeur": "ambassadrice",
    "steward": "stewardess",
    "gastheer": "gastvrouw",
}
# Pairs of whole words only.
_NL_WORDS = {
    "held": "heldin",
    "koning": "koningin",
    "graaf": "gravin",
    "prins": "prinses",
    "vriend": "vriendin",
    "weduwnaar": "weduwe",
    "vader": "moeder",
    "broer": "zus",
    "oom": "tante",
    "zoon": "dochter",
    "jongen": "meisje",
}
_NL_KEEP = frozenset(
    {
        "manager", "designer", "developer", "leader", "planner", "trader", "reporter", "officer", "engineer",
        "partner", "dealer", "broker", "controller", "consultant", "operator", "procesoperator", "ober",
        "computer", "container", "printer", "server", "laser", "water", "winter", "zomer", "kamer", "nummer",
        "filter", "poeder", "kader", "over", "onder", "achter", "liter", "meter", "theater", "cijfer",
        "lager", "ander", "ingenieur", "dokter", "minister", "ambtenaar", "matroos", "kleur", "deur", "geur",
        "interieur", "exterieur", "papier", "kwartier", "vizier", "plezier", "manier", "restaurant",
        "diamant", "sergeant", "monster", "register", "orkester", "semester", "venster", "zuster", "priester",
        "klooster", "pleister", "talent", "cement", "moment", "procent", "segment", "document", "argument",
    }
)  # fmt: skip
_NL_KEEP_ENDINGS = (
    "meester",
    "ment",
    "kleur",
    "deur",
    "geur",
    "operator",
    "ingenieur",
    "manager",
    "officier",
    "brandweer",
)
_NL_TO_FEMININE: list[tuple[str, str]] = list(gender.DUTCH_ENDINGS)
_NL_TO_MASCULINE: list[tuple[str, str]] = [(f, m) for m, f in gender.DUTCH_ENDINGS]
_NL_STOPS = frozenset("van voor in bij met en of op aan uit naar de het een te".split())
_VOWELS = "aeiou"

# -- markers, words and titles ------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|[^\w\s]|\d+|\s+")


def swap_markers(text: str) -> str:
    """Swap the order of gender markers: ``(h/f/x)`` -> ``(f/h/x)``, ``(M/V)`` -> ``(V/M)``, ``F-H`` -> ``H-F``.

    Args:
        text: any text.

    Returns:
        The text with the first two letters of every marker (``gender.MARKER``) exchanged when they name a man
        and a woman, and the spaces inside it dropped.
    """

    def swap(m: re.Match[str]) -> str:
        marker = "".join(m.group(0).split())
        letters = [i for i, ch in enumerate(marker) if ch.isalpha()]
        if not gender.names_every_gender(marker[letters[0]] + marker[letters[1]]):
            return m.group(0)
        chars = list(marker)
        chars[letters[0]], chars[letters[1]] = chars[letters[1]], chars[letters[0]]
        return "".join(chars)

    return gender.MARKER.sub(swap, text)


def _by_ending(word: str, rules: list[tuple[str, str | None]]) -> str | None:
    for ending, replacement in rules:
        if word.endswith(ending) and len(word) > len(ending):
            return None if replacement is None else word[: -len(ending)] + replacement
    return None


def _swap_french(word: str) -> str | None:
    lower = word.lower()
    if lower in _FR_KEEP:
        return None
    for masculine, feminine in _FR_PAIRS.items():
        if lower == masculine:
            return feminine
        if lower == feminine:
            return masculine
    return _by_ending(lower, _FR_TO_MASCULINE) or _by_ending(lower, _FR_TO_FEMININE)


def _vowel_groups(text: str) -> int:
    return len(re.findall(f"[{_VOWELS}]+", text))


def _nl_feminine_er(word: str) -> str:
    """A Dutch agent noun in -er as its -ster form: "verkoper" -> "verkoopster", "kapper" -> "kapster"."""
    stem = word[:-2]
    if stem.endswith("rd"):
        stem = stem[:-1]  # "stoffeer-d-er": the d only joins r and -er
    elif stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
        stem = stem[:-1]  # "kapp-er": the doubled consonant kept the vowel short
    elif stem[-1] not in _VOWELS and stem[-2] in "aeou" and stem[-3] not in _VOWELS:
        stem = stem[:-1] + stem[-2] + stem[-1]  # "verkop-er": the open syllable's long vowel, written twice
    return stem + "ster"


def _nl_masculine_ster(word: str) -> str:
    """The inverse of ``_nl_feminine_er``: "verkoopster" -> "verkoper", "kapster" -> "kapper"."""
    stem = word[:-4]
    if stem[-1] == "r" and stem[-2] in _VOWELS:
        return stem + "der"  # "stoffeer" -> "stoffeerder"
    if stem[-1] not in _VOWELS and stem[-2] == stem[-3] and stem[-2] in "aeou":
        stem = stem[:-2] + stem[-1]  # "verkoop" -> "verkop-er"
    elif stem[-1] not in _VOWELS + "wj" and stem[-2] in _VOWELS and stem[-3] not in _VOWELS:
        if stem[-2] in "aou" or _vowel_groups(stem) == 1:
            stem = stem + stem[-1]  # "kap" -> "kapp-er": a short vowel stays short
    return stem + "er"


def _swap_dutch(word: str) -> str | None:
    lower = word.lower()
    if lower in _NL_KEEP or lower.endswith(_NL_KEEP_ENDINGS):
        return None
    for masculine, feminine in _NL_WORDS.items():
        if lower in (masculine, feminine):
            return feminine if lower == masculine else masculine
    # A compound's last part carries the gender: "dans|leraar", "hoofd|kok".
    for masculine, feminine in _NL_PAIRS.items():
        if lower.endswith(feminine) and (lower == feminine or len(lower) > len(feminine) + 2):
            return lower[: -len(feminine)] + masculine
        if lower.endswith(masculine) and (lower == masculine or len(lower) > len(masculine) + 2):
            return lower[: -len(masculine)] + feminine
    for feminine_end, masculine_end in _NL_TO_MASCULINE:
        if lower.endswith(feminine_end) and len(lower) > len(feminine_end):
            return lower[: -len(feminine_end)] + masculine_end
    if lower.endswith("ster") and len(lower) > 6:
        return _nl_masculine_ster(lower)
    for masculine_end, feminine_end in _NL_TO_FEMININE:
        if lower.endswith(masculine_end) and len(lower) > len(masculine_end):
            return lower[: -len(masculine_end)] + feminine_end
    if lower.endswith("er") and len(lower) > 4 and not lower.endswith("eer"):
        return _nl_feminine_er(lower)
    return None


_WORD_SWAPS: dict[str, Callable[[str], str | None]] = {"fr": _swap_french, "nl": _swap_dutch}
_STOPS = {"fr": _FR_STOPS, "nl": _NL_STOPS}


def swap_word(word: str, lang: str) -> str:
    """The other gender's form of one word (French or Dutch); the word itself when it has none.

    Hyphenated words are swapped part by part ("aide-soignant" -> "aide-soignante").

    Args:
        word: one word.
        lang: ``fr`` or ``nl`` (other languages are left alone).

    Returns:
        The swapped word, in the same case.
    """
    swap = _WORD_SWAPS.get(lang)
    if swap is None:
        return word
    if "-" in word:
        return "-".join(swap_word(part, lang) if part else part for part in word.split("-"))
    found = swap(word)
    return gender.match_case(found, word) if found else word


def swap_title(text: str, lang: str) -> str:
    """The title a person of the other gender would write: head words swapped, markers exchanged.

    In every part of a title ("Vendeur / Vendeuse en boucherie" has two), the words up to the first
    preposition or bracket are swapped; the rest of the part is left as it is.

    Args:
        text: a job title.
        lang: the title's language (``fr`` or ``nl``; other languages only get their markers swapped).

    Returns:
        The swapped title.
    """
    text = swap_markers(text)
    stops = _STOPS.get(lang)
    if stops is None:
        return text
    out: list[str] = []
    head = True
    depth = 0
    for token in _TOKEN.findall(text):
        if token in "([":
            depth += 1
        elif token in ")]":
            depth = max(0, depth - 1)
        elif depth:
            pass
        elif token in "/,;–" or token == "-" and out and out[-1].isspace():
            head = True
        elif token.isspace() or not token[0].isalpha():
            pass
        elif token.lower() in stops or token.lower().startswith(("d'", "d’", "l'", "l’")):
            head = False
        elif head:
            swapped = swap_word(token, lang)
            # A Dutch title has one head noun (adjectives do not change); French adjectives agree with it.
            head = not (lang == "nl" and swapped != token)
            token = swapped
        out.append(token)
    return "".join(out)


_PAIR = re.compile(r"\b([^\W\d_][\w-]*)\s*/\s*([^\W\d_][\w-]*)\b")


def swap_phrase(text: str, lang: str) -> str:
    """A skill text or summary with its explicit gender forms swapped: markers and "vendeur / vendeuse" pairs.

    Args:
        text: free text.
        lang: its language.

    Returns:
        The swapped text (unchanged when it has no explicit form).
    """
    text = swap_markers(text)

    def pair(m: re.Match[str]) -> str:
        a, b = m.group(1), m.group(2)
        if swap_word(a, lang).lower() == b.lower() and a.lower() != b.lower():
            return m.group(0).replace(a, "\0").replace(b, a).replace("\0", b)
        return m.group(0)

    return _PAIR.sub(pair, text)


@dataclass
class SwappedRecord:
    """A record with its gendered forms swapped, and the fields that changed."""

    data: dict[str, object]
    changed: list[str] = field(default_factory=list)


def _swap_skill_items(items: object, lang: str, path: str, changed: list[str]) -> object:
    if not isinstance(items, list):
        return items
    out: list[object] = []
    for i, item in enumerate(items):
        if isinstance(item, dict) and isinstance(item.get("text"), str):
            new = swap_phrase(item["text"], lang)
            if new != item["text"]:
                changed.append(f"{path}[{i}].text")
                item = {**item, "text": new}
        out.append(item)
    return out


def swap_jobseeker(data: dict[str, object], *, default_language: str = DEFAULT_LANGUAGE) -> SwappedRecord:
    """A jobseeker dossier (native layout) with gendered titles and skill texts swapped.

    Args:
        data: the dossier as stored.
        default_language: the language of a dossier that names none.

    Returns:
        A new dossier (the input is not changed) and the paths of the fields that changed.
    """
    lang = str(data.get("preferred_language") or default_language)
    out = dict(data)
    changed: list[str] = []
    for key in ("experiences", "desired_occupations"):
        items = data.get(key)
        if not isinstance(items, list):
            continue
        new_items: list[object] = []
        for i, item in enumerate(items):
            if isinstance(item, dict) and isinstance(item.get("title"), str):
                title = swap_title(item["title"], lang)
                if title != item["title"]:
                    changed.append(f"{key}[{i}].title")
                    item = {**item, "title": title}
            new_items.append(item)
        out[key] = new_items
    out["skills"] = _swap_skill_items(data.get("skills"), lang, "skills", changed)
    if isinstance(data.get("summary"), str):
        summary = swap_phrase(str(data["summary"]), lang)
        if summary != data["summary"]:
            changed.append("summary")
            out["summary"] = summary
    return SwappedRecord(out, changed)


def swap_vacancy(data: dict[str, object], *, default_language: str = DEFAULT_LANGUAGE) -> SwappedRecord:
    """A vacancy (native layout) with its gendered title, skill texts and description swapped.

    Args:
        data: the vacancy as stored.
        default_language: the language of a vacancy that names none.

    Returns:
        A new vacancy (the input is not changed) and the paths of the fields that changed.
    """
    lang = str(data.get("language") or default_language)
    out = dict(data)
    changed: list[str] = []
    if isinstance(data.get("title"), str):
        title = swap_title(str(data["title"]), lang)
        if title != data["title"]:
            changed.append("title")
            out["title"] = title
    for key in ("required_skills", "nice_to_have_skills"):
        out[key] = _swap_skill_items(data.get(key), lang, key, changed)
    if isinstance(data.get("description"), str):
        description = swap_phrase(str(data["description"]), lang)
        if description != data["description"]:
            changed.append("description")
            out["description"] = description
    return SwappedRecord(out, changed)


__all__ = [
    "SwappedRecord",
    "swap_jobseeker",
    "swap_markers",
    "swap_phrase",
    "swap_title",
    "swap_vacancy",
    "swap_word",
]
