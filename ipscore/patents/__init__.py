"""Patent records: schema, readers, IPC codes, classification, aggregation."""

from ipscore.patents import ipc  # noqa: F401  (registers the IPC functions of the language)
