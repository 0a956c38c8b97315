"""The handler in the model server the DLC starts: the toolkit's `serve` entry point, which
writes the MMS configuration and launches Multi Model Server (Java frontend, Python workers),
here on 127.0.0.1 with two workers, over a model directory laid out as SageMaker mounts the model
artifact at /opt/ml/model (model files, and the handler in code/).

Requests are sent as SageMaker's front end sends them to a container: `GET /ping`, then
`POST /invocations` with the request's ContentType and Accept and the S3 object as the body
(AWS: "Use Your Own Inference Code with Hosting Services": containers answer /invocations and
/ping on port 8080). The server is stopped in tearDownClass, by a watchdog after 10 minutes, and
at interpreter exit, whichever comes first; every request has a timeout.
"""

import json
import shutil
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from model.tests.model_server import ModelServer
from model.tests.tiny_pegasus import SAMPLES, shared_model_dir

# What the stack sets on the model (lib/constructs/summarization-model.ts), with two workers.
STACK_ENVIRONMENT = {
    "HF_TASK": "summarization",
    "SUMMARIZER_LONG_DOCUMENTS": "map-reduce",
    "SUMMARIZER_CHUNK_TOKENS": "0",
    "SUMMARIZER_OVERLAP_TOKENS": "64",
    "SUMMARIZER_BATCH_SIZE": "8",
    "SUMMARIZER_MAX_ROUNDS": "4",
    "MMS_MAX_REQUEST_SIZE": "2000000000",
    "MMS_MAX_RESPONSE_SIZE": "2000000000",
    "SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS": "900",
    "MMS_DEFAULT_RESPONSE_TIMEOUT_SECONDS": "900",
    "SAGEMAKER_MODEL_SERVER_WORKERS": "2",
}
ARTICLE = (SAMPLES / "market-brief.txt").read_bytes()
LONG_ARTICLE = (SAMPLES / "energy-transition-long-8k.txt").read_bytes()


class ServedHandler(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = Path(tempfile.mkdtemp(prefix="serve-test-"))
        cls.addClassCleanup(shutil.rmtree, cls.root, ignore_errors=True)
        shutil.copytree(shared_model_dir(), cls.root / "model")
        cls.server = ModelServer(cls.root, STACK_ENVIRONMENT)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    def invoke(self, body, content_type, accept=None):
        headers = {"Content-Type": content_type}
        if accept:
            headers["Accept"] = accept
        status, response_headers, payload = self.server.request("POST", "/invocations", body, headers)
        return status, response_headers, payload

    def summary(self, body, content_type, accept=None):
        status, headers, payload = self.invoke(body, content_type, accept)
        self.assertEqual(status, 200, payload[:500] + b"\n" + self.server.log_tail().encode())
        self.assertEqual(headers.get("content-type"), "application/json")
        result = json.loads(payload)
        self.assertIsInstance(result, list)
        self.assertEqual(len(result), 1)
        self.assertIsInstance(result[0]["summary_text"], str)
        self.assertTrue(result[0]["summary_text"].strip())
        for field in ("strategy", "input_tokens", "windows", "rounds", "truncated", "round_limit_reached"):
            self.assertIn(field, result[0])
        return result[0]

    def test_ping(self):
        status, _, _ = self.server.request("GET", "/ping")
        self.assertEqual(status, 200)

    def test_two_workers_as_configured(self):
        status, _, payload = self.server.request_management("GET", "/models/model")
        self.assertEqual(status, 200, payload)
        description = json.loads(payload)
        description = description[0] if isinstance(description, list) else description
        self.assertEqual(len(description["workers"]), 2)

    def test_text_plain(self):
        out = self.summary(ARTICLE, "text/plain")
        self.assertGreater(out["windows"], 1)

    def test_json_with_parameters(self):
        body = json.dumps({"inputs": ARTICLE.decode("utf-8"), "parameters": {"num_beams": 2, "max_length": 10}}).encode("utf-8")
        out = self.summary(body, "application/json", accept="application/json")
        self.assertEqual(out["strategy"], "map-reduce")

    def test_a_long_document_is_map_reduced(self):
        out = self.summary(LONG_ARTICLE, "text/plain", accept="*/*")
        self.assertGreater(out["windows"], 10)
        self.assertGreaterEqual(out["rounds"], 2)
        self.assertFalse(out["round_limit_reached"] or out["reduce_stalled"])

    def test_concurrent_requests_are_all_answered(self):
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda _: self.invoke(ARTICLE, "text/plain")[0], range(4)))
        self.assertEqual(results, [200] * 4)

    def test_a_bad_request_is_a_400_that_says_why(self):
        for body, content_type, accept, expected in [
            (b"   ", "text/plain", None, "the document is empty"),
            (b'{"inputs": "caf\xe9"}', "application/json", None, "not valid UTF-8 text"),
            (b'{"inputs": "x", "parameters": {"max_length": 1.5}}', "application/json", None, "max_length must be a whole number"),
            (ARTICLE, "text/plain", "text/csv", "unsupported accept type"),
        ]:
            with self.subTest(expected):
                status, _, payload = self.invoke(body, content_type, accept)
                self.assertEqual(status, 400, payload)
                # MMS wraps the handler's PredictionException: {"code": 400, "type": ..., "message": ...}
                message = json.loads(payload)["message"]
                self.assertTrue(message.startswith("invalid request: "), message)
                self.assertIn(expected, message)


if __name__ == "__main__":
    unittest.main()
