"""kgqa's interfaces: the CLI, the HTTP API and the Gradio app."""
