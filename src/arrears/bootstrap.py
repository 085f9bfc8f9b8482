"""The one place where concrete adapters are chosen from settings, and the factories the
entrypoints get them from (they never import ``adapters.storage`` themselves).

A process has one container (``container()``): one engine and one connection pool, the cipher
checked against the database once. ``settings()`` is the one way the entrypoints read settings."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import polars as pl
from sqlalchemy import Connection, Engine, text

import arrears.domain.arrangements as arrangements_package
from arrears.adapters.clock import Clock, system_clock
from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage.allocation_repository import SqlAllocationUnitOfWork, SqlCommissionSource
from arrears.adapters.storage.arrangements_repository import SqlArrangementsUnitOfWork
from arrears.adapters.storage.audit_chain import SqlAuditChains
from arrears.adapters.storage.contacts_repository import SqlStoredDecisions
from arrears.adapters.storage.database import make_engine, migrate
from arrears.adapters.storage.examiner_reader import SqlExaminerRecords
from arrears.adapters.storage.ingest_store import SqlIngestUnitOfWork
from arrears.adapters.storage.nightly_store import SqlNightlyUnitOfWork
from arrears.adapters.storage.portfolio_reader import SqlPortfolioReader
from arrears.adapters.storage.reporting_reader import SqlReportingSource
from arrears.adapters.storage.retention_store import SqlRetentionUnitOfWork
from arrears.adapters.storage.templates_repository import SqlTemplatesUnitOfWork
from arrears.domain.aging import AgingLadder
from arrears.domain.arrangements.counselling import CounsellingDirectory, DirectoryError, directory_from_records
from arrears.domain.outreach import RetryPolicy
from arrears.domain.portal import Preferences
from arrears.partitions import Cluster
from arrears.planning.response_model import ResponseRates
from arrears.planning.strategy import Split
from arrears.services.allocation.commission import CommissionSource
from arrears.services.allocation.placements import AllocationUnitOfWork
from arrears.services.allocation.rules import AllocationRules, read_rules
from arrears.services.arrangements.payment_notices import PaymentProvider, PaymentsInUnitOfWork
from arrears.services.arrangements.ports import ArrangementsUnitOfWork, IngestedPortfolio
from arrears.services.audit.chain import AuditChains
from arrears.services.cases.ports import CasesUnitOfWork
from arrears.services.compliance_replay import StoredDecisions
from arrears.services.contact_gate_port import ContactGate
from arrears.services.examiner_file import ExaminerRecords
from arrears.services.ingest.ports import IngestUnitOfWork
from arrears.services.key_check import database_cipher
from arrears.services.nightly.job import NightlyPorts
from arrears.services.nightly.ports import NightlyUnitOfWork
from arrears.services.outreach.dispatch import Outreach
from arrears.services.outreach.ports import ChannelSender
from arrears.services.outreach.replies import Callbacks
from arrears.services.outreach.templates.ports import TemplatesUnitOfWork
from arrears.services.portal.context import Portal
from arrears.services.portal.ports import PageReads
from arrears.services.reporting.figures import ReportingSource
from arrears.services.retention import RetentionUnitOfWork
from arrears.settings import Settings, get_settings

EXAMPLE_DIRECTORY = Path(arrangements_package.__file__).parent / "counselling_example.json"


@dataclass
class Container:
    settings: Settings
    engine: Engine
    cipher: FieldCipher
    ladder: AgingLadder


_lock = threading.Lock()
_containers: list[Container] = []


def settings() -> Settings:
    """The process's settings (from the environment, read once)."""
    return get_settings()


def container() -> Container:
    """The process's one container, built on first use (and again only when the settings were
    read anew, as tests do after changing the environment)."""
    current = get_settings()
    with _lock:
        if not _containers or _containers[0].settings is not current:
            _containers[:] = [bootstrap(current)]
        return _containers[0]


def bootstrap(settings: Settings | None = None, *, migrate_schema: bool = True) -> Container:
    """The engine, the cipher and the ladder the settings choose. Raises ``KeyMismatch`` (an
    ``EncryptionKeyError``) when the keys are not the database's, before any data is read or written."""
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    if migrate_schema:
        migrate(engine)
    return Container(
        settings=settings,
        engine=engine,
        cipher=database_cipher(engine, settings, datetime.now(UTC)),
        ladder=AgingLadder.from_spec(settings.aging_ladder),
    )


def outreach(container: Container, *, clock: Clock | None = None) -> Outreach:
    """The dispatcher's ports: the outbox on the container's database, the gate, the renderer and
    a sender for each channel the settings configure (``missing`` says what the others lack)."""
    from arrears.adapters.outreach.letters import LetterDirectory
    from arrears.adapters.outreach.sms_gateway import SmsGateway
    from arrears.adapters.outreach.smtp import SmtpMailer
    from arrears.adapters.storage.outreach_repository import SqlOutreachUnitOfWork
    from arrears.adapters.storage.templates_repository import SqlTemplatesUnitOfWork
    from arrears.services.contact_gate import SqlContactGate
    from arrears.services.outreach.preview_renderer import StoredTemplateRenderer
    from arrears.services.outreach.templates.renderer import TemplateRenderer
    from arrears.services.portal.links import link_for_message

    s = container.settings
    senders: dict[str, ChannelSender] = {}
    missing: dict[str, str] = {}
    if s.sms_gateway_url:
        senders["sms"] = SmsGateway(s.sms_gateway_url, s.sms_gateway_token, timeout=s.sms_gateway_timeout)
    else:
        missing["sms"] = "set ARREARS_SMS_GATEWAY_URL"
    if s.smtp_url and s.mail_from:
        senders["email"] = SmtpMailer(s.smtp_url, s.mail_from, cafile=s.smtp_ca_file)
    else:
        missing["email"] = "set " + " and ".join(
            name for name, value in (("ARREARS_SMTP_URL", s.smtp_url), ("ARREARS_MAIL_FROM", s.mail_from)) if not value)
    if s.letter_dir:
        senders["letter"] = LetterDirectory(s.letter_dir)
    else:
        missing["letter"] = "set ARREARS_LETTER_DIR"
    templates = TemplateRenderer(lambda: SqlTemplatesUnitOfWork(container.engine), seed_at=datetime.now(UTC))
    templates.versions()  # seeded and read now, before a dispatch transaction holds the database
    renderer = StoredTemplateRenderer(templates)
    page = portal(container, clock=clock)
    return Outreach(
        unit_of_work=lambda: SqlOutreachUnitOfWork(container.engine, container.cipher, s.institution_name),
        gate=SqlContactGate(container.engine, cipher=container.cipher), senders=senders, renderer=renderer,
        missing=missing,
        clock=clock or system_clock,
        retry=RetryPolicy(s.outreach_max_tries, timedelta(seconds=s.outreach_retry_seconds)),
        lease=timedelta(seconds=s.outreach_lease_seconds), concurrency=s.outreach_concurrency,
        links=lambda account_id, message_id, connection: link_for_message(page, account_id, message_id, connection),
    )


def outreach_callbacks(engine: Engine, cipher: FieldCipher, gate: ContactGate | None = None) -> Callbacks:
    """What the receipt, inbound and bounce endpoints (and the bounce mailbox reader) work with, on
    the app's engine and gate (none given: the stored gate on ``engine``)."""
    from arrears.adapters.storage.outreach_repository import SqlOutreachUnitOfWork
    from arrears.services.contact_gate import SqlContactGate

    said = settings()
    institution = said.institution_name
    return Callbacks(unit_of_work=lambda: SqlOutreachUnitOfWork(engine, cipher, institution),
                     gate=gate or SqlContactGate(engine, cipher=cipher), soft_bounce_limit=said.email_soft_bounce_limit)


def payment_provider(s: Settings | None = None) -> PaymentProvider | None:
    """The payment provider the settings configure (None without ``ARREARS_PAYMENT_ACCOUNT``)."""
    from arrears.adapters.payment_providers import provider_from

    s = s or settings()
    return provider_from(s.payment_provider, s.payment_payee or s.institution_name, s.payment_account,
                         s.payment_bank)


def payments_in_uow(engine: Engine) -> PaymentsInUnitOfWork:
    """A unit of work for payment references and providers' notices (with the arrangements)."""
    from arrears.adapters.storage.payment_notices_repository import SqlPaymentsInUnitOfWork

    return SqlPaymentsInUnitOfWork(engine)


def cases_uow(engine: Engine, cipher: FieldCipher) -> CasesUnitOfWork:
    """A unit of work of the case use cases (texts and files encrypted with ``cipher``)."""
    from arrears.adapters.storage.cases_repository import SqlCasesUnitOfWork

    return SqlCasesUnitOfWork(engine, cipher)


def portal(container: Container, *, clock: Clock | None = None) -> Portal:
    """The customer's page on the container's database: codes go by the SMS gateway (or e-mail)
    the outreach settings configure; links are signed with a key derived from the lookup key
    (stable across processes, so a link made by the command opens on the server)."""
    from arrears.adapters.outreach.code_messages import CodeMessages
    from arrears.adapters.outreach.sms_gateway import SmsGateway
    from arrears.adapters.outreach.smtp import SmtpMailer
    from arrears.adapters.storage.portal_repository import JoinedPortalUnitOfWork, SqlPortalUnitOfWork

    s = container.settings
    senders: dict[str, ChannelSender] = {}
    if s.sms_gateway_url:
        senders["sms"] = SmsGateway(s.sms_gateway_url, s.sms_gateway_token, timeout=s.sms_gateway_timeout)
    if s.smtp_url and s.mail_from:
        senders["email"] = SmtpMailer(s.smtp_url, s.mail_from, cafile=s.smtp_ca_file)
    engine, cipher = container.engine, container.cipher
    return Portal(
        unit_of_work=lambda: SqlPortalUnitOfWork(engine, cipher),
        arrangements=lambda: SqlArrangementsUnitOfWork(engine), portfolio=SqlPortfolioReader(engine),
        sender=CodeMessages(senders, s.institution_name) if senders else None,
        link_key=portal_link_key(cipher), public_url=s.public_url, institution=s.institution_name,
        clock=clock or system_clock, timezone=s.timezone, secure_cookies=s.public_url.startswith("https://"),
        joined=lambda connection: JoinedPortalUnitOfWork(connection, cipher), reads=portal_reads(engine, cipher),
    )


def portal_reads(engine: Engine, cipher: FieldCipher) -> Callable[[], AbstractContextManager[PageReads]]:
    """The customer page's reads on one connection and one transaction (one pool checkout a page)."""
    from arrears.adapters.storage.arrangements_repository import JoinedArrangementsUnitOfWork
    from arrears.adapters.storage.portal_repository import JoinedPortalUnitOfWork

    @contextmanager
    def reads() -> Iterator[PageReads]:
        with engine.connect() as connection, connection.begin():
            yield PageReads(JoinedPortalUnitOfWork(connection, cipher), JoinedArrangementsUnitOfWork(connection),
                            SqlPortfolioReader(connection, remember=True))

    return reads


def planned_message_texts(split: Split, settings: Settings | None = None) -> pl.DataFrame:
    """The words of each message a plan may send (``services.outreach.plan_texts``), signed with
    the configured institution, for the planner's gate to screen."""
    from arrears.services.outreach.plan_texts import planned_message_texts as texts
    from arrears.services.outreach.plan_texts import split_templates

    return texts(split_templates(split), (settings or get_settings()).institution_name)


def stored_preferences(settings: Settings | None = None) -> dict[str, Preferences]:
    """What customers chose on their own page (the planner lays it over the portfolio's), from the
    configured database; none when there is no database yet, or it has no such table (a plan made
    from files alone, on a machine without the database, is made as before)."""
    from arrears.adapters.storage.portal_repository import stored_preferences as read

    return _read_stored(settings or get_settings(), "portal_preferences", lambda connection, _s: read(connection), {})


def stored_contact_points(settings: Settings | None = None) -> list[dict[str, Any]]:
    """The contact points collectors changed in the workbench (a number a customer gave, one marked
    wrong, a consent), with their values, which the planner lays over the portfolio's; none without a
    database or before any change. Keys that are not the database's raise ``KeyMismatch``."""
    from arrears.adapters.storage.contact_points_repository import changed_points_for_planning

    def read(connection: Connection, s: Settings) -> list[dict[str, Any]]:
        if connection.execute(text("SELECT 1 FROM contact_point_changes LIMIT 1")).first() is None:
            return []
        return changed_points_for_planning(connection, database_cipher(connection.engine, s, datetime.now(UTC)))

    return _read_stored(settings or get_settings(), "contact_point_changes", read, [])


def stored_response_rates(plan_date: date, settings: Settings | None = None) -> ResponseRates | None:
    """The response models' rates the latest nightly run stored, when it ran at most a week before
    ``plan_date`` (``services.response_refit.stored_rates``); None without a database, such a run,
    or the column (a database not migrated yet): the plan then fits them from its portfolio."""
    from arrears.adapters.storage.scoring_reader import read_response_rates
    from arrears.services.response_refit import stored_rates

    found = _read_stored(settings or get_settings(), "scoring_runs",
                         lambda connection, _s: read_response_rates(connection, plan_date), None)
    return stored_rates(found, plan_date)


T = TypeVar("T")


def _read_stored(settings: Settings, table: str, read: Callable[[Connection, Settings], T], none: T) -> T:
    """``read`` on the configured database when it has ``table``; ``none`` when there is no
    database yet or it has no such table."""
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from arrears.adapters.storage.database import normalize_url

    url = normalize_url(settings.database_url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not (parsed.database and Path(parsed.database).is_file()):
        return none
    engine = make_engine(url)
    try:
        if not inspect(engine).has_table(table):
            return none
        with engine.connect() as connection:
            return read(connection, settings)
    except SQLAlchemyError:
        return none
    finally:
        engine.dispose()


def portal_link_key(cipher: FieldCipher) -> bytes:
    """The key links are signed with: derived from the lookup key, never stored."""
    return bytes.fromhex(cipher.lookup_hash("arrears self-service link key v1"))


def arrangements_uow(engine: Engine) -> ArrangementsUnitOfWork:
    """A unit of work of the arrangement use cases on ``engine``."""
    return SqlArrangementsUnitOfWork(engine)


def ingest_uow(engine: Engine, cipher: FieldCipher) -> IngestUnitOfWork:
    """The unit of work a snapshot is ingested in, encrypting personal data with ``cipher``."""
    return SqlIngestUnitOfWork(engine, cipher)


def nightly_uow(engine: Engine) -> NightlyUnitOfWork:
    """The unit of work of the nightly run's aging and scoring stages."""
    return SqlNightlyUnitOfWork(engine)


def nightly_ports(engine: Engine, cluster: Cluster | None = None) -> NightlyPorts:
    """Everything the nightly run reads and writes on ``engine`` (scoring on ``cluster`` when given)."""
    return NightlyPorts(nightly_uow(engine), lambda: arrangements_uow(engine), ingested_portfolio(engine), cluster)


def templates_uow(engine: Engine) -> TemplatesUnitOfWork:
    """A unit of work of the message-template use cases on ``engine``."""
    return SqlTemplatesUnitOfWork(engine)


def ingested_portfolio(engine: Engine) -> IngestedPortfolio:
    """The ingested portfolio as the arrangement use cases read it."""
    return SqlPortfolioReader(engine)


def counselling_directory(path: Path | None = None) -> CounsellingDirectory:
    """The counselling organisations of ``{"organisations": [...]}`` in ``path`` (default: the
    shipped EXAMPLE list); errors name the file."""
    source = path or EXAMPLE_DIRECTORY
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
        return directory_from_records(data["organisations"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DirectoryError(f"{source}: {exc}") from exc


def reporting_source(engine: Engine) -> ReportingSource:
    """Where the operation's figures are read from: the stored ledgers."""
    return SqlReportingSource(engine)


def allocation_uow(engine: Engine) -> AllocationUnitOfWork:
    return SqlAllocationUnitOfWork(engine)


def allocation_rules(settings: Settings | None = None) -> AllocationRules:
    """The allocation rules file the settings name (``ARREARS_ALLOCATION_RULES``), else the shipped one."""
    return read_rules((settings or get_settings()).allocation_rules)


def commission_source(engine: Engine) -> CommissionSource:
    return SqlCommissionSource(engine)


def retention_uow(engine: Engine) -> RetentionUnitOfWork:
    """The unit of work of the retention review (month partitions on PostgreSQL)."""
    return SqlRetentionUnitOfWork(engine)


def audit_chains(engine: Engine) -> AuditChains:
    return SqlAuditChains(engine)


def stored_decisions(engine: Engine, cipher: FieldCipher) -> StoredDecisions:
    return SqlStoredDecisions(engine, cipher)


def examiner_records(engine: Engine) -> ExaminerRecords:
    return SqlExaminerRecords(engine)
