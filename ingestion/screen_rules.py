"""Rule tables of the vacancy discrimination screen (see `ingestion.screen`).

Every pattern is written against *folded* text: casefolded, accents stripped, "œ" as "oe", typographic
apostrophes and dashes as ASCII. So a pattern says ``agee?`` for "âgé"/"âgée" and ``sante`` for "santé".
A rule id starts with its category ("age.max_years" -> age); rules that express one idea in several
languages share an id. Precision matters more than recall: a false positive costs staff time on an
ordinary vacancy, so patterns ask for the context that makes a word discriminatory (a person noun, a
number of years, "vous êtes ...") rather than flagging a bare word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    """One screening pattern.

    Attributes:
        id: stable id; the part before the first dot is the category.
        langs: the languages ("fr", "nl", "en") whose vacancies the rule applies to.
        pattern: regex over folded text; a named group ``hit`` narrows the reported span.
        explanation: why a match may select candidates unlawfully, in English, for staff.
        not_before: skip the match when this regex finds a match ending at the hit (searched in the
            folded text just before it, so it should end with ``$``).
        not_after: skip the match when this regex matches right after the hit.
        role_noun: a gendered job title, flagged only when the vacancy has no neutral marker such as
            "(h/f/x)", "(m/v/x)" or "serveur/serveuse" anywhere.
    """

    id: str
    langs: frozenset[str]
    pattern: re.Pattern[str]
    explanation: str
    not_before: re.Pattern[str] | None = None
    not_after: re.Pattern[str] | None = None
    role_noun: bool = False


def _rule(
    rule_id: str,
    langs: str,
    pattern: str,
    explanation: str,
    *,
    not_before: str | None = None,
    not_after: str | None = None,
    role_noun: bool = False,
) -> Rule:
    return Rule(
        id=rule_id,
        langs=frozenset(langs.split()),
        pattern=re.compile(pattern),
        explanation=explanation,
        not_before=re.compile(not_before) if not_before else None,
        not_after=re.compile(not_after) if not_after else None,
        role_noun=role_noun,
    )


# --- shared guards -----------------------------------------------------------------------------------

# "entre 20 et 30 ans d'expérience", "maximaal 10 jaar relevante ervaring": years of experience, not age.
_EXPERIENCE_AFTER = (
    r"\s*(?:d'|de\s+|of\s+)?(?:\w+\s+){0,2}"
    r"(?:experience|anciennete|pratique|carriere|ervaring|werkervaring|loopbaan|dienst|in\s+the\s+field)"
)
# "enfants de moins de 12 ans", "jongeren onder de 25 jaar", "véhicule de moins de 10 ans": the age of the
# people served or of a thing, not of the candidate. (Company age, "depuis 30 ans", "al 40 jaar", matches no
# age rule in the first place.)
_NOT_CANDIDATE_BEFORE = (
    r"(?:enfants?|eleves?|bebes?|jeunes|jongeren|kinderen|kids|children|pupils|leerlingen|patients?|"
    r"patienten|residents?|bewoners|vehicules?|voitures?|voertuigen|wagens?|vehicles?|cars?)"
    r"\s+(?:\w+\s+){0,2}$"
)
# "une équipe jeune et dynamique", "een jong en dynamisch team": describes the employer, not a criterion
# for candidates. Contested, but not a selection rule, so not flagged (precision over recall).
_EMPLOYER = (
    r"(?:equipe|team|entreprise|societe|structure|bedrijf|organisatie|organisation|company|ambiance|"
    r"environnement|omgeving|environment|sfeer|atmosphere|kantoor|bureau|firme|firm|start-?up|agence|"
    r"groupe|kmo|pme|collectief|werkomgeving)"
)
_NOT_EMPLOYER_BEFORE = _EMPLOYER + r"\s+(?:\w+\s+)?$"
# "accompagner des jeunes ...", "je begeleidt jonge mensen", "support young people": the people served.
_AUDIENCE_BEFORE = (
    r"(?:accompagn|encadr|aide|aider|soutien|soutenir|begeleid|ondersteun|coach|mentor|support|teach|"
    r"care\s+for|werken\s+met|travailler\s+avec|work\s+with)\w*\s+(?:\w+\s+)?$"
)
_NOT_EMPLOYER_AFTER = r"\s+" + _EMPLOYER + r"\b"

# --- age --------------------------------------------------------------------------------------------

_AGE_FR = r"age(?:\(e\)|e)?s?"
_OVER_18 = r"(?:19|[2-9]\d)"  # a legal minimum age (16, 18) is justified and never flagged
_X_YOUNG = "Asks for young candidates; age may not be a selection criterion unless objectively justified."

AGE_RULES: tuple[Rule, ...] = (
    _rule(
        "age.range",
        "fr",
        rf"\b(?:{_AGE_FR}\s+)?(?:de|entre)\s+\d{{2}}\s*(?:a|et|-)\s*\d{{2}}\s*ans\b",
        "Sets an age bracket for candidates.",
        not_before=_NOT_CANDIDATE_BEFORE,
        not_after=_EXPERIENCE_AFTER,
    ),
    _rule(
        "age.range",
        "nl",
        r"\b(?:tussen|van)\s+(?:de\s+)?\d{2}\s*(?:en|tot|-)\s*\d{2}\s*jaar(?:\s+oud)?\b",
        "Sets an age bracket for candidates.",
        not_before=_NOT_CANDIDATE_BEFORE,
        not_after=_EXPERIENCE_AFTER,
    ),
    _rule(
        "age.range",
        "en",
        r"\b(?:aged\s+(?:between\s+|from\s+)?\d{2}\s*(?:-|to|and)\s*\d{2}"
        r"|between\s+the\s+ages\s+of\s+\d{2}\s+and\s+\d{2}"
        r"|between\s+\d{2}\s+and\s+\d{2}\s+years\s+(?:old|of\s+age))\b",
        "Sets an age bracket for candidates.",
        not_before=_NOT_CANDIDATE_BEFORE,
    ),
    _rule(
        "age.max_years",
        "fr",
        rf"\b(?:{_AGE_FR}\s+(?:de\s+|d')?)?(?:moins\s+de|maximum|max\.?|au\s+plus|pas\s+plus\s+de)\s*"
        r"\d{2}\s*ans\b|\b\d{2}\s*ans\s+(?:maximum|max\b|au\s+plus)",
        "Sets a maximum age for candidates.",
        not_before=_NOT_CANDIDATE_BEFORE,
        not_after=_EXPERIENCE_AFTER,
    ),
    _rule(
        "age.max_years",
        "nl",
        r"\b(?:(?:maximaal|maximum|max\.?|hoogstens|onder\s+de)\s*\d{2}\s*jaar"
        r"|(?:niet\s+ouder|jonger)\s+dan\s+\d{2}(?:\s*jaar)?)(?:\s+oud)?\b",
        "Sets a maximum age for candidates.",
        not_before=_NOT_CANDIDATE_BEFORE,
        not_after=_EXPERIENCE_AFTER,
    ),
    _rule(
        "age.max_years",
        "en",
        r"\b(?:(?:younger\s+than|no\s+older\s+than|not\s+older\s+than|maximum\s+age(?:\s+of)?)\s+\d{2}"
        r"(?:\s*years?(?:\s+old|\s+of\s+age)?)?"
        # "under 30" alone is too often minutes, people or euros: ask for "years old" or a sentence end.
        r"|(?:under|below)\s+\d{2}(?:\s*(?:years?\s+(?:old|of\s+age)|y/?o)\b|(?=\s*(?:[.,;:!?)]|$))))",
        "Sets a maximum age for candidates.",
        not_before=_NOT_CANDIDATE_BEFORE,
    ),
    _rule(
        "age.min_years",
        "fr",
        rf"\b(?:{_AGE_FR}\s+(?:de\s+|d')?)?(?:minimum|min\.?|au\s+moins)\s*{_OVER_18}\s*ans\b"
        rf"|\b{_OVER_18}\s*ans\s+(?:minimum|min\b|au\s+moins|revolus)",
        "Sets a minimum age above legal majority.",
        not_after=_EXPERIENCE_AFTER,
    ),
    _rule(
        "age.min_years",
        "nl",
        rf"\b(?:(?:minimum|min\.?|minstens|minimaal|ten\s+minste)\s*{_OVER_18}\s*jaar(?:\s+oud)?"
        rf"|{_OVER_18}\s*jaar\s+of\s+ouder|ouder\s+dan\s+{_OVER_18}(?:\s*jaar)?)\b",
        "Sets a minimum age above legal majority.",
        not_after=_EXPERIENCE_AFTER,
    ),
    _rule(
        "age.min_years",
        "en",
        rf"\b(?:(?:at\s+least|minimum\s+age(?:\s+of)?|over|older\s+than)\s+{_OVER_18}\s*"
        rf"(?:years?\s+(?:old|of\s+age)|y/?o)|{_OVER_18}\s*years?\s+(?:old|of\s+age)\s+or\s+(?:older|over))\b",
        "Sets a minimum age above legal majority.",
    ),
    _rule(
        "age.limit",
        "fr nl en",
        r"\b(?:limite\s+d'age|age\s+(?:limite|maximum|max\.?)|leeftijdsgrens|maximumleeftijd|"
        r"maximum\s+leeftijd|leeftijdslimiet|age\s+limit|maximum\s+age)\b"
        # "Leeftijd: 25-35 jaar", "Âge : max. 30 ans", "Age: 25+"; "Leeftijd: 18+" is legal majority.
        r"|\b(?:leeftijd|age)\s*:\s*(?:(?:tussen|entre|between)\s*)?\d{2}\s*(?:-|a|tot|to|en|and|et)\s*\d{2}"
        r"(?:\s*(?:jaar|ans|years?))?"
        r"|\b(?:leeftijd|age)\s*:\s*(?:max\w*\.?|<|moins\s+de|onder\s+de|under)\s*\d{2}(?:\s*(?:jaar|ans|years?))?"
        rf"|\b(?:leeftijd|age)\s*:\s*(?:min\w*\.?\s*)?{_OVER_18}(?:\s*\+|\s*(?:jaar|ans|years?))?",
        "States an age limit or age requirement.",
        not_before=r"(?:pas\s+de|sans|aucune|geen|zonder|no|without)\s+(?:\w+\s+)?$",
        not_after=r"\s*(?::|de|of)?\s*(?:1[5-8])\b",
    ),
    _rule(
        "age.young",
        "fr",
        # "jeune diplômé" is about experience level (Belgian guidance tolerates it), "jeunes enfants" are
        # the people cared for: only "jeune" + a candidate noun or a personality adjective is flagged.
        # Plural "jeunes + noun" is left out: it is mostly the public served ("foyer pour jeunes filles").
        r"\bjeunes?,?\s+(?:et\s+)?(?:dynamiques?|motive(?:e|\(e\))?s?|ambitieu(?:x|se|\(se\))s?|sportif|"
        r"sportive|enthousiastes?)\b|\bjeune\s+(?:homme|femme|fille|garcon|personne|candidate?|"
        r"collaborat(?:eur|rice)|vendeu(?:r|se)|serveu(?:r|se)|commerciale?|employee?|ouvriere?|"
        r"technicienne?|profil|talent|recrue|equipiere?|stagiaire|chauffeur|magasinier|caissiere?|"
        r"cuisiniere?|coiffeu(?:r|se)|hotesse|assistante?|agent|comptable|retraitee?|gens)\b"
        # Any person noun by its ending ("jeune réceptionniste", "jeune boulangère"); a "jeune conducteur" is a
        # new driver (licence status), a "jeune restaurant" the employer.
        r"|\bjeune\s+(?!(?:conduct|restaurant|commerce|diplom|enfant|patient|public|quartier))[a-z]+(?:eur|euse|"
        r"rice|er|ere|iste|ien|ienne|aire|ante?)\b"
        r"|\b(?:vous\s+etes|tu\s+es|etre)\s+(?:\w+\s+)?jeunes?\b(?!\s+diplome)",
        _X_YOUNG,
        not_before=_NOT_EMPLOYER_BEFORE + "|" + _AUDIENCE_BEFORE,
        not_after=_NOT_EMPLOYER_AFTER,
    ),
    _rule(
        "age.young",
        "nl",
        # Any adjective may sit between "jonge" and the noun: "een jonge, vrouwelijke verkoopster".
        r"\bjonge,?\s+(?:(?:en\s+)?[a-z]+e,?\s+)?(?:kandida|"
        r"medewerk|collega|verkop|verkoop|kracht|mens|man\b|mannen|vrouw|dame|heer|talent|starter|"
        r"bediende|arbeider|chauffeur|werknemer|persoon|personen|profiel|kapper|kapster|kok|stagiair|"
        r"gast|meid|hond|wolf|wolven)\w*"
        # Any person noun by its ending ("jonge receptionist", "jonge bakker"); plurals are mostly the public.
        r"|\bjonge,?\s+(?:(?:en\s+)?[a-z]+e,?\s+)?(?!(?:bestuurder|chauffeur))[a-z]+(?:er|ster|ist|aar|eur|ier|"
        r"ling|ant|ent)\b"
        r"|\bjong\s+en\s+(?:dynamisch|gemotiveerd|enthousiast|ambitieus)e?\b|\bjong\s+talent\b"
        r"|\b(?:je\s+bent|u\s+bent|ben\s+je|bent\s+u|jij\s+bent)\s+(?:\w+\s+)?jong\b",
        _X_YOUNG,
        not_before=_NOT_EMPLOYER_BEFORE + "|" + _AUDIENCE_BEFORE,
        not_after=_NOT_EMPLOYER_AFTER,
    ),
    _rule(
        "age.young",
        "en",
        # "young professional" and "young/recent graduate" name a career stage, like "jeune diplômé".
        r"\byoung\s+(?:(?:and\s+)?(?:dynamic|energetic|motivated|ambitious|enthusiastic)\s+)?(?:person|"
        r"people|persons|candidates?|applicants?|m[ae]n|wom[ae]n|lady|ladies|girls?|boys?|guys?|"
        r"individuals?|salesperson|staff|workers?|talents?|blood)\b"
        # Any person noun by its ending ("young receptionist"); "young professional" names a career stage.
        r"|\byoung\s+(?!(?:driver|professional|company|founder))[a-z]+(?:er|ist|ant|ent|or|ian)\b"
        r"|\byoung\s+and\s+(?:dynamic|energetic|motivated|ambitious|enthusiastic)\b|\byou\s+are\s+young\b",
        _X_YOUNG,
        not_before=_NOT_EMPLOYER_BEFORE + "|" + _AUDIENCE_BEFORE,
        not_after=_NOT_EMPLOYER_AFTER,
    ),
)

# --- gender -----------------------------------------------------------------------------------------

_X_GENDER = "Selects candidates of one gender."
_X_ROLE = "Job title in one gender only, with no neutral marker such as (h/f/x) or (m/v/x)."
_PERSON_FR = r"(?:hommes?|femmes?|dames?|messieurs?|garcons?|filles?)"
_PAIR_NL = r"(?:mannelijke?|vrouwelijke?)"

GENDER_RULES: tuple[Rule, ...] = (
    _rule(
        "gender.explicit",
        "fr",
        rf"\b{_PERSON_FR}\s+(?:uniquement|seulement|exclusivement|de\s+preference|"
        r"souhaite(?:e|\(e\))?s?|preferee?s?|exigee?s?)\b"
        r"|\b(?:uniquement|seulement|exclusivement|de\s+preference|strictement)\s+(?:des\s+|une?\s+)?"
        rf"(?:{_PERSON_FR}|masculine?s?|feminine?s?)\b"
        r"|\b(?:candidat(?:e|s|es)?|profils?|personnel|sexe|personnes?)\s+(?:masculine?s?|feminine?s?)\b",
        _X_GENDER,
    ),
    _rule(
        "gender.explicit",
        "fr",
        # "un homme"/"une femme" as the person sought; "un homme de terrain", "une femme de ménage" and
        # "homme-clé" are idioms or role nouns (handled below), "un homme ou une femme" is inclusive.
        r"\b(?:un|une)\s+(?:jeune\s+)?(?:homme|femme|dame|demoiselle|fille|garcon|monsieur)\b"
        r"(?!\s*-)(?!\s+(?:de\b|d'|a\b|au\b|aux\b))",
        _X_GENDER,
        not_before=r"(?:homme|femme|dame|monsieur)\s+(?:ou|et)\s+$|" + _AUDIENCE_BEFORE,
        not_after=r"\s*(?:ou|et|/)\s*(?:une?\s+)?(?:homme|femme|dame|monsieur)",
    ),
    _rule(
        "gender.explicit",
        "nl",
        r"\b(?:man|vrouw|dame|heer|jongeman|jongedame|meisje|jongen)\s+gezocht\b"
        r"|\b(?:enkel|alleen|uitsluitend|bij\s+voorkeur|liefst)\s+(?:een\s+)?"
        r"(?:mannen|vrouwen|dames|heren|man|vrouw|dame|heer)\b(?!-)"
        r"|\b(?:mannen|vrouwen|dames|heren)\s+(?:enkel|alleen|uitsluitend)\b"
        r"|\been\s+(?:\w+\s+)?(?:dame|jongedame)\b(?!-)",
        _X_GENDER,
    ),
    _rule(
        "gender.explicit",
        "nl",
        rf"\b{_PAIR_NL}\s+(?:kandida|sollicitant|medewerk|collega|werkn|personeel|profiel|kracht|verkop|"
        r"verkoop|bediende|arbeider|chauffeur|student|stagiair|persoon|personen|verpleeg|begeleid)\w*",
        _X_GENDER,
        not_before=rf"{_PAIR_NL}\s*(?:of|en|/)\s*$",
    ),
    _rule(
        "gender.explicit",
        "nl",
        rf"\b(?:een|enkel|alleen|uitsluitend|liefst)\s+(?P<hit>{_PAIR_NL})\b",
        _X_GENDER,
        not_after=rf"\s*(?:of|en|/)\s*{_PAIR_NL}",
    ),
    _rule(
        "gender.explicit",
        "en",
        r"\b(?:male|female|men|women|man|woman)\s+only\b|\bonly\s+(?:male|female|men|women)\b"
        r"|\b(?:male|female)\s+(?:candidates?|applicants?|staff|workers?|employees?|persons?)\b"
        r"|\bmust\s+be\s+(?:a\s+)?(?:male|female|man|woman)\b",
        _X_GENDER,
    ),
    _rule(
        "gender.role_noun",
        "fr",
        # French generic masculine ("un chauffeur") is not flagged: it is the grammatical default and
        # flagging it would fire on most ads. Feminine-only titles signal a gender choice.
        r"\b(?:serveuse|vendeuse|caissiere|hotesse|coiffeuse|estheticienne|assistante|gouvernante|"
        r"nourrice|aide-soignante|infirmiere|puericultrice|institutrice|conseillere|ouvriere|repasseuse|"
        r"couturiere)s?\b|\bfemmes?\s+de\s+(?:menage|chambre|charge|salle)\b"
        r"|\bhommes?\s+a\s+tout\s+faire\b|\bdames?\s+de\s+compagnie\b|\bune\s+secretaire\b",
        _X_ROLE,
        role_noun=True,
    ),
    _rule(
        "gender.role_noun",
        "nl",
        # Dutch masculine forms ("verkoper", "vakman") are the generic form; "-ster"/"-vrouw" are not.
        r"\b(?:poetsvrouw|schoonmaakster|verkoopster|kapster|serveerster|secretaresse|kassierster|"
        r"verpleegster|huishoudster|kinderverzorgster|naaister|strijkster|werkster|gastvrouw|"
        r"\w*medewerkster|onthaalster|winkeljuffrouw)(?:s|en)?\b",
        _X_ROLE,
        role_noun=True,
    ),
    _rule(
        "gender.role_noun",
        "en",
        r"\b(?:salesm[ae]n|salesw[oa]m[ae]n|waitress(?:es)?|barm[ae]n|barmaids?|forem[ae]n|handym[ae]n|"
        r"repairm[ae]n|deliverym[ae]n|stewardess(?:es)?|hostess(?:es)?|cleaning\s+lad(?:y|ies))\b",
        _X_ROLE,
        role_noun=True,
    ),
)

# --- origin and nationality ------------------------------------------------------------------------

_X_NATIONALITY = "Requires a nationality; only lawful for a few public-authority posts - check the basis."
_X_ORIGIN = "Selects candidates on origin, ethnicity or skin colour."
_NATIONS_FR = (
    r"(?:belge|francaise|europeenne|neerlandaise|luxembourgeoise|allemande|britannique|marocaine|"
    r"turque|italienne|espagnole|portugaise|polonaise|roumaine)"
)
_ORIGINS_FR = (
    r"(?:belge|europeenne|etrangere|africaine|maghrebine|nord-africaine|subsaharienne|asiatique|arabe|"
    r"turque|marocaine|francaise|flamande|wallonne|italienne|polonaise|roumaine|non-europeenne|"
    r"extra-europeenne|immigree|ethnique|latine)"
)
_ADJ_NL = (
    r"(?:belgische|vlaamse|nederlandse|europese|buitenlandse|allochtone|autochtone|marokkaanse|turkse|"
    r"afrikaanse|aziatische|etnische|westerse|niet-westerse|niet-europese|arabische|poolse|franse|"
    r"duitse|italiaanse|spaanse|roemeense)"
)
# "fromages d'origine belge", "type européen" plugs: the origin of goods, not of people.
_GOODS_BEFORE = (
    r"(?:produits?|fromages?|viandes?|marchandises?|ingredients?|vins?|bieres?|matieres?|bois|fruits?|"
    r"legumes?|articles?|prises?|fiches?|format|normes?|palettes?|modeles?|producten|goods|products)"
    r"\s+(?:\w+\s+)?(?:d'|de\s+)?$"
)

ORIGIN_RULES: tuple[Rule, ...] = (
    _rule(
        "origin.nationality",
        "fr",
        rf"\bnationalite\s+{_NATIONS_FR}\b|\bnationalite\s*:\s*(?!indiff|toutes|peu\s|sans\b)\w+"
        r"|\b(?:belges?|europeens?)\s+(?:uniquement|seulement|exclusivement)\b"
        r"|\b(?:uniquement|seulement|exclusivement)\s+(?:des\s+)?(?:belges?|europeens?)\b"
        r"|\bressortissants?\s+(?:belges?|europeens?|de\s+l'ue|de\s+l'union\s+europeenne)\b",
        _X_NATIONALITY,
    ),
    _rule(
        "origin.nationality",
        "nl",
        r"\b(?:belgische|nederlandse|europese|franse|duitse|marokkaanse|turkse|poolse|eu-?)\s*"
        r"nationaliteit\b|\bnationaliteit\s*:\s*(?!niet\b|geen\b|alle\b|om\s)\w+"
        r"|\b(?:enkel|alleen|uitsluitend)\s+(?:belgen|nederlanders|vlamingen|europeanen)\b"
        r"|\b(?:belgen|nederlanders|vlamingen)\s+(?:enkel|alleen|uitsluitend)\b",
        _X_NATIONALITY,
    ),
    _rule(
        "origin.nationality",
        "en",
        r"\b(?:belgian|french|dutch|british|european|eu|us|american)\s+(?:nationals?|citizens?|"
        r"citizenship|nationality|passport\s+holders?)(?:\s+only)?\b"
        r"|\bnationality\s*:\s*(?!any\b|all\b|not\b|irrelevant)\w+",
        _X_NATIONALITY,
    ),
    _rule(
        "origin.ethnic",
        "fr",
        rf"\borigine\s+{_ORIGINS_FR}\b"
        r"|\btype\s+(?:europeen|africain|asiatique|nordique|caucasien|mediterraneen|maghrebin|arabe)\w*"
        r"|\brace\s+(?:blanche|noire|jaune|europeenne|caucasienne)\b|\bcouleur\s+de\s+(?:la\s+)?peau\b"
        r"|\b(?:pas|aucun|sans)\s+(?:d'|de\s+)?etrangers?\b",
        _X_ORIGIN,
        not_before=_GOODS_BEFORE,
    ),
    _rule(
        "origin.ethnic",
        "nl",
        rf"\b(?:van\s+)?{_ADJ_NL}\s+(?:afkomst|origine|roots)\b|\bhuidskleur\b"
        r"|\bgeen\s+(?:buitenlanders|allochtonen|vreemdelingen|migranten)\b"
        r"|\b(?:allochto(?:on|ne|nen)|autochto(?:on|ne|nen))\b",
        _X_ORIGIN,
        # "plantes autochtones" in a gardener's ad (a French use of the word) is not about people.
        not_before=r"(?:plantes?|especes?|essences?|flore|faune|soorten|planten)\s+$",
    ),
    _rule(
        "origin.ethnic",
        "en",
        r"\b(?:ethnic|racial)\s+(?:origin|background|group|profile|type)\b|\bskin\s+colou?r\b"
        r"|\b(?:white|black|caucasian|asian|african|arab)\s+(?:candidates?|applicants?|people|persons|"
        r"staff|only)\b|\bnative\s+(?:belgians?|born)\b|\bno\s+(?:foreigners|immigrants)\b"
        r"|\b(?:european|belgian|african|asian|arab|north\s+african|western|non-western)\s+"
        r"(?:origin|descent|background|appearance)\b",
        _X_ORIGIN,
    ),
)

# --- mother tongue ----------------------------------------------------------------------------------

_X_TONGUE = "Requires a mother tongue instead of a language level (e.g. CEFR C1/C2): a proxy for origin."
# "niveau langue maternelle", "moedertaalniveau", "near-native" and "native-level" describe a proficiency
# level (C2) and are not flagged; naming the level directly is still better wording.
_LEVEL_BEFORE = r"(?:niveau|equivalent|proche)\s+(?:de\s+|d'|van\s+)?(?:la\s+|une?\s+|een\s+|de\s+)?$"
# "apprenants d'une autre langue maternelle", "cursisten met een andere moedertaal": someone else's.
_OTHERS_BEFORE = r"(?:autres?|leurs?|sa|propre|pas\s+la|andere|eigen|hun|zijn|haar|their|other)\s+$"
_LANG_FR = r"(?:francais|neerlandais|anglais|allemand|espagnol|italien|arabe|flamand)"
_LANG_FR_ADJ = r"(?:francaise|neerlandaise|anglaise|allemande|espagnole|italienne|arabe|flamande)"
_LANG_NL = r"(?:nederlands|frans|engels|duits|vlaams)"

MOTHER_TONGUE_RULES: tuple[Rule, ...] = (
    _rule(
        "mother_tongue.required",
        "fr",
        rf"\b(?:{_LANG_FR}\s+\(?)?langue\s+maternelle(?:\s+{_LANG_FR_ADJ})?\b"
        r"|\b(?:francophone|neerlandophone|anglophone|germanophone|bilingue)s?\s+(?:de\s+naissance|"
        r"natif|native|d'origine)\b|\blocut(?:eur|rice)s?\s+nati(?:f|ve)s?\b",
        _X_TONGUE,
        not_before=_LEVEL_BEFORE + "|" + _OTHERS_BEFORE,
    ),
    _rule(
        "mother_tongue.required",
        "nl",
        rf"\b(?:{_LANG_NL}\s+(?:als|is\s+(?:je|uw))\s+)?moedertaal(?:\s+{_LANG_NL})?\b"
        r"|\bmoedertaal(?:sprekers?|talige?)\b|\bmoedertalige?\b",
        _X_TONGUE,
        not_before=_LEVEL_BEFORE + "|" + _OTHERS_BEFORE,
    ),
    _rule(
        "mother_tongue.required",
        "fr nl en",
        r"\bnative\s+(?:speakers?|(?:english|french|dutch|flemish|german|spanish|italian|arabic)"
        r"(?:\s+speakers?)?)\b|\bmother\s+tongue\b",
        _X_TONGUE,
        not_before=r"near[- ]?$|" + _OTHERS_BEFORE,
    ),
)

# --- appearance -------------------------------------------------------------------------------------

_X_LOOKS = "Selects on physical appearance, which is rarely a genuine occupational requirement."
_X_PHOTO = "Asks for a photo, which reveals age, gender and origin before the interview."
_X_GROOMING = (
    "Asks for a groomed appearance: lawful only as a dress or hygiene rule of the job, never to choose candidates "
    "by how they look."
)
# Words about the body or looks ("uiterlijk", "physique", "belle", "slank") select on appearance. Grooming wording
# ("présentation soignée", "verzorgd voorkomen", "well-groomed") is flagged too, as its own rule: it is often read
# as looks, and staff check it is a dress or hygiene rule. Dress alone ("tenue correcte", "werkkledij") is not.
APPEARANCE_RULES: tuple[Rule, ...] = (
    _rule(
        "appearance.grooming",
        "fr",
        r"\b(?:presentation|apparence|allure)\s+(?:tres\s+)?(?:soignee|impeccable|irreprochable|parfaite|"
        r"agreable|elegante|nette)\b"
        r"|\b(?:bonne|excellente|parfaite)\s+presentation\b(?!\s+(?:de|des|du|d'|orale|ecrite|powerpoint))"
        r"|\btenue\s+(?:tres\s+)?(?:soignee|impeccable|irreprochable)\b",
        _X_GROOMING,
    ),
    _rule(
        "appearance.grooming",
        "nl",
        r"\b(?:(?:zeer|goed|heel)\s+)?(?:verzorgde?|representatie(?:f|ve)|nette?|keurige?)\s+"
        r"(?:voorkomen|uitstraling|presentatie)\b",
        _X_GROOMING,
    ),
    _rule(
        "appearance.grooming",
        "en",
        r"\bwell[- ]groomed\b|\b(?:smart|neat|immaculate|well[- ]groomed)\s+(?:appearance|presentation)\b"
        r"|\b(?:you\s+are|be|always)\s+well[- ]presented\b",
        _X_GROOMING,
    ),
    _rule(
        "appearance.looks",
        "fr",
        r"\bbelle\s+(?:presentation|apparence|allure|prestance)\b(?!\s+(?:de|des|du|d'))"
        r"|\b(?:physique|apparence|look)\s+(?:agreable|avenant|attrayant|attractif|soigne|plaisant|"
        r"seduisant)e?\b"
        r"|\bsilhouette\s+mince\b|\bjolies?\s+(?:filles?|femmes?|jeunes?\s+(?:filles?|femmes?)|vendeuses?|serveuses?|"
        r"hotesses?|candidates?|demoiselles?|dames?)\b|\bjolies?\s+et\s+(?:souriante|dynamique|"
        r"elegante|sympathique)s?\b|\b(?:vous\s+etes|etre|tu\s+es)\s+(?:\w+\s+(?:et\s+)?)?(?:jolie|"
        r"belle|beau|mignonne|sexy|mince)\b|\btaille\s+(?:minimum|minimale|min\.?|maximum|maximale)"
        r"(?:\s*:?\s*(?:de\s+)?(?:\d[m,.]\d{2}|\d{3})(?:\s*c?m\b)?|\b)"
        r"|\bmesurer\s+(?:au\s+moins|minimum|plus\s+de)\b"
        r"|\b(?:sans|pas\s+de|aucun)\s+(?:tatouages?|piercings?)(?:\s+(?:ni|ou)\s+(?:tatouages?|"
        r"piercings?))?(?:\s+visibles?)?\b",
        _X_LOOKS,
    ),
    _rule(
        "appearance.looks",
        "nl",
        # "uiterlijk" alone also means "at the latest" ("uiterlijk 15 maart"): only with an adjective.
        r"\b(?:(?:zeer|goed|heel|erg)\s+)?(?:verzorgde?|representatie(?:f|ve)|aantrekkelijke?|knappe?|"
        r"mooie?|slanke?)\s+uiterlijk\b"
        r"|\b(?:je\s+bent|ben\s+je|u\s+bent|bent\s+u|jij\s+bent)\s+(?:\w+\s+(?:en\s+)?)?(?:knap|mooi|"
        r"slank|aantrekkelijk)\b|\b(?:knappe|mooie|slanke|aantrekkelijke)\s+(?:dames?|jongedame|"
        r"vrouwen?|man|heer|meid|meisjes?|jongen|verkoopster|hostess|gastvrouw|kandida\w*|medewerk\w*)\b"
        r"|\bslanke?\s+(?:postuur|figuur|gebouwd)\b|\b(?:minimale?|minimum)\s+lengte\b"
        r"|\bgeen\s+(?:zichtbare\s+)?(?:tatoeages?|tattoos?|piercings?)\b",
        _X_LOOKS,
    ),
    _rule(
        "appearance.looks",
        "en",
        r"\b(?:attractive|pleasant|good|nice|pretty)\s+(?:appearance|looks|physique)\b"
        r"|\bgood[- ]looking\b|\battractive\s+(?:person|woman|man|girl|lady|candidates?|young)\b"
        r"|\bno\s+(?:visible\s+)?(?:tattoos|piercings)\b|\bminimum\s+height\b|\bslim\s+(?:build|figure)\b",
        _X_LOOKS,
    ),
    _rule(
        "appearance.photo",
        "fr",
        r"\b(?:cv|candidature|lettre)\s+(?:avec|accompagnee?\s+d'une|\+)\s+(?:une\s+)?photo\b"
        r"|\bphoto\s+(?:obligatoire|exigee|requise|indispensable|recente|en\s+pied|souhaitee)\b"
        r"|\b(?:joindre|joignez|envoyer|envoyez|ajoutez)\s+(?:\w+\s+){0,3}photo\b",
        _X_PHOTO,
    ),
    _rule(
        "appearance.photo",
        "nl",
        r"\bfoto\s+(?:verplicht|vereist|gewenst|bijvoegen|toevoegen)\b|\bpasfoto\b"
        r"|\b(?:cv|sollicitatie|brief|motivatiebrief)\s+(?:met|\+)\s+(?:een\s+)?(?:recente\s+)?foto\b"
        r"|\b(?:voeg|stuur)\s+(?:\w+\s+){0,4}foto\b(?!')",  # not "foto's van je werk" (a portfolio)
        _X_PHOTO,
    ),
    _rule(
        "appearance.photo",
        "en",
        r"\bphoto(?:graph)?\s+(?:is\s+)?(?:required|mandatory|compulsory)\b"
        r"|\b(?:cv|resume|application)\s+with\s+(?:a\s+)?(?:recent\s+)?photo(?:graph)?\b",
        _X_PHOTO,
    ),
)

# --- health -----------------------------------------------------------------------------------------

_X_HEALTH = "Selects on health or disability; state the physical tasks of the job instead."
_X_PREGNANCY = "Refers to pregnancy; selecting on pregnancy is sex discrimination."
# Physical tasks ("port de charges lourdes", "fysiek zwaar werk", "bonne condition physique") can be
# genuine requirements and are not flagged; a general health or disability condition is.
HEALTH_RULES: tuple[Rule, ...] = (
    _rule(
        "health.condition",
        "fr",
        r"\b(?:en\s+)?(?:bonne|parfaite|excellente)\s+sante\b(?!\s+(?:financiere|economique))"
        r"|\bsante\s+de\s+fer\b|\bnon[- ]handicape(?:e|\(e\))?s?\b"
        r"|\b(?:pas|aucune?|sans|ne\s+pas\s+(?:avoir|souffrir))\s+(?:de\s+|d')?(?:handicaps?|maladies?\s+"
        r"chroniques?|problemes?\s+de\s+sante|antecedents?\s+medicaux)\b"
        r"|\b(?:personnes?|candidats?|travailleurs?)\s+valides\b",
        _X_HEALTH,
        not_before=r"(?:avec\s+ou\s+|(?:entreprise|societe|groupe|secteur|marche)\s+(?:\w+\s+)?"
        r"|(?:maintenir|maintien|garder|promouvoir|promotion)\s+(?:\w+\s+){0,2})$",
    ),
    _rule(
        "health.condition",
        "nl",
        r"\b(?:in\s+)?goede\s+(?:lichamelijke\s+)?gezondheid\b"
        r"|\b(?:lichamelijk|fysiek)\s+(?:en\s+(?:geestelijk|mentaal)\s+)?gezond\b"
        r"|\b(?:je|u|jij)\s+(?:bent|moet|dient)\s+(?:\w+\s+){0,2}gezond\b(?!\s+(?:boeren)?verstand)"
        r"|\b(?:ben\s+je|bent\s+u)\s+(?:\w+\s+)?gezond\b(?!\s+(?:boeren)?verstand)"
        r"|\bgezonde\s+(?:kandida|medewerk|werknem|sollicitant|persoon|personen|mensen)\w*"
        r"|\b(?:zonder|geen)\s+(?:\w+\s+)?(?:handicap|functiebeperking|arbeidshandicap|chronische\s+"
        r"ziekte|gezondheidsproblemen|medische\s+voorgeschiedenis)\b",
        _X_HEALTH,
        not_before=r"met\s+of\s+$|(?:zorg\w*\s+voor|bevorder\w*|bewaken|behoud\w*)\s+(?:een\s+|de\s+)?$",
    ),
    _rule(
        "health.condition",
        "en",
        r"\b(?:in\s+)?(?:good|excellent|perfect)\s+(?:physical\s+)?health\b|\bable-bodied\b"
        r"|\b(?:no|without)\s+(?:any\s+)?(?:disabilit(?:y|ies)|handicaps?|medical\s+conditions?|"
        r"health\s+(?:problems|issues|conditions))\b",
        _X_HEALTH,
        not_before=r"(?:with\s+or\s+|(?:promot|support|maintain|improv)\w*\s+(?:\w+\s+)?)$",
        not_after=r"\s*(?:and|&)?\s*(?:safety|care|insurance|plan|benefits?)\b",
    ),
    _rule(
        "health.pregnancy",
        "fr",
        # "suivi des femmes enceintes" is a midwife's work: only a requirement about the candidate counts.
        r"\b(?:ne\s+pas\s+etre|pas|non)\s+enceinte\b|\bcandidates?\s+enceintes?\b"
        r"|\b(?:pas|aucune?|sans)\s+(?:de\s+|d')?(?:projet\s+de\s+)?grossesse\b",
        _X_PREGNANCY,
    ),
    _rule(
        "health.pregnancy",
        "nl",
        # "zwangere vrouwen begeleiden" is a midwife's work: only a requirement about the candidate counts.
        r"\b(?:niet|geen)\s+(?:\w+\s+)?zwanger(?:e|schap|schapswens|schapsplannen)?\b"
        r"|\bzwangerschaps(?:wens|plannen)\b"
        r"|\b(?:je\s+bent|ben\s+je|bent\s+u|u\s+bent)\s+(?:\w+\s+)?zwanger\b|\bzwangere\s+kandida\w*",
        _X_PREGNANCY,
    ),
    _rule(
        "health.pregnancy",
        "en",
        r"\b(?:not|non-)\s*pregnant\b|\b(?:no|not)\s+(?:\w+\s+)?pregnan(?:t|cy)\b"
        r"|\bpregnancy\s+(?:test|plans)\b|\b(?:are|is|be)\s+(?:not\s+)?pregnant\b"
        r"|\bpregnant\s+(?:candidates?|applicants?)\b",
        _X_PREGNANCY,
    ),
)

# --- family situation -------------------------------------------------------------------------------

_X_FAMILY = "Selects on marital status or children."
# Benefits that adapt to family life are not selection: "horaires adaptés à votre situation familiale".
_ADAPTED_BEFORE = (
    r"(?:adapte\w*|compatible\w*|concili\w*|equilibre\w*|selon|compte\s+de|fonction\s+de|respect\w*|"
    r"aangepast|afgestemd|combineer\w*|combineren|rekening\s+houdend\s+met|volgens|naargelang)"
    r"\s+(?:\w+\s+){0,3}$"
)
FAMILY_RULES: tuple[Rule, ...] = (
    _rule(
        "family.status",
        "fr",
        r"\bcelibataires?\b|\bmarie\s*\(\s*e\s*\)"
        r"|\b(?:sans|pas\s+d'|pas\s+de|aucun)\s*(?:enfants?\s+a\s+charge|enfants?|charges?\s+de\s+famille|"
        r"charges?\s+familiales?)\b|\b(?:situation\s+familiale|etat\s+civil|situation\s+matrimoniale)\b"
        r"|\b(?:vous\s+)?(?:etre|etes|soit)\s+(?:\w+\s+)?(?:marie\s*\(\s*e\s*\)|mariee?s?\b|"
        r"divorcee?s?\b|veuve?s?\b|pacsee?s?\b)",
        _X_FAMILY,
        not_before=r"avec\s+ou\s+$|" + _ADAPTED_BEFORE,
    ),
    _rule(
        "family.status",
        "nl",
        r"\bongehuwde?\b|\bvrijgezel\b|\bkinderloos\b"
        r"|\b(?:zonder|geen)\s+(?:(?:jonge|kleine|inwonende)\s+)?kinderen\b"
        r"|\b(?:gezinssituatie|gezinstoestand|burgerlijke\s+staat|familiale\s+situatie)\b"
        r"|\b(?:je\s+bent|ben\s+je|u\s+bent|bent\s+u)\s+(?:\w+\s+)?(?:alleenstaand|gehuwd|getrouwd|"
        r"single)\b",
        _X_FAMILY,
        not_before=r"met\s+of\s+$|" + _ADAPTED_BEFORE,
    ),
    _rule(
        "family.status",
        "en",
        # "single sign-on", "single point of contact": "single" only about a person.
        r"\b(?:must|should)\s+be\s+(?:single|married|unmarried)\b(?!-|\s+(?:point|source|sign|page|use|"
        r"entry|window|contact|view|platform|file|location|team|owner|person\s+of))"
        r"|\b(?:single|married|unmarried)\s+(?:candidates|applicants|persons|people|men|women|"
        r"individuals)\b|\b(?:married|unmarried)\s+(?:candidate|applicant|person|man|woman)\b|\b(?:no|without)\s+(?:young\s+)?(?:children|kids|dependants|dependents)\b"
        r"|\b(?:marital|family)\s+status\b|\bchildless\b",
        _X_FAMILY,
        not_before=r"with\s+or\s+$|" + _ADAPTED_BEFORE,
    ),
)

RULES: tuple[Rule, ...] = (
    AGE_RULES + GENDER_RULES + ORIGIN_RULES + MOTHER_TONGUE_RULES + APPEARANCE_RULES + HEALTH_RULES + FAMILY_RULES
)

__all__ = ["RULES", "Rule"]
