"""`PrivacyGuard.unresolved_placeholders`: the placeholders a text holds that this user's vault
does not resolve (issue 11, defect 5: a local tool must never get one silently)."""

from __future__ import annotations

from memprivacy_plugin import InMemoryVault, KnownValuesExtractor, PrivacyGuard

PHONE = "+1 415 555 0134"


def test_only_the_placeholders_this_vault_does_not_resolve() -> None:
    guard = PrivacyGuard(extractor=KnownValuesExtractor({PHONE: "Phone Number"}), vault=InMemoryVault())
    own = guard.protect(f"call {PHONE}", user_id="dana").text  # 'call <Phone_Number_1>'
    args = {"to": own.removeprefix("call "), "cc": ["<phone number 2>"], "body": "see you"}
    assert guard.placeholder_values(args, user_id="dana") == {"<Phone_Number_1>": PHONE}
    assert guard.unresolved_placeholders(args, user_id="dana") == ["<phone number 2>"]
    # another user, or another vault, resolves none of them
    assert guard.unresolved_placeholders(args, user_id="eli") == ["<Phone_Number_1>", "<phone number 2>"]
    other = PrivacyGuard(extractor=KnownValuesExtractor({}), vault=InMemoryVault())
    assert other.unresolved_placeholders(args, user_id="dana") == ["<Phone_Number_1>", "<phone number 2>"]
    assert guard.unresolved_placeholders({"body": "no placeholder"}, user_id="dana") == []
