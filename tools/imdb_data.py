#!/usr/bin/env python3
"""IMDB where torchtext's loader looks for it, fetched once and checked (`make data`).

The sentiment notebooks load the Large Movie Review Dataset with torchtext 0.6's `datasets.IMDB.splits`, which
downloads it itself, over plain HTTP and unchecked, whenever ROOT/imdb/ does not exist, and prints `downloading ...`
into the cell's output. This script fills ROOT/imdb/aclImdb/ before any notebook runs (ROOT: --root, else $IMDB_ROOT,
else data/.data, the notebooks' own default), so that the loader finds it and neither downloads nor prints anything:

1. The archive is --archive, or a download of torchtext's URL (urllib: it honours http_proxy and no_proxy) into
   ROOT/aclImdb_v1.tar.gz.part, renamed without .part once it is whole.
2. Its SHA-256 must be one of ARCHIVES below (or --sha256's), else nothing is extracted.
3. It is extracted into a temporary folder ROOT/.imdb-partial-*; the marker file aclImdb/.complete, with the number of
   reviews per folder, is written after the last file; then the folder is renamed to ROOT/imdb, in one step.
4. On every run: ROOT/imdb with a marker whose counts match the folders is ready, and nothing else is done. ROOT/imdb
   without a marker (an interrupted extraction, or torchtext's own download), with files missing, a leftover
   temporary folder or a leftover partial download is removed and redone, with a message that says so.

A lock file (ROOT/.imdb.lock) makes a second run wait for the first. Standard library only: it runs before the
project's environment exists.

    python3 tools/imdb_data.py                                  # download if needed
    python3 tools/imdb_data.py --archive path/aclImdb_v1.tar.gz # without internet: a local copy of the archive
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

try:
    import fcntl
except ImportError:   # not on Windows: runs there are not serialised
    fcntl = None

URL = "http://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"   # torchtext 0.6's datasets.IMDB.urls[0]
ARCHIVES = {   # SHA-256 of the archives accepted, and what each one is
    "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe":
        "aclImdb_v1.tar.gz, the original archive served at URL (with train/unsup; 84,125,825 bytes: the size and "
        "checksum that TensorFlow Datasets records for URL, tensorflow_datasets/url_checksums/imdb_reviews.txt)",
    "9ee557b78db5bec5b66c31cccdc21032dd77ee423a10315927402ea4332cfe5a":
        "aclImdb_labelled.tar.gz, a repack of the 50,000 labelled reviews in the same layout, without train/unsup "
        "(the course's shared copy)",
}
NAME, DIRNAME = "imdb", "aclImdb"                      # torchtext's datasets.IMDB.name and .dirname
FOLDERS = [f"{split}/{label}" for split in ("train", "test") for label in ("pos", "neg")]   # what the loader reads
MARKER = ".complete"
PARTIAL = ".imdb-partial-"
DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "data" / ".data"


class DataError(Exception):
    """Something the user must fix (no internet, a wrong archive); the message says what."""


def say(message):
    print(f"imdb: {message}", flush=True)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def review_counts(aclimdb):
    return {folder: sum(1 for e in os.scandir(aclimdb / folder) if e.name.endswith(".txt"))
            if (aclimdb / folder).is_dir() else 0 for folder in FOLDERS}


def ready(cache):
    """The marker's counts if `cache` (ROOT/imdb) is complete, else None."""
    marker = cache / DIRNAME / MARKER
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))["reviews"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return recorded if review_counts(cache / DIRNAME) == recorded else None


def download(url, part):
    """Download `url` into `part`; raise DataError if it fails or stops early (the partial file is removed)."""
    say(f"downloading {url}")
    opener = urllib.request.build_opener()   # reads http_proxy / no_proxy now, not at the first download of the process
    start, received = time.time(), 0
    try:
        with opener.open(url, timeout=60) as response, open(part, "wb") as out:
            length = response.headers.get("Content-Length")
            while True:
                chunk = response.read(1 << 20)
                if not chunk:
                    break
                out.write(chunk)
                received += len(chunk)
    except (urllib.error.URLError, OSError) as err:
        part.unlink(missing_ok=True)
        raise DataError(f"the download of {url} failed ({type(err).__name__}: {err}). Without internet, give a local "
                        "copy of the archive: make data IMDB_ARCHIVE=path/to/aclImdb_v1.tar.gz") from None
    if length is not None and received != int(length):
        part.unlink(missing_ok=True)
        raise DataError(f"the download of {url} stopped after {received:,} of {int(length):,} bytes (an interrupted "
                        "download); it was removed: run `make data` again")
    say(f"downloaded {received:,} bytes in {time.time() - start:.0f} s")


def verified(archive, accepted):
    try:
        digest = sha256(archive)
    except OSError as err:
        raise DataError(f"cannot read the archive: {err}") from None
    if digest not in accepted:
        raise DataError(f"{archive} has SHA-256 {digest}, which is none of the recorded ones:\n  "
                        + "\n  ".join(f"{h}: {what}" for h, what in accepted.items())
                        + "\nA truncated or altered archive: download it again (or pass --sha256 for another copy).")
    say(f"checksum OK: {accepted[digest].split(',')[0]} ({digest[:12]}...)")
    return digest


def fetch(url, root, accepted):
    """(path, SHA-256) of the archive downloaded from `url` into `root`, checked; one downloaded before is used if its
    checksum is a recorded one."""
    downloaded, part = root / os.path.basename(url), root / (os.path.basename(url) + ".part")
    if part.exists():
        say(f"removing {part}, an interrupted download")
        part.unlink()
    if downloaded.exists():
        try:
            return downloaded, verified(downloaded, accepted)
        except DataError:
            say(f"removing {downloaded}: its checksum is not a recorded one")
            downloaded.unlink()
    download(url, part)
    try:
        digest = verified(part, accepted)
    except DataError:
        part.unlink()
        raise
    os.rename(part, downloaded)
    return downloaded, digest


def safe_members(tar):
    """The archive's members, refused if one is not a plain file or folder under aclImdb/."""
    for member in tar:
        parts = Path(member.name).parts
        if not parts or parts[0] != DIRNAME or ".." in parts or member.name.startswith("/") \
                or not (member.isfile() or member.isdir()):
            raise DataError(f"unexpected member in the archive: {member.name!r}")
        yield member


def extract(archive, root, digest):
    """Extract into a temporary folder under `root`, write the marker last, rename the folder to root/imdb."""
    partial = Path(tempfile.mkdtemp(prefix=PARTIAL, dir=root))
    partial.chmod(0o755)   # mkdtemp makes it private to its owner
    say(f"extracting {archive} into {partial}")
    extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in safe_members(tar):
                tar.extract(member, partial, **extra)
    except (tarfile.TarError, EOFError, OSError) as err:   # the partial folder is removed by the next run
        raise DataError(f"the extraction of {archive} failed ({type(err).__name__}: {err})") from None
    counts = review_counts(partial / DIRNAME)
    empty = [folder for folder, n in counts.items() if n == 0]
    if empty:
        raise DataError(f"{archive} holds no reviews in {', '.join(empty)}: not the IMDB archive")
    (partial / DIRNAME / MARKER).write_text(json.dumps({"archive_sha256": digest, "reviews": counts}, indent=1) + "\n",
                                            encoding="utf-8")
    os.rename(partial, root / NAME)
    return counts


def clear_leftovers(root, cache):
    """Remove what an interrupted run leaves behind, saying what it was."""
    if cache.exists():
        say(f"{cache} is incomplete (no {DIRNAME}/{MARKER} marker, or files missing): an interrupted download or "
            "extraction. Removing it and starting again")
        shutil.rmtree(cache)
    for leftover in sorted(root.glob(PARTIAL + "*")):
        say(f"removing {leftover}, an interrupted extraction")
        shutil.rmtree(leftover)


def prepare(root, archive=None, url=URL, accepted=ARCHIVES):
    """Make root/imdb/aclImdb complete; return the number of reviews per folder."""
    root.mkdir(parents=True, exist_ok=True)
    cache = root / NAME
    with open(root / ".imdb.lock", "w") as lock:
        if fcntl is not None:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                say("another run is preparing IMDB here: waiting for it")
                fcntl.flock(lock, fcntl.LOCK_EX)
        counts = ready(cache)
        if counts:
            say(f"ready in {cache / DIRNAME} ({sum(counts.values()):,} reviews)")
            return counts
        clear_leftovers(root, cache)
        if archive is None:
            archive, digest = fetch(url, root, accepted)
            downloaded = archive
        else:
            downloaded, digest = None, verified(archive, accepted)
        counts = extract(archive, root, digest)
        if downloaded is not None:
            downloaded.unlink()   # the extracted cache is what the loader reads
        say(f"ready in {cache / DIRNAME}: " + ", ".join(f"{folder} {n:,}" for folder, n in counts.items()))
        return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(os.environ.get("IMDB_ROOT") or DEFAULT_ROOT),
                        help="the loader's data folder (default: $IMDB_ROOT, else the repository's data/.data); the "
                        "notebooks read a relative IMDB_ROOT from notebooks/, so give an absolute one")
    parser.add_argument("--archive", type=Path, help="a local copy of the archive, instead of downloading it")
    parser.add_argument("--url", default=URL, help="where to download the archive (default: torchtext's URL)")
    parser.add_argument("--sha256", action="append", metavar="HEX",
                        help="accept an archive with this checksum instead of the recorded ones (repeatable)")
    args = parser.parse_args(argv)
    accepted = {h.lower(): "the archive given by --sha256" for h in args.sha256} if args.sha256 else ARCHIVES
    try:
        prepare(args.root, args.archive, args.url, accepted)
    except DataError as err:
        print(f"imdb: error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
