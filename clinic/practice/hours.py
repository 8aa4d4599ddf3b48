"""The practice's clock: its time zone, its opening hours and its local day (no database)."""

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import gettext as _

from ..errors import DomainError


@cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name zoneinfo knows (read from disk once)."""
    return tuple(sorted(available_timezones()))


def zone(name: str) -> ZoneInfo:
    """The IANA zone of that name. Raises DomainError(field="timezone") for anything else."""
    name = (name or "").strip()
    # ZoneInfo alone would also try odd keys such as "../../etc/localtime": only listed names.
    if name not in zone_names():
        raise DomainError(_("Choose a time zone from the list, e.g. Asia/Shanghai."), field="timezone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise DomainError(_("Choose a time zone from the list, e.g. Asia/Shanghai."),
                          field="timezone") from error


@dataclass(frozen=True)
class Hours:
    """When the practice is open, in its own zone. `days` are ISO weekdays (Monday = 1)."""

    zone: ZoneInfo
    opens: time
    closes: time
    days: frozenset[int]

    def local(self, now: datetime) -> datetime:
        return now.astimezone(self.zone)

    def today(self, now: datetime) -> date:
        return self.local(now).date()

    def is_open(self, now: datetime) -> bool:
        local = self.local(now)
        return local.isoweekday() in self.days and self.opens <= local.time() < self.closes


def hours_of(practice) -> Hours:
    return Hours(
        zone=ZoneInfo(practice.timezone),
        opens=practice.opens_at,
        closes=practice.closes_at,
        days=frozenset(int(d) for d in practice.open_days),
    )
