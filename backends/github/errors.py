"""The GitHub client's errors and what they say: a failed request (GitHubError), a 5xx
read worth another try (ServerError), a rate limit (RateLimited), and the message GitHub
gave in an error answer. Re-exported from backends.github.client."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from backends.models import RateLimit

if TYPE_CHECKING:
    import httpx


class GitHubError(Exception):
    """A request failed. The message says why, and where (the host, the method and the
    path): "HTTP 401 from api.github.com: Bad credentials, in GET actions/…/runs"."""

    SAYS_WHAT = True  # its message reads as a cause: describe_error adds no class name


class ServerError(GitHubError):
    """A 5xx answer to a read: worth another try, within the retry budget."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class RateLimited(GitHubError):
    """No request until `until`. What it says promises only what will happen: a poll
    that comes again is "retrying in"; a command that reads and exits (`polled` False)
    is limited "until"; a write is never sent again by itself: "not sent; try after"."""

    over = "The GitHub rate limit is over"  # what a dialog says once `until` has passed

    def __init__(
        self,
        until: datetime,
        budget: RateLimit | None,
        now: datetime,
        *,
        write: bool = False,
        polled: bool = True,
    ) -> None:
        at = f"{until:%H:%M:%S}Z"
        if write:
            said = f"GitHub: rate limited; not sent; try after {at}"
        elif polled:
            wait = max(0, int((until - now).total_seconds() + 0.999))
            said = f"GitHub rate limit: retrying in {wait}s (at {at})"
        else:
            said = f"GitHub: rate limited until {at}"
        if budget is not None and budget.remaining is not None:
            said += f"; {budget.remaining}/{budget.limit if budget.limit is not None else '?'} left"
        super().__init__(said)
        self.until = until


def message_of(resp: httpx.Response) -> str:
    """What GitHub said in an error answer: its JSON `message`, else the reason phrase."""
    try:
        doc = resp.json()
    except ValueError:
        return resp.reason_phrase
    if isinstance(doc, dict) and isinstance(doc.get("message"), str):
        return str(doc["message"])[:200]
    return resp.reason_phrase
