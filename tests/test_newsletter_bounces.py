"""Suppression and bounces as an editor meets them: VERP at send, a 5xx, DSNs in Maildir or mbox, imports."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest
from digestkit import FIXTURE, ROOT, SECRET, SmtpServer
from newsletterkit import EnvelopeMailbox

from pipeline.cli import main
from pipeline.digest import subscribers as db
from pipeline.newsletter.bounces import verp

DSN = ROOT / "tests" / "fixtures" / "dsn"
PEOPLE = ("anna@example.org", "bram@example.org", "chantal@example.org", "dirk@example.org")


@pytest.fixture(scope="module")
def edition_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("edition30")
    assert main(["digest", "--content", str(FIXTURE), "--out", str(out), "--edition", "30"]) == 0
    return out


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "subscribers.sqlite"
    monkeypatch.setenv("DIGEST_DATABASE", str(path))
    monkeypatch.setenv("DIGEST_SECRET", SECRET)
    conn = db.connect(path)
    for address in PEOPLE:
        db.add(conn, SECRET.encode(), address)
    conn.close()
    return path


def subscribed(database: Path) -> list[str]:
    conn = db.connect(database)
    try:
        return [s.email for s in db.all_subscribers(conn)]
    finally:
        conn.close()


def ledger(database: Path, *rows: tuple[int, str, str]) -> None:
    """Deliveries as `send` records them: (edition, address, Message-ID), accepted."""
    conn = db.connect(database)
    for edition, address, message_id in rows:
        conn.execute(
            "INSERT INTO deliveries (edition, key, email, status, message_id, at) "
            "VALUES (?, ?, ?, 'accepted', ?, ?)",
            (edition, db.address_key(address), address, message_id, "2023-12-30T08:00:00+00:00"),
        )
    conn.close()


def soft(edition: int) -> bytes:
    return (DSN / "soft.eml.in").read_bytes().replace(b"EDITION", str(edition).encode())


def test_send_uses_verp_and_a_5xx_is_never_mailed_again(edition_dir, database, tmp_path, monkeypatch, capsys):
    inbox = EnvelopeMailbox(reject={"chantal@example.org"})
    with SmtpServer(inbox) as server:
        for key, value in server.environment(database).items():
            monkeypatch.setenv(key, value)
        assert main(["send", "--edition", "30", "--dir", str(edition_dir)]) == 1
        assert "rejected chantal@example.org: 550 5.1.1 No such user here" in capsys.readouterr().err
        tokens = {a: db.token_for(SECRET.encode(), a) for a in PEOPLE}
        expected = [verp("bounces@sociaalwerk.example.nl", 30, tokens[a]) for a in sorted(inbox.recipients())]
        assert inbox.senders == expected  # bounces+30-<token>@sociaalwerk.example.nl, one per recipient
        assert "chantal@example.org" not in subscribed(database)
        assert main(["subscribers", "add", "chantal@example.org"]) == 2
        assert "chantal@example.org is suppressed (rejected" in capsys.readouterr().err
        lijst = tmp_path / "lijst.csv"
        lijst.write_text("email,name\nChantal@example.org,Chantal\nerik@example.org,Erik\n", encoding="utf-8")
        assert main(["subscribers", "import", str(lijst)]) == 0
        out = capsys.readouterr().out
        assert "suppressed line 2: Chantal@example.org is suppressed (rejected" in out
        assert "imported 1 new subscriber from" in out and "1 suppressed and not added back" in out
        assert main(["send", "--edition", "30", "--dir", str(edition_dir)]) == 1  # chantal: still listed
    assert sorted(inbox.recipients()) == [
        "anna@example.org",
        "bram@example.org",
        "dirk@example.org",
        "erik@example.org",
    ]


def test_dsns_in_a_maildir_suppress_hard_bounces_and_soft_ones_in_a_row(database, tmp_path, capsys):
    bram_id = "<5e5e5e5e5e5e5e5e5e5e.nr30@sociaalwerk.example.nl>"
    ledger(
        database,
        (30, "bram@example.org", bram_id),
        *((n, "chantal@example.org", f"<c{n}@x>") for n in (28, 29, 30)),
    )
    folder = tmp_path / "bounces"
    box = mailbox.Maildir(folder, create=True)
    box.add((DSN / "postfix-hard.eml").read_bytes())
    box.add(
        (DSN / "exchange-hard-no-verp.eml").read_bytes().replace(b"<MESSAGE_ID_OF_BRAM>", bram_id.encode())
    )
    box.add((DSN / "vacation.eml").read_bytes())
    box.add(soft(28))
    box.add(soft(29))
    assert main(["bounces", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "suppressed anna@example.org: hard bounce 5.1.1" in out  # found by its VERP address
    assert "suppressed bram@example.org: hard bounce 5.1.10" in out  # by its Message-ID in the ledger
    assert f"{folder}: 5 read: 2 suppressed, 2 soft, 1 not a bounce" in out
    assert subscribed(database) == ["chantal@example.org", "dirk@example.org"]  # 2 soft bounces of 3
    box.add(soft(30))
    assert main(["bounces", str(folder)]) == 0  # the same mailbox again, with one more
    out = capsys.readouterr().out
    assert "suppressed chantal@example.org: soft bounce 4.2.2" in out
    assert "1 suppressed" in out
    assert subscribed(database) == ["dirk@example.org"]
    assert main(["bounces", str(folder)]) == 0  # and again: nothing changes
    assert capsys.readouterr().out == f"{folder}: 6 read: 4 already suppressed, 1 unknown, 1 not a bounce\n"
    assert subscribed(database) == ["dirk@example.org"]


def test_soft_bounces_that_are_not_in_a_row_do_not_suppress(database, tmp_path, capsys):
    ledger(database, *((n, "chantal@example.org", f"<c{n}@x>") for n in (27, 28, 29, 30)))
    box = tmp_path / "bounces.mbox"
    mbox = mailbox.mbox(box, create=True)
    for edition in (27, 28, 30):  # 29 arrived
        mbox.add(soft(edition))
    mbox.flush()
    assert main(["bounces", str(box)]) == 0
    assert "3 read: 3 soft" in capsys.readouterr().out
    assert "chantal@example.org" in subscribed(database)


def test_a_missing_mailbox_is_one_line(database, tmp_path, capsys):
    assert main(["bounces", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.startswith("error: no Maildir or mbox file at")
    (tmp_path / "plain").mkdir()
    assert main(["bounces", str(tmp_path / "plain")]) == 2
    assert "not a Maildir" in capsys.readouterr().err


def test_export_and_erase_one_person(database, tmp_path, monkeypatch, capsys):
    import json

    ledger(database, (30, "anna@example.org", "<a@x>"))
    capsys.readouterr()
    assert main(["subscribers", "export", "anna@example.org"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["subscriber"][0]["email"] == "anna@example.org"
    assert [d["edition"] for d in data["deliveries"]] == [30]
    assert main(["subscribers", "erase", "Anna@example.org"]) == 0
    assert "erased 2 records" in capsys.readouterr().out
    assert main(["subscribers", "export", "anna@example.org"]) == 0
    after = json.loads(capsys.readouterr().out)
    assert after["subscriber"] == after["deliveries"] == after["consent"] == []
    assert [s["reason"] for s in after["suppression"]] == ["erased"]  # under the token; the address is gone
    conn = db.connect(database)
    dump = "\n".join(conn.iterdump())
    conn.close()
    assert "anna@example.org" not in dump.lower()
    lijst = tmp_path / "oud.csv"
    lijst.write_text("email\nanna@example.org\n", encoding="utf-8")
    assert main(["subscribers", "import", str(lijst)]) == 0
    assert "anna@example.org" not in subscribed(database)
