"""Benchmark: tokenizing and windowing long documents (not a test), with the fake tokenizer of the
unit tests and with a real PegasusTokenizerFast (trained here on samples/, as the serving tests
build it; a Hub checkpoint's vocabulary is larger, so it makes fewer tokens per word).

Prints, for 10k to 1M words, the time to tokenize, find cut points and plan windows, the peak
memory of doing so (each size in a fresh process), and the share of cuts that fall at a sentence
or paragraph end. Linear growth means time and memory per token stay flat as documents grow.

    npm run bench:windowing        (runs in the serving environment, scripts/python-env.sh)
"""

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZES = [10_000, 100_000, 1_000_000]
LIMIT, OVERLAP = 1023, 64


def document(words):
    sentences = [
        "Regional grid operators reported that battery storage cut peak demand by about 12 percent.",
        "Analysts expect the trend to continue as prices fall and permitting speeds up.",
        "Several utilities, however, warned that transmission remains the binding constraint!",
    ]
    per = sum(len(s.split()) for s in sentences)
    paragraphs = [" ".join(sentences * 2) for _ in range(words // (per * 2) + 1)]
    return "\n\n".join(paragraphs)


def tokenizer(kind, directory):
    if kind == "fake":
        from model.tests.fakes import FakeTokenizer  # noqa: PLC0415

        return FakeTokenizer(model_max_length=LIMIT + 1)
    from transformers import PegasusTokenizerFast  # noqa: PLC0415

    return PegasusTokenizerFast.from_pretrained(directory)


def measure(kind, words, directory):
    import model.tests  # noqa: F401,PLC0415 -- puts model/code on the path
    import inference as h  # noqa: PLC0415

    text = document(words)
    adapter = h.TokenizerAdapter(tokenizer(kind, directory))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    ids, strengths = adapter.encode(text)
    plan = h.plan_windows(len(ids), LIMIT, OVERLAP, strengths)
    seconds = time.perf_counter() - start
    peak_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    covered = plan[0][0] == 0 and plan[-1][1] == len(ids) and all(b - a <= LIMIT for a, b in plan)
    at_boundary = sum(1 for _, b in plan[:-1] if strengths[b - 1]) / max(1, len(plan) - 1)
    print(f"{kind:>5} {len(text.split()):>10,} {len(ids):>10,} {len(plan):>8,} {seconds:>8.2f} {seconds / len(ids) * 1e6:>9.2f} "
          f"{peak_mb:>8.1f} {peak_mb * 1024 * 1024 / len(ids):>11.0f} {at_boundary:>8.0%} {'yes' if covered else 'NO'}", flush=True)


def main():
    if len(sys.argv) > 1:
        measure(sys.argv[1], int(sys.argv[2]), sys.argv[3])
        return
    from model.tests.tiny_pegasus import build_tokenizer  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as directory:
        build_tokenizer(directory)
        print(f"windows of {LIMIT} tokens sharing {OVERLAP}; each row a fresh process")
        print(f"{'tok':>5} {'words':>10} {'tokens':>10} {'windows':>8} {'seconds':>8} {'µs/token':>9} {'peak MB':>8} {'bytes/tok':>11} {'at ends':>8} covered")
        for kind in ("fake", "real"):
            for words in SIZES:
                subprocess.run([sys.executable, __file__, kind, str(words), directory], check=True)


if __name__ == "__main__":
    main()
