"""Adapters that let other frameworks call kgqa (llama-index); kgqa itself never imports them."""
