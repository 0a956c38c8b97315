"""Starts the model server the DLC starts, on loopback, and always stops it.

`ModelServer(base_dir, env)` runs model/tests/serve_entrypoint.py (the toolkit's `serve`, which
launches Multi Model Server) in its own process group with the model directory at
`<base_dir>/model`, as SageMaker mounts it at /opt/ml/model. It waits for `GET /ping` (bounded),
and `stop()` ends the whole group: the launcher, the Java frontend and every Python worker. A
watchdog stops it after `lifetime` seconds whatever the tests do, and so does interpreter exit.
"""

import atexit
import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOOPBACK = "127.0.0.1"


def free_port(taken=()):
    """A free loopback port below 32767: MMS refuses higher ones ("Invalid port number",
    com.amazonaws.ml.mms.util.Connector.parse)."""
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, 32767)
        if port in taken:
            continue
        with socket.socket() as s:
            try:
                s.bind((LOOPBACK, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port between 20000 and 32766")


class ModelServer:
    def __init__(self, base_dir, env=None, start_timeout=180, lifetime=600):
        self.base_dir = Path(base_dir)
        self.port = free_port()
        self.management_port = free_port(taken=(self.port,))
        self.start_timeout = start_timeout
        self.lifetime = lifetime
        self.log_path = self.base_dir / "server.log"
        self.process = None
        tmp = self.base_dir / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        venv_bin = str(Path(sys.executable).parent)
        self.env = {
            **os.environ,
            "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
            "SAGEMAKER_BASE_DIR": str(self.base_dir),
            "SERVE_TEST_MMS_CONFIG": str(self.base_dir / "sagemaker-mms.properties"),
            "MMS_INFERENCE_ADDRESS": f"http://{LOOPBACK}:{self.port}",
            "MMS_MANAGEMENT_ADDRESS": f"http://{LOOPBACK}:{self.management_port}",
            "TMPDIR": str(tmp),
            "TEMP": str(tmp),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }

    def start(self):
        log = open(self.log_path, "wb")  # noqa: SIM115 -- kept open for the server's lifetime
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "serve_entrypoint.py")], cwd=self.base_dir, env=self.env,
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
        log.close()
        atexit.register(self.stop)
        self._watchdog = threading.Timer(self.lifetime, self.stop)
        self._watchdog.daemon = True
        self._watchdog.start()
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the model server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                status, _, _ = self.request("GET", "/ping", timeout=2)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise TimeoutError(f"the model server did not answer /ping within {self.start_timeout} s:\n{self.log_tail()}")

    def request(self, method, path, body=None, headers=None, timeout=120, port=None):
        connection = http.client.HTTPConnection(LOOPBACK, port or self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def request_management(self, method, path, timeout=30):
        return self.request(method, path, timeout=timeout, port=self.management_port)

    def stop(self, grace=15):
        process, self.process = self.process, None
        if process is None:
            return
        pgid = process.pid  # start_new_session: the launcher leads its own group
        try:
            os.killpg(pgid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and _group_alive(pgid):
            time.sleep(0.2)
            process.poll()
        if _group_alive(pgid):
            os.killpg(pgid, signal.SIGKILL)
        process.wait(timeout=grace)

    def log_tail(self, lines=60):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
