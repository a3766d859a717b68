"""What a file is, by its content and its name: both sides of the size limit, each accepted type, and a wrong type
behind a right extension."""

from __future__ import annotations

import io
import zipfile

import pytest

from openasc.documents import files

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20


def docx_bytes(*, word: bool = True, macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if word:
            archive.writestr("word/document.xml", "<w:document/>")
        else:
            archive.writestr("xl/workbook.xml", "<workbook/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name,data,content_type",
    [
        ("form.pdf", PDF, "application/pdf"),
        ("scan.PNG", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("letter.txt", "Dear Sir, café\n".encode(), "text/plain"),
        ("report.docx", docx_bytes(), files.DOCX.content_type),
    ],
)
def test_each_accepted_type_by_content_and_name(name, data, content_type):
    found, refusal = files.check(name, data)
    assert refusal == "" and found.content_type == content_type


@pytest.mark.parametrize(
    "name,data,says",
    [
        ("form.pdf", b"<html><script>alert(1)</script></html>\x00", "is not a PDF, a PNG or JPEG image"),
        ("form.pdf", b"MZ\x90\x00\x03\x00\x00\x00", "(its name ends .pdf) is not a PDF"),
        ("sheet.docx", docx_bytes(word=False), "is not a PDF"),
        ("macros.docx", docx_bytes(macros=True), "(its name ends .docx) is not a PDF"),
        ("form.png", PDF, "is a PDF, but its name ends .png: rename it to end .pdf"),
        ("form", PDF, "its name ends with no extension"),
        ("notes.txt", b"\xff\xfe\x00t\x00e", "is not a PDF"),
        ("page.html", b"<p>hello</p>", "is a plain text file, but its name ends .html"),
    ],
)
def test_a_wrong_type_is_refused_whatever_its_name(name, data, says):
    found, refusal = files.check(name, data)
    assert found is None and says in refusal


def test_the_size_limit_at_the_limit_and_one_byte_over(settings):
    settings.OPENASC_DOCUMENT_MAX_BYTES = 1000
    at_limit = b"a" * 1000
    assert files.check("a.txt", at_limit) == (files.TEXT, "")
    found, refusal = files.check("a.txt", at_limit + b"a")
    assert found is None
    assert refusal == "The selected file must be 1000 bytes (1,000 bytes) or smaller; this one is 1,001 bytes"


def test_the_size_is_the_whole_files_even_when_only_its_start_was_read(settings):
    settings.OPENASC_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    found, refusal = files.check("a.pdf", PDF, size=10 * 1024 * 1024 + 1)
    assert found is None and refusal.startswith(
        "The selected file must be 10 MB (10,485,760 bytes) or smaller"
    )


def test_an_empty_file_is_refused():
    assert files.check("a.pdf", b"") == (
        None,
        "The selected file is empty: choose the file again, or a different one",
    )


@pytest.mark.parametrize(
    "n,words",
    [(1, "1 byte"), (12, "12 bytes"), (1536, "1.5 KB"), (10 * 1024 * 1024, "10 MB"), (1024, "1 KB")],
)
def test_sizes_in_words(n, words):
    assert files.size_words(n) == words


@pytest.mark.parametrize(
    "uploaded,shown",
    [
        ("C:\\Users\\me\\Scans\\form.pdf", "form.pdf"),
        ("../../etc/passwd", "passwd"),
        ('a"b<c>.pdf', "abc.pdf"),
        ("\x00\n.pdf", "pdf"),
        ("", "document"),
    ],
)
def test_the_uploaded_name_is_cleaned_for_showing(uploaded, shown):
    assert files.clean_name(uploaded) == shown


def test_stored_under_a_random_name_readable_only_by_the_server(documents_dir):
    name = files.new_name()
    path = files.write(name, PDF)
    assert path == documents_dir / name[:2] / name and path.read_bytes() == PDF
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert len(name) == 40 and name != files.new_name()


@pytest.mark.parametrize("bad", ["../x", "form.pdf", "A" * 40, ""])
def test_a_name_that_is_not_a_stored_files_is_refused(bad):
    with pytest.raises(ValueError):
        files.path_of(bad)
