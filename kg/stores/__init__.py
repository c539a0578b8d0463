"""Graph stores: one interface (base.GraphStore); backends differ only in a dialect module."""
