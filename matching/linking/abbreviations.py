"""Abbreviations common in Belgian and French job titles and ads, spelled out as ESCO labels write them.

Keys are normalised (lower case, no accents). An abbreviation is only ever an extra form to search: the title
as written is still searched, so an unknown reading costs nothing. The list is general vocabulary of the
trade (licences, sectors, diplomas that name a job), in French, Dutch and English.
"""

from __future__ import annotations

ABBREVIATIONS: dict[str, str] = {
    # French: driving and handling licences, transport.
    "spl": "poids lourd",
    "pl": "poids lourd",
    "vl": "vehicule leger",
    "caces": "cariste chariot elevateur",
    "fimo": "conducteur poids lourd",
    # French: care, education, public service.
    "ide": "infirmier",
    "ibode": "infirmier de bloc operatoire",
    "iade": "infirmier anesthesiste",
    "ash": "agent des services hospitaliers",
    "aes": "accompagnant educatif et social",
    "avs": "auxiliaire de vie sociale",
    "amp": "aide medico psychologique",
    "eje": "educateur de jeunes enfants",
    "atsem": "agent specialise des ecoles maternelles",
    "alsh": "accueil de loisirs",
    "asvp": "agent de surveillance de la voie publique",
    "aps": "agent de prevention et de securite",
    "ssiap": "agent de securite incendie",
    "ehpad": "maison de retraite",
    "ssr": "soins de suite et de readaptation",
    "vdi": "vendeur a domicile",
    # French: trades and functions.
    "cvc": "chauffage ventilation climatisation",
    "vrd": "voirie et reseaux divers",
    "btp": "batiment et travaux publics",
    "tp": "travaux publics",
    "sav": "service apres vente",
    "adv": "administration des ventes",
    "rh": "ressources humaines",
    "drh": "directeur des ressources humaines",
    "daf": "directeur administratif et financier",
    "qse": "qualite securite environnement",
    "hse": "hygiene securite environnement",
    "cao": "conception assistee par ordinateur",
    "dao": "dessin assiste par ordinateur",
    "gmao": "gestion de maintenance assistee par ordinateur",
    "cnd": "controle non destructif",
    "moe": "maitrise d oeuvre",
    "moa": "maitrise d ouvrage",
    "cfa": "courants faibles",
    "cfo": "courants forts",
    "gms": "grande distribution",
    "r&d": "recherche et developpement",
    "rd": "recherche et developpement",
    # Dutch.
    "wzc": "woonzorgcentrum",
    "ocmw": "openbaar centrum voor maatschappelijk welzijn",
    "vca": "veiligheid",
    "plc": "programmeerbare logische controller",
    "hr": "human resources",
    "ict": "informatie en communicatietechnologie",
    "boekh": "boekhouder",
    "adm": "administratief",
    "admin": "administratief",
    "med": "medewerker",
    # English.
    "it": "information technology",
    "qa": "quality assurance",
    "ux": "user experience",
    "ui": "user interface",
    "seo": "search engine optimisation",
}
"""Normalised abbreviation -> its words."""

__all__ = ["ABBREVIATIONS"]
