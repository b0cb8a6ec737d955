"""`cli.py extract`: placeholder until its issue lands."""


def register(subparsers) -> None:
    parser = subparsers.add_parser("extract", help="(not built yet)")
    parser.set_defaults(handler=lambda args: print("extract: not built yet") or 1)
