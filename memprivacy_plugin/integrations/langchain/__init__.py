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
- `PrivacyMiddleware` and `restore_output` for `langchain.agents.create_agent` (the middleware is
  loaded on first use).

All of them walk messages, mark what is protected and restore streams through the one core the
LangGraph adapter uses too (`integrations._messages`, `integrations._stream`), so a message one
of them protected is never protected again by another.

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

from typing import TYPE_CHECKING, Any

try:
    import langchain_core.runnables  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "memprivacy_plugin.integrations.langchain needs langchain-core: "
        "pip install 'memprivacy-plugin[langchain]'"
    ) from exc

from .._identity import default_guard
from ._chain import PrivateChain, private_chain, restore_output
from ._runnables import PrivacyProtectRunnable, PrivacyRestoreRunnable
from ._tracing import WITHHELD

if TYPE_CHECKING:
    from ._middleware import PrivacyMiddleware

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


def __getattr__(name: str) -> Any:
    # The middleware needs `langchain` (and LangGraph), slower to import than langchain-core.
    if name == "PrivacyMiddleware":
        try:
            from ._middleware import PrivacyMiddleware
        except ImportError as exc:
            if "memprivacy" in str(exc):
                raise
            raise ImportError(
                "PrivacyMiddleware needs langchain>=1.0: pip install 'memprivacy-plugin[langchain]'"
            ) from exc
        return PrivacyMiddleware
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
