"""Sending against a real SMTP server on 127.0.0.1 (aiosmtpd): once per subscriber, whatever happens."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from digestkit import FIXTURE, ROOT, SECRET, Mailbox, SmtpServer, config

from pipeline.cli import UserError, main
from pipeline.digest import subscribers as db
from pipeline.digest.publish import load_rendered
from pipeline.digest.send import Report, Sender, exclusive, send_edition

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


def run_send(server: SmtpServer, database: Path, edition_dir: Path) -> Report:
    """One run of the sender with fast retries, as the command runs it."""
    cfg = config(database=database, **server.settings())
    report = Report()
    conn = db.connect(database)
    try:
        send_edition(conn, Sender(cfg, load_rendered(edition_dir, 30)), report)
    finally:
        conn.close()
    return report


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
    assert "edition 30: 8 accepted now, 0 done before, 0 rejected" in capsys.readouterr().out
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


def test_a_server_that_drops_the_connection_then_a_second_run_sends_each_once(edition_dir, database):
    mailbox = Mailbox(drop_after=3)
    with SmtpServer(mailbox) as server:
        with pytest.raises(UserError, match="run the same command again to resume"):
            run_send(server, database, edition_dir)
        assert len(mailbox.messages) == 3 and len(ledger(database)) == 3
        mailbox.drop_after = None
        report = run_send(server, database, edition_dir)
    assert len(report.accepted) == 5 and report.earlier == 3
    assert_exactly_once(mailbox, [email for email, _ in PEOPLE])


def test_a_server_that_is_gone_then_a_new_one(edition_dir, database):
    first = Mailbox(drop_after=2)
    with SmtpServer(first) as server, pytest.raises(UserError):
        run_send(server, database, edition_dir)
    with pytest.raises(UserError, match="SMTP server unavailable"):
        run_send(server, database, edition_dir)  # nobody listens on that port any more
    second = Mailbox()
    with SmtpServer(second) as other:
        run_send(other, database, edition_dir)
    assert sorted(first.recipients() + second.recipients()) == sorted(email for email, _ in PEOPLE)


def test_a_killed_run_resumes_without_sending_twice(edition_dir, database):
    mailbox = Mailbox(stall_at=4)
    with SmtpServer(mailbox) as server:
        env = {**os.environ, **server.environment(database)}
        command = [sys.executable, "-m", "pipeline", "send", "--edition", "30", "--dir", str(edition_dir)]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert mailbox.stalled.wait(timeout=30), "the sender never reached the 4th message"
        process.kill()  # SIGKILL: no cleanup, no chance to write anything more
        process.wait(timeout=10)
        assert len(mailbox.messages) == 3 and len(ledger(database)) == 3
        mailbox.stall_at = None
        again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    assert "5 accepted now, 3 done before" in again.stdout
    assert_exactly_once(mailbox, [email for email, _ in PEOPLE])


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
        assert main(["send", "--edition", "30", "--dir", str(edition_dir)]) == 0
        assert "0 accepted now, 8 done before" in capsys.readouterr().out
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


def test_an_address_the_relay_cannot_take_fails_for_that_recipient_only(edition_dir, database):
    """A local part in another script needs SMTPUTF8, which this relay does not offer."""
    conn = db.connect(database)
    db.add(conn, SECRET.encode(), "zoë@example.org", "Zoë")
    conn.close()
    with SmtpServer(Mailbox(), smtputf8=False) as server:
        report = run_send(server, database, edition_dir)
    assert [(email, code) for email, code, _ in report.rejected] == [("zoë@example.org", 553)]
    assert "SMTPUTF8" in report.rejected[0][2]
    assert_exactly_once(server.mailbox, [email for email, _ in PEOPLE])
    assert ledger(database)["zoë@example.org"] == "rejected"


@pytest.mark.parametrize("address", ["x@y", "anna@example..org", "anna@@example.org", "anna@example.org>"])
def test_addresses_that_are_not_addresses_are_refused(tmp_path, address):
    conn = db.connect(tmp_path / "s.sqlite")
    with pytest.raises(UserError, match="not an email address"):
        db.add(conn, SECRET.encode(), address, "")
    conn.close()
