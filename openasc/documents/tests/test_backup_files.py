"""`openasc backup` / `restore` carry the attachments' files too: PATH.documents.tar beside the database's copy."""

from __future__ import annotations

import tarfile

import pytest
from django.core.management import call_command

from openasc.core import backup
from openasc.core.models import Role
from openasc.core.tests.factories import UserFactory
from openasc.documents import files
from openasc.documents.models import Document
from openasc.documents.tests.factories import PDF_BYTES, DocumentFactory


@pytest.fixture
def stored(transactional_db, documents_dir):
    UserFactory(username="system", role=Role.SYSTEM)
    return [DocumentFactory(attachment=True, content=PDF_BYTES + bytes([i])) for i in range(3)]


def test_the_files_are_backed_up_and_restored_with_the_database(stored, tmp_path, documents_dir, capsys):
    path = tmp_path / "council.backup"
    result = backup.backup(path)
    tar_path = backup.documents_path(path)
    assert result.notes == [f"3 document files copied to {tar_path}"]
    with tarfile.open(tar_path) as tar:
        assert sorted(tar.getnames()) == sorted(f"{d.file_name[:2]}/{d.file_name}" for d in stored)

    for d in stored:  # the files lost with the server's disk
        files.path_of(d.file_name).unlink()
    call_command("restore", str(path), "--yes")
    out = capsys.readouterr().out
    assert "3 document files restored to" in out and "the folder it replaced is now" in out
    for d in Document.objects.all():
        assert files.path_of(d.file_name).read_bytes()[: len(PDF_BYTES)] == PDF_BYTES


def test_no_documents_folder_means_no_tar_and_a_restore_leaves_the_folder_alone(
    transactional_db, tmp_path, settings
):
    UserFactory(username="system", role=Role.SYSTEM)
    settings.OPENASC_DOCUMENTS_DIR = str(tmp_path / "none-yet")
    path = tmp_path / "council.backup"
    assert backup.backup(path).notes == [] and not backup.documents_path(path).exists()
    assert all("document files" not in n for n in backup.restore(path, force=True).notes)


def test_a_tar_that_reaches_outside_the_folder_is_refused(stored, tmp_path, documents_dir):
    path = tmp_path / "council.backup"
    backup.backup(path)
    evil = tmp_path / "evil.txt"
    evil.write_text("x")
    with tarfile.open(backup.documents_path(path), "w") as tar:
        tar.add(evil, arcname="../../escaped.txt")
    with pytest.raises(backup.BackupError, match="not the documents' files"):
        backup.restore(path, force=True)
    assert (
        not (tmp_path / "escaped.txt").exists() and not (documents_dir.parent.parent / "escaped.txt").exists()
    )
    assert all(files.path_of(d.file_name).exists() for d in stored)  # the folder as it was


def test_only_the_files_the_database_names_are_copied(stored, tmp_path, documents_dir):
    stray = documents_dir / "ab" / ("ab" + "0" * 38)
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"not a document of this database")
    files.path_of(stored[0].file_name).unlink()
    path = tmp_path / "council.backup"
    note = backup.backup(path).notes[0]
    assert note.endswith("; 1 named by the database was not found") and note.startswith("2 document files")
    with tarfile.open(backup.documents_path(path)) as tar:
        assert stray.name not in {n.rsplit("/", 1)[-1] for n in tar.getnames()} and len(tar.getnames()) == 2
