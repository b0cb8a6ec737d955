"""`cli.py review`: serve the review page; `review add-user NAME`; `review promote DOC --gold DIR`."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from extractor.errors import ExtractorError
from extractor.settings import load_settings


def register(subparsers) -> None:
    parser = subparsers.add_parser("review", help="serve the reviewers' web page, add reviewers, promote to gold")
    parser.add_argument("--db", help="SQLAlchemy URL of the store (default: settings, sqlite:///extractor.db)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000)
    parser.set_defaults(handler=_serve)
    actions = parser.add_subparsers(dest="review_command")

    add_user = actions.add_parser("add-user", help="create a reviewer account")
    add_user.add_argument("username")
    add_user.add_argument("--password-stdin", action="store_true",
                          help="read the password from the first line of standard input instead of prompting")
    add_user.add_argument("--db", default=argparse.SUPPRESS, help="SQLAlchemy URL of the store")
    add_user.set_defaults(handler=_add_user)

    promote = actions.add_parser("promote", help="write a fully reviewed document as a gold file")
    promote.add_argument("document", help="document id, file name or sha256 prefix")
    promote.add_argument("--gold", type=Path, default=Path("evals/gold"), help="gold directory (default evals/gold)")
    promote.add_argument("--note", action="append", default=None, help="a note for the _gold header (repeatable)")
    promote.add_argument("--overwrite", action="store_true", help="replace an existing gold file of that name")
    promote.add_argument("--db", default=argparse.SUPPRESS, help="SQLAlchemy URL of the store")
    promote.set_defaults(handler=_promote)


def _store(args):
    from extractor.store import open_store

    return open_store(args.db or load_settings().store.url)


def _serve(args) -> int:
    import uvicorn

    from extractor.review.app import create_app

    store = _store(args)
    if not store.usernames():
        print("no reviewer can sign in yet: add one with `python cli.py review add-user NAME`", file=sys.stderr)
    app = create_app(store)
    print(f"review page on http://{args.host}:{args.port}/", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


def _add_user(args) -> int:
    from extractor.review.auth import MIN_PASSWORD_LENGTH, hash_password

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.username}: ")
        if getpass.getpass("again: ") != password:
            raise ExtractorError("the two passwords differ")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ExtractorError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    _store(args).add_user(args.username, hash_password(password))
    print(f"added reviewer {args.username}")
    return 0


def _promote(args) -> int:
    from extractor.store.export import promote_to_gold

    store = _store(args)
    target = promote_to_gold(store, store.find_document(args.document), args.gold, notes=args.note,
                             overwrite=args.overwrite)
    print(target)
    return 0
