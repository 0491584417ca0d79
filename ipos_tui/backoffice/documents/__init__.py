"""Documents the tills push: their checks, their ingest, listing, quarantine and reports."""
