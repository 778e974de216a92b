"""Upgrading ESCO: a newer release (the slice with one concept replaced and one withdrawn) over stored records."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from ingestion.models import JobseekerRecord, VacancyRecord
from ingestion.schemas import JobseekerIn, VacancyIn
from matching.linking import Verdict
from skillmatch.db import make_engine
from skillmatch.esco_upgrade import EscoUpgradeError, read_replacements, upgrade_esco
from skillmatch.runtime import Runtime
from skillmatch.settings import Settings
from tests.databases import sqlite_url
from tests.esco_uris import BAKE_GOODS, CALCULATE_TAX, KNEAD_FOOD, PASTRY_MAKER, SKILL
from tests.factories import jobseeker, vacancy

KNEAD_NEW = SKILL + "00000000-1111-4222-8333-444444444444"
"""The concept that replaces KNEAD_FOOD in the newer release (same labels, new URI)."""


def _newer_release(slice_dir: Path, target: Path) -> Path:
    """The slice as a v1.2.0: KNEAD_FOOD renamed to KNEAD_NEW everywhere, CALCULATE_TAX withdrawn."""
    shutil.copytree(slice_dir, target)
    for path in target.rglob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        kept = [[cell.replace(KNEAD_FOOD, KNEAD_NEW) for cell in row] for row in rows if CALCULATE_TAX not in row]
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(kept)
        path.write_text(buf.getvalue(), encoding="utf-8")
    return target


def _data(db: object, table: object, record_id: str) -> dict[str, object]:
    with db.connect() as conn:  # type: ignore[attr-defined]
        return dict(conn.execute(select(table.c.data).where(table.c.id == record_id)).scalar_one())  # type: ignore[attr-defined]


def test_an_upgrade_follows_replaced_concepts_keeps_withdrawn_ones_as_text_and_links_everything_again(
    esco_slice_dir: Path, sqlite_slice_template: Path, slice_runtime: Runtime, tmp_path: Path
) -> None:
    shutil.copyfile(sqlite_slice_template, tmp_path / "upgrade.db")
    settings = Settings(data_dir=tmp_path / "data", database_url=sqlite_url(tmp_path, "upgrade.db"))
    # The old release's concept space is the session's (built once); the upgrade builds the new one here.
    shutil.copytree(slice_runtime.settings.data_dir / "concept_space", settings.data_dir / "concept_space")
    db = make_engine(settings.database_url)
    before = Runtime.open(settings, db=db)
    before.ingestion.store_one(JobseekerIn.model_validate(jobseeker()))
    before.ingestion.store_one(
        VacancyIn.model_validate(vacancy(required_skills=[BAKE_GOODS, KNEAD_FOOD, CALCULATE_TAX]))
    )
    assert before.save()
    old_label = before.taxonomy.label(CALCULATE_TAX, "nl").text
    # What consultants taught: one link to a concept that is replaced, one to a withdrawn one, one that stays.
    taught = {
        uri: before.linker.learn(phrase, kind, uri, Verdict.confirmed, proposed=[], actor="user:1", role="consultant")
        for phrase, kind, uri in (
            ("pétrissage à la main", "skill", KNEAD_FOOD),
            ("calcul de la TVA", "skill", CALCULATE_TAX),
            ("Ouvrier boulanger (H/F)", "occupation", PASTRY_MAKER),
        )
    }
    newer = _newer_release(esco_slice_dir, tmp_path / "esco" / "v1.2.0")
    (tmp_path / "replaced_by.csv").write_text(f"old_uri,new_uri\n{KNEAD_FOOD},{KNEAD_NEW}\n")

    report = upgrade_esco(
        settings, newer, replacements=read_replacements(tmp_path / "replaced_by.csv"), rematch={"workers": 1}, db=db
    )
    assert (report["from"], report["to"], report["status"]) == ("v1.1.1", "v1.2.0", "loaded")
    assert report["concepts_gone"] == 2 and report["followed"] == {KNEAD_FOOD: KNEAD_NEW}
    assert report["to_text"] == [CALCULATE_TAX]
    assert report["records"]["jobseeker"] == {"linked_again": 1, "uris_replaced": 1, "uris_to_text": 0}
    assert report["records"]["vacancy"] == {"linked_again": 1, "uris_replaced": 1, "uris_to_text": 1}
    assert report["indexes"]["saved"] is True
    assert report["learned_links"] == {"followed": 1, "withdrawn": 1, "keys_changed": 0}
    assert report["rematch"]["status"] == "succeeded"

    # The stored records say what the person and the employer stated, in the new release's terms.
    person = _data(db, JobseekerRecord.__table__, "J-BAKER-FR")  # type: ignore[attr-defined]
    assert [s.get("uri") for s in person["skills"]][:2] == [BAKE_GOODS, KNEAD_NEW]  # type: ignore[index]
    offer = _data(db, VacancyRecord.__table__, "V-BAKKER-NL")  # type: ignore[attr-defined]
    replaced, withdrawn = offer["required_skills"][1:]  # type: ignore[index]
    assert replaced["uri"] == KNEAD_NEW
    assert (withdrawn.get("uri"), withdrawn["text"]) == (None, old_label)  # the employer's words, linked as text

    after = Runtime.open(settings, db=db)
    assert after.taxonomy.version == "v1.2.0"
    assert set(after.report["profile_indexes"].values()) == {"reused"}  # the rebuilt indexes were saved
    # The learned links travelled: followed, undone with the withdrawn concept, kept.
    assert after.linker.learned is not None
    links = {link.id: link for link in after.linker.learned.search()}
    assert links[taught[KNEAD_FOOD].id].uri == KNEAD_NEW and links[taught[KNEAD_FOOD].id].undone_at is None
    assert links[taught[CALCULATE_TAX].id].undone_by == "esco upgrade v1.1.1 -> v1.2.0"
    assert after.linker.link("pétrissage à la main", "skill", k=1)[0].uri == KNEAD_NEW
    assert after.linker.link("OUVRIER BOULANGER", "occupation", k=1)[0].learned_link == taught[PASTRY_MAKER].id
    [match] = after.engine.candidates("V-BAKKER-NL", k=5)
    assert match.id == "J-BAKER-FR"
    again = upgrade_esco(settings, newer, db=db)  # the same release: nothing to do
    assert again["status"] == "up_to_date"
    db.dispose()


def test_an_upgrade_needs_a_loaded_release_and_replacements_need_their_columns(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=sqlite_url(tmp_path, "empty.db"))
    with pytest.raises(EscoUpgradeError, match="no ESCO release is loaded"):
        upgrade_esco(settings, tmp_path)
    (tmp_path / "bad.csv").write_text("from,to\na,b\n")
    with pytest.raises(EscoUpgradeError, match="old_uri and new_uri"):
        read_replacements(tmp_path / "bad.csv")
