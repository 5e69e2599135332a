"""Access limits at their edges: name and password lengths, the lock after failed logins, its end,
the idle timeout, and what each role reaches. Each limit is tested at the edge and on both sides."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tracker.access import auth
from tracker.text.errors import AuthError, ScopeError
from tracker.text.i18n import MESSAGES

PASSWORD = "correct-horse-battery-9"
WRONG = "wrong-guess-password-1"
T0 = datetime(2026, 3, 2, 9, 0, 0)


def _no_wait(_seconds: float) -> None:
    return None


def _login(db, name: str, password: str, now: datetime = T0):
    return auth.authenticate(db, name, password, now=now, sleep=_no_wait)


def _refused(db, name: str, password: str, now: datetime = T0) -> str:
    with pytest.raises(AuthError) as refused:
        _login(db, name, password, now)
    return refused.value.key


@pytest.mark.parametrize(
    "username, accepted",
    [
        ("bob", True),  # three characters: the shortest name
        ("bo", False),
        ("a" * 64, True),  # 64: the longest
        ("a" * 65, False),
        ("li.wei@agency.gov.cn", True),
        (None, False),  # a name that is not text (a form or a request that sent none) is no name
        (1234, False),
        (b"bob", False),
    ],
)
def test_user_name_length(db, username, accepted):
    if accepted:
        assert auth.create_user(db, username, PASSWORD, "auditor", actor="root").username == username
    else:
        with pytest.raises(AuthError) as refused:
            auth.create_user(db, username, PASSWORD, "auditor", actor="root")
        assert refused.value.key == "auth.bad_username"
        assert not auth.has_users(db)


@pytest.mark.parametrize(
    "password, accepted",
    [
        ("0123456789", True),  # exactly the minimum of ten characters
        ("012345678", False),  # nine
        ("  012345678  ", False),  # nine once the surrounding spaces are dropped
        ("  0123456789  ", True),
    ],
)
def test_password_length(db, password, accepted):
    if accepted:
        auth.create_user(db, "carol", password, "auditor", actor="root")
        assert _login(db, "carol", password).username == "carol"
    else:
        with pytest.raises(AuthError) as refused:
            auth.create_user(db, "carol", password, "auditor", actor="root")
        assert refused.value.key == "auth.password_too_short"
        assert "10" in refused.value.text("en") and "10" in refused.value.text("zh")


def test_four_failures_do_not_lock_the_fifth_does(db):
    auth.create_user(db, "alice", PASSWORD, "finance", actor="root")
    assert auth.LOCK_AFTER_FAILURES == 5
    for _ in range(4):
        assert _refused(db, "alice", WRONG) == "auth.bad_credentials"
    assert _login(db, "alice", PASSWORD).username == "alice"  # four in a row: not locked, and the count starts again
    for _ in range(4):
        _refused(db, "alice", WRONG)
    assert _refused(db, "alice", WRONG) == "auth.bad_credentials"  # the fifth is refused as wrong, then locks
    assert db.scalar("SELECT locked_until FROM users WHERE username = 'alice'") is not None
    # locked: even the right password is refused, with the same words as a wrong one (the lock is told only in the log)
    assert _refused(db, "alice", PASSWORD, T0 + timedelta(seconds=1)) == "auth.bad_credentials"


def test_the_lock_lasts_exactly_fifteen_minutes_and_counts_minutes_up(db):
    auth.create_user(db, "alice", PASSWORD, "finance", actor="root")
    for _ in range(5):
        _refused(db, "alice", WRONG)
    assert auth.LOCK_MINUTES == 15
    assert _refused(db, "alice", PASSWORD, T0 + timedelta(minutes=14, seconds=59)) == "auth.bad_credentials"
    assert _login(db, "alice", PASSWORD, T0 + timedelta(minutes=15)).username == "alice"


@pytest.mark.parametrize(
    "idle, expired",
    [
        (timedelta(0), False),
        (timedelta(minutes=29, seconds=59), False),
        (timedelta(minutes=30), True),
        (timedelta(minutes=30, seconds=1), True),
    ],
)
def test_idle_timeout_edge(idle, expired):
    assert auth.session_expired(T0, T0 + idle) is expired


@pytest.mark.parametrize("role", auth.ROLES)
def test_each_role_reaches_exactly_its_pages_and_actions(role):
    user = auth.User("someone", role, "A001" if role == "agency" else None, None)
    expected_pages = {
        "admin": set(auth.PAGES),
        "finance": {"overview", "explore", "findings", "reallocation", "data", "transfers"},
        "auditor": {"overview", "explore", "findings", "reallocation", "transfers"},
        "agency": {"overview", "explore", "reallocation", "upload", "transfers"},
    }[role]
    expected_actions = {
        "admin": set(auth.ALL_ACTIONS),
        "finance": {"export", "pool_withdraw"},
        "auditor": {"review", "export"},
        "agency": {"upload", "pool_declare", "request"},
    }[role]
    assert set(auth.ROLE_PAGES[role]) == expected_pages
    assert {a for a in auth.ALL_ACTIONS if auth.can(user, a)} == expected_actions
    for action in auth.ALL_ACTIONS:
        if action in expected_actions:
            auth.require(user, action)
            assert auth.acting(user, action) == "someone"
        else:
            with pytest.raises(ScopeError) as refused:
                auth.require(user, action)
            for lang, index in (("en", 0), ("zh", 1)):  # the refusal names the role and the action, as words
                text = refused.value.text(lang)
                assert MESSAGES[f"role.{role}"][index] in text, text
                assert MESSAGES[f"action.{action}"][index] in text, text
            with pytest.raises(ScopeError):
                auth.acting(user, action)
    with pytest.raises(ValueError, match="launch"):
        auth.can(user, "launch")
    assert auth.acting("cli:root", "settings") == "cli:root"  # the command line acts as the file's owner


def test_scope_is_the_agency_users_own_agency_only():
    agency_user = auth.User("a", "agency", "A001", None)
    assert auth.agency_scope(agency_user) == "A001"
    assert auth.upload_agency(agency_user, None) == "A001"
    assert auth.upload_agency(agency_user, "A001") == "A001"
    with pytest.raises(ScopeError) as refused:
        auth.upload_agency(agency_user, "A002")
    assert refused.value.key == "auth.not_your_agency"
    assert "A002" in refused.value.text("en") and "A002" in refused.value.text("zh")
    for role in ("admin", "finance", "auditor"):
        other = auth.User("b", role, None, None)
        assert auth.agency_scope(other) is None
        # the role decides: an agency code carried by an account of another role never narrows what it sees
        assert auth.agency_scope(auth.User("b", role, "A001", None)) is None
        assert auth.upload_agency(other, "A002") == "A002" and auth.upload_agency(other, None) is None
    assert auth.upload_agency("cli:root", "A003") == "A003"


def test_the_last_active_administrator_stays_even_when_another_is_disabled(db):
    auth.create_user(db, "boss", PASSWORD, "admin", actor="root")
    auth.create_user(db, "deputy", PASSWORD, "admin", actor="root")
    auth.disable_user(db, "deputy", actor="boss")
    auth.disable_user(db, "deputy", actor="boss")  # already disabled: nothing to do
    with pytest.raises(AuthError) as refused:
        auth.disable_user(db, "boss", actor="boss")
    assert refused.value.key == "auth.last_admin"
    assert "boss" in refused.value.text("en") and "boss" in refused.value.text("zh")  # names whom it keeps
    with pytest.raises(AuthError) as unknown:
        auth.set_password(db, "Ghost", PASSWORD, actor="boss")
    assert unknown.value.key == "auth.unknown_user" and "ghost" in unknown.value.text("zh")
    auth.create_user(db, "clerk", PASSWORD, "finance", actor="root")
    auth.disable_user(db, "clerk", actor="boss")  # not an administrator: no such limit
    assert {u["username"]: u["disabled"] for u in auth.list_users(db)} == {"boss": False, "clerk": True, "deputy": True}


# -- the audit trail -------------------------------------------------------------------------------
def test_audit_list_limit_edges(db):
    from tracker.store import audit

    for n in range(3):
        audit.record(db, "alice", "logout", details={"n": n})
    ids = lambda limit: audit.audit_table(db, limit=limit).column("entry_id").to_pylist()  # noqa: E731
    assert ids(0) == []
    assert ids(1) == [3]  # the newest
    assert ids(3) == ids(4) == ids(None) == [3, 2, 1]
    for bad in (-1, True, 1.5, "2"):
        with pytest.raises(ValueError):
            audit.audit_table(db, limit=bad)


def test_audit_chain_starts_at_genesis_and_a_lone_entry_verifies(db):
    from tracker.store import audit

    assert audit.head(db) is None and audit.verify(db) == []
    entry = audit.record(db, "alice", "logout", "alice", {"reason": "idle"})
    assert audit.verify(db) == [] and audit.head(db)[0] == entry
    assert db.scalar("SELECT prev_hash FROM audit_log") == "0" * 64
    db.execute("UPDATE audit_log SET prev_hash = ?", ["1" * 64])
    assert len(audit.verify(db)) == 2  # the start is wrong, and the entry no longer matches its hash


def test_an_unknown_name_is_logged_as_a_keyed_hash_and_an_identity_cut_to_64_characters(db):
    from tracker.store.audit import audit_table

    for name in ("x" * 64, "y" * 65):
        assert _refused(db, name, WRONG) == "auth.bad_credentials"
        with pytest.raises(AuthError):
            auth.user_for_identity(db, name.upper().replace("X", "Z").replace("Y", "W") + "@sso")
    failed = [(e["actor"], e["target"]) for e in reversed(audit_table(db).to_pylist()) if e["action"] == "login_failed"]
    sso_64 = ("z" * 64 + "@sso")[:64]
    sso_65 = ("w" * 65 + "@sso")[:64]
    # a name typed into the sign-in form may be a password typed in the wrong box: never logged as typed
    assert [actor for actor, _ in failed] == ["anonymous", sso_64, "anonymous", sso_65]
    assert failed[0][1].startswith("unknown:") and failed[2][1].startswith("unknown:") and failed[0][1] != failed[2][1]
    assert "x" * 16 not in failed[0][1] and "y" * 16 not in failed[2][1]
    assert (failed[1][1], failed[3][1]) == (sso_64, sso_65)


def test_a_refused_identity_is_logged_with_the_reason(db):
    from tracker.store.audit import audit_table

    auth.create_user(db, "boss", PASSWORD, "admin", actor="root")
    auth.create_user(db, "li.wei@agency.gov.cn", PASSWORD, "auditor", actor="root")
    auth.disable_user(db, "li.wei@agency.gov.cn", actor="boss")
    for email, key in (
        ("nobody@agency.gov.cn", "auth.sso_unknown"),
        ("Li.Wei@agency.gov.cn", "auth.disabled"),
        ("", "auth.sso_unknown"),
    ):
        with pytest.raises(AuthError) as refused:
            auth.user_for_identity(db, email)  # the provider defaults to OIDC
        assert refused.value.key == key
        if key == "auth.sso_unknown" and email:  # an unknown identity is named, so the administrator knows whom to add
            assert email in refused.value.text("en") and email in refused.value.text("zh")
    failed = [e for e in reversed(audit_table(db).to_pylist()) if e["action"] == "login_failed"]
    assert [(e["actor"], e["target"]) for e in failed] == [
        ("nobody@agency.gov.cn", "nobody@agency.gov.cn"),
        ("li.wei@agency.gov.cn", "li.wei@agency.gov.cn"),
        ("anonymous", None),
    ]
    import json

    assert [json.loads(e["details"]) for e in failed] == [
        {"reason": "sso_unknown", "provider": "oidc"},
        {"reason": "disabled", "provider": "oidc"},
        {"reason": "sso_unknown", "provider": "oidc"},
    ]


def test_a_role_is_named_in_words_and_an_unknown_one_as_given():
    from tracker.access.roles import role_name
    from tracker.text.i18n import render

    assert role_name("boss") == "boss"
    for role in auth.ROLES:
        assert render(role_name(role), "zh") == MESSAGES[f"role.{role}"][1]


def test_a_first_administrator_is_needed_until_one_can_sign_in(db):
    assert auth.needs_first_administrator(db)
    auth.create_user(db, "clerk", PASSWORD, "finance", actor="root")
    assert auth.needs_first_administrator(db)  # an account, but no administrator
    auth.create_user(db, "boss", PASSWORD, "admin", actor="root")
    auth.create_user(db, "deputy", PASSWORD, "admin", actor="root")
    assert not auth.needs_first_administrator(db)
    auth.disable_user(db, "deputy", actor="boss")
    assert not auth.needs_first_administrator(db)  # one left is enough
    db.execute("UPDATE users SET disabled = true WHERE username = 'boss'", name="t")
    assert auth.needs_first_administrator(db)


def test_the_demo_accounts_that_still_sign_in_until_real_use(db):
    assert auth.active_demo_accounts(db) == []
    auth.ensure_demo_accounts(db)
    assert auth.active_demo_accounts(db) == auth.demo_accounts()
    auth.create_user(db, "real.person", PASSWORD, "auditor", actor="root")  # an account made by a person
    assert auth.active_demo_accounts(db) == []


@pytest.mark.parametrize(("reason", "recorded"), [("user", "user"), ("idle", "idle"), (None, "user")])
def test_a_logout_is_recorded_with_its_reason(db, reason, recorded):
    """Signing out (the button) passes no reason: it is recorded as the user's own, not as an idle timeout."""
    import json

    user = auth.create_user(db, "alice", PASSWORD, "finance", actor="root")
    auth.logout(db, user) if reason is None else auth.logout(db, user, reason=reason)
    row = db.fetchone("SELECT actor, action, target, details FROM audit_log ORDER BY entry_id DESC LIMIT 1", name="t")
    assert row[:3] == ("alice", "logout", "alice") and json.loads(row[3]) == {"reason": recorded}


@pytest.mark.parametrize(
    ("role", "agency", "key", "named"),
    [
        ("boss", None, "auth.bad_role", ["boss", *auth.ROLES]),  # the role given and every role there is
        ("agency", None, "auth.agency_required", []),
        ("agency", "   ", "auth.agency_required", []),
        ("finance", "A001", "auth.agency_not_allowed", ["role.finance"]),
        ("auditor", " A002 ", "auth.agency_not_allowed", ["role.auditor"]),
    ],
)
def test_a_refused_role_or_agency_names_what_was_wrong(role, agency, key, named):
    from tracker.access.roles import role_and_agency

    with pytest.raises(AuthError) as refused:
        role_and_agency(role, agency)
    assert refused.value.key == key
    for lang, index in (("en", 0), ("zh", 1)):
        text = refused.value.text(lang)
        assert "None" not in text
        for word in named:
            assert (MESSAGES[word][index] if word in MESSAGES else word) in text, text


@pytest.mark.parametrize(
    ("role", "agency", "kept"),
    [
        ("agency", "A001", "A001"),
        ("agency", " A001 ", "A001"),
        ("admin", None, None),
        ("finance", "  ", None),
        ("auditor", "", None),
    ],
)
def test_an_accepted_role_keeps_the_agency_trimmed_or_none(role, agency, kept):
    from tracker.access.roles import role_and_agency

    assert role_and_agency(role, agency) == kept


def test_a_new_account_is_logged_with_its_role_agency_and_display_name_and_a_refusal_names_it(db):
    import json

    user = auth.create_user(db, " Li.Wei@A001 ", PASSWORD, "agency", agency=" A001 ", display_name="  Li Wei ", actor="root")
    assert user == auth.User("li.wei@a001", "agency", "A001", "Li Wei")
    assert auth.create_user(db, "clerk", PASSWORD, "finance", display_name="   ", actor="root").display_name is None
    rows = db.fetchall("SELECT actor, action, target, details FROM audit_log ORDER BY entry_id", name="t")
    assert [(a, action, target, json.loads(details)) for a, action, target, details in rows] == [
        ("root", "user_created", "li.wei@a001", {"role": "agency", "agency": "A001", "display_name": "Li Wei"}),
        ("root", "user_created", "clerk", {"role": "finance", "agency": None, "display_name": None}),
    ]
    for name, key, shown in (("Bo", "auth.bad_username", "Bo"), ("CLERK", "auth.user_exists", "clerk")):
        with pytest.raises(AuthError) as refused:
            auth.create_user(db, name, PASSWORD, "auditor", actor="root")
        assert refused.value.key == key
        assert shown in refused.value.text("en") and shown in refused.value.text("zh")


@pytest.mark.parametrize("username", [None, 42, "", "   "])
def test_an_account_change_for_a_name_that_is_not_text_names_no_one(db, username):
    """Disabling or re-setting the password of a name that is not text, or is blank, finds no account; the refusal
    quotes the name as read: empty."""
    auth.create_user(db, "boss", PASSWORD, "admin", actor="root")
    for change in (
        lambda: auth.disable_user(db, username, actor="boss"),
        lambda: auth.set_password(db, username, PASSWORD, actor="boss"),
    ):
        with pytest.raises(AuthError) as refused:
            change()
        assert refused.value.key == "auth.unknown_user"
        assert refused.value.text("en") == 'There is no user named "".'
        assert refused.value.text("zh") == "用户“”不存在。"
