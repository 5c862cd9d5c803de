"""Scores transcripts the way `sotto eval` does, with whisper_normalizer as the reference normalizers."""
import json
from pathlib import Path

CHARACTER_SCORED = {"zh", "ja", "th", "lo", "my", "yue"}


def load_manifest(path):
    base = Path(path).parent
    entries = []
    for line in Path(path).read_text().splitlines():
        if line.strip():
            entry = json.loads(line)
            entry["path"] = str(base / entry["audio"])
            entries.append(entry)
    return entries


def edit_distance(ref, hyp):
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h))
        previous = current
    return previous[-1]


def score_utterances(entries, hypotheses):
    """Returns per-language and pooled error rates, in percent."""
    from whisper_normalizer.basic import BasicTextNormalizer
    from whisper_normalizer.english import EnglishTextNormalizer

    english, basic = EnglishTextNormalizer(), BasicTextNormalizer()
    totals = {}
    for entry in entries:
        language = entry["language"]
        normalize = english if language == "en" else basic
        ref, hyp = normalize(entry["text"]), normalize(hypotheses[entry["id"]])
        if language in CHARACTER_SCORED:
            unit, ref_units, hyp_units = "cer", list(ref.replace(" ", "")), list(hyp.replace(" ", ""))
        else:
            unit, ref_units, hyp_units = "wer", ref.split(), hyp.split()
        errors = edit_distance(ref_units, hyp_units)
        for key in (language, f"all_{unit}"):
            bucket = totals.setdefault(key, [0, 0])
            bucket[0] += errors
            bucket[1] += len(ref_units)
    return {key: round(100.0 * e / max(n, 1), 3) for key, (e, n) in sorted(totals.items())}
