#!/usr/bin/env bash
# Fails when git tracks a file over 1 MB (a binary committed by mistake):
# every clone would carry it. Run by `make unit`.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=${MAX_TRACKED_BYTES:-1000000}
big=$(git ls-files -z | xargs -0 -r stat --format '%s %n' -- 2>/dev/null | awk -v l="$limit" '$1 > l')
if [ -n "$big" ]; then
  echo "check-sizes: tracked files over $limit bytes (remove them from git, add them to .gitignore):" >&2
  echo "$big" >&2
  exit 1
fi
echo "check-sizes: $(git ls-files | wc -l) tracked files, none over $limit bytes"
