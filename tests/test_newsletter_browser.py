"""The issue's whole story in headless Chromium against the real service (uvicorn) and SMTP server (aiosmtpd).

The site is built for SITEURL http://127.0.0.1:<port> and served by the service itself (`serve --site`), so
the browser posts the site's own sign-up block to the service as it would behind the web server.
"""

from __future__ import annotations

import mailbox
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from digestkit import FIXTURE, ROOT, SmtpServer
from newsletterkit import EnvelopeMailbox, environment, link, parsed
from playwright.sync_api import Page
from sitekit import SCREENSHOTS, chromium, nu_errors

from pipeline.bench.unsubscribe import free_port, one_click, running_service
from pipeline.cli import main
from pipeline.digest.config import load_config
from pipeline.newsletter import mail
from pipeline.newsletter.config import newsletter_config

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@dataclass
class Stack:
    siteurl: str
    output: Path
    editions: Path
    database: Path
    mailbox: EnvelopeMailbox
    env: dict[str, str]


def build(root: Path, siteurl: str) -> tuple[Path, Path]:
    """The site (Pelican, publishconf.py), the digest's web pages and editions 28 and 30, for ``siteurl``."""
    env = {**os.environ, "SITEURL": siteurl}
    output, editions = root / "output", root / "editions"
    pelican = [sys.executable, "-m", "pelican", str(FIXTURE), "-o", str(output), "-s", "publishconf.py"]
    subprocess.run([*pelican, "--fatal", "errors"], cwd=ROOT, env=env, check=True, capture_output=True)
    for number in (28, 30):
        digest = [
            sys.executable,
            "-m",
            "pipeline",
            "digest",
            "--content",
            str(FIXTURE),
            "--edition",
            str(number),
        ]
        digest += ["--out", str(editions / str(number)), "--web", str(output)]
        subprocess.run(digest, cwd=ROOT, env=env, check=True, capture_output=True)
    return output, editions


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("nieuwsbrief")
    port = free_port()
    siteurl = f"http://127.0.0.1:{port}"
    output, editions = build(root, siteurl)
    inbox = EnvelopeMailbox()
    database = root / "var" / "subscribers.sqlite"
    with SmtpServer(inbox) as smtp:
        env = environment(database, smtp, siteurl)
        with running_service(env, root / "serve.log", "--site", str(output), port=port):
            yield Stack(siteurl, output, editions, database, inbox, env)


@pytest.fixture(scope="module")
def browser():
    with chromium("--headless") as launched:
        yield launched


def heading(page: Page) -> str:
    return page.locator("h1").inner_text().strip()


def assert_accessible(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"nieuwsbrief-{name}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: {overflow}px of horizontal scrolling"
    violations = Axe().run(page).response["violations"]
    serious = [(v["id"], len(v["nodes"])) for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], name


def test_sign_up_confirm_send_unsubscribe_import_and_bounce(
    stack: Stack, browser, tmp_path, monkeypatch, capsys
):
    for key, value in stack.env.items():
        monkeypatch.setenv(key, value)
    # A reader signs up with the block on the home page, in a browser without JavaScript.
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 900})
    page = context.new_page()
    page.goto(f"{stack.siteurl}/")
    block = page.locator(".signup-block")
    block.get_by_label("E-mailadres").fill("lieke@example.org")
    block.get_by_label("Naam").fill("Lieke de Lezer")
    block.get_by_label("Ja, stuur mij de nieuwsbrief").check()
    block.get_by_role("button", name="Aanmelden").click()
    page.wait_for_load_state()
    assert heading(page) == "Kijk in je mailbox"
    # The confirmation email reaches the SMTP server; its link confirms.
    [confirmation] = stack.mailbox.wait_for(1)
    assert confirmation["To"].addresses[0].addr_spec == "lieke@example.org"
    page.goto(link(confirmation, "nieuwsbrief/bevestigen"))
    assert heading(page) == "Je bent aangemeld"
    assert "lieke@example.org" in page.locator("main").inner_text()
    context.close()
    # The editors' list holds one more reader; edition 30 goes out to both.
    lijst = tmp_path / "lijst.csv"
    lijst.write_text("email,name\nbram@example.org,Bram\n", encoding="utf-8")
    assert main(["subscribers", "import", str(lijst)]) == 0
    assert main(["send", "--edition", "30", "--dir", str(stack.editions / "30")]) == 0
    sent = {m["To"].addresses[0].addr_spec: m for m in stack.mailbox.wait_for(3)[1:]}
    assert sorted(sent) == ["bram@example.org", "lieke@example.org"]
    # Gmail's one-click unsubscribe: POST List-Unsubscribe=One-Click to the header's URL, no cookies.
    unsubscribe = sent["lieke@example.org"]["List-Unsubscribe"].split(">")[0].lstrip("<")
    assert unsubscribe.startswith(f"{stack.siteurl}/nieuwsbrief/afmelden?token=")
    assert sent["lieke@example.org"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert one_click(unsubscribe)[0] == 200
    # The next edition skips her; bram gets it.
    assert main(["send", "--edition", "28", "--dir", str(stack.editions / "28")]) == 0
    assert stack.mailbox.wait_for(4)[3]["To"].addresses[0].addr_spec == "bram@example.org"
    assert len(stack.mailbox.messages) == 4
    # Re-importing a list that holds her does not bring her back.
    lijst.write_text("email,name\nlieke@example.org,Lieke\nbram@example.org,Bram\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["subscribers", "import", str(lijst)]) == 0
    assert "suppressed line 2: lieke@example.org is suppressed (unsubscribed" in capsys.readouterr().out
    # Bram's mailbox is gone: a DSN comes back to the VERP address of edition 28, and `bounces` reads it.
    envelope = stack.mailbox.senders[3]
    assert envelope.startswith("bounces+28-") and envelope.endswith("@sociaalwerk.example.nl")
    dsn = (ROOT / "tests" / "fixtures" / "dsn" / "postfix-hard.eml").read_text(encoding="utf-8")
    dsn = dsn.replace("bounces+30-94a5a65cf57c96ee785b65286e1cc421@sociaalwerk.example.nl", envelope)
    dsn = dsn.replace("anna@example.org", "bram@example.org")
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    box.add(dsn.encode())
    assert main(["bounces", str(tmp_path / "bounces")]) == 0
    assert "suppressed bram@example.org: hard bounce 5.1.1" in capsys.readouterr().out
    assert main(["subscribers", "list"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["send", "--edition", "28", "--dir", str(stack.editions / "28")]) == 0
    assert len(stack.mailbox.messages) == 4  # nobody left to mail
    assert parsed(stack.mailbox.messages[1][1])["List-Id"]


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize(
    "name,path",
    [
        ("voorpagina", "/"),
        ("artikel", "/2023/de-kern-van-het-sociaal-werk/"),
        ("archief", "/nieuwsbrief/"),
        ("aanmelden", "/nieuwsbrief/aanmelden"),
        ("foute-link", "/nieuwsbrief/afmelden?token=0123"),
    ],
)
def test_every_page_with_the_sign_up_is_accessible(stack: Stack, browser, name, path, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    response = page.goto(f"{stack.siteurl}{path}")
    assert response is not None
    assert response.status == (400 if name == "foute-link" else 200)
    if name != "foute-link":
        assert page.locator("form.signup").count() == 1
        assert page.locator("form.signup input[name=website]").is_hidden()  # the honeypot
    assert_accessible(page, f"{name}-{width}")
    assert problems == []
    page.close()


def test_the_menu_links_the_archive_and_web_copies_invite_a_sign_up(stack: Stack, tmp_path):
    home = (stack.output / "index.html").read_text(encoding="utf-8")
    assert f'<a href="{stack.siteurl}/nieuwsbrief/">Nieuwsbrief</a>' in home
    web = (stack.output / "nieuwsbrief" / "30" / "index.html").read_text(encoding="utf-8")
    assert "omdat je je hebt aangemeld" not in web and "Afmelden voor deze nieuwsbrief" not in web
    assert f'href="{stack.siteurl}/nieuwsbrief/aanmelden"' in web
    email = (stack.editions / "30" / "digest.html").read_text(encoding="utf-8")
    assert "omdat je je hebt aangemeld" in email  # the email itself still says why it came
    archive = stack.output / "nieuwsbrief" / "index.html"  # where the menu points
    (tmp_path / "index.html").write_bytes(archive.read_bytes())
    assert nu_errors(tmp_path) == ""  # the archive with its sign-up block (the site's pages: test_site)


@pytest.mark.parametrize("width", [375, 600])
@pytest.mark.parametrize("kind", ["bevestigen", "afscheid"])
def test_the_confirmation_and_goodbye_emails_fit_a_phone_and_fetch_nothing(browser, tmp_path, kind, width):
    config = newsletter_config(load_config(ROOT / "publishconf.py"))
    url = config.url("bevestigen", token="abc")
    subject, html, text = mail.render(config, kind, name="Zoë", confirm_url=url)
    assert subject.startswith(("Bevestig je aanmelding", "Je bent afgemeld")) and "Zoë" in text
    assert (url in text) == (kind == "bevestigen") and 'lang="nl"' in html
    path = tmp_path / f"{kind}.html"
    path.write_text(html, encoding="utf-8")
    requests: list[str] = []
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"nieuwsbrief-mail-{kind}-{width}.png"), full_page=True)
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    page.close()
    assert scroll <= inner
    assert [r for r in requests if not r.startswith("file://")] == []
