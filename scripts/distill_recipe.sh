#!/usr/bin/env bash
# Trains the student docs/distillation.md recommends for MODEL from scratch and writes it to OUTDIR
# (with OUTDIR.checkpoints: resumable state, so an interrupted run continues with
# `... --resume OUTDIR.checkpoints`; see the command printed below).
#   usage: bash scripts/distill_recipe.sh tiny.en|base OUTDIR
#   SOTTO_BIN: the sotto binary (default: build .build/release/sotto); MINUTES (default 40): training
#   time (pseudo-labelling comes first and is not counted: about 20 minutes for tiny.en on 2 shared cores);
#   THREADS (default 1: on a busy 2-core machine one BLAS thread trains faster than two);
#   EXTRA_ARGS: more `sotto distill` options, appended (the tests shrink the run with them);
#   DRY_RUN=1 prints the command without running it.
# Data: ../shared/data/train (LibriSpeech, 52 min) and the read-speech English parts of
# ../shared/data/train-extra (librispeech_test-other, sprocket, autovc: 31 min); base also learns
# from train-extra's transcribed Mandarin (aishell). Checkpoints are chosen on 16 held-out training
# utterances: the dev sets are never used here (score the result with `sotto bench`, docs/distillation.md).
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:?usage: distill_recipe.sh tiny.en|base OUTDIR}"
out="${2:?usage: distill_recipe.sh tiny.en|base OUTDIR}"
minutes="${MINUTES:-40}"
threads="${THREADS:-1}"
case "$model" in
  tiny.en)
    student='encoder:2;decoder:2'
    sources=librispeech_test-other,sprocket,autovc
    ;;
  base)
    student='encoder:3;decoder:2'
    sources=librispeech_test-other,sprocket,autovc,aishell
    ;;
  *) echo "distill_recipe.sh: MODEL must be tiny.en or base, not $model" >&2; exit 2 ;;
esac

if [ -n "${SOTTO_BIN:-}" ]; then
  sotto="$SOTTO_BIN"
else
  swift build -c release --product sotto >&2
  sotto=.build/release/sotto
fi
export SOTTO_HOME="${SOTTO_HOME:-$HOME/.cache/sotto}"

args=(distill --teacher "$model" --student "$student"
  --data ../shared/data/train/manifest.jsonl --data ../shared/data/train-extra/manifest.jsonl --sources "$sources"
  --max-minutes "$minutes" --batch-size 4 --learning-rate 3e-4 --warmup-steps 20
  --eval-every 25 --holdout 16 --checkpoint-every 25
  --augment-copies 1 --noise-snr 10:30 --speed 0.9:1.1 --spec-augment
  --threads "$threads" -o "$out")
# shellcheck disable=SC2206  # EXTRA_ARGS is split into words on purpose
[ -n "${EXTRA_ARGS:-}" ] && args+=(${EXTRA_ARGS})
echo "== $sotto ${args[*]}" >&2
[ -n "${DRY_RUN:-}" ] && exit 0
"$sotto" "${args[@]}"
