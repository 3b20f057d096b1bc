# Attribute-based access (sprint plan 5.1), in Rego v1, plus break-glass grants.
#
# input: {"subject": "alice@example.com",
#         "attrs": {"role": "user", "service": "gateway", "tenant": "acme",
#                   "data_class": "internal", "region": "eu", "environment": "stage"},
#         "request": {"tenant": "acme", "data_class": "internal"}}
#
# data.breakglass.grants is pushed by the OPA adapter (PUT /v1/data/breakglass/grants/{id}):
#   {"<id>": {"subject": ..., "role": ..., "expires_at_ns": <unix ns>}}
# A grant counts only while time.now_ns() is before its expiry, on this OPA's own clock,
# whether or not anyone has deleted it yet.
package abac

import rego.v1

default allow := false

allow if input.attrs.role == "admin"

allow if {
	input.attrs.service == "gateway"
	input.attrs.tenant == input.request.tenant
	input.attrs.data_class == input.request.data_class
}

allow if break_glass

# The subject holds a live break-glass grant for the role it acts in.
break_glass if {
	some grant in data.breakglass.grants
	grant.subject == input.subject
	grant.role == input.attrs.role
	time.now_ns() < grant.expires_at_ns
}
