"""Names in a text: organisations, ministries and places are not skills ("SPF Santé publique" is a ministry, not the
skill "santé publique"; "Saint-Quentin-en-Yvelines" is a place).

A phrase is read as a name when

- it holds an acronym (two letters or more, all capitals: "SPF", "CPAS", "VDAB") that is no word of a skill label,
  at its start or before a capitalised word;
- its first word is a kind of organisation (a ministry, a public service, a municipality, an agency, a company
  form: "Ministère de ...", "Gemeente ...", "ASBL ...");
- or all its words are capitalised and none is a word of a skill label (a place, a person's or a company's name).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from esco_data import normalize_label

_WORD = re.compile(r"[^\W\d_](?:[^\W_]|[.'’-](?=[^\W\d_]))*", re.UNICODE)
_ACRONYM = re.compile(r"^(?:[A-Z]{2,6}|(?:[A-Z]\.){2,6})$")
ORGANISATION_NOUNS = frozenset(
    "ministere ministerie ministry gouvernement regering government parlement parliament commune gemeente "
    "municipality province provincie gewest agence agentschap agency overheidsdienst spf fod spw cpas ocmw asbl "
    "vzw sprl bvba srl nv sa bv societe vennootschap fondation stichting foundation".split()
)
"""First words that make a phrase an organisation's name (normalised)."""


def is_name(text: str, known: Callable[[str], bool]) -> bool:
    """Whether a phrase is the name of an organisation or a place (module docstring), not a skill.

    Args:
        text: the phrase as written (case kept).
        known: whether a normalised word is a word of some skill label.
    """
    words = _WORD.findall(text)
    if not words:
        return False
    first = normalize_label(words[0])
    if first in ORGANISATION_NOUNS and (len(words) > 1 or words[0][:1].isupper()):
        return True
    for i, word in enumerate(words):
        if _ACRONYM.match(word) and not known(normalize_label(word)):
            after = words[i + 1] if i + 1 < len(words) else ""
            if i == 0 or after[:1].isupper():
                return True
    content = [w for w in words if len(w) > 2]
    return (
        bool(content)
        and all(w[:1].isupper() for w in content)
        and not any(known(part) for w in content for part in normalize_label(w).split())
    )


__all__ = ["ORGANISATION_NOUNS", "is_name"]
