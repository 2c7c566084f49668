"""The ingest command on the fixture pages with their `_files` folders: images kept, dropped and reported.

Passes once the HTML reader and the batch call the image stages (docs/content-format.md, "Images")."""

from __future__ import annotations

from pathlib import Path

from tests.imagekit import copy_pages
from tests.ingestkit import documents, run_ingest


def test_the_ingest_keeps_the_images_of_saved_pages_and_reports_the_rest(tmp_path):
    source = copy_pages(tmp_path / "bron")
    status, report = run_ingest(source, tmp_path / "content")
    assert status == 0
    interview = documents(report)["interview.html"]
    assert [(i["source"], i["lead"]) for i in interview["images"]] == [
        ("interview_files/anna-de-vries.jpg", True),
        ("interview_files/buurthuis.jpg", False),
    ]
    assert interview["images"][0]["credit"] == "Beeld: Jan Jansen"
    assert len(interview["images_dropped"]) == 9
    figure_lines = [line["text"] for line in interview["removed"] if line["role"] == "figure"]
    assert any("Beeld: Jan Jansen" in text for text in figure_lines)
    folder = tmp_path / "content" / "images" / Path(interview["output"]).stem
    assert sorted(p.name for p in folder.iterdir()) == sorted(i["name"] for i in interview["images"])
    markdown = Path(interview["output"]).read_text(encoding="utf-8")
    assert "Image_credit: Beeld: Jan Jansen" in markdown and '<figure class="figure">' in markdown
    blog = documents(report)["blog.html"]
    assert [i["source"] for i in blog["images"]] == ["blog_files/wijkteam.jpg"]  # the og:image, at hand


def test_a_saved_pages_files_folder_is_listed_once_and_not_as_pages(tmp_path):
    source = copy_pages(tmp_path / "bron")
    _, report = run_ingest(source, tmp_path / "content")
    ignored = report["ignored"]
    assert [line for line in ignored if line.startswith("interview_files/")] == [
        "interview_files/: files of a saved page (its images are read with the page)"
    ]
    assert not [line for line in ignored if "not a page" in line and "_files/" in line]


def test_a_changed_image_is_ingested_again_with_the_cache(tmp_path):
    source = copy_pages(tmp_path / "bron")
    cache = tmp_path / "cache"
    run_ingest(source, tmp_path / "content", "--cache", str(cache))
    _, report = run_ingest(source, tmp_path / "content", "--cache", str(cache))
    assert documents(report)["interview.html"]["ingest"] == "cached"
    photo = source / "interview_files" / "buurthuis.jpg"
    photo.write_bytes(photo.read_bytes())  # the same bytes: still cached
    (source / "interview_files" / "anna-de-vries.jpg").write_bytes(b"not a picture any more")
    _, report = run_ingest(source, tmp_path / "content", "--cache", str(cache))
    interview = documents(report)["interview.html"]
    assert interview["ingest"] != "cached"
    assert "interview_files/anna-de-vries.jpg" not in [image["source"] for image in interview["images"]]
