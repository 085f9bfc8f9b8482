"""The bytes of a CSV file before polars reads it: records, ragged lines, physical lines,
encodings. Checked against Python's csv module on generated files, chunk size included."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.services.portfolio_files.text import (
    NotText,
    NotUtf8,
    Ragged,
    header_of,
    scan_shape,
    transcode_gb18030,
)

FIELD = st.text(alphabet='ab ,"\n中', max_size=6)


@st.composite
def tables(draw: st.DrawFn) -> tuple[int, list[list[str]], bool]:
    width = draw(st.integers(1, 4))
    rows = draw(st.lists(st.integers(0, 9).flatmap(
        lambda roll: st.lists(FIELD, min_size=width, max_size=width) if roll < 7 else
        st.lists(FIELD, min_size=1, max_size=width + 2)), max_size=8))
    return width, rows, draw(st.booleans())


def _expected(text: str, width: int) -> tuple[list[Ragged], list[int], int]:
    """Python's csv reading: the ragged records and each data record's first line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    ragged, starts, line = [], [], 0
    for index, row in enumerate(reader):
        start, line = line + 1, reader.line_num
        if index == 0:
            continue
        starts.append(start)
        if max(len(row), 1) != width:
            ragged.append(Ragged(start, max(len(row), 1)))
    return ragged, starts, len(starts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=tables(), chunk_size=st.one_of(st.integers(1, 40), st.just(1 << 22)))
def test_ragged_records_and_their_first_lines_are_found_as_pythons_csv_finds_them(tmp_path: Path, table, chunk_size):
    width, rows, final_newline = table
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f"c{i}" for i in range(width)])
    writer.writerows(rows)
    text = out.getvalue() if final_newline else out.getvalue()[:-1]
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    ragged, starts, records = _expected(text, width)
    shape = scan_shape(path, header_of(path), chunk_size)
    assert shape.ragged == ragged
    assert shape.records == records
    if shape.multiline:
        assert shape.starts.tolist() == starts
    else:
        assert starts == list(range(2, records + 2))
    quick = scan_shape(path, header_of(path), chunk_size, exact=False)
    assert quick.ragged == ragged or (not quick.ragged and any(r.fields > width for r in ragged))
    assert quick.records == records


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    return path


def test_a_quote_never_closed_is_named_by_the_line_of_its_record(tmp_path: Path) -> None:
    path = _write(tmp_path, b'a,b\n1,2\n3,"four\n5,6\n')
    assert scan_shape(path, ["a", "b"]).unclosed_quote_line == 3


def test_a_utf8_bom_is_not_part_of_the_first_column_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "\ufeffcustomer_id,name\nC1,张三\n".encode())
    assert header_of(path) == ["customer_id", "name"]
    assert scan_shape(path, header_of(path)).ragged == []


@pytest.mark.parametrize(("data", "padded"), [
    (b"a,b\n1,2\n", False),
    (b"a,b\r\n1,2\r\n", False),  # a carriage return before the line break is no white space
    (b"a,b\n1,x y\n", False),  # inside a field
    (b"a,b\n1, 2\n", True),
    (b"a,b\n1 ,2\n", True),
    (b'a,b\n1," 2"\n', True),
    ("a,b\n1,2\u3000\n".encode(), True),  # ideographic space, which strip_chars() removes
])
def test_cells_are_stripped_only_in_files_where_some_may_start_or_end_with_white_space(
    tmp_path: Path, data: bytes, padded: bool
) -> None:
    shape = scan_shape(_write(tmp_path, data), ["a", "b"])
    assert (shape.padded or shape.quoted) is padded
    assert shape.clean is padded


def test_the_first_byte_that_is_not_utf8_is_located_and_said_to_follow_utf8_text(tmp_path: Path) -> None:
    data = "a,b\n1,张三\n".encode() + b"2,x\xff\n"
    path = _write(tmp_path, data)
    with pytest.raises(NotUtf8) as caught:
        scan_shape(path, ["a", "b"], chunk_size=5)
    assert caught.value.offset == data.index(b"\xff")
    assert caught.value.after_text


def test_a_gbk_file_is_copied_as_utf8_and_bytes_that_are_neither_are_located(tmp_path: Path) -> None:
    source = _write(tmp_path, "a,b\n1,张三\n".encode("gbk"))
    with pytest.raises(NotUtf8) as caught:
        scan_shape(source, ["a", "b"])
    assert not caught.value.after_text
    copy = tmp_path / "copy.csv"
    transcode_gb18030(source, copy)
    assert copy.read_text(encoding="utf-8") == "a,b\n1,张三\n"
    broken = _write(tmp_path, b"a,b\n1,2\n3,\x80\n")
    with pytest.raises(NotText) as refused:
        transcode_gb18030(broken, tmp_path / "copy2.csv")
    assert (refused.value.offset, refused.value.line) == (10, 3)
    assert str(refused.value) == "neither UTF-8 nor GB18030 text (byte offset 10)"
