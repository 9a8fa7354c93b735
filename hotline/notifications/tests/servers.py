"""Real servers on 127.0.0.1 for delivery tests: a minimal SMTP server and an HTTP
SMS gateway, each in a thread, recording what they received."""

from __future__ import annotations

import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer


class SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        server = self.server
        self.wfile.write(b"220 test SMTP\r\n")
        mail: dict = {"to": [], "data": b""}
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.strip().upper()
            if command.startswith((b"EHLO", b"HELO")):
                self.wfile.write(b"250 test\r\n")
            elif command.startswith(b"MAIL FROM"):
                mail["from"] = line.strip()[10:]
                self.wfile.write(b"250 OK\r\n")
            elif command.startswith(b"RCPT TO"):
                mail["to"].append(line.strip()[8:].strip(b"<>").decode())
                self.wfile.write(b"250 OK\r\n")
            elif command == b"DATA":
                self.wfile.write(b"354 go ahead\r\n")
                chunks = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    chunks.append(chunk)
                mail["data"] = b"".join(chunks)
                server.received.append(mail)  # type: ignore[attr-defined]
                mail = {"to": [], "data": b""}
                self.wfile.write(b"250 queued\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SMTPHandler)
        self.received: list[dict] = []


class Gateway(BaseHTTPRequestHandler):
    def do_POST(self):
        server = self.server
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        server.received.append(
            {
                "auth": self.headers.get("Authorization"),  # type: ignore[attr-defined]
                "key": self.headers.get("Idempotency-Key"),
                "body": body,
            }
        )
        status = server.statuses.pop(0) if server.statuses else 200  # type: ignore[attr-defined]
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args):
        pass


class GatewayServer(HTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), Gateway)
        self.received: list[dict] = []
        self.statuses: list[int] = []


def start(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server
