"""Resources after an evening (slides, handouts, links) for the families who could not come."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from .. import audit, uploads
from ..auth.models import User
from ..errors import DomainError, NotFoundError
from ..extensions import db
from ..text import render_markdown
from .access import require_manager
from .for_parents import may_see_resources
from .models import Meeting, MeetingResource
from .planning import get_meeting

#: Allowed files, by extension, with the bytes each kind of file starts with.
FILE_KINDS = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (b"PK\x03\x04",),
    ),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    "odp": ("application/vnd.oasis.opendocument.presentation", (b"PK\x03\x04",)),
    "odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "ppt": ("application/vnd.ms-powerpoint", (b"\xd0\xcf\x11\xe0",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
}
MAX_FILE_BYTES = 15 * 1024 * 1024


def resource_folder() -> Path:
    """Kept under the upload folder, never under static/: served only to those allowed."""
    return uploads.folder("meetings")


def _safe_display_name(filename: str, extension: str) -> str:
    stem = "".join(ch for ch in Path(filename).stem if ch.isalnum() or ch in " -_.")[:120]
    return f"{stem.strip() or 'resource'}.{extension}"


def add_link(actor: User, meeting_id: int, title: str, url: str) -> MeetingResource:
    """Add a link (a video, a guide) to an evening's resources."""
    require_manager(actor)
    meeting = get_meeting(meeting_id)
    url = url.strip()
    if not url.lower().startswith(("https://", "http://")):
        raise DomainError("Enter the full web address, starting https://", "url")
    resource = MeetingResource(
        meeting_id=meeting.id, title=title.strip(), url=url, added_by_id=actor.id
    )
    db.session.add(resource)
    db.session.flush()
    audit.record("meetings.resource_added", actor=actor, target=resource, meeting_id=meeting.id)
    return resource


def add_file(
    actor: User, meeting_id: int, title: str, filename: str, stream: BinaryIO
) -> MeetingResource:
    """Add a file (slides, a handout) after checking it is the kind of file it says it is."""
    require_manager(actor)
    meeting = get_meeting(meeting_id)
    extension = Path(filename or "").suffix.lower().lstrip(".")
    if extension not in FILE_KINDS:
        raise DomainError("Upload a PDF, PowerPoint, Word or OpenDocument file.", "file")
    mimetype, signatures = FILE_KINDS[extension]
    content = stream.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise DomainError("That file is bigger than 15 MB. Please upload a smaller one.", "file")
    if not content:
        raise DomainError("That file is empty.", "file")
    if not content.startswith(signatures):
        raise DomainError(
            f"That file does not look like a real .{extension} file. Please save it again "
            "and upload the new copy.",
            "file",
        )
    stored_name = uploads.new_name(extension)
    uploads.write(resource_folder() / stored_name, content, field="file")
    resource = MeetingResource(
        meeting_id=meeting.id,
        title=title.strip(),
        stored_name=stored_name,
        original_filename=_safe_display_name(filename, extension),
        mimetype=mimetype,
        size_bytes=len(content),
        added_by_id=actor.id,
    )
    db.session.add(resource)
    db.session.flush()
    audit.record(
        "meetings.resource_added", actor=actor, target=resource, meeting_id=meeting.id, file=True
    )
    return resource


def remove(actor: User, resource_id: int) -> int:
    """Remove a resource and return its evening; its file goes once the removal is committed."""
    require_manager(actor)
    resource = db.session.get(MeetingResource, resource_id)
    if resource is None:
        raise NotFoundError("We could not find that resource.")
    if resource.is_file:
        uploads.delete_after_commit(resource_folder() / resource.stored_name)
    audit.record(
        "meetings.resource_removed",
        actor=actor,
        target=resource,
        meeting_id=resource.meeting_id,
        title=resource.title,
    )
    meeting_id = resource.meeting_id
    db.session.delete(resource)
    db.session.flush()
    return meeting_id


def set_note(actor: User, meeting_id: int, note: str) -> Meeting:
    """A short note with the resources (what was covered, where to get help)."""
    require_manager(actor)
    meeting = get_meeting(meeting_id)
    meeting.resources_note_source = note.strip()
    meeting.resources_note_html = render_markdown(meeting.resources_note_source)
    db.session.flush()
    audit.record("meetings.resources_note_changed", actor=actor, target=meeting)
    return meeting


def file_for(user: User, resource_id: int) -> tuple[MeetingResource, Path]:
    """A resource file, for someone allowed to see the evening's resources."""
    resource = db.session.get(MeetingResource, resource_id)
    if resource is None or not resource.is_file or not may_see_resources(user, resource.meeting):
        raise NotFoundError("We could not find that file.")
    path = resource_folder() / resource.stored_name
    if not path.is_file():
        raise NotFoundError("That file is no longer available.")
    return resource, path
