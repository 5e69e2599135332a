"""Who may take each step of a transfer, role by role and side by side (tracker.access.transfers), without a database."""

from __future__ import annotations

import pytest

from tracker.access import transfers
from tracker.access.roles import User
from tracker.text.errors import ScopeError
from tracker.text.i18n import MESSAGES

ADMIN = User("root", "admin", None, None)
FINANCE = User("fin", "finance", None, None)
AUDITOR = User("aud", "auditor", None, None)
A1 = User("a1", "agency", "A1", None)
A2 = User("a2", "agency", "A2", None)
A3 = User("a3", "agency", "A3", None)
PROPOSED = {"from_agency": "A1", "to_agency": "A2", "state": "proposed"}
ACCEPTED = {"from_agency": "A1", "to_agency": "A2", "state": "accepted"}


def _refusal(call, *args) -> tuple[str, str, str]:
    with pytest.raises(ScopeError) as refused:
        call(*args)
    return refused.value.key, refused.value.text("en"), refused.value.text("zh")


def _allowed(call, *args) -> bool:
    try:
        call(*args)
    except ScopeError:
        return False
    return True


@pytest.mark.parametrize(
    ("user", "to_agency", "allowed"),
    [(ADMIN, "A2", True), (FINANCE, "A2", True), (AUDITOR, "A2", False), (A2, "A2", True), (A1, "A2", False)],
)
def test_who_proposes(user, to_agency, allowed):
    assert _allowed(transfers.check_create, user, to_agency) is allowed


def test_a_refusal_names_the_role_or_the_agency_and_the_step_in_both_languages():
    key, en, zh = _refusal(transfers.check_create, AUDITOR, "A2")
    assert key == "transfer.not_allowed"
    assert MESSAGES["role.auditor"][0] in en and MESSAGES["role.auditor"][1] in zh
    assert MESSAGES["transfer.action.create"][0] in en and MESSAGES["transfer.action.create"][1] in zh
    key, en, zh = _refusal(transfers.check_create, A1, "A2")
    assert key == "transfer.not_your_agency" and "A2" in en and "A2" in zh
    assert MESSAGES["transfer.action.create"][0] in en and MESSAGES["transfer.action.create"][1] in zh
    for step, call, args in (
        ("accept", transfers.accepting_side, (FINANCE, PROPOSED, "giving")),
        ("refuse", transfers.check_refuse, (AUDITOR, PROPOSED)),
        ("approve", transfers.check_approve, (A1,)),
    ):
        key, en, zh = _refusal(call, *args)
        assert key == "transfer.not_allowed"
        assert MESSAGES[f"role.{args[0].role}"][0] in en and MESSAGES[f"role.{args[0].role}"][1] in zh
        assert MESSAGES[f"transfer.action.{step}"][0] in en and MESSAGES[f"transfer.action.{step}"][1] in zh
    for step, call, args, agency in (
        ("accept", transfers.accepting_side, (A3, PROPOSED, None), "A1"),
        ("accept", transfers.accepting_side, (A1, PROPOSED, "receiving"), "A2"),
        ("refuse", transfers.check_refuse, (A3, PROPOSED), "A1"),
        ("read", transfers.check_read, (A3, PROPOSED), "A1"),
    ):
        key, en, zh = _refusal(call, *args)
        assert key == "transfer.not_your_agency" and agency in en and agency in zh
        assert MESSAGES[f"transfer.action.{step}"][0] in en and MESSAGES[f"transfer.action.{step}"][1] in zh


@pytest.mark.parametrize(
    ("user", "side", "expected"),
    [
        (A1, None, "giving"),
        (A1, "giving", "giving"),
        (A2, None, "receiving"),
        (A2, "receiving", "receiving"),
        (ADMIN, "giving", "giving"),
        (ADMIN, "receiving", "receiving"),
    ],
)
def test_the_side_an_acceptance_is_for(user, side, expected):
    assert transfers.accepting_side(user, PROPOSED, side) == expected


def test_an_agency_on_both_sides_accepts_the_giving_side_first():
    both = {"from_agency": "A1", "to_agency": "A1", "state": "proposed"}
    assert transfers.accepting_side(A1, both, None) == "giving"
    assert transfers.accepting_side(A1, both, "receiving") == "receiving"


def test_an_administrator_names_the_side_and_a_side_must_be_one_of_the_two():
    key, en, zh = _refusal(transfers.accepting_side, ADMIN, PROPOSED, None)
    assert key == "transfer.name_the_side" and "A1" in en and "A2" in en and "A1" in zh and "A2" in zh
    for user in (ADMIN, A1):
        with pytest.raises(ValueError, match="sideways"):
            transfers.accepting_side(user, PROPOSED, "sideways")
    assert not _allowed(transfers.accepting_side, AUDITOR, PROPOSED, "giving")


@pytest.mark.parametrize(
    ("user", "transfer", "allowed"),
    [
        (ADMIN, ACCEPTED, True),
        (FINANCE, ACCEPTED, True),
        (AUDITOR, PROPOSED, False),
        (A1, PROPOSED, True),  # a party while it is proposed
        (A2, PROPOSED, True),
        (A1, ACCEPTED, False),  # not once both have accepted
        (A3, PROPOSED, False),  # not a party
    ],
)
def test_who_refuses(user, transfer, allowed):
    assert _allowed(transfers.check_refuse, user, transfer) is allowed


def test_an_agency_refusing_too_late_is_told_its_role_may_not():
    key, en, zh = _refusal(transfers.check_refuse, A1, ACCEPTED)
    assert key == "transfer.not_allowed" and MESSAGES["transfer.action.refuse"][0] in en
    assert MESSAGES["role.agency"][1] in zh


@pytest.mark.parametrize(("user", "allowed"), [(ADMIN, True), (FINANCE, True), (AUDITOR, False), (A1, False)])
def test_who_approves(user, allowed):
    assert _allowed(transfers.check_approve, user) is allowed


@pytest.mark.parametrize(
    ("user", "visible", "reads"),
    [
        (ADMIN, None, True),
        (FINANCE, None, True),
        (AUDITOR, None, True),
        (A1, "A1", True),  # the giving agency
        (A2, "A2", True),  # the receiving agency
        (A3, "A3", False),
    ],
)
def test_who_sees_a_transfer(user, visible, reads):
    assert transfers.visible_agency(user) == visible
    assert _allowed(transfers.check_read, user, PROPOSED) is reads


@pytest.mark.parametrize(
    ("user", "allowed"),
    [(ADMIN, True), (FINANCE, True), (AUDITOR, False), (A2, True), (A1, False), (A3, False)],
)
def test_who_starts_a_transfer_from_a_reallocation_proposal(user, allowed):
    proposal = {"request_id": 7, "to_agency": "A2", "asset_id": "X-1", "from_agency": "A1"}  # A2 asked, A1 gives
    assert _allowed(transfers.check_from_proposal, user, proposal) is allowed
    if user.role == "agency" and not allowed:
        key, en, zh = _refusal(transfers.check_from_proposal, user, proposal)
        assert key == "transfer.not_your_agency" and "A2" in en and "A2" in zh  # the requesting agency is named
