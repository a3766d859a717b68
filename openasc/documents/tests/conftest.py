import pytest


@pytest.fixture(autouse=True)
def documents_dir(settings, tmp_path):
    """Each test keeps its attachments' files in its own folder."""
    settings.OPENASC_DOCUMENTS_DIR = str(tmp_path / "documents")
    return tmp_path / "documents"
