#!/usr/bin/env bash
# Rebuilds the numbers in docs/compression.md for one model: quantizes it with every scheme, then
# benchmarks all of them against the float32 original in one `sotto bench` run (English dev utterances,
# greedy, 2 threads), writing docs/compression-MODEL.json and the chart docs/compression-MODEL.svg.
#   usage: bash scripts/compression_report.sh [tiny.en|base|MODEL] [WORK_DIR]
#   REPEATS (default 3): bench repeats; CALIBRATION_LIMIT (default 32): utterances for GPTQ and the plan.
# Needs ../shared/data/{dev,train} beside the checkout (dev for scoring, train for calibration).
# Takes about 20 minutes for tiny.en and an hour for base on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-tiny.en}"
work="${2:-${TMPDIR:-/tmp}/sotto-compression/$model}"
repeats="${REPEATS:-3}"
limit="${CALIBRATION_LIMIT:-32}"
dev=../shared/data/dev/manifest.jsonl
train=../shared/data/train/manifest.jsonl
bash scripts/setup.sh
swift build -c release --product sotto
sotto=.build/release/sotto
mkdir -p "$work" docs

quantize() {  # quantize NAME ARGS...: skips models already made (delete WORK_DIR to redo them)
  local name="$1"; shift
  [ -f "$work/$name/sotto.json" ] && return
  rm -rf "$work/$name"
  echo "== $model $name: sotto quantize --model $model $* -o $work/$name" >&2
  "$sotto" quantize --model "$model" "$@" -o "$work/$name" >&2
}

quantize fp16 --scheme fp16
quantize int8 --scheme int8
quantize int8-dynamic --scheme int8-dynamic
quantize int8-static --scheme int8-static --calibration "$train" --calibration-limit 16
quantize int4-g32 --scheme int4-g32
quantize int4-g32-gptq --scheme int4-g32 --calibration "$train" --calibration-limit "$limit"
quantize int4-g32-plan --scheme int4-g32 --plan auto --max-wer-increase 2 --calibration "$train" --calibration-limit "$limit"

models=(--model "$model")
for name in fp16 int8 int8-dynamic int8-static int4-g32 int4-g32-gptq int4-g32-plan; do models+=(--model "$work/$name"); done
"$sotto" bench "${models[@]}" --manifest "$dev" --languages en --repeats "$repeats" --threads 2 \
  --json "docs/compression-$model.json" --chart "docs/compression-$model.svg"
