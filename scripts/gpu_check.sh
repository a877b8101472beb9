#!/usr/bin/env bash
# The GPU figures of docs/performance.md in one go, on one NVIDIA H100/H200 (about 6-7 minutes).
#
# A model with the published Qwen3-4B dimensions (the MemPrivacy-4B architecture; random weights,
# nothing downloaded) extracts the real user messages of MemPrivacy-Bench with this project's
# prompt, through VLLMExtractor: 512 messages in one batched call (messages/s) and 128 one at a time
# (p50/p95 latency), first without and then with n-gram speculative decoding. One JSON file.
#
#   bash scripts/gpu_check.sh [OUT_DIR]          # default: ./gpu-check; writes OUT_DIR/gpu_check.json
#   WHEELS=/path/to/wheels bash scripts/gpu_check.sh   # a bare machine: install offline from wheels
#
# Needs vLLM (with CUDA) and the dataset in ../shared/data (or MEMPRIVACY_SHARED_DATA).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-${OUT:-gpu-check}}"
py="${PYTHON:-python3}"
mkdir -p "$out"
if [ -n "${WHEELS:-}" ]; then
    "$py" -m pip install -q --no-index --find-links "$WHEELS" vllm -e '.[vllm]'
fi
if ! "$py" -c "import vllm" 2>/dev/null; then
    echo "gpu_check: vLLM is not installed (pip install vllm, or WHEELS=DIR holding its wheels)" >&2
    exit 2
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
for spec in 0 4; do
    # each configuration in its own process (a fresh engine), bounded so one hang cannot eat the budget
    timeout 290 "$py" benchmarks/bench_vllm.py --model "${MODEL:-qwen3-4b-shape}" --limit "${LIMIT:-512}" --single "${SINGLE:-128}" \
        --max-tokens 160 --speculative "$spec" --json "$out/speculative-$spec.json"
done
"$py" - "$out" <<'PY'
import json, sys
from pathlib import Path

out = Path(sys.argv[1])
runs = {p.stem: json.loads(p.read_text()) for p in sorted(out.glob("speculative-*.json"))}
(out / "gpu_check.json").write_text(json.dumps(runs, indent=2) + "\n")
for name, run in runs.items():
    print(f"{name}: batched {run['batched']['messages_per_s']} msg/s, "
          f"one at a time p50 {run['single']['p50_s']} s p95 {run['single']['p95_s']} s ({run['gpu']})")
PY
