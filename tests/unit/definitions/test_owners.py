from __future__ import annotations

import dataclasses
from collections import Counter

from leadsync.definitions import evaluate
from leadsync.model import Stage
from tests.unit.definitions.helpers import AS_OF, DEFAULTS, act, person

EMEA = ["chloe.dubois@example.com", "david.smith@example.com", "emma.fischer@example.com"]


def assign(who, round_robin, active=None):
    return evaluate(
        DEFAULTS, who, [act("demo_request")], as_of=AS_OF, round_robin=round_robin, active_owners=active
    )


def test_round_robin_is_fair_over_a_sequence_of_assignments() -> None:
    round_robin: dict[str, int] = {}
    owners = []
    for i in range(30):
        decision = assign(person(f"p{i}@acme.example", title="Manager", country="FR"), round_robin)
        owners.append(decision.owner)
        round_robin = dict(decision.round_robin)
    assert owners[:3] == EMEA
    assert Counter(owners) == dict.fromkeys(EMEA, 10)
    assert round_robin == {"emea": 0}


def test_round_robin_position_is_an_input_not_hidden_state() -> None:
    who = person(title="Manager", country="FR")
    assert assign(who, {"emea": 2}).owner == EMEA[2]
    assert assign(who, {"emea": 2}).owner == EMEA[2]  # same input, same answer
    assert dict(assign(who, {"emea": 2}).round_robin) == {"emea": 0}


def test_territories_are_tried_in_order() -> None:
    enterprise = assign(person(title="Manager", country="DE", employees=5000), {})
    assert enterprise.owner == "alice.martin@example.com"
    assert assign(person(title="Manager", country="CA"), {}).owner == "frank.miller@example.com"
    assert assign(person(title="Manager", country="JP", industry="SaaS"), {}).owner == "sales-ops@example.com"


def test_an_active_owner_is_kept() -> None:
    who = person(title="Manager", country="FR", owner_email="zoe@example.com")
    decision = assign(who, {}, active={"zoe@example.com"})
    assert decision.owner == "zoe@example.com"
    assert decision.round_robin == {}


def test_an_inactive_owner_is_replaced_and_inactive_pool_members_skipped() -> None:
    who = person(title="Manager", country="FR", owner_email="left@example.com")
    decision = assign(who, {"emea": 0}, active={EMEA[1], EMEA[2]})
    assert decision.owner == EMEA[1]
    assert dict(decision.round_robin) == {"emea": 2}


def test_no_owner_is_assigned_below_the_assignment_stage() -> None:
    decision = evaluate(DEFAULTS, person(title="Manager"), [], as_of=AS_OF)
    assert decision.stage is Stage.LEAD
    assert decision.owner is None
    kept = evaluate(DEFAULTS, person(title="Manager", owner_email="rep@example.com"), [], as_of=AS_OF)
    assert kept.owner == "rep@example.com"


def test_without_keep_existing_a_pool_owner_is_not_rotated_every_cycle() -> None:
    rules = dataclasses.replace(DEFAULTS, owners=dataclasses.replace(DEFAULTS.owners, keep_existing=False))
    round_robin: dict[str, int] = {}
    owner = None
    owners = []
    for _ in range(3):
        who = person("same@acme.example", title="Manager", country="FR", owner_email=owner)
        decision = evaluate(rules, who, [act("demo_request")], as_of=AS_OF, round_robin=round_robin)
        owner, round_robin = decision.owner, dict(decision.round_robin)
        owners.append(owner)
    assert owners == [EMEA[0]] * 3
