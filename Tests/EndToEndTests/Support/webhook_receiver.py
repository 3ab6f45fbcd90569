"""A webhook receiver for LeadGate's end-to-end tests: records every request as a JSON line.

Usage: webhook_receiver.py PORT LOG_FILE
Paths decide the answer: /ok → 200; /gone → 410; /flaky → 503 (Retry-After: 0) twice, then 200;
/busy → 429 (Retry-After: 3600) once, then 200;
/hang → holds the connection without answering until the process ends.
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, log_path = int(sys.argv[1]), sys.argv[2]
lock = threading.Lock()
seen = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with lock:
            count = seen.get(self.path, 0) + 1
            seen[self.path] = count
            with open(log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps({
                    "path": self.path,
                    "headers": {key.lower(): value for key, value in self.headers.items()},
                    "body": body.decode("utf-8", "replace"),
                }, ensure_ascii=False) + "\n")
        if self.path.startswith("/hang"):
            threading.Event().wait()
        status, extra = 200, {}
        if self.path.startswith("/gone"):
            status = 410
        elif self.path.startswith("/flaky") and count <= 2:
            status, extra = 503, {"Retry-After": "0"}
        elif self.path.startswith("/busy") and count == 1:
            status, extra = 429, {"Retry-After": "3600"}
        reply = b'{"ok": true}' if status == 200 else b'{"error": "try later"}'
        self.send_response(status)
        for key, value in extra.items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
server.daemon_threads = True
print("ready", flush=True)
server.serve_forever()
