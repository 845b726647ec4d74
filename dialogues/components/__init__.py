"""Code the Rasa server loads from config.yml (it runs from the project root, which Rasa puts on
its import path)."""
