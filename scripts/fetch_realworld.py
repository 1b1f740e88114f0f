"""Download the real-world corpus (files written by others) that some tests read.

    python scripts/fetch_realworld.py --dest DIR [--base-url URL]
    export CCAAS_REALWORLD=DIR          # the tests that read the corpus run; unset, they skip

The corpus is Amazon Connect flow exports, Lambda events and SES/SNS/WhatsApp messages taken
byte for byte from public repositories (AWS samples, AWS Lambda runtimes, Powertools), so our
parsers, validator and engine meet shapes nobody here wrote. The repository does not carry it;
`scripts/realworld_manifest.tsv` names each file: where it goes under DIR, the repository, the
path in it, the commit, and its SHA-256. Every download is checked against that hash before it is
written, so DIR holds exactly the files the tests were written against, or nothing under a name.

Files that upstream keeps only inside a CloudFormation template (the manifest's `extract` column,
`Resources.<Name>.Properties.Content`) are that resource's `Content` string, unchanged.

Regenerate the manifest whenever the corpus grows (a folder with the files and a SOURCES.tsv
naming category, file, repo, path, commit for each):

    python scripts/fetch_realworld.py --build-manifest CORPUS_DIR

Exit codes: 0 done; 1 a file missing upstream or whose hash differs (each named on one line);
2 usage, or the host cannot be reached.

Standard library only: it runs before any virtualenv exists.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import re
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path, PurePosixPath

PROG = "fetch_realworld"
DEFAULT_BASE_URL = "https://raw.githubusercontent.com"
DEFAULT_MANIFEST = Path(__file__).resolve().with_name("realworld_manifest.tsv")
# The corpus folder's own description and provenance list; not data any test reads.
CORPUS_DOCUMENTS = frozenset({"README.md", "SOURCES.tsv"})
MANIFEST_HEADER = (
    "# The real-world corpus, file by file: python scripts/fetch_realworld.py --dest DIR\n"
    "# Regenerate whenever the corpus grows: "
    "python scripts/fetch_realworld.py --build-manifest CORPUS_DIR\n"
)


class HostUnreachableError(Exception):
    """The host did not answer at all (offline, DNS, refused, timed out)."""


class FileRefusedError(Exception):
    """One file cannot be had as the manifest names it (missing upstream, hash differs)."""


class ManifestError(Exception):
    """The manifest, or the corpus it is built from, is not what this script expects."""


@dataclass(frozen=True)
class ManifestRow:
    local_path: str  # where the file goes under --dest, as in the corpus folder
    repo: str  # owner/name on the public Git host
    path: str  # the file's path in that repository
    commit: str
    sha256: str  # of the file as the tests read it
    extract: str = ""  # "" = the file itself; else Resources.<Name>.Properties.Content


COLUMNS = [field.name for field in fields(ManifestRow)]


# -- the manifest ----------------------------------------------------------------------------------


def load_manifest(path: Path) -> list[ManifestRow]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line or line.startswith("#"):
            continue
        values = line.split("\t")
        if values == COLUMNS:
            continue
        if len(values) != len(COLUMNS):
            raise ManifestError(f"{path}:{number}: {len(values)} columns, expected {COLUMNS}")
        row = ManifestRow(*values)
        local = PurePosixPath(row.local_path)
        if local.is_absolute() or ".." in local.parts:
            raise ManifestError(f"{path}:{number}: {row.local_path} is not inside the corpus")
        rows.append(row)
    return rows


def write_manifest(rows: Sequence[ManifestRow], path: Path) -> None:
    lines = ["\t".join(COLUMNS)]
    lines += ["\t".join(getattr(row, column) for column in COLUMNS) for row in rows]
    path.write_text(MANIFEST_HEADER + "\n".join(lines) + "\n", encoding="utf-8")


def corpus_path(category: str, file: str) -> str:
    """Where SOURCES.tsv's (category, file) sits in the corpus folder.

    contact_flows go to flows/ (their wrapped/ and derived/ subfolders flattened), except
    legacy_format/ ones, which go to flows_legacy_format/; lambda_events to lambda_events/;
    for `other` and `flows` the file column already is the path (ses_inbound/..., flows_more/...).
    """
    folder, _, name = file.rpartition("/")
    if category == "contact_flows" and folder in ("", "wrapped", "derived"):
        return f"flows/{name}"
    if category == "contact_flows" and folder == "legacy_format":
        return f"flows_legacy_format/{name}"
    if category == "lambda_events" and not folder:
        return f"lambda_events/{name}"
    if category in ("other", "flows") and folder:
        return file
    raise ManifestError(f"SOURCES.tsv: no place in the corpus known for {category} {file}")


def build_manifest(corpus_dir: Path) -> list[ManifestRow]:
    """The manifest for a corpus folder: SOURCES.tsv's provenance and each file's hash.

    Refuses a SOURCES.tsv row without its file and a data file without its row, so the
    manifest covers the corpus exactly.
    """
    sources = (corpus_dir / "SOURCES.tsv").read_text(encoding="utf-8").splitlines()
    header = sources[0].split("\t")
    rows: dict[str, ManifestRow] = {}
    problems = []
    for line in sources[1:]:
        if not line.strip():
            continue
        source = dict(zip(header, line.split("\t"), strict=False))
        local_path = corpus_path(source["category"], source["file"])
        # A file cut out of a template: "CloudFormation/x.yaml (Resources.Y.Properties.Content)".
        path, extract = source["path"], ""
        derived = re.fullmatch(r"(.+) \((Resources\.\w+\.Properties\.Content)\)", path)
        if derived:
            path, extract = derived.group(1), derived.group(2)
        file = corpus_dir / local_path
        if local_path in rows:
            problems.append(f"{local_path} is listed twice in SOURCES.tsv")
        elif not file.is_file():
            problems.append(f"{local_path} is in SOURCES.tsv but not in {corpus_dir}")
        else:
            sha256 = hashlib.sha256(file.read_bytes()).hexdigest()
            rows[local_path] = ManifestRow(
                local_path, source["repo"], path, source["commit"], sha256, extract
            )
    for file in sorted(corpus_dir.rglob("*")):
        local_path = file.relative_to(corpus_dir).as_posix()
        if file.is_file() and local_path not in CORPUS_DOCUMENTS and local_path not in rows:
            problems.append(f"{local_path} is in {corpus_dir} but not in SOURCES.tsv")
    if problems:
        raise ManifestError("; ".join(problems))
    return sorted(rows.values(), key=lambda row: row.local_path)


# -- fetching --------------------------------------------------------------------------------------


def source_url(base_url: str, row: ManifestRow) -> str:
    path = urllib.parse.quote(row.path, safe="/")
    return f"{base_url.rstrip('/')}/{row.repo}/{row.commit}/{path}"


def download(url: str, *, base_url: str, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body: bytes = response.read()
            return body
    except urllib.error.HTTPError as error:  # the host answered: this file is not there
        raise FileRefusedError(f"{url} answered HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise HostUnreachableError(
            f"cannot reach {base_url} ({error.reason}): are you offline?"
        ) from None
    except (OSError, http.client.HTTPException) as error:  # timeouts, dropped connections
        raise HostUnreachableError(f"cannot reach {base_url} ({error}): are you offline?") from None


def extract_cfn_content(template: bytes, extract: str) -> bytes:
    """The `Content` string of `Resources.<Name>`, as a CloudFormation template carries a flow.

    Upstream writes it as one double-quoted YAML scalar (`Content: "..."`, or the first item of
    `Content: !Sub`); its escapes are JSON's, so json.loads decodes it without a YAML parser.
    `${...}` placeholders stay as they are: the corpus keeps them unresolved.
    """
    name = extract.split(".")[1]
    pattern = rf'^  {re.escape(name)}:\n(?:(?:    .*)?\n)*?      Content: (?:!Sub\n +- )?(".*")$'
    match = re.search(pattern, template.decode("utf-8"), re.MULTILINE)
    if not match:
        raise FileRefusedError(f"no one-line Content string under {extract}")
    try:
        content: str = json.loads(match.group(1))
    except json.JSONDecodeError as error:
        raise FileRefusedError(
            f"{extract} is not a string this script can decode ({error})"
        ) from None
    return content.encode("utf-8")


def write_atomically(target: Path, data: bytes) -> None:
    """Written under a hidden temporary name, then renamed: never half a file under `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part"
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def sha256_of(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def fetch(
    rows: Sequence[ManifestRow], dest: Path, *, base_url: str, timeout: float
) -> tuple[int, list[str]]:
    """Brings every row's file into `dest`: (how many were downloaded, one line per refusal).

    A file already there with the right hash is kept; one with a wrong hash is removed. Raises
    HostUnreachableError at the first request the host does not answer.
    """
    # One request per URL: a template holds several flows.
    downloads: dict[str, bytes | FileRefusedError] = {}
    downloaded, refusals = 0, []
    for done, row in enumerate(rows, start=1):
        if sys.stderr.isatty():
            print(f"\r{PROG}: {done}/{len(rows)} {row.local_path}\033[K", end="", file=sys.stderr)
        target = dest / row.local_path
        present = sha256_of(target)
        if present == row.sha256:
            continue
        if present is not None:
            target.unlink()
        url = source_url(base_url, row)
        if url not in downloads:
            try:
                downloads[url] = download(url, base_url=base_url, timeout=timeout)
            except FileRefusedError as refused:
                downloads[url] = refused
        body = downloads[url]
        try:
            if isinstance(body, FileRefusedError):
                raise body
            data = extract_cfn_content(body, row.extract) if row.extract else body
            got = hashlib.sha256(data).hexdigest()
            if got != row.sha256:
                raise FileRefusedError(f"SHA-256 {got} is not the manifest's {row.sha256} ({url})")
        except FileRefusedError as refused:
            refusals.append(f"{row.local_path}: {refused}; not written")
            continue
        write_atomically(target, data)
        downloaded += 1
    if sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr)
    return downloaded, refusals


# -- command line ----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="fetch_realworld.py",
        description="Download the real-world corpus the tests read from CCAAS_REALWORLD.",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--dest", type=Path, help="folder to fill (then CCAAS_REALWORLD=DIR)")
    action.add_argument(
        "--build-manifest",
        type=Path,
        metavar="CORPUS_DIR",
        help="rewrite the manifest from a corpus folder and its SOURCES.tsv",
    )
    parser.add_argument(
        "--base-url", default=DEFAULT_BASE_URL, help="raw files: URL/repo/commit/path"
    )
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    args = parser.parse_args(argv)

    try:
        if args.build_manifest:
            rows = build_manifest(args.build_manifest)
            write_manifest(rows, args.manifest)
            print(f"{PROG}: {args.manifest} lists {len(rows)} files of {args.build_manifest}")
            return 0
        if urllib.parse.urlsplit(args.base_url).scheme not in ("http", "https"):
            raise ManifestError(f"--base-url {args.base_url} is not an http(s) URL")
        if args.dest.exists() and not args.dest.is_dir():
            raise ManifestError(f"--dest {args.dest} exists and is not a folder")
        rows = load_manifest(args.manifest)
        downloaded, refusals = fetch(rows, args.dest, base_url=args.base_url, timeout=args.timeout)
    except (ManifestError, HostUnreachableError, OSError) as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 2
    for refusal in refusals:
        print(f"{PROG}: {refusal}", file=sys.stderr)
    if refusals:
        return 1
    dest = args.dest.resolve()
    print(f"{PROG}: {len(rows)} files verified in {dest} ({downloaded} downloaded)")
    print(f"export CCAAS_REALWORLD={dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
