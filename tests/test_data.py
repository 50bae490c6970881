"""The IMDB step (`make data`, tools/imdb_data.py), on a small archive that the tests make and serve over HTTP as
torchtext's URL would be: an archive is extracted only if its checksum is accepted, the cache is marked complete after
its last file, an interrupted download or extraction is detected and redone, and once the cache is complete
torchtext's loader finds it and prints nothing. `make test`, `make run` and `make test-latest` run the step first."""
import hashlib
import http.server
import io
import json
import os
import subprocess
import tarfile
import threading

import pytest
from conftest import ROOT

import imdb_data

FOLDERS = imdb_data.FOLDERS   # what the loader reads


def small_archive(per_folder=3, seed=""):
    """A gzipped tar in IMDB's layout: aclImdb/README and aclImdb/<split>/<label>/<id>_<rating>.txt."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        files = {"aclImdb/README": f"a small IMDB{seed}\n"}
        for folder in FOLDERS:
            for k in range(per_folder):
                files[f"aclImdb/{folder}/{k}_{8 if 'pos' in folder else 2}.txt"] = f"review {k} in {folder}{seed}."
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class Server:
    """Serves `archive` at /aclImdb_v1.tar.gz on 127.0.0.1, its first `truncate` bytes only if that is set."""
    def __init__(self, archive):
        self.archive, self.truncate, self.requests = archive, 0, 0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests += 1
                self.send_response(200)
                self.send_header("Content-Length", str(len(server.archive)))
                self.end_headers()
                self.wfile.write(server.archive[:server.truncate or None])

            def log_message(self, *_):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/aclImdb_v1.tar.gz"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("no_proxy", "*")   # whatever http_proxy says, 127.0.0.1 directly
    s = Server(small_archive())
    yield s
    s.httpd.shutdown()


def make_data(root, server, capture, archive=None):
    """Run the step as `make data` does; (exit status, what it printed: `capture` is capsys or capfd)."""
    args = ["--root", str(root), "--url", server.url, "--sha256", hashlib.sha256(server.archive).hexdigest()]
    status = imdb_data.main(args + (["--archive", str(archive)] if archive else []))
    out = capture.readouterr()
    return status, out.out + out.err


def assert_complete(root, per_folder=3):
    aclimdb = root / "imdb" / "aclImdb"
    marker = json.loads((aclimdb / ".complete").read_text())
    assert marker["reviews"] == {folder: per_folder for folder in FOLDERS}
    assert all(len(list((aclimdb / folder).glob("*.txt"))) == per_folder for folder in FOLDERS)
    assert not list(root.glob(".imdb-partial-*")) and not list(root.glob("*.tar.gz*")), list(root.iterdir())


def test_a_download_is_checked_extracted_marked_and_then_left_alone(tmp_path, server, capsys):
    status, out = make_data(tmp_path, server, capsys)
    assert status == 0, out
    assert "checksum OK" in out
    assert_complete(tmp_path)
    status, out = make_data(tmp_path, server, capsys)
    assert status == 0 and "ready in" in out
    assert server.requests == 1, "a complete cache was downloaded again"


def test_a_local_archive_is_checked_too(tmp_path, server, capsys):
    archive = tmp_path / "copy.tar.gz"
    archive.write_bytes(small_archive(seed=" altered"))
    status, out = make_data(tmp_path / "data", server, capsys, archive=archive)
    assert status == 1 and "none of the recorded ones" in out, out
    assert not (tmp_path / "data" / "imdb").exists()
    archive.write_bytes(server.archive)
    status, out = make_data(tmp_path / "data", server, capsys, archive=archive)
    assert status == 0, out
    assert_complete(tmp_path / "data")
    assert server.requests == 0
    assert archive.exists(), "the user's own archive was removed"


def test_an_archive_with_another_checksum_is_refused(tmp_path, server, capsys):
    expected = hashlib.sha256(server.archive).hexdigest()
    server.archive = small_archive(seed=" altered")
    status, out = imdb_data.main(["--root", str(tmp_path), "--url", server.url, "--sha256", expected]), capsys.readouterr()
    assert status == 1 and "none of the recorded ones" in out.err, out
    assert not (tmp_path / "imdb").exists() and not list(tmp_path.glob("*.tar.gz*")), list(tmp_path.iterdir())


def test_a_truncated_download_is_detected_and_redone(tmp_path, server, capsys):
    server.truncate = len(server.archive) // 2
    status, out = make_data(tmp_path, server, capsys)
    assert status == 1 and f"stopped after {server.truncate:,} of {len(server.archive):,} bytes" in out, out
    assert not (tmp_path / "imdb").exists() and not list(tmp_path.glob("*.tar.gz*")), list(tmp_path.iterdir())
    server.truncate = 0
    status, out = make_data(tmp_path, server, capsys)
    assert status == 0, out
    assert_complete(tmp_path)


def test_a_partial_download_left_by_a_killed_run_is_redone(tmp_path, server, capsys):
    (tmp_path / "aclImdb_v1.tar.gz.part").write_bytes(server.archive[:len(server.archive) // 2])
    status, out = make_data(tmp_path, server, capsys)
    assert status == 0, out
    assert "an interrupted download" in out
    assert_complete(tmp_path)


def test_an_interrupted_extraction_is_detected_and_redone(tmp_path, server, capsys, monkeypatch):
    extract, calls = tarfile.TarFile.extract, []

    def interrupted_at_the_fifth_file(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt   # Ctrl-C, half-way through the archive's members
        return extract(self, *args, **kwargs)

    monkeypatch.setattr(tarfile.TarFile, "extract", interrupted_at_the_fifth_file)
    with pytest.raises(KeyboardInterrupt):
        make_data(tmp_path, server, capsys)
    capsys.readouterr()
    leftovers = list(tmp_path.glob(".imdb-partial-*"))
    assert leftovers and list(leftovers[0].rglob("*.txt")), "nothing was extracted before the interruption"
    assert not (tmp_path / "imdb").exists(), "the loader's folder exists after an interrupted extraction"
    status, out = make_data(tmp_path, server, capsys)
    assert status == 0, out
    assert "an interrupted extraction" in out
    assert_complete(tmp_path)


@pytest.mark.parametrize("damage", ["no marker", "a review missing"])
def test_an_incomplete_cache_is_detected_and_redone(tmp_path, server, capsys, damage):
    aclimdb = tmp_path / "imdb" / "aclImdb"
    if damage == "no marker":   # what torchtext's own download leaves when its extraction is interrupted
        (aclimdb / "train" / "pos").mkdir(parents=True)
        (aclimdb / "train" / "pos" / "0_8.txt").write_text("review 0 in train/pos.")
    else:
        assert make_data(tmp_path, server, capsys)[0] == 0
        (aclimdb / "test" / "neg" / "1_2.txt").unlink()
    status, out = make_data(tmp_path, server, capsys)
    assert status == 0, out
    assert "is incomplete" in out
    assert_complete(tmp_path)


def test_torchtexts_loader_prints_nothing_once_the_cache_is_ready(tmp_path, server, capfd):
    from torchtext import data, datasets
    closed_port = "http://127.0.0.1:9/aclImdb_v1.tar.gz"   # the loader must not download: any attempt fails at once

    def load(root):
        fields = data.Field(tokenize=str.split), data.LabelField()
        try:
            splits = datasets.IMDB.splits(*fields, root=str(root))
        except OSError:
            splits = None
        return splits, capfd.readouterr().out

    datasets.IMDB.urls, urls = [closed_port], datasets.IMDB.urls
    try:
        _, printed = load(tmp_path / "empty")
        assert "downloading aclImdb_v1.tar.gz" in printed, printed   # what an output would record without the step
        assert make_data(tmp_path, server, capfd)[0] == 0
        splits, printed = load(tmp_path)
    finally:
        datasets.IMDB.urls = urls
    assert printed == ""
    assert [len(s) for s in splits] == [6, 6]


def make_commands(*targets, **variables):
    """What make would run (make -n), from the repository's root."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    args = ["make", "-n", *targets, *(f"{k}={v}" for k, v in variables.items())]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("target, runs", [("test", "pytest"), ("run", "nbconvert"), ("test-latest", "pytest")])
def test_the_notebooks_run_after_the_data_step(target, runs):
    commands = make_commands(target, PYTHON_LATEST="python3")
    assert "tools/imdb_data.py" in commands and runs in commands, commands
    assert commands.index("tools/imdb_data.py") < commands.index(runs), commands


def test_a_local_archive_goes_to_the_same_step():
    assert "tools/imdb_data.py --archive" in make_commands("data", IMDB_ARCHIVE="copy.tar.gz")
