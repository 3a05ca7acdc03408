"""A browser's moves through the test client: forms are read from the page and posted with the
CSRF token they carry, as a person's browser would send them."""

import re

from django.test import Client


def browser_for(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def csrf_of(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def post_form(browser: Client, url: str, action: str | None = None, **fields):
    """Open ``url``, then post the form whose action is ``action`` (the page's own address if none),
    with its hidden fields and ``fields``."""
    html = browser.get(url).content.decode()
    target = action or url.split("?")[0]
    hidden = {}
    form = re.search(rf'<form[^>]*action="{re.escape(target)}"[^>]*>(.*?)</form>', html, re.S)
    for name, value in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1) if form else html
    ):
        hidden[name] = value
    hidden.setdefault("csrfmiddlewaretoken", csrf_of(html))
    return browser.post(target, {**hidden, **fields})
