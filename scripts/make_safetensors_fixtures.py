#!/usr/bin/env python3
"""Golden fixture for SottoModel's safetensors reader, written by the reference implementation.

Writes Tests/Fixtures/safetensors/:
  small.safetensors   a few tiny tensors of dtypes F32, F16, BF16, I8, U8, I32 (one empty) plus
                      `__metadata__`, serialized by huggingface/safetensors (its Rust core).
  small.json          versions, the metadata, and per tensor: dtype, shape, the exact little-endian
                      bytes as hex, and the values (floats as written; BF16 as float32 values whose
                      low 16 bits are zero, so the bytes are their top halves).

Usage:
  python3 scripts/make_safetensors_fixtures.py            # regenerate the fixture
  python3 scripts/make_safetensors_fixtures.py --check FILE
      Interop check for Sotto's writer: loads FILE with the reference safetensors reader (which runs
      its full header validation) and compares every tensor's dtype, shape and bytes, and the
      metadata, with small.json. The Swift test "re-writing the Python fixture" in
      SafetensorsWriterTests writes such a FILE when SOTTO_SAFETENSORS_INTEROP_OUT names a path:
        SOTTO_SAFETENSORS_INTEROP_OUT=/tmp/swift.safetensors swift test --filter Safetensors
        python3 scripts/make_safetensors_fixtures.py --check /tmp/swift.safetensors

Requires: pip install safetensors numpy
"""
import argparse
import json
import os
import platform
import sys

import numpy as np
import safetensors
from safetensors import TensorSpec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "safetensors")
NAME = "small"
METADATA = {"format": "sotto-test", "note": "quoted \"text\", unicode \u00e9\u6f22, tab\t"}
# The reference names dtypes by numpy name on input and by header name in files.
HEADER_DTYPE = {"float32": "F32", "float16": "F16", "bfloat16": "BF16", "int8": "I8", "uint8": "U8", "int32": "I32"}


def bfloat16_bits(values):
    """float32 values whose low 16 bits are zero, as their BF16 bit patterns (exact truncation)."""
    bits = np.asarray(values, dtype="<f4").view("<u4")
    assert np.all(bits & 0xFFFF == 0), "BF16 fixture values must be exactly representable"
    return (bits >> 16).astype("<u2")


def tensors():
    """name -> (numpy dtype name for the reference, array holding the little-endian bytes, values)."""
    weight = np.array([[1.5, -2.25, 0.0], [3.0e-3, 1.0e6, -0.5]], dtype="<f4")
    half = np.array([0.5, -1.0, 65504.0, 6.1035156e-05], dtype="<f2")
    brain = [1.0, -2.0, 0.15625, 3.3895314e38]
    quantized = np.array([[-128, -1, 0], [1, 64, 127]], dtype="i1")
    codes = np.array([0, 7, 128, 255, 42], dtype="u1")
    counts = np.array([-2147483648, -1, 0, 2147483647], dtype="<i4")
    return {
        "encoder.weight": ("float32", weight, weight.tolist()),
        "encoder.weight_scale": ("float16", half, half.astype(np.float32).tolist()),
        "embedding.bf16": ("bfloat16", bfloat16_bits(brain), brain),
        "layer.0.q": ("int8", quantized, quantized.tolist()),
        "layer.0.codes": ("uint8", codes, codes.tolist()),
        "layer.0.counts": ("int32", counts, counts.tolist()),
        "empty": ("float32", np.zeros((0, 3), dtype="<f4"), []),
    }


def make():
    os.makedirs(OUT, exist_ok=True)
    arrays = tensors()  # keeps the buffers alive while the reference serializes from their pointers
    specs = {name: TensorSpec(dtype=d, shape=list(a.shape), data_ptr=a.ctypes.data, data_len=a.nbytes)
             for name, (d, a, _) in arrays.items()}
    expected = {name: {"dtype": HEADER_DTYPE[d], "shape": list(a.shape), "hex": a.tobytes().hex(), "values": v}
                for name, (d, a, v) in arrays.items()}
    path = os.path.join(OUT, NAME + ".safetensors")
    safetensors.serialize_file(specs, path, metadata=METADATA)
    sidecar = {
        "made_by": "scripts/make_safetensors_fixtures.py",
        "versions": {"python": platform.python_version(), "safetensors": safetensors.__version__, "numpy": np.__version__},
        "metadata": METADATA,
        "tensors": expected,
    }
    with open(os.path.join(OUT, NAME + ".json"), "w") as f:
        json.dump(sidecar, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    check(path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def check(path):
    """Loads `path` with the reference reader and compares it with the sidecar; exits 1 on a mismatch."""
    with open(os.path.join(OUT, NAME + ".json")) as f:
        sidecar = json.load(f)
    with open(path, "rb") as f:
        content = f.read()
    loaded = dict(safetensors.deserialize(content))  # raises SafetensorError on any invalid header
    with safetensors.safe_open(path, framework="numpy") as handle:
        metadata = handle.metadata() or {}
    problems = []
    if metadata != sidecar["metadata"]:
        problems.append(f"metadata {metadata!r} != {sidecar['metadata']!r}")
    if set(loaded) != set(sidecar["tensors"]):
        problems.append(f"tensor names {sorted(loaded)} != {sorted(sidecar['tensors'])}")
    for name, want in sidecar["tensors"].items():
        got = loaded.get(name)
        if got is None:
            continue
        if got["dtype"] != want["dtype"] or list(got["shape"]) != want["shape"] or bytes(got["data"]).hex() != want["hex"]:
            problems.append(f"{name}: got {got['dtype']} {list(got['shape'])} {bytes(got['data']).hex()}, want {want}")
    for problem in problems:
        print("MISMATCH", problem, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{path}: loads in safetensors {safetensors.__version__}; {len(loaded)} tensors and metadata match {NAME}.json")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", metavar="FILE", help="verify FILE with the reference reader instead of writing")
    args = parser.parse_args()
    if args.check:
        check(args.check)
    else:
        make()
