#!/usr/bin/env python3
"""Reference transcripts of the dev set from faster-whisper (float32, CPU), for Sotto's parity tests.

Writes Tests/Fixtures/transcripts/faster_whisper_dev.json: per model and decoding mode, each
utterance's text and language, and the WER/CER scored with whisper_normalizer.
Needs: pip install faster-whisper whisper-normalizer; models fetched by scripts/setup.sh.
Usage: python3 scripts/make_transcript_fixtures.py [--models tiny.en base]
"""
import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dev_scoring import load_manifest, score_utterances  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    parser.add_argument("--manifest", default=str(ROOT.parent / "shared/data/dev/manifest.jsonl"))
    args = parser.parse_args()

    import ctranslate2
    import faster_whisper
    from faster_whisper import WhisperModel

    home = Path(os.environ.get("SOTTO_HOME", Path.home() / ".cache/sotto"))
    entries = load_manifest(args.manifest)
    output = {
        "made_by": "scripts/make_transcript_fixtures.py",
        "faster_whisper": faster_whisper.__version__,
        "ctranslate2": ctranslate2.__version__,
        "settings": "compute_type=float32, cpu, condition_on_previous_text=True, vad off, temperature fallback on",
        "runs": {},
    }
    for name in args.models:
        model = WhisperModel(str(home / "models" / name), device="cpu", compute_type="float32", cpu_threads=2)
        for beam in (1, 5):
            hyps = {}
            for entry in entries:
                segments, info = model.transcribe(entry["path"], beam_size=beam, language=None)
                hyps[entry["id"]] = {"text": "".join(s.text for s in segments), "language": info.language}
                print(name, beam, entry["id"], hyps[entry["id"]]["text"][:60], file=sys.stderr)
            output["runs"][f"{name}/beam{beam}"] = {
                "hypotheses": hyps,
                "scores": score_utterances(entries, {k: v["text"] for k, v in hyps.items()}),
            }
    target = ROOT / "Tests/Fixtures/transcripts/faster_whisper_dev.json"
    target.write_text(json.dumps(output, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
