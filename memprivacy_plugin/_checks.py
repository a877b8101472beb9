"""The guard's checks at its edges: the text, names and ids it is given (a `ConfigError` before
anything is extracted or stored), the extractor's output, and the `ExtractionError` that replaces an
extractor's failure (naming the extractor and the kind of failure, never the text)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence

from ._runner import WorkersExhausted
from .errors import ConfigError, ExtractionError
from .extractors.base import Extractor
from .spans import PrivacySpan

__all__ = [
    "check_scope",
    "check_text",
    "checked",
    "checked_batch",
    "clean",
    "clean_name",
    "extraction_error",
]

# Code points U+D800-U+DFFF are not characters: a str holding one cannot be encoded as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(text: object) -> str:
    if not isinstance(text, str):
        raise ConfigError(f"text must be a str, not {type(text).__name__}")
    return text


def clean(text: str) -> str:
    """`text` without lone surrogates: each becomes U+FFFD; a surrogate pair, its character."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def clean_name(user_name: object) -> str | None:
    if user_name is None:
        return None
    if not isinstance(user_name, str):
        raise ConfigError(f"user_name must be a str or None, not {type(user_name).__name__}")
    return clean(user_name)


def check_scope(user_id: object, namespace: object) -> None:
    if not isinstance(user_id, str) or not user_id.strip():
        raise ConfigError("user_id must be a non-empty string")
    if namespace is not None and not isinstance(namespace, str):
        raise ConfigError(f"namespace must be a str or None, not {type(namespace).__name__}")
    # Ids are hashed and stored as UTF-8: one that cannot be encoded (undecodable bytes from a
    # command line or a file name arrive as lone surrogates) would fail deep in the vault.
    for what, value in (("user_id", user_id), ("namespace", namespace)):
        if isinstance(value, str) and not value.isascii() and _SURROGATE.search(value):
            raise ConfigError(f"{what} is not valid Unicode text (it holds bytes that are not UTF-8)")


def checked(spans: object, extractor: Extractor) -> list[PrivacySpan]:
    if not isinstance(spans, list) or not all(isinstance(s, PrivacySpan) for s in spans):
        raise TypeError(f"{type(extractor).__name__}.extract must return a list of PrivacySpan")
    return spans


def checked_batch(found: object, texts: Sequence[str], extractor: Extractor) -> list[list[PrivacySpan]]:
    if not isinstance(found, list) or len(found) != len(texts):
        raise TypeError(f"{type(extractor).__name__} must return one list of spans per text")
    return [checked(f, extractor) for f in found]


def extraction_error(extractor: Extractor, exc: BaseException) -> ExtractionError:
    # The message names the extractor and the kind of failure, never the text being protected:
    # our own ExtractionErrors say why in words that hold no input; anything else by its class,
    # including an ExtractionError a third-party extractor raised (its words may quote the text).
    if isinstance(exc, ExtractionError) and _ours(extractor, exc):
        kind = f"failed: {exc}"
    elif isinstance(exc, (TimeoutError, asyncio.TimeoutError)):
        kind = "timed out"
    elif isinstance(exc, WorkersExhausted):
        kind = f"was not started: {exc}, the most allowed"
    else:
        kind = f"failed ({type(exc).__name__})"
    return ExtractionError(f"extractor {type(extractor).__name__} {kind}; nothing was sent (fail closed)")


def _ours(extractor: Extractor, exc: BaseException) -> bool:
    """Whether both the extractor's class and the code that raised `exc` belong to this package
    (an ensemble of ours passes on what its members raise, so the class alone does not say)."""
    if not type(extractor).__module__.startswith("memprivacy_plugin."):
        return False
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = tb.tb_frame.f_globals.get("__name__")
    return isinstance(module, str) and module.startswith("memprivacy_plugin.")
