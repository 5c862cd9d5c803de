#!/usr/bin/env bash
# Trains the student docs/distillation.md recommends for MODEL from scratch and writes it to OUTDIR, in
# two `sotto distill` stages (each with resumable state in STAGE_DIR.checkpoints; an interrupted stage
# continues with the same command plus `--resume STAGE_DIR.checkpoints` and a fresh -o):
#   A. OUTDIR.encoder: the teacher with the encoder layers whose removal costs the least encoder-output
#      MSE (measured, docs/distillation.md), its encoder trained alone to reproduce the teacher's encoder
#      output (--encoder-mse with CE and KL weights 0: no labels decoded, no decoder run);
#   B. OUTDIR: stage A's model fine-tuned whole on the teacher's pseudo-labels, CE + KL + the encoder MSE;
#      the labels keep the teacher's timestamps (--timestamps), the mode `sotto transcribe` and `bench` decode in.
#   usage: bash scripts/distill_recipe.sh tiny.en|base OUTDIR
#   SOTTO_BIN: the sotto binary (default: build .build/release/sotto); MINUTES_A, MINUTES_B (default 25, 20):
#   training time of each stage (stage A first encodes its audio with the teacher, stage B first
#   transcribes its audio: neither is counted);
#   THREADS (default 1: on a busy 2-core machine one BLAS thread trains faster than two);
#   EXTRA_ARGS: more `sotto distill` options appended to both stages (the tests shrink the run with them);
#   DRY_RUN=1 prints the commands without running them.
# Data: ../shared/data/train (LibriSpeech, 52 min) and English parts of ../shared/data/train-extra (read
# speech: librispeech_test-other, sprocket, autovc; stage A also the telephone prompts, asterisk_allison).
# Checkpoints are chosen on held-out training utterances: the dev sets are never used here (score the
# result with `sotto bench`, docs/distillation.md).
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:?usage: distill_recipe.sh tiny.en|base OUTDIR}"
out="${2:?usage: distill_recipe.sh tiny.en|base OUTDIR}"
threads="${THREADS:-1}"
case "$model" in
  tiny.en)
    encoder='encoder=0,1'
    read_speech=librispeech_test-other,sprocket,autovc
    ;;
  base)
    # Not measured yet: drops the last encoder layer, the cheapest cut for tiny.en.
    encoder='encoder=0,1,2,3,4'
    read_speech=librispeech_test-other,sprocket,autovc,aishell
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
data=(--data ../shared/data/train/manifest.jsonl --data ../shared/data/train-extra/manifest.jsonl)

stage_a=(distill --teacher "$model" --student "$encoder" "${data[@]}" --sources "$read_speech,asterisk_allison"
  --ce-weight 0 --kl-weight 0 --encoder-mse 1
  --max-minutes "${MINUTES_A:-25}" --batch-size 4 --learning-rate 3e-4 --warmup-steps 20
  --eval-every 50 --holdout 8 --checkpoint-every 50 --threads "$threads" -o "$out.encoder")
stage_b=(distill --teacher "$model" --student "$out.encoder" "${data[@]}" --sources "$read_speech"
  --ce-weight 0.8 --kl-weight 1 --encoder-mse 1 --timestamps --max-minutes "${MINUTES_B:-20}" --batch-size 4 --learning-rate 3e-4 --warmup-steps 20
  --eval-every 50 --holdout 8 --checkpoint-every 50 --threads "$threads" -o "$out")
# shellcheck disable=SC2206  # EXTRA_ARGS is split into words on purpose
if [ -n "${EXTRA_ARGS:-}" ]; then stage_a+=(${EXTRA_ARGS}); stage_b+=(${EXTRA_ARGS}); fi
echo "== $sotto ${stage_a[*]}" >&2
echo "== $sotto ${stage_b[*]}" >&2
[ -n "${DRY_RUN:-}" ] && exit 0
"$sotto" "${stage_a[@]}"
"$sotto" "${stage_b[@]}"
