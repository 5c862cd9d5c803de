#!/usr/bin/env bash
# Where a model's end-to-end time goes on the English of the dev sets: the sums of
# `sotto transcribe --verbose` per-file timings (windows, encoder seconds, tokens, decoder seconds,
# temperature fallbacks), greedy, 2 threads. Fallbacks are where a student that loops loses its speed.
#   usage: bash scripts/time_breakdown.sh MODEL [MANIFEST...]
#   (default manifests: ../shared/data/dev and dev-extra; SOTTO_BIN: the sotto binary, default
#   .build/release/sotto; VERBOSE=1 also prints the files that fell back)
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:?usage: time_breakdown.sh MODEL [MANIFEST...]}"
shift
manifests=("$@")
[ ${#manifests[@]} -eq 0 ] && manifests=(../shared/data/dev/manifest.jsonl ../shared/data/dev-extra/manifest.jsonl)
sotto="${SOTTO_BIN:-.build/release/sotto}"
export SOTTO_HOME="${SOTTO_HOME:-$HOME/.cache/sotto}"
mapfile -t files < <(python3 - "${manifests[@]}" <<'PY'
import json, os, sys
for manifest in sys.argv[1:]:
    for line in open(manifest):
        entry = json.loads(line)
        if entry.get("language", "en") == "en":
            print(os.path.join(os.path.dirname(manifest), entry["audio"]))
PY
)
summarize=$(cat <<'PY'
import os, re, sys
line_format = re.compile(r"^(.*): ([0-9.]+) s of audio; .*encoder ([0-9.]+) s \((\d+) windows\), decoder ([0-9.]+) s \((\d+) tokens, (\d+) fallbacks")
totals = dict(files=0, audio=0.0, encoder=0.0, windows=0, decoder=0.0, tokens=0, fallbacks=0)
for line in sys.stdin:
    m = line_format.search(line)
    if not m:
        continue
    name, audio, encoder, windows, decoder, tokens, fallbacks = m.groups()
    for key, value in zip(["audio", "encoder", "windows", "decoder", "tokens", "fallbacks"],
                          [float(audio), float(encoder), int(windows), float(decoder), int(tokens), int(fallbacks)]):
        totals[key] += value
    totals["files"] += 1
    if int(fallbacks) and os.environ.get("VERBOSE"):
        print(f"  {name}: {audio} s, {fallbacks} fallbacks, decoder {decoder} s for {tokens} tokens")
t = totals
total = t["encoder"] + t["decoder"]
model = os.environ["MODEL"]
print(f"{model}: {t['files']} files, {t['audio']:.1f} s of audio; {t['windows']} windows, encoder {t['encoder']:.1f} s "
      f"({1000 * t['encoder'] / max(t['windows'], 1):.0f} ms/window); {t['tokens']} tokens, decoder {t['decoder']:.1f} s "
      f"({1000 * t['decoder'] / max(t['tokens'], 1):.2f} ms/token); {t['fallbacks']} fallbacks; encoder + decoder {total:.1f} s "
      f"(encoder {100 * t['encoder'] / max(total, 1e-9):.0f}%)")
PY
)
"$sotto" transcribe "${files[@]}" --model "$model" --verbose --beam-size 1 --threads 2 2>&1 >/dev/null \
  | MODEL="$model" python3 -c "$summarize"
