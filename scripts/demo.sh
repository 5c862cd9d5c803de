#!/usr/bin/env bash
# The main job on a fresh machine: set up, build, and transcribe the bundled sample with tiny.en.
#   bash scripts/demo.sh [extra `sotto transcribe` arguments, e.g. --output-format srt]
set -euo pipefail
cd "$(dirname "$0")/.."
# One cache for the scripts and the binary, passed explicitly to both.
export SOTTO_HOME="${SOTTO_HOME:-$HOME/.cache/sotto}"
SOTTO_MODELS="${SOTTO_MODELS:-tiny.en}" bash scripts/setup.sh
swift build -c release --product sotto >&2
exec .build/release/sotto transcribe "$SOTTO_HOME/samples/sample.wav" "$@"
