"""Documents the tills push: their checks (:mod:`.checks`), their ingest, exactly once
(:mod:`.ingest`), the lists of them (:mod:`.listing`), the quarantine of rejected ones
(:mod:`.quarantine`), a till's unsent documents brought on a file (:mod:`.exported`)
and the sales report of a day (:mod:`.reports`)."""

from ipos_tui.backoffice.documents.checks import Rejected, parse_document
from ipos_tui.backoffice.documents.exported import ingest_export, read_export_lines
from ipos_tui.backoffice.documents.ingest import Ingest
from ipos_tui.backoffice.documents.listing import list_invoices, list_transactions
from ipos_tui.backoffice.documents.quarantine import list_quarantine, release_quarantine
from ipos_tui.backoffice.documents.reports import sales_report

__all__ = ["Ingest", "Rejected", "ingest_export", "list_invoices", "list_quarantine",
           "list_transactions", "parse_document", "read_export_lines", "release_quarantine",
           "sales_report"]
