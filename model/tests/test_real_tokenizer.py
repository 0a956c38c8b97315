"""Windowing on a real PegasusTokenizerFast: its offsets, its build_inputs_with_special_tokens and
the </s> it appends (the fake tokenizer in fakes.py cannot show how SentencePiece offsets really
fall: lone "▁" pieces, pieces spanning newlines). Where the two differ, these tests decide.

The tokenizer is trained here on samples/ and converted by transformers as a Hub checkpoint's is
(tiny_pegasus.py); the model is not needed, so `generate` is a stand-in that returns the first
words of each window.
"""

import random
import re
import unittest

from transformers import AutoTokenizer, PegasusTokenizerFast

import inference as h
from model.tests.tiny_pegasus import SAMPLES, shared_model_dir

SENTENCE_END = tuple(".!?…。！？")
CLOSERS = "\"'”’)]»"


def tokenizer():
    return AutoTokenizer.from_pretrained(shared_model_dir())


def cut_is_at_a_boundary(text, offsets, end):
    """Independently of boundary_strengths: the text before the cut ends a sentence, or a line
    break follows before the next word."""
    position = offsets[end - 1][1]
    before = text[:position].rstrip().rstrip(CLOSERS)
    after = text[position:offsets[end][1]] if end < len(offsets) else ""
    return before.endswith(SENTENCE_END) or "\n" in after


class RealTokenizer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tok = tokenizer()
        cls.adapter = h.TokenizerAdapter(cls.tok)

    def test_it_is_the_real_fast_pegasus_tokenizer(self):
        self.assertIsInstance(self.tok, PegasusTokenizerFast)
        self.assertTrue(self.tok.is_fast)

    def test_special_tokens_come_from_the_tokenizer(self):
        self.assertEqual(self.adapter.specials, 1)
        self.assertEqual(self.adapter.wrap([5, 6]), [5, 6, self.tok.eos_token_id])
        self.assertEqual(self.tok.convert_ids_to_tokens(self.tok.eos_token_id), "</s>")

    def test_paragraph_and_sentence_ends(self):
        text = 'He said "stop." Then he left.\n\nA new paragraph: pi is 3.14 today!\nNext line 東京は晴れ。明日'
        encoded = self.tok(text, add_special_tokens=False, return_offsets_mapping=True)
        strengths = h.boundary_strengths(text, encoded["offset_mapping"])
        marked = {}
        for i, (a, b) in enumerate(encoded["offset_mapping"]):
            if strengths[i]:
                marked[text[a:b].strip()] = strengths[i]
        self.assertEqual(marked.get('."') or marked.get('"') or marked.get('stop."'), h.SENTENCE, marked)
        self.assertIn(h.PARAGRAPH, marked.values(), f"the blank line is a paragraph end: {marked}")
        paragraph_token = [k for k, v in marked.items() if v == h.PARAGRAPH]
        self.assertTrue(all(k.endswith(".") for k in paragraph_token), marked)
        self.assertNotIn("3", marked, "the full stop in 3.14 is not a sentence end")
        self.assertEqual(sum(1 for v in marked.values() if v), len(marked))

    def test_the_30000_word_sample_windows_cover_and_cut_at_sentences(self):
        text = (SAMPLES / "coastal-adaptation-long-30k.txt").read_text(encoding="utf-8")
        encoded = self.tok(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
        ids, strengths = self.adapter.encode(text)
        self.assertEqual(ids, encoded["input_ids"])
        # Every blank line is found, although SentencePiece hands the newline to a lone "▁" piece.
        self.assertEqual(strengths.count(h.PARAGRAPH), len(re.findall(r"\n\s*\n", text)))
        for limit, overlap in [(1023, 64), (255, 32), (511, 0)]:
            with self.subTest(limit=limit, overlap=overlap):
                plan = h.plan_windows(len(ids), limit, overlap, strengths)
                self.assertEqual((plan[0][0], plan[-1][1]), (0, len(ids)))
                for (a1, b1), (a2, b2) in zip(plan, plan[1:]):
                    self.assertEqual(b1 - a2, overlap)
                self.assertTrue(all(0 < b - a <= limit for a, b in plan))
                # A cut moves back at most the slack (limit // 5) to reach a sentence end.
                shortest_step = limit - limit // 5 - overlap
                self.assertLessEqual(len(plan), -(-(len(ids) - overlap) // shortest_step) + 1)
                cuts = [b for _, b in plan[:-1]]
                at_boundary = sum(cut_is_at_a_boundary(text, encoded["offset_mapping"], b) for b in cuts)
                self.assertGreater(at_boundary, 0.9 * len(cuts), f"{at_boundary} of {len(cuts)} cuts end a sentence or paragraph")

    def test_windows_sent_to_the_model_fit_with_their_eos(self):
        text = (SAMPLES / "energy-transition-long-8k.txt").read_text(encoding="utf-8")
        sent = []

        def generate(batch, generation):
            sent.extend(batch)
            return [self.tok.decode(ids[:12], skip_special_tokens=True) + "." for ids in batch]

        summarizer = h.Summarizer(self.adapter, generate, 256, h.Settings(overlap_tokens=32))
        out = summarizer.summarize(h.parse_request(text.encode("utf-8"), "text/plain", summarizer.defaults))
        self.assertGreater(out["windows"], 10)
        self.assertTrue(all(len(w) <= 256 and w[-1] == self.tok.eos_token_id for w in sent))
        self.assertEqual(sum(w.count(self.tok.eos_token_id) for w in sent), len(sent), "one </s> per window, at its end")

    def test_no_sliver_window_with_real_offsets(self):
        rng = random.Random(3)
        words = (SAMPLES / "market-brief.txt").read_text(encoding="utf-8").split()
        text = " ".join(rng.choice(words) for _ in range(3000))
        ids, strengths = self.adapter.encode(text)
        n = 1024 + 1  # one token more than a window of 1023 plus </s> holds
        plan = h.plan_windows(n, 1023, 64, strengths[:n])
        self.assertEqual(len(plan), 2)
        self.assertGreater(min(b - a for a, b in plan), 300)


if __name__ == "__main__":
    unittest.main()
