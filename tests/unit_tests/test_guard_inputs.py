"""Inputs at the guard's edge: errors that carry no message text, lone surrogates, and JSON-like
data of any depth and container type (sets, bytes)."""

from __future__ import annotations

import asyncio
import functools
import traceback
from typing import Any

import pytest
from pydantic import BaseModel

from memprivacy_plugin import (
    ConfigError,
    ExtractionError,
    InMemoryVault,
    PrivacyGuard,
    PrivacyPolicy,
    PrivacySpan,
)
from memprivacy_plugin.extractors.known import KnownValuesExtractor

SECRET = "Tr0ub4dor&3-horse"
MESSAGE = f"my password is {SECRET}"
PHONE = "+1 415 867 5309"
KNOWN = KnownValuesExtractor({PHONE: "Phone Number", SECRET: "Password"})


# -- no exception carries the message ------------------------------------------------------------


class RaisesWithText:
    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        raise ValueError(f"cannot handle {text!r}")


class _Count(BaseModel):
    n: int


class RaisesValidationError:
    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        _Count(n=text)  # type: ignore[arg-type]  # pydantic quotes the input: input_value='my password...'
        return []


def _assert_clean(error: BaseException) -> None:
    assert error.__cause__ is None
    assert error.__context__ is None
    assert SECRET not in "".join(traceback.format_exception(error))


@pytest.mark.parametrize("bad", [RaisesWithText(), RaisesValidationError()])
def test_extraction_errors_chain_nothing(bad: object) -> None:
    with pytest.raises(ValueError, match="Tr0ub4dor") as direct:
        bad.extract(MESSAGE)  # type: ignore[attr-defined]
    assert SECRET in "".join(traceback.format_exception(direct.value))  # what would have leaked
    guard = PrivacyGuard(extractor=bad, vault=InMemoryVault())  # type: ignore[arg-type]
    with_fallback = PrivacyGuard(extractor=bad, vault=InMemoryVault(), fallback=bad)  # type: ignore[arg-type]
    calls = [
        lambda: guard.protect(MESSAGE, user_id="u1"),
        lambda: with_fallback.protect(MESSAGE, user_id="u1"),
        lambda: asyncio.run(guard.aprotect(MESSAGE, user_id="u1")),
        lambda: asyncio.run(with_fallback.aprotect(MESSAGE, user_id="u1")),
        lambda: guard.protect_batch([MESSAGE, "x"], user_id="u1"),
        lambda: with_fallback.protect_data({"m": MESSAGE}, user_id="u1"),
        lambda: asyncio.run(guard.aprotect_data([MESSAGE], user_id="u1")),
    ]
    for call in calls:
        with pytest.raises(ExtractionError) as info:
            call()
        _assert_clean(info.value)


def test_non_utf8_bytes_error_chains_nothing() -> None:
    guard = PrivacyGuard(extractor=KNOWN, vault=InMemoryVault())
    with pytest.raises(ConfigError, match="not UTF-8") as info:
        guard.protect_data({"b": SECRET.encode("utf-16")}, user_id="u1")
    assert info.value.__context__ is None
    assert info.value.__cause__ is None


# -- lone surrogates -----------------------------------------------------------------------------


class PasswordAfterIs:
    """Marks everything after "is " as a password, whatever it holds; records the user name."""

    def __init__(self) -> None:
        self.user_names: list[str | None] = []

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        self.user_names.append(user_name)
        if "is " not in text:
            return []
        start = text.index("is ") + 3
        return [
            PrivacySpan(text=text[start:], start=start, end=len(text), privacy_type="Password", level="PL4")
        ]


@pytest.mark.parametrize("policy", [PrivacyPolicy.placeholder_all(), PrivacyPolicy.default()])
def test_lone_surrogates_are_replaced_and_the_value_protected(vault, policy: PrivacyPolicy) -> None:
    extractor = PasswordAfterIs()
    guard = PrivacyGuard(extractor=extractor, vault=vault, policy=policy)
    result = guard.protect("my password is Ab1!\ud800xyz9", user_id="u1", user_name="Dana\udcff")
    result.text.encode("utf-8")  # sendable
    assert "xyz9" not in result.text
    assert "Ab1!" not in result.text
    assert extractor.user_names == ["Dana\ufffd"]
    restored = guard.restore(result.text, user_id="u1")
    if policy == PrivacyPolicy.placeholder_all():
        assert restored == "my password is Ab1!\ufffdxyz9"
    assert asyncio.run(guard.aprotect("my password is Ab1!\ud800xyz9", user_id="u1")).text == result.text
    batch = guard.protect_batch(["x \udcff y", "my password is \ud83d\ude00!"], user_id="u1")
    assert batch[0].text == "x \ufffd y"  # nothing found: only the surrogate is replaced
    assert "\U0001f600" not in batch[1].text  # a surrogate pair is its character, then protected
    for r in batch:
        r.text.encode("utf-8")


def test_restore_tolerates_surrogates(vault) -> None:
    guard = PrivacyGuard(extractor=KNOWN, vault=vault)
    placeholder = guard.protect(f"call {PHONE}", user_id="u1").text.split()[-1]
    text = f"\ud800 {placeholder} \udcff"
    assert guard.restore(text, user_id="u1") == f"\ud800 {PHONE} \udcff"
    assert asyncio.run(guard.arestore(text, user_id="u1")) == f"\ud800 {PHONE} \udcff"
    assert guard.restore_data({"a": [text]}, user_id="u1") == {"a": [f"\ud800 {PHONE} \udcff"]}
    assert "".join(guard.restore_stream([text[:5], text[5:]], user_id="u1")) == f"\ud800 {PHONE} \udcff"


@pytest.mark.parametrize("field", ["user_id", "namespace"])
def test_ids_that_are_not_text_are_a_config_error(vault, field: str) -> None:
    guard = PrivacyGuard(extractor=KNOWN, vault=vault)
    ids = {"user_id": "u1", "namespace": None, field: "u\udcff"}
    for call in (
        lambda: guard.protect(f"call {PHONE}", **ids),
        lambda: guard.restore("x <Phone_Number_1>", **ids),
        lambda: guard.forget(**ids),
    ):
        with pytest.raises(ConfigError, match=field):
            call()


# -- JSON-like data ------------------------------------------------------------------------------


def _nest(value: object, depth: int, wrap) -> object:  # type: ignore[no-untyped-def]
    for _ in range(depth):
        value = wrap(value)
    return value


def _unnest(value: object, depth: int, unwrap) -> object:  # type: ignore[no-untyped-def]
    for _ in range(depth):
        value = unwrap(value)
    return value


@pytest.mark.parametrize(
    ("wrap", "unwrap"),
    [
        (lambda v: [v], lambda v: v[0]),
        (lambda v: {"k": v}, lambda v: v["k"]),
        (lambda v: (v, 1), lambda v: v[0]),
    ],
)
def test_deep_nesting_is_protected(wrap, unwrap) -> None:  # type: ignore[no-untyped-def]
    guard = PrivacyGuard(extractor=KNOWN, vault=InMemoryVault())
    data = _nest(f"call {PHONE}", 3000, wrap)
    protected = guard.protect_data(data, user_id="u1")
    assert _unnest(protected, 3000, unwrap) == "call <Phone_Number_1>"
    assert _unnest(guard.restore_data(protected, user_id="u1"), 3000, unwrap) == f"call {PHONE}"
    assert _unnest(asyncio.run(guard.aprotect_data(data, user_id="u1")), 3000, unwrap) == (
        "call <Phone_Number_1>"
    )
    keyed = guard.protect_data(_nest(f"call {PHONE}", 3000, lambda v: {"k": v}), user_id="u1", keys=["k"])
    assert _unnest(keyed, 3000, lambda v: v["k"]) == "call <Phone_Number_1>"


def test_sets_and_bytes_are_protected_in_their_own_type() -> None:
    guard = PrivacyGuard(extractor=KNOWN, vault=InMemoryVault())
    data = {
        "set": {f"call {PHONE}", "nothing"},
        "frozen": frozenset({f"mail {PHONE}"}),
        "bytes": f"call {PHONE}".encode(),
        "buffer": bytearray(f"ring {PHONE}".encode()),
        "tuple_in_set": {(f"x {PHONE}", 1)},
    }
    protected = guard.protect_data(data, user_id="u1")
    assert protected == {
        "set": {"call <Phone_Number_1>", "nothing"},
        "frozen": frozenset({"mail <Phone_Number_1>"}),
        "bytes": b"call <Phone_Number_1>",
        "buffer": bytearray(b"ring <Phone_Number_1>"),
        "tuple_in_set": {("x <Phone_Number_1>", 1)},
    }
    assert type(protected["frozen"]) is frozenset
    assert type(protected["buffer"]) is bytearray
    assert guard.restore_data(protected, user_id="u1") == data
    assert asyncio.run(guard.aprotect_data(data, user_id="u1")) == protected


def test_bytes_that_are_not_utf8_fail_closed_unless_not_selected() -> None:
    guard = PrivacyGuard(extractor=KNOWN, vault=InMemoryVault())
    raw = b"\xff\xfe" + PHONE.encode()
    with pytest.raises(ConfigError, match="not UTF-8") as info:
        guard.protect_data({"b": raw}, user_id="u1")
    assert len(str(info.value).splitlines()) == 1
    assert PHONE not in str(info.value)
    with pytest.raises(ConfigError, match="not UTF-8"):
        asyncio.run(guard.aprotect_data([raw], user_id="u1"))
    # Not under a selected key: left alone, as every unselected value is.
    assert guard.protect_data({"b": raw, "t": PHONE}, user_id="u1", keys=["t"]) == {
        "b": raw,
        "t": "<Phone_Number_1>",
    }
    # Restoring cannot leak anything: placeholders in undecodable bytes are restored around them.
    assert guard.restore_data([b"\xff <Phone_Number_1>"], user_id="u1") == [b"\xff " + PHONE.encode()]


def test_data_that_contains_itself_is_refused() -> None:
    guard = PrivacyGuard(extractor=KNOWN, vault=InMemoryVault())
    loop: list[object] = [f"call {PHONE}"]
    loop.append(loop)
    with pytest.raises(ConfigError, match="contains itself"):
        guard.protect_data(loop, user_id="u1")
    shared = [f"call {PHONE}"]
    assert guard.protect_data([shared, shared], user_id="u1") == [["call <Phone_Number_1>"]] * 2


def test_other_objects_are_kept_as_they_are() -> None:
    guard = PrivacyGuard(extractor=KNOWN, vault=InMemoryVault())
    marker = object()
    assert guard.protect_data({"o": marker, "n": None, "i": 3, "s": PHONE}, user_id="u1") == {
        "o": marker,
        "n": None,
        "i": 3,
        "s": "<Phone_Number_1>",
    }


# -- ids of the wrong type -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "bad"),
    [("namespace", 5), ("namespace", b"ns"), ("namespace", ["a"]), ("user_id", 5), ("user_id", None)],
)
def test_ids_of_the_wrong_type_are_a_config_error(field: str, bad: object) -> None:
    guard = PrivacyGuard(extractor=KNOWN, vault=InMemoryVault())
    ids: dict[str, Any] = {"user_id": "u1", "namespace": None, field: bad}
    calls = [
        lambda: guard.protect(f"call {PHONE}", **ids),
        lambda: asyncio.run(guard.aprotect(f"call {PHONE}", **ids)),
        lambda: guard.protect_batch([f"call {PHONE}"], **ids),
        lambda: guard.protect_data({"a": f"call {PHONE}"}, **ids),
        lambda: guard.protect_data({}, **ids),  # nothing to protect: still checked
        lambda: asyncio.run(guard.aprotect_data([], **ids)),
        lambda: guard.protect_messages([{"role": "user", "content": f"call {PHONE}"}], **ids),
        lambda: guard.protect_messages([], **ids),
        lambda: guard.restore("x <Phone_Number_1>", **ids),
        lambda: asyncio.run(guard.arestore("x <Phone_Number_1>", **ids)),
        lambda: guard.restore_data(["x <Phone_Number_1>"], **ids),
        lambda: guard.restorer(**ids),
        lambda: guard.forget(**ids),
    ]
    for call in calls:
        with pytest.raises(ConfigError, match=field):
            call()


# -- an extractor's own ExtractionError -----------------------------------------------------------


class RaisesExtractionErrorWithText:
    """A third-party extractor that puts the input in its own ExtractionError."""

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        raise ExtractionError("bad input: " + text)


def test_a_third_party_extraction_error_is_named_not_quoted() -> None:
    from memprivacy_plugin import EnsembleExtractor

    bad = RaisesExtractionErrorWithText()
    alone = PrivacyGuard(extractor=bad, vault=InMemoryVault())  # type: ignore[arg-type]
    ensemble = PrivacyGuard(extractor=EnsembleExtractor([bad]), vault=InMemoryVault())  # type: ignore[list-item]
    for guard in (alone, ensemble):  # ours passing on a member's error, too
        for call in (
            functools.partial(guard.protect, MESSAGE, user_id="u1"),
            lambda g=guard: asyncio.run(g.aprotect(MESSAGE, user_id="u1")),
            functools.partial(guard.protect_batch, [MESSAGE], user_id="u1"),
        ):
            with pytest.raises(ExtractionError) as info:
                call()
            _assert_clean(info.value)
            assert "bad input" not in str(info.value)
            assert "failed (ExtractionError)" in str(info.value)


def test_our_own_extraction_errors_keep_their_words() -> None:
    from memprivacy_plugin.extractors.generative import GenerativeExtractor

    class Short(GenerativeExtractor):  # defined here, outside the package: named, not quoted
        pass

    own = GenerativeExtractor()
    own._complete = lambda conversations: []  # type: ignore[method-assign]  # no completion at all
    with pytest.raises(ExtractionError, match="0 completions for 1 texts"):
        PrivacyGuard(extractor=own, vault=InMemoryVault(), timeout=5).protect(MESSAGE, user_id="u1")
    sub = Short()
    sub._complete = lambda conversations: []  # type: ignore[method-assign]
    with pytest.raises(ExtractionError, match=r"Short failed \(ExtractionError\)"):
        PrivacyGuard(extractor=sub, vault=InMemoryVault(), timeout=5).protect(MESSAGE, user_id="u1")


# -- dict keys -----------------------------------------------------------------------------------


def test_dict_keys_are_protected_and_restored() -> None:
    guard = PrivacyGuard(extractor=KNOWN, vault=InMemoryVault())
    data = {
        PHONE: "mum",
        "n": {f"call {PHONE}": True, (f"ring {PHONE}", 1): frozenset({PHONE})},
        f"{PHONE}".encode(): [1],
        7: None,
    }
    protected = guard.protect_data(data, user_id="u1")
    assert protected == {
        "<Phone_Number_1>": "mum",
        "n": {"call <Phone_Number_1>": True, ("ring <Phone_Number_1>", 1): frozenset({"<Phone_Number_1>"})},
        b"<Phone_Number_1>": [1],
        7: None,
    }
    assert PHONE not in repr(protected)
    assert asyncio.run(guard.aprotect_data(data, user_id="u1")) == protected
    assert guard.restore_data(protected, user_id="u1") == data
    assert asyncio.run(guard.arestore_data(protected, user_id="u1")) == data


def test_the_default_guard_protects_keys() -> None:
    guard = PrivacyGuard(vault=InMemoryVault())
    data = {"13912345678": "mum", "n": {"my PIN is 4829": True}}
    protected = guard.protect_data(data, user_id="u1")
    assert protected["<Phone_Number_1>"] == "mum"
    assert "13912345678" not in repr(protected)
    assert "4829" not in repr(protected)
    restored = guard.restore_data(protected, user_id="u1")
    assert restored["13912345678"] == "mum"
    assert restored["n"] == protected["n"]  # PL4 is redacted: stored nowhere, nothing to restore


def test_with_keys_given_dict_keys_stay_as_they_are() -> None:
    guard = PrivacyGuard(extractor=KNOWN, vault=InMemoryVault())
    data = {PHONE: f"call {PHONE}", "text": {PHONE: f"call {PHONE}"}}
    assert guard.protect_data(data, user_id="u1", keys=["text"]) == {
        PHONE: f"call {PHONE}",
        "text": {PHONE: "call <Phone_Number_1>"},
    }


def test_keys_or_set_items_that_would_collide_are_refused() -> None:
    guard = PrivacyGuard(extractor=PasswordAfterIs(), vault=InMemoryVault())  # PL4: one redaction text
    for data in (
        {f"my password is {SECRET}": 1, "my password is hunter2": 2},
        {"n": {f"my password is {SECRET}", "my password is hunter2"}},
    ):
        with pytest.raises(ConfigError, match="would become the same") as info:
            guard.protect_data(data, user_id="u1")
        assert len(str(info.value).splitlines()) == 1
        assert SECRET not in str(info.value)
        _assert_clean(info.value)
    known = PrivacyGuard(extractor=KNOWN, vault=InMemoryVault())
    placeholder = known.protect(PHONE, user_id="u1").text
    with pytest.raises(ConfigError, match="would become the same"):
        known.restore_data({placeholder: 1, PHONE: 2}, user_id="u1")
