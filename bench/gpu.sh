#!/usr/bin/env bash
# One-shot GPU benchmark of the Karlo-sized TIMING MODEL THAT PAINTS NOISE (random weights).
#
# On a fresh GPU machine with this repository, from its root:   bash bench/gpu.sh
# Writes everything to $OUT/ (default ./var/gpu-bench/): gpu-bench.txt (the figures), build.txt,
# env.txt. Bounded to ~8 minutes in all (BUDGET_S, default 480): each step gets what is left and
# is stopped by `timeout`; whatever was printed so far is kept.
#
#   1. Python: .venv if it imports torch, else the Makefile's install (`make install`: torch==2.13.0,
#      which on PyPI may be a CPU build), else a system python3 that has torch + diffusers.
#   2. Checks torch.cuda.is_available(); says so clearly and stops if not.
#   3. Builds the timing model at full size in fp16 on the GPU into a temp dir (~9 GB).
#   4. Runs bench/generation.py --source DIR --device cuda --fp16 (FLOP floor; images/s at batch
#      1/4/8/16 at 256²; 16-job queue one at a time vs batched, GPU idle; 1024² at batch 1/4; peak memory).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-$PWD/var/gpu-bench}"
mkdir -p "$OUT"
BUDGET_S="${BUDGET_S:-480}"
START=$SECONDS
left() { echo $(( BUDGET_S - (SECONDS - START) )); }
log() { echo "[gpu.sh +$((SECONDS - START))s] $*" | tee -a "$OUT/gpu-bench.txt"; }
: > "$OUT/gpu-bench.txt"
log "TIMING MODEL THAT PAINTS NOISE: Karlo's architecture, random weights; figures are timings only"

has_stack() { "$1" -c 'import torch, diffusers, transformers' >/dev/null 2>&1; }
PY=""
if [ -x .venv/bin/python ] && has_stack .venv/bin/python; then
  PY=.venv/bin/python
else
  log "no usable .venv: trying the project's install (make install), at most 180 s"
  rm -f .venv 2>/dev/null || true   # a dangling symlink from a copied checkout
  timeout 180 make install >>"$OUT/env.txt" 2>&1 && has_stack .venv/bin/python && PY=.venv/bin/python
  if [ -z "$PY" ] && has_stack python3; then
    PY=python3
    log "make install failed (no registry reachable?); using the system python3, which has torch + diffusers"
  fi
fi
if [ -z "$PY" ]; then
  log "FAILED: no Python with torch + diffusers + transformers (see $OUT/env.txt); GPU figures not taken"
  exit 3
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
{ nvidia-smi 2>&1 || true; "$PY" -m pip list 2>/dev/null | grep -i -E '^(torch|diffusers|transformers|accelerate) '; } >>"$OUT/env.txt"
"$PY" - <<'PYEOF' 2>&1 | tee -a "$OUT/gpu-bench.txt"
import torch
print(f"torch {torch.__version__}, CUDA build {torch.version.cuda}, cuda available: {torch.cuda.is_available()}")
if torch.cuda.is_available():
    print(f"device: {torch.cuda.get_device_name()}, {torch.cuda.get_device_properties(0).total_memory / 2**30:.0f} GiB")
PYEOF
if ! "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'; then
  log "FAILED: torch.cuda.is_available() is False -- this torch is a CPU build (torch==2.13.0 from PyPI's"
  log "        CPU index is) or no GPU is visible. Install a CUDA build of the same version and rerun."
  exit 2
fi

MODEL="$(mktemp -d "${TMPDIR:-/tmp}/hallmark-timing-XXXXXX")/karlo-sized"
trap 'rm -rf "$(dirname "$MODEL")"' EXIT
log "building the full-size timing model (fp16, random weights drawn on the GPU) in $MODEL"
timeout $(( $(left) - 200 > 60 ? $(left) - 200 : 60 )) "$PY" -u -m generation.timing_model "$MODEL" --dtype fp16 --device cuda \
  >"$OUT/build.txt" 2>&1
rc=$?
grep -E "timing model|ready" "$OUT/build.txt" | tee -a "$OUT/gpu-bench.txt"
if [ $rc -ne 0 ]; then
  log "FAILED: building the timing model (rc $rc; see build.txt)"
  exit 4
fi
du -sh "$MODEL" | tee -a "$OUT/gpu-bench.txt"

log "benchmark (model default steps: prior 25, decoder 25, super-res 7, upscale 20), $(left) s left"
timeout $(( $(left) - 10 )) "$PY" -u bench/generation.py --source "$MODEL" --device cuda --fp16 \
  --sections flops,throughput,queue --sizes 256,1024 --batches 1,4,8,16 --large-batches 1,4 \
  --queue 16 --max-batch 16 --repeats 2 2>&1 \
  | grep -v -i -E "warn|deprecat|kept in float32|Loading|verify" | tee -a "$OUT/gpu-bench.txt"
rc=${PIPESTATUS[0]}
[ $rc -eq 124 ] && log "stopped by the time budget: the figures above are what was measured"
log "done (bench rc $rc) in $((SECONDS - START)) s"
exit $rc
