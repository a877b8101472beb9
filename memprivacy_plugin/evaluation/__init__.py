"""Evaluation: datasets, metrics and reports (the `eval` extra adds the heavier parts)."""

from __future__ import annotations

from .datasets import (
    Dialogue,
    GoldSpan,
    Record,
    load_dataset,
    load_memprivacy,
    load_presidio_synth,
    oracle_extractor,
    shared_data_dir,
)

__all__ = [
    "Dialogue",
    "GoldSpan",
    "Record",
    "load_dataset",
    "load_memprivacy",
    "load_presidio_synth",
    "oracle_extractor",
    "shared_data_dir",
]
