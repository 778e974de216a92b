"""English (or an untranslated catalogue key) in a French or Dutch page's text: what the pages' language test
looks for.

A word is English when it is common in English (Zipf frequency at least 3, i.e. once per million words) and at
least ten times more common in English than in the page's language, by the word frequencies of ``wordfreq``
(many sources per language); terms both languages share with English (ESCO, CSV ...) are allowed. Ids, codes,
e-mail addresses and paths (anything with a digit, an underscore, a hyphen, ``@``, ``/`` or ``:``) and codes
in capitals (licence categories, CEFR levels, language codes on badges) are data, not words. A catalogue key
or an enum value shown as such (``candidate_search``, ``flag_rule_age.limit``) is found before that.
"""

from __future__ import annotations

import re

from wordfreq import zipf_frequency

ALLOWED = frozenset({"esco", "csv", "json", "token", "tokens", "skillmatch", "rbo", "gender"})
"""Shared terms: names of standards and formats, the product's name, words Dutch took from English (gender)."""
HOMOGRAPHS = {"fr": frozenset({"four"}), "nl": frozenset()}
"""Words of the page's language spelled like a more common English word: French "four" (oven), in ESCO's French
labels of bakers' skills ("utiliser un four") that the pages show."""
RAW_KEY = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?:\.[a-z_]+)?\b")
DATA = re.compile(r"\S*[\d_@/:\-]\S*|\b[A-Z]{1,5}\b")
WORD = re.compile(r"[^\W\d_]+")


def raw_keys(text: str) -> list[str]:
    """Catalogue keys or enum values shown as they are (``snake_case`` words)."""
    return sorted(set(RAW_KEY.findall(text)))


def english_words(text: str, lang: str) -> list[str]:
    """The words of a French or Dutch text that are English (see the module's note), each once, sorted.

    Args:
        text: the page's text (elements marked with another ``lang`` left out by the caller).
        lang: ``fr`` or ``nl``.
    """
    found = set()
    for word in WORD.findall(DATA.sub(" ", text)):
        w = word.lower()
        if len(w) < 2 or w in ALLOWED or w in HOMOGRAPHS.get(lang, ()):
            continue
        en = zipf_frequency(w, "en")
        if en >= 3.0 and en - zipf_frequency(w, lang) >= 1.0:
            found.add(w)
    return sorted(found)


PAGE_TEXT = """() => {
  const lang = document.documentElement.lang;
  const foreign = el => { const m = el.closest('[lang]'); return m && m.getAttribute('lang') !== lang; };
  const out = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('script,style') || foreign(el)) continue;
    out.push(n.textContent);
  }
  for (const el of document.querySelectorAll('[title],[aria-label],[placeholder],[alt],[data-confirm]')) {
    if (foreign(el)) continue;
    for (const a of ['title', 'aria-label', 'placeholder', 'alt', 'data-confirm']) {
      if (el.getAttribute(a)) out.push(el.getAttribute(a));
    }
  }
  return out.join('\\n');
}"""
"""JavaScript for Playwright's ``page.evaluate``: the text a reader meets (text, titles, labels, placeholders,
confirmations), without elements marked as being in another language."""

__all__ = ["ALLOWED", "HOMOGRAPHS", "PAGE_TEXT", "english_words", "raw_keys"]
