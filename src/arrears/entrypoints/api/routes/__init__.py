"""The /v1 routes, one module a capability (with its request bodies beside it)."""
