"""Backups of the on-disk store, and restoring one safely: the backup is checked to open first,
then the store directory is swapped under the store lock."""

from __future__ import annotations

import gc
import os
import shutil
import uuid
from pathlib import Path

import pyoxigraph as ox

from graph.errors import InputError, NotFound
from graph.settings import Settings
from graph.store import locked


def backup(store, target: Path) -> int:
    """A consistent copy of the store in ``target`` (a new or empty directory); the quad count."""
    if store.settings.store_url:
        raise remote_refusal("back up", store.settings.store_url)
    if getattr(store, "path", None) is None:
        raise InputError("backup needs an on-disk store, not --memory", ["give --store PATH or set LEERNET_STORE"])
    target = Path(target)
    if target.exists():
        if not target.is_dir() or any(target.iterdir()):
            raise InputError(f"{target} already exists and is not empty", ["choose a new directory for the backup"])
        target.rmdir()
    target.parent.mkdir(parents=True, exist_ok=True)
    store.backup(target)
    return len(store)


def restore(settings: Settings, source: Path) -> int:
    """Replace the store by a copy of the backup in ``source``; returns the restored quad count.

    The backup is copied beside the store and opened (so a broken backup changes nothing); then,
    holding the store lock, the old directory is moved aside, the copy moved in, the old one removed.
    """
    if settings.store_url:
        raise remote_refusal("restore", settings.store_url)
    source = Path(source)
    if not source.is_dir():
        raise NotFound(f"{source}: no such backup directory")
    if not (source / "CURRENT").is_file():
        raise InputError(f"{source} is not a leernet store backup", ["give a directory made by 'leernet backup'"])
    target = settings.store_path
    with locked(settings):
        staging = target.with_name(f".{target.name}.restore-{uuid.uuid4().hex[:8]}")
        shutil.copytree(source, staging)
        try:
            count = _check(staging)
        except OSError as error:
            shutil.rmtree(staging, ignore_errors=True)
            raise InputError(f"{source} does not open as a store: {error}", ["give a directory made by 'leernet backup'"]) from error
        old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
        if target.exists():
            os.rename(target, old)
        os.rename(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    return count


def remote_refusal(verb: str, url: str) -> InputError:
    """Why leernet does not back up or restore a remote store, and what to use instead."""
    return InputError(
        f"leernet cannot {verb} the remote store at {url}: its data lives in the SPARQL server",
        ["use the server's own backup tooling (Virtuoso: backup_online() or a copy of the database files after a "
         "checkpoint; Fuseki: POST /$/backup/DATASET; GraphDB: its backup API); see docs/remote-store.md",
         "or copy the data: 'leernet export --output dump.trig', and 'leernet load dump.trig' to bring it back"])


def _check(path: Path) -> int:
    store = ox.Store(str(path))
    try:
        count = len(store)
        for _ in store.named_graphs():
            pass
        store.flush()
        return count
    finally:
        del store
        gc.collect()
