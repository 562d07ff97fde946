#!/bin/sh
# Build goldthread's wheel from a source tree and install it, with every
# dependency pinned by the tree's constraints.txt, into a fresh virtualenv.
#
#   deploy/install-venv.sh SOURCE_DIR VENV_DIR [WHEEL_DIR]
#
# The container image (deploy/Dockerfile), the systemd install (docs/deploy.md)
# and the test that starts the installed wheel all run this one script, so
# what is tested is what is shipped. PYTHON picks the interpreter (python3).
set -eu

if [ "$#" -lt 2 ]; then
    echo "usage: $0 SOURCE_DIR VENV_DIR [WHEEL_DIR]" >&2
    exit 2
fi
source_dir=$1
venv_dir=$2
wheel_dir=${3:-$(mktemp -d)}
python=${PYTHON:-python3}

"$python" -m pip wheel --no-deps --wheel-dir "$wheel_dir" "$source_dir"
"$python" -m venv "$venv_dir"
"$venv_dir/bin/python" -m pip install --constraint "$source_dir/constraints.txt" \
    "$wheel_dir"/goldthread-*.whl
"$venv_dir/bin/goldthread" --version
