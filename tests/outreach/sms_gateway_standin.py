"""A stand-in for an SMS gateway (outreach-v1), run as its own process by the tests and the
benchmark: ``python sms_gateway_standin.py --record FILE [options]``; it prints its port.

Every POST is appended to FILE as one JSON line (message id, number, text, sender, the answer
given) before it is answered, so a test can see what reached the gateway even when the
sender dies waiting for the answer. A message id seen before gets the provider id it got the
first time (the gateway drops the duplicate)."""

from __future__ import annotations

import argparse
import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--record", required=True)
    parser.add_argument("--token", default=None, help="require this bearer token (401 otherwise)")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--slow-after", type=int, default=0, help="answer the first N at once, then use --delay")
    parser.add_argument("--fail-first", type=int, default=0, help="answer 503 to the first N tries of each message")
    parser.add_argument("--reject", action="append", default=[], help="answer 422 for this number")
    parser.add_argument("--undeliverable", action="append", default=[], help="receipt 'undeliverable' for this number")
    parser.add_argument("--callback", default=None, help="base URL of arrears serve: receipts are posted there")
    parser.add_argument("--callback-token", default=None)
    parser.add_argument("--quiet-record", action="store_true", help="record ids only (benchmarks)")
    args = parser.parse_args()
    lock = threading.Lock()
    tries: dict[str, int] = {}
    provider_ids: dict[str, str] = {}
    received = [0]
    record = open(args.record, "a", encoding="utf-8")  # noqa: SIM115 (open for the server's life)

    def post_receipt(provider_id: str, status: str) -> None:
        body = json.dumps({"provider_id": provider_id, "status": status,
                           "at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())}).encode()
        request = urllib.request.Request(f"{args.callback}/v1/outreach/sms/receipts", data=body, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": f"Bearer {args.callback_token}"})
        # As real gateways do, a receipt that fails is posted again, for a minute: it can reach arrears
        # before the dispatcher has committed the provider id (404), or a loaded server can be slow.
        pause, deadline = 0.2, time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(request, timeout=10).read()
                return
            except Exception as error:
                if time.monotonic() > deadline:
                    print(f"receipt for {provider_id} failed: {error}", flush=True)
                    return
            time.sleep(pause)
            pause = min(pause * 2, 3.0)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            payload = json.loads(self.rfile.read(length) or b"{}")
            if args.token and self.headers.get("Authorization") != f"Bearer {args.token}":
                self._answer(401, {"error": "token"})
                return
            mid, to = payload.get("message_id"), payload.get("to")
            with lock:
                received[0] += 1
                count = received[0]
                tries[mid] = tries.get(mid, 0) + 1
                duplicate = mid in provider_ids
                if to in args.reject:
                    status, answer = 422, {"error": "number refused"}
                elif tries[mid] <= args.fail_first:
                    status, answer = 503, {"error": "busy"}
                else:
                    provider_ids.setdefault(mid, f"p-{len(provider_ids) + 1}")
                    status, answer = 200, {"provider_id": provider_ids[mid]}
                line = {"message_id": mid, "status": status, "duplicate": duplicate}
                if not args.quiet_record:
                    line |= {"to": to, "text": payload.get("text"), "sender": payload.get("sender"),
                             "authorization": self.headers.get("Authorization")}
                record.write(json.dumps(line, ensure_ascii=False) + "\n")
                record.flush()
            if args.delay and count > args.slow_after:
                time.sleep(args.delay)
            self._answer(status, answer)
            if status == 200 and args.callback and not duplicate:
                kind = "undeliverable" if to in args.undeliverable else "delivered"
                threading.Thread(target=post_receipt, args=(answer["provider_id"], kind), daemon=True).start()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
