"""Names, slugs and web addresses as the importers need them: deterministic and ASCII-safe."""

from __future__ import annotations

import re
import unicodedata

SLUG_MAX = 80

# Words left out when two organisation names are compared (see docs/curators.md, "Matching").
# Legal-form and article words only: words that tell organisations apart ("hogeschool",
# "universiteit", "gemeente") are kept, so "Hogeschool Utrecht" never matches "Universiteit Utrecht".
NAME_STOP_WORDS = frozenset({
    "de", "het", "the", "stichting", "vereniging", "foundation", "bv", "nv",
})

_DUTCH_PARTICLES = frozenset({"aan", "den", "de", "der", "van", "op", "en", "in", "het", "bij", "ter", "ten", "onder"})


def ascii_fold(text: str) -> str:
    """``text`` without accents (é → e, ï → i), other non-ASCII characters dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii")


def slugify(text: str, max_length: int = SLUG_MAX) -> str:
    """A slug ``^[a-z0-9]+(-[a-z0-9]+)*$`` of ``text``, cut at a hyphen to at most ``max_length``."""
    folded = ascii_fold(text.replace("&", " en ")).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] if "-" in slug[:max_length] else slug[:max_length]
    return slug or "naamloos"


def normalise_name(text: str) -> str:
    """The key two organisation or network names are compared by: lower case, accents folded,
    punctuation as spaces, :data:`NAME_STOP_WORDS` and repeated spaces removed."""
    folded = ascii_fold(text).lower().replace("&", " en ")
    folded = re.sub(r"\b([bn])\.\s?v\.?", r"\1v", folded)  # B.V. / N.V.
    words = re.sub(r"[^a-z0-9]+", " ", folded).split()
    kept = [w for w in words if w not in NAME_STOP_WORDS]
    return " ".join(kept or words)


def dutch_title_case(text: str) -> str:
    """'ALPHEN AAN DEN RIJN' → 'Alphen aan den Rijn', "'S-HERTOGENBOSCH" → "'s-Hertogenbosch"."""
    def word(w: str, first: bool) -> str:
        lower = w.lower()
        if lower in ("'s", "'t"):
            return lower
        if lower in _DUTCH_PARTICLES and not first:
            return lower
        if lower.startswith("ij"):
            return "IJ" + lower[2:]
        return lower[:1].upper() + lower[1:]

    parts = re.split(r"([ \-])", text.strip())
    out, first = [], True
    for part in parts:
        if part in (" ", "-") or not part:
            out.append(part)
            continue
        out.append(word(part, first))
        first = False
    return "".join(out)


def web_url(value: str) -> str | None:
    """A web address as an absolute http(s) IRI ('www.hu.nl' → 'https://www.hu.nl'), or None."""
    text = (value or "").strip()
    if not text:
        return None
    if not re.match(r"^https?://", text, re.IGNORECASE):
        text = "https://" + text
    if re.search(r"[\s<>\"{}|\\^`]", text) or not re.match(r"^https?://[^/]+\.[^/]+", text):
        return None
    return text


def web_host(url: str | None) -> str | None:
    """The host of a web address without 'www.', lower case; compares websites across sources."""
    if not url:
        return None
    match = re.match(r"^(?:https?://)?([^/:?#]+)", url.strip(), re.IGNORECASE)
    if not match:
        return None
    host = match.group(1).lower()
    return host[4:] if host.startswith("www.") else host
