#!/usr/bin/env bash
# The tests' Python environments, installed by the project's own files and idempotent, each a
# project-local virtual environment ignored by git:
#   serving (default)  .venv/           the serving stack of the pinned inference image
#                                       (model/requirements-serving.txt), and Java for Multi Model Server
#   emulator           .venv-emulator/  moto, the AWS emulator of the lifecycle suite
#                                       (test/lifecycle/requirements-emulator.txt)
# Every package is pinned in the constraints file beside each requirements file. A second run with
# the same requirements does nothing. Prints the venv's python on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-serving}" in
  serving) VENV=.venv REQUIREMENTS=model/requirements-serving.txt CONSTRAINTS=model/constraints-serving.txt NEEDS_JAVA=1
    IMPORTS='import sagemaker_huggingface_inference_toolkit, mms, transformers, torch, sentencepiece' ;;
  emulator) VENV=.venv-emulator REQUIREMENTS=test/lifecycle/requirements-emulator.txt CONSTRAINTS=test/lifecycle/constraints-emulator.txt NEEDS_JAVA=0
    IMPORTS='import moto.server, moto.cloudformation' ;;
  *) echo "python-env: unknown environment '$1' (serving or emulator)" >&2; exit 2 ;;
esac
STAMP="$VENV/.requirements.sha256"

say() { echo "python-env: $*" >&2; }

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    say "missing $*: install it (Debian/Ubuntu: sudo apt-get install $*) and run again"
    exit 1
  fi
  say "installing Debian packages: $*"
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

command -v python3 >/dev/null 2>&1 || apt_install python3 python3-venv
python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
# Multi Model Server's frontend is Java (the image installs openjdk-17).
[ "$NEEDS_JAVA" = 0 ] || command -v java >/dev/null 2>&1 || apt_install openjdk-17-jre-headless

want=$(cat "$REQUIREMENTS" "$CONSTRAINTS" | sha256sum | cut -d' ' -f1)
if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ]; then
  echo "$VENV/bin/python"
  exit 0
fi

say "creating $VENV from $REQUIREMENTS (first run: about a minute)"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
# (serving) torch==2.13.0 is the CPU build this project's machines keep on disk; pip takes it from there.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS" -c "$CONSTRAINTS" 2>&1 \
  | grep -v "is ignored: it is neither a file nor a directory" >&2 || true
"$VENV/bin/python" -c "$IMPORTS" \
  || { say "the install did not complete (see the pip output above)"; exit 1; }
echo "$want" > "$STAMP"
echo "$VENV/bin/python"
