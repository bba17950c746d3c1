"""Three people in three browsers run a question through all its phases: an organizer (who invites the
moderator by email and keeps the projector screen open), a moderator (console) and a participant."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.pages import sign_in
from tests.support.servers import daphne_servers, organizer_password, sqlite_database

pytestmark = pytest.mark.browser

INVITATION_LINK = re.compile(r"(http://\S+/invitation/\S+/)")


@pytest.fixture(scope="module")
def served():
    with sqlite_database() as env, daphne_servers(env) as (daphne,):
        yield env, daphne


def watch_console(page, errors):
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))


def test_a_question_runs_through_every_phase_on_three_screens(browser, served, artifacts):
    env, server = served
    base = server.base_url
    errors: list[str] = []
    password = organizer_password(env, base, "org@example.org")
    contexts = {
        "organizer": browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en-GB"),
        "moderator": browser.new_context(viewport={"width": 1280, "height": 1000}, locale="fr-FR"),
        "participant": browser.new_context(viewport={"width": 360, "height": 740}, locale="es-AR"),
    }
    organizer, moderator, participant = (contexts[name].new_page() for name in contexts)
    for page in (organizer, moderator, participant):
        watch_console(page, errors)

    # The organizer signs in, sees the join link and QR code, and invites a moderator by email.
    sign_in(organizer, base, email="org@example.org", password=password)
    organizer.goto(f"{base}/r/LED111/organize/")
    expect(organizer.locator(".qr svg")).to_be_visible()
    expect(organizer.locator("#join-url")).to_have_value(f"{base}/r/LED111/")
    organizer.get_by_label("Email").first.fill("mod@example.org")
    organizer.get_by_role("button", name="Send invitation").click()
    expect(organizer.get_by_role("status")).to_have_text("Invitation sent to mod@example.org.")
    invitation = INVITATION_LINK.findall(server.log_path.read_text())[-1]

    # The moderator opens the emailed link (printed on the console in development) and accepts.
    moderator.goto(invitation)
    moderator.get_by_role("button", name="Accepter et ouvrir la console de modération").click()
    expect(moderator.get_by_role("heading", level=1)).to_have_text("Console de modération")
    expect(moderator.locator("#connection-status")).to_have_text("En direct")
    second = moderator.locator("#question-2")
    expect(second.locator("[data-role=state]")).to_have_text("Fermée")

    # The projector screen follows what moderators do.
    screen = contexts["organizer"].new_page()
    watch_console(screen, errors)
    screen.goto(f"{base}/r/LED111/screen/?lang=en")
    expect(screen.locator("#screen-question")).to_contain_text("balanced participation")
    expect(screen.locator(".screen-join")).to_contain_text("LED111")

    # The participant joins in Spanish on a phone.
    participant.goto(f"{base}/r/LED111/")
    participant.locator("#display_name").fill("Ana")
    participant.locator("#actor_type").select_option(label="Gobierno local")
    participant.locator("#language").select_option(label="Español")
    participant.locator("#join-form button[type=submit]").click()
    expect(participant.locator("#connection-status")).to_have_text("En vivo")
    ana_second = participant.locator("#question-2")
    expect(ana_second).to_contain_text("Cerrada")
    # Live presence: the moderator sees who is connected, by actor type, and on which question.
    # One count of participants: connected now, out of those who joined, by actor type.
    expect(moderator.locator("#presence")).to_contain_text(
        "Participants connectés en ce moment : 1 sur 1 (Gouvernement local : 1)"
    )
    expect(moderator.locator("#presence")).to_contain_text("écrans et observateurs : 1")
    expect(moderator.locator("#question-1 [data-role=presence]")).to_contain_text("Sur cette question : 1")
    expect(ana_second.locator("form")).to_be_hidden()

    # Collecting, with pre-moderation: the proposal waits for approval, seen only by its author.
    moderator.get_by_role("tab", name="Question 2").click()
    expect(second).to_be_visible()
    expect(moderator.locator("#question-1")).to_be_hidden()
    # The switches fold away under the phase controls; their summary says which are on.
    second.locator("[data-role=switches-details] summary").click()
    second.get_by_label("Les propositions doivent être approuvées avant d'apparaître").check()
    expect(second.locator("[data-role=switches-on]")).to_have_text("Réglages : validation préalable")
    second.get_by_role("button", name="Propositions ouvertes", exact=True).click()
    expect(ana_second.locator("[data-role=state]")).to_have_text("Recibiendo propuestas")
    expect(screen.locator("#screen-question")).to_contain_text("governance instruments")
    ana_second.get_by_label("Tu propuesta").fill("Consejos territoriales con presupuesto propio")
    ana_second.get_by_role("button", name="Enviar propuesta").click()
    expect(ana_second.locator("[data-role=form-status]")).to_contain_text(
        "Aparecerá cuando la moderación la apruebe"
    )
    expect(ana_second.locator("[data-role=mine]")).to_contain_text("Esperando la aprobación de la moderación")
    expect(ana_second.locator("li.proposal")).to_contain_text("Esperando a la moderación")
    queued = moderator.locator("#queue li").filter(has_text="Consejos territoriales")
    expect(moderator.locator("#queue-pending-title")).to_contain_text("En attente de validation 1")
    expect(screen.locator("#latest")).to_contain_text("No proposals yet.")
    queued.get_by_role("button", name="Approuver").click()
    expect(moderator.locator("#queue-empty")).to_be_visible()
    expect(participant.locator("#notices")).to_contain_text("La moderación aprobó tu propuesta")
    expect(screen.locator("#latest")).to_contain_text("Consejos territoriales con presupuesto propio")
    expect(screen.locator("#latest")).to_contain_text("Ana · Local government")

    # Voting, with a countdown the server ends by itself, moving the question to locked.
    second.get_by_label("Compte à rebours (minutes, facultatif)").fill("0.1")
    second.get_by_label("À la fin, passer à").select_option("locked")
    second.get_by_role("button", name="Vote", exact=True).click()
    expect(ana_second.locator("[data-role=state]")).to_have_text("Votación")
    expect(ana_second.locator("[data-role=countdown]")).to_contain_text("Termina en")
    expect(screen.locator("[data-role=countdown]")).to_contain_text("Ends in")
    expect(ana_second.locator("form")).to_be_hidden()
    proposal = ana_second.locator("li.proposal").filter(has_text="Consejos territoriales")
    proposal.get_by_role("button", name=re.compile("^De acuerdo")).click()
    expect(screen.locator("#top")).to_contain_text("1 agree")
    expect(moderator.locator("#question-2 li.proposal")).to_contain_text("1 d'accord")
    participant.screenshot(path=artifacts / "participant-voting-es-360x740.png", full_page=True)
    moderator.screenshot(path=artifacts / "moderator-console-fr-1280.png", full_page=True)
    screen.screenshot(path=artifacts / "projector-en-1920x1080.png")

    expect(ana_second.locator("[data-role=state]")).to_have_text("Bloqueada", timeout=15000)
    expect(second.locator("[data-role=state]")).to_have_text("Verrouillée")
    expect(screen.locator("[data-role=state]")).to_have_text("Locked")
    # Locked, the question folds away on the phone (question 1 is the open one); it opens on demand.
    expect(ana_second.locator("[data-role=body]")).to_be_hidden()
    ana_second.get_by_role("button", name="Mostrar").click()
    expect(proposal.get_by_role("button", name=re.compile("^De acuerdo"))).to_be_disabled()
    expect(ana_second.locator("[data-role=countdown]")).to_be_hidden()

    # Back to closed; then the organizer reads it all in the audit log.
    second.get_by_role("button", name="Fermée", exact=True).click()
    expect(ana_second.locator("[data-role=state]")).to_have_text("Cerrada")
    organizer.reload()
    log = organizer.locator("#audit-log")
    for action in ("Switches changed", "Phase changed", "Approved", "Countdown ended"):
        expect(log).to_contain_text(action)
    expect(log).to_contain_text("the server (countdown)")
    expect(log).to_contain_text("mod@example.org")
    organizer.screenshot(path=artifacts / "organizer-en-1920x1080.png", full_page=True)

    assert errors == []
    for context in contexts.values():
        context.close()


def test_switches_and_moderation_as_a_participant_sees_them(browser, served):
    env, server = served
    base = server.base_url
    errors: list[str] = []
    password = organizer_password(env, base, "mo2@example.org")
    staff = browser.new_context(locale="en-GB").new_page()
    people = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    ben, cleo = people.new_page(), browser.new_context(locale="en-GB").new_page()
    for page in (staff, ben, cleo):
        watch_console(page, errors)
    sign_in(staff, base, email="mo2@example.org", password=password)
    staff.goto(f"{base}/r/LED111/moderate/")
    first = staff.locator("#question-1")
    staff.get_by_role("tab", name="Question 1").click()
    for page, name, actor in ((ben, "Ben", "Small or medium enterprise"), (cleo, "Cleo", "Citizen")):
        page.goto(f"{base}/r/LED111/")
        page.locator("#display_name").fill(name)
        page.locator("#actor_type").select_option(label=actor)
        page.locator("#language").select_option(label="English")
        page.locator("#join-form button[type=submit]").click()
        expect(page.locator("#connection-status")).to_have_text("Live")

    first.get_by_role("button", name="Collecting proposals", exact=True).click()
    first.locator("[data-role=switches-details] summary").click()
    # Clicked, then checked once the room says so: the console redraws every switch from the question's
    # state when an event arrives, so the first switch's event can redraw the second one unticked for a
    # moment after its click (the second's own event ticks it again).
    for label in ("Anonymous authorship on public screens", "Hide tallies until voting closes"):
        first.get_by_label(label).click()
        expect(first.get_by_label(label)).to_be_checked()
    ben.locator("#question-1").get_by_label("Your proposal").fill("A citizens' budget for every district")
    ben.locator("#question-1").get_by_role("button", name="Send proposal").click()
    seen_by_cleo = cleo.locator("#question-1 li.proposal").filter(has_text="citizens' budget")
    expect(seen_by_cleo).to_contain_text("Anonymous · Small or medium enterprise")
    seen_by_cleo.get_by_role("button", name="Agree", exact=True).click()
    expect(seen_by_cleo).to_contain_text("Votes are hidden until voting closes.")
    in_console = first.locator("li.proposal").filter(has_text="citizens' budget")
    expect(in_console).to_contain_text("by Ben")
    expect(in_console).to_contain_text("1 agree, 0 disagree, 0 pass")

    # Reporting is one press, shown as done.
    seen_by_cleo.get_by_role("button", name="Report").click()
    expect(seen_by_cleo.get_by_role("button", name="Reported")).to_be_disabled()
    expect(in_console).to_contain_text("1 report")

    # Pinned, then hidden with a reason only its author reads, then restored with its vote.
    in_console.get_by_role("button", name="More").click()
    in_console.get_by_role("button", name="Pin").click()
    expect(seen_by_cleo).to_contain_text("Pinned")
    in_console.get_by_role("button", name="Hide").click()
    reason = in_console.get_by_label("Reason the author will see")
    expect(reason).to_be_focused()
    reason.fill("Please split it in two proposals")
    in_console.get_by_role("button", name="Hide").last.click()
    expect(seen_by_cleo).to_have_count(0)
    mine = ben.locator("#question-1 li.proposal").filter(has_text="citizens' budget")
    expect(mine).to_contain_text("Hidden by a moderator · Reason: Please split it in two proposals")
    expect(ben.locator("#notices")).to_have_text("A moderator hid your proposal.")
    first.locator("li.proposal").filter(has_text="citizens' budget").get_by_role(
        "button", name="Restore"
    ).click()
    restored = cleo.locator("#question-1 li.proposal").filter(has_text="citizens' budget")
    expect(restored.get_by_role("button", name="Agree", exact=True)).to_have_attribute("aria-pressed", "true")

    # Locking reveals the tallies to everyone.
    first.get_by_role("button", name="Locked", exact=True).click()
    expect(restored).to_contain_text("1 agree, 0 disagree, 0 pass")
    assert errors == []
    for page in (staff, ben, cleo):
        page.context.close()
