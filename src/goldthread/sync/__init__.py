"""The jobs users run: one cycle that joins the connectors, the core and the store.

fetch (:mod:`.fetching`, every source concurrently) → store → evaluate
(:mod:`.evaluating`, the whole graph, across trackers) → plan
(:mod:`.planning`, pure; comment text from :mod:`.commenting`) → apply
(:mod:`.applying`, ledger after every write) → commit cursors
(:mod:`.cycle`). :mod:`.sources` builds the connectors from the settings.
"""
