# Run from pytest (tests/test_policy_rego.py). rego-cpp crashes on `with input as {...}`
# when time.now_ns() is evaluated underneath, so each input field is set on its own.
# Inputs are written out in full: helper functions here made every query much slower
# (rego-cpp re-plans the whole package, per `with`, for each test rule).
package abac_test

import rego.v1

# --- role, service, tenant, data_class (the sketch) ----------------------------------------

test_admin_allowed if {
	data.abac.allow with input.attrs.role as "admin"
}

test_gateway_same_tenant_and_class_allowed if {
	a := {"role": "user", "service": "gateway", "tenant": "acme", "data_class": "internal", "region": "eu-west-1", "environment": "stage"}
	data.abac.allow with input.attrs as a with input.request as {"tenant": "acme", "data_class": "internal"}
}

test_registered_service_allowed if {
	a := {"role": "user", "service": "docs-api", "tenant": "globex", "data_class": "internal", "region": "us-east-1", "environment": "prod"}
	data.abac.allow with input.attrs as a with input.request as {"tenant": "globex", "data_class": "internal"}
}

test_gateway_other_tenant_denied if {
	a := {"role": "user", "service": "gateway", "tenant": "acme", "data_class": "internal", "region": "eu-west-1", "environment": "stage"}
	not data.abac.allow with input.attrs as a with input.request as {"tenant": "globex", "data_class": "internal"}
}

test_gateway_other_data_class_denied if {
	a := {"role": "user", "service": "gateway", "tenant": "acme", "data_class": "internal", "region": "eu-west-1", "environment": "stage"}
	not data.abac.allow with input.attrs as a with input.request as {"tenant": "acme", "data_class": "restricted"}
}

test_other_service_denied if {
	a := {"role": "user", "service": "search", "tenant": "acme", "data_class": "internal", "region": "eu-west-1", "environment": "stage"}
	not data.abac.allow with input.attrs as a with input.request as {"tenant": "acme", "data_class": "internal"}
}

test_missing_tenant_on_both_sides_denied if {
	a := {"role": "user", "service": "gateway", "data_class": "public", "region": "eu-west-1", "environment": "prod"}
	not data.abac.allow with input.attrs as a with input.request as {"data_class": "public"}
}

# --- region: data residency ----------------------------------------------------------------

test_restricted_in_certified_region_allowed if {
	a := {"role": "user", "service": "gateway", "tenant": "acme", "data_class": "restricted", "region": "us-east-1", "environment": "prod"}
	data.abac.allow with input.attrs as a with input.request as {"tenant": "acme", "data_class": "restricted"}
}

# initech is homed in ap-south-1 too: only the certification rule refuses this.
test_restricted_in_uncertified_region_denied if {
	a := {"role": "user", "service": "gateway", "tenant": "initech", "data_class": "restricted", "region": "ap-south-1", "environment": "prod"}
	not data.abac.allow with input.attrs as a with input.request as {"tenant": "initech", "data_class": "restricted"}
}

test_confidential_in_home_region_allowed if {
	a := {"role": "user", "service": "docs-api", "tenant": "initech", "data_class": "confidential", "region": "ap-south-1", "environment": "prod"}
	data.abac.allow with input.attrs as a with input.request as {"tenant": "initech", "data_class": "confidential"}
}

test_confidential_outside_home_region_denied if {
	a := {"role": "user", "service": "docs-api", "tenant": "globex", "data_class": "confidential", "region": "eu-west-1", "environment": "prod"}
	not data.abac.allow with input.attrs as a with input.request as {"tenant": "globex", "data_class": "confidential"}
}

test_public_data_served_from_any_region if {
	a := {"role": "user", "service": "search-api", "tenant": "globex", "data_class": "public", "region": "ap-south-1", "environment": "prod"}
	data.abac.allow with input.attrs as a with input.request as {"tenant": "globex", "data_class": "public"}
}

test_tenant_without_home_gets_no_resident_data if {
	a := {"role": "user", "service": "gateway", "tenant": "hooli", "data_class": "confidential", "region": "us-east-1", "environment": "prod"}
	not data.abac.allow with input.attrs as a with input.request as {"tenant": "hooli", "data_class": "confidential"}
}

test_tenant_without_home_gets_public_data if {
	a := {"role": "user", "service": "gateway", "tenant": "hooli", "data_class": "public", "region": "us-east-1", "environment": "prod"}
	data.abac.allow with input.attrs as a with input.request as {"tenant": "hooli", "data_class": "public"}
}

test_unknown_region_denied if {
	a := {"role": "user", "service": "gateway", "tenant": "acme", "data_class": "public", "region": "mars-1", "environment": "prod"}
	not data.abac.allow with input.attrs as a with input.request as {"tenant": "acme", "data_class": "public"}
}

test_missing_region_denied if {
	a := {"role": "user", "service": "gateway", "tenant": "acme", "data_class": "public", "environment": "prod"}
	not data.abac.allow with input.attrs as a with input.request as {"tenant": "acme", "data_class": "public"}
}

# --- environment ------------------------------------------------------------------------------

test_restricted_in_prod_allowed if {
	a := {"role": "user", "service": "billing", "tenant": "umbrella", "data_class": "restricted", "region": "eu-west-1", "environment": "prod"}
	data.abac.allow with input.attrs as a with input.request as {"tenant": "umbrella", "data_class": "restricted"}
}

test_restricted_in_stage_denied if {
	a := {"role": "user", "service": "billing", "tenant": "umbrella", "data_class": "restricted", "region": "eu-west-1", "environment": "stage"}
	not data.abac.allow with input.attrs as a with input.request as {"tenant": "umbrella", "data_class": "restricted"}
}

test_confidential_in_stage_allowed if {
	a := {"role": "user", "service": "gateway", "tenant": "acme", "data_class": "confidential", "region": "eu-west-1", "environment": "stage"}
	data.abac.allow with input.attrs as a with input.request as {"tenant": "acme", "data_class": "confidential"}
}

test_confidential_in_dev_denied if {
	a := {"role": "user", "service": "gateway", "tenant": "acme", "data_class": "confidential", "region": "eu-west-1", "environment": "dev"}
	not data.abac.allow with input.attrs as a with input.request as {"tenant": "acme", "data_class": "confidential"}
}

test_internal_in_dev_allowed if {
	a := {"role": "user", "service": "gateway", "tenant": "acme", "data_class": "internal", "region": "eu-west-1", "environment": "dev"}
	data.abac.allow with input.attrs as a with input.request as {"tenant": "acme", "data_class": "internal"}
}

test_unknown_environment_denied if {
	a := {"role": "user", "service": "gateway", "tenant": "acme", "data_class": "public", "region": "eu-west-1", "environment": "qa"}
	not data.abac.allow with input.attrs as a with input.request as {"tenant": "acme", "data_class": "public"}
}

test_missing_environment_denied if {
	a := {"role": "user", "service": "gateway", "tenant": "acme", "data_class": "public", "region": "eu-west-1"}
	not data.abac.allow with input.attrs as a with input.request as {"tenant": "acme", "data_class": "public"}
}

test_admin_bypasses_region_and_environment if {
	a := {"role": "admin", "service": "gateway", "tenant": "acme", "data_class": "restricted", "region": "ap-south-1", "environment": "dev"}
	data.abac.allow with input.attrs as a with input.request as {"tenant": "acme", "data_class": "restricted"}
}

# --- the reason names the rule ------------------------------------------------------------

test_deny_names_the_environment_rule if {
	a := {"role": "user", "service": "billing", "tenant": "umbrella", "data_class": "restricted", "region": "eu-west-1", "environment": "stage"}
	"environment_data_class: stage holds no restricted data" in data.abac.deny with input.attrs as a with input.request as {"tenant": "umbrella", "data_class": "restricted"}
}

test_deny_names_the_residency_rule if {
	a := {"role": "user", "service": "docs-api", "tenant": "globex", "data_class": "confidential", "region": "eu-west-1", "environment": "prod"}
	"data_residency: globex confidential data is not homed in eu-west-1" in data.abac.deny with input.attrs as a with input.request as {"tenant": "globex", "data_class": "confidential"}
}

test_deny_names_the_certification_rule if {
	a := {"role": "user", "service": "gateway", "tenant": "initech", "data_class": "restricted", "region": "ap-south-1", "environment": "prod"}
	"region_not_certified: restricted data is not served from ap-south-1" in data.abac.deny with input.attrs as a with input.request as {"tenant": "initech", "data_class": "restricted"}
}

test_decision_carries_every_failed_rule if {
	a := {"role": "user", "service": "gateway", "tenant": "acme", "data_class": "confidential", "region": "ap-south-1", "environment": "dev"}
	d := data.abac.decision with input.attrs as a with input.request as {"tenant": "acme", "data_class": "confidential"}
	d.allow == false
	d.reason == "data_residency: acme confidential data is not homed in ap-south-1; environment_data_class: dev holds no confidential data"
}

test_allowed_decision_says_why if {
	a := {"role": "user", "service": "gateway", "tenant": "acme", "data_class": "internal", "region": "eu-west-1", "environment": "stage"}
	d := data.abac.decision with input.attrs as a with input.request as {"tenant": "acme", "data_class": "internal"}
	d == {"allow": true, "reason": "all attribute rules pass"}
}

# --- break-glass ------------------------------------------------------------------------------

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
