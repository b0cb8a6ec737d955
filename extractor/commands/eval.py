"""`cli.py eval`: placeholder until its issue lands."""


def register(subparsers) -> None:
    parser = subparsers.add_parser("eval", help="(not built yet)")
    parser.set_defaults(handler=lambda args: print("eval: not built yet") or 1)
