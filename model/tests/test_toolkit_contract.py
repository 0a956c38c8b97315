"""The handler through the Hugging Face inference toolkit's own handler service (the code the
pinned image runs between Multi Model Server and code/inference.py), at the image's versions.

`HuggingFaceHandlerService.initialize(context)` then `handle(data, context)`, with the MMS
`Context` and `RequestProcessor` built as MMS's worker builds them (mms/service.py: `Service`
creates the Context at load, `predict` sets request ids, request processors and metrics before
every call). The model is a tiny random PEGASUS with a real tokenizer (tiny_pegasus.py).

Run in the serving environment: npm run test:model (scripts/python-env.sh creates it).
"""

import json
import shutil
import tempfile
import unittest
from inspect import signature
from pathlib import Path

import mms
from mms.context import Context, RequestProcessor
from mms.metrics.metrics_store import MetricsStore
from mms.service import PredictionException
from sagemaker_huggingface_inference_toolkit import content_types
from sagemaker_huggingface_inference_toolkit.handler_service import HuggingFaceHandlerService

from model.tests.tiny_pegasus import SAMPLES, shared_model_dir

ARTICLE = (SAMPLES / "market-brief.txt").read_bytes()
REPORT_FIELDS = {"summary_text": str, "strategy": str, "input_tokens": int, "window_tokens": int, "overlap_tokens": int,
                 "windows": int, "rounds": int, "truncated": bool, "round_limit_reached": bool, "reduce_stalled": bool, "batch_size": int}


def mms_context(model_dir):
    """As mms.service.Service.__init__ builds it (gpu None: no GPU here)."""
    return Context("model", str(model_dir), None, 1, None, mms.__version__)


def handle(service, context, body, headers):
    """One request as mms.service.Service.predict hands it over: the batch of one, its headers."""
    context.request_ids = {0: "request-1"}
    context.request_processor = [RequestProcessor(headers)]
    context.metrics = MetricsStore(context.request_ids, context.model_name)
    return service.handle([{"body": body}], context)


class Service(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.saved_utf8_types = content_types.UTF8_TYPES
        cls.context = mms_context(shared_model_dir())
        cls.service = HuggingFaceHandlerService()
        cls.service.initialize(cls.context)

    @classmethod
    def tearDownClass(cls):
        content_types.UTF8_TYPES = cls.saved_utf8_types

    def ok(self, body, headers):
        response = handle(self.service, self.context, body, headers)
        self.assertEqual(self.context.get_response_content_type(0), "application/json")
        self.assertIsInstance(response, list)
        self.assertEqual(len(response), 1)
        result = json.loads(response[0])
        self.assertIsInstance(result, list)
        self.assertEqual(len(result), 1)
        for field, kind in REPORT_FIELDS.items():
            self.assertIsInstance(result[0].get(field), kind, field)
        self.assertTrue(result[0]["summary_text"].strip(), "a summary of real words")
        return result[0]

    def refused(self, body, headers):
        with self.assertRaises(PredictionException) as caught:
            handle(self.service, self.context, body, headers)
        self.assertEqual(caught.exception.error_code, 400)
        self.assertTrue(caught.exception.message.startswith("invalid request: "), caught.exception.message)
        self.assertEqual(caught.exception.message.count("invalid request:"), 1, caught.exception.message)
        return caught.exception.message


class Dispatch(Service):
    def test_our_hooks_are_called_with_the_context_last(self):
        """The toolkit's rule (handler_service.function_extra_arg): as many parameters as the
        default method → the Context is passed last. Ours take it, so nothing else lands there."""
        import inference  # noqa: PLC0415 -- the module the toolkit imported from code/

        self.assertEqual(self.service.load_extra_arg, [self.context])
        self.assertEqual(self.service.transform_extra_arg, [self.context])
        for hook in (inference.model_fn, inference.transform_fn):
            self.assertEqual(list(signature(hook).parameters)[-1], "context", hook.__name__)
        for name in ("input_fn", "predict_fn", "output_fn"):
            self.assertFalse(hasattr(inference, name), f"{name} would be combined with transform_fn: the toolkit refuses that")

    def test_a_trailing_optional_parameter_receives_the_context_whatever_its_name(self):
        """The bug this handler once had, reproduced on the real toolkit: an input_fn whose third
        parameter was meant for the model is handed the MMS Context."""
        root = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, root)
        model_dir = root / "model"
        shutil.copytree(shared_model_dir(), model_dir, ignore=shutil.ignore_patterns("code"))
        (model_dir / "code").mkdir()
        (model_dir / "code" / "old_signature.py").write_text(
            "import json\n"
            "def model_fn(model_dir):\n    return 'the model'\n"
            "def input_fn(input_data, content_type, model=None):\n    return type(model).__name__\n"
            "def predict_fn(data, model):\n    return data\n"
            "def output_fn(prediction, accept):\n    return json.dumps(prediction)\n"
        )
        service = HuggingFaceHandlerService()
        service.environment._module_name = "old_signature"
        context = mms_context(model_dir)
        service.initialize(context)
        self.assertEqual(handle(service, context, b"text", {"Content-Type": "text/plain"}), ['"Context"'])


class Requests(Service):
    def test_text_plain(self):
        out = self.ok(ARTICLE, {"Content-Type": "text/plain"})
        self.assertEqual(out["strategy"], "map-reduce")
        self.assertGreater(out["windows"], 1, "the article is longer than the tiny model's 256 tokens")

    def test_text_plain_with_a_charset(self):
        self.ok("Grüße aus Köln. Die Märkte stiegen.".encode("utf-8"), {"Content-Type": "text/plain; charset=utf-8"})

    def test_json_with_inputs(self):
        out = self.ok(json.dumps({"inputs": ARTICLE.decode("utf-8")}).encode("utf-8"), {"Content-Type": "application/json"})
        self.assertEqual(out["input_tokens"], self.ok(ARTICLE, {"Content-Type": "text/plain"})["input_tokens"])

    def test_json_with_parameters(self):
        body = {"inputs": ARTICLE.decode("utf-8"), "parameters": {"long_documents": "truncate", "num_beams": 2, "max_length": 8, "truncation": True}}
        out = self.ok(json.dumps(body).encode("utf-8"), {"Content-Type": "application/json"})
        self.assertEqual((out["strategy"], out["windows"], out["truncated"]), ("truncate", 1, True))

    def test_return_windows(self):
        body = {"inputs": ARTICLE.decode("utf-8"), "parameters": {"return_windows": True}}
        out = self.ok(json.dumps(body).encode("utf-8"), {"Content-Type": "application/json"})
        self.assertEqual(len(out["window_summaries"]), out["windows"])


class Accept(Service):
    def test_json_any_and_absent(self):
        for accept in ("application/json", "*/*", None):
            with self.subTest(accept=accept):
                headers = {"Content-Type": "text/plain"}
                if accept:
                    headers["Accept"] = accept
                self.ok(b"Markets rallied on Tuesday. Bonds fell.", headers)

    def test_unsupported(self):
        message = self.refused(ARTICLE, {"Content-Type": "text/plain", "Accept": "text/csv"})
        self.assertIn("unsupported accept type 'text/csv'", message)


class BadInput(Service):
    CASES = [
        ("empty text", b"", "text/plain", "the document is empty"),
        ("invalid UTF-8 text", b"caf\xe9", "text/plain", "not valid UTF-8 text (byte 3)"),
        ("invalid UTF-8 in JSON, which the toolkit decodes before any hook", b'{"inputs": "caf\xe9"}', "application/json", "not valid UTF-8 text (byte 15)"),
        ("malformed JSON", b'{"inputs": ', "application/json", "malformed JSON"),
        ("deeply nested JSON", b'{"inputs": "x", "parameters": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "application/json", "nested too deeply"),
        ("lone surrogate", b'{"inputs": "caf\\ud800"}', "application/json", "lone surrogate"),
        ("NaN max_length", b'{"inputs": "x", "parameters": {"max_length": NaN}}', "application/json", "max_length must be a whole number from 1 to 1024, got nan"),
        ("float max_length", b'{"inputs": "x", "parameters": {"max_length": 7.5}}', "application/json", "max_length must be a whole number"),
        ("several sequences per window", b'{"inputs": "x", "parameters": {"num_return_sequences": 2}}', "application/json", "num_return_sequences must be 1"),
        ("tensors instead of text", b'{"inputs": "x", "parameters": {"return_dict_in_generate": true}}', "application/json", "unknown parameter 'return_dict_in_generate'"),
        ("a window larger than the model", b'{"inputs": "x", "parameters": {"chunk_tokens": 512}}', "application/json", "chunk_tokens 512 exceeds the model's maximum input of 256 tokens"),
        ("summaries that cannot shrink", json.dumps({"inputs": ARTICLE.decode(), "parameters": {"min_length": 300}}).encode(), "application/json", "min_length (300) must be less than the window"),
        ("huge batch", b'{"inputs": "x", "parameters": {"batch_size": 1e300}}', "application/json", "batch_size must be a whole number from 1 to 256"),
        ("unsupported content type", b"%PDF-1.7", "application/pdf", "unsupported content type 'application/pdf'"),
        ("CSV, which the toolkit would otherwise decode", b"inputs\nx", "text/csv", "unsupported content type 'text/csv'"),
    ]

    def test_each_comes_back_as_a_400_that_says_what_was_wrong(self):
        for name, body, content_type, expected in self.CASES:
            with self.subTest(name):
                self.assertIn(expected, self.refused(body, {"Content-Type": content_type}))


if __name__ == "__main__":
    unittest.main()
