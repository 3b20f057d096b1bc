"""A dry-run whose candidate does not define the rule it is asked is refused, saying so.

Before: `policy replay policy/abac_test.rego` (package abac_test), `--entrypoint
abac/alow`, or OPA's own `data.abac.allow` replayed every decision as undefined: "3,029
allow->deny" (83% of the traffic "locked out"), exit 0, and the advice "add `default alow
:= false`", which changes nothing. In the dashboard's `p`, the same flips and toast."""

from __future__ import annotations

from pathlib import Path

import pytest

from backends.policy import PolicyError
from backends.replay import entrypoint_of, replay
from tests.access.test_replay import CANDIDATE, decisions


def candidate(tmp_path: Path, text: str, name: str = "cand.rego") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "entrypoint", "said"),
    [
        (
            CANDIDATE.replace("package abac", "package abac_test"),
            None,
            "the candidate defines no abac/allow: its package is abac_test (cand.rego)",
        ),
        (
            CANDIDATE,
            "abac/alow",
            "the candidate defines no abac/alow: package abac has no rule alow",
        ),
    ],
)
def test_a_rule_the_candidate_does_not_define_is_refused(
    tmp_path: Path, text: str, entrypoint: str | None, said: str
) -> None:
    with pytest.raises(PolicyError) as refused:
        replay(decisions(), [candidate(tmp_path, text)], entrypoint=entrypoint)
    assert str(refused.value) == said


def test_opas_dotted_path_is_the_same_entrypoint(tmp_path: Path) -> None:
    assert entrypoint_of("data.abac.allow") == "abac/allow"
    path = [candidate(tmp_path, CANDIDATE)]
    dotted = replay(decisions(), path, entrypoint="data.abac.allow")
    plain = replay(decisions(), path, entrypoint="abac/allow")
    assert (dotted.allow_to_deny, dotted.deny_to_allow, dotted.undefined) == (
        plain.allow_to_deny,
        plain.deny_to_allow,
        0,
    )
    assert (plain.allow_to_deny, plain.deny_to_allow) == (2, 2)  # as test_replay works out
