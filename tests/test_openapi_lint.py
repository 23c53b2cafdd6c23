"""The served OpenAPI document passes the NL API Design Rules (Spectral ruleset) with zero errors.

Spectral comes from the npm registry, installed once into the git-ignored test-artifacts/spectral
(reused by later runs); the ruleset is the copy in tests/conformance/.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from api_server import Server, server

ROOT = Path(__file__).resolve().parent.parent
RULESET = ROOT / "tests" / "conformance" / "nl-api-design-rules.spectral.yaml"
SHARED_RULESET = ROOT.parent / "shared" / "conformance" / "nl-api-design-rules.spectral.yaml"
SPECTRAL_DIR = ROOT / "test-artifacts" / "spectral"
SPECTRAL_PACKAGE = "@stoplight/spectral-cli@6.16.3"


@pytest.fixture(scope="module")
def spectral() -> Path:
    """The spectral executable, installed from the npm registry on first use."""
    binary = SPECTRAL_DIR / "node_modules" / ".bin" / "spectral"
    if not binary.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install @stoplight/spectral-cli (apt-get install npm)"
        SPECTRAL_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--prefix", str(SPECTRAL_DIR), "--no-audit", "--no-fund", SPECTRAL_PACKAGE],
                       check=True, capture_output=True, timeout=600)
    assert binary.exists()
    return binary


@pytest.fixture(scope="module")
def srv() -> Server:
    return server()


def lint(spectral: Path, document: dict, directory: Path) -> list[dict]:
    """Spectral's findings for an OpenAPI document, as dictionaries."""
    spec = directory / "openapi.json"
    spec.write_text(json.dumps(document, indent=1))
    report = directory / "report.json"
    result = subprocess.run([str(spectral), "lint", str(spec), "--ruleset", str(RULESET), "--format", "json",
                             "--output", str(report), "--fail-severity", "error"],
                            capture_output=True, text=True, timeout=300)
    assert report.exists(), result.stderr
    findings = json.loads(report.read_text() or "[]")
    errors = [f for f in findings if f["severity"] == 0]
    assert (result.returncode != 0) == bool(errors), result.stderr
    return findings


def test_ruleset_copy_matches_the_shared_one():
    copy = RULESET.read_text()
    assert "Logius-standaarden/API-Design-Rules" in copy and "CC BY 4.0" in copy
    if SHARED_RULESET.exists():
        assert copy.endswith(SHARED_RULESET.read_text())


def test_openapi_document_has_zero_errors(srv, spectral, tmp_path):
    document = srv.get("api/v1/openapi.json").json()
    findings = lint(spectral, document, tmp_path)
    errors = [f"{f['code']}: {f['message']} at {'.'.join(map(str, f['path']))}" for f in findings if f["severity"] == 0]
    assert errors == []


def test_linter_catches_violations(srv, spectral, tmp_path):
    """The same document, broken on purpose, must fail: proof that the ruleset is really applied."""
    document = srv.get("api/v1/openapi.json").json()
    del document["info"]["contact"]
    document["info"]["version"] = "v1"
    operation = document["paths"]["/networks"]["get"]
    operation["parameters"][0]["name"] = "network_type"
    del operation["responses"]["400"]
    codes = {f["code"] for f in lint(spectral, document, tmp_path) if f["severity"] == 0}
    assert {"info-contact", "nlgov:semver", "nlgov:query-keys-camel-case", "nlgov:problem-invalid-input"} <= codes


def test_document_follows_the_design_rules_we_rely_on(srv):
    document = srv.get("api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert document["servers"][0]["url"].endswith("/api/v1")
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if (path, method) == ("/uploads", "post"):  # the curators' write endpoint (tests/test_write_api.py)
                assert set(operation["responses"]["201"]["content"]) == {"application/json"}
                assert "application/problem+json" in operation["responses"]["422"]["content"]
                continue
            assert method == "get", path
            ok = operation["responses"]["200"]
            assert "API-Version" in ok["headers"]
            assert set(ok["content"]) == {"application/json", "application/ld+json"}
            assert "application/problem+json" in operation["responses"]["400"]["content"]
