"""Tiny random-weight models for tests: no hub download, built on the spot in a second or two.

    from testing_models import build_tiny_qwen3  # tests/ is on the tests' sys.path

    model_dir = build_tiny_qwen3(tmp_path / "tiny-qwen3")
    # -> config.json, model.safetensors, tokenizer.json, tokenizer_config.json,
    #    chat_template.jinja, generation_config.json

The model is a real `Qwen3ForCausalLM` (2 layers, hidden size 64) with random weights and a small
byte-level BPE tokenizer trained here on a built-in English + Chinese + JSON corpus, wrapped with a
Qwen3-style ChatML chat template that honours `enable_thinking=False`. Its outputs are gibberish,
but it loads and runs in `transformers` and in vLLM (CPU build) alike, so tests can exercise the
whole local-model path, including JSON-schema constrained decoding, which yields valid JSON
whatever the weights are.

Needs `torch`, `transformers` and `tokenizers` (the optional local-model extras); they are imported
only when `build_tiny_qwen3` is called.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

__all__ = ["QWEN3_CHAT_TEMPLATE", "SPECIAL_TOKENS", "VLLM_CPU_ENV", "build_tiny_qwen3"]

#: ChatML + thinking markers, in this order at ids 0..4 of the tiny vocabulary.
SPECIAL_TOKENS: tuple[str, ...] = ("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>")

#: A trimmed Qwen3 chat template: system/user/assistant/tool turns, previous assistant turns with
#: their `<think>` block stripped, and, with `add_generation_prompt` and `enable_thinking=False`,
#: the empty `<think>\n\n</think>\n\n` block Qwen3 emits to switch thinking off.
QWEN3_CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{%- set content = message['content'] if message['content'] is string else '' %}"
    "{%- if message['role'] == 'assistant' %}"
    "{%- if '</think>' in content %}"
    "{%- set content = content.split('</think>')[-1].lstrip('\\n') %}"
    "{%- endif %}"
    "{{- '<|im_start|>assistant\\n' + content + '<|im_end|>\\n' }}"
    "{%- elif message['role'] == 'tool' %}"
    "{{- '<|im_start|>user\\n<tool_response>\\n' + content + '\\n</tool_response><|im_end|>\\n' }}"
    "{%- else %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + content + '<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}"
    "{{- '<|im_start|>assistant\\n' }}"
    "{%- if enable_thinking is defined and enable_thinking is false %}"
    "{{- '<think>\\n\\n</think>\\n\\n' }}"
    "{%- endif %}"
    "{%- endif %}"
)

_CORPUS_EN = """\
My name is Alice Johnson and my phone number is +1 415 555 0132.
Please send the invoice to bob.smith@example.com before Friday, 12 March 2024.
The patient was diagnosed with type 2 diabetes and takes metformin twice a day.
Our office is at 221B Baker Street, London NW1 6XE, United Kingdom.
His passport number is X1234567 and his credit card ends in 4242.
You are a privacy extraction assistant. Return a JSON array of private spans.
The user said that she lives in Berlin and works as a nurse at the city hospital.
Remember that I prefer vegetarian food and I am allergic to peanuts.
Meeting with Dr. Chen at 3 pm on Tuesday about the salary negotiation.
IBAN DE89 3704 0044 0532 0130 00, account holder Maria Garcia.
The quick brown fox jumps over the lazy dog. Hello, world! How are you today?
"""

_CORPUS_ZH = """\
我叫张伟，我的手机号码是13812345678，住在北京市海淀区中关村大街1号。
请把合同发送到 wang.fang@example.cn，谢谢。
她的身份证号是110101199003071234，在上海一家医院当护士。
我最近被诊断出高血压，每天早上吃药。
记住我喜欢喝绿茶，不喜欢咖啡。明天下午三点和李医生开会。
用户说他的银行卡号是6222 0200 1234 5678，工资每月一万元。
你好，世界！今天天气很好，我们去公园散步吧。
"""

_CORPUS_JSON = """\
[{"original_text": "Alice Johnson", "privacy_type": "person name", "privacy_level": "PL2"}]
[{"original_text": "+1 415 555 0132", "privacy_type": "phone number", "privacy_level": "PL3"}]
[{"original_text": "13812345678", "privacy_type": "手机号码", "privacy_level": "PL3"},
 {"original_text": "张伟", "privacy_type": "姓名", "privacy_level": "PL2"}]
[{"original_text": "type 2 diabetes", "privacy_type": "health condition", "privacy_level": "PL4"}]
{"name": "spans", "items": [], "count": 0, "ok": true, "value": null, "score": 0.5}
[]
{"role": "user", "content": "hello"} {"role": "assistant", "content": "hi"}
"""


# Knobs that make vLLM on CPU start fast and fit on a 2-core, 24 GiB machine (tests, CI, the CPU
# benchmark); callers apply them with setdefault so their own environment wins.
VLLM_CPU_ENV: dict[str, str] = {
    "VLLM_CPU_KVCACHE_SPACE": "1",  # GiB of KV cache (the tiny model needs far less)
    "VLLM_CPU_OMP_THREADS_BIND": "nobind",  # no core pinning: the machine is shared with pytest
    "VLLM_CPU_CI_ENV": "1",  # dynamo + eager backend instead of inductor C++ compiles
    "VLLM_TARGET_DEVICE": "cpu",
    "VLLM_NO_USAGE_STATS": "1",
    "DO_NOT_TRACK": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def _corpus() -> list[str]:
    lines = (_CORPUS_EN + _CORPUS_ZH + _CORPUS_JSON).splitlines()
    chat = [
        f"<|im_start|>system\n{lines[5]}<|im_end|>\n<|im_start|>user\n{lines[i]}<|im_end|>\n"
        f"<|im_start|>assistant\n<think>\n\n</think>\n\n{lines[-3]}<|im_end|>\n"
        for i in range(len(lines))
    ]
    # Repeat so that the BPE trainer sees enough pair counts to fill a ~1k vocabulary.
    return (lines + chat) * 8


def _train_tokenizer(vocab_size: int) -> Any:
    tokenizers: Any = importlib.import_module("tokenizers")
    byte_level: Any = tokenizers.pre_tokenizers.ByteLevel
    tok = tokenizers.Tokenizer(tokenizers.models.BPE())
    tok.normalizer = tokenizers.normalizers.NFC()
    tok.pre_tokenizer = byte_level(add_prefix_space=False, use_regex=True)
    tok.decoder = tokenizers.decoders.ByteLevel()
    tok.post_processor = tokenizers.processors.ByteLevel(trim_offsets=False)
    trainer = tokenizers.trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=byte_level.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_corpus(), trainer=trainer)
    return tok


def build_tiny_qwen3(
    path: Path | str,
    *,
    vocab_size: int = 1024,
    hidden_size: int = 64,
    num_hidden_layers: int = 2,
    num_attention_heads: int = 2,
    num_key_value_heads: int = 1,
    head_dim: int = 32,
    intermediate_size: int = 128,
    max_position_embeddings: int = 4096,
    seed: int = 0,
    overwrite: bool = False,
    dtype: str = "float32",
    pad_vocab_to: int | None = None,
) -> Path:
    """Write a tiny random-weight Qwen3 chat model (safetensors + tokenizer) to `path`; return it.

    `vocab_size` is the BPE target; the model's vocabulary is the trained tokenizer's real size
    (never larger, so every id the model can emit decodes). If `path` already holds a complete model
    it is reused unless `overwrite` is true. Deterministic for a given seed and library versions.
    `pad_vocab_to` gives the model a larger embedding than the tokenizer (benchmarks of a
    real-sized architecture: the extra ids never decode, and constrained decoding never picks
    them); `dtype` is the saved weights' type ("bfloat16" for GPU-sized models).
    """
    path = Path(path)
    if not overwrite and (path / "config.json").is_file() and (path / "model.safetensors").is_file():
        return path
    path.mkdir(parents=True, exist_ok=True)

    torch: Any = importlib.import_module("torch")
    transformers: Any = importlib.import_module("transformers")

    raw = _train_tokenizer(vocab_size)
    ids = {t: raw.token_to_id(t) for t in SPECIAL_TOKENS}
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=raw,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token=None,
        bos_token=None,
        additional_special_tokens=["<|im_start|>"],
        model_max_length=max_position_embeddings,
        clean_up_tokenization_spaces=False,
        padding_side="left",
    )
    tokenizer.chat_template = QWEN3_CHAT_TEMPLATE
    real_vocab = max(len(tokenizer), pad_vocab_to or 0)

    config = transformers.Qwen3Config(
        vocab_size=real_vocab,
        hidden_size=hidden_size,
        intermediate_size=intermediate_size,
        num_hidden_layers=num_hidden_layers,
        num_attention_heads=num_attention_heads,
        num_key_value_heads=num_key_value_heads,
        head_dim=head_dim,
        max_position_embeddings=max_position_embeddings,
        tie_word_embeddings=True,
        rope_theta=1_000_000.0,
        rms_norm_eps=1e-6,
        hidden_act="silu",
        attention_bias=False,
        use_sliding_window=False,
        bos_token_id=ids["<|endoftext|>"],
        eos_token_id=ids["<|im_end|>"],
        pad_token_id=ids["<|endoftext|>"],
        torch_dtype=dtype,
    )
    torch.manual_seed(seed)
    model = transformers.Qwen3ForCausalLM(config).to(getattr(torch, dtype)).eval()
    model.generation_config = transformers.GenerationConfig(
        bos_token_id=ids["<|endoftext|>"],
        eos_token_id=[ids["<|im_end|>"], ids["<|endoftext|>"]],
        pad_token_id=ids["<|endoftext|>"],
    )
    model.save_pretrained(path, safe_serialization=True)
    tokenizer.save_pretrained(path)
    _ensure_template_in_config(path)
    return path


def _ensure_template_in_config(path: Path) -> None:
    """Also keep the template in tokenizer_config.json, for loaders that ignore chat_template.jinja."""
    cfg_path = path / "tokenizer_config.json"
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    if cfg.get("chat_template") != QWEN3_CHAT_TEMPLATE:
        cfg["chat_template"] = QWEN3_CHAT_TEMPLATE
        cfg_path.write_text(json.dumps(cfg, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
