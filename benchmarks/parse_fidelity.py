"""Parse fidelity over the whole benchmark: the gold annotations of every turn of MemPrivacy-Bench
(and PersonaMem-v2), rendered as the raw outputs models produce, run through `parse_output` (parse,
locate, merge). What survives is what a model that found exactly the gold would protect.

Each turn's gold items `{original_text, privacy_type, privacy_level}` are rendered in every style:

| style | what a model does |
|---|---|
| clean | a JSON array |
| fence | the array in a ```json code fence |
| think | a `<think>` block (holding brackets and quotes) before the array |
| prose | a sentence before the array and one after it |
| escaped | `\\uXXXX` escapes for every non-ASCII character (`ensure_ascii`) |
| repairable | broken JSON: single quotes, unquoted keys, trailing commas, a missing `]` |
| truncated | the answer cut off inside the last item's text (at a random character) |
| type_case | the type upper- or lower-cased, the level as `pl3` / `Level 3` |
| chinese_types | the type as its Chinese name (`手机号`, `病历`) |
| full_width | the digits of each value full-width (`１３８`), the message keeping half-width ones |

A gold span survives when every place its text occurs in the turn (exactly, else after the
normalisation `locate` applies) is covered by the parsed spans. A character covered by the parsed
spans outside every gold span's places is an addition; in the truncated style, the cut item is
extended to the end of the token it stops in, and what that adds is counted apart. Gold texts that
occur nowhere in their turn (a few labels are not substrings) are left out and counted.

    python benchmarks/parse_fidelity.py [--dataset memprivacy-bench] [--seed 0]

Reads the datasets in place (`MEMPRIVACY_SHARED_DATA` or ../shared/data); exits 1 when under 99%
of gold spans survive or anything but a cut item's extension is added.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from memprivacy_plugin.evaluation.datasets import Record, load_memprivacy
from memprivacy_plugin.extractors.prompt import OutputParseError, read_output
from memprivacy_plugin.spans import Locator
from memprivacy_plugin.taxonomy import normalize_type

__all__ = ["CHINESE_TYPES", "STYLES", "Tally", "main", "render", "run"]

STYLES = (
    "clean",
    "fence",
    "think",
    "prose",
    "escaped",
    "repairable",
    "truncated",
    "type_case",
    "chinese_types",
    "full_width",
)

#: One Chinese name per standard type, as Chinese-speaking models write them.
CHINESE_TYPES = {
    "Password": "密码",
    "Verification Code": "验证码",
    "Token": "令牌",
    "Key": "密钥",
    "Private Key": "私钥",
    "Payment Security Code": "安全码",
    "Database Connection String": "数据库连接串",
    "Vulnerability Details": "漏洞详情",
    "Business Secret": "商业机密",
    "ID Number": "身份证号",
    "Financial Account": "银行卡号",
    "Transaction Record": "交易记录",
    "Assets/Income": "收入",
    "Medical Health": "病历",
    "Precise Location": "精确位置",
    "Itinerary/Trajectory": "行程",
    "Biometrics": "生物特征",
    "Communication Content": "聊天内容",
    "Sensitive Identity": "敏感身份",
    "Judicial Record": "司法记录",
    "Real Name": "姓名",
    "Phone Number": "手机号",
    "Email": "邮箱",
    "Detailed Address": "详细地址",
    "Account ID/Username": "用户名",
    "Network Identifier": "IP地址",
    "Identity Background": "身份背景",
    "Relationship Info": "人际关系",
}

_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _items(gold: Sequence[tuple[str, str, str]]) -> list[dict[str, str]]:
    return [{"original_text": t, "privacy_type": k, "privacy_level": lv} for t, k, lv in gold]


def _repairable(items: list[dict[str, str]], rng: random.Random) -> str:
    """JSON broken the ways models break it, each message one way."""
    way = rng.randrange(4)
    if way == 0:  # a Python literal: single quotes, and a trailing comma
        return repr(items)[:-1] + ",]"
    if way == 1:  # unquoted keys
        text = json.dumps(items, ensure_ascii=False)
        return re.sub(r'"(original_text|privacy_type|privacy_level)":', r"\1:", text)
    if way == 2:  # trailing commas inside objects and the array
        text = json.dumps(items, ensure_ascii=False)
        return text.replace("}", ",}").removesuffix("]") + ",]"
    return json.dumps(items, ensure_ascii=False).removesuffix("]")  # the closing bracket missing


def _truncated(items: list[dict[str, str]], rng: random.Random) -> tuple[str, str | None]:
    """The answer cut inside the last item's text; (raw, that item's text)."""
    if not items:
        return "[", None
    head = json.dumps(items[:-1], ensure_ascii=False)[:-1]
    last = items[-1]
    encoded = json.dumps(last["original_text"], ensure_ascii=False)[1:-1]
    cut = rng.randint(1, max(1, len(encoded) - 1))
    prefix = (head + ", " if items[:-1] else "[") + '{"original_text": "' + encoded[:cut]
    return prefix, last["original_text"]


def render(gold: Sequence[tuple[str, str, str]], style: str, rng: random.Random) -> tuple[str, str | None]:
    """A model's raw answer listing `gold` ((text, type, level) triples) in `style`, and the text
    of the item the answer cuts off (truncated style), else None."""
    items = _items(gold)
    plain = json.dumps(items, ensure_ascii=False)
    if style == "clean":
        return plain, None
    if style == "fence":
        return f"```json\n{json.dumps(items, ensure_ascii=False, indent=2)}\n```", None
    if style == "think":
        return f'<think>The user wrote [things]; "private" ones: {len(items)}.</think>\n\n{plain}', None
    if style == "prose":
        return f"Here are the private spans I found:\n{plain}\nLet me know if you need anything else.", None
    if style == "escaped":
        return json.dumps(items, ensure_ascii=True), None
    if style == "repairable":
        return _repairable(items, rng), None
    if style == "truncated":
        return _truncated(items, rng)
    if style == "type_case":
        for item in items:
            kind = item["privacy_type"]
            item["privacy_type"] = kind.upper() if rng.random() < 0.5 else kind.lower()
            item["privacy_level"] = rng.choice(("pl{}", "Level {}", "L{}")).format(item["privacy_level"][-1])
        return json.dumps(items, ensure_ascii=False), None
    if style == "chinese_types":
        for item in items:
            item["privacy_type"] = CHINESE_TYPES.get(
                normalize_type(item["privacy_type"]).name, item["privacy_type"]
            )
        return json.dumps(items, ensure_ascii=False), None
    if style == "full_width":
        for item in items:
            item["original_text"] = item["original_text"].translate(_FULL_WIDTH)
        return json.dumps(items, ensure_ascii=False), None
    raise ValueError(f"unknown style {style!r}")


@dataclass
class Tally:
    """What one style did over the turns."""

    turns: int = 0
    gold: int = 0
    survived: int = 0
    added: int = 0  # characters covered outside the gold
    cut_added: int = 0  # characters a cut item's extension covered outside the gold
    cut_lost: int = 0  # lost spans that were the item the answer cut off
    unreadable: int = 0  # answers parse_output refused (OutputParseError)
    missing: list[str] = field(default_factory=list)  # a few examples of lost spans' types

    @property
    def rate(self) -> float:
        return self.survived / self.gold if self.gold else 1.0


def _covered(spans: Iterable[tuple[int, int]], length: int) -> bytearray:
    mask = bytearray(length)
    for start, end in spans:
        mask[start:end] = b"\x01" * (end - start)
    return mask


def check_turn(
    message: str, gold: Sequence[tuple[str, str, str]], style: str, rng: random.Random, tally: Tally
) -> None:
    """Render, parse and score one turn in one style."""
    locator = Locator(message)
    places = {text: locator.find(text.strip()) for text, _, _ in gold}
    raw, cut_text = render(gold, style, rng)
    tally.turns += 1
    tally.gold += len(gold)
    try:
        parsed = read_output(raw, message)
    except OutputParseError:
        tally.unreadable += 1
        return
    found = _covered(((s.start, s.end) for s in parsed.spans), len(message))
    gold_mask = _covered((p for ps in places.values() for p in ps), len(message))
    for text, kind, _ in gold:
        if all(all(found[i] for i in range(s, e)) for s, e in places[text]):
            tally.survived += 1
            continue
        tally.cut_lost += text == cut_text
        if len(tally.missing) < 20:
            tally.missing.append(kind)
    outside = sum(1 for i in range(len(message)) if found[i] and not gold_mask[i])
    if cut_text is not None and outside:
        # what the cut item's extension covered beyond the gold: the places its text's beginning
        # occurs, to the end of the token, are the only spans a truncated answer adds
        tally.cut_added += outside
    else:
        tally.added += outside


def gold_of(records: Iterable[Record]) -> tuple[list[tuple[str, list[tuple[str, str, str]]]], int]:
    """Every turn with its gold (distinct texts that occur in it), and how many gold texts occur
    nowhere in their turn."""
    turns: list[tuple[str, list[tuple[str, str, str]]]] = []
    absent = 0
    for record in records:
        for dialogue in record.dialogues:
            locator = Locator(dialogue.content)
            seen: set[str] = set()
            gold = []
            for span in dialogue.spans:
                text = span.text
                if not text.strip() or text in seen:
                    continue
                seen.add(text)
                if not locator.find(text.strip()):
                    absent += 1
                    continue
                gold.append((text, span.privacy_type, span.level.value))
            if gold:
                turns.append((dialogue.content, gold))
    return turns, absent


def run(
    turns: Sequence[tuple[str, Sequence[tuple[str, str, str]]]], styles: Sequence[str] = STYLES, seed: int = 0
) -> dict[str, Tally]:
    rng = random.Random(seed)
    tallies = {style: Tally() for style in styles}
    for message, gold in turns:
        for style in styles:
            check_turn(message, gold, style, rng, tallies[style])
    return tallies


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", action="append", help="memprivacy-bench (default) and/or personamem-v2")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    failed = False
    for name in args.dataset or ["memprivacy-bench", "personamem-v2"]:
        turns, absent = gold_of(load_memprivacy(name, roles=None))
        tallies = run(turns, seed=args.seed)
        total = Tally()
        for t in tallies.values():
            total.gold += t.gold
            total.survived += t.survived
            total.cut_lost += t.cut_lost
            total.added += t.added
            total.cut_added += t.cut_added
            total.unreadable += t.unreadable
        spans = sum(len(g) for _, g in turns)
        print(
            f"\n{name}: {len(turns)} turns with gold, {spans} gold spans ({absent} texts not in their turn)\n"
        )
        header = [
            "style",
            "gold spans",
            "survived",
            "rate",
            "lost: the cut item",
            "added chars",
            "cut item's extension",
        ]
        print("| " + " | ".join(header) + " |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for style, t in [*tallies.items(), ("all", total)]:
            row = [style, t.gold, t.survived, f"{t.rate:.2%}", t.cut_lost, t.added, t.cut_added]
            print("| " + " | ".join(map(str, row)) + " |")
        if total.unreadable:
            print(f"{total.unreadable} answers could not be read at all")
        failed |= total.rate < 0.99 or total.added > 0 or total.unreadable > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
