#!/usr/bin/env python3
"""Load test of `sotto serve` on loopback: 1, 4 and 8 concurrent clients, each sending the dev
clips (and, once per run, one long file) as cache-missing requests, through the official openai
client. Reports requests/s, audio seconds/s, P50/P95/P99 latency and errors per level, and writes
docs/serving.md with the table and an SVG chart (docs/serving-load.svg).

  python3 scripts/load_test.py [--model tiny.en|DIR] [--threads 2] [--requests-per-client 6]
                               [--variants "--max-batch 1;--max-batch 8"]

Each variant (a set of `sotto serve` flags) gets its own server, all started up front; every
level runs on each variant in turn, so the variants see the same machine load.

Needs a release build (.build/release/sotto) and ../shared/data/dev beside the checkout.
"""
import argparse
import concurrent.futures
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_server import DEV, ROOT, LONG_SOURCE, Server  # noqa: E402

import openai  # noqa: E402


def clips():
    entries = [json.loads(line) for line in open(os.path.join(DEV, "manifest.jsonl"))]
    return [(os.path.join(DEV, e["audio"]), e["duration"]) for e in entries
            if e["language"] == "en" and e["duration"] < 20]


def unique(data, salt):
    """Same speech, different bytes (the last sample's low byte), so every request misses the cache."""
    data = bytearray(data)
    data[-2] = (data[-2] + salt) % 256
    return bytes(data)


def served_name(model):
    """What the server calls a model given as a directory (its last path component)."""
    return os.path.basename(os.path.normpath(model)) if os.path.isdir(model) and "/" in model else model


def run_level(server, model, concurrency, per_client, files, salt_base):
    client = openai.OpenAI(base_url=server.base + "/v1", api_key="sotto", max_retries=0, timeout=900)

    def one(index):
        path, seconds = files[index % len(files)]
        with open(path, "rb") as f:
            data = unique(f.read(), salt_base + index)
        start = time.perf_counter()
        try:
            client.audio.transcriptions.create(model=model, file=("clip.wav", data))
            return time.perf_counter() - start, seconds, None
        except openai.APIError as error:
            return time.perf_counter() - start, seconds, type(error).__name__

    jobs = concurrency * per_client
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(jobs)))
    wall = time.perf_counter() - start
    latencies = sorted(r[0] for r in results if r[2] is None)
    errors = [r[2] for r in results if r[2] is not None]

    def percentile(p):
        return latencies[min(len(latencies) - 1, int(round(p / 100 * (len(latencies) - 1))))] if latencies else float("nan")

    return {
        "clients": concurrency, "requests": jobs, "errors": len(errors), "wall_s": wall,
        "requests_per_s": len(latencies) / wall, "audio_s_per_s": sum(r[1] for r in results if r[2] is None) / wall,
        "p50_s": percentile(50), "p95_s": percentile(95), "p99_s": percentile(99),
        "mean_s": statistics.mean(latencies) if latencies else float("nan"),
    }


def chart(rows, path):
    """Throughput (bars) per concurrency level, P95 latency written above each bar."""
    width, height, left, bottom = 420, 240, 50, 200
    top = max(r["audio_s_per_s"] for r in rows) * 1.2
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
             f'<text x="{left}" y="16">audio seconds per second (bars), P95 latency (labels)</text>',
             f'<line x1="{left}" y1="{bottom}" x2="{width - 10}" y2="{bottom}" stroke="#333"/>']
    for i, r in enumerate(rows):
        bar = (r["audio_s_per_s"] / top) * (bottom - 40)
        x = left + 20 + i * 110
        parts.append(f'<rect x="{x}" y="{bottom - bar:.1f}" width="70" height="{bar:.1f}" fill="#2a6"/>')
        parts.append(f'<text x="{x + 35}" y="{bottom - bar - 6:.1f}" text-anchor="middle">{r["audio_s_per_s"]:.1f} · P95 {r["p95_s"]:.2f} s</text>')
        parts.append(f'<text x="{x + 35}" y="{bottom + 16}" text-anchor="middle">{r["clients"]} client{"s" if r["clients"] > 1 else ""}</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def cpu_name():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--requests-per-client", type=int, default=6)
    parser.add_argument("--levels", default="1,4,8")
    parser.add_argument("--variants", default="", help='server flag sets separated by ";"')
    parser.add_argument("--chart-variant", default="", help="the variant the chart shows (default: the last)")
    parser.add_argument("--output", default=os.path.join(ROOT, "docs", "serving.md"))
    args = parser.parse_args()
    files = clips()
    with wave.open(LONG_SOURCE) as w:
        long_file = (LONG_SOURCE, w.getnframes() / w.getframerate())
    variants = [v.strip() for v in args.variants.split(";")] if args.variants else [""]
    servers = []
    rows = []
    load = [os.getloadavg()[0]]
    try:
        for variant in variants:
            servers.append(Server(*variant.split(), model=args.model, threads=args.threads))
        for salt, level in enumerate(int(x) for x in args.levels.split(",")):
            for variant, server in zip(variants, servers):
                # One long file per level, among the clips.
                level_files = files[:] + [long_file]
                before = batch_totals(server)
                row = run_level(server, served_name(args.model), level, args.requests_per_client, level_files,
                                salt * 1000)
                row["variant"] = variant or "defaults"
                after = batch_totals(server)
                turns = after[0] - before[0]
                row["batch_sizes"] = {"turns": int(turns), "mean": round((after[1] - before[1]) / turns, 2) if turns else 0}
                rows.append(row)
                load.append(os.getloadavg()[0])
                print(json.dumps(rows[-1]))
    finally:
        for server in servers:
            server.stop()
    write_report(rows, args, load)


def batch_totals(server):
    """The server's batch size histogram so far: (turns, summed batch sizes)."""
    name = served_name(server.model)
    return (server.metric(f'sotto_batch_size_count{{model="{name}"}}'), server.metric(f'sotto_batch_size_sum{{model="{name}"}}'))


def write_report(rows, args, load):
    svg = os.path.join(os.path.dirname(args.output), "serving-load.svg")
    charted = args.chart_variant or rows[-1]["variant"]
    chart([r for r in rows if r["variant"] == charted], svg)
    base = {}
    lines = ["| server flags | clients | requests | errors | requests/s | audio s/s | vs 1 client | mean batch | P50 s | P95 s | P99 s |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in sorted(rows, key=lambda r: r["variant"]):
        base.setdefault(r["variant"], r["audio_s_per_s"])
        lines.append(f'| {r["variant"]} | {r["clients"]} | {r["requests"]} | {r["errors"]} | {r["requests_per_s"]:.2f} | '
                     f'{r["audio_s_per_s"]:.1f} | {r["audio_s_per_s"] / base[r["variant"]]:.2f}x | '
                     f'{r["batch_sizes"]["mean"]:.2f} | {r["p50_s"]:.2f} | {r["p95_s"]:.2f} | {r["p99_s"]:.2f} |')
    marker = "<!-- load-test -->"
    variants = f' --variants "{args.variants}"' if args.variants else ""
    block = (f"{marker}\nMeasured by `python3 scripts/load_test.py --model {args.model} --threads {args.threads} "
             f"--requests-per-client {args.requests_per_client}{variants}` on {cpu_name()} "
             f"({os.cpu_count()} cores), {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, 1-minute load average "
             f"{min(load):.1f}-{max(load):.1f} during the run: English dev clips under 20 s plus the "
             f"46 s dev file, every request a cache miss, greedy. Levels run in turn on each variant's server; "
             f"mean batch is the mean of the server's `sotto_batch_size` over the level (sequences per decoding step).\n\n"
             + "\n".join(lines) +
             f"\n\n![throughput and P95 latency](serving-load.svg)\n{marker}\n")
    text = open(args.output).read() if os.path.exists(args.output) else "# Serving\n\n"
    if marker in text:
        head, _, rest = text.partition(marker)
        _, _, tail = rest.partition(marker)
        text = head + block + "\n" + tail.lstrip("\n")
    else:
        text += "\n## Load test\n\n" + block
    with open(args.output, "w") as f:
        f.write(text)
    print(f"wrote {args.output} and {svg}")


if __name__ == "__main__":
    main()
