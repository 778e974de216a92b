"""Batch readers: one RawRecord per line or row, the right line number, and never an exception on bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingestion.readers import MAX_LINE, RawRecord, read_csv, read_file, read_jsonl
from tests.esco_uris import BAKE_GOODS, KNEAD_FOOD
from tests.factories import jobseeker, jsonl

# -- JSON Lines --------------------------------------------------------------------------------------------


def test_jsonl_reads_objects_with_their_line_numbers() -> None:
    first, second = jobseeker(id="J1"), jobseeker(id="J2")
    text = json.dumps(first) + "\n\n   \n" + json.dumps(second) + "\r\n"
    assert list(read_jsonl(text)) == [
        RawRecord(1, json.dumps(first), first),
        RawRecord(4, json.dumps(second), second),
    ]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ('{"id": "J1", "skills": [}', "invalid JSON: Expecting value at column 25"),
        ('{"id": "J1" "skills": []}', "invalid JSON: Expecting ',' delimiter at column 13"),
        ("{'id': 'J1'}", "invalid JSON: Expecting property name enclosed in double quotes at column 2"),
        ('{"id": "J1"} trailing', "invalid JSON: Extra data at column 14"),
        ("[" * 100_000, "invalid JSON: too deeply nested"),
    ],
)
def test_jsonl_invalid_json_is_a_record_with_the_reason(line: str, error: str) -> None:
    assert list(read_jsonl(line)) == [RawRecord(1, line, None, error)]


@pytest.mark.parametrize(
    ("line", "kind"),
    [('"J1"', "str"), ("[1, 2]", "list"), ("42", "int"), ("4.2", "float"), ("true", "bool")],
)
def test_jsonl_line_that_is_not_an_object(line: str, kind: str) -> None:
    assert list(read_jsonl(line)) == [RawRecord(1, line, None, f"a record must be a JSON object, not {kind}")]


def test_jsonl_bad_line_does_not_stop_the_file() -> None:
    text = '{"id": "J1"}\n{"id": \n{"id": "J3"}\n'
    records = list(read_jsonl(text))
    assert [(r.line, r.data, r.error) for r in records] == [
        (1, {"id": "J1"}, None),
        (2, None, "invalid JSON: Expecting value at column 7"),
        (3, {"id": "J3"}, None),
    ]


def test_jsonl_line_too_long_is_not_parsed() -> None:
    line = '{"summary": "' + "x" * MAX_LINE + '"}'
    [record] = read_jsonl(line)
    assert record == RawRecord(1, line[:1000], None, "line is longer than 1,000,000 characters")


def test_jsonl_surrounding_whitespace_is_stripped_from_raw() -> None:
    assert list(read_jsonl('   {"id": "J1"}\t\n')) == [RawRecord(1, '{"id": "J1"}', {"id": "J1"})]


def test_jsonl_huge_integer_is_a_bad_line_not_a_crash() -> None:
    line = '{"id": "J1", "education_level": 1' + "0" * 5000 + "}"
    [record] = read_jsonl(line + "\n")
    assert record.data is None
    assert record.error is not None and record.error.startswith("invalid JSON: ")


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_jsonl_unicode_line_separator_inside_a_string_stays_in_its_line(separator: str) -> None:
    record = jobseeker(id="J1", summary=f"boulanger{separator}pâtissier")
    text = jsonl([record, jobseeker(id="J2")])
    assert [(r.line, r.data) for r in read_jsonl(text)] == [(1, record), (2, jobseeker(id="J2"))]


def test_jsonl_unterminated_string_reason_reads_well() -> None:
    [record] = read_jsonl('{"id": "J1')
    assert record.error == "invalid JSON: Unterminated string starting at column 8"


# -- CSV ---------------------------------------------------------------------------------------------------


def test_csv_conventions() -> None:
    text = (
        "id,skills,languages,experiences,driving_licences,active,travel,postcode\n"
        f"J1,pétrir la pâte; {BAKE_GOODS} ;,fr:C2; nl : B1,Boulanger:6; Chef: cuisine; Vendeur:2.5,b; C1E,Oui,"
        '"{""regions"": [""brussels""], ""max_km"": 20}",1000\n'
    )
    [record] = read_csv(text)
    assert record.error is None
    assert record.line == 2
    assert record.data == {
        "id": "J1",
        "skills": ["pétrir la pâte", BAKE_GOODS],
        "languages": {"fr": "C2", "nl": "B1"},
        "experiences": [
            {"title": "Boulanger", "years": 6.0},
            {"title": "Chef: cuisine"},
            {"title": "Vendeur", "years": 2.5},
        ],
        "driving_licences": ["b", "C1E"],
        "active": True,
        "travel": {"regions": ["brussels"], "max_km": 20},
        "postcode": "1000",
    }


def test_csv_json_list_cell() -> None:
    text = f'id,skills\nJ1,"[{{""uri"": ""{KNEAD_FOOD}"", ""level"": ""expert""}}, ""pétrir""]"\n'
    [record] = read_csv(text)
    assert record.data == {"id": "J1", "skills": [{"uri": KNEAD_FOOD, "level": "expert"}, "pétrir"]}


@pytest.mark.parametrize(
    ("cell", "value"),
    [("true", True), ("YES", True), ("1", True), ("ja", True), ("false", False), ("Non", False), ("0", False)],
)
def test_csv_booleans(cell: str, value: bool) -> None:
    [record] = read_csv(f"id,active\nJ1,{cell}\n")
    assert record.data == {"id": "J1", "active": value}


def test_csv_unknown_boolean_is_left_for_the_schema_to_reject() -> None:
    [record] = read_csv("id,active\nJ1,maybe\n")
    assert record.data == {"id": "J1", "active": "maybe"}


def test_csv_empty_cell_is_an_absent_field_and_blank_rows_are_skipped() -> None:
    records = list(read_csv("id,summary,postcode\nJ1,,1000\n,,\n\nJ2, ,\n"))
    assert [(r.line, r.data) for r in records] == [(2, {"id": "J1", "postcode": "1000"}), (5, {"id": "J2"})]


def test_csv_semicolon_delimited_file() -> None:
    text = "id;skills;languages;postcode\nJ1;pétrir, façonner;fr:C1;1000\nJ2;cuire;nl:B2;9000\n"
    assert [(r.line, r.data) for r in read_csv(text)] == [
        (2, {"id": "J1", "skills": ["pétrir, façonner"], "languages": {"fr": "C1"}, "postcode": "1000"}),
        (3, {"id": "J2", "skills": ["cuire"], "languages": {"nl": "B2"}, "postcode": "9000"}),
    ]


def test_csv_quoted_multiline_cell_reports_the_line_where_the_row_starts() -> None:
    text = 'id,summary\nJ1,"Boulanger depuis 2015.\nPâtissier aussi.\n\nCherche un CDI."\nJ2,Vendeur\n\nJ3,Cuisinier\n'
    assert [(r.line, r.data) for r in read_csv(text)] == [
        (2, {"id": "J1", "summary": "Boulanger depuis 2015.\nPâtissier aussi.\n\nCherche un CDI."}),
        (6, {"id": "J2", "summary": "Vendeur"}),
        (8, {"id": "J3", "summary": "Cuisinier"}),
    ]


def test_csv_wrong_cell_count() -> None:
    records = list(read_csv("id,summary\nJ1,boulanger,pâtissier\nJ2\nJ3,ok\n"))
    assert records == [
        RawRecord(
            2,
            '{"id": "J1", "summary": "boulanger"}',
            None,
            "expected 2 cells as in the header, found 3",
        ),
        RawRecord(3, '{"id": "J2"}', None, "expected 2 cells as in the header, found 1"),
        RawRecord(4, '{"id": "J3", "summary": "ok"}', {"id": "J3", "summary": "ok"}),
    ]


@pytest.mark.parametrize(
    ("header", "cell", "error"),
    [
        ("skills", "[oops", "column skills: Expecting value"),
        ("languages", "fr", "column languages: languages: expected language:level, found 'fr'"),
        (
            "language_requirements",
            "nl:B1; fr",
            "column language_requirements: language_requirements: expected language:level, found 'fr'",
        ),
    ],
)
def test_csv_bad_cell_names_its_column(header: str, cell: str, error: str) -> None:
    [record] = read_csv(f"id,{header}\nJ1,{cell}\n")
    assert (record.line, record.data, record.error) == (2, None, error)


def test_csv_field_over_the_csv_limit_is_a_bad_row_not_a_crash() -> None:
    records = list(read_csv("id,summary\nJ1," + "x" * 200_000 + "\nJ2,ok\n"))
    assert [(r.line, r.data, r.error) for r in records] == [
        (2, None, "broken CSV: field larger than field limit (131072)"),
        (3, {"id": "J2", "summary": "ok"}, None),
    ]


@pytest.mark.parametrize("text", ["", "id,skills\n", "id,skills"])
def test_csv_without_data_rows_yields_nothing(text: str) -> None:
    assert list(read_csv(text)) == []


def test_csv_comma_file_with_semicolon_lists_is_read_as_comma_separated() -> None:
    text = "id,skills,languages\nJ1,pétrir; cuire; façonner; décorer; vendre,fr:C1; nl:B2\n"
    [record] = read_csv(text)
    assert record.data == {
        "id": "J1",
        "skills": ["pétrir", "cuire", "façonner", "décorer", "vendre"],
        "languages": {"fr": "C1", "nl": "B2"},
    }


# -- files -------------------------------------------------------------------------------------------------


def test_read_file_by_extension_with_byte_order_mark(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('\ufeff{"id": "J1"}\n', encoding="utf-8")
    (tmp_path / "b.CSV").write_text("\ufeffid,postcode\nJ2,1000\n", encoding="utf-8")
    assert [r.data for r in read_file(tmp_path / "a.jsonl")] == [{"id": "J1"}]
    assert [r.data for r in read_file(tmp_path / "b.CSV")] == [{"id": "J2", "postcode": "1000"}]


def test_read_file_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "dossiers.txt"
    path.write_text("{}\n")
    with pytest.raises(ValueError) as caught:
        list(read_file(path))
    assert str(caught.value) == "dossiers.txt: unknown format '.txt' (expected .jsonl or .csv)"


# -- properties --------------------------------------------------------------------------------------------


def _well_formed(records: list[RawRecord], text: str) -> None:
    lines = max(1, len(text.splitlines()))
    previous = 0
    for record in records:
        assert (record.data is None) != (record.error is None)
        assert record.data is None or isinstance(record.data, dict)
        assert record.line is not None and previous < record.line <= lines
        previous = record.line


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_read_jsonl_never_crashes(text: str) -> None:
    _well_formed(list(read_jsonl(text)), text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(alphabet=st.sampled_from('{}[]":,;\n 0123456789.-aeltrsufn\\'), max_size=30), max_size=8))
def test_read_jsonl_never_crashes_on_json_like_text(lines: list[str]) -> None:
    text = "\n".join(lines)
    _well_formed(list(read_jsonl(text)), text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_read_csv_never_crashes(text: str) -> None:
    records = list(read_csv(text))
    for record in records:
        assert (record.data is None) != (record.error is None)
        assert record.line is not None and record.line >= 1


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.text(alphabet=st.sampled_from('abc,;:"\n\r[]{} 01.'), max_size=20),
        min_size=1,
        max_size=6,
    )
)
def test_read_csv_never_crashes_on_csv_like_text(cells: list[str]) -> None:
    header = "id,skills,languages,experiences,active,summary\n"
    for record in read_csv(header + ",".join(cells)):
        assert (record.data is None) != (record.error is None)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.dictionaries(st.text(), json_values, max_size=5), max_size=6))
def test_jsonl_round_trip(records: list[dict[str, Any]]) -> None:
    text = "".join(json.dumps(record) + "\n" for record in records)
    assert [(r.line, r.data) for r in read_jsonl(text)] == [(i, r) for i, r in enumerate(records, start=1)]


plain_cells = st.text(alphabet=st.sampled_from("abcdéè XYZ019,.\"'\n"), max_size=15).map(str.strip)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(plain_cells, plain_cells), min_size=1, max_size=6))
def test_csv_round_trip_with_line_numbers(rows: list[tuple[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["summary", "postcode"])
    expected = []
    line = 2
    for summary, postcode in rows:
        writer.writerow([summary, postcode])
        data = {k: v for k, v in (("summary", summary), ("postcode", postcode)) if v}
        if data:
            expected.append((line, data))
        line += 1 + summary.count("\n") + postcode.count("\n")
    assert [(r.line, r.data) for r in read_csv(buffer.getvalue())] == expected
