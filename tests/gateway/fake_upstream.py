"""A tiny OpenAI-compatible model server for the gateway test: it answers every chat completion and keeps
the request bodies it received, so the test can check what reached the model (redacted text, not the raw).

LiteLLM's `mock_response` answers inside the proxy and never shows the model's input, so the approved model
of the CI configuration is this server instead (`api_base`). The texts are synthetic test data.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeModel:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    request = json.loads(body or b"{}")
                except ValueError:
                    request = {}
                with owner._lock:
                    owner.received.append(request)
                reply = {
                    "id": f"chatcmpl-{len(owner.received)}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": request.get("model", "fake"),
                    "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": "Noted."}, "finish_reason": "stop"}
                    ],
                    "usage": {"prompt_tokens": 12, "completion_tokens": 2, "total_tokens": 14},
                }
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return  # the bodies hold test texts: keep them out of the CI log

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeModel:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def texts(self) -> list[str]:
        """Every message text the model received, in order."""
        with self._lock:
            return [
                m["content"]
                for r in self.received
                for m in r.get("messages", [])
                if isinstance(m, dict) and isinstance(m.get("content"), str)
            ]
