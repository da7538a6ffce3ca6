#!/usr/bin/env bash
# Regenerates the public API baseline (tests/Api/*.txt) from the current build, after an intended
# change to a package's public surface. Review the diff and commit it with the change.
set -euo pipefail
cd "$(dirname "$0")/.."
FASTARENA_API_UPDATE=1 dotnet run -c Release --project tests/Api
git --no-pager diff --stat -- tests/Api/*.txt || true
