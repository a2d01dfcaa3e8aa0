"""Performance measurements run by `make bench`. Targets live here, never as timed assertions in the unit suite."""
