"""`g`: request break-glass access. Subject, role, reason, TTL (default 30m), step-up code
(masked, as a password: its label counts the digits typed).

The screen never calls a backend: on submit it posts `GrantScreen.Submitted` with the
request; the App runs it through the GrantSource and then either closes the screen or
calls `show_error`, which keeps every field as typed so nothing is lost. The roles the
policy lets this actor grant, the App pushes in (`set_roles`) once the source has said;
until then (or with a source that cannot say) the role is an example, marked as such.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from backends.models import Grant, GrantRequest
from tui.requests import DEFAULT_TTL, BadInput, grant_request
from tui.screens.field import Field
from tui.screens.form import ActionForm, enter_binding
from tui.screens.form_foot import FormFoot

FIELDS = ("subject", "role", "reason", "ttl", "code")
EXAMPLE_ROLE = "sre-oncall"
CODE_DIGITS = 6  # a TOTP code (backends/stepup_totp.py)
CODE_LABEL = f"step-up code ({CODE_DIGITS} digits from your authenticator)"
# Placeholders are examples ("e.g. …") or say what goes there: an empty field never looks
# filled in (a dim 123456 read as a step-up code already typed).


class GrantScreen(ActionForm[Grant | None]):
    INPUTS = FIELDS
    SUBMIT_ID = "grant"
    ERROR_ID = "grant-error"
    DEFAULT_CSS = """
    GrantScreen { align: center middle; }
    #grant-box {
        width: 76; height: auto; padding: 1 2;
        max-width: 100%; max-height: 100%; overflow-y: auto;  /* 80x24 scrolls, keeps every field */
        border: round $accent; background: $surface;
    }
    #grant-box Label { color: $text-muted; }
    #grant-box Input { background: $boost; }
    #grant-box .hint { color: $text-muted; margin-bottom: 1; }
    #grant-error { height: auto; margin-top: 1; }
    #grant-buttons { height: auto; margin-top: 1; }
    #grant-buttons Button { margin-right: 2; }
    GrantScreen.-short #grant-box .hint { margin-bottom: 0; }  /* 80x24: no blank lines */
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        enter_binding("grant.enter"),
        Binding("escape", "cancel", "Cancel", id="grant.cancel", priority=True),
    ]

    class Submitted(Message):
        """Please grant this (the App answers with dismiss or show_error)."""

        def __init__(self, screen: GrantScreen, request: GrantRequest) -> None:
            super().__init__()
            self.screen = screen
            self.request = request

    def __init__(self, actor: str, roles: tuple[str, ...] | None = None, checks: str = "") -> None:
        """`checks`: what is checked and recorded, when the source says it (a plugin's
        grants, checked and audited by watchfloor: backends/guarded_grants.py)."""
        super().__init__()
        self.actor = actor
        self.roles = roles  # the ones the policy lets the actor grant; None: not known
        self.checks = checks

    def role_label(self) -> Text:
        """Not markup: the actor ("[dave]") and the policy's roles are shown as they are."""
        if self.roles is None:
            return Text(f"role (e.g. {EXAMPLE_ROLE}; the policy decides which you may grant)")
        if not self.roles:
            return Text(f"role (the policy lets {self.actor} grant none)")
        return Text(f"role ({', '.join(self.roles)})")

    def set_roles(self, roles: tuple[str, ...]) -> None:
        """The roles the policy lets the actor grant (the App, once the source says)."""
        self.roles = roles
        if self.is_mounted and self.is_open:
            self.query_one("#role-label", Label).update(self.role_label())
            self.query_one("#role", Input).placeholder = f"e.g. {(*roles, EXAMPLE_ROLE)[0]}"

    def compose(self) -> ComposeResult:
        first = (*(self.roles or ()), EXAMPLE_ROLE)[0]
        with Vertical(id="grant-box"):
            yield Static(Text("Grant break-glass access", style="bold"))
            yield Static(
                Text(  # not markup: a plugin's name and the actor are shown as they are
                    f"As {self.actor}. "
                    + (
                        self.checks
                        or "Checked by policy, needs a step-up code, and recorded in the audit"
                        " trail before it applies."
                    )
                ),
                classes="hint",
                id="grant-checks",
            )
            yield Label("subject (who gets it)")
            yield Field(placeholder="e.g. alice@example.com", id="subject", compact=True)
            yield Label(self.role_label(), id="role-label")
            yield Field(placeholder=f"e.g. {first}", id="role", compact=True)
            yield Label("reason (a short sentence: the incident and why)")
            yield Field(
                placeholder="e.g. INC-4711: gateway p99.9 regression, need pod exec",
                id="reason",
                compact=True,
            )
            yield Label("TTL (capped by policy per role)")
            yield Field(value=DEFAULT_TTL, id="ttl", compact=True)
            yield Label(CODE_LABEL, id="code-label")
            yield Field(  # digits only, leading zeros kept (not type="integer")
                placeholder=f"{CODE_DIGITS} digits",
                id="code",
                max_length=8,
                restrict=r"[0-9]*",
                password=True,  # masked: a ctrl+s screenshot or a shared screen shows dots
                compact=True,
            )
            with FormFoot():  # in view: the fields scroll above it if need be
                yield Static("", id="grant-error")
                with Horizontal(id="grant-buttons"):
                    yield Button("Grant", variant="primary", id="grant")
                    yield Button("Cancel", id="cancel")

    @on(Input.Changed, "#code")
    def _code_typed(self, event: Input.Changed) -> None:
        """The code is masked: its label says how many digits are in, to check it by."""
        n = len(event.value)
        typed = f" · {n} of {CODE_DIGITS} typed" if n else ""
        self.query_one("#code-label", Label).update(f"{CODE_LABEL}{typed}")

    def submit(self) -> None:
        if self.busy:
            return
        try:
            req = grant_request(*(self.value(f) for f in FIELDS))
        except BadInput as exc:
            self.show_error(str(exc), exc.field)
            return
        self.start_busy(f"Grant for {req.subject} ({req.role})")
        self.post_message(self.Submitted(self, req))
