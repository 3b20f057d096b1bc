# opa-test style; run from pytest (tests/test_fault_policy.py) with backends.policy.run_tests.
package faults_test

import rego.v1

import data.faults

ok_window := {
	"namespace": "stage", "target_host": "docs-api", "delay_ms": 800, "delay_percent": 30,
	"abort_status": 503, "abort_percent": 1, "duration_s": 600, "start_in_s": 0,
}

schedule(change) := {
	"action": "schedule", "actor": {"name": "erin", "roles": []},
	"reason": "game day latency drill", "window": object.union(ok_window, change),
}

allowed(inp, lim) if faults.decision_for(inp, lim).allow

test_stage_window_allowed if allowed(schedule({}), {})

test_prod_refused if not allowed(schedule({"namespace": "prod"}), {})

test_production_refused if not allowed(schedule({"namespace": "production"}), {})

test_kube_system_refused if not allowed(schedule({"namespace": "kube-system"}), {})

test_istio_system_refused if not allowed(schedule({"namespace": "istio-system"}), {})

test_config_cannot_unprotect_prod if {
	not allowed(schedule({"namespace": "prod"}), {"protected_namespaces": [], "max_percent": 100})
}

test_config_can_protect_more if {
	not allowed(schedule({"namespace": "payments"}), {"protected_namespaces": ["payments"]})
}

test_no_percentage_refused if not allowed(schedule({"delay_percent": 0, "abort_percent": 0}), {})

test_delay_needs_percentage_even_with_abort if {
	d := faults.decision_for(schedule({"delay_percent": 0}), {}).deny
	some msg in d
	contains(msg, "percentage")
}

test_percentage_capped if not allowed(schedule({"delay_percent": 51}), {})

test_config_cannot_raise_cap if not allowed(schedule({"abort_percent": 80}), {"max_percent": 100})

test_config_can_lower_cap if not allowed(schedule({}), {"max_percent": 20})

test_max_duration if {
	not allowed(schedule({"duration_s": 3601}), {"max_duration_s": 3600})
	allowed(schedule({"duration_s": 3600}), {"max_duration_s": 3600})
}

test_config_cannot_lengthen_past_four_hours if {
	not allowed(schedule({"duration_s": 14401}), {"max_duration_s": 86400})
}

test_zero_duration_refused if not allowed(schedule({"duration_s": 0}), {})

test_short_reason_refused if not allowed(object.union(schedule({}), {"reason": "because"}), {})

test_halt_allowed_with_reason if {
	allowed({"action": "halt", "actor": {"name": "erin"}, "reason": "pager fired"}, {})
}

test_halt_needs_reason if not allowed({"action": "halt", "actor": {"name": "erin"}, "reason": "  "}, {})

test_end_allowed if allowed({"action": "end", "actor": {"name": "erin"}, "reason": "done"}, {})

test_anonymous_refused if not allowed({"action": "end", "actor": {"name": ""}, "reason": "done"}, {})

test_unknown_action_refused if not allowed({"action": "open-prod", "actor": {"name": "erin"}}, {})
