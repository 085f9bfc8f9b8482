"""``services.retention`` on the database: the facts of each month partition (rows by the
jurisdiction of their customer; for the US, the last collection activity of the accounts in it;
for the decision audit, whether the month is a sealed prefix of the chain) and the drop."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, delete

from arrears.adapters.storage.audit_tables import chain_anchors
from arrears.adapters.storage.month_partitions import (
    bounds_sql,
    default_partition,
    drop_month,
    is_partitioned,
    month_partitions,
    partition_name,
)
from arrears.adapters.storage.unit_of_work import SqlUnitOfWork

# A decision of the contract's check may name a customer who is not in the portfolio: its
# jurisdiction is then the pack it was judged under.
_JURISDICTION = {
    "compliance_decisions": "coalesce(c.jurisdiction, "
                            "(SELECT min(k) FROM jsonb_object_keys(r.pack_versions::jsonb) k), '?')",
    "contacts": "coalesce(c.jurisdiction, '?')",
    "contact_attempts": "coalesce(c.jurisdiction, '?')",
}


class SqlRetention:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def partitioned(self) -> bool:
        return is_partitioned(self._c, "contacts")

    def months(self, table: str) -> list[date]:
        return month_partitions(self._c, table)

    def rows_by_jurisdiction(self, table: str, month: date) -> dict[str, int]:
        return {str(j): int(n) for j, n in self._c.exec_driver_sql(
            f"SELECT {_JURISDICTION[table]} AS j, count(*) FROM {partition_name(table, month)} r "
            "LEFT JOIN customers c ON c.customer_id = r.customer_id GROUP BY 1").all()}

    def last_activity(self, table: str, month: date, jurisdiction: str) -> date | None:
        """The latest contact or attempt, any month, of the accounts of ``jurisdiction`` in the month."""
        accounts = (f"SELECT DISTINCT r.account_id FROM {partition_name(table, month)} r "
                    "JOIN customers c ON c.customer_id = r.customer_id "
                    "WHERE c.jurisdiction = %(j)s AND r.account_id IS NOT NULL")
        latest = self._c.exec_driver_sql(
            f"WITH a AS ({accounts}) SELECT max(x) FROM ("
            "SELECT max(at) AS x FROM contacts WHERE account_id IN (SELECT account_id FROM a) UNION ALL "
            "SELECT max(at) FROM contact_attempts WHERE account_id IN (SELECT account_id FROM a)) m",
            {"j": jurisdiction}).scalar()
        return latest.date() if isinstance(latest, datetime) else latest

    def chain_prefix(self, table: str, month: date) -> bool:
        return self._chain_prefix(partition_name(table, month), month)

    def _chain_prefix(self, part: str, month: date) -> bool:
        unsealed, newest = self._c.exec_driver_sql(
            f"SELECT count(*) FILTER (WHERE row_hash IS NULL), max(decision_id) FROM {part}").one()
        _, end = bounds_sql(month)
        oldest_kept = self._c.exec_driver_sql(
            f"SELECT min(decision_id) FROM compliance_decisions WHERE decided_for >= '{end}' "
            f"OR tableoid = '{default_partition('compliance_decisions')}'::regclass").scalar()
        return not unsealed and (newest is None or oldest_kept is None or newest < oldest_kept)

    def drop(self, table: str, month: date, now: datetime) -> None:
        if table == "compliance_decisions":
            last = self._c.exec_driver_sql(
                f"SELECT decision_id, row_hash FROM {partition_name(table, month)} "
                "ORDER BY decision_id DESC LIMIT 1").first()
            if last is not None:
                self._c.execute(delete(chain_anchors).where(chain_anchors.c.log == table))
                self._c.execute(chain_anchors.insert().values(log=table, after_id=last[0], after_hash=last[1],
                                                              dropped_at=now))
        drop_month(self._c, table, month)


class SqlRetentionUnitOfWork(SqlUnitOfWork):
    """The review's transactions: the handler commits after each month's reads and after each drop."""

    def _bind(self, connection: Connection) -> None:
        self.retention = SqlRetention(connection)
