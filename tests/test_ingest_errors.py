"""Bad input: every unreadable file is one IngestError line naming the file; the CLI exits 2 without a traceback."""

from __future__ import annotations

import subprocess
import sys

import pymupdf
import pytest

from extractor.errors import ExtractorError, IngestError
from extractor.ingest import ingest
from tests.conftest import ROOT, pdf


def _zero_page_pdf() -> bytes:
    """A well-formed PDF whose page tree is empty (PyMuPDF refuses to save one, so the bytes are built)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _error(path) -> str:
    with pytest.raises(IngestError) as caught:
        ingest(path)
    message = str(caught.value)
    assert str(path) in message and "\n" not in message
    assert caught.value.file == str(path)
    return message


def test_missing_file(tmp_path):
    assert "file not found" in _error(tmp_path / "nowhere.pdf")


def test_html_saved_as_pdf_is_not_a_pdf(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_text("<!DOCTYPE html><html><body>404 Not Found</body></html>", encoding="utf-8")
    message = _error(path)
    assert "not a PDF" in message and "<!DOCTYPE html>" in message


def test_text_saved_as_pdf_is_not_a_pdf(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_text("部门决算\n一、收入支出决算总表\n", encoding="utf-8")
    assert "not a PDF" in _error(path)


def test_empty_pdf_file(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert "not a PDF" in _error(path)


def test_truncated_pdf_is_corrupt(tmp_path):
    data = pdf("putuo-finance-2024-final-accounts").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    # MuPDF would "repair" this into 25 blank pages; it must be refused instead
    message = _error(path)
    assert "corrupt PDF" in message and "truncated" in message


@pytest.mark.parametrize("where", [0.2, 0.5, 0.8])
def test_damaged_data_inside_the_file_is_corrupt(tmp_path, where):
    data = bytearray(pdf("putuo-social-work-2024-final-accounts").read_bytes())
    start = int(len(data) * where)
    data[start:start + 20_000] = bytes(20_000)
    path = tmp_path / "damaged.pdf"
    path.write_bytes(bytes(data))
    # MuPDF reads on past the damage and silently loses text and tables
    assert "corrupt PDF: damaged data" in _error(path)


def test_garbage_after_the_header_is_corrupt(tmp_path):
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    assert "corrupt PDF" in _error(path)


def test_password_protected_pdf(tmp_path):
    path = tmp_path / "locked.pdf"
    with pymupdf.open() as document:
        document.new_page().insert_text((72, 72), "secret budget")
        document.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="user", owner_pw="owner")
    assert "password-protected" in _error(path)


def test_zero_pages(tmp_path):
    path = tmp_path / "zero.pdf"
    path.write_bytes(_zero_page_pdf())
    with pymupdf.open(path) as document:
        assert document.page_count == 0  # the crafted file opens cleanly: it is the page count that is wrong
    assert "zero pages" in _error(path)


def test_a_pdf_of_blank_pages_has_no_text(tmp_path):
    path = tmp_path / "blank.pdf"
    with pymupdf.open() as document:
        document.new_page()
        document.new_page().draw_line((50, 50), (500, 50))  # a rule, but no text and no image
        document.save(path)
    assert "no text" in _error(path)


def test_unsupported_extension(tmp_path):
    path = tmp_path / "report.docx"
    path.write_bytes(b"PK\x03\x04")
    message = _error(path)
    assert "unsupported file type '.docx'" in message


def test_empty_text_file(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text("  \n\n", encoding="utf-8")
    assert "empty" in _error(path)


def test_a_directory_is_not_a_document(tmp_path):
    assert "not a file" in _error(tmp_path)


@pytest.mark.parametrize("suffix", [".pdf", ".txt"])
def test_a_file_that_cannot_be_read(tmp_path, suffix):
    # /proc/self/mem is a regular file whose first bytes cannot be read (EIO), whoever runs the test
    path = tmp_path / f"unreadable{suffix}"
    path.symlink_to("/proc/self/mem")
    assert "cannot read the file" in _error(path)


def test_ingest_error_is_an_extractor_error():
    assert issubclass(IngestError, ExtractorError)


@pytest.mark.parametrize("content", [b"<html>not a pdf</html>", None])
def test_cli_prints_one_line_and_exits_2(tmp_path, content):
    path = tmp_path / "bad.pdf"
    if content is not None:
        path.write_bytes(content)
    result = subprocess.run([sys.executable, "cli.py", "ingest", str(path)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(path) in lines[0]
    assert "Traceback" not in result.stderr
