"""The e-safety evenings' pages: parents book on their phones, staff run the door."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup

from .. import caching, mail
from ..auth.access import requires
from ..auth.roles import Role
from ..clock import utcnow
from ..downloads import attachment
from ..errors import DomainError, NotFoundError, rule_errors
from ..inputs import query_text
from ..school.models import YearGroup
from . import (
    access,
    booking_list,
    bookings,
    door,
    figures,
    for_parents,
    ics,
    planning,
    resources,
    times,
)
from .forms import (
    BookingForm,
    ConfirmForm,
    EmailFamiliesForm,
    MeetingForm,
    ResourceForm,
    ResourcesNoteForm,
)
from .models import Audience, BookingStatus, Meeting

bp = Blueprint("meetings", __name__, template_folder="templates", url_prefix="/meetings")

#: The cached part of the page changes after any commit that writes these tables.
caching.depends_on("evenings", "meeting", "booking", "meeting_year_group")

MANAGERS = access.MANAGER_ROLES
SUMMARY_READERS = access.SUMMARY_ROLES


# --- Template helpers ------------------------------------------------------------------------


@bp.app_template_filter("meetings_when")
def _when_filter(moment, with_year: bool = False) -> str:
    return times.when(moment, with_year) if moment else ""


@bp.app_template_filter("meetings_span")
def _span_filter(meeting: Meeting) -> str:
    return times.span(meeting.starts_at, meeting.ends_at)


@bp.app_template_global("meetings_for_home")
def _meetings_for_home(user) -> list[for_parents.ParentEvening]:
    """The parent's next evenings for the home page tile (two queries, only for parents)."""
    return for_parents.evenings_for_parent(user, limit=3)


# --- Parents ---------------------------------------------------------------------------------


@bp.get("/")
@requires(Role.PARENT)
def evenings():
    """List the evenings meant for this parent, with their bookings, and past ones' resources."""
    return render_template(
        "meetings/evenings.html",
        upcoming=for_parents.evenings_for_parent(current_user),
        past=for_parents.evenings_for_parent(current_user, past=True, limit=6),
    )


@bp.get("/<int:meeting_id>")
@requires(Role.PARENT, *MANAGERS)
def evening(meeting_id: int):
    """Show one evening: what it is about, how to book, and its resources afterwards."""
    meeting, booking = for_parents.meeting_for_parent(current_user, meeting_id)
    problem = (
        bookings.booking_problem(current_user, meeting)
        if current_user.has_role(Role.PARENT)
        else None
    )
    return render_template(
        "meetings/evening.html",
        meeting=meeting,
        booking=booking,
        problem=problem,
        started=meeting.has_started(utcnow()),
        show_resources=for_parents.may_see_resources(current_user, meeting),
    )


@bp.route("/<int:meeting_id>/book", methods=["GET", "POST"])
@requires(Role.PARENT)
def book(meeting_id: int):
    """Book places: the number is already 1, so one tap on Confirm books it.

    A press of Confirm goes straight to the booking, which reads the evening under its lock;
    the evening is read here only to show the form (again, with what needs changing).
    """
    form = BookingForm()
    extra = None
    status = 200
    if request.method == "POST":
        booked = bookings.active_booking_id(meeting_id, current_user.id)
        if booked is not None:
            return redirect(url_for(".booking_page", booking_id=booked))
        status = 400
        if form.validate_on_submit():
            with rule_errors(form) as outcome:
                made = bookings.book_places(
                    meeting_id, current_user.id, form.places.data, form.notes.data or ""
                )
                if made.status is BookingStatus.CONFIRMED:
                    flash(
                        f"You are booked. We have emailed you the details for "
                        f"{made.places} place{'s' if made.places != 1 else ''}.",
                        "success",
                    )
                else:
                    flash(
                        "The evening is full, so you are on the waiting list. "
                        "We will email you if a place comes free.",
                        "warning",
                    )
                return redirect(url_for(".booking_page", booking_id=made.id))
            extra, status = outcome.problem, outcome.status
    meeting, booking = for_parents.meeting_for_parent(current_user, meeting_id)
    if booking is not None:
        return redirect(url_for(".booking_page", booking_id=booking.id))
    problem = bookings.booking_problem(current_user, meeting)
    if request.method != "POST" and problem:
        form.places.errors = [problem]
    return render_template(
        "meetings/book.html", meeting=meeting, form=form, problem=problem, extra=extra
    ), status


def _booking_page(booking, form: BookingForm, extra: str | None = None, status: int = 200):
    now = utcnow()
    meeting = booking.meeting
    position = (
        bookings.waiting_position(booking) if booking.status is BookingStatus.WAITLISTED else None
    )
    can_change = booking.is_active and not meeting.has_started(now)
    if booking.status is BookingStatus.CONFIRMED and now >= meeting.cancellation_deadline:
        can_change = False
    return render_template(
        "meetings/booking.html",
        booking=booking,
        meeting=meeting,
        position=position,
        form=form,
        can_change=can_change,
        extra=extra,
        too_late=bookings.too_late_message(meeting),
    ), status


@bp.get("/bookings/<int:booking_id>")
@requires(Role.PARENT)
def booking_page(booking_id: int):
    """Show a parent their booking: place or waiting-list position, calendar file, changes."""
    booking = bookings.get_booking(current_user, booking_id)
    if booking.parent_id != current_user.id:
        raise NotFoundError("We could not find that booking.")
    form = BookingForm(data={"places": booking.places, "notes": booking.notes})
    return _booking_page(booking, form)


@bp.post("/bookings/<int:booking_id>/change")
@requires(Role.PARENT)
def change_booking(booking_id: int):
    """Change how many are coming, or the notes, until the deadline."""
    booking = bookings.get_booking(current_user, booking_id)
    if booking.parent_id != current_user.id:
        raise NotFoundError("We could not find that booking.")
    form = BookingForm()
    if not form.validate_on_submit():
        return _booking_page(booking, form, status=400)
    with rule_errors(form) as outcome:
        booking = bookings.change_booking(
            current_user, booking.id, form.places.data, form.notes.data or ""
        )
        flash("Your booking is updated. We have emailed you the new details.", "success")
        return redirect(url_for(".booking_page", booking_id=booking.id))
    booking = bookings.get_booking(current_user, booking_id)
    return _booking_page(booking, form, outcome.problem, status=400)


@bp.route("/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@requires(Role.PARENT)
def cancel_booking(booking_id: int):
    """Ask once, then cancel: the place goes straight to the next family waiting."""
    booking = bookings.get_booking(current_user, booking_id)
    if booking.parent_id != current_user.id:
        raise NotFoundError("We could not find that booking.")
    form = ConfirmForm()
    error_message = None
    status = 200
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            bookings.cancel_booking(current_user, booking.id)
            flash(
                "Your booking is cancelled. Thank you for letting us know: "
                "the place can now go to another family.",
                "success",
            )
            return redirect(url_for(".evenings"))
        error_message, status = outcome.problem, outcome.status
        booking = bookings.get_booking(current_user, booking_id)
    return render_template(
        "meetings/cancel.html", booking=booking, form=form, error_message=error_message
    ), status


@bp.get("/bookings/<int:booking_id>/calendar.ics")
@requires(Role.PARENT)
def booking_calendar(booking_id: int):
    """Download the calendar file for a booking (add it to a phone's calendar)."""
    booking = bookings.get_booking(current_user, booking_id)
    if booking.parent_id != current_user.id:
        raise NotFoundError("We could not find that booking.")
    link = mail.link("meetings.booking_page", booking_id=booking.id)
    content = ics.booking_calendar(booking, link)
    return Response(
        content,
        mimetype=ics.MIMETYPE,
        headers={"Content-Disposition": attachment(ics.filename_for(booking))},
    )


@bp.get("/resources/<int:resource_id>")
@requires(Role.PARENT, *MANAGERS)
def resource_file(resource_id: int):
    """Download slides or a handout from an evening (families it was for, and staff)."""
    resource, path = resources.file_for(current_user, resource_id)
    return send_file(
        path,
        mimetype=resource.mimetype,
        as_attachment=True,
        download_name=resource.original_filename,
    )


# --- Staff: arranging evenings ---------------------------------------------------------------


@bp.get("/manage")
@requires(*MANAGERS)
def manage():
    """List upcoming and past evenings with their places and waiting lists."""
    upcoming, past = planning.meetings_for_staff(current_user)
    return render_template(
        "meetings/manage.html",
        upcoming=upcoming,
        past=past,
        waiting=planning.waiting_counts([m.id for m in upcoming + past]),
    )


def _details(form: MeetingForm) -> planning.MeetingDetails:
    return planning.MeetingDetails(
        title=form.title.data or "",
        description=form.description.data or "",
        starts_at=times.from_local(form.starts_at.data),
        ends_at=times.from_local(form.ends_at.data),
        location=form.location.data or "",
        online_url=form.online_url.data or "",
        capacity=form.capacity.data,
        max_places_per_booking=form.max_places_per_booking.data,
        booking_opens_at=times.from_local(form.booking_opens_at.data),
        booking_closes_at=times.from_local(form.booking_closes_at.data),
        cancellation_deadline=times.from_local(form.cancellation_deadline.data),
        audience=Audience(form.audience.data),
        year_groups=[YearGroup(int(v)) for v in form.year_groups.data or []],
    )


def _form_data(meeting: Meeting) -> dict:
    return {
        "title": meeting.title,
        "description": meeting.description_source,
        "starts_at": times.input_value(meeting.starts_at),
        "ends_at": times.input_value(meeting.ends_at),
        "location": meeting.location,
        "online_url": meeting.online_url,
        "capacity": meeting.capacity,
        "max_places_per_booking": meeting.max_places_per_booking,
        "booking_opens_at": times.input_value(meeting.booking_opens_at),
        "booking_closes_at": times.input_value(meeting.booking_closes_at),
        "cancellation_deadline": times.input_value(meeting.cancellation_deadline),
        "audience": meeting.audience.value,
        "year_groups": [str(int(g)) for g in meeting.audience_year_groups],
    }


def _save_meeting(form: MeetingForm, meeting: Meeting | None):
    extra = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            if meeting is None:
                saved = planning.create_meeting(current_user, _details(form))
            else:
                saved = planning.update_meeting(current_user, meeting.id, _details(form))
            flash(f"Saved: {saved.title}.", "success")
            return redirect(url_for(".evening_bookings", meeting_id=saved.id))
        extra = outcome.problem
    status = 400 if request.method == "POST" else 200
    return render_template(
        "meetings/meeting_form.html", form=form, meeting=meeting, extra=extra
    ), status


@bp.route("/manage/new", methods=["GET", "POST"])
@requires(*MANAGERS)
def new_evening():
    """Arrange a new e-safety evening."""
    return _save_meeting(MeetingForm(), None)


@bp.route("/manage/<int:meeting_id>/edit", methods=["GET", "POST"])
@requires(*MANAGERS)
def edit_evening(meeting_id: int):
    """Change an evening; booked families hear about a new time or place."""
    meeting = planning.get_meeting(meeting_id)
    form = MeetingForm(data=_form_data(meeting)) if request.method == "GET" else MeetingForm()
    return _save_meeting(form, meeting)


# --- Staff: bookings, the door and afterwards ------------------------------------------------


@bp.get("/manage/<int:meeting_id>")
@requires(*MANAGERS)
def evening_bookings(meeting_id: int):
    """List everyone booked, waiting and cancelled, with their notes."""
    meeting = planning.get_meeting(meeting_id)
    rows = booking_list.booking_rows(current_user, meeting.id)
    return render_template(
        "meetings/bookings.html",
        meeting=meeting,
        confirmed=[r for r in rows if r.booking.status is BookingStatus.CONFIRMED],
        waiting=sorted(
            (r for r in rows if r.booking.status is BookingStatus.WAITLISTED),
            key=lambda r: r.position or 0,
        ),
        cancelled=[r for r in rows if r.booking.status is BookingStatus.CANCELLED],
        form=ConfirmForm(),
        now=utcnow(),
    )


@bp.post("/manage/bookings/<int:booking_id>/cancel")
@requires(*MANAGERS)
def staff_cancel_booking(booking_id: int):
    """Cancel a booking for a family who asked the office (after the parents' deadline too)."""
    form = ConfirmForm()
    booking = bookings.get_booking(current_user, booking_id)
    meeting_id = booking.meeting_id
    if form.validate_on_submit():
        with rule_errors():
            bookings.cancel_booking(current_user, booking_id, seen=request.form.get("revision", ""))
            flash("Booking cancelled. The family has been emailed.", "success")
    return redirect(url_for(".evening_bookings", meeting_id=meeting_id))


@bp.get("/manage/<int:meeting_id>/register")
@requires(*MANAGERS)
def door_register(meeting_id: int):
    """A printable register for the door, with a box to tick for each family."""
    meeting = planning.get_meeting(meeting_id)
    rows = door.door_register(current_user, meeting.id)
    return render_template("meetings/register.html", meeting=meeting, rows=rows)


@bp.get("/manage/<int:meeting_id>/check-in")
@requires(*MANAGERS)
def check_in_page(meeting_id: int):
    """Find a family by name at the door and tick them in (or undo a mistaken tick)."""
    meeting = planning.get_meeting(meeting_id)
    search = query_text("q", limit=80)
    rows = door.door_register(current_user, meeting.id, search)
    everyone = door.door_register(current_user, meeting.id) if search else rows
    return render_template(
        "meetings/check_in.html",
        meeting=meeting,
        rows=rows,
        search=search,
        form=ConfirmForm(),
        arrived=sum(1 for r in everyone if r.booking.checked_in),
        expected=len(everyone),
    )


def _back_to_door(meeting_id: int):
    if request.form.get("back") == "attendance":
        return redirect(url_for(".attendance", meeting_id=meeting_id))
    search = request.form.get("q", "")[:80]
    return redirect(url_for(".check_in_page", meeting_id=meeting_id, q=search or None))


@bp.post("/manage/bookings/<int:booking_id>/check-in")
@requires(*MANAGERS)
def check_in(booking_id: int):
    """Tick a family in."""
    booking = bookings.get_booking(current_user, booking_id)
    if ConfirmForm().validate_on_submit():
        with rule_errors():
            door.check_in(current_user, booking_id)
            flash(f"{booking.parent.full_name} is ticked in.", "success")
    return _back_to_door(booking.meeting_id)


@bp.post("/manage/bookings/<int:booking_id>/undo-check-in")
@requires(*MANAGERS)
def undo_check_in(booking_id: int):
    """Untick a family ticked by mistake."""
    booking = bookings.get_booking(current_user, booking_id)
    if ConfirmForm().validate_on_submit():
        with rule_errors():
            door.undo_check_in(current_user, booking_id, seen=request.form.get("revision", ""))
            flash(f"{booking.parent.full_name} is no longer ticked in.", "success")
    return _back_to_door(booking.meeting_id)


@bp.get("/manage/<int:meeting_id>/attendance")
@requires(*MANAGERS)
def attendance(meeting_id: int):
    """After the evening: who came and who did not (to follow up with those who missed it)."""
    meeting = planning.get_meeting(meeting_id)
    rows = door.door_register(current_user, meeting.id)
    return render_template(
        "meetings/attendance.html",
        meeting=meeting,
        attended=[r for r in rows if r.booking.checked_in],
        missed=[r for r in rows if not r.booking.checked_in],
        form=ConfirmForm(),
    )


@bp.get("/manage/<int:meeting_id>/bookings.csv")
@requires(*MANAGERS)
def export_bookings(meeting_id: int):
    """Download every booking as a spreadsheet (formulas neutralised)."""
    meeting = planning.get_meeting(meeting_id)
    content = booking_list.bookings_csv(current_user, meeting.id)
    filename = f"e-safety-evening-{meeting.starts_at:%Y-%m-%d}-bookings.csv"
    return Response(
        "\ufeff" + content,
        mimetype="text/csv",
        headers={"Content-Disposition": attachment(filename)},
    )


@bp.route("/manage/<int:meeting_id>/email", methods=["GET", "POST"])
@requires(*MANAGERS)
def email_families(meeting_id: int):
    """Email every family booked (one message each)."""
    meeting = planning.get_meeting(meeting_id)
    form = EmailFamiliesForm()
    extra = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            sent = booking_list.email_everyone_booked(
                current_user,
                meeting.id,
                form.subject.data,
                form.message.data,
                form.include_waiting.data,
            )
            flash(f"Your message is on its way to {sent} famil{'y' if sent == 1 else 'ies'}.")
            return redirect(url_for(".evening_bookings", meeting_id=meeting.id))
        extra = outcome.problem
    status = 400 if request.method == "POST" else 200
    return render_template("meetings/email.html", meeting=meeting, form=form, extra=extra), status


@bp.route("/manage/<int:meeting_id>/resources", methods=["GET", "POST"])
@requires(*MANAGERS)
def manage_resources(meeting_id: int):
    """Add slides, handouts and links for the families who could not come."""
    meeting = planning.get_meeting(meeting_id)
    resource_form = ResourceForm(prefix="resource")
    note_form = ResourcesNoteForm(prefix="note", data={"note": meeting.resources_note_source})
    extra = None
    action = request.form.get("action")
    if request.method == "POST" and action == "note" and note_form.validate_on_submit():
        services_note = resources.set_note(current_user, meeting.id, note_form.note.data or "")
        flash("The note is saved.", "success")
        return redirect(url_for(".manage_resources", meeting_id=services_note.id))
    if request.method == "POST" and action == "resource" and resource_form.validate_on_submit():
        upload = resource_form.file.data
        with rule_errors(resource_form) as outcome:
            if upload and upload.filename:
                resources.add_file(
                    current_user,
                    meeting.id,
                    resource_form.title.data,
                    upload.filename,
                    upload.stream,
                )
            elif resource_form.url.data:
                resources.add_link(
                    current_user, meeting.id, resource_form.title.data, resource_form.url.data
                )
            else:
                raise DomainError("Give a web address or choose a file.", "url")
            flash("Resource added.", "success")
            return redirect(url_for(".manage_resources", meeting_id=meeting.id))
        extra = outcome.problem
    status = 400 if request.method == "POST" else 200
    return render_template(
        "meetings/resources.html",
        meeting=meeting,
        resource_form=resource_form,
        note_form=note_form,
        remove_form=ConfirmForm(),
        extra=extra,
    ), status


@bp.post("/manage/resources/<int:resource_id>/remove")
@requires(*MANAGERS)
def remove_resource(resource_id: int):
    """Remove a resource (and its file)."""
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".manage"))
    meeting_id = resources.remove(current_user, resource_id)
    flash("Resource removed.", "success")
    return redirect(url_for(".manage_resources", meeting_id=meeting_id))


@bp.get("/summary")
@requires(*SUMMARY_READERS)
def summary():
    """Figures for each evening for leaders and governors: no names, just who was reached."""
    body = caching.kept(
        "evenings",
        (),
        lambda: render_template(
            "meetings/_summary_body.html",
            summaries=figures.summaries(current_user),
            year_groups=list(YearGroup),
            now=utcnow(),
        ),
    )
    return render_template("meetings/summary.html", body=Markup(body))  # noqa: S704
