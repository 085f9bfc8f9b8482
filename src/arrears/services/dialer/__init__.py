"""The call channel for dialers: the next number a collector may call now, already reserved by
the contact gate; what the dialer reports of each call; a preview list per collector."""
