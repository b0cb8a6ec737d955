"""One module per CLI command; each exposes register(subparsers) and sets `handler` on its parser."""
