"""Media uploads: memory held while reading a multipart upload, streamed (``ingress.uploads``) against read whole.

The media route reads bodies up to ``ingress.media_max_body_bytes`` so that a file too large for WeChat gets a
422 with its size; streaming keeps at most WeChat's largest limit (10 MB) of the file. Prints the peak Python
memory (tracemalloc) of each way for a file within the limit and for one three times over it, and their ratio.

    python bench/media_upload.py [--mb 30]
"""

from __future__ import annotations

import argparse
import io
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import falcon
import falcon.testing
import httpx

# The project before bench/ (which holds a module named ``ingress``, like the package this imports).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingress.uploads import read_upload
from platforms.wechat.media_rules import MAX_MEDIA_BYTES, MB


class Socket(io.RawIOBase):
    """The body as a socket hands it over: fresh bytes on every read (BytesIO would share its buffer)."""

    def __init__(self, body: bytes) -> None:
        self._body = memoryview(body)
        self._at = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        end = len(self._body) if size is None or size < 0 else min(self._at + size, len(self._body))
        chunk = bytes(self._body[self._at:end])
        self._at = end
        return chunk


def request_for(size: int) -> falcon.Request:
    built = httpx.Request("POST", "http://ingress/", files={"media": ("big.png", b"\x89PNG" + bytes(size - 4))},
                          data={"type": "image"})
    body = built.read()
    environ = falcon.testing.create_environ(method="POST", path="/api/v1/wechat/media", body=b"",
                                            headers={"Content-Type": built.headers["Content-Type"],
                                                     "Content-Length": str(len(body))})
    environ["wsgi.input"] = Socket(body)
    return falcon.Request(environ)


def peak(read: Callable[[falcon.Request], object], size: int) -> int:
    request = request_for(size)  # built outside the measurement: the body arrives from the socket
    tracemalloc.start()
    read(request)
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top


def streamed(request: falcon.Request) -> object:
    return read_upload(request, MAX_MEDIA_BYTES)


def whole(request: falcon.Request) -> object:
    return request.bounded_stream.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=30, help="size of the oversized file (MB)")
    args = parser.parse_args()
    for label, size in (("2 MB image (accepted)", 2 * MB), (f"{args.mb} MB image (refused)", args.mb * MB)):
        ours, baseline = peak(streamed, size), peak(whole, size)
        print(f"{label:28} streamed {ours / MB:6.1f} MB   read whole {baseline / MB:6.1f} MB   "
              f"ratio {ours / baseline:.2f}")


if __name__ == "__main__":
    main()
