"""`cli.py ingest`: placeholder until its issue lands."""


def register(subparsers) -> None:
    parser = subparsers.add_parser("ingest", help="(not built yet)")
    parser.set_defaults(handler=lambda args: print("ingest: not built yet") or 1)
