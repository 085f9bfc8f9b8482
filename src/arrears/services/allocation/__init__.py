"""Allocation (分案): placing accounts with agencies by rules, recalling them, moving them by hand."""
