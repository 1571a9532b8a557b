"""Only people own records: integration users never, inactive users never, queues when listed."""

from __future__ import annotations

from leadsync.definitions import evaluate, kind_counts, valid_everywhere, valid_owners, why_not
from leadsync.model import Owner, OwnerKind
from tests.unit.definitions.helpers import AS_OF, DEFAULTS, act, person

REP = Owner("rep@example.com", "Rep One")
LEFT = Owner("left@example.com", "Left Early", active=False)
ROBOT = Owner("leadsync.integration@sales.example.com", "LeadSync Integration", kind=OwnerKind.INTEGRATION)
INBOUND = Owner("inbound-leads@sales.example.com", "Inbound Leads", kind=OwnerKind.QUEUE)
OWNERS = (REP, LEFT, ROBOT, INBOUND)


def test_only_active_people_are_valid_by_default() -> None:
    valid = valid_owners(OWNERS)
    assert set(valid) == {"rep@example.com"}
    assert why_not(valid, ROBOT.email) == "an integration user"
    assert why_not(valid, LEFT.email) == "inactive"
    assert why_not(valid, INBOUND.email) == "a queue not listed in owners.queues"
    assert why_not(valid, "stranger@example.com") == "no active user of the CRM"


def test_a_queue_is_valid_when_listed_by_email_or_by_name() -> None:
    assert INBOUND.email in valid_owners(OWNERS, [" Inbound-Leads@Sales.example.com"])
    assert INBOUND.email in valid_owners(OWNERS, ["inbound leads"])


def test_listing_never_makes_an_integration_user_or_an_inactive_one_valid() -> None:
    valid = valid_owners(OWNERS, [ROBOT.email, LEFT.email, "LeadSync Integration"])
    assert ROBOT.email not in valid
    assert LEFT.email not in valid


def test_an_owner_must_be_valid_in_every_crm_and_keeps_the_reason_it_is_not() -> None:
    hubspot = valid_owners([REP, Owner(ROBOT.email)])  # a person in one CRM, an integration user in the other
    both = valid_everywhere([valid_owners(OWNERS), hubspot])
    assert both is not None
    assert set(both) == {"rep@example.com"}
    assert why_not(both, ROBOT.email) == "an integration user"
    assert valid_everywhere([]) is None


def test_kinds_are_counted_with_inactive_owners_apart() -> None:
    assert kind_counts(OWNERS) == {"person": 1, "integration": 1, "queue": 1, "inactive": 1}


def test_an_sql_owned_by_the_integration_user_is_assigned_by_the_rules_and_says_why() -> None:
    who = person(title="Manager", country="FR", owner_email=ROBOT.email)
    emea = [Owner(e) for e in ("chloe.dubois@example.com", "david.smith@example.com")]
    decision = evaluate(
        DEFAULTS, who, [act("demo_request")], as_of=AS_OF, active_owners=valid_owners([*OWNERS, *emea])
    )
    assert decision.owner == "chloe.dubois@example.com"
    owner_reason = next(r.detail for r in decision.reasons if r.rule == "owner")
    assert owner_reason == (
        "chloe.dubois@example.com: current owner leadsync.integration@sales.example.com is an "
        "integration user: assigned by the rules, territory emea, round robin"
    )


def test_a_person_owner_is_kept() -> None:
    who = person(title="Manager", country="FR", owner_email=REP.email)
    decision = evaluate(DEFAULTS, who, [act("demo_request")], as_of=AS_OF, active_owners=valid_owners(OWNERS))
    assert decision.owner == REP.email
