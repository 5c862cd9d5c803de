#!/usr/bin/env python3
"""Reference word timestamps from faster-whisper (word_timestamps=True, float32, CPU) for Sotto's
word-timing parity tests (Tests/SottoDecodingTests/WordTimestampsIntegrationTests.swift).

Writes Tests/Fixtures/words/faster_whisper_words.json: per model and dev clip, the segments with
their start, end, text and words (word, start, end, probability), greedy decoding (beam_size=1)
as Sotto's server decodes, language detected on multilingual models, vad off.
Dev-only; needs: pip install faster-whisper; models fetched by scripts/setup.sh.
Usage: python3 scripts/make_word_timestamp_fixtures.py
"""
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dev_scoring import load_manifest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# English clips for tiny.en (the 46 s concatenation exercises the long-form seek after the last
# word); English, Chinese (split at characters, not spaces), German and Japanese for base.
CLIPS = {
    "tiny.en": ["en_jfk", "en_ls_test-clean_1995-1837-0001", "en_ljspeech_LJ001-0001", "en_long_dev_concat"],
    "base": ["en_jfk", "en_ls_dev-clean_1272-128104-0000", "zh_aishell1_BAC009S0724W0121",
             "de_picovoice_test_de", "ja_picovoice_test_ja"],
}


def main():
    import ctranslate2
    import faster_whisper
    from faster_whisper import WhisperModel

    home = Path(os.environ.get("SOTTO_HOME", Path.home() / ".cache/sotto"))
    manifest = ROOT.parent / "shared/data/dev/manifest.jsonl"
    entries = {e["id"]: e for e in load_manifest(manifest)}
    output = {
        "made_by": "scripts/make_word_timestamp_fixtures.py",
        "faster_whisper": faster_whisper.__version__,
        "ctranslate2": ctranslate2.__version__,
        "settings": "compute_type=float32, cpu, beam_size=1, word_timestamps=True, condition_on_previous_text=True, "
                    "vad off, temperature fallback on",
        "runs": {},
    }
    for name, clips in CLIPS.items():
        model = WhisperModel(str(home / "models" / name), device="cpu", compute_type="float32", cpu_threads=2)
        run = {}
        for clip in clips:
            segments, info = model.transcribe(entries[clip]["path"], beam_size=1, word_timestamps=True)
            run[clip] = {
                "language": info.language,
                "segments": [
                    {"start": s.start, "end": s.end, "text": s.text, "seek": s.seek,
                     "words": [{"word": w.word, "start": w.start, "end": w.end,
                                "probability": round(w.probability, 4)} for w in s.words]}
                    for s in segments
                ],
            }
            print(name, clip, len(run[clip]["segments"]), "segments", file=sys.stderr)
        output["runs"][name] = run
    target = ROOT / "Tests/Fixtures/words/faster_whisper_words.json"
    target.write_text(json.dumps(output, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
