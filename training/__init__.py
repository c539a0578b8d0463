"""Fine-tuning from the graph: QA pairs, dataset export, LoRA training, evaluation."""
