"""The operation's figures for dashboards and ``arrears report`` (one computation for both)."""
