"""The images benchmark (python -m pipeline.bench.images) on a few articles: it runs, and the build with
nothing changed makes no image (it stops with an error if one is made)."""

from __future__ import annotations

import json

from pipeline.bench import images


def test_the_images_bench_measures_cold_and_unchanged_builds(tmp_path, capsys):
    assert images.main(["--articles", "3", "--work", str(tmp_path)]) == 0
    figures = json.loads((tmp_path / "images.json").read_text(encoding="utf-8"))
    assert figures["articles"] == 3 and figures["variants"] == 3 * 3 * 2  # 400, 800, 1200 px; WebP and JPEG
    assert figures["cold_s"] > 0 and figures["unchanged_s"] > 0
    assert "no image made" in capsys.readouterr().out
