# Break-glass grants: who may grant which role to whom, and for how long.
#
# input: {"actor": {"name": "dave", "roles": ["oncall"]}, "subject": "alice@example.com",
#         "role": "sre-oncall", "ttl_s": 1800}
# data.breakglass.decision -> {"allow": bool, "deny": [reasons]}
#
# data.breakglass.grants (pushed by the OPA adapter) holds the live grants; abac.rego
# honours them while time.now_ns() is before their expiry.
package breakglass

import rego.v1

# The grantable roles and the longest TTL each may have, in seconds.
ttl_cap_s := {
	"sre-oncall": 14400,
	"db-reader": 7200,
	"prod-deployer": 10800,
	"cluster-admin": 3600,
}

# Break-glass roles: an engineer may grant these to themselves in an emergency.
# Every other role may only be granted to someone else (four eyes).
self_grantable := {"sre-oncall", "db-reader"}

# Which roles an actor with a given role may grant.
grantable_by := {
	"oncall": {"sre-oncall", "db-reader", "prod-deployer"},
	"incident-commander": {"sre-oncall", "db-reader", "prod-deployer", "cluster-admin"},
	"security": {"sre-oncall", "db-reader", "prod-deployer", "cluster-admin"},
}

roles := sort([r | ttl_cap_s[r]])

known_role if ttl_cap_s[input.role]

is_self if lower(input.subject) == lower(input.actor.name)

is_self if startswith(lower(input.subject), concat("", [lower(input.actor.name), "@"]))

may_grant if {
	some r in input.actor.roles
	input.role in grantable_by[r]
}

deny contains msg if {
	not known_role
	msg := concat("", ["unknown role ", input.role, "; grantable roles: ", concat(", ", roles)])
}

deny contains msg if {
	known_role
	not may_grant
	msg := sprintf("%s may not grant %s", [input.actor.name, input.role])
}

deny contains msg if {
	known_role
	is_self
	not self_grantable[input.role]
	msg := sprintf("%s is not a break-glass role: it can only be granted to someone else", [input.role])
}

deny contains msg if {
	input.ttl_s <= 0
	msg := "TTL must be positive"
}

deny contains msg if {
	cap := ttl_cap_s[input.role]
	input.ttl_s > cap
	msg := sprintf("TTL %ds is over the cap of %ds for %s", [input.ttl_s, cap, input.role])
}

default allow := false

allow if count(deny) == 0

decision := {"allow": allow, "deny": sort(deny)}
