"""LangChain adapter with real langchain-core components: the runnables, `private_chain`,
streaming restore, what callbacks and tracers see, a leak test over MemPrivacy-Bench, and
`PrivacyMiddleware` in a `create_agent` agent.

The chat models are local fakes (no cloud model can be reached here) that behave like real ones
where it matters: they answer from what they were sent, rewrite placeholders (`<phone number 1>`)
and stream a few characters at a time, so placeholders arrive split across chunks.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any
from uuid import UUID

import pytest

pytest.importorskip("langchain_core")

from langchain_core.callbacks import BaseCallbackHandler, CallbackManagerForLLMRun
from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.prompt_values import ChatPromptValue, StringPromptValue
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tracers.base import BaseTracer
from langchain_core.tracers.schemas import Run
from pydantic import BaseModel, Field

from memprivacy_plugin import ConfigError, InMemoryVault, PrivacyGuard
from memprivacy_plugin.evaluation.leaks import find_leaks, protected_values
from memprivacy_plugin.extractors.known import KnownValuesExtractor
from memprivacy_plugin.integrations.langchain import (
    WITHHELD,
    PrivacyProtectRunnable,
    PrivacyRestoreRunnable,
    PrivateChain,
    private_chain,
    restore_output,
)
from memprivacy_plugin.placeholders import PLACEHOLDER_RE

PHONE = "+1 415 867 5309"
EMAIL = "dana.whitfield@fastmail.com"
NAME = "Dana Whitfield"
ILLNESS = "type 2 diabetes"
CODE = "482913"
VALUES = {PHONE, EMAIL, NAME, ILLNESS, CODE}
CFG: Any = {"configurable": {"user_id": "u-1"}}
MESSAGE = f"I'm {NAME}, text me at {PHONE} or mail {EMAIL} about my {ILLNESS}."


def known() -> KnownValuesExtractor:
    return KnownValuesExtractor(
        [
            (NAME, "Real Name", "PL2"),
            (PHONE, "Phone Number", "PL2"),
            (EMAIL, "Email", "PL2"),
            (ILLNESS, "Medical Health", "PL3"),
            (CODE, "Verification Code", "PL4"),
        ]
    )


@pytest.fixture
def guard() -> PrivacyGuard:
    return PrivacyGuard(extractor=known(), vault=InMemoryVault())


def leaked(*objects: Any, values: set[str] = VALUES) -> list[str]:
    return sorted({leak.value for leak in find_leaks((("seen", s) for s in strings(objects)), values)})


_REDACTION = re.compile(r"<[A-Za-z][A-Za-z_]*>")  # `<Password>`: a redaction (no number)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def strings(obj: Any) -> Iterator[str]:
    """Every string inside what a callback received, at any depth (run ids taken out: a short
    number such as "653" would be found inside one)."""
    if isinstance(obj, str):
        yield _UUID.sub("", obj)
    elif isinstance(obj, Mapping):
        for k, v in obj.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for v in obj:
            yield from strings(v)
    elif isinstance(obj, BaseModel):
        yield from strings(obj.model_dump())
    elif obj is not None and not isinstance(obj, (int, float, bool, UUID)):
        yield repr(obj)


# -- fakes ---------------------------------------------------------------------------------------


def rewrite(text: str) -> str:
    """What models do to placeholders: `<Phone_Number_1>` comes back as `<phone number 1>`."""
    return PLACEHOLDER_RE.sub(lambda m: m.group(0).lower().replace("_", " "), text)


class EchoChatModel(BaseChatModel):
    """Answers `You said: <the last message>` with its placeholders rewritten; streams
    `chunk_size` characters at a time; records every prompt it receives."""

    seen: list[list[BaseMessage]] = Field(default_factory=list)
    chunk_size: int = 3
    prefix: str = "You said: "

    @property
    def _llm_type(self) -> str:
        return "echo"

    def _answer(self, messages: list[BaseMessage]) -> str:
        self.seen.append(list(messages))
        return self.prefix + rewrite(messages[-1].text)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._answer(messages)))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        text = self._answer(messages)
        for i in range(0, len(text), self.chunk_size):
            piece = text[i : i + self.chunk_size]
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk


class Recorder(BaseCallbackHandler):
    """Everything any callback (a tracer, LangSmith) is handed: run inputs and outputs, prompts,
    tokens, errors."""

    raise_error = True  # a broken recorder must fail the test, not be logged and skipped

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def _add(self, event: str, *args: Any, **kwargs: Any) -> None:
        self.events.append((event, (args, kwargs)))

    def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        self._add("chain_start", serialized, inputs, **kwargs)

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self._add("chain_end", outputs, **kwargs)

    def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
        self._add("chain_error", str(error), **kwargs)

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        self._add("chat_model_start", serialized, messages, **kwargs)

    def on_llm_start(self, serialized: Any, prompts: Any, **kwargs: Any) -> None:
        self._add("llm_start", serialized, prompts, **kwargs)

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self._add("llm_new_token", token, **kwargs)

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self._add("llm_end", response, **kwargs)

    def on_tool_start(self, serialized: Any, input_str: str, **kwargs: Any) -> None:
        self._add("tool_start", serialized, input_str, **kwargs)

    def on_tool_end(self, output: Any, **kwargs: Any) -> None:
        self._add("tool_end", output, **kwargs)

    def on_text(self, text: str, **kwargs: Any) -> None:
        self._add("text", text, **kwargs)

    def names(self) -> set[str]:
        return {name for name, _ in self.events}


class RunRecorder(BaseTracer):
    """A tracer, the way LangSmith's is one: records each run's inputs when it starts (LangSmith
    posts them then) and its inputs and outputs when it ends."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[tuple[str, str, Any]] = []

    def _persist_run(self, run: Run) -> None:
        pass

    def _start_trace(self, run: Run) -> None:
        super()._start_trace(run)
        self.records.append((run.name, "start", copy.deepcopy(run.inputs)))

    def _end_trace(self, run: Run) -> None:
        self.records.append((run.name, "end", copy.deepcopy((run.inputs, run.outputs, run.error))))
        super()._end_trace(run)

    def leaking_runs(self, values: set[str] = VALUES) -> set[str]:
        return {name for name, _, payload in self.records if leaked(payload, values=values)}


# -- protect / restore: every input shape ---------------------------------------------------------


def shapes() -> list[Any]:
    ai = AIMessage(
        content="Sure, I'll text you.",
        id="a1",
        tool_calls=[{"name": "send_sms", "args": {"to": PHONE, "text": f"Hi {NAME}"}, "id": "c1"}],
    )
    return [
        MESSAGE,
        HumanMessage(MESSAGE, id="h1", name="dana", additional_kwargs={"x": 1}),
        [
            SystemMessage(f"The user is {NAME}.", id="s1"),
            HumanMessage(MESSAGE, id="h1"),
            ai,
            ToolMessage(f"Sent to {PHONE}", tool_call_id="c1", id="t1"),
        ],
        [("system", f"The user is {NAME}."), ("human", MESSAGE)],
        [{"role": "user", "content": MESSAGE}, {"role": "assistant", "content": f"Hello {NAME}"}],
        HumanMessage([{"type": "text", "text": MESSAGE}, {"type": "image_url", "image_url": {"url": "x"}}]),
        ChatPromptValue(messages=[SystemMessage(f"User: {NAME}"), HumanMessage(MESSAGE)]),
        StringPromptValue(text=MESSAGE),
        {"question": MESSAGE, "history": [HumanMessage(f"call {PHONE}")], "k": 3},
        Document(page_content=MESSAGE, metadata={"author": NAME}, id="d1"),
    ]


@pytest.mark.parametrize("value", shapes(), ids=lambda v: type(v).__name__)
def test_protect_keeps_shape_and_restore_gives_it_back(guard: PrivacyGuard, value: Any) -> None:
    protect, restore = PrivacyProtectRunnable(guard), PrivacyRestoreRunnable(guard)
    protected = protect.invoke(value, CFG)
    assert type(protected) is type(value)
    assert leaked(protected) == []
    assert "<Phone_Number_1>" in json.dumps(list(strings(protected)))
    if isinstance(value, list):
        assert [type(m) for m in protected] == [type(m) for m in value]
        assert [getattr(m, "id", None) for m in protected] == [getattr(m, "id", None) for m in value]
    if isinstance(value, BaseMessage):
        assert (protected.id, protected.name, protected.additional_kwargs) == (
            value.id,
            value.name,
            value.additional_kwargs,
        )
    assert restore.invoke(protected, CFG) == value


def test_ai_tool_call_arguments_are_protected_and_restored(guard: PrivacyGuard) -> None:
    ai = shapes()[2][2]
    protected = PrivacyProtectRunnable(guard).invoke(ai, CFG)
    assert protected.tool_calls[0]["args"] == {"to": "<Phone_Number_1>", "text": "Hi <Real_Name_1>"}
    assert PrivacyRestoreRunnable(guard).invoke(protected, CFG) == ai
    kept = PrivacyRestoreRunnable(guard, restore_tool_args=False).invoke(protected, CFG)
    assert kept.tool_calls[0]["args"]["to"] == "<Phone_Number_1>"


def test_roles_limit_what_is_protected(guard: PrivacyGuard) -> None:
    messages = [SystemMessage(f"The user is {NAME}."), HumanMessage(MESSAGE)]
    out = PrivacyProtectRunnable(guard, roles={"user"}).invoke(messages, CFG)
    assert out[0].content == f"The user is {NAME}."
    assert leaked(out[1]) == []


def test_pl4_is_redacted_and_not_restored(guard: PrivacyGuard) -> None:
    protected = PrivacyProtectRunnable(guard).invoke(f"my code is {CODE}", CFG)
    assert CODE not in protected
    assert CODE not in PrivacyRestoreRunnable(guard).invoke(protected, CFG)


def test_unsupported_input_is_refused(guard: PrivacyGuard) -> None:
    with pytest.raises(ConfigError, match="cannot protect a object"):
        PrivacyProtectRunnable(guard).invoke(object(), CFG)


def test_restore_structured_output(guard: PrivacyGuard) -> None:
    class Contact(BaseModel):
        name: str
        phone: str

    p = PrivacyProtectRunnable(guard).invoke(f"{NAME} {PHONE}", CFG)
    name, phone = p.split(" ", 1)
    assert PrivacyRestoreRunnable(guard).invoke(Contact(name=name, phone=phone), CFG) == Contact(
        name=NAME, phone=PHONE
    )
    assert PrivacyRestoreRunnable(guard).invoke({"to": [phone]}, CFG) == {"to": [PHONE]}


# -- identity ------------------------------------------------------------------------------------


def test_user_comes_from_configurable_and_users_are_isolated(guard: PrivacyGuard) -> None:
    protect, restore = PrivacyProtectRunnable(guard), PrivacyRestoreRunnable(guard)
    a = protect.invoke(PHONE, {"configurable": {"user_id": "alice", "namespace": "chat"}})
    assert restore.invoke(a, {"configurable": {"user_id": "alice", "namespace": "chat"}}) == PHONE
    assert restore.invoke(a, {"configurable": {"user_id": "alice"}}) == a  # another namespace
    assert restore.invoke(a, {"configurable": {"user_id": "bob", "namespace": "chat"}}) == a


def test_missing_user_id_is_refused(guard: PrivacyGuard) -> None:
    model = EchoChatModel()
    runnables = (PrivacyProtectRunnable(guard), PrivacyRestoreRunnable(guard), private_chain(model, guard))
    for runnable in runnables:
        with pytest.raises(ConfigError, match="no user id"):
            runnable.invoke(MESSAGE)
        with pytest.raises(ConfigError, match="no user id"):
            runnable.invoke(MESSAGE, {"configurable": {"thread_id": "t"}})
    assert model.seen == []  # nothing reached the model


def test_default_user_on_the_runnable(guard: PrivacyGuard) -> None:
    chain = private_chain(EchoChatModel(), guard, user_id="u-9")
    assert chain.invoke(MESSAGE).content == f"You said: {MESSAGE}"
    assert PrivacyRestoreRunnable(guard, user_id="u-9").invoke("<Phone_Number_1>") == PHONE


# -- private_chain: sync, async, batch -----------------------------------------------------------


def test_chain_round_trip_sync_async_batch(guard: PrivacyGuard) -> None:
    model = EchoChatModel()
    chain = private_chain(model, guard)
    assert isinstance(chain, PrivateChain)
    answer = chain.invoke(MESSAGE, CFG)
    assert isinstance(answer, AIMessage)
    assert answer.content == f"You said: {MESSAGE}"
    assert leaked(model.seen) == []
    assert "<phone number 1>" in private_chain(model, guard, restore=False).invoke(MESSAGE, CFG).content

    assert asyncio.run(chain.ainvoke(MESSAGE, CFG)).content == f"You said: {MESSAGE}"
    other = f"{NAME} again"
    outs = chain.batch([MESSAGE, other], [CFG, {"configurable": {"user_id": "u-2"}}])
    assert [o.content for o in outs] == [f"You said: {MESSAGE}", f"You said: {other}"]
    outs = asyncio.run(chain.abatch([MESSAGE, other], CFG))
    assert [o.content for o in outs] == [f"You said: {MESSAGE}", f"You said: {other}"]
    assert leaked(model.seen) == []


def test_protect_batch_and_abatch(guard: PrivacyGuard) -> None:
    protect = PrivacyProtectRunnable(guard)
    out = protect.batch([PHONE, EMAIL, PHONE], CFG)
    assert out == ["<Phone_Number_1>", "<Email_1>", "<Phone_Number_1>"]
    assert asyncio.run(protect.abatch([EMAIL, PHONE], CFG)) == ["<Email_1>", "<Phone_Number_1>"]
    mixed = protect.batch([PHONE, PHONE], [CFG, {}], return_exceptions=True)
    assert mixed[0] == "<Phone_Number_1>"
    assert isinstance(mixed[1], ConfigError)


def test_prompt_inside_the_chain_gets_protected_variables(guard: PrivacyGuard) -> None:
    model = EchoChatModel()
    prompt = ChatPromptTemplate.from_messages([("system", "Be brief."), ("human", "{question}")])
    chain = private_chain(prompt | model, guard)
    assert chain.invoke({"question": MESSAGE}, CFG).content == f"You said: {MESSAGE}"
    assert leaked(model.seen) == []


# -- streaming -----------------------------------------------------------------------------------


def test_stream_restores_chunk_by_chunk(guard: PrivacyGuard) -> None:
    model = EchoChatModel(chunk_size=3)
    chain = private_chain(model, guard)
    chunks = list(chain.stream(MESSAGE, CFG))
    assert len(chunks) > 10
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    assert "".join(c.content for c in chunks) == f"You said: {MESSAGE}"
    assert len({c.id for c in chunks}) == 1  # one message, id kept
    assert leaked(model.seen) == []

    async def collect() -> list[Any]:
        return [c async for c in chain.astream(MESSAGE, CFG)]

    achunks = asyncio.run(collect())
    assert len(achunks) > 10
    assert "".join(c.content for c in achunks) == f"You said: {MESSAGE}"


def test_stream_releases_text_before_the_stream_ends(guard: PrivacyGuard) -> None:
    PrivacyProtectRunnable(guard).invoke(PHONE, CFG)
    log: list[str] = []

    def source() -> Iterator[str]:
        for piece in ["Call ", "<Pho", "ne_Num", "ber_1", "> now ", "please"]:
            log.append(f"in {piece!r}")
            yield piece

    for out in PrivacyRestoreRunnable(guard).transform(source(), CFG):
        log.append(f"out {out!r}")
    assert log == [
        "in 'Call '",
        "out 'Call '",
        "in '<Pho'",
        "in 'ne_Num'",
        "in 'ber_1'",
        "in '> now '",
        f"out '{PHONE} now '",
        "in 'please'",
        "out 'please'",
    ]


def test_stream_tail_goes_out_in_a_last_chunk(guard: PrivacyGuard) -> None:
    PrivacyProtectRunnable(guard).invoke(PHONE, CFG)
    pieces = [AIMessageChunk(content=p, id="run-1") for p in ["hi ", "<Phone_Number_1", "> <Pho"]]
    out = list(PrivacyRestoreRunnable(guard).transform(iter(pieces), CFG))
    assert [type(c) for c in out] == [AIMessageChunk] * 4
    assert [c.content for c in out] == ["hi ", "", f"{PHONE} ", "<Pho"]
    assert {c.id for c in out} == {"run-1"}


def test_stream_restores_tool_call_arguments_json_escaped(guard: PrivacyGuard) -> None:
    quoted = 'He said "call me"'
    guard.extractor.add(quoted, "Communication Content", "PL3")  # type: ignore[attr-defined]
    PrivacyProtectRunnable(guard).invoke(f"{PHONE} {quoted}", CFG)
    args = json.dumps({"to": "<Phone_Number_1>", "note": "<Communication_Content_1>"})
    pieces = [args[i : i + 4] for i in range(0, len(args), 4)]
    chunks = [
        AIMessageChunk(
            content="",
            id="run-2",
            tool_call_chunks=[{"name": "send_sms" if i == 0 else None, "args": p, "id": "c1", "index": 0}],
        )
        for i, p in enumerate(pieces)
    ]
    out = list(PrivacyRestoreRunnable(guard).transform(iter(chunks), CFG))
    total = out[0]
    for c in out[1:]:
        total = total + c
    assert total.tool_calls[0]["args"] == {"to": PHONE, "note": quoted}


def test_str_stream(guard: PrivacyGuard) -> None:
    PrivacyProtectRunnable(guard).invoke(PHONE, CFG)
    out = list(PrivacyRestoreRunnable(guard).transform(iter(["a <phone", " number 1", ">!"]), CFG))
    assert "".join(out) == f"a {PHONE}!"


# -- what callbacks and tracers see --------------------------------------------------------------


def test_callbacks_never_see_clear_values(guard: PrivacyGuard) -> None:
    recorder, tracer = Recorder(), RunRecorder()
    config: Any = {**CFG, "callbacks": [recorder, tracer]}
    model = EchoChatModel()
    chain = private_chain(model, guard)
    prompt_chain = private_chain(ChatPromptTemplate.from_messages([("human", "{q}")]) | model, guard)

    assert chain.invoke(MESSAGE, config).content == f"You said: {MESSAGE}"
    assert "".join(c.content for c in chain.stream(MESSAGE, config)) == f"You said: {MESSAGE}"
    chain.batch([MESSAGE, MESSAGE], config)
    asyncio.run(chain.ainvoke(MESSAGE, config))

    async def astream() -> str:
        return "".join([c.content async for c in chain.astream(MESSAGE, config)])

    assert asyncio.run(astream()) == f"You said: {MESSAGE}"
    prompt_chain.invoke({"q": MESSAGE}, config)
    PrivacyProtectRunnable(guard).invoke([HumanMessage(MESSAGE)], config)
    PrivacyRestoreRunnable(guard).invoke("<Phone_Number_1>", config)
    list(PrivacyRestoreRunnable(guard).transform(iter(["<Phone_", "Number_1>"]), config))
    with pytest.raises(ConfigError):
        chain.invoke(MESSAGE, {"callbacks": [recorder]})

    # The callbacks saw every kind of event, the model's prompts and tokens included ...
    assert {"chain_start", "chain_end", "chat_model_start", "llm_new_token", "llm_end", "chain_error"} <= (
        recorder.names()
    )
    seen = list(strings(recorder.events))
    assert WITHHELD in seen
    assert any("<Phone_Number_1>" in s for s in seen)
    # ... and not one clear value: not the user's input, not the restored answer.
    assert leaked(recorder.events) == []
    assert {name for name, _, _ in tracer.records} >= {
        "PrivateChain",
        "EchoChatModel",
        "PrivacyRestoreRunnable",
    }
    assert tracer.leaking_runs() == set()


def test_astream_events_inner_runs_show_placeholder_form(guard: PrivacyGuard) -> None:
    chain = private_chain(EchoChatModel(), guard)

    async def events() -> list[Any]:
        return [e async for e in chain.astream_events(MESSAGE, CFG, version="v2")]

    seen = asyncio.run(events())
    # The root's own events are the caller's input and the restored stream it asked for ...
    root = [e for e in seen if e["name"] == "PrivateChain"]
    streamed = "".join(e["data"]["chunk"].content for e in root if e["event"] == "on_chain_stream")
    assert streamed == f"You said: {MESSAGE}"
    # ... every run inside it (model, protect, restore) shows the placeholder form only.
    inner = [{k: v for k, v in e.items() if k != "run_id"} for e in seen if e["name"] != "PrivateChain"]
    assert any(e["event"] == "on_chat_model_stream" for e in inner)
    assert leaked(inner) == []


def test_manual_sequence_records_clear_text_in_its_own_run(guard: PrivacyGuard) -> None:
    """Why `private_chain` is not a RunnableSequence: the sequence's own run records its input."""
    recorder = Recorder()
    chain = PrivacyProtectRunnable(guard) | EchoChatModel() | PrivacyRestoreRunnable(guard)
    assert chain.invoke(MESSAGE, {**CFG, "callbacks": [recorder]}).content == f"You said: {MESSAGE}"
    assert leaked(recorder.events) != []


# -- leak test over MemPrivacy-Bench -------------------------------------------------------------


def test_no_leak_over_memprivacy_bench() -> None:
    """Every user message of MemPrivacy-Bench through `private_chain`, one oracle guard per user
    (the extractor finds exactly that user's gold values) over one shared vault: no value the
    default policy protects reaches the model or the callbacks, and the user gets the answer
    back with their own values."""
    from memprivacy_plugin.evaluation.datasets import (
        DATASETS,
        load_memprivacy,
        oracle_extractor,
        shared_data_dir,
    )

    if not (shared_data_dir() / DATASETS["memprivacy-bench"]).is_file():
        pytest.skip("MemPrivacy-Bench is not in ../shared/data")
    records = load_memprivacy("memprivacy-bench")
    vault = InMemoryVault()
    total = redacted = 0
    for record in records:
        guard = PrivacyGuard(extractor=oracle_extractor([record]), vault=vault)
        model = EchoChatModel(prefix="")  # answers with the message it got, placeholders rewritten
        recorder = Recorder()
        config: Any = {"configurable": {"user_id": record.uuid}, "callbacks": [recorder]}
        inputs = [d.content for d in record.dialogues]
        gold = [(s.text, s.privacy_type, s.level) for d in record.dialogues for s in d.spans]
        values = protected_values(gold)

        answers = private_chain(model, guard).batch(inputs, config)

        prompts = [(f"{record.uuid} model", m.text) for call in model.seen for m in call]
        assert len(prompts) == len(inputs)
        assert find_leaks(prompts, values) == []
        assert find_leaks(((f"{record.uuid} callbacks", s) for s in strings(recorder.events)), values) == []
        for answer, sent in zip(answers, inputs, strict=True):
            # Equal to the message, except where a PL4 value was redacted (never stored).
            parts = _REDACTION.split(answer.content)
            assert re.fullmatch(".+?".join(map(re.escape, parts)), sent, re.DOTALL), answer.content
            redacted += len(parts) - 1
        total += len(inputs)
    assert total > 1000
    assert 0 < redacted < total


# -- PrivacyMiddleware in a create_agent agent ---------------------------------------------------


class ToolCallingModel(BaseChatModel):
    """First turn: calls `send_sms` and `web_search` with the placeholder it was given for the
    user's phone number; second turn: answers with what the tools returned."""

    seen: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "tool-calling-fake"

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.seen.append(list(messages))
        results = [m for m in messages if isinstance(m, ToolMessage)]
        if not results:
            human = next(m for m in reversed(messages) if isinstance(m, HumanMessage))
            placeholder = PLACEHOLDER_RE.search(human.text)
            assert placeholder is not None, "the model should get a placeholder"
            to = placeholder.group(0)
            message = AIMessage(
                content="",
                tool_calls=[
                    {"name": "send_sms", "args": {"to": to, "text": "running late"}, "id": "call_1"},
                    {"name": "web_search", "args": {"query": f"owner of {to}"}, "id": "call_2"},
                ],
            )
        else:
            message = AIMessage(content="Done. " + " | ".join(m.text for m in results))
        return ChatResult(generations=[ChatGeneration(message=message)])


def build_agent(
    guard: PrivacyGuard, middleware: Any = None, **options: Any
) -> tuple[Any, ToolCallingModel, dict[str, list[str]]]:
    pytest.importorskip("langchain.agents")
    from langchain.agents import create_agent
    from langchain_core.tools import tool

    from memprivacy_plugin.integrations.langchain import PrivacyMiddleware

    received: dict[str, list[str]] = {"send_sms": [], "web_search": []}

    @tool
    def send_sms(to: str, text: str) -> str:
        """Send an SMS (runs locally)."""
        received["send_sms"].append(to)
        return f"SMS to {to} sent: {text}"

    @tool
    def web_search(query: str) -> str:
        """Search the web (a cloud service)."""
        received["web_search"].append(query)
        return "no results"

    model = ToolCallingModel()
    agent = create_agent(
        model,
        tools=[send_sms, web_search],
        system_prompt=f"You assist {NAME}.",
        middleware=[middleware or PrivacyMiddleware(guard, remote_tools={"web_search"}, **options)],
    )
    return agent, model, received


def test_middleware_protects_model_and_restores_local_tool_arguments(guard: PrivacyGuard) -> None:
    agent, model, received = build_agent(guard)
    result = agent.invoke({"messages": [{"role": "user", "content": f"Text {PHONE} that I'm late"}]}, CFG)

    assert received["send_sms"] == [PHONE]  # the local tool got the real number
    assert received["web_search"] == ["owner of <Phone_Number_1>"]  # the cloud tool did not
    assert len(model.seen) == 2
    assert leaked(model.seen) == []  # not the message, the system prompt or the tool's result
    tool_results = [m.text for m in model.seen[1] if isinstance(m, ToolMessage)]
    assert tool_results == ["SMS to <Phone_Number_1> sent: running late", "no results"]
    assert leaked(result) == []  # the state (what a checkpointer stores) is placeholder form

    shown = restore_output(result, guard, CFG)
    assert shown["messages"][0].content == f"Text {PHONE} that I'm late"
    assert shown["messages"][-1].content == f"Done. SMS to {PHONE} sent: running late | no results"
    assert [m.id for m in shown["messages"]] == [m.id for m in result["messages"]]


def test_middleware_async_and_restore_output_option(guard: PrivacyGuard) -> None:
    agent, model, received = build_agent(guard, restore_output=True)
    request = {"messages": [HumanMessage(f"Text {PHONE} please")]}
    result = asyncio.run(agent.ainvoke(request, {"configurable": {"user_id": "u-1"}}))
    assert received["send_sms"] == [PHONE]
    assert leaked(model.seen) == []
    assert result["messages"][-1].content == f"Done. SMS to {PHONE} sent: running late | no results"
    assert leaked(result["messages"][:-1]) == []


def test_middleware_needs_a_user(guard: PrivacyGuard) -> None:
    agent, model, _ = build_agent(guard)
    with pytest.raises(ConfigError, match="no user id"):
        agent.invoke({"messages": [{"role": "user", "content": f"Text {PHONE}"}]})
    assert model.seen == []


def test_package_does_not_import_langchain_and_the_error_names_the_extra() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import memprivacy_plugin, memprivacy_plugin.integrations; "
        "assert 'langchain_core' not in sys.modules, 'memprivacy_plugin imported langchain_core'; "
        "sys.modules['langchain_core'] = None\n"
        "try:\n import memprivacy_plugin.integrations.langchain\n"
        "except ImportError as e:\n print(e)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'memprivacy-plugin[langchain]'" in out


def test_agent_traces_hold_clear_values_only_in_local_tool_runs(guard: PrivacyGuard) -> None:
    """What a tracer (LangSmith) records of an agent run: placeholder form everywhere except the
    runs of local tools, which get the real values by design; with the input protected by
    `protect_input`, the agent's own run too."""
    pytest.importorskip("langchain.agents")
    from memprivacy_plugin.integrations.langchain import PrivacyMiddleware

    mw = PrivacyMiddleware(guard, remote_tools={"web_search"})
    agent, model, received = build_agent(guard, middleware=mw)
    tracer = RunRecorder()
    config: Any = {**CFG, "callbacks": [tracer]}
    text = f"Text {PHONE} that I'm late"

    agent.invoke({"messages": mw.protect_input([("user", text)], config)}, config)
    assert received["send_sms"] == [PHONE]
    assert tracer.leaking_runs() == {"send_sms"}
    assert leaked(model.seen) == []

    tracer.records.clear()
    agent.invoke({"messages": [("user", text)]}, config)  # the clear input is the graph's own input
    assert tracer.leaking_runs() == {"LangGraph", "send_sms"}


def test_middleware_reads_the_user_from_the_run_context(guard: PrivacyGuard) -> None:
    agent, model, received = build_agent(guard)
    request = {"messages": [{"role": "user", "content": f"Text {PHONE} that I'm late"}]}
    result = agent.invoke(request, context={"user_id": "u-ctx"})
    assert received["send_sms"] == [PHONE]
    assert leaked(model.seen) == []
    shown = restore_output(result, guard, user_id="u-ctx")
    assert shown["messages"][-1].content == f"Done. SMS to {PHONE} sent: running late | no results"
