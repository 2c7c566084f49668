"""Sending against a real SMTP server on 127.0.0.1 (aiosmtpd): once per subscriber, whatever happens."""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from digestkit import FIXTURE, ROOT, SECRET, Mailbox, SmtpServer, config

from pipeline.cli import UserError, main
from pipeline.digest import subscribers as db
from pipeline.digest.publish import load_rendered
from pipeline.digest.send import Ledger, Report, Sender, exclusive, send_edition

PEOPLE = [
    ("anna@example.org", "Anna de Vries"),
    ("bram@example.org", 'Bram "de Bouwer" Jansen'),
    ("chantal@example.org", "O'Neill, Chantal"),
    ("dirk@example.org", "Dirk van ‘t Hek"),
    ("eva@example.org", "Zoë Eva Öztürk"),
    ("fatima@example.org", ""),
    ("gert@example.org", "Gert"),
    ("hanna@example.org", "Hanna"),
]


@pytest.fixture(scope="module")
def edition_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("edition30")
    assert main(["digest", "--content", str(FIXTURE), "--out", str(out), "--edition", "30"]) == 0
    return out


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "subscribers.sqlite"
    conn = db.connect(path)
    for email, name in PEOPLE:
        db.add(conn, SECRET.encode(), email, name)
    conn.close()
    return path


def run_send(
    server: SmtpServer,
    database: Path,
    edition_dir: Path,
    *,
    resend_in_doubt: bool = False,
    **settings: object,
) -> Report:
    """One run of the sender with fast retries, as the command runs it."""
    cfg = config(database=database, **{**server.settings(), **settings})
    report = Report()
    conn = db.connect(database)
    sender = Sender(cfg, load_rendered(edition_dir, 30))
    try:
        send_edition(conn, sender, report, resend_in_doubt=resend_in_doubt)
    finally:
        conn.close()
    return report


def send_command(edition_dir: Path, tmp_path: Path, *options: str) -> list[str]:
    """`python -m pipeline send` of edition 30, with settings that send fast (DIGEST_RATE has no env)."""
    settings = tmp_path / "fastconf.py"
    settings.write_text(
        f"from publishconf import *  # noqa: F403\nPATH = {str(ROOT / 'content')!r}\nDIGEST_RATE = 1000.0\n",
        encoding="utf-8",
    )
    return [
        *[sys.executable, "-m", "pipeline", "send", "--edition", "30", "--dir", str(edition_dir)],
        *["--settings", str(settings), *options],
    ]


def assert_exactly_once(mailbox: Mailbox, addresses: list[str]) -> None:
    assert sorted(mailbox.recipients()) == sorted(addresses)


def ledger(database: Path) -> dict[str, str]:
    conn = db.connect(database)
    try:
        return dict(conn.execute("SELECT email, status FROM deliveries WHERE edition = 30").fetchall())
    finally:
        conn.close()


def test_every_subscriber_gets_one_message_with_the_right_headers(edition_dir, database, monkeypatch, capsys):
    with SmtpServer(Mailbox()) as server:
        for key, value in server.environment(database).items():
            monkeypatch.setenv(key, value)
        assert main(["send", "--edition", "30", "--dir", str(edition_dir)]) == 0
    assert "edition 30: 8 accepted now, 0 done before, 0 rejected, 0 in doubt" in capsys.readouterr().out
    assert_exactly_once(server.mailbox, [email for email, _ in PEOPLE])
    tokens = {s.email: s.token for s in db.all_subscribers(db.connect(database))}
    ids = set()
    for message in server.mailbox.parsed():
        to = message["To"].addresses[0]
        token = tokens[to.addr_spec]
        assert dict(PEOPLE)[to.addr_spec] == to.display_name
        unsubscribe = f"https://sociaalwerk.example.nl/nieuwsbrief/afmelden?token={token}"
        assert message["List-Unsubscribe"].strip() == (
            f"<{unsubscribe}>, <mailto:afmelden@sociaalwerk.example.nl?subject=afmelden%20{token}>"
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["From"] == "Redactie Sociaal Werk <redactie@sociaalwerk.example.nl>"
        assert (
            message["Subject"]
            == "Sociaal Werk Magazine · Nummer 3 · 2023: Verbinden, in de wijk en met de gemeente"
        )
        assert parsedate_to_datetime(message["Date"]).tzinfo is not None
        assert re.fullmatch(r"<[^<>@\s]+@sociaalwerk\.example\.nl>", message["Message-ID"])
        ids.add(message["Message-ID"])
        html = message.get_body(("html",)).get_content()
        text = message.get_body(("plain",)).get_content()
        assert f'href="{unsubscribe}"' in html and unsubscribe in text  # the visible link is personal too
        assert "unsubscribe.invalid" not in html + text
    assert len(ids) == len(PEOPLE)
    assert set(ledger(database).values()) == {"accepted"}


def test_a_server_that_drops_the_connection_after_the_message_stops_the_run_and_sends_none_twice(
    edition_dir, database
):
    """Dropped after the end of DATA: in doubt, not sent again by a plain run; three in a row stop the run."""
    mailbox = Mailbox(drop_after=3)
    with SmtpServer(mailbox) as server:
        with pytest.raises(UserError, match="3 deliveries in a row are in doubt"):
            run_send(server, database, edition_dir)
        assert len(mailbox.messages) == 3
        assert sorted(ledger(database).values()) == ["accepted"] * 3 + ["in_doubt"] * 3
        mailbox.drop_after = None
        report = run_send(server, database, edition_dir)
        assert len(report.accepted) == 2 and report.earlier == 3 and len(report.in_doubt) == 3
        assert len(mailbox.messages) == 5  # the three in doubt were not sent again
        report = run_send(server, database, edition_dir, resend_in_doubt=True)  # the editor's choice
    assert len(report.accepted) == 3 and report.in_doubt == []
    assert_exactly_once(mailbox, [email for email, _ in PEOPLE])  # that server had dropped them untaken


def test_a_server_that_is_gone_then_a_new_one(edition_dir, tmp_path):
    database = tmp_path / "subscribers.sqlite"
    conn = db.connect(database)
    for email, name in PEOPLE[:2]:
        db.add(conn, SECRET.encode(), email, name)
    first = Mailbox()
    with SmtpServer(first) as server:
        run_send(server, database, edition_dir)
    for email, name in PEOPLE[2:]:
        db.add(conn, SECRET.encode(), email, name)
    conn.close()
    with pytest.raises(UserError, match="SMTP server unavailable"):
        run_send(server, database, edition_dir)  # nobody listens on that port any more
    second = Mailbox()
    with SmtpServer(second) as other:
        report = run_send(other, database, edition_dir)
    assert len(report.accepted) == 6 and report.earlier == 2
    assert sorted(first.recipients() + second.recipients()) == sorted(email for email, _ in PEOPLE)


def test_a_killed_run_resumes_without_sending_twice(edition_dir, database, tmp_path):
    mailbox = Mailbox(stall_at=4)
    with SmtpServer(mailbox) as server:
        command = send_command(edition_dir, tmp_path)
        env = {**os.environ, **server.environment(database)}
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert mailbox.stalled.wait(timeout=30), "the sender never reached the 4th message"
        process.kill()  # SIGKILL: no cleanup, no chance to write anything more
        process.wait(timeout=10)
        assert len(mailbox.messages) == 3
        assert sorted(ledger(database).values()) == ["accepted"] * 3 + ["sending"]
        mailbox.stall_at = None
        again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 3, again.stderr
    assert "4 accepted now, 3 done before, 0 rejected, 1 in doubt" in again.stdout
    assert again.stderr.startswith("in doubt dirk@example.org: the run sending it was stopped")
    assert_exactly_once(mailbox, [email for email, _ in PEOPLE if email != "dirk@example.org"])


def test_a_permanent_rejection_is_reported_and_the_rest_still_get_theirs(
    edition_dir, database, monkeypatch, capsys
):
    mailbox = Mailbox(reject={"chantal@example.org"})
    with SmtpServer(mailbox) as server:
        for key, value in server.environment(database).items():
            monkeypatch.setenv(key, value)
        assert main(["send", "--edition", "30", "--dir", str(edition_dir)]) == 1
        out = capsys.readouterr()
        assert "rejected chantal@example.org: 550 5.1.1 No such user here" in out.err
        assert "7 accepted now, 0 done before, 1 rejected" in out.out
        assert main(["send", "--edition", "30", "--dir", str(edition_dir)]) == 1  # still refused, still said
        out = capsys.readouterr()
        assert out.err == "rejected chantal@example.org: 550 5.1.1 No such user here\n"
        assert "0 accepted now, 7 done before, 1 rejected, 0 in doubt" in out.out
    assert_exactly_once(mailbox, [email for email, _ in PEOPLE if email != "chantal@example.org"])
    assert ledger(database)["chantal@example.org"] == "rejected"


def test_a_transient_refusal_is_retried(edition_dir, database):
    mailbox = Mailbox(busy={"dirk@example.org"})
    with SmtpServer(mailbox) as server:
        report = run_send(server, database, edition_dir)
    assert len(report.accepted) == 8 and not report.rejected
    assert_exactly_once(mailbox, [email for email, _ in PEOPLE])


def test_dry_run_and_test_to_leave_the_ledger_alone(edition_dir, database, monkeypatch, capsys):
    mailbox = Mailbox()
    with SmtpServer(mailbox) as server:
        for key, value in server.environment(database).items():
            monkeypatch.setenv(key, value)
        assert main(["send", "--edition", "30", "--dir", str(edition_dir), "--dry-run"]) == 0
        assert "would go to 8 subscribers; nothing was sent" in capsys.readouterr().out
        assert (
            main(["send", "--edition", "30", "--dir", str(edition_dir), "--test-to", "redactie@example.org"])
            == 0
        )
        assert mailbox.recipients() == ["redactie@example.org"]
        assert mailbox.parsed()[0]["Subject"].startswith("[TEST] Sociaal Werk Magazine · Nummer 3 · 2023")
        assert ledger(database) == {}
        assert main(["send", "--edition", "30", "--dir", str(edition_dir)]) == 0
    assert len(mailbox.messages) == 1 + len(PEOPLE)


def test_names_and_titles_cannot_inject_headers(edition_dir, tmp_path):
    database = tmp_path / "evil.sqlite"
    conn = db.connect(database)
    db.add(conn, SECRET.encode(), "eve@example.org", "Eve\r\nBcc: victim@example.org\r\nX-Evil: 1")
    conn.close()
    rendered = load_rendered(edition_dir, 30)
    evil = replace(rendered, subject="Nieuws\r\nBcc: victim@example.org\nX-Evil: 2")
    mailbox = Mailbox()
    with SmtpServer(mailbox) as server:
        cfg = config(database=database, **server.settings())
        conn = db.connect(database)
        send_edition(conn, Sender(cfg, evil), Report())
        conn.close()
    assert mailbox.recipients() == ["eve@example.org"]
    raw = mailbox.messages[0][1]
    assert not re.search(rb"^(Bcc|X-Evil):", raw, re.MULTILINE | re.IGNORECASE)
    message = mailbox.parsed()[0]
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert message["Subject"] == "Nieuws Bcc: victim@example.org X-Evil: 2"
    assert message["To"].addresses[0].display_name == "Eve Bcc: victim@example.org X-Evil: 1"


def test_two_sends_at_once_are_refused(tmp_path):
    database = tmp_path / "lock.sqlite"
    with exclusive(database), pytest.raises(UserError, match="another send is running"), exclusive(database):
        pass


def test_sending_an_edition_that_was_not_rendered_says_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DIGEST_DATABASE", str(tmp_path / "db.sqlite"))
    assert main(["send", "--edition", "31", "--dir", str(tmp_path / "nothing")]) == 2
    assert "edition 31 was not rendered" in capsys.readouterr().err


# In doubt (issue 13, "Sending: the promise is 'never twice'"): SMTP cannot tell whether a message was taken
# when the reply to the end of DATA never comes. Such a delivery is recorded, listed and never sent again.


def doubts(report: Report) -> list[str]:
    return sorted(email for email, _ in report.in_doubt)


def test_a_reply_later_than_the_timeout_leaves_the_delivery_in_doubt_and_it_is_not_sent_again(
    edition_dir, database
):
    mailbox = Mailbox(late={"chantal@example.org": 1.5})
    with SmtpServer(mailbox) as server:
        report = run_send(server, database, edition_dir, smtp_data_timeout=0.5)
        assert doubts(report) == ["chantal@example.org"] and len(report.accepted) == 7
        assert "no reply" in dict(report.in_doubt)["chantal@example.org"]
        again = run_send(server, database, edition_dir, smtp_data_timeout=0.5)
    assert again.accepted == [] and doubts(again) == ["chantal@example.org"]
    assert_exactly_once(mailbox, [email for email, _ in PEOPLE])


def test_a_reply_slower_than_a_command_but_within_the_data_timeout_is_a_delivery(edition_dir, database):
    """RFC 5321 4.5.3.2.6: wait long for the reply to the end of DATA, or the message may arrive twice."""
    mailbox = Mailbox(late={"chantal@example.org": 1.0})
    with SmtpServer(mailbox) as server:
        report = run_send(server, database, edition_dir, smtp_timeout=0.4, smtp_data_timeout=3.0)
    assert len(report.accepted) == 8 and report.in_doubt == []
    assert_exactly_once(mailbox, [email for email, _ in PEOPLE])


def test_a_connection_lost_after_the_server_took_the_message_is_in_doubt_in_every_later_run(
    edition_dir, database, monkeypatch, capsys
):
    mailbox = Mailbox(taken_then_dropped={"bram@example.org"})
    with SmtpServer(mailbox) as server:
        for key, value in server.environment(database).items():
            monkeypatch.setenv(key, value)
        command = ["send", "--edition", "30", "--dir", str(edition_dir)]
        for _ in range(3):
            assert main(command) == 3
            out = capsys.readouterr()
            assert out.err.startswith("in doubt bram@example.org: no reply after the end of the message")
            assert "0 rejected, 1 in doubt" in out.out and "--resend-in-doubt" in out.out
            assert "run the same command again" not in out.out + out.err
        assert server.copies()["bram@example.org"] == 1
        assert_exactly_once(mailbox, [email for email, _ in PEOPLE])
        mailbox.taken_then_dropped.clear()
        assert main([*command, "--resend-in-doubt"]) == 0  # an editor who chooses to
        assert "1 accepted now, 7 done before, 0 rejected, 0 in doubt" in capsys.readouterr().out
    assert server.copies()["bram@example.org"] == 2
    assert ledger(database)["bram@example.org"] == "accepted"


def test_a_server_that_drops_one_message_in_ten_after_taking_it(edition_dir, tmp_path):
    database = tmp_path / "lezers.sqlite"
    conn = db.connect(database)
    people = [f"lezer{n:02}@example.org" for n in range(40)]
    for email in people:
        db.add(conn, SECRET.encode(), email)
    conn.close()
    dropped = set(people[5::10])
    mailbox = Mailbox(taken_then_dropped=dropped)
    with SmtpServer(mailbox) as server:
        report = run_send(server, database, edition_dir)
        assert len(report.accepted) == 36 and doubts(report) == sorted(dropped)
        again = run_send(server, database, edition_dir)
    assert again.accepted == [] and again.earlier == 36 and doubts(again) == sorted(dropped)
    assert_exactly_once(mailbox, people)


def send_database(tmp_path: Path, count: int) -> tuple[Path, list[str]]:
    database = tmp_path / "subscribers.sqlite"
    conn = db.connect(database)
    people = [f"lezer{n:02}@example.org" for n in range(count)]
    for n, email in enumerate(people):
        db.add(conn, SECRET.encode(), email, f"Lezer {n}")
    conn.close()
    return database, people


def start_and_wait(command, env, mailbox: Mailbox, more: int) -> subprocess.Popen:
    """A send subprocess, returned once the server has taken ``more`` messages from it (or it ended)."""
    before = len(mailbox.messages)
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while len(mailbox.messages) < before + more and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    return process


def final_run(command, env) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def reported_doubts(stderr: str) -> set[str]:
    return {line.split()[2].rstrip(":") for line in stderr.splitlines() if line.startswith("in doubt ")}


def test_kills_during_a_send_never_send_twice_and_lose_no_one(edition_dir, tmp_path):
    """SIGKILL at random moments (often between the end of a message and the server's reply)."""
    database, people = send_database(tmp_path, 24)
    refused = people[5]
    mailbox = Mailbox(delay=0.03, reject={refused})
    rng = random.Random(13)
    with SmtpServer(mailbox) as server:
        command = send_command(edition_dir, tmp_path)
        env = {**os.environ, **server.environment(database)}
        for _ in range(6):
            process = start_and_wait(command, env, mailbox, rng.randint(1, 3))
            time.sleep(rng.uniform(0, 0.04))
            process.kill()
            process.communicate(timeout=10)
        done = final_run(command, env)
    copies = server.copies()
    statuses = ledger(database)
    in_doubt = {email for email, status in statuses.items() if status == "in_doubt"}
    assert max(copies.values()) == 1, "a duplicate"
    assert set(statuses) == set(people) and statuses[refused] == "rejected" and copies[refused] == 0
    assert {email for email in people if copies[email] == 0} <= in_doubt | {refused}, "lost without a word"
    assert all(copies[email] == 1 for email, status in statuses.items() if status == "accepted")
    assert reported_doubts(done.stderr) == in_doubt
    assert f"rejected {refused}: 550 5.1.1 No such user here" in done.stderr  # whichever run met it
    assert done.returncode == (3 if in_doubt else 1), done.stderr
    now, before, rejected, doubt = map(
        int, re.findall(r"(\d+) (?:accepted now|done before|rejected|in doubt)", done.stdout)
    )
    assert (rejected, doubt) == (1, len(in_doubt)) and now + before + rejected + doubt == len(people)


def test_ctrl_c_and_sigterm_finish_the_message_in_flight_record_it_and_stop(edition_dir, tmp_path):
    database, people = send_database(tmp_path, 24)
    mailbox = Mailbox(delay=0.03)
    rng = random.Random(14)
    with SmtpServer(mailbox) as server:
        command = send_command(edition_dir, tmp_path)
        env = {**os.environ, **server.environment(database)}
        for attempt in range(6):
            process = start_and_wait(command, env, mailbox, rng.randint(1, 3))
            time.sleep(rng.uniform(0, 0.04))
            signum = signal.SIGINT if attempt % 2 else signal.SIGTERM
            process.send_signal(signum)
            out, err = process.communicate(timeout=30)
            if process.returncode == 0:
                break  # it had finished before the signal came
            assert process.returncode == 128 + signum, err
            assert "Traceback" not in err and "stopped" in err
            assert "0 in doubt" in out
            statuses = ledger(database)
            assert set(statuses.values()) == {"accepted"}
            assert sorted(statuses) == sorted(mailbox.recipients())
        done = final_run(command, env)
    assert done.returncode == 0, done.stderr
    assert_exactly_once(mailbox, people)


def test_the_lock_holds_whatever_path_reaches_the_database(
    edition_dir, database, tmp_path, monkeypatch, capsys
):
    link = tmp_path / "link.sqlite"
    link.symlink_to(database)
    monkeypatch.setenv("DIGEST_DATABASE", str(link))
    with SmtpServer(Mailbox()) as server, exclusive(database):
        monkeypatch.setenv("DIGEST_SMTP_PORT", str(server.port))
        monkeypatch.setenv("DIGEST_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("DIGEST_SMTP_SECURITY", "none")
        assert main(["send", "--edition", "30", "--dir", str(edition_dir)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: another send is running on ") and err.count("\n") == 1
        assert server.mailbox.messages == []


def test_a_truncated_edition_is_one_line(edition_dir, database, tmp_path, monkeypatch, capsys):
    broken = tmp_path / "broken"
    broken.mkdir()
    text = (edition_dir / "edition.json").read_text(encoding="utf-8")
    (broken / "edition.json").write_text(text[: len(text) // 2], encoding="utf-8")
    monkeypatch.setenv("DIGEST_DATABASE", str(database))
    assert main(["send", "--edition", "30", "--dir", str(broken)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is damaged" in err and "python -m pipeline digest" in err


def test_a_database_from_before_versioning_is_upgraded_and_its_ledger_kept(edition_dir, tmp_path):
    database = tmp_path / "old.sqlite"
    conn = sqlite3.connect(database)
    conn.executescript(OLD_SCHEMA)
    for email, name in PEOPLE:
        conn.execute(
            "INSERT INTO subscribers VALUES (?, ?, ?)", (email, name, db.token_for(SECRET.encode(), email))
        )
    for email in ("straße@example.org", "STRASSE@example.org"):  # one address after NFKC and casefold
        conn.execute("INSERT INTO subscribers VALUES (?, '', ?)", (email, email))
    conn.execute(
        "INSERT INTO deliveries VALUES (30, 'anna@example.org', 'accepted', '<x@y>', NULL, '', 'now')"
    )
    conn.commit()
    conn.close()
    mailbox = Mailbox()
    with SmtpServer(mailbox) as server:
        report = run_send(server, database, edition_dir)
    assert report.earlier == 1 and len(report.accepted) == 8
    expected = [email for email, _ in PEOPLE if email != "anna@example.org"] + ["straße@example.org"]
    assert_exactly_once(mailbox, expected)
    conn = sqlite3.connect(database)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
    with pytest.raises(sqlite3.IntegrityError, match=r"subscribers\.key is required"):
        conn.execute("INSERT INTO subscribers (email, token) VALUES ('new@example.org', 'x')")
    conn.close()


OLD_SCHEMA = """
CREATE TABLE subscribers (
    email TEXT PRIMARY KEY COLLATE NOCASE,
    name TEXT NOT NULL DEFAULT '',
    token TEXT NOT NULL UNIQUE
);
CREATE TABLE deliveries (
    edition INTEGER NOT NULL,
    email TEXT NOT NULL COLLATE NOCASE,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
    message_id TEXT NOT NULL,
    code INTEGER,
    detail TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    PRIMARY KEY (edition, email)
);
"""


def test_a_broken_database_is_one_line(edition_dir, tmp_path):
    not_a_database = tmp_path / "db.sqlite"
    not_a_database.write_bytes(b"this is no SQLite database, " * 100)
    env = {**os.environ, "DIGEST_DATABASE": str(not_a_database), "DIGEST_SECRET": SECRET}
    for command in (["send", "--edition", "30", "--dir", str(edition_dir)], ["subscribers", "list"]):
        run = subprocess.run(
            [sys.executable, "-m", "pipeline", *command], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
        assert run.stderr.startswith(f"error: cannot use the subscriber database {not_a_database}")


def test_an_unexpected_error_is_one_line_and_its_traceback_only_with_debug(monkeypatch, capsys):
    """No traceback reaches a user; a fault of ours (here: one planted) says so in one line."""
    from pipeline.commands import subscribers as command

    def broken(conn, args):
        raise RuntimeError("planted")

    monkeypatch.setitem(command.ACTIONS, "list", broken)
    assert main(["subscribers", "list"]) == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "RuntimeError: planted" in err
    assert "--debug" in err and "Traceback" not in err
    assert main(["--debug", "subscribers", "list"]) == 70
    err = capsys.readouterr().err
    assert err.startswith("Traceback") and "RuntimeError: planted" in err


def test_two_runs_cannot_claim_one_recipient_even_without_the_lock(database):
    conn = db.connect(database)
    first, second = Ledger(conn, 30), Ledger(conn, 30)
    anna = next(s for s in first.pending() if s.email == "anna@example.org")
    assert first.claim(anna, "<1@x>") and not second.claim(anna, "<2@x>")
    first.settle(anna, "<1@x>", "in_doubt", detail="no reply")
    assert not second.claim(anna, "<3@x>")  # a plain run never takes a delivery in doubt
    assert anna in second.pending(resend_in_doubt=True) and second.claim(anna, "<4@x>")
    conn.close()


def test_one_ctrl_c_waits_for_a_slow_reply_and_a_second_stops_at_once(edition_dir, database, tmp_path):
    mailbox = Mailbox(late={"dirk@example.org": 1.5})
    with SmtpServer(mailbox) as server:
        command = send_command(edition_dir, tmp_path)
        env = {**os.environ, **server.environment(database)}
        process = start_and_wait(command, env, mailbox, 4)  # dirk's message is taken, its reply 1.5 s away
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
        assert process.returncode == 130, err
        assert "4 accepted now, 0 done before, 0 rejected, 0 in doubt" in out
        assert ledger(database) == dict.fromkeys(mailbox.recipients(), "accepted")
        assert len(mailbox.messages) == 4  # nothing begun after the signal

        mailbox.late = {"eva@example.org": 5.0}
        process = start_and_wait(command, env, mailbox, 1)  # eva's message is taken, its reply 5 s away
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
        assert time.monotonic() - started < 2, "the second Ctrl-C did not stop at once"
        assert process.returncode == 130 and err.splitlines()[-1] == "interrupted", err
        assert "0 accepted now, 4 done before, 0 rejected, 1 in doubt" in out
        assert ledger(database)["eva@example.org"] == "in_doubt"

        mailbox.late = {}
        done = final_run(command, env)
    assert done.returncode == 3 and reported_doubts(done.stderr) == {"eva@example.org"}, done.stderr
    assert_exactly_once(mailbox, [email for email, _ in PEOPLE])  # eva's one copy came from the run stopped


def test_an_address_the_relay_cannot_take_fails_for_that_recipient_only(edition_dir, database):
    """A local part in another script needs SMTPUTF8, which this relay does not offer."""
    conn = db.connect(database)
    db.add(conn, SECRET.encode(), "zoë@example.org", "Zoë")
    conn.close()
    with SmtpServer(Mailbox(), smtputf8=False) as server:
        report = run_send(server, database, edition_dir)
    [(email, reply)] = report.rejected
    assert email == "zoë@example.org" and reply.startswith("553 ") and "SMTPUTF8" in reply
    assert_exactly_once(server.mailbox, [email for email, _ in PEOPLE])
    assert ledger(database)["zoë@example.org"] == "rejected"


@pytest.mark.parametrize("address", ["x@y", "anna@example..org", "anna@@example.org", "anna@example.org>"])
def test_addresses_that_are_not_addresses_are_refused(tmp_path, address):
    conn = db.connect(tmp_path / "s.sqlite")
    with pytest.raises(UserError, match="not an email address"):
        db.add(conn, SECRET.encode(), address, "")
    conn.close()
