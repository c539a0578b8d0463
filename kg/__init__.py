"""kgqa's knowledge graph: ingestion, triple extraction and the graph stores."""
