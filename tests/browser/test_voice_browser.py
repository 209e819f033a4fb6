"""A visitor talks to the agent through the widget, in headless Chromium with a WAV file as its microphone."""

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from aurion.services.knowledge import create_article
from aurion.voice.audio import to_wav
from tests.browser.conftest import BrowserPage, host_page, snippet
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS
from tests.support.speech import ARTICLES, spoken
from tests.widget import built_bundle

pytestmark = pytest.mark.browser

ANSWER_TIMEOUT_MS = 30000


@pytest.fixture
def talking_browser(chromium, tmp_path):
    """A second Chromium whose microphone says "How do I reset my password?" once (after 0.5 s of silence)."""
    wav = tmp_path / "question.wav"
    wav.write_bytes(to_wav(spoken("How do I reset my password?", lead=0.5, tail=3.0)))
    browser = chromium.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_FLAGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}%noloop",
            "--autoplay-policy=no-user-gesture-required",
        ],
    )
    yield browser
    browser.close()


@pytest.fixture
def shop(make_tenant):
    widget = make_tenant("acme", allowed_domains=["localhost"], allow_anonymous=True)[1]
    for article in ARTICLES:
        create_article(widget, article)
    return widget


def test_a_spoken_question_then_a_typed_follow_up(talking_browser, host_site, live_server, shop):
    built_bundle()
    context = talking_browser.new_context()
    page = BrowserPage(context.new_page())
    agent_audio = []
    page.on(
        "websocket",
        lambda socket: "/widget/voice" in socket.url
        and socket.on("framereceived", lambda payload: isinstance(payload, bytes) and agent_audio.append(len(payload))),
    )
    try:
        url = host_site.add("/", host_page(snippet(live_server, shop.public_id, data_voice_processing="off")))
        page.goto(url)
        widget = page.locator("aurion-widget")
        widget.locator(".launcher").click()
        panel = widget.locator("[role=dialog]")
        panel.locator(".mic").click()
        expect(panel.locator(".voice")).to_be_visible()

        # The transcript and the agent's answer appear in the message list; its voice plays.
        expect(panel.locator(".msg.user").first).to_contain_text("password", timeout=ANSWER_TIMEOUT_MS)
        expect(panel.locator(".msg.agent", has_text="reset link")).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
        expect(panel.locator(".voice .state")).to_have_text("Speaking…", timeout=ANSWER_TIMEOUT_MS)
        for _ in range(50):  # the answer streams in at about real time
            if sum(agent_audio) > 32000:
                break
            page.wait_for_timeout(100)
        assert sum(agent_audio) > 32000, "the agent's voice did not reach the page"

        # Mid-call, the visitor types a follow-up; the agent answers in context.
        answers = panel.locator(".msg.agent").count()  # the greeting and the spoken answer
        box = panel.locator("textarea")
        box.fill("And how long is that link valid?")
        box.press("Enter")
        follow_up = panel.locator(".msg.agent").nth(answers)
        expect(follow_up).to_have_attribute("aria-busy", "false", timeout=ANSWER_TIMEOUT_MS)
        expect(follow_up).to_contain_text("one hour")
        panel.locator(".voice .hang-up").click()
        expect(panel.locator(".voice")).to_have_count(0)
        expect(panel.locator(".mic")).to_be_visible()

        token = page.evaluate(f"JSON.parse(localStorage.getItem('aurion:{shop.public_id}')).token")
    finally:
        context.close()
    request = urllib.request.Request(live_server + "/api/v1/widget/history", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        messages = json.loads(response.read())["messages"]
    assert [(m["sender"], m["mode"]) for m in messages] == [("user", "voice"), ("agent", "voice"), ("user", "chat"), ("agent", "chat")]
