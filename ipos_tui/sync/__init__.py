"""The terminal's sync engine: plain Python, no Textual (the UI and ``ipos-tui sync``
both drive it).

* :mod:`.progress` — observer events, job/item ids, :class:`~.progress.CancelToken`;
* :mod:`.client` — :class:`~.client.SyncClient` (one pooled httpx client, headers,
  retries, the endpoints);
* :mod:`.errors` — :class:`~.errors.SyncError` and how an HTTP answer becomes one;
* :mod:`.context` — :class:`~.context.SyncContext` built from the stored connection;
* :mod:`.activation` — :func:`~.activation.activate`;
* :mod:`.pull` — the config/users/products jobs (applied by
  :mod:`ipos_tui.store.feed_apply`) and :func:`~.pull.run_job`;
* :mod:`.upload` (a package: entry points, policy, sender) / :mod:`.documents` — the
  transactions job;
* :mod:`.headless` — the rows ``ipos-tui sync`` prints.

Nothing is imported here, so importing one part does not pull in the others.
"""
