"""Byte caps enforced while a multipart body streams, before anything is decoded.

Installed first in FILE_UPLOAD_HANDLERS: it sees every chunk before Django's memory or
temporary-file handlers keep it, and refuses the request as soon as the declared length
or the bytes received pass the cap, so an oversized upload costs at most one chunk past
the limit in memory (and never a full read). A view with its own cap sets
``request.max_upload_bytes`` on the Django request before the body is parsed."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler

# Room for the multipart envelope and small fields next to the files.
ENVELOPE_BYTES = 64 * 1024


class UploadTooLarge(RequestDataTooBig):
    """An upload past its cap, with OpenAI's body under /v1/ (a 400 in a plain Django view).

    One file past the cap is bad input like any other (400, ``image_too_large`` for the image
    endpoints' fields, ``file_too_large`` for verify's), as OpenAI answers; a declared body too
    big for any request is refused unread with 413."""

    def __init__(self, message: str, *, param: str | None, status: int):
        super().__init__(message)
        self.param, self.status = param, status
        self.code = "image_too_large" if param in ("image", "mask") else "file_too_large"


def max_upload_bytes(request) -> int:
    """Return the cap on one uploaded file for ``request``."""
    return getattr(request, "max_upload_bytes", None) or settings.HALLMARK["MAX_UPLOAD_BYTES"]


class ByteCapUploadHandler(FileUploadHandler):
    """Refuse a request whose body or any file in it passes the cap, chunk by chunk."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = max_upload_bytes(self.request)
        self.files = 0
        # Two files at most per request (an edit's image and mask); refuse a bigger body unread.
        if content_length and content_length > 2 * self.limit + ENVELOPE_BYTES:
            raise UploadTooLarge(f"The request body is too large: uploads must be at most "
                                 f"{self.limit // (1024 * 1024)} MB each.", param=None, status=413)
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.files += 1

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            raise UploadTooLarge(f"{self.field_name}: uploads must be at most {self.limit // (1024 * 1024)} MB.",
                                 param=self.field_name, status=400)
        return raw_data  # passed on to the next handler, which keeps it

    def file_complete(self, file_size):
        return None
