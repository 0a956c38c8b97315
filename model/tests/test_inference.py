"""Unit tests of the model handler with a fake tokenizer and model (standard library only).

Run: python3 -m unittest discover -s model/tests -t .   (npm test runs it too)
"""

import json
import random
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
    return json.loads(h.transform_fn(s, body, kind, "application/json"))[0]


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

    def test_no_boundary_near_the_target_cuts_at_the_target(self):
        self.assertEqual(self.check_cover(300, 100, 0)[0], (0, 100))  # 3 full windows
        # 300 tokens need 4 windows of 100 sharing 10: spread evenly (target 83 + slack/2), not 100+100+100+30.
        self.assertEqual(self.check_cover(300, 100, 10), [(0, 93), (83, 172), (162, 246), (236, 300)])

    def test_boundaries_from_the_text(self):
        tok = FakeTokenizer()
        text = 'He said "stop." Then left.\n\nNew paragraph: pi is 3.14 today!\nNext line 東京は晴れ。明日'
        enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
        strengths = h.boundary_strengths(text, enc["offset_mapping"])
        marked = {text[a:b]: strengths[i] for i, (a, b) in enumerate(enc["offset_mapping"]) if strengths[i]}
        self.assertEqual(marked, {'"stop."': h.SENTENCE, "left.": h.PARAGRAPH, "today!": h.SENTENCE, "。": h.SENTENCE})

    def test_offsets_that_include_the_space_before_give_the_same_cuts(self):
        text = 'He said "stop." Then left.\n\nNew paragraph: pi is 3.14 today!\nNext line 東京は晴れ。明日'
        plain, spaced = FakeTokenizer(), FakeTokenizer(offsets_with_space=True)
        a = plain(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
        b = spaced(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
        self.assertNotEqual(a, b)
        self.assertEqual(h.boundary_strengths(text, b), h.boundary_strengths(text, a))
        self.assertEqual(h.boundary_strengths(text, b).count(h.PARAGRAPH), 1)

    def test_no_sliver_of_a_last_window(self):
        # 1,024 tokens in windows of 1,023 sharing 64 were [1023, 66]: the second added one new token.
        plan = self.check_cover(1024, 1023, 64)
        self.assertEqual(len(plan), 2)
        self.assertGreater(min(b - a for a, b in plan), 400)
        rng = random.Random(7)
        for n in range(1024, 6000, 97):
            strengths = bytearray(rng.choice((0, 0, 0, 0, 1, 2)) for _ in range(n))
            with self.subTest(n=n):
                plan = self.check_cover(n, 1023, 64, strengths)
                full_windows = -(-(n - 64) // (1023 - 64))
                self.assertLessEqual(len(plan), full_windows + 1)
                self.assertGreater(min(b - a for a, b in plan) - 64, (1023 - 64) // 4, "every window adds a fair share of new tokens")

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
        # Summaries of 40 of 63 tokens shrink the text too slowly to fit in 2 rounds: the bound stops it.
        s, model, _, _ = summarizer(max_input=64, keep=40, defaults=h.Settings(overlap_tokens=0, max_rounds=3))
        with self.assertLogs("inference", "WARNING") as logs:
            out = run(s, words(400))
        self.assertEqual(out["rounds"], 3)
        self.assertEqual((out["round_limit_reached"], out["reduce_stalled"]), (True, False))
        self.assertIn("round limit 3 reached", logs.output[0])
        self.assertEqual(len(model.batches[-1]), 1)

    def test_a_round_that_does_not_shrink_stops_and_says_so(self):
        # A "summary" as long as its input would only grow the text: stop after the first round.
        s, model, _, _ = summarizer(max_input=64, keep=10_000, defaults=h.Settings(overlap_tokens=0, max_rounds=10))
        with self.assertLogs("inference", "WARNING") as logs:
            out = run(s, words(400))
        self.assertEqual(out["rounds"], 2)
        self.assertEqual((out["round_limit_reached"], out["reduce_stalled"]), (False, True))
        self.assertIn("did not shrink", logs.output[0])
        self.assertTrue(all(len(w) <= 64 for b in model.batches for w in b))

    def test_a_growing_reduce_is_bounded_in_work(self):
        # The audit's case: small windows and long minimum summaries once grew 1,226 tokens into 244,008.
        s, model, _, _ = summarizer(max_input=128, keep=10_000, defaults=h.Settings(overlap_tokens=0, max_rounds=10))
        with self.assertLogs("inference", "WARNING"):
            out = run(s, words(1226), parameters={"chunk_tokens": 64, "max_rounds": 10})
        self.assertTrue(out["reduce_stalled"])
        generated = sum(len(w) for b in model.batches for w in b)
        self.assertLess(generated, 2 * 1226 + 64)

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
        s, model, _, _ = summarizer(max_input=128)
        run(s, words(10), parameters={"max_length": 128.0, "num_beams": "4", "length_penalty": 0.8, "do_sample": False, "truncation": True, "chunk_tokens": 64, "return_windows": True})
        self.assertEqual(model.generation, {"max_length": 128, "num_beams": 4, "length_penalty": 0.8, "do_sample": False})
        self.assertIs(type(model.generation["max_length"]), int)

    def test_chunk_tokens_sets_the_window(self):
        s, model, _, _ = summarizer(max_input=128, keep=3)
        out = run(s, words(300), parameters={"chunk_tokens": 64, "overlap_tokens": 0})
        self.assertEqual(out["window_tokens"], 64)
        self.assertTrue(all(len(w) <= 64 for b in model.batches for w in b))


class OutOfMemory(unittest.TestCase):
    """CUDA out-of-memory is what a CPU cannot show: these keep the fake model."""

    def test_halves_the_batch_and_retries_never_failing_the_document(self):
        s, model, _, released = summarizer(max_input=64, keep=3, defaults=h.Settings(overlap_tokens=0, batch_size=8), fail_when_batch_over=2)
        with self.assertLogs("inference", "WARNING") as logs:
            out = run(s, words(630))  # 10 windows of 63
        self.assertEqual([len(b) for b in model.batches[:-1]], [2, 2, 2, 2, 2])
        self.assertEqual(out["batch_size"], 2)
        self.assertEqual(len(released), 2)  # 8 → 4 → 2, emptying the cache each time
        self.assertEqual(out["windows"], 10)
        self.assertEqual([m.split(":", 2)[2] for m in logs.output], [
            "GPU out of memory with 8 windows per batch; retrying with 4",
            "GPU out of memory with 4 windows per batch; retrying with 2",
        ])

    def test_halves_what_was_sent_not_the_configured_size(self):
        # 3 windows with batch_size 64: the first attempt sends 3, so the retry sends 1, not 32 (= 3 again).
        s, model, _, released = summarizer(max_input=64, keep=3, defaults=h.Settings(overlap_tokens=0, batch_size=64), fail_when_batch_over=1)
        with self.assertLogs("inference", "WARNING") as logs:
            out = run(s, words(189))
        self.assertEqual(len(model.failures), 1)
        self.assertEqual(model.failures[0], 3)
        self.assertEqual(len(released), 1)
        self.assertEqual(out["batch_size"], 1)
        self.assertIn("with 3 windows per batch; retrying with 1", logs.output[0])

    def test_one_window_that_does_not_fit_is_an_error_not_a_loop(self):
        s, model, _, released = summarizer(max_input=64, defaults=h.Settings(batch_size=8), fail_when_batch_over=0)
        with self.assertRaises(OutOfMemoryError):
            run(s, words(10))
        self.assertEqual(model.failures, [1])  # one attempt: a single window cannot be halved
        self.assertEqual(released, [])

    def test_memory_is_released_after_the_exception_is_gone(self):
        seen = []
        tokenizer = FakeTokenizer(model_max_length=64)
        model = FakeModel(tokenizer, keep=3, fail_when_batch_over=1)
        s = h.Summarizer(h.TokenizerAdapter(tokenizer), model, 64, h.Settings(overlap_tokens=0, batch_size=4), release_memory=lambda: seen.append(sys.exc_info()[0]))
        with self.assertLogs("inference", "WARNING"):
            run(s, words(200))
        self.assertEqual(seen, [None, None])  # no exception (and its frames' tensors) alive while the cache is emptied

    def test_the_older_runtime_error_text_counts_too(self):
        s, model, _, _ = summarizer(max_input=64, keep=3, defaults=h.Settings(overlap_tokens=0, batch_size=4), fail_when_batch_over=1, oom_message="CUDA error: out of memory", oom_type=RuntimeError)
        with self.assertLogs("inference", "WARNING"):
            out = run(s, words(200))
        self.assertEqual(out["batch_size"], 1)

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
        data = h.parse_request('{"inputs": "From JSON."}', "application/json", s.defaults)
        self.assertEqual(data.text, "From JSON.")
        data = h.parse_request(b'{"inputs": "As bytes."}', "application/json", s.defaults)
        self.assertEqual(data.text, "As bytes.")
        data = h.parse_request("Mit Umlauten: Grüße.".encode("utf-8"), "text/plain; charset=utf-8", s.defaults)
        self.assertEqual(data.text, "Mit Umlauten: Grüße.")
        self.assertEqual(h.parse_request(b"\xef\xbb\xbfBOM first.", "text/plain", s.defaults).text, "BOM first.")

    def test_cjk_rtl_and_emoji_are_tokenized_and_returned_intact(self):
        s, _, _, _ = summarizer(max_input=64, keep=200)
        for text in ["東京は晴れ。大阪は雨。", "التقرير السنوي يظهر نموا قويا.", "Launch day 🚀 went well 🎉."]:
            with self.subTest(text=text):
                out = run(s, text)
                self.assertEqual(out["summary_text"].replace(" ", ""), text.replace(" ", ""))
        raw = h.encode_response([{"summary_text": "東京 🚀"}])
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
        ("non-numeric generation parameter", '{"inputs": "x", "parameters": {"max_length": "long"}}', "application/json", None, "max_length must be a whole number from 1 to 1024, got 'long'"),
        ("boolean as a number", '{"inputs": "x", "parameters": {"num_beams": true}}', "application/json", None, "num_beams must be a whole number from 1 to 16, got True"),
        ("NaN max_length", '{"inputs": "x", "parameters": {"max_length": NaN}}', "application/json", None, "max_length must be a whole number from 1 to 1024, got nan"),
        ("infinite length_penalty", '{"inputs": "x", "parameters": {"length_penalty": Infinity}}', "application/json", None, "length_penalty must be a number from -10.0 to 10.0, got inf"),
        ("fractional max_length", '{"inputs": "x", "parameters": {"max_length": 12.5}}', "application/json", None, "max_length must be a whole number from 1 to 1024, got 12.5"),
        ("huge batch_size", '{"inputs": "x", "parameters": {"batch_size": 1e300}}', "application/json", None, "batch_size must be a whole number from 1 to 256, got 1e+300"),
        ("max_rounds above the bound", '{"inputs": "x", "parameters": {"max_rounds": 1000}}', "application/json", None, "max_rounds must be a whole number from 2 to 10"),
        ("tiny chunk_tokens", '{"inputs": "x", "parameters": {"chunk_tokens": 8}}', "application/json", None, "chunk_tokens must be 0 (the model's maximum input) or at least 64, got 8"),
        ("several sequences per window", '{"inputs": "x", "parameters": {"num_return_sequences": 2}}', "application/json", None, "num_return_sequences must be 1, got 2"),
        ("tensors instead of text", '{"inputs": "x", "parameters": {"return_dict_in_generate": true}}', "application/json", None, "unknown parameter 'return_dict_in_generate'; a request may set "),
        ("a parameter generate() does not know", '{"inputs": "x", "parameters": {"nonsense": 1}}', "application/json", None, "unknown parameter 'nonsense'"),
        ("deeply nested JSON", '{"inputs": "x", "parameters": ' + "[" * 100_000 + "]" * 100_000 + "}", "application/json", None, "malformed JSON (nested too deeply)"),
        ("lone surrogate", '{"inputs": "caf\\ud800 au lait"}', "application/json", None, "lone surrogate (\\ud800 at character 3)"),
        ("invalid UTF-8 in JSON", b'{"inputs": "caf\xe9"}', "application/json", None, "not valid UTF-8 text (byte 15)"),
        ("non-numeric chunk_tokens", '{"inputs": "x", "parameters": {"chunk_tokens": "abc"}}', "application/json", None, "chunk_tokens must be a whole number"),
        ("negative overlap", '{"inputs": "x", "parameters": {"overlap_tokens": -1}}', "application/json", None, "overlap_tokens must be a whole number from 0 to 1024"),
        ("max_rounds below 2", '{"inputs": "x", "parameters": {"max_rounds": 1}}', "application/json", None, "max_rounds must be a whole number from 2 to 10"),
        ("return_windows not a boolean", '{"inputs": "x", "parameters": {"return_windows": "yes"}}', "application/json", None, "return_windows must be true or false"),
        ("unsupported content type", b"%PDF-1.7", "application/pdf", None, "unsupported content type 'application/pdf'"),
    ]

    def test_each_bad_input_gets_a_clear_message(self):
        s, _, _, _ = summarizer()
        for name, body, content_type, _, message in self.CASES:
            with self.subTest(name):
                with self.assertRaises(h.RequestError) as caught:
                    h.parse_request(body, content_type, s.defaults)
                self.assertTrue(str(caught.exception).startswith("invalid request: "))
                self.assertIn(message, str(caught.exception))

    def test_window_settings_the_model_cannot_honour(self):
        s, _, _, _ = summarizer(max_input=64)
        with self.assertRaisesRegex(h.RequestError, "chunk_tokens 2000 exceeds the model's maximum input of 64 tokens"):
            run(s, words(10), parameters={"chunk_tokens": 2000})
        with self.assertRaisesRegex(h.RequestError, r"overlap_tokens \(40\) must be less than half the window"):
            run(s, words(500), parameters={"overlap_tokens": 40})

    def test_accept_types(self):
        s, _, _, _ = summarizer()
        for accept in ("application/json", "*/*", None, "application/json; charset=utf-8"):
            with self.subTest(accept=accept):
                self.assertEqual(json.loads(h.transform_fn(s, b"x.", "text/plain", accept))[0]["summary_text"], "x.")

    def test_an_unsupported_accept_fails_before_any_generation(self):
        s, model, _, _ = summarizer()
        with self.assertRaisesRegex(h.RequestError, "^invalid request: unsupported accept type 'text/csv'"):
            h.transform_fn(s, b"Some text.", "text/plain", "text/csv")
        self.assertEqual(model.batches, [])


class Deployment(unittest.TestCase):
    def test_settings_from_the_environment(self):
        env = {h.ENV_STRATEGY: "truncate", h.ENV_CHUNK_TOKENS: "512", h.ENV_OVERLAP_TOKENS: "32", h.ENV_BATCH_SIZE: "4", h.ENV_MAX_ROUNDS: "5"}
        self.assertEqual(h.settings_from_env(env), h.Settings("truncate", 512, 32, 4, 5, False))
        self.assertEqual(h.settings_from_env({}), h.Settings())
        with self.assertRaisesRegex(h.RequestError, "batch_size must be a whole number from 1 to 256"):
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
