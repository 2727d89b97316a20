"""The project archive (一企一档) as one ZIP."""

from __future__ import annotations

import io
import zipfile

from django.utils import timezone

from shuzhuan.core.domain import format_yuan
from shuzhuan.core.jobs import private_path
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.domain.model import LEVEL_NAMES
from shuzhuan.programs.models import (
    Project,
)
from shuzhuan.programs.services.rules import categories


def archive_zip(project: Project) -> bytes:
    """The project's documents and a summary (项目摘要.txt) as one ZIP."""
    from shuzhuan.core.models import AuditEntry

    buffer = io.BytesIO()
    documents = list(project.documents.order_by("kind", "uploaded_at", "id"))
    labels = {k.code: k.label for k in wf.DOCUMENT_KINDS}
    cats = categories(project.programme)
    lines = [
        f"改造项目档案：{project.title}",
        f"企业：{project.enterprise.organisation.name}（{project.enterprise.organisation.uscc}），{project.enterprise.town.name}",
        f"试点计划：{project.programme.name}",
        f"服务商：{project.provider.name if project.provider else '—'}",
        f"状态：{project.state_label}",
        f"合同编号：{project.contract_no or '—'}；合同金额：{format_yuan(project.contract_amount)} 元；签订日期：{project.signed_on or '—'}",
        f"改造前等级：{LEVEL_NAMES[project.baseline_level] if project.baseline_level is not None else '未评定'}；"
        f"改造后等级：{LEVEL_NAMES[project.level_achieved] if project.level_achieved is not None else '未评定'}"
        + (f"（现场评定 #{project.post_assessment_id}）" if project.post_assessment_id else ""),
        "",
        "投资明细：",
        *(f"  {cats.get(i.category, i.category)} {format_yuan(i.amount)} 元 {i.description}" for i in project.items.all()),
        "",
        f"补助金额：{format_yuan(project.subsidy_amount)} 元（规则版本 {project.rules_version or '—'}）",
        *(f"  {line}" for line in project.subsidy_explanation),
        "",
        "材料：",
        *(f"  {labels.get(d.kind, d.kind)}：{d.name}（{timezone.localtime(d.uploaded_at):%Y-%m-%d}）" for d in documents),
        "",
        "办理记录：",
    ]
    history = AuditEntry.objects.filter(target_type="programs.project", target_id=str(project.pk)).order_by("at", "id")
    for entry in history:
        lines.append(f"  {timezone.localtime(entry.at):%Y-%m-%d %H:%M} {entry.actor_label}：{entry.summary}"
                     + (f"（原因：{entry.reason}）" if entry.reason else ""))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        summary = zipfile.ZipInfo("项目摘要.txt", date_time=timezone.localtime().timetuple()[:6])
        summary.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(summary, "\n".join(lines) + "\n")
        seen: set[str] = set()
        for document in documents:
            path = private_path(document.path)
            if not path.is_file():
                continue
            name = f"{labels.get(document.kind, document.kind)}/{document.name}"
            while name in seen:
                name = f"{labels.get(document.kind, document.kind)}/{document.pk}-{document.name}"
            seen.add(name)
            # the member's date is the upload time in local time (a file's mtime would be the server's, in UTC)
            info = zipfile.ZipInfo(name, date_time=timezone.localtime(document.uploaded_at).timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()
