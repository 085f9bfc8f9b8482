"""Who may administer whom (domain.access.administration_refusals): scope and authority."""

from __future__ import annotations

from arrears.domain.access import (
    Role,
    Standing,
    administration_refusals,
    agent_refusal,
    service_token_refusal,
)

IN_HOUSE_ADMIN = Standing(Role.ADMIN, None)
AGENCY_ADMIN = Standing(Role.ADMIN, "AG01")


def rules(actor: Standing, before: Standing | None, after: Standing, **kw: bool) -> set[str]:
    return {r.rule_id for r in administration_refusals(actor, before, after, **kw)}


def test_an_in_house_admin_creates_anyone() -> None:
    for target in (Standing(Role.ADMIN, None), Standing(Role.ADMIN, "AG02"), Standing(Role.COLLECTOR, "AG02")):
        assert rules(IN_HOUSE_ADMIN, None, target) == set()


def test_an_agency_admin_stays_in_its_agency_and_below_admin() -> None:
    assert rules(AGENCY_ADMIN, None, Standing(Role.COLLECTOR, "AG01")) == set()
    assert rules(AGENCY_ADMIN, None, Standing(Role.ADMIN, None)) == {"access.in_house_user",
                                                                     "access.admin_by_in_house_only"}
    assert rules(AGENCY_ADMIN, None, Standing(Role.ADMIN, "AG01")) == {"access.admin_by_in_house_only"}
    assert rules(AGENCY_ADMIN, None, Standing(Role.COLLECTOR, "AG02")) == {"access.other_agency"}
    assert rules(AGENCY_ADMIN, None, Standing(Role.TEAM_LEAD, None)) == {"access.in_house_user"}


def test_a_change_is_judged_before_and_after() -> None:
    mine, theirs = Standing(Role.COLLECTOR, "AG01"), Standing(Role.COLLECTOR, None)
    assert rules(AGENCY_ADMIN, theirs, mine) == {"access.in_house_user"}  # taking an in-house user over
    assert rules(AGENCY_ADMIN, mine, theirs) == {"access.in_house_user"}  # moving a user in house
    assert rules(AGENCY_ADMIN, mine, Standing(Role.ADMIN, "AG01")) == {"access.admin_by_in_house_only"}


def test_nobody_gives_a_role_with_a_permission_they_do_not_hold_and_only_admins_manage_users() -> None:
    lead = Standing(Role.TEAM_LEAD, None)
    assert rules(lead, None, Standing(Role.COLLECTOR, None)) == {"access.role"}
    assert rules(IN_HOUSE_ADMIN, IN_HOUSE_ADMIN, Standing(Role.COLLECTOR, None), is_self=True) == {"access.self"}


def test_agents_and_service_tokens() -> None:
    assert agent_refusal("AG01", "AG01", True) is None and agent_refusal(None, "", True) is None
    assert agent_refusal("AG01", None, True).rule_id == "access.agent_of_other_agency"  # type: ignore[union-attr]
    assert agent_refusal(None, None, False).rule_id == "access.unknown_agent"  # type: ignore[union-attr]
    assert service_token_refusal(IN_HOUSE_ADMIN) is None
    assert service_token_refusal(AGENCY_ADMIN) is not None
    assert service_token_refusal(Standing(Role.COMPLIANCE_OFFICER, None)) is not None
