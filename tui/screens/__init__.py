"""Modal screens: help (and, as they arrive, grant, revoke, fault window, policy replay)."""
