"""The owner's Mail page: the reply-to address (checked, kept on error) and undelivered mail."""

from clinic.extensions import db
from clinic.mail.delivery import deliver_due


def test_replies_go_to_the_address_the_owner_sets(app, make_user, signed_in, queue, smtp_server):
    app.config["MAIL_URL"] = smtp_server.url
    owner = make_user(role="owner")
    browser = signed_in(owner)

    saved = browser.post("/mail/", data={"reply_to": "front-desk@harbour.example"})
    assert saved.status_code == 302
    assert 'value="front-desk@harbour.example"' in browser.get("/mail/").get_data(as_text=True)

    queue(practice_id=owner.practice_id)
    deliver_due()
    [mail] = smtp_server.mailbox.wait_for(1)
    assert mail["Reply-To"] == "front-desk@harbour.example"


def test_a_mistyped_reply_to_is_refused_beside_the_field_and_kept(app, make_user, signed_in):
    owner = make_user(role="owner")
    browser = signed_in(owner)

    response = browser.post("/mail/", data={"reply_to": "front-desk@"})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="front-desk@"' in page and "Invalid email address" in page
    db.session.refresh(owner.practice)
    assert owner.practice.reply_to is None


def test_without_failures_the_owner_is_told_everything_arrived(app, make_user, signed_in):
    browser = signed_in(make_user(role="owner"))
    assert "Every message so far was delivered." in browser.get("/mail/").get_data(as_text=True)
