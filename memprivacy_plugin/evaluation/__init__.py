"""Evaluation: datasets, metrics and reports (the `eval` extra adds the heavier parts)."""

from __future__ import annotations

from .datasets import Dialogue, GoldSpan, Record, load_memprivacy, oracle_extractor, shared_data_dir

__all__ = ["Dialogue", "GoldSpan", "Record", "load_memprivacy", "oracle_extractor", "shared_data_dir"]
