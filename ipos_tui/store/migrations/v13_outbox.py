"""Version 13 (issue 18, the week offline): the number of unsent documents, kept by
triggers, so the count the top bar shows after every sale (☁) and every request
sends (``X-Pending-Count``) costs the same with 5 or 50 000 documents waiting.
Counting them was a walk over the whole outbox: 7 ms per sale after a week offline.

One row (id 1): ``unsent`` = documents whose ``upload_state`` is not 'sent' (pending
or quarantined). The triggers run inside the writing transaction, so the count is
always that of the committed ledger. Documents are never deleted (``document_no_delete``);
the delete trigger is there for a ledger rebuilt by hand.
"""

from __future__ import annotations

from typing import Final

OUTBOX_V13: Final = (
    """CREATE TABLE outbox_count (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        unsent INTEGER NOT NULL CHECK (unsent >= 0)
    )""",
    "INSERT INTO outbox_count (id, unsent) SELECT 1, count(*) FROM document WHERE upload_state != 'sent'",
    """CREATE TRIGGER document_outbox_insert AFTER INSERT ON document
    WHEN new.upload_state != 'sent' BEGIN
        UPDATE outbox_count SET unsent = unsent + 1 WHERE id = 1;
    END""",
    """CREATE TRIGGER document_outbox_update AFTER UPDATE OF upload_state ON document
    WHEN (old.upload_state = 'sent') != (new.upload_state = 'sent') BEGIN
        UPDATE outbox_count SET unsent = unsent + (CASE WHEN new.upload_state = 'sent' THEN -1 ELSE 1 END)
        WHERE id = 1;
    END""",
    """CREATE TRIGGER document_outbox_delete AFTER DELETE ON document
    WHEN old.upload_state != 'sent' BEGIN
        UPDATE outbox_count SET unsent = unsent - 1 WHERE id = 1;
    END""",
)
