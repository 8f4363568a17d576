#!/usr/bin/env python3
"""A small HTTP server for tests/unit/test_fetch.c (standard library only).

Serves the files of one directory on 127.0.0.1 with a strong ETag (the SHA-256 of the
content) and answers If-None-Match with 304. Extra paths for the fetch tests:
  /redirect/N/PATH   302 to /redirect/N-1/PATH, and /PATH when N is 0
  /headers           the request's headers as the body
  /to?URL            302 to URL
  /status/NNN        an empty response with that status
  /status/NNN?body=N that status with N bytes of body and no Content-Length
  /slow/S/PATH       the headers of PATH, then S seconds of silence, then its body
  PATH?gzip          the file gzip-compressed with Content-Encoding: gzip
Prints "port N" on stdout once listening (port 0 = an ephemeral port), then serves until
killed.
"""
import gzip
import hashlib
import http.server
import os
import sys
import time
import urllib.parse


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    root = "."

    def log_message(self, fmt, *args):
        pass

    def send_empty(self, status, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        parts = url.path.split("/")
        if len(parts) >= 3 and parts[1] == "redirect":
            n = int(parts[2])
            rest = "/".join(parts[3:])
            target = "/%s" % rest if n == 0 else "/redirect/%d/%s" % (n - 1, rest)
            if url.query:
                target += "?" + url.query
            return self.send_empty(302, [("Location", target)])
        if url.path == "/headers":
            data = str(self.headers).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return None
        if url.path == "/to":
            return self.send_empty(302, [("Location", url.query)])
        if len(parts) == 3 and parts[1] == "status":
            if not url.query.startswith("body="):
                return self.send_empty(int(parts[2]))
            # A body of that many bytes with no Content-Length: read until close.
            self.send_response(int(parts[2]))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"x" * int(url.query[5:]))
            self.close_connection = True
            return None
        delay = 0
        if len(parts) >= 4 and parts[1] == "slow":
            delay = float(parts[2])
            parts = [""] + parts[3:]
        name = os.path.normpath("/".join(parts)).lstrip("/")
        path = os.path.join(self.root, name)
        if name.startswith("..") or not os.path.isfile(path):
            return self.send_empty(404)
        with open(path, "rb") as f:
            data = f.read()
        etag = '"%s"' % hashlib.sha256(data).hexdigest()[:32]
        conditions = ",".join(self.headers.get_all("If-None-Match", []))
        wanted = [t.strip() for t in conditions.split(",")]
        if etag in wanted or "W/" + etag in wanted or "*" in wanted:
            return self.send_empty(304, [("ETag", etag)])
        headers = [("ETag", etag), ("Content-Type", "application/json")]
        if url.query == "gzip" and "gzip" in self.headers.get("Accept-Encoding", ""):
            data = gzip.compress(data)
            headers.append(("Content-Encoding", "gzip"))
        self.send_response(200)
        for h, v in headers:
            self.send_header(h, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.flush()
        if delay:
            time.sleep(delay)
        self.wfile.write(data)


def main():
    Handler.root = sys.argv[1] if len(sys.argv) > 1 else "."
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print("port %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
