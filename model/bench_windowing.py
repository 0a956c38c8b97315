"""Benchmark: tokenizing and windowing long documents with the fake tokenizer (not a test).

Prints, for 10k to 1M words, the time to tokenize, find cut points and plan windows, and the
peak memory of doing so (each size in a fresh process). Linear growth means time and memory per
word stay flat as documents grow.

    npm run bench:windowing
"""

import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "model" / "code"))
sys.path.insert(0, str(ROOT))

SIZES = [10_000, 100_000, 1_000_000]


def document(words):
    sentence = "Regional grid operators reported that battery storage cut peak demand by about 12 percent."
    per = len(sentence.split())
    paragraphs = []
    for i in range(words // per // 5 + 1):
        paragraphs.append(" ".join([sentence] * 5))
    return "\n\n".join(paragraphs)


def measure(words):
    import inference as h
    from model.tests.fakes import FakeTokenizer

    text = document(words)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    adapter = h.TokenizerAdapter(FakeTokenizer(model_max_length=1024))
    ids, strengths = adapter.encode(text)
    plan = h.plan_windows(len(ids), 1023, 64, strengths)
    seconds = time.perf_counter() - start
    peak_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    covered = plan[0][0] == 0 and plan[-1][1] == len(ids) and all(b - a <= 1023 for a, b in plan)
    print(f"{len(text.split()):>10,} {len(ids):>10,} {len(plan):>8,} {seconds:>8.2f} {seconds / len(ids) * 1e6:>10.2f} {peak_mb:>10.1f} {peak_mb * 1024 * 1024 / len(ids):>12.0f} {'yes' if covered else 'NO'}")


def main():
    if len(sys.argv) > 1:
        measure(int(sys.argv[1]))
        return
    print(f"{'words':>10} {'tokens':>10} {'windows':>8} {'seconds':>8} {'µs/token':>10} {'peak MB':>10} {'bytes/token':>12} covered")
    for words in SIZES:
        subprocess.run([sys.executable, __file__, str(words)], check=True)


if __name__ == "__main__":
    main()
