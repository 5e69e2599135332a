"""Why a file named like a workbook cannot be opened as one, in words a reader can act on.

The spreadsheet library explains a failure in its own English ("invalid Zip archive: Could not find
EOCD"); the reader is told instead what the file is and what to do, in their language. The library's
words go to the log for whoever runs the service.
"""

from __future__ import annotations

import logging
import zipfile
import zlib
from pathlib import Path

from tracker.text.i18n import Message, reason

log = logging.getLogger(__name__)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # Excel 97–2003 workbooks, and workbooks saved with a password
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # the stream of a password-protected workbook
_PEEK = 1 << 20
_WORKBOOK_PARTS = ("xl/workbook.xml", "xl/workbook.bin", "content.xml")  # XLSX/XLSM, XLSB, ODS


def why_not_a_workbook(path: Path, file_name: str, detail: BaseException | str | None = None) -> Message:
    """The reason a workbook could not be read, from what the file holds."""
    if detail is not None:
        log.warning("%s could not be read as a workbook: %s", file_name, detail)
    try:
        with open(path, "rb") as handle:
            head = handle.read(_PEEK)
    except OSError:
        return reason("workbook_unreadable")
    if head.startswith(OLE_MAGIC):
        if ENCRYPTED_PACKAGE in head:
            return reason("workbook_password")
        if file_name.lower().endswith(".xls"):  # an old workbook under its own name: its inside is damaged
            return reason("workbook_unreadable")
        return reason("workbook_old_format")
    if not head.startswith(ZIP_MAGIC):
        return reason("workbook_other_content")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            damaged = archive.testzip() is not None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
        return reason("file_damaged")
    if damaged:
        return reason("file_damaged")
    if not names & set(_WORKBOOK_PARTS):
        return reason("workbook_zip_without_workbook")
    return reason("workbook_unreadable")
