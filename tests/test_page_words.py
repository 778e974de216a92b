"""The pages' catalogue and formats: both languages hold the same words, every code a page shows has its words
(screen rules and categories, audit actions, roles, contracts, working times, statuses), numbers and dates are
written the reader's way."""

from __future__ import annotations

from datetime import datetime

import pytest

from api.audit import AuditAction
from api.auth import Role
from api.shortlist import ShortlistStatus
from api.ui.formats import day, km, moment, number, short
from api.ui.i18n import MESSAGES, translator
from ingestion.schemas import ContractType, WorkingTime
from ingestion.screen import ScreenCategory
from ingestion.screen_rules import RULES

CODES = (
    [f"flag_rule_{rule.id}" for rule in RULES]
    + [f"flag_category_{c.value}" for c in ScreenCategory]
    + [f"action_{a.value}" for a in AuditAction]
    + [f"role_{r.value}" for r in Role]
    + [f"status_{s.value}" for s in ShortlistStatus]
    + [f"contract_{c.value}" for c in ContractType]
    + [f"working_time_{w.value}" for w in WorkingTime]
)


def test_both_languages_hold_the_same_words() -> None:
    assert set(MESSAGES["fr"]) == set(MESSAGES["nl"])
    assert all(value.strip() for words in MESSAGES.values() for value in words.values())


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_every_code_a_page_shows_has_its_words(lang: str) -> None:
    words = MESSAGES[lang]
    assert [key for key in CODES if key not in words] == []


def test_a_missing_word_shows_as_its_key_never_as_nothing() -> None:
    assert translator("nl")["no_such_word"] == "no_such_word"


def test_numbers_and_dates_the_readers_way() -> None:
    assert number(1234.5, "fr", 1) == "1\u202f234,5" and number(1234.5, "nl", 1) == "1.234,5"
    assert short(4.0, "fr") == "4" and short(2.5, "nl") == "2,5"
    assert km(9.0, "fr") == "9\u00a0km" and km(2.46, "nl") == "2,5\u00a0km" and km(12.4, "fr") == "12\u00a0km"
    when = datetime(2026, 12, 5, 23, 24)
    assert day(when, "fr") == "5\u00a0déc. 2026" and day("2026-03-01", "nl") == "1\u00a0mrt. 2026"
    assert moment(when, "nl") == "5\u00a0dec. 2026, 23:24"
