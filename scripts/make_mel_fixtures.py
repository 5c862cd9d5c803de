#!/usr/bin/env python3
"""Golden log-mel fixtures for Tests/SottoAudioTests, made with faster-whisper's FeatureExtractor.

Writes Tests/Fixtures/mel/<case>.bin (float32 little-endian, row-major [n_mels, frames kept]) and
Tests/Fixtures/mel/manifest.json describing every case and the versions used. Run from the repo root:

    python3 scripts/make_mel_fixtures.py [--dev-data ../shared/data/dev]

Inputs:
  dev:<relative path>   16-bit PCM WAV from the shared dev set, read with `wave` + numpy as int16 / 32768.
  synthetic:tones       19750 samples: 0.5 sin(2 pi 440 t) + 0.25 sin(2 pi 5000 t) for n < 12000, then
                        silence (exercises the max - 8 floor). t = n / 16000, computed in float64, stored
                        as float32. The Swift test builds the same signal.
  synthetic:short       170 samples of 0.3 sin(0.37 n), padding 0: one frame whose reflect padding
                        (200 each side) wraps more than once.
Cases with frame_stride > 1 keep every frame_stride-th frame (starting at 0) to keep the fixture small.
"""
import argparse
import json
import os
import wave

import faster_whisper
import numpy as np
from faster_whisper.feature_extractor import FeatureExtractor

OUT_DIR = os.path.join("Tests", "Fixtures", "mel")

CASES = [
    # name, input, n_mels, padding, frame_stride
    ("en_jfk_80", "dev:audio/en_jfk.wav", 80, 160, 1),
    ("en_jfk_128_stride10", "dev:audio/en_jfk.wav", 128, 160, 10),
    ("zh_aishell1_BAC009S0724W0121_128", "dev:audio/zh_aishell1_BAC009S0724W0121.wav", 128, 160, 1),
    ("de_picovoice_test_de_80_stride4", "dev:audio/de_picovoice_test_de.wav", 80, 160, 4),
    ("synthetic_tones_80", "synthetic:tones", 80, 160, 1),
    ("synthetic_tones_128_padding0", "synthetic:tones", 128, 0, 1),
    ("synthetic_short_80_padding0", "synthetic:short", 80, 0, 1),
]


def read_wav_int16(path):
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1 and w.getframerate() == 16000, path
        frames = w.readframes(w.getnframes())
    return np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0


def synthetic(kind):
    if kind == "tones":
        n = np.arange(19750, dtype=np.float64)
        x = 0.5 * np.sin(2 * np.pi * 440 * n / 16000) + 0.25 * np.sin(2 * np.pi * 5000 * n / 16000)
        x[12000:] = 0
        return x.astype(np.float32)
    if kind == "short":
        n = np.arange(170, dtype=np.float64)
        return (0.3 * np.sin(0.37 * n)).astype(np.float32)
    raise ValueError(kind)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dev-data", default=os.path.join("..", "shared", "data", "dev"))
    args = parser.parse_args()
    os.makedirs(OUT_DIR, exist_ok=True)
    manifest = {
        "generator": "scripts/make_mel_fixtures.py",
        "faster_whisper_version": faster_whisper.__version__,
        "numpy_version": np.__version__,
        "layout": "float32 little-endian, row-major [n_mels, kept_frames]",
        "cases": [],
    }
    for name, source, n_mels, padding, stride in CASES:
        kind, _, rest = source.partition(":")
        samples = read_wav_int16(os.path.join(args.dev_data, rest)) if kind == "dev" else synthetic(rest)
        mel = FeatureExtractor(feature_size=n_mels)(samples, padding=padding)
        kept = np.ascontiguousarray(mel[:, ::stride]).astype("<f4")
        kept.tofile(os.path.join(OUT_DIR, name + ".bin"))
        manifest["cases"].append({
            "name": name, "input": source, "n_mels": n_mels, "padding": padding,
            "sample_count": int(samples.shape[0]), "n_frames": int(mel.shape[1]),
            "frame_stride": stride, "kept_frames": int(kept.shape[1]), "file": name + ".bin",
        })
        print(f"{name}: mel {mel.shape}, kept {kept.shape}")
    with open(os.path.join(OUT_DIR, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
