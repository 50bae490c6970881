#!/usr/bin/env bash
# Put IMDB where torchtext's loader looks (data/.data/imdb/aclImdb), from a local archive,
# so that machines without internet (CI) never try to download it.
# Usage: .ci/prepare-imdb.sh [ARCHIVE]   (default: ../shared/datasets/aclImdb_labelled.tar.gz)
set -euo pipefail
cd "$(dirname "$0")/.."
archive=${1:-../shared/datasets/aclImdb_labelled.tar.gz}
target=data/.data/imdb
if [ -d "$target/aclImdb/train/pos" ] && [ -d "$target/aclImdb/test/neg" ]; then
  echo "IMDB already in $target/aclImdb"
  exit 0
fi
if [ -f "$archive.sha256" ]; then
  expected=$(cut -d' ' -f1 "$archive.sha256")
  actual=$(sha256sum "$archive" | cut -d' ' -f1)
  if [ "$expected" != "$actual" ]; then
    echo "checksum mismatch for $archive: expected $expected, got $actual" >&2
    exit 1
  fi
  echo "checksum OK: $archive"
fi
rm -rf "$target"
mkdir -p "$target"
tar -xzf "$archive" -C "$target"
for split in train test; do
  for label in pos neg; do
    echo "$target/aclImdb/$split/$label: $(ls "$target/aclImdb/$split/$label" | wc -l) reviews"
  done
done
