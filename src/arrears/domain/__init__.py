"""The pure core: money, accounts, aging and the business vocabulary.

Imports only the standard library and itself. No clock, no IO.
"""
