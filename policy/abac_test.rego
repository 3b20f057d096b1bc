# Run from pytest (tests/test_policy_rego.py). rego-cpp crashes on `with input as {...}`
# when time.now_ns() is evaluated underneath, so each input field is set on its own.
package abac_test

import rego.v1

test_admin_allowed if {
	data.abac.allow with input.attrs.role as "admin"
}

test_gateway_same_tenant_and_class_allowed if {
	data.abac.allow with input.attrs as {"role": "user", "service": "gateway", "tenant": "acme", "data_class": "internal"} with input.request as {"tenant": "acme", "data_class": "internal"}
}

test_gateway_other_tenant_denied if {
	not data.abac.allow with input.attrs as {"role": "user", "service": "gateway", "tenant": "acme", "data_class": "internal"} with input.request as {"tenant": "globex", "data_class": "internal"}
}

test_gateway_other_data_class_denied if {
	not data.abac.allow with input.attrs as {"role": "user", "service": "gateway", "tenant": "acme", "data_class": "internal"} with input.request as {"tenant": "acme", "data_class": "restricted"}
}

test_other_service_denied if {
	not data.abac.allow with input.attrs as {"role": "user", "service": "search", "tenant": "acme", "data_class": "internal"} with input.request as {"tenant": "acme", "data_class": "internal"}
}

test_live_grant_allows if {
	later := time.now_ns() + 3600000000000
	data.abac.allow with input.subject as "alice" with input.attrs.role as "db-reader" with data.breakglass.grants as {"g1": {"subject": "alice", "role": "db-reader", "expires_at_ns": later}}
}

test_expired_grant_denies if {
	earlier := time.now_ns() - 1000000000
	not data.abac.allow with input.subject as "alice" with input.attrs.role as "db-reader" with data.breakglass.grants as {"g1": {"subject": "alice", "role": "db-reader", "expires_at_ns": earlier}}
}

test_grant_for_someone_else_denies if {
	later := time.now_ns() + 3600000000000
	not data.abac.allow with input.subject as "mallory" with input.attrs.role as "db-reader" with data.breakglass.grants as {"g1": {"subject": "alice", "role": "db-reader", "expires_at_ns": later}}
}

test_grant_for_another_role_denies if {
	later := time.now_ns() + 3600000000000
	not data.abac.allow with input.subject as "alice" with input.attrs.role as "cluster-admin" with data.breakglass.grants as {"g1": {"subject": "alice", "role": "db-reader", "expires_at_ns": later}}
}

test_no_grants_denies if {
	not data.abac.allow with input.subject as "alice" with input.attrs.role as "db-reader"
}
