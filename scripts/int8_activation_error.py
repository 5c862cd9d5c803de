#!/usr/bin/env python3
"""How much error int8 activations add to a model's encoder: symmetric absmax / 127 rows against
Sotto's centered rows (range / 253, center a multiple of the scale), weights int8 per output row in
both, everything else float64 numpy. Relative L2 error of the encoder output against float, averaged
over a few windows of calibration audio: a measurement without WER's word-count noise.

Usage: python3 scripts/int8_activation_error.py [--model tiny.en] [--clips 2]
Needs: numpy, scipy, faster-whisper (its log-mel), a release build (`sotto quantize --scheme f32`).
"""
import argparse, glob, json, os, struct, subprocess, tempfile
from pathlib import Path
import numpy as np
from scipy.special import erf

ROOT = Path(__file__).resolve().parent.parent


def read_safetensors(path):
    raw = Path(path).read_bytes()
    size = struct.unpack("<Q", raw[:8])[0]
    header, base = json.loads(raw[8:8 + size]), 8 + size
    dtypes = {"F32": np.float32, "F16": np.float16}
    return {name: np.frombuffer(raw[base + v["data_offsets"][0]:base + v["data_offsets"][1]],
                                dtype=dtypes[v["dtype"]]).reshape(v["shape"]).astype(np.float64)
            for name, v in header.items() if name != "__metadata__"}


def quantize_rows(x, mode):
    if mode == "float":
        return x
    if mode == "symmetric":
        scale = np.abs(x).max(1, keepdims=True) / 127
        scale[scale == 0] = 1
        return np.clip(np.round(x / scale), -127, 127) * scale
    low, high = x.min(1, keepdims=True), x.max(1, keepdims=True)
    scale = (high - low) / 253
    scale[scale == 0] = 1
    center = np.round((low + high) / 2 / scale) * scale
    return np.clip(np.round((x - center) / scale), -127, 127) * scale + center


class Encoder:
    def __init__(self, weights, heads):
        self.w, self.heads, self.quantized = weights, heads, {}

    def linear(self, x, key, mode):
        w = self.w[key + ".weight"]
        if mode != "float":
            if key not in self.quantized:
                scale = np.abs(w).max(1, keepdims=True) / 127
                self.quantized[key] = np.round(w / scale) * scale
            w = self.quantized[key]
        return quantize_rows(x, mode) @ w.T + self.w[key + ".bias"]

    def norm(self, x, key):
        mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-5) * self.w[key + ".weight"] + self.w[key + ".bias"]

    def conv(self, x, key, stride):
        padded = np.pad(x, ((1, 1), (0, 0)))
        count = (x.shape[0] - 1) // stride + 1
        columns = np.stack([padded[i * stride:i * stride + 3] for i in range(count)])
        return np.einsum("tkc,ock->to", columns, self.w[key + ".weight"]) + self.w[key + ".bias"]

    def __call__(self, mel, mode):
        gelu = lambda v: 0.5 * v * (1 + erf(v / np.sqrt(2)))
        x = gelu(self.conv(mel.T, "encoder.conv1", 1))
        x = gelu(self.conv(x, "encoder.conv2", 2)) + self.w["encoder.positional_embedding"]
        width = x.shape[1]
        layers = len({k.split(".")[2] for k in self.w if k.startswith("encoder.blocks.")})
        for i in range(layers):
            p = f"encoder.blocks.{i}"
            q, k, v = np.split(self.linear(self.norm(x, p + ".attn_ln"), p + ".attn.qkv", mode), 3, 1)
            split = lambda m: m.reshape(-1, self.heads, width // self.heads).transpose(1, 0, 2)
            scores = split(q) @ split(k).transpose(0, 2, 1) / np.sqrt(width // self.heads)
            probs = np.exp(scores - scores.max(-1, keepdims=True))
            probs /= probs.sum(-1, keepdims=True)
            x = x + self.linear((probs @ split(v)).transpose(1, 0, 2).reshape(-1, width), p + ".attn.out", mode)
            hidden = gelu(self.linear(self.norm(x, p + ".mlp_ln"), p + ".mlp.0", mode))
            x = x + self.linear(hidden, p + ".mlp.2", mode)
        return self.norm(x, "encoder.ln_post")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--clips", type=int, default=2)
    args = parser.parse_args()
    from faster_whisper.audio import decode_audio
    from faster_whisper.feature_extractor import FeatureExtractor
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([str(ROOT / ".build/release/sotto"), "quantize", "--model", args.model, "--scheme", "f32",
                        "-o", out + "/f32"], check=True, stdout=subprocess.DEVNULL)
        config = json.loads(Path(out, "f32/sotto.json").read_text())
        encoder = Encoder(read_safetensors(out + "/f32/model.safetensors"), config["dims"]["nAudioHead"])
    features = FeatureExtractor(config["dims"]["nMels"])
    clips = sorted(glob.glob(str(ROOT.parent / "shared/data/train/audio/*")))[:args.clips]
    errors = {"symmetric": [], "centered": []}
    for clip in clips:
        audio = decode_audio(clip)[:480000]
        mel = features(np.pad(audio, (0, 480000 - len(audio))))[:, :3000].astype(np.float64)
        reference = encoder(mel, "float")
        for mode in errors:
            errors[mode].append(np.linalg.norm(encoder(mel, mode) - reference) / np.linalg.norm(reference))
    for mode, values in errors.items():
        print(f"{args.model} encoder output, int8 weights + {mode} int8 activations: relative error "
              f"{np.mean(values):.4f} over {len(values)} windows of ../shared/data/train")


if __name__ == "__main__":
    main()
