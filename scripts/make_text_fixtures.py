#!/usr/bin/env python3
"""Golden fixtures for SottoText: tokenizer ids, Whisper special tokens and normalizer outputs.

Writes Tests/Fixtures/text/tokenizer_cases.json and Tests/Fixtures/text/normalizer_cases.json.
References: Hugging Face `tokenizers` (encode), `faster_whisper.tokenizer.Tokenizer` (special ids,
non_speech_tokens, sot sequences) and `whisper_normalizer` (openai/whisper's normalizers, packaged).
The versions used are recorded in each file so a mismatch can be traced to a reference upgrade.

Usage: python3 scripts/make_text_fixtures.py [--sotto-home ~/.cache/sotto]
"""
import argparse
import json
import platform
from importlib.metadata import version
from pathlib import Path

import tokenizers
from faster_whisper.tokenizer import Tokenizer as FasterWhisperTokenizer
from whisper_normalizer.basic import BasicTextNormalizer
from whisper_normalizer.english import EnglishTextNormalizer

MODELS = {"tiny.en": False, "base": True}  # name -> multilingual

ENCODE_CASES = [
    "Hello world",
    " Hello world",
    "The quick brown fox jumps over the lazy dog.",
    "Hello, world! How are you? I'm fine; thanks: (really) [yes] {ok} <tag>",
    "3.14159 and 1,000,000 and 2024-06-01 and 42nd",
    "1234567890 007 0.5",
    "don't won't it's we're they've I'm you'll he'd 'quoted' DON'T",
    "?'s ''s 'S 'll'll",
    "multiple   spaces\tand\ttabs",
    "  leading and trailing  ",
    "line one\nline two\n\nline four\r\n",
    "\n\nhello",
    "a \n b",
    "emoji 😀👍🏽 and ♪♪ music ♪",
    "🎉",
    "中文测试：你好，世界！",
    "日本語のテキストです。カタカナ、ひらがな。",
    "Größe, Übermäßig, straße — schön!",
    "Français : «citation», où êtes-vous ? Ça va.",
    "한국어 텍스트입니다.",
    "مرحبا بالعالم",
    "नमस्ते दुनिया",
    "Привет, мир!",
    "Ελληνικά κείμενα",
    "mixed English 中文 日本語 and numbers 123",
    "non-breaking\u00a0space and ideographic\u3000space",
    "zero\u200bwidth and combining e\u0301",
    "<|endoftext|> special in text <|en|>",
    "<|0.00|> timestamp-like text",
    "",
    " ",
    "   ",
    "a",
]

NORMALIZER_CASES = [
    # numbers
    "twenty five",
    "one hundred and twenty three",
    "two thousand and five",
    "nineteen ninety nine",
    "twenty-one",
    "1.5",
    "one point five",
    "ten percent",
    "ten per cent",
    "$5",
    "£10",
    "€3.50",
    "$20.5 million",
    "twenty dollars and five cents",
    "five dollars",
    "1st",
    "2nd",
    "3rd place",
    "the 21st century",
    "the 1960s",
    "the sixties",
    "twentieth",
    "first second third",
    "double o seven",
    "triple five",
    "one oh one",
    "oh",
    "o",
    "zero",
    "one",
    "ones",
    "1",
    "1s",
    "two and a half",
    "three and a half million",
    "and a half",
    "a million",
    "one million two hundred thousand",
    "minus ten",
    "plus five",
    "negative",
    "seventeen",
    "forty second street",
    "1,234,567",
    "3 point 14",
    "point five",
    "one two three",
    "twenty twenty",
    "two thousand twenty four",
    "a hundred",
    "hundred",
    "hundreds of people",
    "thousands",
    "millionth",
    "five hundredth",
    "$0.07",
    "$2 and ¢7",
    "192.168.1.1",
    "12 34",
    "sixes and sevens",
    "ninety ninth",
    "fifties",
    "eleventh hour",
    "one hundred and five",
    "five thousand and twelve dollars",
    "ten thousand dollars",
    "half past three",
    # spelling, contractions, titles
    "The colour of the centre was grey.",
    "I'm gonna go, you wanna come?",
    "I'm not sure, I'd've said it's fine.",
    "won't can't let's ain't y'all",
    "They'd been there; she's gone; he's got it.",
    "Mr. Smith and Mrs. Jones met Dr. Who at St. Paul's.",
    "Capt. Prof. Gen. Jr. Sr.",
    "hmm um uh mhm mmm okay",
    "kinda sorta dunno gotta imma",
    # brackets, parentheses, symbols
    "Hello [laughs] world (inaudible) <noise> ok",
    "unbalanced [bracket and (paren",
    "empty () parens",
    "well-known self-driving car",
    "a & b @ c # d * e + f = g",
    "50% of 100%",
    "hello . . . world...",
    "end of sentence.",
    "email me at test@example.com",
    "Café naïve résumé coöperate",
    "Ærøskøbing straße Łódź",
    "“Smart quotes” and ‘single’ ones — dashes – too",
    "♪ la la la ♪",
    "UPPER lower MiXeD",
    "  multiple   spaces\tand\nnewlines  ",
    "It's 5 o'clock.",
    "Hello  ,  world",
    "",
]

BASIC_EXTRA_CASES = [
    "ΟΔΟΣ Σ σ",
    "日本語のテキストです。",
    "नमस्ते दुनिया",
    "한국어 텍스트입니다.",
    "ﬁ ligature and ½ fraction and ² superscript",
]


def encode_table(tok: tokenizers.Tokenizer) -> list:
    return [tok.encode(text, add_special_tokens=False).ids for text in ENCODE_CASES]


def whisper_tokens(tok: tokenizers.Tokenizer, multilingual: bool) -> dict:
    fw = FasterWhisperTokenizer(tok, multilingual, task="transcribe", language="en")
    special = {
        "eot": fw.eot,
        "sot": fw.sot,
        "translate": fw.translate,
        "transcribe": fw.transcribe,
        "sotLm": fw.sot_lm,
        "sotPrev": fw.sot_prev,
        "noSpeech": fw.no_speech,
        "noTimestamps": fw.no_timestamps,
        "timestampBegin": fw.timestamp_begin,
    }
    sequences = []
    for language, task in [("en", "transcribe"), ("de", "translate"), ("zh", "transcribe"),
                           ("ja", "translate"), ("haw", "transcribe")]:
        if multilingual:
            sequence = FasterWhisperTokenizer(tok, True, task=task, language=language).sot_sequence
        else:
            sequence = FasterWhisperTokenizer(tok, False).sot_sequence
        sequences.append({"language": language, "task": task, "sequence": sequence})
    return {
        "special": special,
        "nonSpeechTokens": list(fw.non_speech_tokens),
        "sotSequences": sequences,
    }


DECODE_PREFIX_CASES = ["emoji 😀👍🏽", "中文测试", "Größe", "नमस्ते"]


def decode_table(tok: tokenizers.Tokenizer) -> list:
    """HF decode of every prefix of a few multi-byte encodings, so partial UTF-8 sequences are covered."""
    cases = []
    for text in DECODE_PREFIX_CASES:
        ids = tok.encode(text, add_special_tokens=False).ids
        for k in range(1, len(ids) + 1):
            cases.append({"ids": ids[:k], "text": tok.decode(ids[:k])})
    # hand-made invalid sequences: a lone continuation byte and a truncated 4-byte lead
    for ids in [[127, 126], [16268, 16268, 257], [171, 114]]:
        cases.append({"ids": ids, "text": tok.decode(ids)})
    return cases


def versions() -> dict:
    return {
        "python": platform.python_version(),
        "tokenizers": tokenizers.__version__,
        "faster_whisper": version("faster-whisper"),
        "whisper_normalizer": version("whisper-normalizer"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sotto-home", default=str(Path.home() / ".cache/sotto"))
    args = parser.parse_args()
    out_dir = Path(__file__).resolve().parent.parent / "Tests/Fixtures/text"
    out_dir.mkdir(parents=True, exist_ok=True)

    models = {}
    for name, multilingual in MODELS.items():
        tok = tokenizers.Tokenizer.from_file(f"{args.sotto_home}/models/{name}/tokenizer.json")
        models[name] = {"multilingual": multilingual, "ids": encode_table(tok),
                        "decodes": decode_table(tok),
                        **whisper_tokens(tok, multilingual)}
    tokenizer_cases = {
        "madeBy": "scripts/make_text_fixtures.py",
        "versions": versions(),
        "strings": ENCODE_CASES,
        "models": models,
    }
    (out_dir / "tokenizer_cases.json").write_text(
        json.dumps(tokenizer_cases, ensure_ascii=False, indent=1) + "\n")

    english = EnglishTextNormalizer()
    basic = BasicTextNormalizer()
    basic_diacritics = BasicTextNormalizer(remove_diacritics=True)
    basic_split = BasicTextNormalizer(split_letters=True)
    basic_inputs = NORMALIZER_CASES + BASIC_EXTRA_CASES
    normalizer_cases = {
        "madeBy": "scripts/make_text_fixtures.py",
        "versions": versions(),
        "english": [{"input": s, "output": english(s)} for s in NORMALIZER_CASES],
        "basic": [{"input": s, "output": basic(s)} for s in basic_inputs],
        "basicRemoveDiacritics": [{"input": s, "output": basic_diacritics(s)} for s in basic_inputs],
        "basicSplitLetters": [{"input": s, "output": basic_split(s)} for s in basic_inputs],
    }
    (out_dir / "normalizer_cases.json").write_text(
        json.dumps(normalizer_cases, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
