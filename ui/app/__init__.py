"""The Gradio app, mounted beside the HTTP API (see ui.app.server)."""
