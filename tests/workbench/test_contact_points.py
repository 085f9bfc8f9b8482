"""A customer's contact points changed on the account page (issue 16), through the pages (session,
CSRF) with the stored contact gate, on SQLite and PostgreSQL: a number the customer gives is stored
as ingest stores one (search finds it, the planner plans it from the next plan), a number marked
wrong is refused by the gate and offered nowhere, a consent is kept with its day and its way; every
change audited with the collector as actor, and none forgotten by the next portfolio file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from workbench_support import AS_OF_NOON, CIPHER, PASSWORD, account_of_agency

from arrears.adapters.clock import FixedClock
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.contact_point_tables import contact_point_changes
from arrears.adapters.storage.contact_points_repository import changed_points_for_planning
from arrears.adapters.storage.gate_tables import contact_attempts
from arrears.adapters.storage.workbench_tables import access_audit
from arrears.domain.personal import mask_contact
from arrears.services.contact_gate import SqlContactGate
from arrears.services.contact_gate_port import ContactRequest
from arrears.services.workbench.context import Workbench

NEW_MOBILE = "+8613912345678"


@dataclass
class Desk:
    client: TestClient
    wb: Workbench
    csrf: str
    account_id: str
    customer_id: str


def _desk(wb: Workbench) -> Iterator[Desk]:
    from arrears.entrypoints.api.app import create_app
    from arrears.entrypoints.api.workbench import configure_workbench

    app = create_app()
    configure_workbench(app, wb)
    with TestClient(app) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        reply = client.post("/login", data={"username": "collector", "password": PASSWORD, "csrf_token": token},
                            follow_redirects=False)
        assert reply.status_code == 303, reply.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/queue").text).group(1)  # type: ignore[union-attr]
        account_id = account_of_agency(wb.engine, None)
        with wb.engine.connect() as connection:
            customer_id = connection.execute(select(t.accounts.c.customer_id)
                                             .where(t.accounts.c.account_id == account_id)).scalar_one()
        yield Desk(client, wb, csrf, account_id, customer_id)


@pytest.fixture
def desk(wb: Workbench) -> Iterator[Desk]:
    """On the SQLite template, with the stored contact gate."""
    from dataclasses import replace

    yield from _desk(replace(wb, gate=SqlContactGate(wb.engine)))


@pytest.fixture
def desk_on(loaded_db: Engine) -> Iterator[Desk]:
    """On SQLite and on PostgreSQL (a copy of the loaded portfolio each), with the stored contact gate."""
    engine = loaded_db
    yield from _desk(Workbench(engine=engine, cipher=CIPHER, gate=SqlContactGate(engine), clock=FixedClock(AS_OF_NOON)))


def _points(desk: Desk) -> list[dict[str, Any]]:
    p = t.contact_points.c
    with desk.wb.engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(t.contact_points).where(
            p.customer_id == desk.customer_id).order_by(p.contact_point_id)).mappings()]


def _debtor_mobile(desk: Desk) -> str:
    return next(p["contact_point_id"] for p in _points(desk) if p["kind"] == "mobile" and p["owner"] == "debtor"
                and not p["do_not_contact"] and p["status"] != "invalid")


def _audit(desk: Desk, kind: str) -> list[dict[str, Any]]:
    a = access_audit.c
    with desk.wb.engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(access_audit).where(a.kind == kind)).mappings()]


def _add(desk: Desk, **form: str) -> Any:
    return desk.client.post(f"/accounts/{desk.account_id}/contact-points", follow_redirects=False,
                            data={"csrf_token": desk.csrf, **form})


def _contact_form(desk: Desk) -> str:
    return desk.client.get(f"/accounts/{desk.account_id}").text.split('id="contact-form"')[1].split("</form>")[0]


def test_a_number_the_customer_gives_is_stored_as_ingest_stores_one_audited_and_found_by_search(
        desk_on: Desk) -> None:
    desk = desk_on
    reply = _add(desk, kind="mobile", value="139 1234 5678", owner="debtor")
    assert reply.status_code == 303, reply.text[:500]
    assert reply.headers["location"].endswith("?point=added#contact-points")
    (added,) = [p for p in _points(desk) if p["contact_point_id"].startswith("wb-")]
    assert added["source"] == "customer_update"
    assert CIPHER.decrypt(added["value_enc"]) == NEW_MOBILE  # E.164, as ingest stores a number
    assert added["value_hash"] == CIPHER.lookup_hash(NEW_MOBILE)
    assert added["value_masked"] == mask_contact("mobile", NEW_MOBILE)
    assert (added["owner"], added["status"], added["do_not_contact"], added["in_portfolio"]) == (
        "debtor", "valid", False, True)
    (audited,) = _audit(desk, "point.added")
    assert (audited["username"], audited["account_id"]) == ("collector", desk.account_id)
    assert added["contact_point_id"] in audited["detail"] and "5678" not in audited["detail"]
    assert re.search(rf'<option value="{added["contact_point_id"]}" data-kind="mobile" >', _contact_form(desk))
    found = desk.client.post("/search", data={"csrf_token": desk.csrf, "q": "+86 139-1234-5678"})
    assert f"/accounts/{desk.account_id}" in found.text
    assert _add(desk, kind="mobile", value="13912345678").status_code == 409  # the customer has it already


def test_what_is_not_a_number_of_the_customers_country_is_refused_and_the_form_keeps_what_was_typed(
        desk: Desk) -> None:
    before = len(_points(desk))
    for kind, typed, field in (("mobile", "12345", "value"), ("mobile", "010 6552 9988", "value"),
                               ("email", "not-an-address", "value"), ("home", "010 6552 9988", "relation")):
        owner = "emergency_contact" if field == "relation" else "debtor"
        reply = _add(desk, kind=kind, value=typed, owner=owner)
        assert reply.status_code == 422, (kind, typed)
        assert 'id="point-error"' in reply.text
        assert f'value="{typed}"' in reply.text and '<details id="add-point" open>' in reply.text
    assert len(_points(desk)) == before and _audit(desk, "point.added") == []
    assert _add(desk, kind="work", value="(010) 6552-9988", owner="employer", relation="单位前台").status_code == 303


def test_a_number_marked_wrong_is_refused_by_the_gate_and_offered_nowhere(desk_on: Desk) -> None:
    desk = desk_on
    mobile = _debtor_mobile(desk)
    gate, now = desk.wb.gate, AS_OF_NOON
    assert gate.preview(ContactRequest(desk.account_id, "call", now, mobile, None)).allowed
    assert re.search(rf'<option value="{mobile}" data-kind="mobile" >', _contact_form(desk))
    reply = desk.client.post(f"/accounts/{desk.account_id}/contact-points/{mobile}/wrong", follow_redirects=False,
                             data={"csrf_token": desk.csrf, "reason": "wrong_number"})
    assert reply.status_code == 303, reply.text[:500]
    point = next(p for p in _points(desk) if p["contact_point_id"] == mobile)
    assert (point["status"], point["owner"], point["do_not_contact"]) == ("invalid", "other", True)
    denied = gate.preview(ContactRequest(desk.account_id, "call", now, mobile, None))  # the stored-ledger path
    assert denied.decision == "deny" and {"CN-3P-01", "CN-3P-03"} & set(denied.rules), denied
    page = desk.client.get(f"/accounts/{desk.account_id}").text
    assert re.search(rf'<option value="{mobile}" data-kind="mobile" disabled>', page)
    status_call = page.split('id="status-call"')[1].split("</tr>")[0]
    assert point["value_masked"] not in status_call  # the compliance status uses another number, or none
    logged = desk.client.post(f"/accounts/{desk.account_id}/contacts", data={
        "csrf_token": desk.csrf, "channel": "call", "contact_point_id": mobile, "outcome": "no_answer"})
    assert logged.status_code == 422 and "contact_point_id" in logged.text
    with desk.wb.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(contact_attempts)).scalar_one() == 0
        (change,) = connection.execute(select(contact_point_changes)).mappings().all()
    assert (change["change"], change["reason"], change["changed_by"]) == ("marked_wrong", "wrong_number", "collector")
    (audited,) = _audit(desk, "point.marked_wrong")
    assert audited["username"] == "collector" and '"owner_before": "debtor"' in audited["detail"]
    assert desk.client.post(f"/accounts/{desk.account_id}/contact-points/{mobile}/consent", data={
        "csrf_token": desk.csrf, "given": "yes", "method": "recorded_call"}).status_code == 422  # no consent on it


def test_a_consent_is_kept_with_its_day_and_its_way_and_can_be_withdrawn(desk: Desk) -> None:
    mobile = _debtor_mobile(desk)
    url = f"/accounts/{desk.account_id}/contact-points/{mobile}/consent"
    future = desk.client.post(url, data={"csrf_token": desk.csrf, "given": "yes", "method": "recorded_call",
                                         "given_on": "2026-12-01"})
    assert future.status_code == 422 and 'value="2026-12-01"' in future.text
    reply = desk.client.post(url, follow_redirects=False, data={
        "csrf_token": desk.csrf, "given": "yes", "method": "recorded_call", "given_on": "2026-11-20"})
    assert reply.status_code == 303, reply.text[:500]
    assert next(p for p in _points(desk) if p["contact_point_id"] == mobile)["consent"] is True
    with desk.wb.engine.connect() as connection:
        (change,) = connection.execute(select(contact_point_changes)).mappings().all()
    assert (change["change"], change["consent_method"], change["consent_scope"], str(change["consent_on"])) == (
        "consent_given", "recorded_call", "mobile_calls_and_texts", "2026-11-20")
    page = desk.client.get(f"/accounts/{desk.account_id}?point=consent").text
    assert 'id="point-notice"' in page and "2026-11-20 · 录音电话中口头同意" in page
    assert desk.client.post(url, follow_redirects=False, data={
        "csrf_token": desk.csrf, "given": "no", "method": "written"}).status_code == 303
    assert next(p for p in _points(desk) if p["contact_point_id"] == mobile)["consent"] is False
    assert [a["username"] for a in _audit(desk, "point.consent_given") + _audit(desk, "point.consent_withdrawn")] == [
        "collector", "collector"]
    english = desk.client.get(f"/accounts/{desk.account_id}?lang=en").text
    assert re.search(r'<td class="point-consent">Consent withdrawn<div class="muted">2026-11-29 · In writing</div>',
                     english)


def test_the_next_portfolio_file_does_not_forget_what_the_customer_told_the_collector(
        desk: Desk, small_demo: Path) -> None:
    from arrears.bootstrap import ingest_uow
    from arrears.services.ingest import IngestPortfolio, ingest_portfolio
    from arrears.services.portfolio_files import read_portfolio

    mobile = _debtor_mobile(desk)
    assert _add(desk, kind="mobile", value="13912345678").status_code == 303
    assert desk.client.post(f"/accounts/{desk.account_id}/contact-points/{mobile}/wrong", data={
        "csrf_token": desk.csrf, "reason": "wrong_number"}).status_code == 200
    with desk.wb.engine.begin() as connection:  # the file's row changed since: ingest rewrites it
        connection.execute(t.contact_points.update().where(t.contact_points.c.contact_point_id == mobile)
                           .values(row_digest="changed"))
    ingest_portfolio(ingest_uow(desk.wb.engine, CIPHER), IngestPortfolio(
        read_portfolio(small_demo, AS_OF_NOON.date()), AS_OF_NOON.date(), AS_OF_NOON))
    points = {p["contact_point_id"]: p for p in _points(desk)}
    assert (points[mobile]["status"], points[mobile]["owner"], points[mobile]["do_not_contact"]) == (
        "invalid", "other", True)
    added = [p for p in points.values() if p["contact_point_id"].startswith("wb-")]
    assert [(p["in_portfolio"], p["status"]) for p in added] == [(True, "valid")]


def test_a_number_the_customer_gives_is_planned_from_the_next_plan_and_a_wrong_one_never(
        desk: Desk, small_demo: Path) -> None:
    from arrears.planning.frames import with_contact_points
    from arrears.planning.gate_requests import default_gate
    from arrears.planning.optimiser import make_plan
    from arrears.planning.strategy import Split, load_strategy
    from arrears.services.plan_files import read_capacity, read_portfolio_for_planning

    for point in [p for p in _points(desk) if p["kind"] == "mobile" and p["owner"] == "debtor"]:
        assert desk.client.post(f"/accounts/{desk.account_id}/contact-points/{point['contact_point_id']}/wrong",
                                data={"csrf_token": desk.csrf, "reason": "not_in_service"}).status_code == 200
    assert _add(desk, kind="mobile", value="13912345678").status_code == 303
    with desk.wb.engine.connect() as connection:
        stored = changed_points_for_planning(connection, CIPHER)
    (added,) = [p["contact_point_id"] for p in stored if p["contact_point_id"].startswith("wb-")]
    wrong = {p["contact_point_id"] for p in stored} - {added}
    day = AS_OF_NOON.date()
    split = Split(load_strategy("default"), ())
    capacity = read_capacity(None, small_demo)

    def planned(portfolio: Any) -> set[str]:
        plan = make_plan(portfolio, capacity, split, default_gate()).plan
        return set(plan.filter(plan["account_id"] == desk.account_id)["contact_point_id"].drop_nulls().to_list())

    before = planned(read_portfolio_for_planning(small_demo, day))
    after = planned(with_contact_points(read_portfolio_for_planning(small_demo, day), stored))
    assert added not in before and wrong & before, before
    assert added in after and not wrong & after, after


def test_the_plan_command_reads_the_changed_points_from_the_configured_database(desk: Desk) -> None:
    import base64

    from arrears.bootstrap import stored_contact_points
    from arrears.settings import Settings

    def key(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    settings = Settings(database_url=str(desk.wb.engine.url), data_key=key(CIPHER.data_key),
                        lookup_key=key(CIPHER.lookup_key))
    assert stored_contact_points(settings) == []  # nothing changed yet: the file's points as they are
    assert _add(desk, kind="mobile", value="13912345678").status_code == 303
    (point,) = stored_contact_points(settings)
    assert (point["customer_id"], point["kind"], point["value"], point["owner"], point["status"]) == (
        desk.customer_id, "mobile", NEW_MOBILE, "debtor", "valid")
