"""Configuration defaults; the factory layers instance/config.py, CLINIC_* variables and tests on top."""

from datetime import timedelta

DEV_SECRET_KEY = "dev-only-secret-do-not-use-in-production"  # noqa: S105 - refused outside development


class Defaults:
    SECRET_KEY = DEV_SECRET_KEY
    # True for local development (`make run`): allows the development secret key and plain-HTTP
    # cookies. Never set it on a server.
    DEVELOPMENT = False

    SQLALCHEMY_DATABASE_URI = None  # None: SQLite file in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = 5000
    # A Fernet key: `flask backup` encrypts with it and `flask restore` decrypts (None: plain).
    BACKUP_KEY = None
    # FULL: every commit reaches the disk. Only the test suite, whose databases are thrown
    # away, turns it OFF; a test asserts FULL is what ships.
    SQLITE_SYNCHRONOUS = "FULL"

    SESSION_COOKIE_NAME = "clinic_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = None  # None: secure unless DEVELOPMENT or TESTING
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    IDLE_TIMEOUT_SECONDS = 30 * 60
    # The session (a signed cookie) notes activity at most this often, and the cookie is sent
    # again only when the session changed. Otherwise every response re-sent it, and a request
    # still running when the next page was posted (the note editor's live wording check) could
    # answer last and put back the session as it was before: the post's "Draft saved." lost.
    SESSION_ACTIVITY_STEP = 60
    SESSION_REFRESH_EACH_REQUEST = False
    # A clinician's post that arrived after their session ended waits this long for them to
    # sign in again (clinic/auth/kept.py).
    KEPT_POST_HOURS = 24
    ABSOLUTE_TIMEOUT_SECONDS = 12 * 60 * 60

    # The CSRF token lives as long as the signed-in session (which is bounded above), so that
    # somebody writing for an hour does not lose their text to an expired token.
    WTF_CSRF_TIME_LIMIT = None

    MAX_CONTENT_LENGTH = 1024 * 1024

    RATELIMIT_STORAGE_URI = "memory://"
    # How many worker processes serve the app (None: gunicorn's WEB_CONCURRENCY, else 1). Memory
    # storage with more than one worker is refused outside development: limits would not hold.
    WORKERS = None
    RATELIMIT_HEADERS_ENABLED = False
    # Sign-in limits count refused passwords only (clinic/auth/throttle.py says why each exists).
    LOGIN_LIMIT_PER_ADDRESS = "30 per 15 minutes"  # one address, any account
    LOGIN_LIMIT_PER_ACCOUNT_ADDRESS = "5 per 15 minutes"  # one account from one address
    # One account from browsers it never signed in on, all addresses together: the longest a
    # stranger can keep the real person waiting on a new browser after the attack stops.
    LOGIN_LIMIT_PER_ACCOUNT = "10 per 15 minutes"
    LOGIN_LIMIT_PER_DEVICE = "10 per 15 minutes"  # one browser the account signed in on before
    TRUSTED_DEVICE_DAYS = 90
    # Between password and code: how long the half-signed-in state lasts, and how many codes.
    SIGN_IN_CHALLENGE_SECONDS = 5 * 60
    SIGN_IN_CHALLENGE_ATTEMPTS = 5
    # Wrong codes for one account from browsers it never signed in on, all addresses and
    # challenges together: someone who has the password cannot guess the code by starting
    # challenge after challenge from many addresses. Only a password holder can fill it.
    CODE_LIMIT_PER_ACCOUNT = "10 per hour;30 per day"
    # Mailed account links (clinic/accounts): lifetimes, and how many reset mails an account
    # gets per hour (asking more often sends nothing new; earlier links keep working).
    INVITATION_HOURS = 72
    PASSWORD_RESET_MINUTES = 60
    RESET_MAILS_PER_HOUR = 3
    RESET_LIMIT_PER_ADDRESS = "10 per hour"  # reset requests and link uses per IP address
    PASSWORD_CHANGE_LIMIT = "5 per 15 minutes"  # noqa: S105 - wrong current passwords, per user
    PORTAL_LINK_LIMIT = "20 per 15 minutes"
    # How long a new portal link works, in days (0: until revoked or re-issued).
    PORTAL_LINK_DAYS = 90
    # The portal address in a reminder opens the portal once, within this many days, while the
    # partner's link works; the partner's newer reminder makes older unused ones lapse.
    PORTAL_RETURN_DAYS = 7
    # Where the portal's quick exit sends the partner: unset, the app's own neutral page (/today);
    # a practice may name an everyday outside site instead (its address shows nothing of therapy).
    QUICK_EXIT_URL = None
    # After a quick exit, portal pages opened again in that browser (the back button) show the
    # neutral page for this long instead of anything of the portal.
    QUICK_EXIT_HIDE_SECONDS = 600

    # Number of proxies in front of the app whose X-Forwarded-For is trusted (0: none).
    PROXY_FIX_X_FOR = 0
    # Portal links and other absolute URLs are built from this, never from the Host header.
    BASE_URL = "http://127.0.0.1:5000"

    CASELOAD_PAGE_SIZE = 20
    TIMELINE_PAGE_SIZE = 20

    # When the couple page and the dashboard raise a flag.
    SCALE_DIVERGENCE_THRESHOLD = 3  # partners this many points apart
    SCALE_DROP_THRESHOLD = 2  # a partner fell this many points since the last session
    ATTENTION_INACTIVE_DAYS = 14  # nothing submitted for this many days
    ATTENTION_PAGE_SIZE = 20  # couples per page of the caseload's "Needs attention"
    AUDIT_PAGE_SIZE = 50

    # argon2id cost: m = 19 MiB, t = 2, p = 1 is the OWASP minimum, well above Werkzeug's scrypt
    # default. Only the test suite lowers it (a test asserts these values are what ships).
    PASSWORD_HASH_TIME_COST = 2
    PASSWORD_HASH_MEMORY_COST = 19 * 1024  # KiB
    PASSWORD_HASH_PARALLELISM = 1

    # The background worker (clinic/jobs.py). JOBS_URL (or REDIS_URL) puts Huey's queue in Redis;
    # unset, it is an SQLite file (JOBS_SQLITE_PATH, default instance/jobs.sqlite3).
    REDIS_URL = None
    JOBS_URL = None
    JOBS_SQLITE_PATH = None
    JOBS_NAME = "clinic"
    JOBS_WORKERS = 2
    # The worker lowers its own CPU priority by this much (os.nice): on a machine it shares with
    # the web processes, a page being served goes before mail being sent. 0 leaves it alone.
    JOBS_NICE = 10
    # Linux only: the worker also asks for the idle scheduling class (SCHED_IDLE), so a page
    # being served goes first (jobs.lower_priority). False leaves the class alone.
    JOBS_IDLE_CLASS = True
    JOBS_WAKE = True  # a commit that queues mail wakes the worker instead of waiting a minute

    # Outgoing mail (clinic/mail). MAIL_URL: smtp://user:pass@host:587 (STARTTLS),
    # smtps://user:pass@host:465 (TLS) or smtp://host:25 (plain, local relays only). Unset in
    # development: .eml files in MAIL_DIRECTORY (default instance/mail/).
    MAIL_URL = None
    MAIL_FROM = None  # e.g. "clinic@example.org"; the practice's name is shown as the sender
    MAIL_DIRECTORY = None
    MAIL_SEAL_KEY = None  # a Fernet key; None derives one from SECRET_KEY
    # Keys of the signed notes' seal (HMAC-SHA-256), never stored in the database: key id ->
    # secret (32+ characters). New seals use NOTE_SEAL_KEY_ID; older ids stay to verify old notes.
    # None derives a single key ("derived") from SECRET_KEY.
    NOTE_SEAL_KEYS = None
    NOTE_SEAL_KEY_ID = None
    # Every signed note must carry a keyed seal: one without is shown as broken (someone with
    # database access could otherwise blank the seal and recompute the SHA-256). False only while
    # upgrading an installation whose notes were signed before seals, until `flask seal-notes` ran.
    NOTE_SEALS_REQUIRED = True
    # Fernet key(s) sealing second-factor keys at rest: the first seals, any listed opens (rotation).
    TOTP_SEAL_KEY = None  # None derives one from SECRET_KEY (set it in production: clinic/sealing.py)
    MAIL_MAX_ATTEMPTS = 8
    MAIL_RETRY_SECONDS = 60  # first retry after this; doubling up to MAIL_RETRY_MAX_SECONDS
    MAIL_RETRY_MAX_SECONDS = 6 * 60 * 60
    MAIL_BATCH_SIZE = 20  # messages a worker takes at once (one SMTP connection)
    # After a full batch, the worker rests this many times as long as the batch took before the
    # next (1: busy at most half the time while a large backlog goes out). 0: no rest.
    MAIL_BATCH_REST = 1.0
    MAIL_SMTP_TIMEOUT = 15
    MAIL_TLS_CA_FILE = None  # trust this CA bundle instead of the system's (a private relay)
    # A message taken by a worker that then vanished is taken back after this long. Must exceed
    # MAIL_BATCH_SIZE x MAIL_SMTP_TIMEOUT, so a live worker's batch is never taken from it.
    MAIL_LEASE_SECONDS = 600

    PASSWORD_MIN_LENGTH = 8
    PASSWORD_MAX_LENGTH = 128
