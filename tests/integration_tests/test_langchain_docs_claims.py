"""What docs/integrations/langchain.md claims, each checked with real LangChain and LangGraph parts
(issue 11, defect 10):

- a step inside `private_chain` (an output parser) sees placeholders, a step after it sees the
  restored answer, and callbacks record exactly that;
- `ChatOpenAI`, as the page uses it, runs offline: tiktoken is never asked for an encoding;
- `create_agent` + `PrivacyMiddleware` and LangGraph's prebuilt `create_react_agent`
  (`PrivateToolNode` as `tools`) wrapped in `private_graph`, invoked the plain way with a real
  SqliteSaver file: the file holds placeholders only, the components given no guard use the
  wrapper's, the user gets restored answers and streams, and a tracer sees clear values only in
  the local tool's run;
- the same agents bare (`privacy_node` as `pre_model_hook` for `create_react_agent`): the file
  holds placeholders only when the input is protected at the edge (`protect_input`), and the clear
  input (the `__start__` task's write, the step -1 and 0 checkpoints) when it is not;
- what LangChain's own `PIIMiddleware` (langchain 1.5) does and does not do, as the comparison
  table says.

The chat models are local fakes that record what they were sent (what a cloud model would see),
except for the `ChatOpenAI` tests, which talk to the docs' stand-in OpenAI server.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import json
import sqlite3
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

pytest.importorskip("langchain.agents")
pytest.importorskip("langgraph.checkpoint.sqlite")

from langchain.agents import create_agent
from langchain.agents.middleware import PIIDetectionError, PIIMiddleware
from langchain_core.callbacks import BaseCallbackHandler, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnableLambda
from langchain_core.tools import tool
from langgraph.checkpoint.sqlite import SqliteSaver
from pydantic import Field
from test_langchain import (
    CFG,
    EMAIL,
    MESSAGE,
    NAME,
    PHONE,
    VALUES,
    EchoChatModel,
    RunRecorder,
    ToolCallingModel,
    known,
    leaked,
    strings,
)

from memprivacy_plugin import InMemoryVault, PrivacyGuard
from memprivacy_plugin.integrations.langchain import PrivacyMiddleware, private_chain, restore_output
from memprivacy_plugin.integrations.langgraph import (
    PrivateToolNode,
    aprotect_input,
    arestore_result,
    privacy_node,
    private_graph,
    protect_input,
    restore_result,
)

DOCS_TESTS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture
def guard() -> PrivacyGuard:
    return PrivacyGuard(extractor=known(), vault=InMemoryVault())


def thread(name: str, user: str = "u-1") -> dict[str, Any]:
    return {"configurable": {"user_id": user, "thread_id": name}}


def saver(path: Path) -> SqliteSaver:
    return SqliteSaver(sqlite3.connect(path, check_same_thread=False))


def clear_in_files(folder: Path, values: set[str] = VALUES) -> set[str]:
    """The values found, as UTF-8 bytes, in any file under `folder` (a grep -r: the database, its
    WAL and its shared-memory file)."""
    data = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    return {v for v in values if v.encode() in data}


def where_in_file(path: Path, value: str) -> set[str]:
    """Where a SqliteSaver file holds `value` in clear: `<task> -> <channel>` for rows of the
    `writes` table, `step <n>` for checkpoints (their msgpack blobs searched as raw bytes)."""
    conn = sqlite3.connect(path)
    try:
        writes = conn.execute("SELECT task_path, channel, value FROM writes").fetchall()
        checkpoints = conn.execute("SELECT checkpoint, metadata FROM checkpoints").fetchall()
    finally:
        conn.close()
    found = {
        f"{task.split(', ')[-1]} -> {channel}"
        for task, channel, blob in writes
        if value.encode() in bytes(blob)
    }
    for blob, metadata in checkpoints:
        if value.encode() in bytes(blob):
            found.add(f"step {json.loads(bytes(metadata))['step']}")
    return found


# -- a step inside or after private_chain ----------------------------------------------------------


class StepRecorder(BaseCallbackHandler):
    """A callback handler as a tracer uses one: each run's name, the inputs it starts with, the
    outputs it ends with, and the prompts of LLM runs (`on_llm_start`: a handler without
    `on_chat_model_start` gets a chat model's prompts there, as strings)."""

    raise_error = True

    def __init__(self) -> None:
        self.names: dict[UUID, str] = {}
        self.payloads: dict[UUID, list[Any]] = {}

    def on_chain_start(self, serialized: Any, inputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.names[run_id] = kwargs.get("name") or "?"
        self.payloads.setdefault(run_id, []).append(inputs)

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.payloads.setdefault(run_id, []).append((kwargs.get("inputs"), outputs))

    def on_llm_start(self, serialized: Any, prompts: list[str], *, run_id: UUID, **kwargs: Any) -> None:
        self.names[run_id] = "llm"  # a chat model's run, as the handler sees it
        self.payloads.setdefault(run_id, []).append(prompts)

    def runs_with(self, *texts: str) -> set[str]:
        """Names of the runs whose recorded payload holds any of `texts`."""
        return {
            self.names[run]
            for run, payload in self.payloads.items()
            if any(t in s for s in strings(payload) for t in texts)
        }

    def payload_of(self, name: str) -> list[str]:
        return [s for run, p in self.payloads.items() if self.names[run] == name for s in strings(p)]


def prompt_template() -> ChatPromptTemplate:
    return ChatPromptTemplate.from_messages(
        [("system", "You are a helpful assistant."), ("human", "{question}")]
    )


def to_text(message: Any) -> str:
    return str(message.content)


@pytest.mark.parametrize(
    "after", [StrOutputParser(), RunnableLambda(to_text)], ids=["StrOutputParser", "RunnableLambda"]
)
def test_a_step_outside_private_chain_records_clear_text_inside_placeholders(
    guard: PrivacyGuard, after: Runnable[Any, str]
) -> None:
    step = after.get_name()
    model = EchoChatModel()
    inside = private_chain(prompt_template() | model | after, guard)
    outside = private_chain(prompt_template() | model, guard) | after
    question = {"question": MESSAGE}

    recorder = StepRecorder()
    assert inside.invoke(question, {**CFG, "callbacks": [recorder]}) == f"You said: {MESSAGE}"
    assert step in recorder.names.values()
    assert recorder.runs_with(*VALUES) == set()
    # Inside, the step worked on the model's answer in placeholder form (the model rewrote it).
    assert any("<phone number 1>" in s for s in recorder.payload_of(step))
    assert any("<Phone_Number_1>" in s for s in recorder.payload_of("llm"))

    recorder = StepRecorder()
    assert outside.invoke(question, {**CFG, "callbacks": [recorder]}) == f"You said: {MESSAGE}"
    # After it: the step got the restored answer, and the sequence `|` built holds the question
    # and the restored answer; everything inside private_chain still saw placeholders only.
    assert recorder.runs_with(*VALUES) == {"RunnableSequence", step}
    assert any(PHONE in s for s in recorder.payload_of(step))
    assert not any(PHONE in s for s in recorder.payload_of("llm"))
    assert leaked(model.seen) == []


def test_a_parser_inside_private_chain_streams_restored_text(guard: PrivacyGuard) -> None:
    model = EchoChatModel(chunk_size=3)
    chain = private_chain(prompt_template() | model | StrOutputParser(), guard)
    recorder = StepRecorder()
    config: Any = {**CFG, "callbacks": [recorder]}
    chunks = list(chain.stream({"question": MESSAGE}, config))
    assert all(isinstance(c, str) for c in chunks)
    assert len(chunks) > 10
    assert "".join(chunks) == f"You said: {MESSAGE}"

    async def collect() -> list[str]:
        return [c async for c in chain.astream({"question": MESSAGE}, config)]

    assert "".join(asyncio.run(collect())) == f"You said: {MESSAGE}"
    assert recorder.runs_with(*VALUES) == set()
    assert leaked(model.seen) == []


# -- ChatOpenAI as the page uses it: against the stand-in server, offline --------------------------


@pytest.fixture
def openai_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The docs' stand-in OpenAI server, and tiktoken made to fail if anything asks it for an
    encoding (it would download one; there is no network here)."""
    pytest.importorskip("langchain_openai")
    import tiktoken

    def offline(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("tiktoken was asked for an encoding (a download)")

    monkeypatch.setattr(tiktoken, "get_encoding", offline)
    monkeypatch.setattr(tiktoken, "encoding_for_model", offline)
    sys.path.insert(0, str(DOCS_TESTS))
    try:
        from fake_openai import FakeOpenAIServer
    finally:
        sys.path.remove(str(DOCS_TESTS))
    server = FakeOpenAIServer()
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    yield server
    server.close()
    assert server.cloud_leaks() == []


def test_chat_openai_chain_runs_offline_without_tiktoken(openai_server: Any, guard: PrivacyGuard) -> None:
    from langchain_openai import ChatOpenAI

    chain = private_chain(prompt_template() | ChatOpenAI(model="gpt-4.1-mini") | StrOutputParser(), guard)
    question = {"question": f"Text me at {PHONE}"}
    assert chain.invoke(question, CFG) == f"Noted: Text me at {PHONE}"
    assert "".join(chain.stream(question, CFG)) == f"Noted: Text me at {PHONE}"
    assert chain.batch([question, question], CFG) == [f"Noted: Text me at {PHONE}"] * 2
    assert asyncio.run(chain.ainvoke(question, CFG)) == f"Noted: Text me at {PHONE}"
    asked = [m["content"] for r in openai_server.requests for m in r["messages"] if m["role"] == "user"]
    assert len(asked) == 5
    assert set(asked) == {"Text me at <Phone_Number_1>"}


def test_chat_openai_agents_run_offline_without_tiktoken(
    openai_server: Any, guard: PrivacyGuard, tmp_path: Path
) -> None:
    from langchain_openai import ChatOpenAI
    from langgraph.prebuilt import create_react_agent

    privacy = PrivacyMiddleware(guard)
    agent = create_agent("openai:gpt-4.1-mini", tools=[send_sms], middleware=[privacy])
    text = f"Text {PHONE} that I'm late"
    result = agent.invoke({"messages": privacy.protect_input([("user", text)], CFG)}, CFG)
    assert restore_output(result, guard, CFG)["messages"][-1].content == f"Noted: {text}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        react = create_react_agent(
            ChatOpenAI(model="gpt-4.1-mini"),
            tools=PrivateToolNode([send_sms], guard),
            pre_model_hook=privacy_node(guard),
        )
    out = react.invoke(protect_input({"messages": [("user", text)]}, guard, CFG), CFG)
    assert restore_result(out, guard, CFG)["messages"][-1].content == f"Noted: {text}"


# -- agents with a checkpointer file ---------------------------------------------------------------

sent: dict[str, list[str]] = {"send_sms": [], "web_search": []}


@tool
def send_sms(to: str, text: str) -> str:
    """Send a text message (runs locally)."""
    sent["send_sms"].append(to)
    return f"SMS to {to} sent: {text}"


@tool
def web_search(query: str) -> str:
    """Search the web (a remote service)."""
    sent["web_search"].append(query)
    return "no results"


@pytest.fixture(autouse=True)
def _fresh_tools() -> None:
    for calls in sent.values():
        calls.clear()


def react_agent(
    guard: PrivacyGuard | None, path: Path | None, **options: Any
) -> tuple[Any, ToolCallingModel]:
    from langgraph.prebuilt import create_react_agent

    model = ToolCallingModel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # deprecated in LangGraph 1.0, still used
        agent = create_react_agent(
            model,
            tools=PrivateToolNode([send_sms, web_search], guard, remote_tools={"web_search"}),
            pre_model_hook=privacy_node(guard),
            checkpointer=saver(path) if path is not None else None,
            **options,
        )
    return agent, model


def test_create_react_agent_with_privacy_components_and_a_sqlite_file(
    guard: PrivacyGuard, tmp_path: Path
) -> None:
    agent, model = react_agent(guard, tmp_path / "react.sqlite")
    config = thread("t-react")
    text = f"Text {PHONE} that I'm late, {NAME} here"

    out = agent.invoke(protect_input({"messages": [("user", text)]}, guard, config), config)

    assert sent == {"send_sms": [PHONE], "web_search": ["owner of <Phone_Number_1>"]}
    assert len(model.seen) == 2
    assert leaked(model.seen) == []  # the message, the tool call, the local tool's result
    tool_results = [m.text for m in model.seen[1] if isinstance(m, ToolMessage)]
    assert tool_results == ["SMS to <Phone_Number_1> sent: running late", "no results"]
    assert leaked(out) == []
    shown = restore_result(out, guard, config)
    assert shown["messages"][0].content == text
    assert shown["messages"][-1].content == f"Done. SMS to {PHONE} sent: running late | no results"
    assert clear_in_files(tmp_path) == set()

    # A second turn passed in clear: the hook still protects it before the model sees it, and the
    # state keeps the placeholder form; the checkpointer saved the clear input before any node ran.
    follow_up = f"Also mail {EMAIL}"
    agent.invoke({"messages": [("user", follow_up)]}, config)
    assert leaked(model.seen) == []
    state = agent.get_state(config).values["messages"]
    assert leaked(state) == []
    assert "Also mail <Email_1>" in [m.content for m in state]
    assert clear_in_files(tmp_path) == {EMAIL}


def test_create_react_agent_without_protect_input_writes_the_clear_input(
    guard: PrivacyGuard, tmp_path: Path
) -> None:
    agent, model = react_agent(guard, tmp_path / "react.sqlite")
    agent.invoke({"messages": [("user", f"Text {PHONE} that I'm late")]}, thread("t-clear"))
    assert leaked(model.seen) == []  # the model is safe either way ...
    assert clear_in_files(tmp_path) == {PHONE}  # ... the file is not


def test_create_react_agent_async(guard: PrivacyGuard) -> None:
    agent, model = react_agent(guard, None)
    text = f"Text {PHONE} that I'm late"

    async def run() -> Any:
        request = await aprotect_input({"messages": [("user", text)]}, guard, CFG)
        return await arestore_result(await agent.ainvoke(request, CFG), guard, CFG)

    shown = asyncio.run(run())
    assert sent["send_sms"] == [PHONE]
    assert leaked(model.seen) == []
    assert shown["messages"][-1].content == f"Done. SMS to {PHONE} sent: running late | no results"


def test_create_react_agent_prompt_reaches_the_model_as_written(guard: PrivacyGuard) -> None:
    """The page's warning: `prompt=` is not in the state the hook protects."""
    agent, model = react_agent(guard, None, prompt=f"You assist {NAME}.")
    agent.invoke(protect_input({"messages": [("user", f"Text {PHONE}")]}, guard, CFG), CFG)
    assert leaked(model.seen) == [NAME]


def test_create_agent_with_the_middleware_and_a_sqlite_file(guard: PrivacyGuard, tmp_path: Path) -> None:
    privacy = PrivacyMiddleware(guard, remote_tools={"web_search"})
    model = ToolCallingModel()
    agent = create_agent(
        model, tools=[send_sms, web_search], middleware=[privacy], checkpointer=saver(tmp_path / "a.sqlite")
    )
    config = thread("t-agent")
    text = f"Text {PHONE} that I'm late"

    result = agent.invoke({"messages": privacy.protect_input([("user", text)], config)}, config)
    assert sent["send_sms"] == [PHONE]
    assert leaked(model.seen) == []
    assert restore_output(result, config=config, guard=guard)["messages"][0].content == text
    assert clear_in_files(tmp_path) == set()

    # Passed in clear, the input is written to the file before any middleware runs.
    agent.invoke({"messages": [("user", f"Mail {EMAIL}")]}, config)
    assert leaked(model.seen) == []
    assert clear_in_files(tmp_path) == {EMAIL}


def test_private_graph_around_create_agent_invoked_the_plain_way(guard: PrivacyGuard, tmp_path: Path) -> None:
    """The page's first example: the middleware given no guard, the agent wrapped once."""
    model = ToolCallingModel()
    agent = private_graph(
        create_agent(
            model,
            tools=[send_sms, web_search],
            middleware=[PrivacyMiddleware(remote_tools={"web_search"})],
            checkpointer=saver(tmp_path / "agent.sqlite"),
        ),
        guard,
    )
    config = thread("t-wrapped")
    text = f"Text {PHONE} that I'm late"
    recorder = RunRecorder()

    result = agent.invoke({"messages": [("user", text)]}, {**config, "callbacks": [recorder]})

    assert sent == {"send_sms": [PHONE], "web_search": ["owner of <Phone_Number_1>"]}
    assert leaked(model.seen) == []
    assert result["messages"][0].content == text
    assert result["messages"][-1].content == f"Done. SMS to {PHONE} sent: running late | no results"
    assert clear_in_files(tmp_path) == set()
    assert guard.vault.lookup("u-1", ["phone_number_1"]) == {"phone_number_1": PHONE}  # the wrapper's guard
    assert recorder.leaking_runs() == {"send_sms"}  # the local tool works with the real number

    # Streamed: the user reads the real number, the file still holds placeholders only.
    chunks = agent.stream({"messages": [("user", f"Call me on {PHONE}")]}, config, stream_mode="messages")
    shown = "".join(chunk.text for chunk, _ in chunks if isinstance(chunk, AIMessage))
    assert f"SMS to {PHONE} sent" in shown
    assert clear_in_files(tmp_path) == set()


def test_private_graph_around_create_react_agent(guard: PrivacyGuard, tmp_path: Path) -> None:
    """The page's `create_react_agent` example: no hook, a tool node given no guard."""
    from langgraph.prebuilt import create_react_agent

    model = ToolCallingModel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        react = create_react_agent(
            model,
            tools=PrivateToolNode([send_sms, web_search], remote_tools={"web_search"}),
            checkpointer=saver(tmp_path / "react.sqlite"),
        )
    agent = private_graph(react, guard)
    text = f"Text {PHONE} that I'm late, {NAME} here"

    out = agent.invoke({"messages": [("user", text)]}, thread("t-react-wrapped"))

    assert sent == {"send_sms": [PHONE], "web_search": ["owner of <Phone_Number_1>"]}
    assert leaked(model.seen) == []
    assert out["messages"][0].content == text
    assert out["messages"][-1].content == f"Done. SMS to {PHONE} sent: running late | no results"
    assert clear_in_files(tmp_path) == set()


def test_the_bare_agent_writes_the_clear_input_where_the_page_says(
    guard: PrivacyGuard, tmp_path: Path
) -> None:
    """The `__start__` task's write and the step -1 and 0 checkpoints, although the model sees
    placeholders."""
    model = ToolCallingModel()
    path = tmp_path / "bare.sqlite"
    agent = create_agent(
        model,
        tools=[send_sms, web_search],
        middleware=[PrivacyMiddleware(guard, remote_tools={"web_search"})],
        checkpointer=saver(path),
    )
    agent.invoke({"messages": [("user", f"Text {PHONE} that I'm late")]}, thread("t-bare"))
    assert leaked(model.seen) == []
    assert where_in_file(path, PHONE) == {"__start__ -> messages", "step -1", "step 0"}


# -- LangChain's PIIMiddleware, as the comparison table describes it ------------------------------


class ForwardingModel(BaseChatModel):
    """First turn: hands the user's last message to the tool `tool_name`; then answers with the
    tool's result. Records what it was sent."""

    seen: list[list[BaseMessage]] = Field(default_factory=list)
    tool_name: str = "send_mail"

    @property
    def _llm_type(self) -> str:
        return "forwarding-fake"

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
        if isinstance(messages[-1], ToolMessage):
            message = AIMessage(content=f"Done: {messages[-1].text}")
        else:
            human = next(m for m in reversed(messages) if isinstance(m, HumanMessage))
            call = {"name": self.tool_name, "args": {"text": human.text}, "id": "m1", "type": "tool_call"}
            message = AIMessage(content="", tool_calls=[call])  # type: ignore[list-item]
        return ChatResult(generations=[ChatGeneration(message=message)])


mailed: list[str] = []


@tool
def send_mail(text: str) -> str:
    """Send an email (runs locally)."""
    mailed.append(text)
    return f"mailed: {text}"


def mail_agent(*middleware: Any, **options: Any) -> tuple[Any, ForwardingModel]:
    mailed.clear()
    model = ForwardingModel()
    return create_agent(model, tools=[send_mail], middleware=list(middleware), **options), model


def pii_before_model(middleware: PIIMiddleware, *messages: BaseMessage) -> list[BaseMessage]:
    update = middleware.before_model({"messages": list(messages)}, None)  # type: ignore[arg-type]
    return list(messages) if update is None else list(update["messages"])


def test_pii_middleware_built_in_types_and_one_type_per_instance() -> None:
    for kind in ("email", "credit_card", "ip", "mac_address", "url"):
        assert PIIMiddleware(kind).pii_type == kind
    for kind in ("phone_number", "name", "person", "medical"):
        with pytest.raises(ValueError, match="Unknown PII type"):
            PIIMiddleware(kind)
    # No vault or store to give it, and one type per instance.
    params = set(inspect.signature(PIIMiddleware.__init__).parameters) - {"self"}
    assert params == {
        "pii_type",
        "strategy",
        "detector",
        "apply_to_input",
        "apply_to_output",
        "apply_to_tool_results",
    }
    (out,) = pii_before_model(PIIMiddleware("email"), HumanMessage(f"{NAME}, {PHONE}, {EMAIL}"))
    assert out.content == f"{NAME}, {PHONE}, [REDACTED_EMAIL]"
    custom = PIIMiddleware("phone", detector=r"\+1 \d{3} \d{3} \d{4}")
    assert pii_before_model(custom, HumanMessage(f"call {PHONE}"))[0].content == "call [REDACTED_PHONE]"


def test_pii_middleware_strategies() -> None:
    card = "4111-1111-1111-1111"  # Luhn-valid
    message = HumanMessage(f"card {card}, mail {EMAIL}")
    assert pii_before_model(PIIMiddleware("credit_card", strategy="mask"), message)[0].content == (
        f"card ****-****-****-1111, mail {EMAIL}"
    )
    digest = hashlib.sha256(EMAIL.encode()).hexdigest()[:8]  # unsalted: anyone can recompute it
    assert pii_before_model(PIIMiddleware("email", strategy="hash"), message)[0].content == (
        f"card {card}, mail <email_hash:{digest}>"
    )
    with pytest.raises(PIIDetectionError):
        pii_before_model(PIIMiddleware("email", strategy="block"), message)


def test_pii_middleware_restores_nothing_and_ours_does() -> None:
    text = f"Mail {EMAIL} that I'm late"
    agent, model = mail_agent(PIIMiddleware("email"))
    result = agent.invoke({"messages": [("user", text)]})
    assert mailed == ["Mail [REDACTED_EMAIL] that I'm late"]  # the local tool never gets it
    assert result["messages"][-1].content == "Done: mailed: Mail [REDACTED_EMAIL] that I'm late"
    assert EMAIL not in str(result)  # nor the user: there is nothing to restore it from

    guard = PrivacyGuard(extractor=known(), vault=InMemoryVault())
    agent, model = mail_agent(PrivacyMiddleware(guard))
    result = agent.invoke({"messages": [("user", text)]}, CFG)
    assert mailed == [text]  # the local tool gets the real address
    assert leaked(model.seen) == []
    assert restore_output(result, guard, CFG)["messages"][-1].content == f"Done: mailed: {text}"


def test_pii_middleware_checks_only_the_last_human_message() -> None:
    earlier, last = HumanMessage(f"My mail is {EMAIL}"), HumanMessage("Please confirm")
    agent, model = mail_agent(PIIMiddleware("email"), system_prompt=f"The user's mail: {EMAIL}")
    agent.invoke({"messages": [earlier, last]})
    first_call = model.seen[0]
    assert [m.text for m in first_call] == [
        f"The user's mail: {EMAIL}",
        f"My mail is {EMAIL}",
        "Please confirm",
    ]

    guard = PrivacyGuard(extractor=known(), vault=InMemoryVault())
    agent, model = mail_agent(PrivacyMiddleware(guard), system_prompt=f"The user's mail: {EMAIL}")
    agent.invoke({"messages": [earlier, last]}, CFG)
    assert leaked(model.seen) == []


def test_pii_middleware_tool_results_and_output_options() -> None:
    @tool
    def lookup(text: str) -> str:
        """Returns an address (a tool result holding PII)."""
        return f"found {EMAIL}"

    def run(**options: Any) -> list[list[BaseMessage]]:
        model = ForwardingModel(tool_name="lookup")
        agent = create_agent(model, tools=[lookup], middleware=[PIIMiddleware("email", **options)])
        agent.invoke({"messages": [("user", "who am I?")]})
        return model.seen

    default = run()
    assert [m.text for m in default[1] if isinstance(m, ToolMessage)] == [f"found {EMAIL}"]
    checked = run(apply_to_tool_results=True)
    assert [m.text for m in checked[1] if isinstance(m, ToolMessage)] == ["found [REDACTED_EMAIL]"]

    # apply_to_output: the last AI message's content is redacted, its tool-call arguments are not.
    ai = AIMessage(
        content=f"mailing {EMAIL}", tool_calls=[{"name": "send_mail", "args": {"text": EMAIL}, "id": "1"}]
    )
    update = PIIMiddleware("email", apply_to_output=True).after_model({"messages": [ai]}, None)  # type: ignore[arg-type]
    assert update is not None
    (out,) = update["messages"]
    assert out.content == "mailing [REDACTED_EMAIL]"
    assert out.tool_calls[0]["args"] == {"text": EMAIL}


def test_pii_middleware_checkpointer_holds_the_clear_input(tmp_path: Path) -> None:
    agent, _ = mail_agent(PIIMiddleware("email"), checkpointer=saver(tmp_path / "pii.sqlite"))
    config = thread("t-pii")
    agent.invoke({"messages": [("user", f"Mail {EMAIL}")]}, config)
    assert agent.get_state(config).values["messages"][0].content == "Mail [REDACTED_EMAIL]"
    assert clear_in_files(tmp_path) == {EMAIL}


def test_both_middlewares_together_privacy_first(guard: PrivacyGuard) -> None:
    employee = "EMP-204817"  # a type of the app's own, which the extractor does not know
    agent, model = mail_agent(
        PrivacyMiddleware(guard),
        PIIMiddleware("employee_id", detector=r"EMP-\d{6}"),
        PIIMiddleware("email"),
    )
    agent.invoke({"messages": [("user", f"I'm {employee}, mail {EMAIL} or text {PHONE}")]}, CFG)
    # PIIMiddleware saw our placeholders (so its email rule had nothing left to redact) and took
    # out what only it knows; nothing else reached the model.
    assert model.seen[0][-1].text == "I'm [REDACTED_EMPLOYEE_ID], mail <Email_1> or text <Phone_Number_1>"
    assert leaked(model.seen, values={*VALUES, employee}) == []
