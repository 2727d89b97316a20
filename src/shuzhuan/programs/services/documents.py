"""Project documents: type by extension and content, private storage."""

from __future__ import annotations

import uuid
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from shuzhuan.core import audit
from shuzhuan.core.jobs import private_path
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.models import (
    Project,
    ProjectDocument,
)
from shuzhuan.programs.services.common import ServiceError, _user
from shuzhuan.programs.services.projects import _locked, _may_deliver

DOCUMENT_MAX_BYTES = settings.DOCUMENT_MAX_UPLOAD_BYTES  # the one document upload limit
_MAGIC = {
    wf.PDF: (b"%PDF-", ""),
    wf.JPG: (b"\xff\xd8\xff", ""),
    wf.PNG: (b"\x89PNG\r\n\x1a\n", ""),
    wf.DOCX: (b"PK\x03\x04", "word/document.xml"),
    wf.XLSX: (b"PK\x03\x04", "xl/workbook.xml"),
}
_EXTENSIONS = {"pdf": wf.PDF, "jpg": wf.JPG, "jpeg": wf.JPG, "png": wf.PNG, "docx": wf.DOCX, "xlsx": wf.XLSX}
CONTENT_TYPES = {wf.PDF: "application/pdf", wf.JPG: "image/jpeg", wf.PNG: "image/png",
                 wf.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 wf.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def file_type_of(upload: Any) -> str:
    """The file's type by extension AND content (magic bytes; the office part inside a ZIP)."""
    name = str(getattr(upload, "name", "") or "")
    file_type = _EXTENSIONS.get(Path(name).suffix.lower().lstrip("."))
    if file_type is None:
        raise ServiceError(gettext("不支持的文件类型：仅可上传 PDF、JPG/PNG、DOCX、XLSX 文件"))
    size = getattr(upload, "size", 0) or 0
    if size == 0:
        raise ServiceError(gettext("文件为空"))
    if size > DOCUMENT_MAX_BYTES:
        raise ServiceError(gettext("文件过大：每个文件不超过 %(mb)s MB") % {"mb": DOCUMENT_MAX_BYTES // (1024 * 1024)})
    magic, member = _MAGIC[file_type]
    upload.seek(0)
    ok = upload.read(16).startswith(magic)
    upload.seek(0)
    if ok and member:
        try:
            with zipfile.ZipFile(upload) as archive:
                ok = member in archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            ok = False
        upload.seek(0)
    if not ok:
        raise ServiceError(gettext("文件内容与扩展名不符，请上传真实的 %(type)s 文件") % {"type": file_type.upper()})
    return file_type


@transaction.atomic
def upload_document(actor: Any, project: Project, kind: str, upload: Any) -> ProjectDocument:
    """Store a project document privately. The contract goes with the contract filing; the other
    acceptance documents with the acceptance application."""
    document_kind = wf.DOCUMENTS.get(kind)
    if document_kind is None:
        raise ServiceError(gettext("未知的材料类型"))
    row = _locked(project)
    part = wf.editable(row.state, row.returned_to)
    if part is None or (part == "contract" and kind != "contract"):
        raise ServiceError(gettext("项目当前状态为「%(state)s」，不能上传「%(kind)s」") % {"state": row.state_label, "kind": document_kind.label})
    if not _may_deliver(actor, row):
        raise ServiceError(gettext("只有项目所属企业可以上传材料"))
    file_type = file_type_of(upload)
    if file_type not in document_kind.types:
        raise ServiceError(gettext("「%(kind)s」应为 %(types)s 文件") % {"kind": document_kind.label, "types": "/".join(t.upper() for t in document_kind.types)})
    relative = f"programs/{row.pk}/{uuid.uuid4().hex}.{file_type}"
    with private_path(relative).open("wb") as fh:
        for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
            fh.write(chunk)
    name = Path(str(upload.name)).name[:200]
    document = ProjectDocument.objects.create(project=row, kind=kind, file_type=file_type, path=relative, name=name,
                                              size=upload.size, uploaded_by=_user(actor))
    audit.record(actor, "programs.project.document", row, f"上传「{document_kind.label}」：{name}",
                 organisation=row.enterprise_id)
    return document


def latest_documents(project: Project) -> dict[str, ProjectDocument]:
    """The latest upload of each kind (earlier ones stay for the record)."""
    latest: dict[str, ProjectDocument] = {}
    for document in project.documents.order_by("uploaded_at", "id"):
        latest[document.kind] = document
    return latest
