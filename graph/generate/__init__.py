"""A synthetic learning-network ecosystem of any size, for tests and benchmarks (``leernet generate``).

The output has the structure of the real graph (docs/model.md): organisations of every sector in
national proportions, lectoraten under hogescholen, provinces and municipalities, programmes
funding networks, networks of 8–25 members mixing sectors and roles over ten years with churn,
participant counts (never persons) for students, parents and young people, public persons with
opaque IRIs, events, products and research projects, themes from the real def/thema scheme.

Everything is invented and marked so: every entity has ``dcterms:source <id/bron/synthetisch>``
(a ``prov:Entity``/``dcat:Dataset`` described in the file) and every entity slug starts with
``syn-``, so it never collides with curated data. Periods (``id/periode/…``) and dates
(``id/datum/…``) are shared value resources named by their dates and carry no marker.

Output is streamed (memory does not grow with the scale), Turtle or N-Triples by extension,
gzipped for ``.gz``, and byte-for-byte the same for the same arguments. ``invalid_share`` turns
that share of records into invalid ones of known kinds (:mod:`graph.generate.invalid`), listed in
:attr:`GenerationResult.invalid`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import InputError
from graph.generate.context import Context, InvalidRecord
from graph.generate.invalid import ALL_KINDS
from graph.generate.networks import NetworkFactory
from graph.generate.pool import build_pool
from graph.generate.vocabulary import read_themes
from graph.generate.writer import NullWriter, RecordWriter, format_of
from graph.settings import DEFAULT_BASE_IRI, load_settings

MIN_SCALE = 2_000
MAX_INVALID_SHARE = 0.5


@dataclass
class GenerationResult:
    """What a generation wrote: file, format, triples, networks, organisations and invalid records."""

    path: Path
    format: str
    triples: int
    networks: int
    organisations: int
    seconds: float
    invalid: list[InvalidRecord] = field(default_factory=list)

    @property
    def triples_per_second(self) -> float:
        """Generation speed."""
        return self.triples / self.seconds if self.seconds else 0.0


def _check(path: Path, scale: int, invalid_share: float) -> None:
    if not format_of(path):
        raise InputError(f"{path}: the output must end in .ttl or .nt (optionally .gz)",
                         ["e.g. --output synthetisch.ttl or --output synthetisch.nt.gz"])
    if scale < MIN_SCALE:
        raise InputError(f"--scale {scale} is too small", [f"give at least {MIN_SCALE} triples"])
    if not 0 <= invalid_share <= MAX_INVALID_SHARE:
        raise InputError(f"--invalid-share {invalid_share} is out of range", [f"give a share from 0 to {MAX_INVALID_SHARE}"])
    if not path.parent.is_dir():
        raise InputError(f"{path}: the directory {path.parent} does not exist", ["create it first"])


def generate(path: str | Path, scale: int, seed: int = 0, *, invalid_share: float = 0.0,
             base_iri: str = DEFAULT_BASE_IRI, ontology_dir: Path | None = None) -> GenerationResult:
    """Write a synthetic ecosystem of about ``scale`` triples to ``path``."""
    path = Path(path)
    _check(path, scale, invalid_share)
    started = time.perf_counter()
    writer = RecordWriter(path, base_iri)
    try:
        ctx = Context(writer, seed, invalid_share)
        ctx.themes = read_themes(ontology_dir or load_settings(store_path=None).ontology_dir)
        writer.comment(f"Synthetic leernet ecosystem (leernet generate --scale {scale} --seed {seed}"
                       f"{f' --invalid-share {invalid_share}' if invalid_share else ''}).\n"
                       "Invented data: every entity has dcterms:source <id/bron/synthetisch>.")
        pool = build_pool(ctx, scale)
        factory = NetworkFactory(ctx, pool)
        while ctx.planned < scale:
            factory.network()
    except BaseException:
        writer.abort()
        raise
    writer.close()
    organisations = sum(len(members) for kind, members in pool.by_kind.items() if kind not in ("lectoraat", "collaboration"))
    return GenerationResult(path, writer.fmt, writer.triples, factory.count, organisations,
                            time.perf_counter() - started, ctx.invalid)


def generate_batch(path: str | Path, scale: int, seed: int = 0, *, size: int = 1000, batch: int = 1,
                   base_iri: str = DEFAULT_BASE_IRI, ontology_dir: Path | None = None) -> GenerationResult:
    """Write about ``size`` triples of NEW networks (with memberships, counts, events, ...) whose
    members are organisations of the ecosystem ``generate(scale, seed)`` writes: a realistic batch
    to add to that graph. ``batch`` numbers batches so that several can be added."""
    path = Path(path)
    _check(path, MIN_SCALE, 0.0)
    started = time.perf_counter()
    themes = read_themes(ontology_dir or load_settings(store_path=None).ontology_dir)
    shadow = Context(NullWriter(base_iri), seed)
    shadow.themes = themes
    pool = build_pool(shadow, scale)  # the same organisations, not written again
    writer = RecordWriter(path, base_iri)
    try:
        ctx = Context(writer, seed, salt=f"batch-{batch}")
        ctx.themes = themes
        writer.comment(f"Synthetic leernet batch {batch} for the ecosystem of --scale {scale} --seed {seed}.")
        factory = NetworkFactory(ctx, pool, prefix=f"syn-b{batch}")
        while writer.triples < size:
            factory.network()
    except BaseException:
        writer.abort()
        raise
    writer.close()
    return GenerationResult(path, writer.fmt, writer.triples, factory.count, 0, time.perf_counter() - started)


__all__ = ["ALL_KINDS", "GenerationResult", "InvalidRecord", "generate", "generate_batch"]
