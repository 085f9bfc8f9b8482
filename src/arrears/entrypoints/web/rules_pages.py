"""The rule book (规则手册): every pack the gate uses, each rule's meaning, citation, confidence,
parameters and what the institution tightened; every rule id shown elsewhere links to its row
here (``pages.rule_href``). Any signed-in user may read it: the rules are the law, not personal
data."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.web.pages import render
from arrears.entrypoints.web.session import require_user
from arrears.services.compliance_rules import rule_book

router = APIRouter(include_in_schema=False, route_class=StrictInputRoute)
CONFIDENCE = {"P": "primary text", "S": "secondary source", "O": "official summary"}


@router.get("/rules")
def rules(request: Request, pack: str | None = None) -> Response:
    user = require_user(request)
    books = rule_book()
    shown = [b for b in books if b.code == pack] if pack else list(books)
    return render(request, "rules.html", user, books=shown, codes=[b.code for b in books], chosen=pack or "",
                  confidence=CONFIDENCE)
