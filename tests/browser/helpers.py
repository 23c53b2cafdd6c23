"""Browser-test helpers: launch Debian's Chromium with Playwright's bundled driver (never
``playwright install``), install axe-core from npm once into the gitignored ``test-artifacts/``,
run it on a page, and save screenshots as test artefacts."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_DIR = ARTIFACTS / "axe"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def launch(playwright):
    """Debian's Chromium, headless."""
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def axe_source() -> str:
    """The axe-core script, installed with npm into test-artifacts/axe the first time."""
    if not AXE_SCRIPT.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed once to install axe-core for the accessibility tests"
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        result = subprocess.run([npm, "install", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund", "--silent",
                                 "--no-save", "axe-core@4"], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0 and AXE_SCRIPT.exists(), f"npm install axe-core failed: {result.stderr}"
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(page, source: str) -> list[dict]:
    """The serious and critical WCAG 2.0/2.1 A and AA violations axe-core finds on the page."""
    page.add_script_tag(content=source)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def screenshot(page, name: str) -> Path:
    """A full-page screenshot in test-artifacts/screenshots/{name}.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path
