#!/usr/bin/env bash
# Runs Sotto's test suite: setup (packages, tiny.en and base, spelling table), then unit, golden and
# integration tests in release mode (inference in a debug build is too slow for real speech).
#   SOTTO_TEST_HEAVY=1  also runs the slow checks (beam search against greedy on the dev set, base int8-static).
set -euo pipefail
cd "$(dirname "$0")/.."
# One cache for the scripts and the tests, passed explicitly to both.
export SOTTO_HOME="${SOTTO_HOME:-$HOME/.cache/sotto}"
SOTTO_MODELS="${SOTTO_MODELS:-tiny.en base}" bash scripts/setup.sh
swift build -c release --build-tests
swift test -c release --skip-build
