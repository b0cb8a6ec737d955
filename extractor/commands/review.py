"""`cli.py review`: placeholder until its issue lands."""


def register(subparsers) -> None:
    parser = subparsers.add_parser("review", help="(not built yet)")
    parser.set_defaults(handler=lambda args: print("review: not built yet") or 1)
