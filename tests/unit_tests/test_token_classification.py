"""TokenClassificationExtractor: label decoding and mapping (exact), and the model path on a tiny
randomly initialised BERT built here (structure only: random weights give random labels)."""

from __future__ import annotations

import itertools
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from memprivacy_plugin.extractors._names import is_user_name
from memprivacy_plugin.extractors.token_classification import (
    LabelRule,
    aggregate_words,
    decode_entities,
    default_label_map,
    join_address_parts,
    label_key,
    resolve_label,
    split_label,
)
from memprivacy_plugin.taxonomy import STANDARD_TYPES, PrivacyLevel

OPENAI_ENTITIES = (
    "account_number",
    "private_address",
    "private_date",
    "private_email",
    "private_person",
    "private_phone",
    "private_url",
    "secret",
)
OPENAI_LABELS = ["O"] + [f"{p}-{e}" for e in OPENAI_ENTITIES for p in "BIES"]


def offsets_of(text: str) -> list[tuple[int, int]]:
    """Whitespace tokens' offsets."""
    out, pos = [], 0
    for word in text.split():
        start = text.index(word, pos)
        out.append((start, start + len(word)))
        pos = start + len(word)
    return out


# --------------------------------------------------------------------------------------------------
# decode_entities: hand-computed expectations
# --------------------------------------------------------------------------------------------------


def test_bio_sequence() -> None:
    text = "Call John Smith at 555 0100 now"
    offs = offsets_of(text)
    labels = ["O", "B-PER", "I-PER", "O", "B-PHONE", "I-PHONE", "O"]
    scores = [0.9, 0.8, 0.6, 0.9, 1.0, 0.5, 0.9]
    assert decode_entities(labels, scores, offs) == [
        (5, 15, "PER", pytest.approx(0.7)),
        (19, 27, "PHONE", pytest.approx(0.75)),
    ]


def test_bio_two_adjacent_entities_of_one_type_stay_apart() -> None:
    text = "Ann Bob"
    labels = ["B-PER", "B-PER"]
    assert decode_entities(labels, [1.0, 0.5], offsets_of(text)) == [(0, 3, "PER", 1.0), (4, 7, "PER", 0.5)]


def test_bio_i_without_b_and_type_change() -> None:
    text = "a b c d"
    labels = ["I-X", "I-X", "I-Y", "O"]
    assert decode_entities(labels, [1.0, 1.0, 0.4, 1.0], offsets_of(text)) == [
        (0, 3, "X", 1.0),
        (4, 5, "Y", 0.4),
    ]


def test_bioes_sequence() -> None:
    text = "Mail jo@x.io or call Ann Lee Park today"
    offs = offsets_of(text)
    labels = [
        "O",
        "S-private_email",
        "O",
        "O",
        "B-private_person",
        "I-private_person",
        "E-private_person",
        "O",
    ]
    scores = [1.0, 0.9, 1.0, 1.0, 0.6, 0.9, 0.9, 1.0]
    assert decode_entities(labels, scores, offs) == [
        (5, 12, "private_email", pytest.approx(0.9)),
        (21, 33, "private_person", pytest.approx(0.8)),
    ]


def test_bioes_e_closes_and_s_after_s() -> None:
    text = "x y z w"
    labels = ["B-A", "E-A", "I-A", "S-B"]
    # E- closes; the following I-A opens a new entity; S-B is its own entity.
    assert decode_entities(labels, [1.0, 1.0, 0.5, 0.2], offsets_of(text)) == [
        (0, 3, "A", 1.0),
        (4, 5, "A", 0.5),
        (6, 7, "B", 0.2),
    ]


def test_bilou_prefixes() -> None:
    text = "p q r"
    labels = ["B-LOC", "L-LOC", "U-ORG"]
    assert decode_entities(labels, [1.0, 1.0, 1.0], offsets_of(text)) == [
        (0, 3, "LOC", 1.0),
        (4, 5, "ORG", 1.0),
    ]


def test_plain_labels_join_consecutive_tokens() -> None:
    text = "Dear Ann Lee , at jo@x.io"
    labels = ["O", "person", "person", "O", "O", "email"]
    assert decode_entities(labels, [1.0] * 6, offsets_of(text)) == [
        (5, 12, "person", 1.0),
        (18, 25, "email", 1.0),
    ]


def test_special_tokens_are_skipped_and_subword_b_pieces_join() -> None:
    # [CLS] Jo ##hn [SEP] with the continuation piece tagged B- again; touching pieces join.
    labels = ["O", "B-PER", "B-PER", "O"]
    offsets = [(0, 0), (0, 2), (2, 4), (0, 0)]
    assert decode_entities(labels, [1.0, 0.8, 0.6, 1.0], offsets) == [(0, 4, "PER", pytest.approx(0.7))]


def test_decode_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="same length"):
        decode_entities(["O"], [1.0, 1.0], [(0, 1)])


def test_split_label_and_key() -> None:
    assert split_label("B-private_email") == ("B", "private_email")
    assert split_label("s-Email") == ("S", "Email")
    assert split_label("O") == ("", "O")
    assert split_label("first_name") == ("", "first_name")
    assert label_key("E-Private-Email") == "private_email"
    assert label_key("U-FIRST_NAME") == "first_name"


def test_aggregate_words_strategies() -> None:
    # two words: tokens 0-1 are word 0, token 2 is word 1; special tokens around.
    offsets = [(0, 0), (0, 2), (2, 4), (5, 8), (0, 0)]
    probs = [[1.0, 0.0, 0.0], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8], [0.0, 0.9, 0.1], [1.0, 0.0, 0.0]]
    word_ids = [None, 0, 0, 1, None]
    labels, scores, spans = aggregate_words(probs, offsets, word_ids, "first")
    assert (labels, spans) == ([1, 1], [(0, 4), (5, 8)])
    assert scores == pytest.approx([0.7, 0.9])
    labels, scores, _ = aggregate_words(probs, offsets, word_ids, "max")
    assert labels == [2, 1]
    assert scores == pytest.approx([0.8, 0.9])
    labels, scores, _ = aggregate_words(probs, offsets, word_ids, "average")
    assert labels == [2, 1]
    assert scores == pytest.approx([0.45, 0.9])
    with pytest.raises(ValueError, match="unknown word aggregation"):
        aggregate_words(probs, offsets, word_ids, "mode")


# --------------------------------------------------------------------------------------------------
# Label map
# --------------------------------------------------------------------------------------------------


def _shipped_json() -> dict[str, Any]:
    package = "memprivacy_plugin.extractors"
    return dict(json.loads(resources.files(package).joinpath("data/token_labels.json").read_text("utf-8")))


def test_every_shipped_label_maps_to_a_standard_tag_with_its_level() -> None:
    table = default_label_map()
    assert len(table) >= 60
    for label, rule in table.items():
        if rule is None:
            continue
        assert rule.privacy_type in STANDARD_TYPES, label
        assert STANDARD_TYPES[rule.privacy_type].level == rule.level, label


def test_shipped_map_covers_both_models() -> None:
    raw = _shipped_json()
    table = default_label_map()
    assert sorted(raw["models"]["openai/privacy-filter"]) == sorted(OPENAI_ENTITIES)
    for model_labels in raw["models"].values():
        for label in model_labels:
            assert label in table
    nemotron = set(raw["models"]["OpenMed/privacy-filter-nemotron"])
    assert len(nemotron) >= 55
    for label in (
        "first_name",
        "last_name",
        "ssn",
        "credit_debit_card",
        "cvv",
        "api_key",
        "ipv4",
        "date_of_birth",
    ):
        assert label in nemotron


@pytest.mark.parametrize(
    ("label", "privacy_type", "level"),
    [
        ("B-private_email", "Email", "PL2"),
        ("S-private_phone", "Phone Number", "PL2"),
        ("I-private_address", "Detailed Address", "PL2"),
        ("E-account_number", "Financial Account", "PL3"),
        ("B-secret", "Key", "PL4"),
        ("private_date", "Identity Background", "PL2"),
        ("private_url", "Network Identifier", "PL2"),
        ("B-SSN", "ID Number", "PL3"),
        ("cvv", "Payment Security Code", "PL4"),
        ("credit_debit_card", "Financial Account", "PL3"),
        ("medical_record_number", "Medical Health", "PL3"),
        ("religious_belief", "Sensitive Identity", "PL3"),
    ],
)
def test_known_labels(label: str, privacy_type: str, level: str) -> None:
    rule = resolve_label(label, default_label_map())
    assert rule is not None
    assert (rule.privacy_type, rule.level) == (privacy_type, PrivacyLevel(level))


def test_person_labels_and_ignored_labels() -> None:
    table = default_label_map()
    for label in ("private_person", "first_name", "last_name"):
        rule = resolve_label(label, table)
        assert rule is not None
        assert rule.person
        assert rule.privacy_type == "Real Name"
    for label in ("date", "time", "language"):
        assert resolve_label(label, table) is None
    city = resolve_label("B-city", table)
    assert city is not None
    assert city.address_part


def test_unknown_labels_fail_closed() -> None:
    table = default_label_map()
    known = resolve_label("B-credit card number", table)
    assert known == LabelRule("Financial Account", PrivacyLevel.PL3)
    custom = resolve_label("S-galaxy_code", table)
    assert custom == LabelRule("galaxy code", PrivacyLevel.PL3)
    assert resolve_label("galaxy_code", table, unknown_level=PrivacyLevel.PL4) == LabelRule(
        "galaxy code", PrivacyLevel.PL4
    )


def test_label_rule_coerce() -> None:
    assert LabelRule.coerce("Email") == LabelRule("Email", PrivacyLevel.PL2)
    assert LabelRule.coerce({"type": "passport", "level": 4}) == LabelRule("ID Number", PrivacyLevel.PL4)
    assert LabelRule.coerce({"type": "Real Name", "person": True}) == LabelRule(
        "Real Name", PrivacyLevel.PL2, person=True
    )
    assert LabelRule.coerce(None) is None
    with pytest.raises(ValueError, match="'type'"):
        LabelRule.coerce({"level": "PL2"})
    with pytest.raises(TypeError):
        LabelRule.coerce(3)


def test_join_address_parts() -> None:
    text = "I live at 14 Seaview Avenue, Hobart, TAS. I love Paris."
    table = default_label_map()
    street, city, state = table["street_address"], table["city"], table["state"]
    assert street is not None
    assert city is not None
    assert state is not None
    items = [(10, 27, street, 0.9), (29, 35, city, 0.8), (37, 40, state, 0.7), (49, 54, city, 0.9)]
    joined = join_address_parts(text, items)
    assert [(s, e, r.privacy_type, sc) for s, e, r, sc in joined] == [(10, 40, "Detailed Address", 0.9)]
    assert text[10:40] == "14 Seaview Avenue, Hobart, TAS"


@pytest.mark.parametrize(
    ("span", "user", "expected"),
    [
        ("John Smith", "John Smith", True),
        ("john  smith", "John Smith", True),
        ("John", "John Smith", True),
        ("Dr. John Smith", "John Smith", True),
        ("Jane Smith", "John Smith", False),
        ("Marie", "John Smith", False),
        ("张伟", "张伟", True),
        ("伟", "张伟", False),
        ("李娜", "张伟", False),
        ("Smith", None, False),
    ],
)
def test_is_user_name(span: str, user: str | None, expected: bool) -> None:
    assert is_user_name(span, user) is expected


# --------------------------------------------------------------------------------------------------
# The extractor on a tiny random model
# --------------------------------------------------------------------------------------------------

CORPUS = [
    "My name is John Smith and my email is john.smith@mail.com.",
    "Call me at 415 555 0132 or write to 14 Seaview Avenue, Hobart.",
    "The password is hunter2 and my account number is 12345678.",
    "I met Marie at Google in Paris yesterday, visit https://example.org/me.",
    "我的电话是13800138000，住在北京市朝阳区。",
]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    transformers = pytest.importorskip("transformers")
    pytest.importorskip("torch")
    tokenizers = pytest.importorskip("tokenizers")
    import torch

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("tiny_token_model")
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = tokenizers.Tokenizer(tokenizers.models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = tokenizers.normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = tokenizers.pre_tokenizers.BertPreTokenizer()
    trainer = tokenizers.trainers.WordPieceTrainer(vocab_size=300, special_tokens=specials)
    tok.train_from_iterator(CORPUS * 5, trainer=trainer)
    tok.post_processor = tokenizers.processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))],
    )
    tok.decoder = tokenizers.decoders.WordPiece()
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=512,
    )
    fast.save_pretrained(path)
    config = transformers.BertConfig(
        vocab_size=fast.vocab_size,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=128,
        id2label=dict(enumerate(OPENAI_LABELS)),
        label2id={label: i for i, label in enumerate(OPENAI_LABELS)},
    )
    model = transformers.BertForTokenClassification(config)
    with torch.no_grad():  # make "entity" labels likely so that spans appear at all
        model.classifier.bias.copy_(torch.linspace(0.0, 2.0, len(OPENAI_LABELS)))
    model.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def extractor(tiny_model: Path) -> Any:
    from memprivacy_plugin.extractors.token_classification import TokenClassificationExtractor

    return TokenClassificationExtractor(tiny_model, threshold=0.0, batch_size=2, max_length=128)


def _check_structure(extractor: Any, text: str, spans: list[Any]) -> None:
    table = default_label_map()
    allowed = {r.privacy_type for r in table.values() if r is not None} | {"Relationship Info"}
    for span in spans:
        assert span.text == text[span.start : span.end]
        assert span.text == span.text.strip()
        assert span.source == "token_classification"
        assert span.privacy_type in allowed
        assert span.level == STANDARD_TYPES[span.privacy_type].level
        assert 0.0 <= span.score <= 1.0
    for a, b in itertools.pairwise(spans):
        assert a.end <= b.start


def _same(a: list[list[Any]], b: list[list[Any]]) -> None:
    """Equal span lists up to float noise in the scores (batched padding changes the last bits)."""

    def key(spans: list[Any]) -> list[tuple[Any, ...]]:
        return [(s.start, s.end, s.text, s.privacy_type, s.level, s.source) for s in spans]

    assert [key(x) for x in a] == [key(x) for x in b]
    assert [[s.score for s in x] for x in a] == [[pytest.approx(s.score, abs=1e-5) for s in x] for x in b]


def test_extract_structure(extractor: Any) -> None:
    seen = 0
    for text in CORPUS:
        spans = extractor.extract(text)
        _check_structure(extractor, text, spans)
        seen += len(spans)
    assert seen > 0  # the biased classifier produces entities


def test_batch_equals_one_by_one(extractor: Any) -> None:
    texts = [*CORPUS, "", "   ", CORPUS[0]]
    batch = extractor.extract_batch(texts)
    _same(batch, [extractor.extract(t) for t in texts])
    assert batch[5] == []
    assert batch[6] == []


def test_long_text_is_windowed(tiny_model: Path) -> None:
    from memprivacy_plugin.extractors.token_classification import TokenClassificationExtractor

    small = TokenClassificationExtractor(tiny_model, threshold=0.0, max_length=16, stride=4)
    text = " ".join(CORPUS[:4] * 6)
    assert len(small._tokenizer(text)["input_ids"]) > 100
    spans = small.extract(text)
    _check_structure(small, text, spans)
    assert spans
    assert spans[-1].end > len(text) // 2
    # every character position is predicted once: the same text in a batch gives the same spans
    _same(small.extract_batch([text, CORPUS[0]])[:1], [spans])


def test_word_aggregation_runs(tiny_model: Path) -> None:
    from memprivacy_plugin.extractors.token_classification import TokenClassificationExtractor

    for strategy in ("first", "average", "max"):
        ext = TokenClassificationExtractor(tiny_model, aggregation=strategy, threshold=0.0)
        for text in CORPUS:
            _check_structure(ext, text, ext.extract(text))


def test_threshold_above_one_gives_nothing(tiny_model: Path) -> None:
    from memprivacy_plugin.extractors.token_classification import TokenClassificationExtractor

    ext = TokenClassificationExtractor(tiny_model, threshold=1.01)
    assert all(ext.extract(t) == [] for t in CORPUS)


def test_user_name_decides_real_name_or_relationship(tiny_model: Path) -> None:
    from memprivacy_plugin.extractors.token_classification import TokenClassificationExtractor

    # Every label read as a person: the spans' types then depend only on the user's name.
    person = {"type": "Real Name", "person": True}
    ext = TokenClassificationExtractor(
        tiny_model, threshold=0.0, label_map={e: person for e in OPENAI_ENTITIES}
    )
    text = CORPUS[0]
    without = ext.extract(text)
    assert without
    assert {s.privacy_type for s in without} == {"Real Name"}
    with_name = ext.extract(text, user_name="John Smith")
    assert [(s.start, s.end) for s in with_name] == [(s.start, s.end) for s in without]
    for span in with_name:
        expected = "Real Name" if is_user_name(span.text, "John Smith") else "Relationship Info"
        assert span.privacy_type == expected
        assert span.level == PrivacyLevel.PL2


def test_label_map_override(tiny_model: Path) -> None:
    from memprivacy_plugin.extractors.token_classification import TokenClassificationExtractor

    override = {e: {"type": "Business Secret", "level": "PL4"} for e in OPENAI_ENTITIES}
    ext = TokenClassificationExtractor(tiny_model, threshold=0.0, label_map=override)
    spans = [s for t in CORPUS for s in ext.extract(t)]
    assert spans
    assert {(s.privacy_type, s.level) for s in spans} == {("Business Secret", PrivacyLevel.PL4)}
    assert dict(ext.labels())["private_email"] == LabelRule("Business Secret", PrivacyLevel.PL4)
    ignore_all = TokenClassificationExtractor(
        tiny_model, threshold=0.0, label_map=dict.fromkeys(OPENAI_ENTITIES)
    )
    assert all(ignore_all.extract(t) == [] for t in CORPUS)


def test_bad_arguments(tiny_model: Path) -> None:
    from memprivacy_plugin.extractors.token_classification import TokenClassificationExtractor

    with pytest.raises(ValueError, match="aggregation"):
        TokenClassificationExtractor(tiny_model, aggregation="mode")
    with pytest.raises(ValueError, match="stride"):
        TokenClassificationExtractor(tiny_model, max_length=16, stride=8)
    model = object()
    with pytest.raises(ValueError, match="tokenizer"):
        TokenClassificationExtractor(model)


def test_openai_privacy_filter_architecture(tiny_model: Path, tmp_path: Path) -> None:
    """The architecture of openai/privacy-filter (tiny, random), with its own default label set."""
    transformers = pytest.importorskip("transformers")
    from memprivacy_plugin.extractors.token_classification import TokenClassificationExtractor

    try:
        config = transformers.AutoConfig.for_model(
            "openai_privacy_filter",
            vocab_size=300,
            hidden_size=16,
            intermediate_size=16,
            head_dim=8,
            num_attention_heads=2,
            num_key_value_heads=1,
            num_hidden_layers=1,
            num_local_experts=4,
            num_experts_per_tok=2,
            sliding_window=8,
            pad_token_id=0,
            eos_token_id=0,
        )
    except (KeyError, ValueError):
        pytest.skip("this transformers has no openai_privacy_filter architecture")
    assert sorted(config.id2label.values()) == sorted(OPENAI_LABELS)
    transformers.AutoModelForTokenClassification.from_config(config).save_pretrained(tmp_path)
    transformers.AutoTokenizer.from_pretrained(tiny_model).save_pretrained(tmp_path)
    ext = TokenClassificationExtractor(tmp_path, threshold=0.0, max_length=32, stride=4)
    assert {rule for _, rule in ext.labels()} <= set(default_label_map().values())
    batch = ext.extract_batch(CORPUS)
    for text, spans in zip(CORPUS, batch, strict=True):
        _check_structure(ext, text, spans)
    _same(batch, [ext.extract(t) for t in CORPUS])


def test_missing_transformers_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from memprivacy_plugin.extractors import token_classification

    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] in ("transformers", "torch"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    real_import_module = token_classification.importlib.import_module

    def fake_import_module(name: str, package: str | None = None) -> Any:
        # importlib.resources imports packages through this too: it must return the module itself
        # (not the top package `__import__` returns), or the label map is looked for in the wrong place
        if name.split(".")[0] in ("transformers", "torch"):
            raise ImportError(f"No module named {name!r}")
        return real_import_module(name, package)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    monkeypatch.setattr(token_classification.importlib, "import_module", fake_import_module)
    with pytest.raises(ImportError, match=r"memprivacy-plugin\[transformers\]"):
        token_classification.TokenClassificationExtractor("some/model")
