"""The analyst flow in a real headless Chromium (Playwright) against `screening serve`.

Analyst ana logs in, uploads a batch, waits for the live progress to finish, opens the hit,
sees the screened party and the list entity side by side with the explanation, decides "true
match" and logs out; supervisor sue logs in, approves in the four-eyes queue, sees the hit
closed and the audit chain. Screenshots of the main pages go to test-artifacts/browser/.
Skipped only when /usr/bin/chromium is missing AND the CI variable is not set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.helpers import PASSWORD, UN_NAME
from tests.conftest import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = REPO_ROOT / "test-artifacts" / "browser"

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install "
                "chromium, or run under CI=true where it is required)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page: Page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("span.who")).to_have_text(name)


def test_analyst_and_supervisor_flow(served: str, browser: Browser, tmp_path: Path) -> None:
    batch = tmp_path / "payments.csv"
    batch.write_text("transaction_id,originator_name,originator_country,beneficiary_name\n"
                     f"b1,{UN_NAME},EG,Anna Peeters\nb2,Jean Dupont,BE,Marc Lemaire\n",
                     encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(30_000)

    log_in(page, served, "ana")
    expect(page).to_have_url(f"{served}/batches")
    shot(page, "01-batches")
    page.locator("input[name=file]").set_input_files(str(batch))
    page.get_by_role("button", name="Upload and screen").click()
    expect(page.locator("p.flash.ok")).to_contain_text("queued")
    expect(page.locator("#batch td.status")).to_have_text("done", timeout=60_000)
    shot(page, "02-batch-done")

    page.get_by_role("link", name="Review the hits of this batch").click()
    expect(page.locator("main")).to_contain_text("1 hit(s)")
    shot(page, "03-hit-queue")
    page.locator("a[href^='/hits/']").first.click()
    expect(page.locator("#party")).to_contain_text(UN_NAME)
    expect(page.locator("#entity")).to_contain_text("AIMAN MUHAMMED RABI AL-ZAWAHIRI")
    expect(page.locator("#entity")).to_contain_text("1951-06-19")
    expect(page.locator("#explanation")).to_contain_text("token alignment")
    shot(page, "04-hit-side-by-side")
    hit_url = page.url

    page.locator("input[name=outcome][value=true_match]").check()
    page.locator("select[name=reason_code]").select_option("TM_CONFIRMED")
    page.locator("#decide textarea[name=comment]").fill("Name and nationality confirm him.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator("p.flash.ok")).to_have_text("Decision recorded.")
    expect(page.locator("#hit-status")).to_have_text("pending_approval")
    shot(page, "05-decided")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{served}/login")

    log_in(page, served, "sue")
    page.goto(f"{served}/approvals")
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("ana")
    shot(page, "06-approval-queue")
    row.locator("input[name=comment]").fill("Agreed, true match.")
    row.get_by_role("button", name="Approve").click()
    expect(page.locator("p.flash.ok")).to_contain_text("the hit is closed")
    expect(page.locator("main")).to_contain_text("Nothing waits for approval.")

    page.goto(hit_url)
    expect(page.locator("#hit-status")).to_have_text("closed")
    expect(page.locator("#history")).to_contain_text("approved")
    shot(page, "07-hit-closed")
    page.goto(f"{served}/audit")
    expect(page.locator("#chain")).to_contain_text("chain intact")
    for action in ("batch.upload", "alert.decide", "alert.approve", "login.success"):
        expect(page.locator("table")).to_contain_text(action)
    shot(page, "08-audit")
    page.goto(f"{served}/lists")
    expect(page.locator("table")).to_contain_text("un_sc")
    shot(page, "09-lists")
    page.close()
