"""The documents the tills pushed: transactions with their lines and payments, the
quarantine of rejected ones, and the gaps and regressions of each till's numbering."""

from __future__ import annotations

from peewee import (
    BigIntegerField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .base import BaseModel, Company, IdField, utcnow
from .shop import Store, Terminal


class Transaction(BaseModel):
    """A document pushed by a terminal, stored exactly once.

    ``payload`` is the document as received (JSON); lines and payments are also
    stored as rows for reports.
    """

    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    store = ForeignKeyField(Store, on_delete="RESTRICT")
    terminal = ForeignKeyField(Terminal, on_delete="RESTRICT")
    uuid = CharField(max_length=36, unique=True)
    doc_type = CharField(max_length=16)
    number = IntegerField()
    created_at = DateTimeField()
    day = DateField()
    received_at = DateTimeField(default=utcnow)
    cashier_id = IntegerField(null=True)
    cashier_identifier = CharField(max_length=40, null=True)
    total = BigIntegerField(default=0)
    #: Receipts: "paragon" | "faktura" | "paragon_nip" (other documents: "paragon").
    #: The buyer (invoices, NIP receipts): NIP as 10 digits, name, address.
    #: Added by migration 2; rows stored before it read as plain paragons.
    kind = CharField(max_length=16, default="paragon")
    buyer_nip = CharField(max_length=10, null=True)
    buyer_name = CharField(max_length=120, null=True)
    buyer_address = CharField(max_length=200, null=True)
    #: For returns: the receipt taken back (terminal id, number), and its type when it
    #: was a Faktura ("sale_invoice"; NULL: a receipt). Type added by migration 11.
    original_terminal = IntegerField(null=True)
    original_number = IntegerField(null=True)
    original_type = CharField(max_length=16, null=True)
    #: The rates (basis points, null: exempt) of a sale's or a return's letters as its
    #: till sold them, JSON; NULL from older tills. Added by migration 11.
    vat_rates = CharField(max_length=200, null=True)
    #: An invoice's number ("FV/K3/12/2026/0001": a Faktura receipt, or an invoice for
    #: an earlier receipt, type "invoice", whose receipt is in original_*); a return
    #: against an invoice: its correcting invoice's number and the invoice corrected.
    #: Added by migration 9.
    invoice_number = CharField(max_length=40, null=True)
    correction_number = CharField(max_length=40, null=True)
    corrected_invoice = CharField(max_length=40, null=True)
    payload = TextField()
    warnings = TextField(null=True)  # JSON list
    #: 0; 1, 2 …: a document released from the quarantine whose number the till had
    #: already used for another one (a till put back from an old copy sold on it before
    #: it reached the back office): stored beside it, never over it. Migration 13.
    number_repeat = IntegerField(default=0)

    class Meta:
        table_name = "transaction_doc"
        indexes = (
            (("terminal", "doc_type", "number", "number_repeat"), True),
            (("company", "store", "day"), False),
            (("original_terminal", "original_number"), False),
        )


class TransactionLine(BaseModel):
    id = IdField()
    transaction = ForeignKeyField(Transaction, on_delete="CASCADE", column_name="doc_id")
    position = IntegerField()
    product_id = IntegerField(null=True)
    plu = CharField(max_length=20, null=True)
    name = CharField(max_length=80)
    vat = CharField(max_length=1)
    unit_price = BigIntegerField()
    qty = IntegerField()
    discount = BigIntegerField(default=0)
    value = BigIntegerField()


class TransactionPayment(BaseModel):
    id = IdField()
    transaction = ForeignKeyField(Transaction, on_delete="CASCADE", column_name="doc_id")
    method = CharField(max_length=40)
    amount = BigIntegerField()
    change = BigIntegerField(default=0)


class Quarantine(BaseModel):
    """A pushed payload the back office refused, kept raw with the reason."""

    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    terminal = ForeignKeyField(Terminal, null=True, on_delete="SET NULL")
    uuid = CharField(max_length=64, null=True)
    reason = CharField(max_length=200)
    payload = TextField()
    received_at = DateTimeField(default=utcnow)
    released_at = DateTimeField(null=True)
    released_as = IntegerField(null=True)  # transaction id it became

    class Meta:
        indexes = ((("company", "released_at"), False),)


class NumberingIssue(BaseModel):
    """A gap or a regression in one till's numbering of one document type, as the back
    office saw it (issue 15, item 5).

    ``kind`` "gap": the numbers ``first``..``last`` are missing between documents it
    holds (a higher number arrived first); the row shrinks as they arrive and goes
    when the last one does. ``kind`` "regression": numbers ``first``..``last`` came
    again for different documents (a till restored from an old backup numbering
    anew); kept until an administrator clears it. ``seen_at``: since when (UTC).
    """

    id = IdField()
    terminal = ForeignKeyField(Terminal, on_delete="CASCADE")
    doc_type = CharField(max_length=16)
    kind = CharField(max_length=12)
    first = IntegerField()
    last = IntegerField()
    seen_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "numbering_issue"
        indexes = ((("terminal", "doc_type", "kind"), False),)
