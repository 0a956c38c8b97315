#!/usr/bin/env bash
# The model handler's tests (npm run test:model, part of npm test): unit tests with fakes, the
# contract through the real HF toolkit's handler service, the real model server, and windowing on
# a real tokenizer, in the serving environment that scripts/python-env.sh installs. Bounded: the
# whole suite is stopped after 15 minutes (the model server test also stops its server itself).
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(bash scripts/python-env.sh | tail -n 1)
exec timeout --kill-after=30 900 "$python" -m unittest discover -s model/tests -t . "$@"
