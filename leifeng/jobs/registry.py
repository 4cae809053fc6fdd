"""Where apps declare their background and periodic jobs (in their tasks.py).

@background_job("orgs.export", label=_("Export organisations to Excel"))
def export_organisations(job: Job, *, organisation_id: int) -> JobOutput | None: ...

@periodic_job("notify.deliver_due", every=timedelta(minutes=1))
def deliver_due() -> str: ...
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class JobOutput:
    """A file a job produced, offered for download on its page."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class BackgroundJob:
    name: str
    label: str | Promise
    func: Callable[..., JobOutput | None]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    func: Callable[[], Any]


BACKGROUND: dict[str, BackgroundJob] = {}
PERIODIC: dict[str, PeriodicJob] = {}


def background_job(name: str, *, label: str | Promise) -> Callable:
    def register(func: Callable[..., JobOutput | None]) -> Callable[..., JobOutput | None]:
        BACKGROUND[name] = BackgroundJob(name=name, label=label, func=func)
        return func

    return register


def periodic_job(name: str, *, every: timedelta) -> Callable:
    def register(func: Callable[[], Any]) -> Callable[[], Any]:
        PERIODIC[name] = PeriodicJob(name=name, every=every, func=func)
        return func

    return register


def job_label(name: str) -> str:
    job = BACKGROUND.get(name)
    return str(job.label) if job else name
