"""Letters as PDF for the print house: the text (Chinese included) is in the PDF, one file per
letter, each listed once in manifest.csv with its pages."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from arrears.adapters.memory_templates import MemoryTemplatesUnitOfWork
from arrears.adapters.outreach.letters import PdfLetterSender, wrap
from arrears.services.outreach.templates import MessageFacts, RenderedMessage, TemplateRenderer
from arrears.services.outreach.templates.handlers import seed

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


FACTS = MessageFacts(customer_name="张*", jurisdiction="CN", account_tail="1234", past_due_cents=3449999,
                     currency="CNY", institution="甲银行信用卡中心", agency="乙信息咨询公司", agent_id="A900")


@pytest.fixture(scope="module")
def renderer() -> TemplateRenderer:
    uow = MemoryTemplatesUnitOfWork()
    seed(uow, NOW)
    return TemplateRenderer(lambda: uow)


def text_of(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def test_a_chinese_collection_letter_is_a_pdf_whose_text_reads_back(tmp_path: Path,
                                                                     renderer: TemplateRenderer) -> None:
    letter = renderer.render("collection_letter", "letter", "zh", FACTS)
    pages = PdfLetterSender(tmp_path).write_letter("L-0001", "A0001234", "上海市浦东新区某路1号\n张*（收）", letter)
    text = text_of(tmp_path / "L-0001.pdf").replace("\n", "")
    assert pages == len(PdfReader(tmp_path / "L-0001.pdf").pages) >= 1
    for expected in ("甲银行信用卡中心信用卡催收函", "34,499.99元", "乙信息咨询公司受甲银行信用卡中心委托",
                     "权利和义务", "异议", "乙信息咨询公司（盖章）", "上海市浦东新区某路1号"):
        assert expected in text, expected


def test_a_us_validation_notice_reads_back_in_english(tmp_path: Path, renderer: TemplateRenderer) -> None:
    facts = replace(FACTS, jurisdiction="US", currency="USD", customer_name="J*** S***", institution="Big Bank",
                    agency="Acme Recovery")
    letter = renderer.render("validation_notice", "letter", "en", facts)
    PdfLetterSender(tmp_path).write_letter("L-0002", "A0001234", "1 Main St\nSpringfield", letter)
    text = " ".join(text_of(tmp_path / "L-0002.pdf").split())
    assert "This is from a debt collector" in text and "www.cfpb.gov/debt-collection" in text
    assert "USD 1,234.00" not in text and "USD 34,499.99" in text


def test_a_long_letter_runs_over_pages_and_every_line_fits(tmp_path: Path) -> None:
    paragraph = "这是一段很长的中文段落，用来检查自动换行和分页是否正确。" * 6
    long = RenderedMessage("\n".join([paragraph] * 30), None, "甲银行", "zh")
    pages = PdfLetterSender(tmp_path).write_letter("L-long", "A1", "地址", long)
    assert pages > 1 and len(PdfReader(tmp_path / "L-long.pdf").pages) == pages
    assert "第 2 页" in PdfReader(tmp_path / "L-long.pdf").pages[1].extract_text()
    assert all(len(line) <= 60 for line in wrap("中" * 200, 400))
    words = "a few words that do not fit on one line of this width"
    lines = wrap(words, 100)
    assert len(lines) > 2 and " ".join(lines) == words  # broken at spaces only


def test_each_letter_is_listed_once_in_the_manifest_with_its_pages(tmp_path: Path) -> None:
    sender = PdfLetterSender(tmp_path)
    letter = RenderedMessage("正文", None, "甲银行", "zh")
    sender.write_letter("L-1", "A1", "=HYPERLINK(\"x\")\n第二行", letter)
    sender.write_letter("L-2", "A2", "地址二", letter)
    sender.write_letter("L-1", "A1", "=HYPERLINK(\"x\")\n第二行", letter)  # a retry
    PdfLetterSender(tmp_path).write_letter("L-3", "A3", "地址三", letter)  # another writer
    raw = (tmp_path / "manifest.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for spreadsheets
    with (tmp_path / "manifest.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["letter_id"], r["account_id"], r["pages"]) for r in rows] == [("L-1", "A1", "1"), ("L-2", "A2", "1"),
                                                                              ("L-3", "A3", "1")]
    assert rows[0]["address"] == "'=HYPERLINK(\"x\") / 第二行"  # formula-safe
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == ["L-1.pdf", "L-2.pdf", "L-3.pdf"]


def test_a_letter_id_that_is_not_a_plain_file_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="letter id"):
        PdfLetterSender(tmp_path).write_letter("../x", "A1", "地址", RenderedMessage("正文", None, "甲银行", "zh"))
