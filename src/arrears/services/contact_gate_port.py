"""The ``ContactGate`` port, now ``arrears.services.contacts.ports``: this name stays until the
branches that use it are merged."""

from arrears.services.contacts.ports import (
    AttemptClosed,
    AttemptError,
    AttemptUnknown,
    ContactGate,
    ContactRequest,
    GateVerdict,
    OutcomeNotPossible,
)

__all__ = ["AttemptClosed", "AttemptError", "AttemptUnknown", "ContactGate", "ContactRequest", "GateVerdict",
           "OutcomeNotPossible"]
