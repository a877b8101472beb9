"""Throughput of `TokenClassificationExtractor` on the English user turns of MemPrivacy-Bench and
PersonaMem-v2, and, with a real checkpoint, recall/precision on the name-like PL2 gold types.

    .venv/bin/python benchmarks/bench_token_classification.py --model openai/privacy-filter
    .venv/bin/python benchmarks/bench_token_classification.py --random   # no download needed

`--random` builds an `openai_privacy_filter` model of the published size (8 layers, 128 experts,
about 1.3B parameters, random weights) with a byte-level BPE tokenizer trained on the turns: the
labels are meaningless, the cost per message is the real one. `--device cuda` runs on a GPU.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._rules_eval import _fmt, dataset_paths, load_turns
from benchmarks.bench_spacy import GOLD_FAMILIES, OTHER, score
from memprivacy_plugin.extractors.spacy_ner import detect_language
from memprivacy_plugin.extractors.token_classification import TokenClassificationExtractor


def _random_model(texts: list[str]) -> tuple[Any, Any]:
    import tokenizers
    import torch
    import transformers

    torch.manual_seed(0)
    tok = tokenizers.Tokenizer(tokenizers.models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = tokenizers.decoders.ByteLevel()
    trainer = tokenizers.trainers.BpeTrainer(vocab_size=16000, special_tokens=["<pad>", "<unk>"])
    tok.train_from_iterator(texts, trainer)
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", unk_token="<unk>")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        config = transformers.AutoConfig.for_model(
            "openai_privacy_filter", vocab_size=16000, pad_token_id=0, eos_token_id=0
        )
        model = transformers.AutoModelForTokenClassification.from_config(config)
    return model, fast


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--model", help="Hub id or local directory of a token-classification model")
    group.add_argument("--random", action="store_true", help="random openai/privacy-filter-sized model")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--limit", type=int, default=128, help="messages timed (all are scored)")
    args = parser.parse_args(argv)

    paths = dataset_paths()
    if not paths:
        print("dataset not found (set MEMPRIVACY_SHARED_DATA)", file=sys.stderr)
        return 2
    turns = load_turns(paths, family=lambda raw: GOLD_FAMILIES.get(raw, OTHER), unformatted=frozenset())
    english = [t for t in turns if detect_language(t.text) == "en"]
    texts = [t.text for t in english]
    if args.random:
        model, tokenizer = _random_model(texts)
        extractor = TokenClassificationExtractor(  # no cache: every pass must run the model
            model, tokenizer=tokenizer, device=args.device, batch_size=args.batch_size, cache=False
        )
    else:
        extractor = TokenClassificationExtractor(
            args.model, device=args.device, batch_size=args.batch_size, cache=False
        )
    tokenizer = extractor._tokenizer
    sample = texts[: args.limit]
    mean_tokens = sum(len(tokenizer(t)["input_ids"]) for t in sample) / len(sample)
    extractor.extract_batch(sample[: args.batch_size])  # warm-up
    t0 = time.perf_counter()
    extractor.extract_batch(sample)
    batched = len(sample) / (time.perf_counter() - t0)
    one = sample[: max(8, args.limit // 4)]
    t0 = time.perf_counter()
    for text in one:
        extractor.extract(text)
    single = len(one) / (time.perf_counter() - t0)
    params = sum(p.numel() for p in extractor._model.parameters()) / 1e6
    print(f"{extractor!r} on {args.device}: {params:,.0f}M parameters")
    print(
        f"{len(sample)} English turns, mean {mean_tokens:.0f} tokens: {batched:,.1f} messages/s with "
        f"extract_batch (batch {args.batch_size}), {single:,.1f} messages/s one at a time"
    )
    if args.random:
        return 0
    families, _, _, _ = score(english, extractor.extract_batch(texts))
    print("\n| family (English turns) | gold | found | recall | predicted | correct | precision |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for fam, c in families.items():
        recall, precision = _fmt(c.recall), _fmt(c.precision)
        print(f"| {fam} | {c.gold} | {c.found} | {recall} | {c.pred} | {c.correct} | {precision} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
