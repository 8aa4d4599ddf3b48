"""Why a message was not sent: stored in English, shown in the reader's language."""

from flask_babel import force_locale

from clinic.mail import reasons


def test_a_stored_reason_is_shown_in_chinese_with_the_servers_words_kept(app):
    stored = reasons.reason(reasons.UNREACHABLE, "[Errno 111] Connection refused")
    assert stored == "could not reach the mail server: [Errno 111] Connection refused"

    with force_locale("zh_Hans"):
        assert reasons.shown(stored) == "无法连接邮件服务器：[Errno 111] Connection refused"  # noqa: RUF001
        assert reasons.shown(reasons.reason(reasons.WITHDRAWN)) == "未发送：这位伴侣已没有可用的个人链接"  # noqa: RUF001
        assert reasons.shown("550 5.1.1 <x@example.org>: no such user") == (
            "550 5.1.1 <x@example.org>: no such user")  # the server's own reply, as it gave it
    with force_locale("en"):
        assert reasons.shown(stored) == stored


def test_every_reason_has_its_chinese(app):
    with force_locale("zh_Hans"):
        for template in reasons.TEMPLATES:
            shown = reasons.shown(reasons.reason(template, "421"))
            assert shown and shown != reasons.reason(template, "421"), template
