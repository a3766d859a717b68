"""Attachment files: what a file really is (by its first bytes, not its name), and where it is kept.

The types a council needs for scanned forms and correspondence: PDF, PNG, JPEG, plain text (UTF-8) and Word
(.docx). A file is accepted only when its content is one of them *and* its name ends with an extension of that type:
a web page or a program renamed "form.pdf" is refused, and so is a real PDF named "form.png" (it would open in the
wrong program). Files are kept under OPENASC_DOCUMENTS_DIR with a random name (two levels: ab/abcdef...), never the
name they were uploaded with, readable only by the server's user, and served only through the download view.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class FileType:
    content_type: str
    label: str  # in the error messages: "a PDF"
    extensions: tuple[str, ...]


PDF = FileType("application/pdf", "a PDF", (".pdf",))
PNG = FileType("image/png", "a PNG image", (".png",))
JPEG = FileType("image/jpeg", "a JPEG image", (".jpg", ".jpeg"))
TEXT = FileType("text/plain", "a plain text file", (".txt",))
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a Word document", (".docx",)
)
TYPES = (PDF, PNG, JPEG, TEXT, DOCX)
ACCEPTED = "a PDF, a PNG or JPEG image, a plain text file (.txt) or a Word document (.docx)"
EXTENSIONS = ",".join(ext for t in TYPES for ext in t.extensions)  # the file input's accept attribute


def max_bytes() -> int:
    return int(getattr(settings, "OPENASC_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024))


def size_words(n: int) -> str:
    """10485760 -> '10 MB'; 1536 -> '1.5 KB'; 12 -> '12 bytes'."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= scale:
            value = n / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes" if n != 1 else "1 byte"


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    # A macro-enabled document renamed .docx (its macros in word/vbaProject.bin) is not a Word document we accept.
    return (
        "[Content_Types].xml" in names and "word/document.xml" in names and "word/vbaProject.bin" not in names
    )


_TEXT_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _is_text(data: bytes) -> bool:
    """UTF-8 (with or without a byte-order mark) and no control characters other than tab, new lines and form feed;
    an HTML page is text too, but is served as text/plain with nosniff, so a browser never runs it."""
    if _TEXT_CONTROL.search(data):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def sniff(data: bytes) -> FileType | None:
    """The type the content is, from its first bytes (and, for .docx, the parts of the Word package); None if it is
    none of the accepted types."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return DOCX if _is_docx(data) else None
    if data and _is_text(data):
        return TEXT
    return None


def extension(name: str) -> str:
    return os.path.splitext(name or "")[1].lower()


def check(name: str, data: bytes, *, size: int | None = None) -> tuple[FileType | None, str]:
    """(the file's type, "") or (None, why it is refused), by size, then content, then its name's extension.
    `size` is the whole file's size when only its first bytes were read."""
    limit = max_bytes()
    size = len(data) if size is None else max(size, len(data))
    if not size:
        return None, "The selected file is empty: choose the file again, or a different one"
    if size > limit:
        return None, (
            f"The selected file must be {size_words(limit)} ({limit:,} bytes) or smaller; this one is {size:,} bytes"
        )
    found = sniff(data)
    ext = extension(name)
    if found is None:
        said = f" (its name ends {ext})" if ext else ""
        return None, f"The selected file{said} is not {ACCEPTED}: its content is of another kind"
    if ext not in found.extensions:
        return None, (
            f"The selected file is {found.label}, but its name ends {ext or 'with no extension'}: "
            f"rename it to end {found.extensions[0]}, or choose the right file"
        )
    return found, ""


def clean_name(name: str) -> str:
    """The uploaded name as shown and offered back on download: the last part of the path, printable, at most 200
    characters. Never used on disk."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|*?:').strip(" .")
    return (base or "document")[-200:]


# --- storage ---------------------------------------------------------------------------------------------------------


def root() -> Path:
    return Path(settings.OPENASC_DOCUMENTS_DIR)


def new_name() -> str:
    return secrets.token_hex(20)


def path_of(file_name: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{40}", file_name or ""):
        raise ValueError("Not a stored document's file name")
    return root() / file_name[:2] / file_name


def write(file_name: str, data: bytes) -> Path:
    """Write the file under its random name, whole or not at all (a temporary file renamed into place)."""
    target = path_of(file_name)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o600)
        if target.exists():
            raise FileExistsError(target)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def remove(file_name: str) -> None:
    """Take back a file whose database row was never written (the transaction failed)."""
    path_of(file_name).unlink(missing_ok=True)
