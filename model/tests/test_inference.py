"""Unit tests of the model handler with a fake tokenizer and model (standard library only).

Run: python3 -m unittest discover -s model/tests -t .   (npm test runs it too)
"""

import json
import sys
import types
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "model" / "code"))

import inference as h  # noqa: E402
from model.tests.fakes import EOS, FakeModel, FakeTokenizer, OutOfMemoryError  # noqa: E402

SAMPLES = ROOT / "samples" / "articles"


def summarizer(max_input=64, keep=12, defaults=h.Settings(), **model_kwargs):
    tokenizer = FakeTokenizer(model_max_length=max_input)
    model = FakeModel(tokenizer, keep=keep, **model_kwargs)
    released = []
    s = h.Summarizer(h.TokenizerAdapter(tokenizer), model, max_input, defaults, release_memory=lambda: released.append(1))
    return s, model, tokenizer, released


def run(s, text, content_type="text/plain", parameters=None):
    body = text.encode("utf-8") if parameters is None else json.dumps({"inputs": text, "parameters": parameters})
    kind = content_type if parameters is None else "application/json"
    data = h.input_fn(body, kind, s)
    return json.loads(h.output_fn(h.predict_fn(data, s), "application/json"))[0]


def words(n, prefix="w"):
    return " ".join(f"{prefix}{i}" for i in range(n))


class FitsInOneWindow(unittest.TestCase):
    def test_one_pass_exactly_as_the_stock_pipeline_would(self):
        s, model, tok, _ = summarizer(max_input=64)
        out = run(s, "Markets rallied on Tuesday. Bonds fell.")
        self.assertEqual(len(model.batches), 1)
        self.assertEqual(model.batches[0], [tok("Markets rallied on Tuesday. Bonds fell.")["input_ids"]])  # ids + </s>
        self.assertEqual(out["summary_text"], "Markets rallied on Tuesday. Bonds fell.")
        self.assertEqual(
            {k: out[k] for k in ("strategy", "input_tokens", "windows", "rounds", "truncated", "round_limit_reached")},
            {"strategy": "map-reduce", "input_tokens": 6, "windows": 1, "rounds": 1, "truncated": False, "round_limit_reached": False},
        )
        self.assertNotIn("window_summaries", out)

    def test_exactly_at_the_limit_is_one_window(self):
        s, model, _, _ = summarizer(max_input=64)
        out = run(s, words(63))  # 63 tokens + </s> = 64
        self.assertEqual((out["windows"], out["rounds"]), (1, 1))
        self.assertEqual(len(model.batches[0][0]), 64)


class Windows(unittest.TestCase):
    def check_cover(self, n, limit, overlap, strengths=None):
        plan = h.plan_windows(n, limit, overlap, strengths or bytearray(n))
        self.assertEqual(plan[0][0], 0)
        self.assertEqual(plan[-1][1], n)
        for a, b in plan:
            self.assertLessEqual(b - a, limit)
            self.assertGreater(b, a)
        for (a1, b1), (a2, b2) in zip(plan, plan[1:]):
            self.assertEqual(b1 - a2, overlap, "consecutive windows share exactly the overlap")
            self.assertGreater(a2, a1)
        covered = bytearray(n)
        for a, b in plan:
            covered[a:b] = b"\x01" * (b - a)
        self.assertEqual(covered.count(0), 0, "every token is in some window")
        return plan

    def test_bounds_cover_and_overlap(self):
        for n, limit, overlap in [(1000, 100, 0), (1000, 100, 10), (1001, 100, 49), (5, 4, 1), (10_000, 1023, 64)]:
            with self.subTest(n=n, limit=limit, overlap=overlap):
                self.check_cover(n, limit, overlap)

    def test_cuts_at_a_sentence_end_near_the_limit(self):
        strengths = bytearray(300)
        strengths[96] = h.SENTENCE  # a sentence ends after token 96: cut at 97
        strengths[50] = h.SENTENCE  # too far back (outside the slack): ignored
        plan = self.check_cover(300, 100, 0, strengths)
        self.assertEqual(plan[0], (0, 97))

    def test_prefers_a_paragraph_end_over_a_nearer_sentence_end(self):
        strengths = bytearray(300)
        strengths[98] = h.SENTENCE
        strengths[92] = h.PARAGRAPH  # within slack/2 (10 of 20 tokens)
        self.assertEqual(self.check_cover(300, 100, 0, strengths)[0], (0, 93))
        strengths[92] = 0
        strengths[84] = h.PARAGRAPH  # beyond slack/2: the sentence end wins
        self.assertEqual(self.check_cover(300, 100, 0, strengths)[0], (0, 99))

    def test_no_boundary_near_the_limit_cuts_at_the_limit(self):
        self.assertEqual(self.check_cover(300, 100, 10)[0], (0, 100))

    def test_boundaries_from_the_text(self):
        tok = FakeTokenizer()
        text = 'He said "stop." Then left.\n\nNew paragraph: pi is 3.14 today!\nNext line 東京は晴れ。明日'
        enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
        strengths = h.boundary_strengths(text, enc["offset_mapping"])
        marked = {text[a:b]: strengths[i] for i, (a, b) in enumerate(enc["offset_mapping"]) if strengths[i]}
        self.assertEqual(marked, {'"stop."': h.SENTENCE, "left.": h.PARAGRAPH, "today!": h.SENTENCE, "。": h.SENTENCE})

    def test_the_30000_word_sample_every_token_in_a_window(self):
        text = (SAMPLES / "coastal-adaptation-long-30k.txt").read_text(encoding="utf-8")
        self.assertGreaterEqual(len(text.split()), 30_000)
        s, model, tok, _ = summarizer(max_input=1024, keep=40, defaults=h.Settings(overlap_tokens=32, batch_size=16))
        ids, strengths = s.tokenizer.encode(text)
        plan = self.check_cover(len(ids), 1023, 32, strengths)
        out = run(s, text, parameters={"return_windows": True})
        self.assertEqual(out["input_tokens"], len(ids))
        self.assertEqual(out["windows"], len(plan))
        self.assertGreater(out["windows"], 30)
        self.assertGreaterEqual(out["rounds"], 2)
        self.assertFalse(out["round_limit_reached"])
        self.assertEqual(len(out["window_summaries"]), out["windows"])
        first_round = [w for batch in model.batches[: -(1 + 0)] for w in batch][: len(plan)]
        self.assertEqual([w[:-1] for w in first_round], [ids[a:b] for a, b in plan], "the windows are exactly the planned token ranges")
        self.assertTrue(all(len(w) <= 1024 for batch in model.batches for w in batch))
        # Most cuts fall at a sentence or paragraph end.
        at_boundary = sum(1 for _, b in plan[:-1] if strengths[b - 1])
        self.assertGreater(at_boundary, 0.9 * (len(plan) - 1))


class MapReduce(unittest.TestCase):
    def test_long_input_is_summarized_window_by_window_then_reduced(self):
        s, model, _, _ = summarizer(max_input=64, keep=5, defaults=h.Settings(overlap_tokens=8, batch_size=4))
        out = run(s, words(500))
        windows = h.plan_windows(500, 63, 8, bytearray(500))
        self.assertEqual(out["windows"], len(windows))
        self.assertEqual(out["rounds"], 2)  # map, then one pass over the joined summaries
        self.assertEqual([len(b) for b in model.batches[:-1]], [4, 4, 1])  # 9 windows in batches of 4
        self.assertEqual(len(model.batches[-1]), 1)
        joined = " ".join(" ".join(f"w{i}" for i in range(a, a + 5)) + "." for a, _ in windows)
        self.assertEqual(s.tokenizer.tokenizer.decode(model.batches[-1][0]), joined)  # the reduce pass reads the joined window summaries
        self.assertEqual(out["summary_text"], "w0 w1 w2 w3 w4.")

    def test_rounds_are_bounded_and_the_output_says_so(self):
        # A "summary" as long as its input never shrinks: the bound must stop it.
        s, _, _, _ = summarizer(max_input=64, keep=10_000, defaults=h.Settings(overlap_tokens=0, max_rounds=3))
        out = run(s, words(400))
        self.assertEqual(out["rounds"], 3)
        self.assertTrue(out["round_limit_reached"])

    def test_truncate_reads_the_first_window_and_says_it_truncated(self):
        s, model, _, _ = summarizer(max_input=64)
        out = run(s, words(500), parameters={"long_documents": "truncate"})
        self.assertEqual((out["strategy"], out["windows"], out["rounds"], out["truncated"]), ("truncate", 1, 1, True))
        self.assertEqual(len(model.batches), 1)
        self.assertEqual(len(model.batches[0][0]), 64)

    def test_deployment_default_strategy_and_per_request_override(self):
        s, _, _, _ = summarizer(max_input=64, defaults=h.Settings(strategy="truncate", overlap_tokens=8))
        self.assertTrue(run(s, words(200))["truncated"])
        self.assertEqual(run(s, words(200), parameters={"long_documents": "map-reduce"})["strategy"], "map-reduce")

    def test_generation_parameters_reach_generate_and_ours_do_not(self):
        s, model, _, _ = summarizer(max_input=64)
        run(s, words(10), parameters={"max_length": 128, "num_beams": 4, "truncation": True, "chunk_tokens": 32, "return_windows": True})
        self.assertEqual(model.generation, {"max_length": 128, "num_beams": 4})

    def test_chunk_tokens_sets_the_window(self):
        s, model, _, _ = summarizer(max_input=64, keep=3)
        out = run(s, words(100), parameters={"chunk_tokens": 32, "overlap_tokens": 0})
        self.assertEqual(out["window_tokens"], 32)
        self.assertTrue(all(len(w) <= 32 for b in model.batches for w in b))


class OutOfMemory(unittest.TestCase):
    def test_halves_the_batch_and_retries_never_failing_the_document(self):
        s, model, _, released = summarizer(max_input=64, keep=3, defaults=h.Settings(overlap_tokens=0, batch_size=8), fail_when_batch_over=2)
        out = run(s, words(630))  # 10 windows of 63
        self.assertEqual([len(b) for b in model.batches[:-1]], [2, 2, 2, 2, 2])
        self.assertEqual(out["batch_size"], 2)
        self.assertEqual(len(released), 2)  # 8 → 4 → 2, emptying the cache each time
        self.assertEqual(out["windows"], 10)

    def test_the_older_runtime_error_text_counts_too(self):
        s, model, _, _ = summarizer(max_input=64, keep=3, defaults=h.Settings(overlap_tokens=0, batch_size=4), fail_when_batch_over=1, oom_message="CUDA error: out of memory", oom_type=RuntimeError)
        out = run(s, words(200))
        self.assertEqual(out["batch_size"], 1)

    def test_one_window_that_does_not_fit_is_an_error_not_a_loop(self):
        s, _, _, _ = summarizer(max_input=64, fail_when_batch_over=0)
        with self.assertRaises(OutOfMemoryError):
            run(s, words(10))

    def test_other_errors_are_not_retried(self):
        def broken(batch, generation):
            raise ValueError("The following `model_kwargs` are not used by the model: ['nonsense']")
        s = h.Summarizer(h.TokenizerAdapter(FakeTokenizer()), broken, 64)
        with self.assertRaisesRegex(ValueError, "nonsense"):
            run(s, words(10))


class ContentTypesAndUnicode(unittest.TestCase):
    def test_text_plain_bytes_json_string_and_a_charset_suffix(self):
        s, _, _, _ = summarizer()
        self.assertEqual(run(s, "Plain text.")["summary_text"], "Plain text.")
        data = h.input_fn('{"inputs": "From JSON."}', "application/json", s)
        self.assertEqual(data.text, "From JSON.")
        data = h.input_fn("Mit Umlauten: Grüße.".encode("utf-8"), "text/plain; charset=utf-8", s)
        self.assertEqual(data.text, "Mit Umlauten: Grüße.")
        self.assertEqual(h.input_fn(b"\xef\xbb\xbfBOM first.", "text/plain", s).text, "BOM first.")

    def test_cjk_rtl_and_emoji_are_tokenized_and_returned_intact(self):
        s, _, _, _ = summarizer(max_input=64, keep=200)
        for text in ["東京は晴れ。大阪は雨。", "التقرير السنوي يظهر نموا قويا.", "Launch day 🚀 went well 🎉."]:
            with self.subTest(text=text):
                out = run(s, text)
                self.assertEqual(out["summary_text"].replace(" ", ""), text.replace(" ", ""))
        raw = h.output_fn([{"summary_text": "東京 🚀"}], "application/json")
        self.assertIn("東京 🚀", raw)  # not \\u-escaped

    def test_long_cjk_text_cuts_at_the_full_stop(self):
        s, model, _, _ = summarizer(max_input=64, keep=3, defaults=h.Settings(overlap_tokens=0))
        text = "東京は晴れ。" * 40  # 240 tokens, a sentence end every 6
        out = run(s, text)
        self.assertGreater(out["windows"], 3)
        for window in model.batches[0]:
            self.assertEqual(s.tokenizer.tokenizer.words[window[-2]], "。")  # each window ends a sentence


class BadInput(unittest.TestCase):
    CASES = [
        ("empty text", b"", "text/plain", None, "the document is empty"),
        ("white space", b" \n\t ", "text/plain", None, "the document is empty"),
        ("invalid UTF-8", b"caf\xe9", "text/plain", None, "not valid UTF-8 text (byte 3)"),
        ("malformed JSON", '{"inputs": ', "application/json", None, "malformed JSON"),
        ("JSON that is not a request", "[1, 2]", "application/json", None, 'must be an object {"inputs"'),
        ("inputs not text", '{"inputs": ["a", "b"]}', "application/json", None, '"inputs" must be the document text'),
        ("parameters not an object", '{"inputs": "x", "parameters": [1]}', "application/json", None, '"parameters" must be an object'),
        ("unknown strategy", '{"inputs": "x", "parameters": {"long_documents": "summarize-harder"}}', "application/json", None, "long_documents must be one of map-reduce, truncate"),
        ("non-numeric generation parameter", '{"inputs": "x", "parameters": {"max_length": "long"}}', "application/json", None, "max_length must be a number"),
        ("boolean as a number", '{"inputs": "x", "parameters": {"num_beams": true}}', "application/json", None, "num_beams must be a number"),
        ("non-numeric chunk_tokens", '{"inputs": "x", "parameters": {"chunk_tokens": "abc"}}', "application/json", None, "chunk_tokens must be a whole number"),
        ("negative overlap", '{"inputs": "x", "parameters": {"overlap_tokens": -1}}', "application/json", None, "overlap_tokens must be a whole number of at least 0"),
        ("max_rounds below 2", '{"inputs": "x", "parameters": {"max_rounds": 1}}', "application/json", None, "max_rounds must be a whole number of at least 2"),
        ("return_windows not a boolean", '{"inputs": "x", "parameters": {"return_windows": "yes"}}', "application/json", None, "return_windows must be true or false"),
        ("unsupported content type", b"%PDF-1.7", "application/pdf", None, "unsupported content type 'application/pdf'"),
    ]

    def test_each_bad_input_gets_a_clear_message(self):
        s, _, _, _ = summarizer()
        for name, body, content_type, _, message in self.CASES:
            with self.subTest(name):
                with self.assertRaises(h.RequestError) as caught:
                    h.input_fn(body, content_type, s)
                self.assertTrue(str(caught.exception).startswith("invalid request: "))
                self.assertIn(message, str(caught.exception))

    def test_window_settings_the_model_cannot_honour(self):
        s, _, _, _ = summarizer(max_input=64)
        with self.assertRaisesRegex(h.RequestError, "chunk_tokens 2000 exceeds the model's maximum input of 64 tokens"):
            run(s, words(10), parameters={"chunk_tokens": 2000})
        with self.assertRaisesRegex(h.RequestError, r"overlap_tokens \(40\) must be less than half the window"):
            run(s, words(500), parameters={"overlap_tokens": 40})

    def test_accept_types(self):
        self.assertEqual(json.loads(h.output_fn([{"summary_text": "x"}], "*/*")), [{"summary_text": "x"}])
        with self.assertRaisesRegex(h.RequestError, "unsupported accept type"):
            h.output_fn([{"summary_text": "x"}], "text/csv")


class Deployment(unittest.TestCase):
    def test_settings_from_the_environment(self):
        env = {h.ENV_STRATEGY: "truncate", h.ENV_CHUNK_TOKENS: "512", h.ENV_OVERLAP_TOKENS: "32", h.ENV_BATCH_SIZE: "4", h.ENV_MAX_ROUNDS: "5"}
        self.assertEqual(h.settings_from_env(env), h.Settings("truncate", 512, 32, 4, 5, False))
        self.assertEqual(h.settings_from_env({}), h.Settings())
        with self.assertRaisesRegex(h.RequestError, "batch_size must be a whole number of at least 1"):
            h.settings_from_env({h.ENV_BATCH_SIZE: "0"})

    def test_model_fn_loads_with_the_image_libraries_and_batches_on_the_device(self):
        """model_fn against minimal stand-ins for torch and transformers."""
        calls = {}
        tokenizer = FakeTokenizer(model_max_length=1024)
        tokenizer.batch_decode = lambda output, **kw: (calls.setdefault("decode", kw), [tokenizer.decode(row) for row in output])[1]

        class Model:
            config = types.SimpleNamespace(max_position_embeddings=512)

            def to(self, device):
                calls["device"] = device

            def eval(self):
                calls["eval"] = True

            def generate(self, input_ids, attention_mask, **generation):
                calls["generate"] = (input_ids, attention_mask, generation)
                return [row[:3] for row in input_ids]

        class InferenceMode:
            def __enter__(self):
                calls["no_grad"] = True

            def __exit__(self, *exc):
                return False

        torch = types.ModuleType("torch")
        torch.long = "long"
        torch.cuda = types.SimpleNamespace(is_available=lambda: True, empty_cache=lambda: calls.setdefault("emptied", True))
        torch.tensor = lambda rows, dtype, device: [list(r) for r in rows]
        torch.inference_mode = InferenceMode
        transformers = types.ModuleType("transformers")
        transformers.AutoTokenizer = types.SimpleNamespace(from_pretrained=lambda d: tokenizer)
        transformers.AutoModelForSeq2SeqLM = types.SimpleNamespace(from_pretrained=lambda d: Model())
        saved = {k: sys.modules.get(k) for k in ("torch", "transformers")}
        sys.modules.update(torch=torch, transformers=transformers)
        try:
            model = h.model_fn("/opt/ml/model")
        finally:
            for k, v in saved.items():
                if v is None:
                    sys.modules.pop(k, None)
                else:
                    sys.modules[k] = v

        self.assertEqual(model.max_input_tokens, 512)  # the smaller of config and tokenizer limits
        self.assertEqual((calls["device"], calls["eval"]), ("cuda", True))
        a, b = tokenizer("one two three four")["input_ids"], tokenizer("five")["input_ids"]
        out = model.generate([a, b], {"num_beams": 2})
        input_ids, attention, generation = calls["generate"]
        self.assertEqual(input_ids, [a, b + [0, 0, 0]])  # right-padded with the pad id
        self.assertEqual(attention, [[1, 1, 1, 1, 1], [1, 1, 0, 0, 0]])
        self.assertEqual(generation, {"num_beams": 2})
        self.assertEqual(calls["decode"], {"skip_special_tokens": True, "clean_up_tokenization_spaces": True})
        self.assertEqual(out, ["one two three", "five"])
        model.release_memory()
        self.assertTrue(calls["emptied"])


if __name__ == "__main__":
    unittest.main()
