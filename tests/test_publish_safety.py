"""Publishing survives races, kills and broken state (issue 13, "Publishing"): real publishes in subprocesses,
real Pelican, real kills; faults injected at the moment of a write (tests/faultkit.py)."""

from __future__ import annotations

import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from faultkit import environment, writes
from ingestkit import SEEDS, write_pages
from sitekit import SITEURL
from test_incremental import NOTHING, corpus, publish, publish_argv, run_publish, site_folder, tree

from pipeline import fsio

LATE = "Title: Laat artikel\nDate: 2020-01-01\nCategory: Blog\n\nOpgeslagen terwijl de site gebouwd werd.\n"


def site(folder: Path) -> dict[str, bytes]:
    """What readers get of a site: its files, without the stamp of which build it is (that names the
    folder it was built in, and the copies of these tests are built in folders of their own)."""
    return {name: data for name, data in tree(folder).items() if name != ".publish-stamp"}


def small_site(folder: Path) -> Path:
    """A site folder with five pages (one copy of each seed), published once."""
    site_folder(folder)
    shutil.rmtree(folder / "seeds")
    corpus(folder / "seeds", copies=1)
    publish(folder)
    return folder


def add_page(folder: Path) -> None:
    extra = (SEEDS / "001_ed7c9a7a10977f3f.txt").read_text(encoding="utf-8").split("\n", 1)
    write_pages(folder / "seeds", {"900-nieuw.txt": f"{extra[0]} nieuw\n{extra[1]}"})


def start_publish(folder: Path, env: dict | None = None) -> subprocess.Popen:
    env = {**(env or os.environ), "SITEURL": SITEURL}
    return subprocess.Popen(
        publish_argv(), cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def no_traceback(done: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in done.stdout + done.stderr, done.stderr


# --- concurrent publishes -----------------------------------------------------------------------------------


def test_two_publishes_at_once_build_one_whole_site_and_the_second_says_it_waited(tmp_path: Path) -> None:
    folder = site_folder(tmp_path / "site")
    first = start_publish(folder)
    time.sleep(0.5)  # the first has its locks (it starts in well under that)
    second = start_publish(folder)
    outs = [(child.wait(timeout=600), *child.communicate()) for child in (first, second)]
    assert [status for status, _, _ in outs] == [0, 0], outs
    assert "waiting: " in outs[1][2] and "is locked by publish (pid" in outs[1][2]
    assert NOTHING in outs[1][1]  # it waited for the first, and found its site up to date
    assert len(list((folder / "output").glob("20*/*/index.html"))) == 15
    assert NOTHING in publish(folder)


def _waits_for_the_lock_then_runs(folder: Path, locked: Path, argv: list[str]) -> subprocess.CompletedProcess:
    """Hold `locked`'s lock while `argv` starts in `folder`: it must say who holds it and wait, then run."""
    env = {**os.environ, "SITEURL": SITEURL}
    with fsio.locked([locked], "a test"):
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
        child = subprocess.Popen(argv, cwd=folder, env=env, **pipes)
        first = child.stderr.readline()
        assert first.startswith("waiting: ") and f"is locked by a test (pid {os.getpid()}, since " in first
        time.sleep(0.5)
        assert child.poll() is None  # still waiting
    out, err = child.communicate(timeout=300)
    return subprocess.CompletedProcess(argv, child.returncode, out, first + err)


def test_an_ingest_waits_for_the_run_that_holds_its_content_folder(tmp_path: Path) -> None:
    folder = site_folder(tmp_path / "site")
    argv = [sys.executable, "-m", "pipeline", "ingest", "seeds", "--out", "content", "--quiet"]
    done = _waits_for_the_lock_then_runs(folder, folder / "content", argv)
    assert done.returncode == 0, done.stderr
    assert len(list((folder / "content").glob("*.md"))) == 15


def test_a_digest_waits_for_the_run_that_holds_its_cache(tmp_path: Path) -> None:
    folder = small_site(tmp_path / "site")
    argv = [sys.executable, "-m", "pipeline", "digest", "--content", "content", "--cache", "cache/digest"]
    done = _waits_for_the_lock_then_runs(folder, folder / "cache" / "digest", argv)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("edition ") and "-> digest-out/" in done.stdout


# --- a kill at every write ----------------------------------------------------------------------------------

# Not counted: the build Pelican writes (a new folder no reader sees until the link flips), and content/,
# whose articles batch.Writer writes (it joins when batch.py writes through pipeline.fsio).
NOT_COUNTED = ("output.builds/",)


def test_a_kill_at_any_write_leaves_the_old_or_the_new_site_and_the_next_publish_mends_it(tmp_path) -> None:
    base = small_site(tmp_path / "base")
    old = site(base / "output")
    add_page(base)
    new_folder = tmp_path / "new"
    shutil.copytree(base, new_folder, symlinks=True)
    counting = run_publish(new_folder, env=environment(tmp_path, new_folder, skip=NOT_COUNTED))
    assert counting.returncode == 0, counting.stderr
    logged = writes(tmp_path)
    assert any("publish.fingerprint" in line for line in logged), logged
    new = site(new_folder / "output")
    assert new != old
    for at in range(1, len(logged) + 1):
        work = tmp_path / f"kill-{at}"
        shutil.copytree(base, work, symlinks=True)
        killed = run_publish(work, env=environment(tmp_path, work, at=at, skip=NOT_COUNTED))
        what = writes(tmp_path)[-1:]
        assert killed.returncode != 0, what  # killed, or failed because a child was
        assert site(work / "output") in (old, new), what
        mended = run_publish(work)
        no_traceback(mended)
        assert mended.returncode == 0, (what, mended.stderr)
        assert site(work / "output") == new, what
        left = [p for p in work.rglob(".*.tmp") if not p.is_relative_to(work / "output.builds")]
        assert left == [], what  # what killed writes left is swept
        assert NOTHING in publish(work), what
        shutil.rmtree(work)


# --- broken state -------------------------------------------------------------------------------------------


def _pelican_cache(folder: Path) -> Path:
    return next((folder / "cache" / "pelican").glob("*/*Readers*"))


def _digest_cache(folder: Path) -> Path:
    return next((folder / "cache" / "digest").glob("*/DigestReaders"))


def _ingest_cache(folder: Path) -> Path:
    return folder / "cache" / "ingest" / "ingest.sqlite"


NOT_A_DICT = pickle.dumps([1, 2])
BROKEN = {
    "ingest cache, garbage": (_ingest_cache, lambda b: os.urandom(3000)),
    "ingest cache, cut short": (_ingest_cache, lambda b: b[: len(b) // 3]),
    "Pelican cache, 0 bytes": (_pelican_cache, lambda b: b""),
    "Pelican cache, cut short": (_pelican_cache, lambda b: b[: len(b) // 2]),
    "Pelican cache, garbage": (_pelican_cache, lambda b: b"\x80\x05garbage" + os.urandom(200)),
    "digest cache, cut short": (_digest_cache, lambda b: b[: len(b) // 2]),
    "digest cache, not a dict": (_digest_cache, lambda b: NOT_A_DICT),
    "fingerprint, garbage": (lambda f: f / "cache" / "publish.fingerprint", lambda b: b"\xff\xfe" + b[:10]),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return small_site(tmp_path_factory.mktemp("broken") / "site")


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_cache_is_dropped_with_one_line_and_the_site_is_the_same(built: Path, case: str) -> None:
    where, breaking = BROKEN[case]
    before = tree(built / "output")
    path = where(built)
    path.write_bytes(breaking(path.read_bytes()))
    (built / "reports" / "ingest.json").unlink()  # something to do: the same inputs are built again
    done = run_publish(built)
    no_traceback(done)
    assert done.returncode == 0, done.stderr
    said = [line for line in (done.stdout + done.stderr).splitlines() if path.name in line]  # Pelican: stdout
    assert len(said) == 1 and ("unreadable" in said[0] or "damaged" in said[0]), done.stdout + done.stderr
    assert tree(built / "output") == before
    assert NOTHING in publish(built)


def test_a_missing_cache_folder_is_built_again_in_silence(built: Path) -> None:
    before = tree(built / "output")
    shutil.rmtree(built / "cache")
    done = run_publish(built)
    assert done.returncode == 0, done.stderr
    said = done.stdout + done.stderr
    assert not any(word in said for word in ("unreadable", "damaged", "Traceback")), said
    assert tree(built / "output") == before


@pytest.mark.parametrize(("action", "reason"), [("full", "no space left"), ("readonly", "read-only")])
@pytest.mark.parametrize("folder", ["cache", "reports", "digest-out", "output.builds"])
def test_a_full_or_read_only_folder_is_one_line_naming_it_and_then_mends(
    built: Path, tmp_path: Path, action: str, reason: str, folder: str
) -> None:
    before = tree(built / "output")
    add_page(built)
    try:
        env = environment(tmp_path, built / folder, at=1, action=action) | {"COLUMNS": "400"}
        failed = run_publish(built, env=env)
        no_traceback(failed)
        assert failed.returncode == 2, failed.stderr
        where = (f"cannot write in {folder}/", f"cannot write in {built / folder}/")  # as the path was given
        said = [
            line
            for line in failed.stdout.splitlines() + failed.stderr.splitlines()
            if any(map(line.__contains__, where))
        ]
        assert said and reason in said[0], failed.stdout + failed.stderr
        assert tree(built / "output") == before
        assert not list((built / folder).rglob(".*.tmp"))  # no temporary file left behind
        mended = run_publish(built)
        assert mended.returncode == 0, mended.stderr
        assert len(list((built / "output").glob("20*/*/index.html"))) == 6
    finally:
        (built / "seeds" / "900-nieuw.txt").unlink()
        publish(built)


# --- what the build read ------------------------------------------------------------------------------------


def test_an_edit_saved_during_the_build_is_published_by_the_next_run(tmp_path: Path) -> None:
    """The hook saves a new article once Pelican has read the content (it is writing the home page): that
    publish cannot have it, so the next one (the same command) must build it, not say nothing changed."""
    folder = small_site(tmp_path / "site")
    (tmp_path / "late.md").write_text(LATE, encoding="utf-8")
    script = tmp_path / "hook.sh"
    script.write_text(
        "for i in $(seq 600); do ls output.staging/index.html output.builds/*/index.html >/dev/null 2>&1 "
        f"&& break; sleep 0.05; done; cp {tmp_path / 'late.md'} content/late.md\n",
        encoding="utf-8",
    )
    add_page(folder)  # something to build
    argv = publish_argv()
    argv[argv.index("--digest-web") + 1] = f"sh {script}"
    env = {**os.environ, "SITEURL": SITEURL}
    during = subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True)
    assert during.returncode == 0, during.stderr
    assert (folder / "content" / "late.md").is_file()
    assert not (folder / "output" / "2020" / "laat-artikel" / "index.html").exists()
    script.write_text("true\n", encoding="utf-8")  # the same hook command, which now does nothing
    after = subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True)
    assert after.returncode == 0, after.stderr
    assert NOTHING not in after.stdout
    assert (folder / "output" / "2020" / "laat-artikel" / "index.html").is_file()


# --- rejected pages -----------------------------------------------------------------------------------------


def test_one_rejected_page_among_good_ones_leaves_it_out_and_says_so_last(tmp_path: Path) -> None:
    folder = site_folder(tmp_path / "site")
    write_pages(folder / "seeds", {"leeg.txt": ""})
    done = run_publish(folder)
    no_traceback(done)
    last = "1 page was rejected and is not on the site; see reports/ingest.json"
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines()[-1] == last
    assert "Published output/" in done.stdout
    assert len(list((folder / "output").glob("20*/*/index.html"))) == 15
    again = run_publish(folder)
    assert again.returncode == 1 and NOTHING in again.stdout
    assert again.stderr.strip().splitlines()[-1] == last


# --- children end with their parent -------------------------------------------------------------------------


def descendants(pid: int) -> set[int]:
    """The processes below `pid` (children, grandchildren ...), from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        children = {child for child, ppid in parents.items() if ppid == parent}
        found |= children
        todo += children
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@pytest.mark.parametrize("round_", range(2))
def test_killing_publish_ends_pelican_and_the_digest_hook_and_a_rerun_succeeds(tmp_path: Path, round_):
    folder = site_folder(tmp_path / "site")
    child = start_publish(folder)
    deadline, below = time.monotonic() + 120, set()
    while time.monotonic() < deadline:
        below = descendants(child.pid)
        commands = [_cmdline(pid) for pid in below]
        digest_started = list((folder / "output.builds").glob(".*.digest.lock"))  # it took its locks
        if any("-m pelican" in c for c in commands) and digest_started:
            break
        time.sleep(0.02)
    else:
        pytest.fail(f"Pelican and the digest hook never ran: {child.communicate()}")
    child.send_signal(signal.SIGKILL)
    child.wait()
    deadline = time.monotonic() + 2.0
    while any(map(_alive, below)) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = {pid: _cmdline(pid) for pid in below if _alive(pid)}
    assert left == {}, left
    rerun = run_publish(folder)
    assert rerun.returncode == 0, rerun.stderr
    assert len(list((folder / "output").glob("20*/*/index.html"))) == 15
    assert NOTHING in publish(folder)
