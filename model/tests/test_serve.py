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
import subprocess
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from model.tests.model_server import ModelServer
from model.tests.tiny_pegasus import ROOT, SAMPLES, shared_model_dir

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


class StagedModelServed(unittest.TestCase):
    """The model as `summarizer stage-model` and a deploy with modelSource=staged lay it out.

    A Hub repository (the tiny model's files, plus what real repositories also carry: a model
    card, .gitattributes, the same weights as pytorch_model.bin and for TensorFlow, and a code/
    handler of its own that fails) goes through the real staging code, the real deploy-time copy
    and SageMaker's S3Prefix mapping (test/helpers/stage-to-dir.ts, on a loopback Hub and s3rver).
    The model server then starts from that directory with the staged model's environment: no
    HF_MODEL_ID, and any attempt to reach the Hub fails (offline, and a dead endpoint).
    """

    @classmethod
    def setUpClass(cls):
        cls.root = Path(tempfile.mkdtemp(prefix="staged-serve-test-"))
        cls.addClassCleanup(shutil.rmtree, cls.root, ignore_errors=True)
        repository = cls.root / "repository"
        shutil.copytree(shared_model_dir(), repository, ignore=shutil.ignore_patterns("code"))
        (repository / "README.md").write_text("# tiny pegasus\n")
        (repository / ".gitattributes").write_text("*.safetensors filter=lfs diff=lfs merge=lfs -text\n")
        (repository / "pytorch_model.bin").write_bytes(b"not the weights the handler loads" * 4096)
        (repository / "tf_model.h5").write_bytes(b"tensorflow" * 4096)
        (repository / "code").mkdir()
        (repository / "code" / "inference.py").write_text('raise RuntimeError("the repository\'s own handler was staged")\n')
        model_dir = cls.root / "model"
        done = subprocess.run(
            ["npx", "--no-install", "tsx", "test/helpers/stage-to-dir.ts", str(repository), str(model_dir)],
            cwd=ROOT, capture_output=True, text=True, timeout=180, check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"staging failed ({done.returncode}):\n{done.stderr[-3000:]}")
        cls.staging = json.loads(done.stdout.strip().splitlines()[-1])
        environment = {**STACK_ENVIRONMENT, "HF_HUB_OFFLINE": "1", "HF_ENDPOINT": "http://127.0.0.1:9"}
        cls.server = ModelServer(cls.root, environment)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    def test_only_what_the_model_needs_was_staged_and_the_handler_added(self):
        self.assertIn("model.safetensors", self.staging["staged"])
        self.assertIn("config.json", self.staging["staged"])
        self.assertIn("spiece.model", self.staging["staged"])
        skipped = {s["path"] for s in self.staging["skipped"]}
        self.assertEqual(skipped, {"README.md", ".gitattributes", "pytorch_model.bin", "tf_model.h5", "code/inference.py"})
        self.assertEqual(sorted(self.staging["servable"]), sorted(self.staging["staged"] + ["code/inference.py"]))
        self.assertEqual((self.root / "model" / "code" / "inference.py").read_bytes(), (ROOT / "model" / "code" / "inference.py").read_bytes())

    def test_it_summarizes_without_the_hub(self):
        status, headers, payload = self.server.request("POST", "/invocations", ARTICLE, {"Content-Type": "text/plain"})
        self.assertEqual(status, 200, payload[:500] + b"\n" + self.server.log_tail().encode())
        result = json.loads(payload)
        self.assertTrue(result[0]["summary_text"].strip())
        self.assertGreater(result[0]["windows"], 1)


if __name__ == "__main__":
    unittest.main()
