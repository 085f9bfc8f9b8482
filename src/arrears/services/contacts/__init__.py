"""Contacts: the gate every contact goes through, the one attempts ledger, logging a contact.

Commands (frozen dataclasses) handled by one function each in one unit of work
(``ports.ContactsUnitOfWork``): ``gate`` judges, reserves and records outcomes; the workbench's
use cases (``services.workbench.contacts``) log what a collector did with them.
"""
