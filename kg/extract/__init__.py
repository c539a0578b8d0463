"""Triple extraction: spaCy dependency patterns by default, an LLM extractor as an option."""
