"""The eval harness: hand-labelled gold, field-level scoring, run comparison and the validator benchmark."""
