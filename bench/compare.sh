#!/usr/bin/env bash
# Runs the SameDiff benchmark (./bertadapt bench) and the PyTorch reference (bench/pt_bert_bench.py) one after the
# other on this machine with the same model size, batch and steps, and prints the SameDiff/PyTorch ratios.
# Usage: bench/compare.sh <tiny|mini|small|base> <batch> <steps>
# Both use OMP_NUM_THREADS threads (default: every core), 2 warm-up steps, length 128 and 20 masked positions
# (fixed in the PyTorch script), and the launcher's OMP_WAIT_POLICY and OPENBLAS_THREAD_TIMEOUT: Debian's torch mixes
# OpenMP and OpenBLAS threads as ND4J does and runs 1.75x faster with them, so comparing against it without them
# would flatter SameDiff. SameDiff builds its graph without dropout (--no-dropout), as the PyTorch script's model
# has none: the same graph on both sides. OpenBLAS's kernels are each side's own choice (the launcher's for SameDiff,
# Debian's OpenBLAS's for PyTorch), or OPENBLAS_CORETYPE's for both where it is set; the ratio table names them. Raw outputs go to bench/results/<size>-b<batch>-s<steps>/.
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: $0 <tiny|mini|small|base> <batch> <steps>" >&2
    exit 2
fi
size="$1" batch="$2" steps="$3"
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$bench")"
python=/usr/bin/python3

# PyTorch from Debian, with OpenBLAS's threaded build (without it Debian's torch falls back to a slow reference BLAS).
missing=()
"$python" -c "import torch" 2>/dev/null || missing+=(python3-torch)
[[ "$(dpkg-query -W -f='${Status}' libopenblas0-pthread 2>/dev/null)" == "install ok installed" ]] || missing+=(libopenblas0-pthread)
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "compare.sh: the PyTorch side needs ${missing[*]}; install with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 2
fi

export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
export OPENBLAS_THREAD_TIMEOUT="${OPENBLAS_THREAD_TIMEOUT:-4}"
out="$bench/results/$size-b$batch-s$steps"
mkdir -p "$out"

echo "== SameDiff: ./bertadapt bench --config $size --batch $batch --steps $steps --no-dropout ($OMP_NUM_THREADS threads)"
# Its stderr (SameDiff's warnings) goes to a file, shown only if the run fails.
if ! "$repo/bertadapt" bench --config "$size" --random --batch "$batch" --length 128 --masked 20 --steps "$steps" --warmup 2 --no-dropout \
        --output "$out/samediff.json" 2>"$out/samediff.err" | tee "$out/samediff.txt"; then
    cat "$out/samediff.err" >&2
    exit 2
fi

echo
echo "== PyTorch: $python bench/pt_bert_bench.py $size $batch $steps $steps $OMP_NUM_THREADS (OMP_WAIT_POLICY=$OMP_WAIT_POLICY, OPENBLAS_THREAD_TIMEOUT=$OPENBLAS_THREAD_TIMEOUT)"
# OPENBLAS_VERBOSE=2 makes OpenBLAS print the kernels it runs ("Core: ...").
OPENBLAS_VERBOSE=2 "$python" "$bench/pt_bert_bench.py" "$size" "$batch" "$steps" "$steps" "$OMP_NUM_THREADS" 2>&1 | tee "$out/pytorch.txt"

echo
"$python" - "$out/samediff.json" "$out/pytorch.txt" <<'PY'
import json, re, sys

samediff = json.load(open(sys.argv[1]))
lines = open(sys.argv[2]).read().splitlines()

def pytorch(tag):
    """seq/s and maxrss (MB) of the PyTorch script's line starting with [tag]."""
    line = next(l for l in lines if l.startswith(f"[{tag}]"))
    return float(re.search(r"([\d.]+) seq/s", line).group(1)), float(re.search(r"maxrss=(\d+)MB", line).group(1))

rows = [("train seq/s", samediff["train"]["seq_per_s"], pytorch("full")[0]),
        ("frozen-half train seq/s", samediff["train_frozen_half"]["seq_per_s"], pytorch("frozen-half")[0]),
        ("inference seq/s", samediff["inference"]["seq_per_s"], pytorch("infer")[0]),
        # ru_maxrss only grows, so the last phase's value is the run's peak, as VmHWM is for SameDiff.
        ("peak RSS MB", samediff["peak_rss_mb"], max(pytorch(tag)[1] for tag in ("full", "infer", "frozen-half")))]
kernels = next((l.split(":", 1)[1].strip() for l in lines if l.startswith("Core:")), "unknown")
print(f"OpenBLAS kernels: SameDiff {samediff['openblas_kernels']}, PyTorch {kernels}")
print(f"{'':26} {'SameDiff':>10} {'PyTorch':>10} {'SameDiff/PyTorch':>17}")
for name, ours, theirs in rows:
    print(f"{name:26} {ours:10.2f} {theirs:10.2f} {ours / theirs:17.3f}")
PY
