"""Browser steps several tests share: joining through the form, carrying a session cookie into a
browser context, collecting the page's errors, opening the moderator console."""

from playwright.sync_api import expect


def join(page, base_url: str, *, name: str, actor_type_label: str, language_label: str, code: str = "LED111"):
    page.goto(f"{base_url}/r/{code}/")
    # By id: the form is in the browser's language until the person picks theirs.
    page.locator("#display_name").fill(name)
    page.locator("#actor_type").select_option(label=actor_type_label)
    page.locator("#language").select_option(label=language_label)
    page.locator("#join-form button[type=submit]").click()


def cookie_for(context, base_url: str, header: str) -> None:
    """Give a browser context the cookies of a session made over HTTP (http_join, http_login)."""
    for part in header.split("; "):
        name, value = part.split("=", 1)
        context.add_cookies([{"name": name, "value": value, "url": base_url}])


def watch_console(page, errors: list[str]) -> None:
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))


def sign_in(page, base_url: str, *, email: str, password: str) -> None:
    """Through allauth's login form, as a person would."""
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").first.click()


def console_open(browser, base_url: str, cookie: str, errors: list[str], *, locale: str = "en-GB"):
    """A staff member's moderator console at 1440x900, connected: (its context, its page)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale=locale)
    cookie_for(context, base_url, cookie)
    page = context.new_page()
    watch_console(page, errors)
    page.goto(f"{base_url}/r/LED111/moderate/")
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "live")
    return context, page
