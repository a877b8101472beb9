"""What the mem0 tests share: a recorder of everything that reached mem0's cloud side (embedder
inputs, every Qdrant payload, every row of the history database) and `FakeLLM`, an
OpenAI-compatible server on 127.0.0.1 answering mem0's extraction prompt the way a model does
(rewriting text and mangling placeholders). Nothing of mem0 itself is mocked."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from memprivacy_plugin.integrations.mem0 import local_mem0_config

__all__ = ["FakeLLM", "Recorder", "files_holding", "make_memory"]


class Recorder:
    """Everything that reached mem0's cloud-side components."""

    def __init__(self, memory: Any, config: dict[str, Any]) -> None:
        self.memory = memory
        self.config = config
        self.embedded: list[str] = []
        embedder = memory.embedding_model
        embed, embed_batch = embedder.embed, embedder.embed_batch

        def recording_embed(text: Any, *args: Any, **kwargs: Any) -> Any:
            self.embedded.append(text if isinstance(text, str) else json.dumps(text, ensure_ascii=False))
            return embed(text, *args, **kwargs)

        def recording_embed_batch(texts: Any, *args: Any, **kwargs: Any) -> Any:
            self.embedded.extend(texts)
            return embed_batch(texts, *args, **kwargs)

        embedder.embed = recording_embed
        embedder.embed_batch = recording_embed_batch

    def payloads(self) -> list[dict[str, Any]]:
        """Every point's payload in every Qdrant collection (memories and mem0's entity store)."""
        client = self.memory.vector_store.client
        out: list[dict[str, Any]] = []
        for collection in client.get_collections().collections:
            offset = None
            while True:
                points, offset = client.scroll(
                    collection.name, limit=1000, offset=offset, with_payload=True, with_vectors=False
                )
                out.extend(p.payload or {} for p in points)
                if offset is None:
                    break
        return out

    def history_rows(self) -> list[dict[str, Any]]:
        """Every row of every table of mem0's history database, as column -> value."""
        with sqlite3.connect(self.config["history_db_path"]) as conn:
            conn.row_factory = sqlite3.Row
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            return [dict(row) for t in tables for row in conn.execute(f'SELECT * FROM "{t}"')]

    def cloud_texts(self) -> list[tuple[str, str]]:
        """Everything that reached the cloud side, without the fields mem0 generates itself (ids,
        content hashes, timestamps): a 3-digit CVV would otherwise "leak" into an md5 digest."""
        texts = [("embedder input", t) for t in self.embedded]
        texts += [("vector store payload", _content(p)) for p in self.payloads()]
        texts += [("history db", _content(r)) for r in self.history_rows()]
        return texts


def _content(fields: dict[str, Any]) -> str:
    generated = {"hash", "id", "memory_id"}
    kept = {
        k: v
        for k, v in fields.items()
        if k not in generated and not k.endswith(("_id", "_at")) and v is not None
    }
    return json.dumps(kept, ensure_ascii=False, default=str)


def make_memory(
    path: Path, llm: dict[str, Any] | None = None, *, sync: bool = True
) -> tuple[Any, dict[str, Any]]:
    """A real embedded mem0 (`Memory`, or `AsyncMemory`) on disk under `path`, and its config."""
    config = local_mem0_config(path, llm=llm)
    import mem0

    cls = mem0.Memory if sync else mem0.AsyncMemory
    return cls.from_config(config), config


_PLACEHOLDER = re.compile(r"<([A-Za-z][A-Za-z0-9_]*?)_(\d+)>")


def _mangle(text: str) -> str:
    """What models do to placeholders: lower case, spaces inside the brackets, bold."""
    count = 0

    def one(m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        name, number = m.group(1), m.group(2)
        return [f"<{name.lower()}_{number}>", f"< {name}_{number} >", f"**<{name}_{number}>**"][count % 3]

    return _PLACEHOLDER.sub(one, text)


class FakeLLM:
    """An OpenAI-compatible chat server answering mem0 2.x's additive extraction prompt
    (`{"memory": [{"id", "text"}]}`) by rewriting each new user message into a fact."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
                recorder.requests.append(body)
                request = json.loads(body)
                prompt = request["messages"][-1]["content"]
                new = prompt.split("## New Messages\n", 1)[1].split("\n\n## ", 1)[0]
                facts = [
                    {"id": str(i), "text": "The user mentioned that " + _mangle(line[len("user: ") :])}
                    for i, line in enumerate(x for x in new.splitlines() if x.startswith("user: "))
                ]
                content = json.dumps({"memory": facts})
                answer = {
                    "id": "chatcmpl-local",
                    "object": "chat.completion",
                    "created": 0,
                    "model": request.get("model", "local"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def config(self) -> dict[str, Any]:
        url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        return {"provider": "vllm", "config": {"model": "local", "vllm_base_url": url, "api_key": "x"}}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def files_holding(root: Path, values: list[str]) -> list[tuple[str, str]]:
    """(file, value) for every file under `root` whose bytes hold one of `values` in UTF-8: what a
    `grep -r` of mem0's data directory (Qdrant's files, the history database, their journals)
    would find. Use values long enough not to occur by chance in binary data."""
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found += [(str(path.relative_to(root)), v) for v in values if v.encode("utf-8") in data]
    return found
