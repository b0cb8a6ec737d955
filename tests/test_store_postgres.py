"""The store on a real PostgreSQL server (Debian's postgresql, started by the test in a temp dir)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest

from extractor.store import open_store
from tests.store_fixtures import copy_justice_pdf, justice_extraction


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    assert found, "the PostgreSQL test needs Debian's postgresql (.ci/run installs it: apt-get install postgresql)"
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the `postgres` account the Debian package creates."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="module")
def postgres_url():
    bin_dir = _postgres_bin()
    # not under pytest's tmp dir: that one is private to root, and the server runs as `postgres`
    root = Path(tempfile.mkdtemp(prefix="extractor-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    subprocess.run(_as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-U", "extractor", "--auth=trust",
                                    "-E", "UTF8", "--locale=C.UTF-8"]), check=True, capture_output=True)
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l",
                                    str(root / "log"), "start"]), check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://extractor@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def test_store_round_trip_correction_and_audit_on_postgresql(postgres_url, tmp_path):
    path = copy_justice_pdf(tmp_path)
    extraction = justice_extraction(path)
    store = open_store(postgres_url)
    try:
        doc_id = store.save_extraction(path, extraction)
        loaded = store.load_extraction(doc_id)
        assert loaded.tables == extraction.tables
        assert loaded.evidence["tables[0].rows[2].values.项目支出"].quote == "64,840,547.00"

        field = next(f for f in store.fields(doc_id) if f.path == "tables[0].rows[2].values.项目支出")
        store.correct(doc_id, field.id, "alice", "0.00", "printed in the wrong column")
        assert store.load_extraction(doc_id).tables[0].rows[2].values["项目支出"] == Decimal("0.00")
        (action,) = [a for a in store.history(doc_id) if a.path == field.path]
        assert (action.reviewer, action.old_value, action.new_value) == ("alice", "64840547.00", "0.00")
    finally:
        store.close()
    reopened = open_store(postgres_url)  # migrations are idempotent on an existing schema
    try:
        assert reopened.load_extraction(doc_id).tables[0].rows[2].values["项目支出"] == Decimal("0.00")
    finally:
        reopened.close()
