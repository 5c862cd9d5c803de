#!/usr/bin/env python3
"""Golden fixtures for SottoModel: CTranslate2's own float32 forward pass on dev/audio/en_jfk.wav.

Writes Tests/Fixtures/model/:
  jfk_mel.f32                    log-mel input, float32 little-endian [80, 3000], made as faster-whisper's
                                 transcribe does (FeatureExtractor with its default 160-sample padding, then
                                 pad_or_trim to 3000 frames).
  <model>.json                   metadata: versions, prompt, greedy tokens, which rows/columns were kept.
  <model>_encoder_rows.f32       encoder output rows 0, S, 2S, ... (S = encoderRowStride), all columns.
  <model>_logits.f32             raw logits at `logitPositions` (decoding steps of the greedy run; step k
                                 saw prompt + greedy[:k]) at vocabulary ids 0, V, 2V, ... (V = logitsVocabStride).

Usage: python3 scripts/make_model_fixtures.py [--models tiny.en base] [--home ~/.cache/sotto]
"""
import argparse
import json
import os

import ctranslate2
import faster_whisper
import numpy as np
from faster_whisper.audio import decode_audio, pad_or_trim
from faster_whisper.feature_extractor import FeatureExtractor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "model")
AUDIO = os.path.join(ROOT, "..", "shared", "data", "dev", "audio", "en_jfk.wav")
ENCODER_ROW_STRIDE = 15
LOGITS_VOCAB_STRIDE = 11
LOGIT_POSITIONS = [0, 1, 2, 3, 10]
TOP_K = 10


def prompt_for(model):
    # tiny.en: <|startoftranscript|> <|notimestamps|>; multilingual: sot, <|en|>, <|transcribe|>, <|notimestamps|>.
    return [50258, 50259, 50359, 50363] if model.is_multilingual else [50257, 50362]


def make(name, home, mel):
    model = ctranslate2.models.Whisper(os.path.join(home, "models", name), compute_type="float32", intra_threads=2)
    features = ctranslate2.StorageView.from_array(mel[None])
    encoded = np.array(model.encode(features, to_cpu=True))[0]
    prompt = prompt_for(model)
    result = model.generate(
        ctranslate2.StorageView.from_array(encoded[None]), [prompt], beam_size=1, max_length=100,
        suppress_blank=False, suppress_tokens=[], return_logits_vocab=True)[0]
    logits = np.array(result.logits[0], dtype=np.float32)  # [steps, vocab], raw (no suppression)
    greedy = list(result.sequences_ids[0])
    assert all(int(np.argmax(logits[k])) == greedy[k] for k in range(len(greedy))), "logits disagree with tokens"
    rows = encoded[::ENCODER_ROW_STRIDE].astype(np.float32)
    rows.tofile(os.path.join(OUT, f"{name}_encoder_rows.f32"))
    logits[LOGIT_POSITIONS][:, ::LOGITS_VOCAB_STRIDE].astype(np.float32).tofile(os.path.join(OUT, f"{name}_logits.f32"))
    top = [[int(i) for i in np.argsort(-logits[k])[:TOP_K]] for k in LOGIT_POSITIONS]
    meta = {
        "model": name,
        "made_by": "scripts/make_model_fixtures.py",
        "versions": {"ctranslate2": ctranslate2.__version__, "faster_whisper": faster_whisper.__version__,
                     "numpy": np.__version__},
        "computeType": "float32",
        "nAudioCtx": int(encoded.shape[0]),
        "nAudioState": int(encoded.shape[1]),
        "nVocab": int(logits.shape[1]),
        "encoderRowStride": ENCODER_ROW_STRIDE,
        "encoderRowNorms": [float(x) for x in np.linalg.norm(encoded, axis=1)],
        "prompt": prompt,
        "greedyTokens": greedy,
        "logitPositions": LOGIT_POSITIONS,
        "logitsVocabStride": LOGITS_VOCAB_STRIDE,
        "topTokens": top,
        "topLogits": [[float(logits[k][i]) for i in ids] for k, ids in zip(LOGIT_POSITIONS, top)],
    }
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    print(name, "greedy:", greedy)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    parser.add_argument("--home", default=os.environ.get("SOTTO_HOME", os.path.expanduser("~/.cache/sotto")))
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    audio = decode_audio(AUDIO, sampling_rate=16000)
    mel = pad_or_trim(FeatureExtractor(feature_size=80)(audio)).astype(np.float32)  # [80, 3000]
    mel.tofile(os.path.join(OUT, "jfk_mel.f32"))
    for name in args.models:
        make(name, args.home, mel)


if __name__ == "__main__":
    main()
