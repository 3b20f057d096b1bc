# Run from pytest (tests/test_policy_rego.py). rego-cpp crashes on `with input as {...}`
# when the rule under test builds a partial set, so each input field is set on its own.
package breakglass_test

import rego.v1

test_oncall_grants_sre_to_another if {
	data.breakglass.allow with input.actor as {"name": "dave", "roles": ["oncall"]} with input.subject as "alice@example.com" with input.role as "sre-oncall" with input.ttl_s as 1800
}

test_self_grant_of_break_glass_role if {
	data.breakglass.allow with input.actor as {"name": "dave", "roles": ["oncall"]} with input.subject as "dave@example.com" with input.role as "db-reader" with input.ttl_s as 1800
}

test_self_grant_of_other_role_refused if {
	not data.breakglass.allow with input.actor as {"name": "dave", "roles": ["oncall"]} with input.subject as "dave" with input.role as "prod-deployer" with input.ttl_s as 1800
	data.breakglass.deny == {"prod-deployer is not a break-glass role: it can only be granted to someone else"} with input.actor as {"name": "dave", "roles": ["oncall"]} with input.subject as "dave" with input.role as "prod-deployer" with input.ttl_s as 1800
}

test_prod_deployer_to_another_allowed if {
	data.breakglass.allow with input.actor as {"name": "dave", "roles": ["oncall"]} with input.subject as "erin" with input.role as "prod-deployer" with input.ttl_s as 1800
}

test_role_actor_may_not_grant if {
	not data.breakglass.allow with input.actor as {"name": "dave", "roles": ["oncall"]} with input.subject as "erin" with input.role as "cluster-admin" with input.ttl_s as 600
	data.breakglass.deny == {"dave may not grant cluster-admin"} with input.actor as {"name": "dave", "roles": ["oncall"]} with input.subject as "erin" with input.role as "cluster-admin" with input.ttl_s as 600
}

test_incident_commander_grants_cluster_admin if {
	data.breakglass.allow with input.actor as {"name": "ic", "roles": ["incident-commander"]} with input.subject as "erin" with input.role as "cluster-admin" with input.ttl_s as 3600
}

test_no_roles_no_grants if {
	not data.breakglass.allow with input.actor as {"name": "eve", "roles": []} with input.subject as "erin" with input.role as "sre-oncall" with input.ttl_s as 60
}

test_ttl_at_cap_allowed if {
	data.breakglass.allow with input.actor as {"name": "dave", "roles": ["oncall"]} with input.subject as "erin" with input.role as "db-reader" with input.ttl_s as 7200
}

test_ttl_over_cap_refused if {
	not data.breakglass.allow with input.actor as {"name": "dave", "roles": ["oncall"]} with input.subject as "erin" with input.role as "db-reader" with input.ttl_s as 7201
	data.breakglass.deny == {"TTL 7201s is over the cap of 7200s for db-reader"} with input.actor as {"name": "dave", "roles": ["oncall"]} with input.subject as "erin" with input.role as "db-reader" with input.ttl_s as 7201
}

test_unknown_role_refused if {
	not data.breakglass.allow with input.actor as {"name": "dave", "roles": ["oncall"]} with input.subject as "erin" with input.role as "god-mode" with input.ttl_s as 60
	count(data.breakglass.deny) == 1 with input.actor as {"name": "dave", "roles": ["oncall"]} with input.subject as "erin" with input.role as "god-mode" with input.ttl_s as 60
	startswith(concat("", data.breakglass.deny), "unknown role god-mode; grantable roles: cluster-admin") with input.actor as {"name": "dave", "roles": ["oncall"]} with input.subject as "erin" with input.role as "god-mode" with input.ttl_s as 60
}

test_zero_ttl_refused if {
	not data.breakglass.allow with input.actor as {"name": "dave", "roles": ["oncall"]} with input.subject as "erin" with input.role as "sre-oncall" with input.ttl_s as 0
}
