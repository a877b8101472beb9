"""LangChain adapter: runnables that protect what goes to a model and restore what comes back.

    chain = private_chain(ChatOpenAI(model="gpt-4.1-mini"))          # protect | model | restore
    chain.invoke("Text me at +1 415 555 0199", config={"configurable": {"user_id": "u-42"}})
    for chunk in chain.stream(...): ...                              # restored chunk by chunk

- `PrivacyProtectRunnable` maps a str, a message, a list of messages (BaseMessage, `(role, text)`
  tuples or `{"role", "content"}` dicts), a prompt value, a Document or a dict of prompt
  variables to the same shape with every string protected (`PrivacyGuard.protect_batch`).
- `PrivacyRestoreRunnable` puts the real values back into a str, a message (tool-call arguments
  included), a list, a dict or a pydantic model, and restores a stream chunk by chunk.
- `private_chain(runnable)` wraps both around a model (or `prompt | model`) as one traced run.
- `PrivacyMiddleware` and `restore_output` for `langchain.agents.create_agent` (loaded on first use).

Who a call is for comes from `config["configurable"]`: `user_id` (required), `namespace` and
`user_name` (optional), or the adapter's own `user_id=` default.

Tracing: LangChain's callbacks (LangSmith and other tracers) record every run's inputs and
outputs. These runnables report no clear text to them: a run starts with `WITHHELD` as its input
and ends with the placeholder form as both input and output, so a trace shows what the cloud
model saw, never the user's values. A runnable *around* them (a RunnableSequence you build
yourself with `|`) records its own input and output, which are clear text; keep the privacy
chain outermost (`private_chain(prompt | model)`) or hide that run's inputs yourself.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import AsyncIterator, Callable, Collection, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

try:
    from langchain_core.callbacks import AsyncCallbackManagerForChainRun, CallbackManagerForChainRun
    from langchain_core.documents import Document
    from langchain_core.messages import (
        AIMessage,
        AIMessageChunk,
        BaseMessage,
        BaseMessageChunk,
        ChatMessage,
        FunctionMessage,
        HumanMessage,
        SystemMessage,
        ToolMessage,
    )
    from langchain_core.messages.tool import tool_call_chunk
    from langchain_core.prompt_values import ChatPromptValue, StringPromptValue
    from langchain_core.runnables import Runnable, RunnableConfig, RunnableSerializable
    from langchain_core.runnables.config import (
        ensure_config,
        get_async_callback_manager_for_config,
        get_callback_manager_for_config,
        get_config_list,
        patch_config,
        set_config_context,
    )
    from langchain_core.runnables.utils import coro_with_context
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "memprivacy_plugin.integrations.langchain needs langchain-core: "
        "pip install 'memprivacy-plugin[langchain]'"
    ) from exc

from pydantic import BaseModel, ConfigDict, field_validator

from ..errors import ConfigError
from ..guard import PrivacyGuard
from ..restore import StreamingRestorer
from ._identity import Identity, identity_from

if TYPE_CHECKING:
    from ._langchain_middleware import PrivacyMiddleware

__all__ = [
    "WITHHELD",
    "PrivacyMiddleware",
    "PrivacyProtectRunnable",
    "PrivacyRestoreRunnable",
    "PrivateChain",
    "default_guard",
    "private_chain",
    "restore_output",
]

WITHHELD = "[withheld by memprivacy: clear text stays on this device]"
"""What the callbacks get instead of a clear-text input or output."""

# Message roles by the names LangChain and chat APIs use; `roles=` accepts any of them.
_ROLE_ALIASES = {
    "user": "human",
    "human": "human",
    "assistant": "ai",
    "ai": "ai",
    "system": "system",
    "developer": "system",
    "tool": "tool",
    "function": "tool",
}


@functools.lru_cache(maxsize=1)
def default_guard() -> PrivacyGuard:
    """The process-wide embedded default (`PrivacyGuard()`), built on first use and shared by
    every runnable and middleware given no guard."""
    return PrivacyGuard()


def _role_name(role: str) -> str:
    return _ROLE_ALIASES.get(role.lower(), role.lower())


def _message_role(message: BaseMessage) -> str:
    if isinstance(message, HumanMessage):
        return "human"
    if isinstance(message, AIMessage):
        return "ai"
    if isinstance(message, SystemMessage):
        return "system"
    if isinstance(message, (ToolMessage, FunctionMessage)):
        return "tool"
    if isinstance(message, ChatMessage):
        return _role_name(message.role)
    return _role_name(message.type.removesuffix("MessageChunk"))


# -- one walk over every supported shape ---------------------------------------------------------
#
# `_map(value, fn, ...)` returns a copy of `value` with each selected string replaced by `fn(s)`.
# Protecting and restoring walk twice with the same selection: once to collect the strings (so
# all of them go to the guard in one batch), once to put the results back in the same order.


class _Walk:
    """Which strings of a value are selected, and whether an unknown type is an error."""

    def __init__(self, roles: Collection[str] | None, tool_args: bool, strict: bool) -> None:
        self.roles = frozenset(_role_name(r) for r in roles) if roles is not None else None
        self.tool_args = tool_args
        self.strict = strict

    def wants(self, role: str) -> bool:
        return self.roles is None or role in self.roles

    def map(self, value: Any, fn: Callable[[str], str]) -> Any:
        if isinstance(value, str):
            return fn(value)
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, BaseMessage):
            return self.message(value, fn)
        if isinstance(value, StringPromptValue):
            return value.model_copy(update={"text": fn(value.text)})
        if isinstance(value, ChatPromptValue):
            return value.model_copy(update={"messages": [self.map(m, fn) for m in value.messages]})
        if isinstance(value, Document):
            return value.model_copy(
                update={"page_content": fn(value.page_content), "metadata": self.map(value.metadata, fn)}
            )
        if isinstance(value, Mapping):
            role = value.get("role", value.get("type"))
            if isinstance(role, str) and "content" in value and role.lower() in _ROLE_ALIASES:
                if not self.wants(_role_name(role)):
                    return dict(value)
                return {**value, "content": self.content(value["content"], fn)}
            return {k: self.map(v, fn) for k, v in value.items()}
        if (
            isinstance(value, tuple)
            and len(value) == 2
            and isinstance(value[0], str)
            and value[0].lower() in _ROLE_ALIASES
        ):  # ("human", "text"): a message
            wanted = self.wants(_role_name(value[0]))
            return (value[0], self.content(value[1], fn) if wanted else value[1])
        if isinstance(value, (list, tuple)):
            return type(value)(self.map(v, fn) for v in value)
        if isinstance(value, BaseModel):  # structured output
            try:
                return type(value).model_validate(self.map(value.model_dump(), fn))
            except Exception as exc:
                if self.strict:
                    name = type(value).__name__
                    raise ConfigError(f"cannot protect a {name}: {type(exc).__name__}") from None
                return value
        if self.strict:
            raise ConfigError(
                f"cannot protect a {type(value).__name__}: pass a str, messages, a prompt value, "
                "a Document or a dict of them (nothing was sent)"
            )
        return value

    def content(self, content: Any, fn: Callable[[str], str]) -> Any:
        """A message's content: a str, or a list of str and content blocks (only text blocks)."""
        if isinstance(content, str):
            return fn(content)
        if isinstance(content, list):
            out: list[Any] = []
            for block in content:
                if isinstance(block, str):
                    out.append(fn(block))
                elif _is_text_block(block):
                    out.append({**block, "text": fn(block["text"])})
                else:
                    out.append(block)
            return out
        return content

    def json_text(self, text: Any, fn: Callable[[str], str]) -> Any:
        """Tool-call arguments as JSON text: mapped value by value when it parses, else whole."""
        if not isinstance(text, str):
            return text
        try:
            data = json.loads(text)
        except ValueError:
            return fn(text)
        return json.dumps(self.map(data, fn), ensure_ascii=False)

    def message(self, message: BaseMessage, fn: Callable[[str], str]) -> BaseMessage:
        if not self.wants(_message_role(message)):
            return message
        content = self.content(message.content, fn)
        if isinstance(message, AIMessageChunk):
            chunks = message.tool_call_chunks
            if self.tool_args and chunks:
                chunks = [{**c, "args": self.json_text(c.get("args"), fn)} for c in chunks]
            return _rebuild_chunk(message, content=content, tool_call_chunks=chunks)
        update: dict[str, Any] = {"content": content}
        if isinstance(message, AIMessage) and self.tool_args:
            update["tool_calls"] = [{**c, "args": self.map(c["args"], fn)} for c in message.tool_calls]
            update["invalid_tool_calls"] = [
                {**c, "args": self.json_text(c.get("args"), fn)} for c in message.invalid_tool_calls
            ]
        return message.model_copy(update=update)


def _is_text_block(block: Any) -> bool:
    return isinstance(block, Mapping) and block.get("type") == "text" and isinstance(block.get("text"), str)


def _rebuild_chunk(chunk: AIMessageChunk, **update: Any) -> AIMessageChunk:
    # Built anew (not model_copy) so that tool_calls are parsed again from the new chunks.
    fields = {
        name: getattr(chunk, name)
        for name in type(chunk).model_fields
        if name not in ("tool_calls", "invalid_tool_calls")
    }
    fields.update(update)
    return type(chunk)(**fields)


def _collect(walk: _Walk, value: Any) -> list[str]:
    found: list[str] = []

    def visit(s: str) -> str:
        if s.strip():
            found.append(s)
        return s

    walk.map(value, visit)
    return found


def _put_back(walk: _Walk, value: Any, replaced: Sequence[str]) -> Any:
    it = iter(replaced)
    return walk.map(value, lambda s: next(it) if s.strip() else s)


def _protect_texts(guard: PrivacyGuard, texts: Sequence[str], who: Identity) -> list[str]:
    if not texts:
        return []
    if len(texts) == 1:
        one = guard.protect(texts[0], user_id=who.user_id, user_name=who.user_name, namespace=who.namespace)
        return [one.text]
    many = guard.protect_batch(texts, user_id=who.user_id, user_name=who.user_name, namespace=who.namespace)
    return [r.text for r in many]


async def _aprotect_texts(guard: PrivacyGuard, texts: Sequence[str], who: Identity) -> list[str]:
    return [
        (await guard.aprotect(t, user_id=who.user_id, user_name=who.user_name, namespace=who.namespace)).text
        for t in texts
    ]


def _restore_texts(guard: PrivacyGuard, texts: Sequence[str], who: Identity) -> list[str]:
    if not texts:
        return []
    return list(guard.restore_data(list(texts), user_id=who.user_id, namespace=who.namespace))


async def _arestore_texts(guard: PrivacyGuard, texts: Sequence[str], who: Identity) -> list[str]:
    if not texts:
        return []
    return list(await guard.arestore_data(list(texts), user_id=who.user_id, namespace=who.namespace))


# -- runs that report no clear text to callbacks --------------------------------------------------


def _start(runnable: Runnable[Any, Any], config: RunnableConfig) -> CallbackManagerForChainRun:
    return get_callback_manager_for_config(config).on_chain_start(
        None,
        {"input": WITHHELD},
        name=config.get("run_name") or runnable.get_name(),
        run_id=config.pop("run_id", None),
    )


async def _astart(runnable: Runnable[Any, Any], config: RunnableConfig) -> AsyncCallbackManagerForChainRun:
    return await get_async_callback_manager_for_config(config).on_chain_start(
        None,
        {"input": WITHHELD},
        name=config.get("run_name") or runnable.get_name(),
        run_id=config.pop("run_id", None),
    )


def _traced(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {"output": value}


def _run(
    runnable: Runnable[Any, Any],
    config: RunnableConfig | None,
    work: Callable[[RunnableConfig], tuple[Any, Any, Any]],
) -> Any:
    """Run `work(child_config) -> (result, traced_input, traced_output)` as one callback run
    whose recorded input starts as WITHHELD and whose end reports only the traced values."""
    config = ensure_config(config)
    manager = _start(runnable, config)
    try:
        child = patch_config(config, callbacks=manager.get_child())
        with set_config_context(child) as context:
            result, traced_in, traced_out = context.run(work, child)
    except BaseException as exc:
        manager.on_chain_error(exc)
        raise
    manager.on_chain_end(_traced(traced_out), inputs={"input": traced_in})
    return result


async def _arun(
    runnable: Runnable[Any, Any],
    config: RunnableConfig | None,
    work: Callable[[RunnableConfig], Any],
) -> Any:
    config = ensure_config(config)
    manager = await _astart(runnable, config)
    try:
        child = patch_config(config, callbacks=manager.get_child())
        with set_config_context(child) as context:
            result, traced_in, traced_out = await coro_with_context(work(child), context)
    except BaseException as exc:
        await manager.on_chain_error(exc)
        raise
    await manager.on_chain_end(_traced(traced_out), inputs={"input": traced_in})
    return result


def _add(total: Any, chunk: Any) -> Any:
    if total is None:
        return chunk
    try:
        return total + chunk
    except TypeError:
        return chunk


# -- the runnables -------------------------------------------------------------------------------


class _PrivacyRunnable(RunnableSerializable[Any, Any]):
    """Shared fields: the guard (None: the embedded default, built on first use) and an optional
    default user for calls whose config names none."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    guard: PrivacyGuard | None = None
    user_id: str | None = None
    namespace: str | None = None

    @property
    def privacy_guard(self) -> PrivacyGuard:
        return self.guard if self.guard is not None else default_guard()

    def identity(self, config: RunnableConfig | None) -> Identity:
        """Who this call is for: `config["configurable"]` first, then the runnable's `user_id`."""
        default = Identity(self.user_id, self.namespace) if self.user_id else None
        return identity_from(config, default=default)

    # What a subclass says: which strings it rewrites, how, and what its callbacks may see.
    def _walk(self) -> _Walk:
        raise NotImplementedError

    def _convert(self, texts: Sequence[str], who: Identity) -> list[str]:
        raise NotImplementedError

    async def _aconvert(self, texts: Sequence[str], who: Identity) -> list[str]:
        raise NotImplementedError

    def _callback_view(self, input: Any, output: Any) -> tuple[Any, Any]:
        """(traced input, traced output): never the clear side."""
        raise NotImplementedError

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        def work(child: RunnableConfig) -> tuple[Any, Any, Any]:
            walk = self._walk()
            out = _put_back(walk, input, self._convert(_collect(walk, input), self.identity(child)))
            return (out, *self._callback_view(input, out))

        return _run(self, config, work)

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        async def work(child: RunnableConfig) -> tuple[Any, Any, Any]:
            walk = self._walk()
            texts = await self._aconvert(_collect(walk, input), self.identity(child))
            out = _put_back(walk, input, texts)
            return (out, *self._callback_view(input, out))

        return await _arun(self, config, work)


class PrivacyProtectRunnable(_PrivacyRunnable):
    """Replaces private values with placeholders in whatever goes to the model.

    Input and output have the same shape: a str; a message; a list of messages, `(role, text)`
    tuples or `{"role", "content"}` dicts; a `StringPromptValue`/`ChatPromptValue`; a Document;
    a dict of prompt variables (its strings and messages, at any depth). Message ids, names and
    metadata are kept; string content and text content blocks are protected (images and other
    blocks pass as they are), and so are an AI message's tool-call arguments. `roles` limits
    protection to some message roles (`"human"`/`"user"`, `"ai"`, `"system"`, `"tool"`); the
    default is every message, since the whole prompt goes to the cloud. Any other type is
    refused with `ConfigError` rather than sent unchecked.
    """

    roles: frozenset[str] | None = None
    protect_tool_args: bool = True

    def __init__(
        self,
        guard: PrivacyGuard | None = None,
        *,
        roles: Collection[str] | None = None,
        protect_tool_args: bool = True,
        user_id: str | None = None,
        namespace: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(  # type: ignore[call-arg]
            guard=guard,
            roles=roles,
            protect_tool_args=protect_tool_args,
            user_id=user_id,
            namespace=namespace,
            **kwargs,
        )

    @field_validator("roles", mode="before")
    @classmethod
    def _roles(cls, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        return frozenset(_role_name(r) for r in value)

    def _walk(self) -> _Walk:
        return _Walk(self.roles, self.protect_tool_args, strict=True)

    def _convert(self, texts: Sequence[str], who: Identity) -> list[str]:
        return _protect_texts(self.privacy_guard, texts, who)

    async def _aconvert(self, texts: Sequence[str], who: Identity) -> list[str]:
        return await _aprotect_texts(self.privacy_guard, texts, who)

    def _callback_view(self, input: Any, output: Any) -> tuple[Any, Any]:
        return output, output  # the clear input never reaches callbacks

    def batch(
        self,
        inputs: list[Any],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any | None,
    ) -> list[Any]:
        """Protect many inputs with one batched extraction per user."""
        if not inputs:
            return []
        configs = [ensure_config(c) for c in get_config_list(config, len(inputs))]
        managers = [_start(self, c) for c in configs]
        results: list[Any] = [None] * len(inputs)
        failed: dict[int, BaseException] = {}
        groups: dict[Identity, list[int]] = {}
        for i, cfg in enumerate(configs):
            try:
                groups.setdefault(self.identity(cfg), []).append(i)
            except Exception as exc:
                failed[i] = exc
        walk = self._walk()
        for who, members in groups.items():
            try:
                found = [_collect(walk, inputs[i]) for i in members]
                protected = iter(self._convert([t for f in found for t in f], who))
                for i, texts in zip(members, found, strict=True):
                    results[i] = _put_back(walk, inputs[i], [next(protected) for _ in texts])
            except Exception as exc:
                failed.update(dict.fromkeys(members, exc))
        for i, manager in enumerate(managers):
            if i in failed:
                manager.on_chain_error(failed[i])
            else:
                manager.on_chain_end(_traced(results[i]), inputs={"input": results[i]})
        if failed:
            if not return_exceptions:
                raise failed[min(failed)]
            for i, error in failed.items():
                results[i] = error
        return results


class PrivacyRestoreRunnable(_PrivacyRunnable):
    """Puts the user's real values back in place of their placeholders.

    Accepts a str, a message (`AIMessage`, `AIMessageChunk`, ...; tool-call arguments too unless
    `restore_tool_args=False`), a list of them, a dict or a pydantic model (structured output);
    anything else passes as it is. Streamed (`stream`/`transform` and their async twins), each
    chunk comes out as soon as it arrives, of the same type (str or message chunk, id and
    metadata kept); only a tail that may still become a placeholder (`<Phone_Nu`) waits for the
    next chunk, and whatever is left goes out in one last chunk.

    Its callbacks see the placeholder form as both input and output: the restored text is
    returned to the caller only.
    """

    restore_tool_args: bool = True

    def __init__(
        self,
        guard: PrivacyGuard | None = None,
        *,
        restore_tool_args: bool = True,
        user_id: str | None = None,
        namespace: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(  # type: ignore[call-arg]
            guard=guard, restore_tool_args=restore_tool_args, user_id=user_id, namespace=namespace, **kwargs
        )

    def _walk(self) -> _Walk:
        return _Walk(None, self.restore_tool_args, strict=False)

    def _convert(self, texts: Sequence[str], who: Identity) -> list[str]:
        return _restore_texts(self.privacy_guard, texts, who)

    async def _aconvert(self, texts: Sequence[str], who: Identity) -> list[str]:
        return await _arestore_texts(self.privacy_guard, texts, who)

    def _callback_view(self, input: Any, output: Any) -> tuple[Any, Any]:
        return input, input  # the restored output goes to the caller only

    def transform(
        self, input: Iterator[Any], config: RunnableConfig | None = None, **kwargs: Any | None
    ) -> Iterator[Any]:
        config = ensure_config(config)
        manager = _start(self, config)
        traced: Any = None
        try:
            child = patch_config(config, callbacks=manager.get_child())
            stream = _StreamRestore(self.privacy_guard, self.identity(child), self.restore_tool_args)
            with set_config_context(child) as context:
                source = iter(input)
                while True:
                    try:
                        chunk = context.run(next, source)
                    except StopIteration:
                        break
                    traced = _add(traced, chunk)
                    yield from context.run(stream.feed, chunk)
                yield from context.run(stream.flush)
        except GeneratorExit:
            manager.on_chain_end(_traced(traced), inputs={"input": traced})
            raise
        except BaseException as exc:
            manager.on_chain_error(exc)
            raise
        manager.on_chain_end(_traced(traced), inputs={"input": traced})

    def stream(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any | None) -> Iterator[Any]:
        yield from self.transform(iter([input]), config, **kwargs)

    async def atransform(
        self, input: AsyncIterator[Any], config: RunnableConfig | None = None, **kwargs: Any | None
    ) -> AsyncIterator[Any]:
        config = ensure_config(config)
        manager = await _astart(self, config)
        traced: Any = None
        try:
            child = patch_config(config, callbacks=manager.get_child())
            stream = _StreamRestore(self.privacy_guard, self.identity(child), self.restore_tool_args)
            async for chunk in input:
                traced = _add(traced, chunk)
                # A chunk that may complete a placeholder needs a vault lookup: off the event loop.
                if stream.may_look_up(chunk):
                    outs = await asyncio.to_thread(stream.feed, chunk)
                else:
                    outs = stream.feed(chunk)
                for out in outs:
                    yield out
            for out in await asyncio.to_thread(stream.flush):
                yield out
        except GeneratorExit:
            await manager.on_chain_end(_traced(traced), inputs={"input": traced})
            raise
        except BaseException as exc:
            await manager.on_chain_error(exc)
            raise
        await manager.on_chain_end(_traced(traced), inputs={"input": traced})

    async def astream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any | None
    ) -> AsyncIterator[Any]:
        async def one() -> AsyncIterator[Any]:
            yield input

        async for chunk in self.atransform(one(), config, **kwargs):
            yield chunk


class _StreamRestore:
    """Restores a stream of str or message chunks: one streaming restorer per text block and per
    tool-call argument string; output chunks keep the type, id and metadata of the input."""

    def __init__(self, guard: PrivacyGuard, who: Identity, tool_args: bool) -> None:
        self._guard = guard
        self._who = who
        self._tool_args = tool_args
        self._text: dict[Any, StreamingRestorer] = {}
        self._blocks: dict[Any, bool] = {}  # block key -> whether it came as a content block
        self._args: dict[Any, StreamingRestorer] = {}
        self._last: BaseMessageChunk | None = None
        self._walk = _Walk(None, tool_args, strict=False)

    @staticmethod
    def may_look_up(chunk: Any) -> bool:
        # A vault lookup happens only when a placeholder completes, which takes one of these.
        text = chunk if isinstance(chunk, str) else repr(chunk)
        return any(c in text for c in "<>&;")

    def _restorer(self, key: Any) -> StreamingRestorer:
        if key not in self._text:
            self._text[key] = self._guard.restorer(user_id=self._who.user_id, namespace=self._who.namespace)
        return self._text[key]

    def _arg_restorer(self, key: Any) -> StreamingRestorer:
        # Arguments stream as JSON text: a restored value is inserted JSON-escaped.
        if key not in self._args:
            vault, who = self._guard.vault, self._who

            def lookup(keys: Collection[str]) -> dict[str, str]:
                found = vault.lookup(who.user_id, keys, namespace=who.namespace)
                return {k: json.dumps(v, ensure_ascii=False)[1:-1] for k, v in found.items()}

            self._args[key] = StreamingRestorer(lookup)
        return self._args[key]

    def feed(self, chunk: Any) -> list[Any]:
        if isinstance(chunk, str):
            out = self._restorer(0).feed(chunk)
            return [out] if out else []
        if isinstance(chunk, BaseMessageChunk):
            last = getattr(chunk, "chunk_position", None) == "last"
            self._last = chunk
            return [self._message(chunk, last)]
        # Not a text stream (a dict, a whole message): restored on its own.
        texts = _collect(self._walk, chunk)
        return [_put_back(self._walk, chunk, _restore_texts(self._guard, texts, self._who))]

    def _message(self, chunk: BaseMessageChunk, last: bool) -> BaseMessageChunk:
        def run(restorer: StreamingRestorer, text: str) -> str:
            out = restorer.feed(text)
            return out + restorer.flush() if last else out

        content: Any = chunk.content
        if isinstance(content, str):
            self._blocks.setdefault(0, False)
            content = run(self._restorer(0), content)
        elif isinstance(content, list):
            new: list[Any] = []
            for position, block in enumerate(content):
                if _is_text_block(block):
                    key = block.get("index", position)
                    self._blocks.setdefault(key, True)
                    new.append({**block, "text": run(self._restorer(key), block["text"])})
                elif isinstance(block, str):
                    self._blocks.setdefault(position, False)
                    new.append(run(self._restorer(position), block))
                else:
                    new.append(block)
            content = new
        if not isinstance(chunk, AIMessageChunk):
            return chunk.model_copy(update={"content": content})
        calls = chunk.tool_call_chunks
        if self._tool_args and calls:
            calls = [
                {**c, "args": run(self._arg_restorer(_call_key(c, i)), args)}
                if isinstance(args := c.get("args"), str)
                else c
                for i, c in enumerate(calls)
            ]
        return _rebuild_chunk(chunk, content=content, tool_call_chunks=calls)

    def flush(self) -> list[Any]:
        texts = {key: r.flush() for key, r in self._text.items()}
        texts = {key: t for key, t in texts.items() if t}
        args = {key: r.flush() for key, r in self._args.items()}
        args = {key: t for key, t in args.items() if t}
        if not texts and not args:
            return []
        if self._last is None:  # a stream of str
            return [texts.get(0, "")]
        content: Any
        if any(self._blocks.get(k) for k in texts):
            content = [{"type": "text", "text": t, "index": k} for k, t in texts.items()]
        else:
            content = "".join(texts.values())
        template = self._last
        if isinstance(template, AIMessageChunk):
            calls = [
                tool_call_chunk(index=k if isinstance(k, int) else None, args=t) for k, t in args.items()
            ]
            return [AIMessageChunk(content=content, id=template.id, tool_call_chunks=calls)]
        return [template.model_copy(update={"content": content})]


def _call_key(call: Mapping[str, Any], position: int) -> Any:
    index = call.get("index")
    return index if index is not None else ("position", position)


class PrivateChain(RunnableSerializable[Any, Any]):
    """`protect | runnable | restore` as one run: what `private_chain` returns.

    It is not a plain RunnableSequence because a sequence records its own input (the clear text)
    and output (the restored answer) in every tracer; this run records the placeholder form
    instead. `stream`/`astream` stream the runnable's answer through the restore step.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    protect: PrivacyProtectRunnable
    runnable: Runnable[Any, Any]
    restore: PrivacyRestoreRunnable | None = None

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        def work(child: RunnableConfig) -> tuple[Any, Any, Any]:
            protected = self.protect.invoke(input, child)
            answer = self.runnable.invoke(protected, child, **kwargs)
            out = self.restore.invoke(answer, child) if self.restore is not None else answer
            return out, protected, answer

        return _run(self, config, work)

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        async def work(child: RunnableConfig) -> tuple[Any, Any, Any]:
            protected = await self.protect.ainvoke(input, child)
            answer = await self.runnable.ainvoke(protected, child, **kwargs)
            out = await self.restore.ainvoke(answer, child) if self.restore is not None else answer
            return out, protected, answer

        return await _arun(self, config, work)

    def batch(
        self,
        inputs: list[Any],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any | None,
    ) -> list[Any]:
        """One batched protection for all inputs, then the runnable's own `batch`."""
        if return_exceptions or not inputs:
            return super().batch(inputs, config, return_exceptions=return_exceptions, **kwargs)
        configs = [ensure_config(c) for c in get_config_list(config, len(inputs))]
        managers = [_start(self, c) for c in configs]
        children = [patch_config(c, callbacks=m.get_child()) for c, m in zip(configs, managers, strict=True)]
        try:
            protected = self.protect.batch(inputs, children)
            answers = self.runnable.batch(protected, children)
            outs = self.restore.batch(answers, children) if self.restore is not None else answers
        except BaseException as exc:
            for manager in managers:
                manager.on_chain_error(exc)
            raise
        for manager, p, a in zip(managers, protected, answers, strict=True):
            manager.on_chain_end(_traced(a), inputs={"input": p})
        return outs

    def stream(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any | None) -> Iterator[Any]:
        config = ensure_config(config)
        manager = _start(self, config)
        protected: Any = None
        answer: Any = None

        def tap(chunks: Iterator[Any]) -> Iterator[Any]:
            nonlocal answer
            for chunk in chunks:
                answer = _add(answer, chunk)
                yield chunk

        try:
            child = patch_config(config, callbacks=manager.get_child())
            protected = self.protect.invoke(input, child)
            chunks = tap(self.runnable.stream(protected, child, **kwargs))
            if self.restore is not None:
                chunks = self.restore.transform(chunks, child)
            yield from chunks
        except GeneratorExit:
            manager.on_chain_end(_traced(answer), inputs={"input": protected})
            raise
        except BaseException as exc:
            manager.on_chain_error(exc)
            raise
        manager.on_chain_end(_traced(answer), inputs={"input": protected})

    async def astream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any | None
    ) -> AsyncIterator[Any]:
        config = ensure_config(config)
        manager = await _astart(self, config)
        protected: Any = None
        answer: Any = None

        async def tap(chunks: AsyncIterator[Any]) -> AsyncIterator[Any]:
            nonlocal answer
            async for chunk in chunks:
                answer = _add(answer, chunk)
                yield chunk

        try:
            child = patch_config(config, callbacks=manager.get_child())
            protected = await self.protect.ainvoke(input, child)
            chunks = tap(self.runnable.astream(protected, child, **kwargs))
            if self.restore is not None:
                chunks = self.restore.atransform(chunks, child)
            async for chunk in chunks:
                yield chunk
        except GeneratorExit:
            await manager.on_chain_end(_traced(answer), inputs={"input": protected})
            raise
        except BaseException as exc:
            await manager.on_chain_error(exc)
            raise
        await manager.on_chain_end(_traced(answer), inputs={"input": protected})


def private_chain(
    runnable: Runnable[Any, Any],
    guard: PrivacyGuard | None = None,
    *,
    restore: bool = True,
    roles: Collection[str] | None = None,
    user_id: str | None = None,
    namespace: str | None = None,
) -> PrivateChain:
    """`PrivacyProtectRunnable(guard) | runnable | PrivacyRestoreRunnable(guard)`, traced as one
    run that records only the placeholder form. `runnable` is a chat model or any runnable that
    takes its input (`prompt | model`: the prompt variables are protected before formatting).
    `restore=False` returns the answer in placeholder form (for a cloud memory, say)."""
    protect = PrivacyProtectRunnable(guard, roles=roles, user_id=user_id, namespace=namespace)
    back = PrivacyRestoreRunnable(guard, user_id=user_id, namespace=namespace) if restore else None
    return PrivateChain(protect=protect, runnable=runnable, restore=back)


def restore_output(
    result: Any,
    guard: PrivacyGuard | None = None,
    config: RunnableConfig | Mapping[str, Any] | None = None,
    *,
    user_id: str | None = None,
    namespace: str | None = None,
) -> Any:
    """The user-facing copy of an agent's result (`{"messages": [...], ...}`), a message, a list
    or a str: every placeholder of this user restored, tool-call arguments included. For the
    caller's side only; the agent's state keeps the placeholder form."""
    default = Identity(user_id, namespace) if user_id else None
    who = identity_from(config, default=default)
    walk = _Walk(None, True, strict=False)
    guard = guard if guard is not None else default_guard()
    return _put_back(walk, result, _restore_texts(guard, _collect(walk, result), who))


def __getattr__(name: str) -> Any:
    # The middleware needs `langchain` (and LangGraph), slower to import than langchain-core.
    if name == "PrivacyMiddleware":
        try:
            from ._langchain_middleware import PrivacyMiddleware
        except ImportError as exc:
            if "memprivacy" in str(exc):
                raise
            raise ImportError(
                "PrivacyMiddleware needs langchain>=1.0: pip install 'memprivacy-plugin[langchain]'"
            ) from exc
        return PrivacyMiddleware
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
