"""loyalty-fake's test suite."""
