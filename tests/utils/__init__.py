"""Helpers shared by the test suites: real PostgreSQL, live server, factories."""
