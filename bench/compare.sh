#!/usr/bin/env bash
# Runs the SameDiff benchmark (./bertadapt bench) and the PyTorch reference (bench/pt_bert_bench.py) one after the
# other on this machine with the same model size, batch and steps, and prints the SameDiff/PyTorch ratios.
# Usage: bench/compare.sh <tiny|mini|small|base> <batch> <steps> [rounds] [inference passes]
# Inference passes default to three times the training steps on both sides: a pass takes about a quarter of a training
# step, so the inference phase is then timed over about as long a stretch of the machine's drift as training is (over
# 10 passes a round's inference ratio ranged from 0.85 to 1.23 in two sets of three rounds: bench/README.md).
# Both use OMP_NUM_THREADS threads (default: every core), 2 warm-up steps, length 128 and 20 masked positions
# (fixed in the PyTorch script), and the launcher's OMP_WAIT_POLICY and OPENBLAS_THREAD_TIMEOUT: Debian's torch mixes
# OpenMP and OpenBLAS threads as ND4J does and runs 1.75x faster with them, so comparing against it without them
# would flatter SameDiff. SameDiff builds its graph without dropout (--no-dropout), as the PyTorch script's model
# has none: the same graph on both sides. PyTorch runs on Debian's threaded OpenBLAS, and so does SameDiff where the
# launcher finds it (its default; BERTADAPT_OPENBLAS=bundled keeps ND4J's own build). OpenBLAS's kernels are each side's
# own choice (the launcher's for SameDiff, Debian's OpenBLAS's for PyTorch), or OPENBLAS_CORETYPE's for both where it is
# set; the ratio table names the library and kernels. Raw outputs go to bench/results/<size>-b<batch>-s<steps>/.
set -euo pipefail

if [[ $# -lt 3 || $# -gt 5 ]]; then
    echo "usage: $0 <tiny|mini|small|base> <batch> <steps> [rounds] [inference passes]" >&2
    exit 2
fi
size="$1" batch="$2" steps="$3" rounds="${4:-1}" passes="${5:-$(( 3 * $3 ))}"
for count in rounds passes; do
    if ! [[ "${!count}" =~ ^[1-9][0-9]*$ ]]; then
        echo "compare.sh: $count must be a positive whole number, got '${!count}'" >&2
        exit 2
    fi
done
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
rm -f "$out"/samediff-r*.json "$out"/samediff-r*.txt "$out"/pytorch-r*.txt

samediff() { # round
    echo "== round $1: SameDiff: ./bertadapt bench --config $size --batch $batch --steps $steps --inference-passes $passes --no-dropout ($OMP_NUM_THREADS threads)"
    # Its stderr (SameDiff's warnings) goes to a file, shown only if the run fails.
    if ! "$repo/bertadapt" bench --config "$size" --random --batch "$batch" --length 128 --masked 20 --steps "$steps" --inference-passes "$passes" --warmup 2 --no-dropout \
            --output "$out/samediff-r$1.json" 2>"$out/samediff-r$1.err" | tee "$out/samediff-r$1.txt"; then
        cat "$out/samediff-r$1.err" >&2
        exit 2
    fi
    echo
}

pytorch() { # round
    echo "== round $1: PyTorch: $python bench/pt_bert_bench.py $size $batch $steps $passes $OMP_NUM_THREADS (OMP_WAIT_POLICY=$OMP_WAIT_POLICY, OPENBLAS_THREAD_TIMEOUT=$OPENBLAS_THREAD_TIMEOUT)"
    # OPENBLAS_VERBOSE=2 makes OpenBLAS print the kernels it runs ("Core: ...").
    OPENBLAS_VERBOSE=2 "$python" "$bench/pt_bert_bench.py" "$size" "$batch" "$steps" "$passes" "$OMP_NUM_THREADS" 2>&1 | tee "$out/pytorch-r$1.txt"
    echo
}

# On a machine whose speed drifts from minute to minute, a ratio is taken within a round, and the rounds alternate
# which side runs first, so that neither side always gets the quieter minutes.
for (( round = 1; round <= rounds; round++ )); do
    if (( round % 2 == 1 )); then samediff "$round"; pytorch "$round"; else pytorch "$round"; samediff "$round"; fi
done

"$python" - "$out" "$rounds" <<'PY'
import json, re, statistics, sys

out, rounds = sys.argv[1], int(sys.argv[2])

def pytorch(lines, tag):
    """seq/s and maxrss (MB) of the PyTorch script's line starting with [tag]."""
    line = next(l for l in lines if l.startswith(f"[{tag}]"))
    return float(re.search(r"([\d.]+) seq/s", line).group(1)), float(re.search(r"maxrss=(\d+)MB", line).group(1))

def measures(round_):
    samediff = json.load(open(f"{out}/samediff-r{round_}.json"))
    lines = open(f"{out}/pytorch-r{round_}.txt").read().splitlines()
    kernels = next((l.split(":", 1)[1].strip() for l in lines if l.startswith("Core:")), "unknown")
    rows = {"train seq/s": (samediff["train"]["seq_per_s"], pytorch(lines, "full")[0]),
            "frozen-half train seq/s": (samediff["train_frozen_half"]["seq_per_s"], pytorch(lines, "frozen-half")[0]),
            "inference seq/s": (samediff["inference"]["seq_per_s"], pytorch(lines, "infer")[0]),
            # ru_maxrss only grows, so the last phase's value is the run's peak, as VmHWM is for SameDiff.
            "peak RSS MB": (samediff["peak_rss_mb"], max(pytorch(lines, tag)[1] for tag in ("full", "infer", "frozen-half"))),
            "train step spread": (samediff["train"]["step_s"]["spread"], None),
            # The JIT compiler's seconds during SameDiff's timed training steps: a cause of its spread that PyTorch lacks.
            "train steps' JIT s": (sum(samediff["train"]["step_s"]["compiler"]), None)}
    return rows, f'{samediff["openblas_library"]}, {samediff["openblas_kernels"]} kernels', f"Debian's libopenblas0-pthread, {kernels} kernels"

runs = [measures(r) for r in range(1, rounds + 1)]
print(f"OpenBLAS: SameDiff {runs[0][1]}; PyTorch {runs[0][2]}")
if rounds == 1:
    print(f"{'':26} {'SameDiff':>10} {'PyTorch':>10} {'SameDiff/PyTorch':>17}")
    for name, (ours, theirs) in runs[0][0].items():
        print(f"{name:26} {ours:10.2f} {theirs:10.2f} {ours / theirs:17.3f}" if theirs else f"{name:26} {ours:10.2f}")
else:
    # Each side's median over the rounds, and the median of the ratios taken within each round.
    print(f"{rounds} rounds; medians over the rounds, and each round's SameDiff/PyTorch ratio")
    print(f"{'':26} {'SameDiff':>10} {'PyTorch':>10} {'ratio':>7}   per round")
    for name in runs[0][0]:
        ours = [run[0][name][0] for run in runs]
        theirs = [run[0][name][1] for run in runs]
        if theirs[0] is None:
            print(f"{name:26} {statistics.median(ours):10.2f}   rounds: " + " ".join(f"{o:.2f}" for o in ours))
            continue
        ratios = [o / t for o, t in zip(ours, theirs)]
        print(f"{name:26} {statistics.median(ours):10.2f} {statistics.median(theirs):10.2f} {statistics.median(ratios):7.3f}   "
              + " ".join(f"{r:.3f}" for r in ratios))
PY
