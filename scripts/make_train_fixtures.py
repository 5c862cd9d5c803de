#!/usr/bin/env python3
"""PyTorch parity fixture for Tests/SottoTrainTests (the training engine against autograd).

Builds Whisper tiny.en in PyTorch (float64) from the CTranslate2 weights Sotto reads, with Sotto's
architecture (fused q|k|v self-attention and k|v cross-attention projections, exact-erf GELU, pre-LN
blocks, LayerNorm eps 1e-5, tied output projection), and runs one batch of two short utterances from
../shared/data/train with the encoder frozen:

  loss = 0.8 * CE(pseudo-labels) + 1.0 * T^2 * KL(teacher || student) at T = 2, each a mean over the
  non-padded target positions; the teacher is a frozen copy of the initial model (so KL starts at 0).

Writes, run from the repo root:
  Tests/Fixtures/train/tinyen_mel.f32   float32 LE [2, 80, kept_frames]: each utterance's log-mel
                                        (faster-whisper FeatureExtractor over audio + 30 s of zeros, the
                                        first 3000 frames) up to where it becomes constant; the rest of
                                        each window is that utterance's `fill` value.
  Tests/Fixtures/train/tinyen.json      tokens, targets, logits samples (log-sum-exp of every row plus
                                        sampled vocabulary entries), the initial loss, per-parameter
                                        gradient summaries of the decoder (L2 norm, sum, 64 entries at
                                        stored indices), and the losses of 10 AdamW steps (weight decay
                                        0.01 on rank >= 2 parameters, clipping at 1.0, lr 1e-5 warm-up 2
                                        then cosine to 1e-6 at step 10), plus the versions used.

    python3 scripts/make_train_fixtures.py [--model ~/.cache/sotto/models/tiny.en] [--train ../shared/data/train]
"""
import argparse
import hashlib
import json
import math
import os
import platform
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

UTTERANCES = ["19-198-0000", "328-129766-0000"]
MAX_TEXT_TOKENS = 12
SOT, NO_TIMESTAMPS, EOT = 50257, 50362, 50256
N_FRAMES = 3000
SEED = 1234
STEPS = 10
LOSS = dict(crossEntropy=0.8, kl=1.0, temperature=2.0)
SCHEDULE = dict(peak=1e-5, minimum=1e-6, warmupSteps=2, totalSteps=10)
ADAMW = dict(beta1=0.9, beta2=0.999, epsilon=1e-8, weightDecay=0.01, maxGradientNorm=1.0)


def read_ctranslate2(path):
    """model.bin: u32 version | str spec | u32 revision | u32 count | variables | aliases (Sotto's
    CTranslate2Reader.swift layout). Returns name -> float64 numpy array (int8 rows rescaled)."""
    data = open(path, "rb").read()
    pos = 0

    def take(fmt):
        nonlocal pos
        values = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return values

    def string():
        nonlocal pos
        (n,) = take("<H")
        s = data[pos:pos + n - 1].decode()
        pos += n
        return s

    take("<I"); string(); take("<I")
    (count,) = take("<I")
    dtypes = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}
    raw = {}
    for _ in range(count):
        name = string()
        (rank,) = take("<B")
        shape = take("<%dI" % rank) if rank else ()
        (dtype,) = take("<B")
        (nbytes,) = take("<I")
        raw[name] = np.frombuffer(data, dtype=dtypes[dtype], count=nbytes // np.dtype(dtypes[dtype]).itemsize,
                                  offset=pos).reshape(shape)
        pos += nbytes
    (aliases,) = take("<I")
    for _ in range(aliases):
        alias, target = string(), string()
        raw[alias] = raw[target]
    out = {}
    for name, value in raw.items():
        value = value.astype(np.float64)
        if raw[name].dtype in (np.int8, np.int16) and name + "_scale" in raw:
            scale = raw[name + "_scale"].astype(np.float64).reshape(-1, *([1] * (value.ndim - 1)))
            value = value / scale
        out[name] = value
    return out


def names(n_audio_layer, n_text_layer):
    """Sotto's CheckpointNames table: our key -> CTranslate2 variable."""
    rows = [("encoder.conv1.weight", "encoder/conv1/weight"), ("encoder.conv1.bias", "encoder/conv1/bias"),
            ("encoder.conv2.weight", "encoder/conv2/weight"), ("encoder.conv2.bias", "encoder/conv2/bias"),
            ("encoder.positional_embedding", "encoder/position_encodings/encodings")]

    def linear(ours, theirs):
        return [(ours + ".weight", theirs + "/weight"), (ours + ".bias", theirs + "/bias")]

    def norm(ours, theirs):
        return [(ours + ".weight", theirs + "/gamma"), (ours + ".bias", theirs + "/beta")]

    def mlp(ours, theirs):
        return norm(ours + ".mlp_ln", theirs + "/ffn/layer_norm") + linear(ours + ".mlp.0", theirs + "/ffn/linear_0") \
            + linear(ours + ".mlp.2", theirs + "/ffn/linear_1")

    for i in range(n_audio_layer):
        o, t = "encoder.blocks.%d" % i, "encoder/layer_%d" % i
        rows += norm(o + ".attn_ln", t + "/self_attention/layer_norm") + linear(o + ".attn.qkv", t + "/self_attention/linear_0")
        rows += linear(o + ".attn.out", t + "/self_attention/linear_1") + mlp(o, t)
    rows += norm("encoder.ln_post", "encoder/layer_norm")
    rows += [("decoder.token_embedding.weight", "decoder/embeddings/weight"),
             ("decoder.positional_embedding", "decoder/position_encodings/encodings")]
    for i in range(n_text_layer):
        o, t = "decoder.blocks.%d" % i, "decoder/layer_%d" % i
        rows += norm(o + ".attn_ln", t + "/self_attention/layer_norm") + linear(o + ".attn.qkv", t + "/self_attention/linear_0")
        rows += linear(o + ".attn.out", t + "/self_attention/linear_1")
        rows += norm(o + ".cross_attn_ln", t + "/attention/layer_norm") + linear(o + ".cross_attn.query", t + "/attention/linear_0")
        rows += linear(o + ".cross_attn.kv", t + "/attention/linear_1") + linear(o + ".cross_attn.out", t + "/attention/linear_2")
        rows += mlp(o, t)
    rows += norm("decoder.ln", "decoder/layer_norm")
    return rows


def attention(q, k, v, heads, causal):
    b, tq, n = q.shape
    d = n // heads
    q = q.view(b, tq, heads, d).transpose(1, 2)
    k = k.view(b, k.shape[1], heads, d).transpose(1, 2)
    v = v.view(b, v.shape[1], heads, d).transpose(1, 2)
    scores = q @ k.transpose(-1, -2) / math.sqrt(d)
    if causal:
        mask = torch.ones(tq, tq, dtype=torch.bool).triu(1)
        scores = scores.masked_fill(mask, float("-inf"))
    return (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, tq, n)


def block(p, key, x, heads, audio=None):
    n = x.shape[-1]
    h = F.layer_norm(x, (n,), p[key + ".attn_ln.weight"], p[key + ".attn_ln.bias"], 1e-5)
    qkv = F.linear(h, p[key + ".attn.qkv.weight"], p[key + ".attn.qkv.bias"])
    x = x + F.linear(attention(qkv[..., :n], qkv[..., n:2 * n], qkv[..., 2 * n:], heads, audio is not None),
                     p[key + ".attn.out.weight"], p[key + ".attn.out.bias"])
    if audio is not None:
        h = F.layer_norm(x, (n,), p[key + ".cross_attn_ln.weight"], p[key + ".cross_attn_ln.bias"], 1e-5)
        q = F.linear(h, p[key + ".cross_attn.query.weight"], p[key + ".cross_attn.query.bias"])
        kv = F.linear(audio, p[key + ".cross_attn.kv.weight"], p[key + ".cross_attn.kv.bias"])
        x = x + F.linear(attention(q, kv[..., :n], kv[..., n:], heads, False),
                         p[key + ".cross_attn.out.weight"], p[key + ".cross_attn.out.bias"])
    h = F.layer_norm(x, (n,), p[key + ".mlp_ln.weight"], p[key + ".mlp_ln.bias"], 1e-5)
    h = F.gelu(F.linear(h, p[key + ".mlp.0.weight"], p[key + ".mlp.0.bias"]))
    return x + F.linear(h, p[key + ".mlp.2.weight"], p[key + ".mlp.2.bias"])


def encoder(p, mel, layers, heads):
    x = F.gelu(F.conv1d(mel, p["encoder.conv1.weight"], p["encoder.conv1.bias"], padding=1))
    x = F.gelu(F.conv1d(x, p["encoder.conv2.weight"], p["encoder.conv2.bias"], stride=2, padding=1))
    x = x.transpose(1, 2) + p["encoder.positional_embedding"]
    for i in range(layers):
        x = block(p, "encoder.blocks.%d" % i, x, heads)
    n = x.shape[-1]
    return F.layer_norm(x, (n,), p["encoder.ln_post.weight"], p["encoder.ln_post.bias"], 1e-5)


def decoder(p, tokens, audio, layers, heads):
    x = p["decoder.token_embedding.weight"][tokens] + p["decoder.positional_embedding"][: tokens.shape[1]]
    for i in range(layers):
        x = block(p, "decoder.blocks.%d" % i, x, heads, audio)
    n = x.shape[-1]
    x = F.layer_norm(x, (n,), p["decoder.ln.weight"], p["decoder.ln.bias"], 1e-5)
    return x @ p["decoder.token_embedding.weight"].T


def loss_fn(logits, targets, teacher_logits):
    """0.8 CE + T^2 KL(teacher || student), each a mean over counted rows (Sotto's LossOp)."""
    v = logits.shape[-1]
    logits, targets, teacher_logits = logits.reshape(-1, v), targets.reshape(-1), teacher_logits.reshape(-1, v)
    counted = targets != -1
    ce = F.cross_entropy(logits[counted], targets[counted])
    t = LOSS["temperature"]
    log_q = F.log_softmax(logits[counted] / t, -1)
    log_p = F.log_softmax(teacher_logits[counted] / t, -1)
    kl = (log_p.exp() * (log_p - log_q)).sum(-1).mean() * t * t
    return LOSS["crossEntropy"] * ce + LOSS["kl"] * kl, ce, kl


def rate(step):
    s = SCHEDULE
    if step < s["warmupSteps"]:
        return s["peak"] * (step + 1) / s["warmupSteps"]
    progress = min(1.0, (step - s["warmupSteps"]) / max(1, s["totalSteps"] - s["warmupSteps"]))
    return s["minimum"] + (s["peak"] - s["minimum"]) * 0.5 * (1 + math.cos(math.pi * progress))


def mel_and_tokens(train_dir, model_dir):
    from faster_whisper import WhisperModel, decode_audio
    from faster_whisper.feature_extractor import FeatureExtractor
    extractor = FeatureExtractor(feature_size=80)
    labeler = WhisperModel(model_dir, device="cpu", compute_type="float32")
    mels, fills, kept, sequences = [], [], [], []
    for utt in UTTERANCES:
        audio = decode_audio(os.path.join(train_dir, "audio", utt + ".flac"), sampling_rate=16000)
        mel = extractor(np.pad(audio, (0, 480000)), padding=0)[:, :N_FRAMES].astype(np.float32)
        fill = mel[0, -1]
        last = max(int(np.nonzero((mel != fill).any(axis=0))[0].max()) + 1, 1)
        assert (mel[:, last:] == fill).all()
        mels.append(mel)
        fills.append(float(fill))
        kept.append(last)
        segments, _ = labeler.transcribe(audio, beam_size=1, temperature=0, without_timestamps=True,
                                         condition_on_previous_text=False)
        text_tokens = [t for s in segments for t in s.tokens if t < EOT][:MAX_TEXT_TOKENS]
        sequences.append([SOT, NO_TIMESTAMPS] + text_tokens + [EOT])
    return mels, fills, kept, sequences


def summaries(params, trained, rng):
    out = {}
    for key in trained:
        g = params[key].grad.detach().numpy().reshape(-1)
        idx = np.sort(rng.choice(g.size, size=min(64, g.size), replace=False))
        out[key] = dict(norm=float(np.linalg.norm(g)), sum=float(g.sum()), indices=idx.tolist(),
                        values=[float(x) for x in g[idx]])
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=os.path.expanduser("~/.cache/sotto/models/tiny.en"))
    parser.add_argument("--train", default=os.path.join("..", "shared", "data", "train"))
    args = parser.parse_args()
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    bin_path = os.path.join(args.model, "model.bin")
    variables = read_ctranslate2(bin_path)
    n_audio_layer = sum(1 for k in variables if k.startswith("encoder/layer_") and k.endswith("/ffn/linear_0/weight"))
    n_text_layer = sum(1 for k in variables if k.startswith("decoder/layer_") and k.endswith("/ffn/linear_0/weight"))
    heads = variables["decoder/embeddings/weight"].shape[1] // 64
    table = names(n_audio_layer, n_text_layer)
    params = {ours: torch.tensor(variables[theirs], dtype=torch.float64) for ours, theirs in table}
    decoder_keys = [ours for ours, _ in table if ours.startswith("decoder.")]

    mels, fills, kept, sequences = mel_and_tokens(args.train, args.model)
    length = max(len(s) for s in sequences) - 1
    tokens = [s[:-1] + [EOT] * (length - len(s) + 1) for s in sequences]
    targets = [[-1 if i + 1 < 2 else s[i + 1] for i in range(len(s) - 1)] + [-1] * (length - len(s) + 1) for s in sequences]
    tokens_t, targets_t = torch.tensor(tokens), torch.tensor(targets)
    with torch.no_grad():
        audio = encoder(params, torch.tensor(np.stack(mels), dtype=torch.float64), n_audio_layer, heads)
        teacher_logits = decoder(params, tokens_t, audio, n_text_layer, heads)

    for key in decoder_keys:
        params[key].requires_grad_(True)
    logits = decoder(params, tokens_t, audio, n_text_layer, heads)
    loss, ce, kl = loss_fn(logits, targets_t, teacher_logits)
    loss.backward()
    grads = summaries(params, decoder_keys, rng)
    flat = logits.detach().reshape(-1, logits.shape[-1])
    vocab_samples = np.sort(rng.choice(flat.shape[1], size=32, replace=False)).tolist()
    logit_rows = dict(logSumExp=torch.logsumexp(flat, -1).tolist(), vocabIndices=vocab_samples,
                      values=flat[:, vocab_samples].reshape(-1).tolist())

    decay = [params[k] for k in decoder_keys if params[k].dim() >= 2]
    no_decay = [params[k] for k in decoder_keys if params[k].dim() < 2]
    optimizer = torch.optim.AdamW([dict(params=decay, weight_decay=ADAMW["weightDecay"]), dict(params=no_decay, weight_decay=0.0)],
                                  lr=SCHEDULE["peak"], betas=(ADAMW["beta1"], ADAMW["beta2"]), eps=ADAMW["epsilon"])
    losses, norms = [], []
    for step in range(STEPS):
        optimizer.zero_grad()
        logits = decoder(params, tokens_t, audio, n_text_layer, heads)
        step_loss, _, _ = loss_fn(logits, targets_t, teacher_logits)
        step_loss.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_([params[k] for k in decoder_keys], ADAMW["maxGradientNorm"])))
        for group in optimizer.param_groups:
            group["lr"] = rate(step)
        optimizer.step()
        losses.append(float(step_loss.detach()))

    out_dir = os.path.join("Tests", "Fixtures", "train")
    os.makedirs(out_dir, exist_ok=True)
    kept_frames = max(kept)
    np.stack([m[:, :kept_frames] for m in mels]).astype("<f4").tofile(os.path.join(out_dir, "tinyen_mel.f32"))
    fixture = dict(
        made_by="scripts/make_train_fixtures.py", utterances=UTTERANCES, keptFrames=kept_frames, fills=fills,
        tokens=tokens, targets=targets, loss=LOSS, schedule=SCHEDULE, adamW=ADAMW, steps=STEPS,
        initialLoss=float(loss), initialCrossEntropy=float(ce), initialKL=float(kl), logits=logit_rows,
        gradients=grads, stepLosses=losses, gradientNorms=norms,
        versions=dict(python=platform.python_version(), torch=torch.__version__, numpy=np.__version__,
                      model_bin_sha256=hashlib.sha256(open(bin_path, "rb").read()).hexdigest()))
    with open(os.path.join(out_dir, "tinyen.json"), "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print("loss %.6f ce %.6f kl %.6f; steps %s" % (float(loss), float(ce), float(kl), ["%.5f" % l for l in losses]))


if __name__ == "__main__":
    sys.exit(main())
