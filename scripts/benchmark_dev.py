#!/usr/bin/env python3
"""Sotto against faster-whisper on the dev set, in one run: WER and real-time factor.

For each model: faster-whisper (CTranslate2, float32 and int8) and `sotto eval`, all greedy with
the same thread count. Audio is decoded before timing in both, model loading is not timed.
Usage: python3 scripts/benchmark_dev.py [--models tiny.en base] [--threads 2] [--languages en]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dev_scoring import load_manifest, score_utterances  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def run_faster_whisper(model_dir, compute_type, threads, entries):
    import numpy as np
    from faster_whisper import WhisperModel
    from faster_whisper.audio import decode_audio

    model = WhisperModel(str(model_dir), device="cpu", compute_type=compute_type, cpu_threads=threads)
    hypotheses, elapsed, audio_seconds = {}, 0.0, 0.0
    for entry in entries:
        audio = decode_audio(entry["path"])
        start = time.perf_counter()
        segments, _ = model.transcribe(np.asarray(audio), beam_size=1)
        hypotheses[entry["id"]] = "".join(s.text for s in segments)
        elapsed += time.perf_counter() - start
        audio_seconds += len(audio) / 16000
    return hypotheses, elapsed / audio_seconds


def run_sotto(model, threads, manifest_path):
    binary = ROOT / ".build/release/sotto"
    subprocess.run(["swift", "build", "-c", "release", "--product", "sotto"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp) / "report.json"
        subprocess.run([str(binary), "eval", "--manifest", manifest_path, "--model", model, "--beam-size", "1",
                        "--threads", str(threads), "--json", str(report_path)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        report = json.loads(report_path.read_text())
    hypotheses = {u["id"]: u["hypothesis"] for u in report["utterances"]}
    return hypotheses, report["processingSeconds"] / report["audioSeconds"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--languages", nargs="*", help="only these languages (default: all; English-only models use en)")
    parser.add_argument("--manifest", default=str(ROOT.parent / "shared/data/dev/manifest.jsonl"))
    args = parser.parse_args()

    home = Path(os.environ.get("SOTTO_HOME", Path.home() / ".cache/sotto"))
    rows = []
    for model in args.models:
        languages = set(args.languages or []) or ({"en"} if model.endswith(".en") else None)
        entries = [e for e in load_manifest(args.manifest) if languages is None or e["language"] in languages]
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as subset:
            for entry in entries:
                subset.write(json.dumps({**{k: v for k, v in entry.items() if k != "path"}, "audio": entry["path"]}) + "\n")
        runs = {}
        runs["sotto float32"] = run_sotto(model, args.threads, subset.name)
        for compute_type in ("float32", "int8"):
            runs[f"faster-whisper {compute_type}"] = run_faster_whisper(home / "models" / model, compute_type,
                                                                        args.threads, entries)
        os.unlink(subset.name)
        baseline_rtf = runs["faster-whisper float32"][1]
        for name, (hypotheses, rtf) in runs.items():
            scores = score_utterances(entries, hypotheses)
            rows.append((model, name, scores.get("all_wer"), scores.get("all_cer"), rtf, rtf / baseline_rtf))

    print(f"{'model':8} {'engine':24} {'WER %':>7} {'CER %':>7} {'RTF':>7} {'RTF / fw-f32':>13}")
    for model, name, wer, cer, rtf, ratio in rows:
        fmt = lambda v: f"{v:7.2f}" if v is not None else "      -"
        print(f"{model:8} {name:24} {fmt(wer)} {fmt(cer)} {rtf:7.3f} {ratio:13.2f}")
    print(f"(greedy, {args.threads} threads, dev manifest {args.manifest})")


if __name__ == "__main__":
    main()
