"""fetch_realworld: the corpus downloaded file by file, each checked against the manifest's hash.

The download tests serve a small made-up corpus from a loopback HTTP server laid out as the
public host's raw files (repo/commit/path), so they run on every clone, offline included. One
test checks the tracked manifest against the real corpus, when CCAAS_REALWORLD names it.
"""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from scripts.fetch_realworld import (
    CORPUS_DOCUMENTS,
    DEFAULT_MANIFEST,
    ManifestError,
    ManifestRow,
    build_manifest,
    corpus_path,
    load_manifest,
    main,
    write_manifest,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
COMMIT = "0123456789abcdef0123456789abcdef01234567"
FLOW = {"Version": "2019-10-30", "StartAction": "end", "Actions": []}
# A flow kept only inside a CloudFormation template, as upstream Voicemail Express keeps its own.
TEMPLATE = (
    "Resources:\n"
    "  OtherFlow:\n"
    "    Type: AWS::Connect::ContactFlow\n"
    "    Properties:\n"
    '      Content: "{\\"Version\\":\\"other\\"}"\n'
    "\n"
    "  VoicemailFlow:\n"
    "    Type: AWS::Connect::ContactFlow\n"
    "    Properties:\n"
    "      Content: !Sub\n"
    '        - "{\\"Version\\":\\"2019-10-30\\",\\"Arn\\":\\"${QUEUE}\\"}"\n'
    "        - QUEUE: !Ref Queue\n"
)
VOICEMAIL_FLOW = b'{"Version":"2019-10-30","Arn":"${QUEUE}"}'


@dataclass
class Upstream:
    """A made-up corpus: the host's files, the manifest naming them, and a free --dest."""

    root: Path  # served as <repo>/<commit>/<path>
    base_url: str
    manifest: Path
    dest: Path
    expected: dict[str, bytes]  # local path -> the bytes the tests should find there

    def file(self, repo: str, path: str) -> Path:
        return self.root / repo / COMMIT / path

    def fetch(self, *extra: str, base_url: str | None = None) -> int:
        return main(
            [
                "--dest",
                str(self.dest),
                "--manifest",
                str(self.manifest),
                "--base-url",
                base_url or self.base_url,
                *extra,
            ]
        )


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the test output stays readable
        pass


@pytest.fixture()
def upstream(tmp_path: Path) -> Iterator[Upstream]:
    root = tmp_path / "host"
    files = {
        # local path: (repo, path upstream, bytes, extract)
        "flows/samples__inbound.json": (
            "example/flows",
            "flows/Inbound flow",  # no extension and a space, as some upstream exports have
            json.dumps(FLOW).encode(),
            "",
        ),
        "lambda_events/samples__event.json": (
            "example/events",
            "tests/events/event.json",
            b'{"Name": "ContactFlowEvent"}\n',
            "",
        ),
        "flows/samples__voicemail.json": (
            "example/voicemail",
            "cfn/flows.yaml",
            VOICEMAIL_FLOW,
            "Resources.VoicemailFlow.Properties.Content",
        ),
    }
    rows = []
    for local_path, (repo, path, data, extract) in files.items():
        served = root / repo / COMMIT / path
        served.parent.mkdir(parents=True, exist_ok=True)
        served.write_bytes(TEMPLATE.encode() if extract else data)
        sha256 = hashlib.sha256(data).hexdigest()
        rows.append(ManifestRow(local_path, repo, path, COMMIT, sha256, extract))
    manifest = tmp_path / "manifest.tsv"
    write_manifest(rows, manifest)

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Upstream(
            root=root,
            base_url=f"http://127.0.0.1:{server.server_address[1]}",
            manifest=manifest,
            dest=tmp_path / "corpus",
            expected={local_path: data for local_path, (_, _, data, _) in files.items()},
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_url() -> str:
    """A loopback URL nobody listens on: the port was free a moment ago and is closed again."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


def test_every_file_is_downloaded_verified_and_laid_out_as_the_corpus(
    upstream: Upstream, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a host serving every file of the manifest
    # When fetching into an empty folder
    code = upstream.fetch()

    # Then each file is where the corpus has it, with the bytes its hash names
    assert code == 0
    assert files_under(upstream.dest) == upstream.expected
    assert f"export CCAAS_REALWORLD={upstream.dest.resolve()}" in capsys.readouterr().out


def test_a_flow_kept_inside_a_template_is_its_content_string_unchanged(
    upstream: Upstream,
) -> None:
    assert upstream.fetch() == 0

    voicemail = upstream.dest / "flows" / "samples__voicemail.json"
    assert voicemail.read_bytes() == VOICEMAIL_FLOW  # ${...} placeholders left unresolved


def test_a_tampered_file_is_refused_on_one_line_naming_it_and_not_written(
    upstream: Upstream, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the host serves different bytes for one file than the manifest's hash
    upstream.file("example/events", "tests/events/event.json").write_bytes(b'{"Name": "evil"}\n')

    code = upstream.fetch()

    # Then that file is refused by name, nothing is left under its name, the others arrive
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1
    assert err[0].startswith("fetch_realworld: lambda_events/samples__event.json: SHA-256 ")
    fetched = files_under(upstream.dest)
    assert set(fetched) == set(upstream.expected) - {"lambda_events/samples__event.json"}


def test_a_file_missing_upstream_is_refused_naming_it(
    upstream: Upstream, capsys: pytest.CaptureFixture[str]
) -> None:
    upstream.file("example/flows", "flows/Inbound flow").unlink()

    code = upstream.fetch()

    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err == [
        f"fetch_realworld: flows/samples__inbound.json: {upstream.base_url}/example/flows/"
        f"{COMMIT}/flows/Inbound%20flow answered HTTP 404 File not found; not written"
    ]


def test_a_file_already_there_with_its_hash_is_kept_without_asking_the_host(
    upstream: Upstream,
) -> None:
    assert upstream.fetch() == 0

    assert upstream.fetch(base_url=closed_port_url()) == 0
    assert files_under(upstream.dest) == upstream.expected


def test_a_file_already_there_with_another_hash_is_replaced(upstream: Upstream) -> None:
    assert upstream.fetch() == 0
    event = upstream.dest / "lambda_events" / "samples__event.json"
    event.write_bytes(b"edited by hand")

    assert upstream.fetch() == 0
    assert files_under(upstream.dest) == upstream.expected


def test_an_unreachable_host_fails_on_one_line_without_a_traceback(upstream: Upstream) -> None:
    # Given a base URL where nothing listens (as when offline)
    base_url = closed_port_url()

    # When the script runs as a user runs it
    result = subprocess.run(
        [
            sys.executable,
            "scripts/fetch_realworld.py",
            "--dest",
            str(upstream.dest),
            "--manifest",
            str(upstream.manifest),
            "--base-url",
            base_url,
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    # Then one line says the host cannot be reached, exit 2, and nothing was written
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"fetch_realworld: cannot reach {base_url} (")
    assert line.endswith("are you offline?")
    assert not upstream.dest.exists()


def test_sources_categories_map_onto_the_corpus_folders() -> None:
    assert (
        corpus_path("contact_flows", "rules-engine__Queue.json") == "flows/rules-engine__Queue.json"
    )
    assert corpus_path("contact_flows", "wrapped/x.json") == "flows/x.json"
    assert corpus_path("contact_flows", "derived/x.json") == "flows/x.json"
    assert corpus_path("contact_flows", "legacy_format/x.json") == "flows_legacy_format/x.json"
    assert corpus_path("lambda_events", "x.json") == "lambda_events/x.json"
    assert corpus_path("other", "ses_inbound/x.json") == "ses_inbound/x.json"
    assert corpus_path("flows", "flows_more/x.json") == "flows_more/x.json"
    with pytest.raises(ManifestError, match=r"no place in the corpus known for videos x\.mp4"):
        corpus_path("videos", "x.mp4")


def test_building_the_manifest_refuses_a_corpus_file_sources_does_not_list(
    tmp_path: Path,
) -> None:
    (tmp_path / "lambda_events").mkdir()
    (tmp_path / "lambda_events" / "listed.json").write_text("{}")
    (tmp_path / "lambda_events" / "unlisted.json").write_text("{}")
    (tmp_path / "README.md").write_text("about the corpus")
    (tmp_path / "SOURCES.tsv").write_text(
        "category\tfile\trepo\tpath\tcommit\tlicense\tnotes\n"
        f"lambda_events\tlisted.json\texample/events\tevents/listed.json\t{COMMIT}\tMIT-0\t\n"
    )

    with pytest.raises(
        ManifestError, match=r"lambda_events/unlisted\.json is in .* not in SOURCES"
    ):
        build_manifest(tmp_path)

    (tmp_path / "lambda_events" / "unlisted.json").unlink()
    (row,) = build_manifest(tmp_path)
    assert row == ManifestRow(
        "lambda_events/listed.json",
        "example/events",
        "events/listed.json",
        COMMIT,
        hashlib.sha256(b"{}").hexdigest(),
    )


def test_the_tracked_manifest_lists_exactly_the_corpus_with_its_hashes(
    realworld_dir: Path,
) -> None:
    # Regenerate with `python scripts/fetch_realworld.py --build-manifest CORPUS_DIR`.
    tracked = load_manifest(DEFAULT_MANIFEST)
    listed = {row.local_path: row.sha256 for row in tracked}
    on_disk = {
        local_path: hashlib.sha256(data).hexdigest()
        for local_path, data in files_under(realworld_dir).items()
        if local_path not in CORPUS_DOCUMENTS
    }

    assert sorted(on_disk.keys() - listed.keys()) == [], "in the corpus, not in the manifest"
    assert sorted(listed.keys() - on_disk.keys()) == [], "in the manifest, not in the corpus"
    assert [path for path in listed if listed[path] != on_disk[path]] == [], "hash differs"
    # The original corpus also names where each file came from; a fetched one does not.
    if (realworld_dir / "SOURCES.tsv").is_file():
        assert build_manifest(realworld_dir) == tracked, "provenance differs from SOURCES.tsv"
