"""The operation's report as files: report.html (self-contained, charts inline, opens offline)
and report.xlsx (one sheet per table), written from one ``OperationReport``."""
