"""Uploads that stay in memory: a letter scan or a spreadsheet never touches the disk in plain text.

Django spools uploads above ``FILE_UPLOAD_MAX_MEMORY_SIZE`` to a temporary file. Outreach
files are small by design (attachments up to 5 MB, spreadsheets up to 40 MB), so they are
kept in memory up to their limit and sealed before they are stored; past the limit the rest
is read and dropped, and the form reports the size.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect


class MemoryUploadHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer, self.size = io.BytesIO(), 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.size += len(raw_data)
        if self.size <= self.limit:
            self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        if self.size > self.limit:
            self.buffer = io.BytesIO()  # dropped: the form refuses the file by its size
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def in_memory(limit: int) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view so that its uploads stay in memory (up to ``limit`` bytes each).

    Upload handlers must be set before the CSRF check reads the body, hence the exemption
    from the middleware and the same check applied right after.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            request.upload_handlers = [MemoryUploadHandler(request, limit)]
            return protected(request, *args, **kwargs)

        return wrapped

    return decorate
