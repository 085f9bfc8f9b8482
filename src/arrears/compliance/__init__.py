"""The compliance core: rule packs (data + small pure rule functions), the gate, screening.

Pure: no IO, no clock. Every decision names its rules, reasons and citations.
"""
