from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from jobcenter.errors import add_to_form
from jobcenter.forms import quiet
from jobcenter.hours import phone_board_for
from jobcenter.paging import COUNT_CAP, capped_page, pager
from jobcenter.predicates import is_leistung
from jobcenter.services import audit_read
from jobcenter.views import permission_required
from minimumstandards.services import calendar_for

from .access import antraege_visible_to, case_teams_of, get_antrag_for_user, get_kunde_for_user
from .forms import (
    CustomerSearchForm,
    IdCheckRecordForm,
    IdCheckScheduleForm,
    IntakeForm,
    MasterDataForm,
    PersonFormSet,
    ServiceCentreReferralForm,
    StepForm,
)
from .letters import letter_sender
from .models import OPEN_STATES, Antrag, AntragState, ErstgespraechState
from .registration import (
    ServiceCentreNoData,
    arbeitspaket_receive,
    id_check_record,
    id_check_schedule,
    person_documents,
    proposed_documents,
)
from .selectors import (
    at_risk_count,
    case_list_page,
    case_search_filter,
    kunde_search,
    open_case_counts,
)
from .services import (
    CaseConflict,
    IntakeError,
    antrag_register,
    antrag_transition,
    kunde_master_data_change,
    kunde_record_view,
    nachweis_settle,
    service_centre_refer,
)
from .steps import BY_NAME, STEPS

CUSTOMER_SEARCH_LIMIT = 50


def _row_count(raw: str) -> int | None:
    """The number of person rows the browser sent, or None if it is not one."""
    if not raw.isdigit() or len(raw) > 3:  # also refuses "-3", "1e3" and 10**20
        return None
    return int(raw)


def _without_row(data, index: int, count: int):
    """The POST data without person row `index`: the later rows renumbered one up."""
    prefix = "person-"
    kept = data.copy()
    for key in list(kept.keys()):
        if key.startswith(prefix) and key.split("-")[1].isdigit():
            del kept[key]
    for key, values in data.lists():
        parts = key.split("-", 2)
        if key.startswith(prefix) and len(parts) == 3 and parts[1].isdigit():
            row = int(parts[1])
            if row == index:
                continue
            kept.setlist(f"{prefix}{row - 1 if row > index else row}-{parts[2]}", values)
    kept["person-TOTAL_FORMS"] = str(count - 1)
    return kept


def _typed_birth(person_form):
    field = person_form.fields["date_of_birth"]
    try:
        return field.clean(person_form["date_of_birth"].value())
    except ValidationError:
        return None


def _rows_changed(request, data, *, focus: int) -> HttpResponse:
    """The form again after a row was added or removed: what was typed, no errors yet;
    the checklist gains what each person with a date of birth needs."""
    jobcenter = request.user.jobcenter
    persons = PersonFormSet(data, prefix="person")
    on = timezone.localdate()
    typed = []
    for person_form in persons.forms:
        born = _typed_birth(person_form)
        is_head = bool(person_form["is_head"].value())
        person_form.needs = (
            person_documents(born=born, is_head=is_head, on=on) if born is not None else []
        )
        if born is not None:
            typed.append((born, is_head))
    proposal = [str(d.pk) for d in proposed_documents(jobcenter, typed, on=on)]
    data = data.copy()
    data.setlist("documents", list(dict.fromkeys([*data.getlist("documents"), *proposal])))
    form = quiet(IntakeForm(data, jobcenter=jobcenter, user=request.user))
    persons._errors, persons._non_form_errors = [], persons.error_class()
    for person_form in persons.forms:
        quiet(person_form)
    return render(
        request, "intake/intake_form.html", _intake_context(form, persons, focus_person=focus)
    )


def _intake_context(form, persons, **extra) -> dict:
    has_errors = form.is_bound and (
        bool(form.errors) or persons.total_error_count() > 0 or bool(persons.non_form_errors())
    )
    return {
        "form": form,
        "persons": persons,
        "has_errors": has_errors,
        "error_forms": [form, *persons.forms],
        "extra_errors": persons.non_form_errors() if persons.is_bound else [],
        **extra,
    }


@permission_required("intake.register_antrag")
def intake_new(request: HttpRequest) -> HttpResponse:
    jobcenter = request.user.jobcenter
    if request.method == "POST":
        form = IntakeForm(request.POST, jobcenter=jobcenter, user=request.user)
        persons = PersonFormSet(request.POST, prefix="person")
        if "add_person" in request.POST:
            # One more row, without validating: nothing typed so far is lost or flagged.
            data = request.POST.copy()
            new_index = _row_count(data.get("person-TOTAL_FORMS", "1"))
            if new_index is None:
                messages.error(
                    request,
                    _("Das Formular kam unvollständig an. Bitte die Angaben erneut eintragen."),
                )
                form = IntakeForm(jobcenter=jobcenter, user=request.user)
                persons = PersonFormSet(prefix="person", initial=[{"is_head": True}])
                return render(
                    request, "intake/intake_form.html", _intake_context(form, persons), status=400
                )
            if new_index >= PersonFormSet.max_num:
                messages.error(
                    request,
                    _("Eine Bedarfsgemeinschaft hat hier höchstens %(n)d Personen.")
                    % {"n": PersonFormSet.max_num},
                )
                new_index -= 1  # Show the rows as they are; add none.
            data["person-TOTAL_FORMS"] = str(new_index + 1)
            # A bound row ignores initial values: set the defaults of the new row explicitly.
            data[f"person-{new_index}-habitual_residence_in_germany"] = "on"
            return _rows_changed(request, data, focus=new_index)
        if "propose_documents" in request.POST:
            return _rows_changed(request, request.POST.copy(), focus=0)
        if "remove_person" in request.POST:
            # A row taken out before saving; the rows after it move up, nothing is checked.
            data = request.POST.copy()
            count = _row_count(data.get("person-TOTAL_FORMS", "1"))
            index = _row_count(data.get("remove_person", ""))
            if count is not None and index is not None and index < count and count > 1:
                data = _without_row(data, index, count)
                return _rows_changed(request, data, focus=min(index, count - 2))
            return _rows_changed(request, data, focus=0)
        if form.is_valid() and persons.is_valid():
            try:
                antrag = antrag_register(
                    actor=request.user,
                    jobcenter=jobcenter,
                    data=form.to_data([p.to_data() for p in persons.forms]),
                )
            except ServiceCentreNoData as error:
                # Rule R-AN-02: nothing saved; each input at fault says why, and the page
                # offers the task for the EZ instead.
                for fault in error.faults:
                    target = (
                        form if fault.person_index is None else persons.forms[fault.person_index]
                    )
                    target.add_error(fault.field, error.message)
                return render(
                    request,
                    "intake/intake_form.html",
                    _intake_context(
                        form,
                        persons,
                        no_data_referral=_referral_query(error, persons),
                    ),
                    status=422,
                )
            except IntakeError as error:
                if error.person_index is not None:
                    add_to_form(persons.forms[error.person_index], error)
                else:
                    add_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("Antrag für die BG %(bg)s aufgenommen.")
                    % {"bg": antrag.bedarfsgemeinschaft.number},
                )
                return redirect("intake:case_detail", pk=antrag.pk)
    else:
        form = IntakeForm(jobcenter=jobcenter, user=request.user)
        persons = PersonFormSet(prefix="person", initial=[{"is_head": True}])
        # A fresh intake starts where the work starts: the first person's first name.
        persons.forms[0].fields["first_name"].widget.attrs["autofocus"] = True
    return render(request, "intake/intake_form.html", _intake_context(form, persons))


def _referral_query(error: ServiceCentreNoData, persons) -> str:
    """The service centre's referral form, filled with the reason and the caller's name."""
    head = next(
        (p.cleaned_data for p in persons.forms if p.cleaned_data.get("is_head")),
        persons.forms[0].cleaned_data,
    )
    caller = f"{head.get('first_name', '')} {head.get('last_name', '')}".strip()
    return urlencode({"reason": error.reasons[0], "caller": caller})


@permission_required("intake.take_phone_intake")
def service_centre(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ServiceCentreReferralForm(request.POST)
    else:
        # Offered from the phone intake (rule R-AN-02): the reason and name carried over.
        initial = {k: request.GET[k][:200] for k in ("reason", "caller") if k in request.GET}
        form = ServiceCentreReferralForm(initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service_centre_refer(
                actor=request.user, jobcenter=request.user.jobcenter, **form.cleaned_data
            )
        except IntakeError as error:
            add_to_form(form, error)
        else:
            messages.success(
                request, _("Aufgabe an die Eingangszone gesendet. Es wurden keine Daten erfasst.")
            )
            return redirect("intake:service_centre")
    jobcenter = request.user.jobcenter
    # Rule R-OE-02: the hotline sees each site's phone hours today and whether it is open.
    board = phone_board_for(jobcenter, timezone.now(), calendar_for(jobcenter).is_working_day)
    return render(
        request,
        "intake/service_centre.html",
        {"form": form, "error_forms": [form], "phone_board": board},
    )


@permission_required("intake.list_antraege")
def case_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "open")
    now = timezone.now()
    qs = antraege_visible_to(request.user).for_list()
    if state == "open":
        qs = qs.open()
    elif state == "risk":
        # Cases with a minimum-standard deadline at risk or breached (the owner's badge).
        qs = qs.at_risk(now)
    elif state in AntragState.values:
        qs = qs.filter(state=state)
    else:
        state = "all"
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(case_search_filter(q, jobcenter_id=request.user.jobcenter_id))
    # Counted up to a cap: the list pages on, the filters narrow what lies beyond.
    count = None
    if not q and state in ("open", *OPEN_STATES) and is_leistung(request.user):
        # The open cases per state, counted once on the households' index (Leistung).
        counts = open_case_counts(request.user)
        count = min(sum(counts.values()), COUNT_CAP + 1) if state == "open" else counts[state]
    elif not q and state == "risk":
        # From the warned deadlines (the team's own, for Leistung), not from every case.
        count = at_risk_count(request.user, now)
    if count is None:
        count = qs.order_by()[: COUNT_CAP + 1].count()
    page = capped_page(count, request.GET.get("page"))
    case_list_page(
        qs,
        jobcenter_id=request.user.jobcenter_id,
        page=page,
        few=bool(q),
        case_teams=case_teams_of(request.user),
    )
    audit_read(
        actor=request.user,
        target=request.user.jobcenter,
        summary=_("Fallliste eingesehen"),
        subject_ids=[a.applicant_id for a in page],
    )
    context = {
        "page": page,
        "pager": pager(page, {"state": state, "q": q}),
        "state": state,
        "q": q,
        "state_choices": [
            ("open", _("alle offenen")),
            ("risk", _("Fristen gefährdet oder überschritten")),
            *AntragState.choices,
            ("all", _("alle")),
        ],
    }
    template = "intake/partials/case_table.html" if request.htmx else "intake/case_list.html"
    return render(request, template, context)


def _step_forms(antrag: Antrag, user) -> list[dict]:
    """The steps this user may take on this case now (the step table, asked through
    django-fsm's public API), each with its form and what still keeps it from being taken.
    The steps of the first consultation are taken in the appointment booking, which moves
    the case and its appointment together (templates/appointments/partials/case_panel.html)."""
    offered = {t.name for t in antrag.get_available_user_state_transitions(user)}
    return [
        {
            "step": taken,
            "name": taken.name,
            "label": taken.label,
            "form": StepForm(initial={"expected_state": antrag.state}, step=taken),
            "missing": taken.missing(antrag, ahead=True),
        }
        for taken in STEPS
        if taken.name in offered and taken.taken_on == "case"
    ]


def _case_context(request: HttpRequest, antrag: Antrag) -> dict:
    return {
        "antrag": antrag,
        "persons": list(antrag.persons.select_related("kunde").order_by("kunde__date_of_birth")),
        "nachweise": antrag.nachweise.select_related("document_type"),
        "history": antrag.history.select_related("actor"),
        "transitions": _step_forms(antrag, request.user),
        "may_edit_checklist": request.user.has_perm("intake.edit_checklist"),
        "offer_complete": _offers_complete(antrag, request),
        "deadlines": antrag.deadlines.select_related("rule", "kunde").order_by("started_at", "id"),
        "may_pause": request.user.has_perm("minimumstandards.pause_deadline"),
        "now": timezone.now(),
        **_intake_follow_up_context(request, antrag),
    }


def _intake_follow_up_context(request: HttpRequest, antrag: Antrag, **forms) -> dict:
    """The ID check and the Arbeitspakete on the case page (rules R-AN-01, R-AN-02)."""
    may_record = request.user.has_perm("intake.record_id_check", antrag)
    return {
        "may_record_id_check": may_record and not antrag.id_checked,
        "may_follow_up_arbeitspaket": request.user.has_perm(
            "intake.follow_up_arbeitspaket", antrag
        ),
        "id_schedule_form": forms.get("schedule") or IdCheckScheduleForm(),
        "id_record_form": forms.get("record") or IdCheckRecordForm(),
    }


@require_POST
@permission_required("intake.list_antraege")
def id_check(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    """Schedule the ID check, or record it done (rule R-AN-02)."""
    antrag = get_antrag_for_user(request.user, pk)
    if what not in ("termin", "erledigt"):
        raise Http404
    if not request.user.has_perm("intake.record_id_check", antrag):
        raise PermissionDenied
    form = (IdCheckScheduleForm if what == "termin" else IdCheckRecordForm)(request.POST)
    if form.is_valid():
        try:
            if what == "termin":
                id_check_schedule(
                    actor=request.user, antrag_id=antrag.pk, at=form.cleaned_data["planned_at"]
                )
                messages.success(request, _("Termin zur ID-Prüfung gespeichert."))
            else:
                id_check_record(
                    actor=request.user, antrag_id=antrag.pk, on=form.cleaned_data["checked_on"]
                )
                messages.success(request, _("ID-Prüfung erfasst."))
        except PermissionDenied as error:
            messages.error(request, str(error) or _("Das dürfen Sie nicht."))
            return redirect("intake:case_detail", pk=antrag.pk)
        except IntakeError as error:
            add_to_form(form, error)
        else:
            return redirect("intake:case_detail", pk=antrag.pk)
    context = _case_context(request, antrag)
    context.update(
        _intake_follow_up_context(
            request, antrag, **{"schedule" if what == "termin" else "record": form}
        )
    )
    return render(request, "intake/case_detail.html", context, status=422)


@require_POST
@permission_required("intake.list_antraege")
def arbeitspaket_received(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """The EZ records one person's Arbeitspaket as returned (rule R-AN-01)."""
    antrag = get_antrag_for_user(request.user, pk)
    if not request.user.has_perm("intake.follow_up_arbeitspaket", antrag):
        raise PermissionDenied
    try:
        person = arbeitspaket_receive(actor=request.user, antrag_id=antrag.pk, person_id=person_pk)
    except PermissionDenied as error:
        messages.error(request, str(error) or _("Das dürfen Sie nicht."))
    except IntakeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Arbeitspaket von %(name)s als eingegangen erfasst.")
            % {"name": person.kunde.full_name},
        )
    return redirect("intake:case_detail", pk=antrag.pk)


@permission_required("intake.list_antraege")
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    antrag = get_antrag_for_user(request.user, pk)
    context = _case_context(request, antrag)
    audit_read(
        actor=request.user,
        target=antrag,
        summary=_("Fall eingesehen"),
        subject_ids=[antrag.applicant_id, *(p.kunde_id for p in context["persons"])],
    )
    return render(request, "intake/case_detail.html", context)


@require_POST
@permission_required("intake.list_antraege")
def case_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    antrag = get_antrag_for_user(request.user, pk)
    taken = BY_NAME.get(name)
    if taken is None:
        raise Http404
    if taken.taken_on != "case":
        messages.error(
            request, _("Das Erstgespräch wird über die Terminbuchung gebucht und erfasst.")
        )
        return redirect("intake:case_detail", pk=antrag.pk)
    form = StepForm(request.POST, step=taken)
    if form.is_valid():
        params = form.step_params()
        if _awaits_confirmation(request, antrag, taken, form, params):
            if request.POST.get("cancel") == "1":
                # Back to the case, nothing changed, the user's input still in the form.
                return _case_with_step_form(request, antrag, name, form, refocus=True)
            return render(
                request,
                "intake/confirm_step.html",
                {
                    "antrag": antrag,
                    "step": taken,
                    "form": form,
                    "target_label": AntragState(taken.target).label,
                    "comment": form.cleaned_data["comment"],
                },
            )
        try:
            antrag = antrag_transition(
                actor=request.user,
                antrag_id=antrag.pk,
                name=name,
                expected_state=form.cleaned_data["expected_state"],
                comment=form.cleaned_data["comment"],
                **params,
            )
        except PermissionDenied as error:
            messages.error(request, str(error))
        except CaseConflict as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Gespeichert: %(state)s.") % {"state": antrag.get_state_display()},
            )
        return redirect("intake:case_detail", pk=antrag.pk)
    # Show the case again with this step's errors and the user's input kept.
    return _case_with_step_form(request, antrag, name, form)


def _awaits_confirmation(request, antrag: Antrag, taken, form, params) -> bool:
    """A step with a confirmation question (a decision) takes effect only on a second,
    explicit POST with confirm=1, after a page that says what will happen (issue 12).
    What would fail anyway (a stale form, a missing permission or precondition) is not
    asked first: the service refuses it with its own message."""
    if not taken.confirm or request.POST.get("confirm") == "1":
        return False
    return (
        form.cleaned_data["expected_state"] == antrag.state
        and request.user.has_perm(taken.permission, antrag)
        and not taken.missing(antrag, params)
    )


def _case_with_step_form(request, antrag: Antrag, name: str, form, *, refocus=False):
    """The case page with this step's form as the user left it: with its errors (422), or
    unchanged after a cancelled confirmation, the keyboard back on the step (200)."""
    context = _case_context(request, antrag)
    for item in context["transitions"]:
        if item["name"] == name:
            item["form"] = form
            item["open"] = True
            item["refocus"] = refocus
    return render(request, "intake/case_detail.html", context, status=200 if refocus else 422)


@require_POST
@permission_required("intake.edit_checklist")
def nachweis_toggle(request: HttpRequest, pk: int, nachweis_pk: int) -> HttpResponse:
    antrag = get_antrag_for_user(request.user, pk)
    if antrag.is_closed:
        messages.error(request, _("Der Fall ist abgeschlossen."))
        return redirect("intake:case_detail", pk=antrag.pk)
    action = request.POST.get("action") or (
        "received" if request.POST.get("received") == "1" else "reopen"
    )
    reason = request.POST.get("waived_reason", "").strip()
    if action == "waive" and not reason:
        messages.error(request, _("Bitte den Grund für den Verzicht angeben."))
        if request.htmx:
            return HttpResponseClientRedirect(reverse("intake:case_detail", args=[antrag.pk]))
        return redirect("intake:case_detail", pk=antrag.pk)
    try:
        nachweis = nachweis_settle(
            actor=request.user,
            antrag=antrag,
            nachweis_id=nachweis_pk,
            received=action == "received",
            waived_reason=reason if action == "waive" else "",
        )
    except CaseConflict as error:
        messages.error(request, str(error))
        if request.htmx:
            return HttpResponseClientRedirect(reverse("intake:case_detail", args=[antrag.pk]))
        return redirect("intake:case_detail", pk=antrag.pk)
    if request.htmx:
        # The row again, its control keeping the keyboard focus; with the last item settled,
        # the offer to confirm the documents complete (out of band, under the checklist).
        antrag.refresh_from_db()
        context = {"antrag": antrag, "n": nachweis, "may_edit_checklist": True, "focus": True}
        row = render(request, "intake/partials/nachweis_row.html", context).content.decode()
        offer = render(
            request,
            "intake/partials/checklist_complete.html",
            {"antrag": antrag, "oob": True, "offer_complete": _offers_complete(antrag, request)},
        ).content.decode()
        return HttpResponse(row + offer)
    return redirect("intake:case_detail", pk=antrag.pk)


def _offers_complete(antrag: Antrag, request: HttpRequest) -> bool:
    """Whether the checklist is settled and this person may confirm it complete now."""
    return any(
        t["name"] == "confirm_documents_complete" and not t["missing"]
        for t in _step_forms(antrag, request.user)
    )


@permission_required("intake.list_antraege")
def handout_letter(request: HttpRequest, pk: int) -> HttpResponse:
    antrag = get_antrag_for_user(request.user, pk)
    context = {
        "antrag": antrag,
        "jobcenter": antrag.jobcenter,
        "applicant": antrag.applicant,
        "persons": list(antrag.persons.select_related("kunde").order_by("kunde__date_of_birth")),
        "nachweise": antrag.nachweise.filter(
            received_on__isnull=True, waived_reason=""
        ).select_related("document_type"),
        "sender": letter_sender(antrag),
        "today": timezone.localdate(),
    }
    audit_read(
        actor=request.user,
        target=antrag,
        summary=_("Schreiben zur Antragsabgabe abgerufen"),
        subject_ids=[antrag.applicant_id, *(p.kunde_id for p in context["persons"])],
    )
    return render(request, "intake/handout_letter.html", context)


@permission_required("intake.search_kunden")
def customer_search(request: HttpRequest) -> HttpResponse:
    form = CustomerSearchForm(request.GET or None)
    search = None
    if form.is_valid() and (form.cleaned_data["q"] or form.cleaned_data["date_of_birth"]):
        search = kunde_search(
            user=request.user,
            query=form.cleaned_data["q"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            limit=CUSTOMER_SEARCH_LIMIT,
        )
        audit_read(
            actor=request.user,
            target=request.user.jobcenter,
            summary=_("Kundensuche: Treffer angezeigt"),
            subject_ids=[k.pk for k in search.kunden],
        )
    template = (
        "intake/partials/customer_results.html" if request.htmx else "intake/customer_search.html"
    )
    results = search.kunden if search is not None else None
    return render(request, template, {"form": form, "results": results, "search": search})


@permission_required("intake.search_kunden")
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    kunde = get_kunde_for_user(request.user, pk)
    return _customer_page(request, kunde, MasterDataForm(kunde=kunde))


def _customer_page(request, kunde, master_form, *, status: int = 200) -> HttpResponse:
    bg = kunde.bedarfsgemeinschaft
    bg_members = list(bg.members.order_by("date_of_birth")) if bg else []
    kunde_record_view(actor=request.user, kunde=kunde, shown_ids=[m.pk for m in bg_members])
    context = {
        "kunde": kunde,
        "bg_members": bg_members,
        "antraege": antraege_visible_to(request.user)
        .filter(persons__kunde=kunde)
        .select_related("bedarfsgemeinschaft"),
        # The notes come through routing's `Vermerk.objects.visible_to` (need to know).
        "erstgespraech_states": ErstgespraechState,
        "master_form": master_form,
        "may_change": request.user.has_perm("intake.change_kunde", kunde),
    }
    return render(request, "intake/customer_detail.html", context, status=status)


@require_POST
def customer_master_data(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct IFK, address and contact after intake (issue 12)."""
    kunde = get_kunde_for_user(request.user, pk)
    if not request.user.has_perm("intake.change_kunde", kunde):
        raise PermissionDenied
    form = MasterDataForm(request.POST, kunde=kunde)
    if form.is_valid():
        data = dict(form.cleaned_data)
        consent = data.pop("contact_consent")
        try:
            changed = kunde_master_data_change(
                actor=request.user, kunde_id=kunde.pk, changes=data, contact_consent=consent
            )
        except IntakeError as error:
            add_to_form(form, error)
        else:
            if changed:
                messages.success(request, _("Stammdaten gespeichert."))
            else:
                messages.info(request, _("Keine Änderung: die Stammdaten waren schon so."))
            return redirect("intake:customer_detail", pk=kunde.pk)
    return _customer_page(request, kunde, form, status=422)
