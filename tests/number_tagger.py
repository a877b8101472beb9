"""A token-classification model whose answer is known: a real `BertForTokenClassification` (with a
WordPiece tokenizer trained here) whose weights are set by hand so that it tags every token holding
a digit `I-private_phone` and every other token `O`. The encoder's residual branches are zeroed, so
each token's label depends on the token alone, wherever it sits in a window.

    from number_tagger import build_number_tagger  # tests/ is on the tests' sys.path

    extractor = build_number_tagger()  # a TokenClassificationExtractor; keywords go to it

Needs `torch`, `transformers` and `tokenizers`, imported when it is called.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["build_number_tagger"]

_SENTENCES = (
    "We talked about the weather and the garden, then about books.",
    "我们聊了天气和花园，然后聊了书。",
    "The meeting moved to Thursday afternoon.",
)


def build_number_tagger(*, sentences: Sequence[str] = _SENTENCES, **options: Any) -> Any:
    import tokenizers
    import torch
    import transformers

    from memprivacy_plugin.extractors.token_classification import TokenClassificationExtractor

    corpus = [*sentences] + [f"Call me on 1{3 + i % 7}{i:09d}, thanks." for i in range(200)]
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = tokenizers.Tokenizer(tokenizers.models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = tokenizers.normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = tokenizers.pre_tokenizers.BertPreTokenizer()
    tok.train_from_iterator(
        corpus * 3, trainer=tokenizers.trainers.WordPieceTrainer(vocab_size=400, special_tokens=specials)
    )
    tok.post_processor = tokenizers.processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))],
    )
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=128,
    )
    labels = ["O", "I-private_phone"]
    config = transformers.BertConfig(
        vocab_size=len(fast),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=128,
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    model = transformers.BertForTokenClassification(config).eval()
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "LayerNorm" not in name:
                param.zero_()
        digit, other = torch.zeros(16), torch.zeros(16)
        digit[0], other[1] = 4.0, 4.0
        for token, index in fast.get_vocab().items():
            model.bert.embeddings.word_embeddings.weight[index] = (
                digit if any(c.isdigit() for c in token) else other
            )
        normed = torch.nn.functional.layer_norm(torch.stack([other, digit]), (16,))
        model.classifier.weight.copy_(normed * 10.0)
    settings = {"max_length": 128, "batch_size": 32, **options}
    return TokenClassificationExtractor(model, tokenizer=fast, **settings)
