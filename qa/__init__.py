"""Question answering: routing, retrieval and answers."""
