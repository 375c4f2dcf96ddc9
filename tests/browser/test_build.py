"""The committed pages in ``api/static`` are the build of ``frontend/`` as it is now (no node
needed: the hash ``frontend/build.mjs`` writes to ``api/static/BUILD`` is recomputed here)."""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"


def source_hash(root: Path) -> str:
    """The same hash as ``sourceHash`` in ``frontend/build.mjs``."""
    files: list[str] = []

    def walk(rel: str) -> None:
        for name in sorted(p.name for p in (root / rel).iterdir()):
            path = f"{rel}/{name}"
            if (root / path).is_dir():
                walk(path)
            else:
                files.append(path)

    walk("src")
    files += ["package-lock.json", "build.mjs"]
    h = hashlib.sha256()
    for f in files:
        h.update(f.encode() + b"\0")
        h.update((root / f).read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def test_built_pages_match_their_sources() -> None:
    built = (ROOT / "api" / "static" / "BUILD").read_text().strip()
    assert built == source_hash(FRONTEND), (
        "api/static is stale: run `cd frontend && npm ci && npm run build` and commit it")


def test_built_pages_are_there() -> None:
    for page in ("console", "driver"):
        for name in ("index.html", "app.js"):
            assert (ROOT / "api" / "static" / page / name).stat().st_size > 0
    for name in ("style.css", "leaflet.css", "LEAFLET-LICENSE.txt"):  # one copy for both pages
        assert (ROOT / "api" / "static" / "common" / name).stat().st_size > 0
