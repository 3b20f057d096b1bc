"""Everything that talks to the outside world, and the contracts for it. Never imports textual."""
