"""Patent records: schema, readers, IPC codes, classification, aggregation."""
