"""examples/server/compose.yaml is valid YAML and deploys what the guide says.

Docker is not available where the tests run, so this checks the file's structure: the
services, two workers, health probes on the service's probe paths, secrets from files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "server"


def test_compose_file_parses_and_wires_the_services() -> None:
    compose: dict[str, Any] = yaml.safe_load((EXAMPLE / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "server", "worker", "proxy"}
    server, worker = services["server"], services["worker"]
    assert server["command"][:2] == ["docsense", "serve"]
    assert "--proxy-headers" in server["command"]
    assert worker["command"] == ["docsense", "worker"]
    assert worker["deploy"]["replicas"] == 2
    assert "/readyz" in " ".join(server["healthcheck"]["test"])
    assert server["environment"]["DOCSENSE_SERVER_CORS_ORIGINS"].startswith("https://")
    # The YAML anchors give both the same image, store and secrets.
    for service in (server, worker):
        assert service["image"] == "docsense:local"
        assert service["secrets"] == ["store_url"]
        assert service["environment"]["DOCSENSE_STORE_URL_FILE"] == "/run/secrets/store_url"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert {s["file"] for s in compose["secrets"].values()} == {
        "postgres_password.txt", "store_url.txt"}
    text = (EXAMPLE / "compose.yaml").read_text()
    assert "password=" not in text.lower()
    assert "postgresql://" not in text
    caddy = compose["configs"]["caddyfile"]["content"]
    assert "reverse_proxy server:8000" in caddy
    assert "flush_interval -1" in caddy
    assert (EXAMPLE / "Dockerfile").is_file()
    assert (EXAMPLE / "entrypoint.sh").read_text().startswith("#!/bin/sh")
