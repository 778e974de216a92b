"""Parsing the CSV files of an ESCO release into plain Python data, validating as it goes."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from tqdm import tqdm

from esco_data.errors import EscoFormatError
from esco_data.models import ConceptKind, LabelType, Relation
from esco_data.source import EscoSource, SourceFile

_CONCEPT_KIND = {
    "skills": ConceptKind.skill,
    "occupations": ConceptKind.occupation,
    "isco_groups": ConceptKind.isco_group,
    "skill_groups": ConceptKind.skill_group,
}
_RELATIONS = {r.value for r in Relation}


@dataclass
class ConceptRow:
    """The language-independent attributes of a concept."""

    uri: str
    kind: ConceptKind
    code: str | None = None
    isco_code: str | None = None
    skill_type: str | None = None
    reuse_level: str | None = None
    status: str | None = None


@dataclass
class TaxonomyData:
    """Everything parsed from one release, ready to be stored."""

    version: str
    checksum: str
    source: str
    languages: list[str]
    concepts: dict[str, ConceptRow] = field(default_factory=dict)
    labels: dict[tuple[str, str, str], LabelType] = field(default_factory=dict)
    """(uri, lang, text) -> the most authoritative type the label has."""
    descriptions: dict[tuple[str, str], str] = field(default_factory=dict)
    occupation_skills: dict[tuple[str, str], Relation] = field(default_factory=dict)
    skill_skills: dict[tuple[str, str], Relation] = field(default_factory=dict)
    broader: set[tuple[str, str]] = field(default_factory=set)
    collections: set[tuple[str, str]] = field(default_factory=set)
    skipped: Counter[str] = field(default_factory=Counter)
    """Rows skipped because they reference a concept that no file defines, by relation kind."""

    def counts(self) -> dict[str, int]:
        """Counts of what was parsed: concepts by kind, relations, and skills labelled per language."""
        by_kind = Counter(c.kind.value for c in self.concepts.values())
        counts = {
            "skills": by_kind["skill"],
            "occupations": by_kind["occupation"],
            "isco_groups": by_kind["isco_group"],
            "skill_groups": by_kind["skill_group"],
            "labels": len(self.labels),
            "occupation_skill_relations": len(self.occupation_skills),
            "skill_skill_relations": len(self.skill_skills),
            "broader_relations": len(self.broader),
            "collection_memberships": len(self.collections),
        }
        for lang in self.languages:
            counts[f"skills_labelled_{lang}"] = len(
                {
                    uri
                    for (uri, label_lang, _), kind in self.labels.items()
                    if label_lang == lang
                    and kind is LabelType.preferred
                    and self.concepts[uri].kind is ConceptKind.skill
                }
            )
        return counts


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _multi(cell: str | None) -> list[str]:
    """Split a multi-valued cell (newline-separated; ``|`` in collection files)."""
    values = (cell or "").replace("|", "\n").split("\n")
    return [v for v in (_clean(v) for v in values) if v]


def read_rows(file: SourceFile, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield the data rows of a CSV file with the line on which each starts.

    Args:
        file: the file.
        required: columns that must be in the header.

    Yields:
        (line number, row as column -> value).

    Raises:
        EscoFormatError: the file is not UTF-8, lacks a required column, has a row with the wrong number
            of fields, or has broken CSV quoting.
    """
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EscoFormatError(file.name, None, f"not UTF-8 text (byte {exc.start}: {exc.reason})") from exc
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    end = 0
    try:
        header = next(reader, None)
        if header is None:
            raise EscoFormatError(file.name, 1, "the file is empty (no header row)")
        header = [h.strip() for h in header]
        missing = [c for c in required if c not in header]
        if missing:
            raise EscoFormatError(
                file.name, 1, f"missing column(s) {', '.join(missing)}; the header has: {', '.join(header)}"
            )
        end = reader.line_num
        for record in reader:
            start, end = end + 1, reader.line_num
            if not record or record == [""]:
                continue
            if len(record) != len(header):
                raise EscoFormatError(
                    file.name, start, f"expected {len(header)} fields as in the header, found {len(record)}"
                )
            yield start, dict(zip(header, record, strict=True))
    except csv.Error as exc:
        raise EscoFormatError(file.name, end + 1, f"broken CSV: {exc}") from exc


def _uri(file: SourceFile, line: int, row: dict[str, str], column: str) -> str:
    value = row[column].strip()
    if not value.startswith(("http://", "https://")):
        shown = value if value else "an empty value"
        raise EscoFormatError(file.name, line, f"column {column} must hold a concept URI, found {shown!r}")
    return value


def _relation(file: SourceFile, line: int, value: str) -> Relation:
    value = value.strip()
    if value not in _RELATIONS:
        raise EscoFormatError(file.name, line, f"relationType must be essential or optional, found {value!r}")
    return Relation(value)


def _read_concepts(data: TaxonomyData, kind_name: str, lang: str, file: SourceFile) -> None:
    kind = _CONCEPT_KIND[kind_name]
    for line, row in read_rows(file, ("conceptUri", "preferredLabel")):
        uri = _uri(file, line, row, "conceptUri")
        concept = data.concepts.get(uri)
        if concept is None:
            concept = data.concepts[uri] = ConceptRow(uri=uri, kind=kind)
        elif concept.kind is not kind:
            raise EscoFormatError(file.name, line, f"{uri} is already defined as a {concept.kind.value}")
        # Attributes are language-independent: the first non-empty value wins.
        concept.code = concept.code or _clean(row.get("code")) or None
        concept.isco_code = concept.isco_code or _clean(row.get("iscoGroup")) or None
        concept.skill_type = concept.skill_type or _clean(row.get("skillType")) or None
        concept.reuse_level = concept.reuse_level or _clean(row.get("reuseLevel")) or None
        concept.status = concept.status or _clean(row.get("status")) or None
        labelled = [
            (LabelType.preferred, [_clean(row["preferredLabel"])]),
            (LabelType.alternative, _multi(row.get("altLabels"))),
            (LabelType.hidden, _multi(row.get("hiddenLabels"))),
        ]
        for label_type, texts in labelled:
            for text in texts:
                if text:
                    data.labels.setdefault((uri, lang, text), label_type)
        description = _clean(row.get("description")) or _clean(row.get("definition"))
        if description:
            data.descriptions[(uri, lang)] = description


def parse_source(source: EscoSource, *, checksum: str | None = None, progress: bool = False) -> TaxonomyData:
    """Parse every file of a release.

    Rows of relation or collection files that reference a concept that no concept file defines are
    skipped and counted in ``TaxonomyData.skipped`` (the official data has a few).

    Args:
        source: the release's files.
        checksum: the source checksum, when already computed.
        progress: show a progress bar on standard error.

    Returns:
        The parsed taxonomy.

    Raises:
        EscoFormatError: a file is malformed (names the file, the line and the problem).
    """
    data = TaxonomyData(
        version=source.version,
        checksum=checksum or source.checksum(),
        source=str(source.path),
        languages=source.languages,
    )
    files = source.all_files()
    with tqdm(total=len(files), desc="reading ESCO", unit="file", disable=not progress) as bar:
        # Concepts first, English first, so that relations can be checked against them.
        for kind_name in ("isco_groups", "skill_groups", "occupations", "skills"):
            by_lang = source.concept_files.get(kind_name, {})
            for lang in sorted(by_lang, key=lambda lang: (lang != "en", lang)):
                _read_concepts(data, kind_name, lang, by_lang[lang])
                bar.update()
        _read_relations(data, source, bar)
    return data


def _read_relations(data: TaxonomyData, source: EscoSource, bar: tqdm) -> None:
    concepts = data.concepts

    def known(uri: str, *kinds: ConceptKind) -> bool:
        concept = concepts.get(uri)
        return concept is not None and concept.kind in kinds

    occupation, skill = ConceptKind.occupation, ConceptKind.skill
    if file := source.relation_files.get("occupation_skill"):
        for line, row in read_rows(file, ("occupationUri", "relationType", "skillUri")):
            occ, sk = _uri(file, line, row, "occupationUri"), _uri(file, line, row, "skillUri")
            relation = _relation(file, line, row["relationType"])
            if known(occ, occupation) and known(sk, skill):
                data.occupation_skills[(occ, sk)] = relation
            else:
                data.skipped["occupation_skill_relations"] += 1
        bar.update()
    if file := source.relation_files.get("skill_skill"):
        for line, row in read_rows(file, ("originalSkillUri", "relationType", "relatedSkillUri")):
            a, b = _uri(file, line, row, "originalSkillUri"), _uri(file, line, row, "relatedSkillUri")
            relation = _relation(file, line, row["relationType"])
            if known(a, skill) and known(b, skill):
                data.skill_skills[(a, b)] = relation
            else:
                data.skipped["skill_skill_relations"] += 1
        bar.update()
    for kind_name in ("broader_occupation", "broader_skill"):
        if file := source.relation_files.get(kind_name):
            for line, row in read_rows(file, ("conceptUri", "broaderUri")):
                child, parent = _uri(file, line, row, "conceptUri"), _uri(file, line, row, "broaderUri")
                if child in concepts and parent in concepts:
                    data.broader.add((child, parent))
                else:
                    data.skipped["broader_relations"] += 1
            bar.update()
    # Each language's file of a collection lists the same members: count a dangling member once.
    dangling: set[tuple[str, str]] = set()
    for name, files in sorted(source.collection_files.items()):
        for file in files:
            for line, row in read_rows(file, ("conceptUri",)):
                uri = _uri(file, line, row, "conceptUri")
                if uri in concepts:
                    data.collections.add((uri, name))
                else:
                    dangling.add((uri, name))
            bar.update()
    if dangling:
        data.skipped["collection_memberships"] = len(dangling)


__all__ = ["ConceptRow", "TaxonomyData", "parse_source", "read_rows"]
