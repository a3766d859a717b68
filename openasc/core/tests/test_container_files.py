"""The Dockerfile and compose.yaml, read as text: what they run exists, and what they share is shared.

No container runs in the test suite (the machines that run it have no Docker daemon), so these checks catch what a
rename or a new setting would break without anyone noticing: the commands the services run are real `openasc`
subcommands, the health check asks /healthz, the web server and the worker share the private files (a CLD upload
the web server receives is read by the worker; an export the worker writes is downloaded through the web server),
and the image lets its unprivileged user write there and only there.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.core.management import get_commands

REPO = Path(__file__).resolve().parents[3]


def compose() -> dict:
    return yaml.safe_load((REPO / "compose.yaml").read_text())


def test_every_service_runs_a_real_openasc_command():
    services = compose()["services"]
    assert {"db", "migrate", "web", "worker"} <= set(services)
    commands = get_commands()
    for name in ("migrate", "web", "worker"):
        command = services[name]["command"]
        assert command[0] == "openasc" and command[1] in commands, (name, command)
    assert services["web"]["command"][:2] == ["openasc", "serve"]
    assert services["worker"]["command"] == ["openasc", "worker"]


def test_the_web_server_is_healthy_only_when_healthz_says_so_and_waits_for_the_migration():
    web = compose()["services"]["web"]
    assert "/healthz" in " ".join(web["healthcheck"]["test"])
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert compose()["services"]["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_the_web_server_and_the_worker_share_the_private_files():
    services = compose()["services"]
    mounts = {name: set(services[name].get("volumes", [])) for name in ("web", "worker")}
    shared = mounts["web"] & mounts["worker"]
    assert any(m.endswith(":/app/private") for m in shared), mounts
    assert "private" in compose()["volumes"]
    # Outside the tests the jobs' and documents' files default to <repository>/private/..., /app/private in the image.
    source = (REPO / "openasc" / "config" / "settings.py").read_text()
    assert 'REPO_DIR / "private" / "jobs"' in source and 'REPO_DIR / "private" / "documents"' in source


def test_the_image_lets_its_user_write_its_private_files_and_runs_the_web_server():
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "chown -R openasc:openasc /app/private" in dockerfile
    assert dockerfile.index("chown -R openasc:openasc /app/private") < dockerfile.index("USER openasc")
    assert 'CMD ["openasc", "serve"' in dockerfile
    for needed in ("requirements.txt", "constraints.txt", "pyproject.toml", "package-lock.json"):
        assert (REPO / needed).exists() and needed in dockerfile, needed
