# Attribute-based access (sprint plan 5.1 and its attribute model: service, tenant,
# data_class, region, environment), in Rego v1, plus break-glass grants.
#
# input: {"subject": "alice@example.com",
#         "attrs": {"role": "user", "service": "gateway", "tenant": "acme",
#                   "data_class": "internal", "region": "eu-west-1", "environment": "stage"},
#         "request": {"tenant": "acme", "data_class": "internal"}}
#
# Entrypoints: abac/allow (boolean), abac/reason (why), abac/decision ({"allow", "reason"},
# the shape the Access pane reads a reason from), abac/deny (every rule that failed).
#
# allow when any of:
#   - role admin (the sketch's first rule);
#   - a live break-glass grant for the subject and role (below);
#   - no deny rule fires. Each deny names its rule ("<rule>" or "<rule>: <detail>"):
#     unregistered_service   the service is one of the platform's registered services
#                            (the sketch names the gateway; the platform routes through
#                            four services, and an unknown caller is refused);
#     tenant_mismatch        the caller's tenant is the requested tenant (sketch);
#     data_class_mismatch    the caller's data_class is the requested one (sketch);
#     unknown_region         the region is one the platform runs in;
#     region_not_certified   restricted data is served only from regions certified for it
#                            (eu-west-1, us-east-1): data residency by class;
#     data_residency         confidential and restricted data of a tenant is served only
#                            from that tenant's home regions; a tenant with no home on
#                            record gets none (a request from one region for data homed
#                            in another is refused);
#     unknown_environment    the environment is dev, stage or prod;
#     environment_data_class each environment holds only some classes: dev public and
#                            internal (synthetic data), stage adds confidential (masked
#                            copies), only prod holds restricted data.
#   Fail closed: a missing attribute fails its own rule (unregistered_service, the two
#   mismatches, unknown_region, unknown_environment: reasons without detail, so they exist
#   whatever is missing); the detailed reasons below need the attributes they name, and
#   whenever one of those is missing a rule without detail fires instead.
# backends/local/sim/policy.py mirrors these rules for the simulator; a test checks that
# the two agree (tests/access/test_policy_mirror.py). Change both together.
#
# data.breakglass.grants is pushed by the OPA adapter (PUT /v1/data/breakglass/grants/{id}):
#   {"<id>": {"subject": ..., "role": ..., "expires_at_ns": <unix ns>}}
# A grant counts only while time.now_ns() is before its expiry, on this OPA's own clock,
# whether or not anyone has deleted it yet.
#
# rego-cpp (regopy 1.5.2) notes: sprintf("%s") of a computed string quotes it, so messages
# are built with concat; data.abac is never read from inside this package. Its planner
# grows with every rule and every `with` in the tests (each query re-plans): keep the
# rules plain lookups; helper functions with `else` made each test query 10x slower.
package abac

import rego.v1

services := {"gateway", "docs-api", "search-api", "billing"}

regions := {"eu-west-1", "us-east-1", "ap-south-1"}

# data_class -> regions certified to serve it; a class not listed may be served anywhere
certified_regions := {"restricted": {"eu-west-1", "us-east-1"}}

# data classes pinned to their tenant's home regions (a tenant not listed has none)
resident_classes := {"confidential", "restricted"}

tenant_home_regions := {
	"acme": {"eu-west-1", "us-east-1"},
	"globex": {"us-east-1"},
	"initech": {"us-east-1", "ap-south-1"},
	"umbrella": {"eu-west-1"},
}

# environment -> the data classes it holds
environment_classes := {
	"dev": {"public", "internal"},
	"stage": {"public", "internal", "confidential"},
	"prod": {"public", "internal", "confidential", "restricted"},
}

default allow := false

allow if input.attrs.role == "admin"

allow if break_glass

allow if count(deny) == 0

reason := "role admin" if input.attrs.role == "admin"
else := "break-glass grant" if break_glass
else := concat("; ", sort(deny)) if count(deny) > 0
else := "all attribute rules pass"

decision := {"allow": allow, "reason": reason}

# --- service, tenant, data_class (the sketch) -----------------------------------------------

deny contains "unregistered_service" if not input.attrs.service in services

deny contains "tenant_mismatch" if not tenant_matches

tenant_matches if input.attrs.tenant == input.request.tenant

deny contains "data_class_mismatch" if not data_class_matches

data_class_matches if input.attrs.data_class == input.request.data_class

# --- region: data residency --------------------------------------------------------------

deny contains "unknown_region" if not input.attrs.region in regions

deny contains concat("", ["region_not_certified: ", input.attrs.data_class, " data is not served from ", input.attrs.region]) if {
	certified := certified_regions[input.attrs.data_class]
	not input.attrs.region in certified
}

deny contains concat("", ["data_residency: ", input.request.tenant, " ", input.attrs.data_class, " data is not homed in ", input.attrs.region]) if {
	input.attrs.data_class in resident_classes
	not resident
}

resident if input.attrs.region in tenant_home_regions[input.request.tenant]

# --- environment ---------------------------------------------------------------------------

deny contains "unknown_environment" if not environment_classes[input.attrs.environment]

deny contains concat("", ["environment_data_class: ", input.attrs.environment, " holds no ", input.attrs.data_class, " data"]) if {
	held := environment_classes[input.attrs.environment]
	not input.attrs.data_class in held
}

# --- break-glass ---------------------------------------------------------------------------

# The subject holds a live break-glass grant for the role it acts in.
break_glass if {
	some grant in data.breakglass.grants
	grant.subject == input.subject
	grant.role == input.attrs.role
	time.now_ns() < grant.expires_at_ns
}
