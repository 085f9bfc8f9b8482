"""The examiner's file as a PDF (Chinese set in the CJK font reportlab ships), page-numbered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from arrears.adapters.outreach.letters import FONT, wrap

MARGIN, SIZE, LEAD = 50, 9, 12


def _head(file: dict[str, Any]) -> list[str]:
    a, s = file["account"], file["summary"]
    return [f"监管检查档案 / Examiner's file: account {a['account_id']}", f"generated {file['generated_at']}",
            f"status {a['status']} · agency {a.get('agency_id') or '-'} · flags {a.get('flags') or '-'}",
            f"contacts {s['contacts']} · decisions {s['decisions']} (denied {s['denied']}) · "
            f"complaints {s['complaints']}"]


def _contact(c: dict[str, Any]) -> str:
    complaint = " COMPLAINT" if c.get("complaint") else ""
    return (f"{c['at']} {c['source']} {c['channel']} {c['direction']} {c.get('party') or '-'} "
            f"{c.get('outcome') or '(reserved)'} agent {c.get('agent_id') or '-'}{complaint}")


def _decision(d: dict[str, Any]) -> list[str]:
    packs = ", ".join(f"{k} {v}" for k, v in (d.get("pack_versions") or {}).items())
    rules = ",".join(d.get("rules") or []) or "-"
    return [f"#{d['decision_id']} {d['decided_for']} {d['mode']} {d.get('channel') or '-'} {d['decision']} "
            f"rules {rules} · {packs}", *(f"    {reason}" for reason in d.get("reasons") or [])]


def _case(c: dict[str, Any]) -> str:
    return (f"{c['case_id']} {c['kind']} {c['status']} opened {c['opened_at']} due {c['due_on']} ({c['due_rule']}) "
            f"closed {c.get('closed_at') or '-'}")


def _lines(file: dict[str, Any]) -> list[str]:
    lines = [*_head(file), "", "联系记录 / Contacts", *map(_contact, file["contacts"])]
    lines += ["", "合规决定 / Compliance decisions", *(line for d in file["decisions"] for line in _decision(d))]
    lines += ["", "规则与依据 / Rules and citations"]
    lines += [f"{rule}: {r.get('citation', '')} — {r.get('meaning_en', '')}" for rule, r in file["rules"].items()]
    cases = [_case(c) for c in file["cases"]] or ["-"]
    lines += ["", "投诉、争议与困难申请 / Complaints, disputes, hardship", *cases]
    return lines


def write_pdf(file: dict[str, Any], path: Path) -> int:
    """Writes the PDF; returns its pages."""
    width, height = A4
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle(f"Examiner's file {file['account']['account_id']}")
    page, y = 1, height - MARGIN
    pdf.setFont(FONT, SIZE)
    for paragraph in _lines(file):
        for line in wrap(paragraph, width - 2 * MARGIN) if paragraph else [""]:
            if y < MARGIN + LEAD:
                pdf.drawRightString(width - MARGIN, MARGIN / 2, f"{page}")
                pdf.showPage()
                pdf.setFont(FONT, SIZE)
                page, y = page + 1, height - MARGIN
            pdf.drawString(MARGIN, y, line)
            y -= LEAD
    pdf.drawRightString(width - MARGIN, MARGIN / 2, f"{page}")
    pdf.save()
    return page
