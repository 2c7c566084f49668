"""The ingest cache's key covers all the code that shapes a stored result: a change to any of it makes every
stored page stale (pipeline/ingest/cache.py, code_version)."""

from __future__ import annotations

import json
import subprocess
import sys

from pipeline.ingest import cache

# What the ingest imports from outside pipeline/ingest/ that shapes no stored result, and why.
NOT_SHAPING = {
    "pipeline": "the package itself: its docstring and version",
    "pipeline.errors": "the error a user can act on",
    "pipeline.fsio": "how files are written and locked",
    "pipeline.rules": "the rules' folder; the rules files themselves are hashed",
    "pipeline.slugs": "slugs are made by the writer at every run, never stored",
}


def test_every_module_the_ingest_imports_is_hashed_or_shapes_nothing_stored() -> None:
    code = (
        "import json, sys, pipeline.ingest.batch, pipeline.ingest.html, pipeline.ingest.warm;"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'pipeline')))"
    )
    modules = json.loads(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True).stdout)
    outside = [name for name in modules if not name.startswith("pipeline.ingest")]
    hashed = {f"pipeline.{name.removesuffix('.py')}" for name in cache.SHAPING}
    assert "pipeline.plural" in hashed  # the counts in a page's evidence ("3 quotes")
    assert [name for name in outside if name not in hashed and name not in NOT_SHAPING] == []


def test_a_change_to_a_shaping_module_changes_the_key(tmp_path, monkeypatch) -> None:
    package = tmp_path / "pipeline"
    for name in ("ingest", "rules"):
        (package / name).mkdir(parents=True)
    (package / "ingest" / "stage.py").write_text("A = 1\n")
    (package / "rules" / "nl.toml").write_text("a = 1\n")
    for name in cache.SHAPING:
        (package / name).write_text("B = 1\n")
    monkeypatch.setattr(cache, "PACKAGE", package)
    keys = []
    for edit in (None, *cache.SHAPING):
        if edit:
            (package / edit).write_text("B = 2\n")
        cache.code_version.cache_clear()
        keys.append(cache.code_version())
    cache.code_version.cache_clear()
    assert len(set(keys)) == len(keys)
