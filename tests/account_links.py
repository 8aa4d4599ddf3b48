"""Finding the invitation or reset link in a mail the local SMTP server received."""

import re

ACCOUNT_LINK = re.compile(r"https?://[^/\s]+(/accounts/(?:invitation|reset)/([A-Za-z0-9_\-]+))")


def account_link(mail) -> tuple[str, str]:
    """(path, token) of the one invitation or reset link in a message."""
    [found] = ACCOUNT_LINK.findall(mail.get_content())
    return found
