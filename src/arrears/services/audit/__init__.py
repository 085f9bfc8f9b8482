"""The audit logs as hash chains: sealing and verifying (``domain.audit_chain``)."""
