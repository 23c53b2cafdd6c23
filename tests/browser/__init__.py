"""Helpers for the explorer's browser tests: Debian's Chromium through Playwright, axe-core, screenshots."""
