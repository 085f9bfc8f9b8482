"""The `arrears` command. Each capability registers its own sub-command group here."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="arrears",
    help="arrears: humane, lawful, efficient credit card collections.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def _register() -> None:
    from arrears.entrypoints.cli import (
        allocation_cli,
        arrangements,
        audit_cli,
        compliance_cli,
        dialer_cli,
        model_cli,
        outreach_cli,
        plan_cli,
        portal_cli,
        portfolio_cli,
        report_cli,
        retention_cli,
        score_cli,
        serve_cli,
        template_cli,
        token_cli,
        user_cli,
    )

    portfolio_cli.register(app)
    compliance_cli.register(app)
    arrangements.register(app)
    model_cli.register(app)
    score_cli.register(app)
    plan_cli.register(app)
    outreach_cli.register(app)
    serve_cli.register(app)
    token_cli.register(app)
    template_cli.register(app)
    dialer_cli.register(app)
    report_cli.register(app)
    user_cli.register(app)
    allocation_cli.register(app)
    audit_cli.register(app)
    retention_cli.register(app)
    portal_cli.register(app)


_register()

if __name__ == "__main__":
    app()
