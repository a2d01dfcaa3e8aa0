"""The penalty-case fixtures (a served decision for the 限制从业 list) come from the enforcement tests."""

from jianguan.enforcement.tests.conftest import people  # noqa: F401
