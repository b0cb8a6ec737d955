"""A real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions protocol, with scripted replies.

Tests reach it through the real openai + instructor stack (the product's LLMClient), so the
retries, parsing and re-asks they exercise are the ones shipped. Replies are queued per test
(`server.script(...)`); when the queue is empty a responder function (`server.respond_with(fn)`)
answers, else the server refuses with 400 so a test never silently loops. Every request is recorded.

Reply helpers: answer(payload) (a tool call in tools mode, JSON content in json mode, chosen from
the request), raw_tool_call(arguments_text), error(status, retry_after), hang(seconds),
truncated(). Usage and finish_reason are set on every completion.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from extractor.settings import LLMSettings


@dataclass
class RecordedRequest:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float

    @property
    def user_text(self) -> str:
        """The text of the first user message (where the prompts put the document)."""
        return next(m["content"] for m in self.body["messages"] if m["role"] == "user")


@dataclass
class Reply:
    """One scripted HTTP reply. `completion` builds a chat completion from the request when set."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | str | None = None
    delay_s: float = 0.0
    completion: Callable[[dict[str, Any]], dict[str, Any]] | None = None


def _usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens}


def _completion(request: dict[str, Any], *, text: str, finish_reason: str | None,
                usage: tuple[int, int]) -> dict[str, Any]:
    tools = request.get("tools")
    if tools:
        message = {"role": "assistant", "content": None, "tool_calls": [{
            "id": "call_fake", "type": "function",
            "function": {"name": tools[0]["function"]["name"], "arguments": text}}]}
        default_finish = "tool_calls"
    else:
        message = {"role": "assistant", "content": text}
        default_finish = "stop"
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
            "model": request.get("model", "fake"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish_reason or default_finish}],
            "usage": _usage(*usage)}


def answer(payload: dict[str, Any], *, usage: tuple[int, int] = (100, 20), delay_s: float = 0.0) -> Reply:
    """A valid answer carrying payload: a tool call in tools mode, JSON message content in json mode."""
    text = json.dumps(payload, ensure_ascii=False)
    return Reply(delay_s=delay_s, completion=lambda req: _completion(req, text=text, finish_reason=None, usage=usage))


def raw_text(text: str, *, usage: tuple[int, int] = (100, 20)) -> Reply:
    """An answer whose arguments/content is exactly `text` (e.g. malformed JSON)."""
    return Reply(completion=lambda req: _completion(req, text=text, finish_reason=None, usage=usage))


def truncated(*, usage: tuple[int, int] = (100, 4096)) -> Reply:
    """An answer cut off at the output limit: finish_reason "length", arguments not closed."""
    return Reply(completion=lambda req: _completion(req, text='{"data_rows": ["r1", "r2', finish_reason="length",
                                                     usage=usage))


def error(status: int, *, retry_after: float | None = None, message: str = "scripted error") -> Reply:
    """An HTTP error reply (429, 500...), optionally with a Retry-After header in seconds."""
    headers = {"retry-after": f"{retry_after:g}"} if retry_after is not None else {}
    return Reply(status=status, headers=headers,
                 body={"error": {"message": message, "type": "fake", "code": str(status)}})


def hang(seconds: float) -> Reply:
    """A reply that only starts after `seconds` (longer than the client timeout: the client gives up)."""
    return Reply(delay_s=seconds, body={"error": {"message": "too late"}}, status=500)


class FakeLLMServer:
    """Threaded HTTP server on a free port of 127.0.0.1; use as a context manager."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._queue: list[Reply] = []
        self._responder: Callable[[RecordedRequest], Reply] | None = None
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        """Queue replies, answered in order before the responder is consulted."""
        with self._lock:
            self._queue.extend(replies)

    def respond_with(self, responder: Callable[[RecordedRequest], Reply]) -> None:
        """Answer every request left unscripted with responder(request)."""
        self._responder = responder

    @property
    def completions(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def __enter__(self) -> FakeLLMServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self._queue:
                return self._queue.pop(0)
        if self._responder is not None:
            return self._responder(request)
        return error(400, message="fake server: no scripted reply left for this request")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                request = RecordedRequest(path=self.path, body=body, headers={k.lower(): v for k, v in self.headers.items()}, at=time.monotonic())
                reply = server._next_reply(request)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                payload = reply.completion(body) if reply.completion else reply.body
                data = (payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        return Handler


def fake_settings(server: FakeLLMServer, **overrides: Any) -> LLMSettings:
    """LLMSettings pointing at the fake server with short timeouts and backoffs for fast tests."""
    values: dict[str, Any] = {"base_url": server.base_url, "api_key": "test-key", "model": "fake-model",
                              "mode": "tools", "timeout_s": 2.0, "max_attempts": 4, "max_reasks": 2,
                              "max_rows_per_chunk": 40, "backoff_initial_s": 0.01, "backoff_max_s": 0.05}
    values.update(overrides)
    return LLMSettings(**values)
