"""One home per rule: an accent fold, the list of supported languages, a default language, the licence list,
a dialect's upsert and the gender markers each live in one module of the product; this test reads every module
and fails on a copy.

Each rule is a pattern of the source and the one module allowed to hold it. ``test_the_check_can_fail`` shows
that each pattern finds the copies it is there to find.
"""

from __future__ import annotations

import ast
import functools
import io
import re
import textwrap
import tokenize

import pytest

from esco_data import DEFAULT_LANGUAGE, LANGUAGES
from matching.ranking import LICENCES
from matching.space import LANG_CODES
from skillmatch.settings import REPO_ROOT, Settings
from tests.test_imports import PACKAGES

_CODE = r'"(?:fr|nl|en)"'
RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "accent fold": (re.compile(r"unicodedata\.combining|normalize\(\s*\"NFK?D\""), "esco_data/normalize.py"),
    "supported languages": (
        re.compile(rf"[\(\[\{{]\s*{_CODE}\s*,\s*{_CODE}\s*,\s*{_CODE}\s*,?\s*[\)\]\}}]|^\s*fr\s*=\s*\"fr\"", re.M),
        "esco_data/languages.py",
    ),
    "default language": (
        re.compile(
            rf"\bor\s+{_CODE}|\belse\s+{_CODE}|\.get\([^()\n]*,\s*{_CODE}\)|:\s*str\s*=\s*{_CODE}|\]\s*=\s*{_CODE}"
        ),
        "esco_data/languages.py",
    ),
    "driving licences": (re.compile(r"\bC1E\b"), "matching/ranking/licences.py"),
    "gender markers and forms": (
        re.compile(r"\[[hfmvwxd]{6,7}\]|def _?match_case\(|\(\s*\"euse\"\s*,"),
        "matching/linking/gender.py",
    ),
    "upsert": (
        re.compile(r"on_conflict_do_update|on_conflict_do_nothing|dialects\.(?:postgresql|sqlite) import insert"),
        "matching/upsert.py",
    ),
}
"""Rule -> (the pattern of its copies, its one home)."""


def _code(text: str) -> str:
    """A module's source with its docstrings and comments blanked (prose may name what code must not hold)."""
    lines = text.splitlines(keepends=True)
    spans = [
        (node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or 0)
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    ]
    spans += [
        (token.start[0], token.start[1], token.end[0], token.end[1])
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type == tokenize.COMMENT
    ]
    for first, start, last, end in spans:
        for number in range(first, last + 1):
            line = lines[number - 1]
            a = start if number == first else 0
            b = end if number == last else len(line.rstrip("\n"))
            lines[number - 1] = line[:a] + " " * (b - a) + line[b:]
    return "".join(lines)


@functools.cache
def _sources() -> dict[str, str]:
    """Every module's code, read once for all the rules (a few seconds)."""
    return {
        path.relative_to(REPO_ROOT).as_posix(): _code(path.read_text(encoding="utf-8"))
        for package in PACKAGES
        for path in sorted((REPO_ROOT / package).rglob("*.py"))
    }


def _copies(sources: dict[str, str], pattern: re.Pattern[str], home: str) -> list[str]:
    return [
        f"{name}:{text.count(chr(10), 0, match.start()) + 1}: {match.group().strip()}"
        for name, text in sources.items()
        if name != home
        for match in pattern.finditer(text)
    ]


@pytest.mark.parametrize("rule", sorted(RULES))
def test_one_home_per_rule(rule: str) -> None:
    pattern, home = RULES[rule]
    sources = _sources()
    assert pattern.search(sources[home]) or rule == "default language", f"{home} no longer holds the {rule}"
    assert _copies(sources, pattern, home) == []


@pytest.mark.parametrize(
    ("rule", "copy"),
    [
        ("accent fold", "keep = [c for c in text if not unicodedata.combining(c)]"),
        ("accent fold", 'decomposed = unicodedata.normalize("NFKD", text)'),
        ("supported languages", 'LANGS = ("fr", "nl", "en")'),
        ("supported languages", 'SUPPORTED = frozenset({"en", "fr", "nl"})'),
        ("supported languages", 'class Language(StrEnum):\n    fr = "fr"\n'),
        ("default language", 'lang = record.get("language") or "fr"'),
        ("default language", 'lang = lang if lang in LANGUAGES else "fr"'),
        ("default language", 'lang = data.get("lang", "nl")'),
        ("default language", '    lang: str = "fr"'),
        ("default language", '    lang: Annotated[str, typer.Option(help="Language.")] = "fr",'),
        ("driving licences", 'LICENCES = ("AM", "B", "C1E")'),
        ("gender markers and forms", 'BARE = re.compile(r"[hmfvwxd](?:/[hmfvwxd]){1,3}")'),
        ("gender markers and forms", "def _match_case(word: str, like: str) -> str:\n    return word"),
        ("gender markers and forms", '_FEMININE = (("euse", "eur"), ("ere", "er"))'),
        ("upsert", "stmt = stmt.on_conflict_do_update(index_elements=['id'], set_=cols)"),
        ("upsert", "from sqlalchemy.dialects.postgresql import insert as pg_insert"),
    ],
)
def test_the_check_can_fail(rule: str, copy: str) -> None:
    pattern, home = RULES[rule]
    assert _copies({"matching/probe.py": _code(textwrap.dedent(copy))}, pattern, home) != []


def test_prose_is_not_code() -> None:
    text = '"""Rules of "fr" or "en" texts."""\nx = 1  # ("fr", "nl", "en")\ny = "fr" or "en"\n'
    assert [line.rstrip() for line in _code(text).split("\n")[:2]] == ["", "x = 1"]
    assert _copies({"a.py": _code(text)}, RULES["default language"][0], "home.py") == ['a.py:3: or "en"']


def test_the_languages_are_read_from_their_home() -> None:
    assert set(LANG_CODES) == set(LANGUAGES)  # the concept space's stored codes cover every language
    assert Settings().default_language == DEFAULT_LANGUAGE in LANGUAGES
    assert LICENCES[:2] == ("AM", "A1") and len(set(LICENCES)) == len(LICENCES)
