"""`cli.py export`: placeholder until its issue lands."""


def register(subparsers) -> None:
    parser = subparsers.add_parser("export", help="(not built yet)")
    parser.set_defaults(handler=lambda args: print("export: not built yet") or 1)
