# Fault windows: who may open one where, and how hard it may hit.
#
# input: {"action": "schedule" | "end" | "halt", "actor": {"name", "roles"}, "reason",
#         "window": {namespace, target_host, delay_ms, delay_percent, abort_status,
#                    abort_percent, duration_s, start_in_s}}      (window: schedule only)
# data.fault_limits: {protected_namespaces, max_percent, max_duration_s} from the config.
# Config can only tighten: the namespaces and ceilings below hold whatever it says, so a
# config mistake alone cannot open production to faults.
#
# Written as functions of (input, limits) so faults_test.rego can call them directly:
# rego-cpp (regopy 1.5.2) crashes on comparisons under `with input as`.
package faults

import rego.v1

hard_protected := {"prod", "production", "kube-system", "istio-system"}

hard_max_percent := 50

hard_max_duration_s := 14400

protected(lim) := hard_protected | {ns | some ns in object.get(lim, "protected_namespaces", [])}

# rego-cpp 1.5.2 min()/max() compare numbers wrongly (min([100, 50]) is 100): clamp by hand.
clamp(v, hard) := v if {
	v <= hard
} else := hard

max_percent(lim) := clamp(object.get(lim, "max_percent", hard_max_percent), hard_max_percent)

max_duration_s(lim) := clamp(object.get(lim, "max_duration_s", hard_max_duration_s), hard_max_duration_s)

win(inp) := object.get(inp, "window", {})

is_schedule(inp) if object.get(inp, "action", "") == "schedule"

basics(inp) := {msg |
	not object.get(inp, "action", "") in {"schedule", "end", "halt"}
	msg := sprintf("unknown action %v", [object.get(inp, "action", "")])
} | {"an actor is required" |
	object.get(object.get(inp, "actor", {}), "name", "") == ""
} | {"HALT ALL needs a reason" |
	object.get(inp, "action", "") == "halt"
	trim_space(object.get(inp, "reason", "")) == ""
}

where(inp, lim) := {msg |
	is_schedule(inp)
	ns := object.get(win(inp), "namespace", "")
	ns in protected(lim)
	msg := sprintf("namespace %v is protected: no fault injection there", [ns])
} | {"a window needs a namespace and a target host" |
	is_schedule(inp)
	some k in ["namespace", "target_host"]
	object.get(win(inp), k, "") == ""
}

how_hard(inp, lim) := {"a delay needs a percentage above 0 (Istio delays every request without one)" |
	is_schedule(inp)
	object.get(win(inp), "delay_ms", 0) > 0
	object.get(win(inp), "delay_percent", 0) <= 0
} | {"a fault needs a delay or an abort percentage above 0" |
	is_schedule(inp)
	object.get(win(inp), "delay_percent", 0) <= 0
	object.get(win(inp), "abort_percent", 0) <= 0
} | {msg |
	is_schedule(inp)
	some k in ["delay_percent", "abort_percent"]
	object.get(win(inp), k, 0) > max_percent(lim)
	msg := sprintf("%v %v%% is over the cap of %v%%", [k, win(inp)[k], max_percent(lim)])
}

how_long(inp, lim) := {"a window needs a duration above 0" |
	is_schedule(inp)
	object.get(win(inp), "duration_s", 0) <= 0
} | {msg |
	is_schedule(inp)
	object.get(win(inp), "duration_s", 0) > max_duration_s(lim)
	msg := sprintf("a window lasts at most %v s", [max_duration_s(lim)])
} | {"a reason of at least 10 characters is required" |
	is_schedule(inp)
	count(object.get(inp, "reason", "")) < 10
}

deny_for(inp, lim) := ((basics(inp) | where(inp, lim)) | how_hard(inp, lim)) | how_long(inp, lim)

decision_for(inp, lim) := {"allow": count(d) == 0, "deny": d} if d := deny_for(inp, lim)

default limits := {}

limits := data.fault_limits

decision := decision_for(input, limits)

default allow := false

allow if decision.allow
