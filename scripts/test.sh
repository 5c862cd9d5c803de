#!/usr/bin/env bash
# Runs Sotto's test suite: setup (packages, tiny.en and base, spelling table), then unit, golden and
# integration tests in release mode (inference in a debug build is too slow for real speech), then
# `sotto serve` through the official openai Python client (scripts/test_server.py).
#   SOTTO_TEST_HEAVY=1  also runs the slow checks (beam search against greedy on the dev set, base int8-static).
set -euo pipefail
cd "$(dirname "$0")/.."
# One cache for the scripts and the tests, passed explicitly to both.
export SOTTO_HOME="${SOTTO_HOME:-$HOME/.cache/sotto}"
SOTTO_MODELS="${SOTTO_MODELS:-tiny.en base}" bash scripts/setup.sh
swift build -c release --build-tests
swift test -c release --skip-build --skip SottoServerTests
# The server suites wait from async tasks on a scheduler thread; on their own, so other suites' long
# synchronous model runs cannot hold the 2-thread cooperative pool for minutes under them.
swift test -c release --skip-build --filter SottoServerTests
# sotto serve end to end through the official openai client (and raw HTTP for disconnects and SIGTERM).
python3 -m pip install --quiet --disable-pip-version-check "openai==3.57.0" "selenium==4.30.0"
python3 scripts/test_server.py
# The page at / in headless Chromium (Debian's chromium and chromium-driver).
if ! dpkg -s chromium chromium-driver >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
fi
python3 scripts/test_page.py
