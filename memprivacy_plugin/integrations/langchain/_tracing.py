"""Runs that report no clear text to LangChain's callbacks (LangSmith and other tracers record every
run's inputs and outputs): a run starts with `WITHHELD` as its input and ends reporting only the
values its caller chose (the placeholder form)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForChainRun, CallbackManagerForChainRun
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.runnables.config import (
    ensure_config,
    get_async_callback_manager_for_config,
    get_callback_manager_for_config,
    patch_config,
    set_config_context,
)
from langchain_core.runnables.utils import coro_with_context

__all__ = ["WITHHELD", "add", "arun", "astart", "run", "start", "traced"]

WITHHELD = "[withheld by memprivacy: clear text stays on this device]"
"""What the callbacks get instead of a clear-text input or output."""


def start(runnable: Runnable[Any, Any], config: RunnableConfig) -> CallbackManagerForChainRun:
    return get_callback_manager_for_config(config).on_chain_start(
        None,
        {"input": WITHHELD},
        name=config.get("run_name") or runnable.get_name(),
        run_id=config.pop("run_id", None),
    )


async def astart(runnable: Runnable[Any, Any], config: RunnableConfig) -> AsyncCallbackManagerForChainRun:
    return await get_async_callback_manager_for_config(config).on_chain_start(
        None,
        {"input": WITHHELD},
        name=config.get("run_name") or runnable.get_name(),
        run_id=config.pop("run_id", None),
    )


def traced(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {"output": value}


Work = Callable[[RunnableConfig], tuple[Any, Any, Any]]
AWork = Callable[[RunnableConfig], Awaitable[tuple[Any, Any, Any]]]


def run(runnable: Runnable[Any, Any], config: RunnableConfig | None, work: Work) -> Any:
    """Run `work(child_config) -> (result, traced_input, traced_output)` as one callback run
    whose recorded input starts as WITHHELD and whose end reports only the traced values."""
    config = ensure_config(config)
    manager = start(runnable, config)
    try:
        child = patch_config(config, callbacks=manager.get_child())
        with set_config_context(child) as context:
            result, traced_in, traced_out = context.run(work, child)
    except BaseException as exc:
        manager.on_chain_error(exc)
        raise
    manager.on_chain_end(traced(traced_out), inputs={"input": traced_in})
    return result


async def arun(runnable: Runnable[Any, Any], config: RunnableConfig | None, work: AWork) -> Any:
    config = ensure_config(config)
    manager = await astart(runnable, config)
    try:
        child = patch_config(config, callbacks=manager.get_child())
        with set_config_context(child) as context:
            result, traced_in, traced_out = await coro_with_context(work(child), context)
    except BaseException as exc:
        await manager.on_chain_error(exc)
        raise
    await manager.on_chain_end(traced(traced_out), inputs={"input": traced_in})
    return result


def add(total: Any, chunk: Any) -> Any:
    """Stream chunks added up for the trace (the last chunk when they do not add)."""
    if total is None:
        return chunk
    try:
        return total + chunk
    except TypeError:
        return chunk
