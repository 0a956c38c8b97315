"""The DLC's `serve` entry point, run on this machine (model/tests/model_server.py starts it).

The image's `/usr/local/bin/dockerd-entrypoint.py serve` calls
`sagemaker_huggingface_inference_toolkit.serving.main()` (aws/deep-learning-containers
huggingface/build_artifacts/inference/mms-entrypoint.py). This runs that same function with one
test-harness change: the MMS configuration it writes goes to $SERVE_TEST_MMS_CONFIG instead of
`/etc/sagemaker-mms.properties` (a constant, `sagemaker_inference.model_server.MMS_CONFIG_FILE`,
that the HF toolkit imports by name), so the test never writes to /etc and needs no root. Every
other path comes from the environment as in the container: SAGEMAKER_BASE_DIR for /opt/ml,
MMS_INFERENCE_ADDRESS/MMS_MANAGEMENT_ADDRESS (MMS reads any `MMS_<field>` variable over the file,
ConfigManager.setSystemVars) to listen on 127.0.0.1 only, TMPDIR and TEMP for MMS's pid file,
sockets and Java temp files.
"""

import os

from sagemaker_huggingface_inference_toolkit import mms_model_server, serving
from sagemaker_inference import model_server

model_server.MMS_CONFIG_FILE = mms_model_server.MMS_CONFIG_FILE = os.environ["SERVE_TEST_MMS_CONFIG"]

if __name__ == "__main__":
    serving.main()
