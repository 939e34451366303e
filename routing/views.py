from urllib.parse import urlencode

from django.contrib import messages
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from intake.access import kunden_visible_to
from intake.selectors import SearchResult
from intake.selectors import kunde_search as find_customers
from jobcenter.errors import add_to_form
from jobcenter.forms import quiet
from jobcenter.hours import phone_board_for
from jobcenter.paging import COUNT_CAP, PER_PAGE, capped_page, page_number, pager
from jobcenter.predicates import is_teamleitung
from jobcenter.services import audit_read, audit_read_refresh
from jobcenter.views import permission_required
from minimumstandards.services import calendar_for

from . import selectors
from .access import get_aufgabe_for_user, get_postfach_for_user, postfaecher_visible_to
from .forms import (
    DoneForm,
    FollowUpForm,
    ForwardForm,
    IdentifyForm,
    RerouteForm,
    TicketForm,
    VermerkForm,
)
from .models import Aufgabe, HotlineTicket, InformationType, Vermerk
from .resolution import plan_routing, source_for
from .services import (
    RoutingError,
    aufgabe_claim,
    aufgabe_done,
    aufgabe_follow_up,
    aufgabe_forward,
    aufgabe_release,
    aufgabe_reroute,
    callback_moment,
    forward_target,
    hotline_ticket_create,
    hotline_ticket_identify,
    vermerk_create,
    vermerk_route,
)
from .today import today_page
from .worklist import (
    SORTS,
    complete_rows,
    mailbox_row,
    sources_for,
    state_counts,
    worklist_rows,
)

SEARCH_LIMIT = 20


def _search_kunden(user, q: str) -> SearchResult:
    """Customers the user may see, by Kd.-Nr., BG-Nummer or name: the one customer search."""
    return find_customers(user=user, query=q or "", limit=SEARCH_LIMIT)


def _plan(form, user):
    kunde = form.selected_kunde
    information_type = form.selected_type
    if kunde is None or information_type is None:
        return None
    urgent = form.data.get(form.add_prefix("urgent")) in ("on", "true", "1")
    return plan_routing(information_type=information_type, kunde=kunde, author=user, urgent=urgent)


def _audit_form_customers(request, form, plan) -> None:
    """The note form names the customers found and the one chosen: that is a read too."""
    shown = [pk for pk, _label in form.fields["kunde"].choices if pk]
    if plan is not None:
        shown.append(plan.kunde.pk)
    if shown:
        audit_read(
            actor=request.user,
            target=request.user.jobcenter,
            summary=_("Vermerkformular: Kundinnen und Kunden angezeigt"),
            subject_ids=shown,
        )


def _vermerk_context(request, form, **extra) -> dict:
    _audit_form_customers(request, form, extra.get("plan"))
    is_ticket = source_for(request.user) == Vermerk.Source.HOTLINE
    jobcenter = request.user.jobcenter
    return {
        "form": form,
        "error_forms": [form],
        "has_errors": form.is_bound and bool(form.errors),
        "is_ticket": is_ticket,
        # Rule R-OE-02: the hotline taking a ticket sees the sites' phone hours of today.
        "phone_board": (
            phone_board_for(jobcenter, timezone.now(), calendar_for(jobcenter).is_working_day)
            if is_ticket
            else None
        ),
        "source_label": Vermerk.Source(source_for(request.user)).label,
        **extra,
    }


@permission_required("routing.write_vermerk")
def vermerk_new(request: HttpRequest) -> HttpResponse:
    """The note form of every desk: search the customer, pick the type, see where it goes."""
    user = request.user
    kunden = kunden_visible_to(user)
    if request.method != "POST":
        q = request.GET.get("q", "")
        initial = {"q": q}
        if request.GET.get("kunde"):
            initial["kunde"] = request.GET["kunde"]
        if request.GET.get("information_type"):
            initial["information_type"] = request.GET["information_type"]
        search = _search_kunden(user, q)
        form = VermerkForm(
            initial=initial,
            kunden=kunden,
            jobcenter_id=user.jobcenter_id,
            search_results=search.kunden,
        )
        return render(
            request,
            "routing/vermerk_form.html",
            _vermerk_context(request, form, searched=bool(q), search=search),
        )

    action = request.POST.get("action", "speichern")
    q = request.POST.get("q", "")
    if action == "suchen":
        search = _search_kunden(user, q)
        form = quiet(
            VermerkForm(
                request.POST,
                kunden=kunden,
                jobcenter_id=user.jobcenter_id,
                search_results=search.kunden,
            )
        )
        template = (
            "routing/partials/kunde_choices.html" if request.htmx else "routing/vermerk_form.html"
        )
        return render(
            request, template, _vermerk_context(request, form, searched=True, search=search)
        )

    form = VermerkForm(request.POST, kunden=kunden, jobcenter_id=user.jobcenter_id)
    if action == "probelauf":
        form.is_valid()
        relevant = {k: v for k, v in form.errors.items() if k in ("kunde", "information_type")}
        form._errors = ErrorDict(relevant)
        context = _vermerk_context(
            request, form, plan=_plan(form, user) if not relevant else None, dry_run=True
        )
        template = "routing/partials/dry_run.html" if request.htmx else "routing/vermerk_form.html"
        return render(request, template, context)

    if form.is_valid() and form.cleaned_data["information_type"] is None:
        # Rule R-IA-01: an Allgemeiner Vermerk is recorded on the customer, routed nowhere.
        c = form.cleaned_data
        text = c["text"].strip()
        vermerk = vermerk_create(
            kunde=c["kunde"],
            author=user,
            subject=text.splitlines()[0][:200],
            text=text,
            known_on=c["known_on"],
            source=source_for(user),
            attachment_ref=c["attachment_ref"].strip(),
        )
        messages.success(request, _("Allgemeiner Vermerk gespeichert (ohne Weiterleitung)."))
        return redirect("routing:vermerk_detail", pk=vermerk.pk)
    if form.is_valid():
        try:
            routed = vermerk_route(author=user, **form.note_kwargs())
        except RoutingError as error:
            add_to_form(form, error)
        else:
            targets = [str(t.label) for t in routed.plan.deliveries]
            # One word throughout: what the hotline takes is a ticket (WU 2c), not a Vermerk.
            is_ticket = routed.vermerk.source == Vermerk.Source.HOTLINE
            if targets:
                text = (
                    _("Ticket angelegt und weitergeleitet an: %(targets)s.")
                    if is_ticket
                    else _("Vermerk gespeichert und weitergeleitet an: %(targets)s.")
                )
                messages.success(request, text % {"targets": ", ".join(targets)})
            else:
                messages.success(
                    request,
                    _("Ticket angelegt. Eine Weiterleitung war nicht nötig.")
                    if is_ticket
                    else _("Vermerk gespeichert. Eine Weiterleitung war nicht nötig."),
                )
            for aufgabe in routed.call_needed:
                messages.warning(
                    request,
                    _("Dringend: Bitte %(to)s zusätzlich telefonisch informieren.")
                    % {"to": aufgabe.postfach or aufgabe.assignee},
                )
            return redirect("routing:vermerk_detail", pk=routed.vermerk.pk)
    context = _vermerk_context(request, form, plan=_plan(form, user))
    return render(request, "routing/vermerk_form.html", context, status=422)


@permission_required("routing.write_vermerk")
def kunde_search(request: HttpRequest) -> HttpResponse:
    """htmx: the customer choices for a search term, the current choice kept."""
    user = request.user
    search = _search_kunden(user, request.GET.get("q", ""))
    form = quiet(
        VermerkForm(
            request.GET,
            kunden=kunden_visible_to(user),
            jobcenter_id=user.jobcenter_id,
            search_results=search.kunden,
        )
    )
    return render(
        request,
        "routing/partials/kunde_choices.html",
        _vermerk_context(request, form, searched=True, search=search),
    )


@permission_required("routing.write_vermerk")
def type_details(request: HttpRequest) -> HttpResponse:
    """htmx: the hint and the fields the chosen information type asks for."""
    form = quiet(
        VermerkForm(
            request.GET,
            kunden=kunden_visible_to(request.user).none(),
            jobcenter_id=request.user.jobcenter_id,
        )
    )
    return render(request, "routing/partials/type_details.html", {"form": form})


@permission_required("routing.use_mailboxes")
def vermerk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vermerk = get_object_or_404(
        Vermerk.objects.visible_to(request.user).select_related(
            "kunde__bedarfsgemeinschaft", "author", "information_type"
        ),
        pk=pk,
    )
    audit_read(
        actor=request.user,
        target=vermerk,
        summary=_("Vermerk eingesehen"),
        subject_ids=[vermerk.kunde_id],
    )
    deliveries = vermerk.deliveries.select_related(
        "postfach", "assignee", "claimed_by", "done_by"
    ).prefetch_related("events__actor", "events__postfach", "events__assignee")
    return render(
        request,
        "routing/vermerk_detail.html",
        {"vermerk": vermerk, "deliveries": deliveries},
    )


# --- the hotline's tickets (rules R-RU-01, R-OE-02) ---------------------------------------------


def _ticket_context(request, form, **extra) -> dict:
    shown = [pk for pk, _label in form.fields["kunde"].choices if pk]
    if shown:
        audit_read(
            actor=request.user,
            target=request.user.jobcenter,
            summary=_("Ticketformular: Kundinnen und Kunden angezeigt"),
            subject_ids=shown,
        )
    jobcenter = request.user.jobcenter
    return {
        "form": form,
        "error_forms": [form],
        "has_errors": form.is_bound and bool(form.errors),
        "phone_board": phone_board_for(
            jobcenter, timezone.now(), calendar_for(jobcenter).is_working_day
        ),
        **extra,
    }


@permission_required("routing.take_ticket")
def ticket_new(request: HttpRequest) -> HttpResponse:
    """The hotline takes a call: a Rückrufbitte or a Sachstandsanfrage, also for a caller not
    on file, to the mailbox of the team that calls back, with the 24-hour callback clock."""
    user = request.user
    kunden = kunden_visible_to(user)
    if request.method != "POST":
        initial = {"kind": request.GET.get("art", "")}
        return render(
            request,
            "routing/ticket_form.html",
            _ticket_context(request, TicketForm(initial=initial, kunden=kunden)),
        )
    q = request.POST.get("q", "")
    if request.POST.get("action") == "suchen":
        search = _search_kunden(user, q)
        form = quiet(TicketForm(request.POST, kunden=kunden, search_results=search.kunden))
        template = (
            "routing/partials/ticket_kunde_choices.html"
            if request.htmx
            else "routing/ticket_form.html"
        )
        return render(
            request, template, _ticket_context(request, form, searched=True, search=search)
        )
    form = TicketForm(request.POST, kunden=kunden)
    if form.is_valid():
        try:
            ticket = hotline_ticket_create(author=user, **form.ticket_kwargs())
        except RoutingError as error:
            add_to_form(form, error)
        else:
            aufgabe = ticket.aufgabe
            messages.success(
                request,
                _("%(kind)s angelegt: an %(postfach)s, Rückruf bis %(due)s.")
                % {
                    "kind": ticket.get_kind_display(),
                    "postfach": aufgabe.postfach,
                    "due": callback_moment(aufgabe.due_at),
                },
            )
            return redirect("routing:ticket_new")
    return render(request, "routing/ticket_form.html", _ticket_context(request, form), status=422)


# --- mailboxes --------------------------------------------------------------------------------


@permission_required("routing.use_mailboxes")
def mailboxes(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "overview": selectors.mailbox_overview(postfaecher=postfaecher_visible_to(user)),
        "personal_count": selectors.personal_count(user),
        "is_lead": is_teamleitung(user),
        "is_ticket": source_for(user) == Vermerk.Source.HOTLINE,
        "now": timezone.now(),
    }
    # The table refreshes itself (X-Poll): counts only, no customer is shown.
    template = "routing/partials/mailboxes_table.html" if request.htmx else "routing/mailboxes.html"
    return render(request, template, context)


def _mailbox_context(request, postfach) -> dict:
    view = request.GET.get("ansicht", "offen")
    if view not in selectors.VIEWS:
        view = "offen"
    sort = request.GET.get("sortierung", "dringend")
    if sort not in ("dringend", "neu"):
        sort = "dringend"
    qs = selectors.mailbox_items(user=request.user, postfach=postfach, view=view, sort=sort)
    # In pages of 50, counted up to a cap: a mailbox's "erledigt" grows without end.
    page = capped_page(qs.order_by()[: COUNT_CAP + 1].count(), request.GET.get("seite"))
    # The page's ids in order from the narrow query, then only these rows for display.
    ids = list(qs.values_list("pk", flat=True)[page.offset : page.offset + PER_PAGE])
    shown = selectors.for_display(Aufgabe.objects.filter(pk__in=ids)).in_bulk()
    page.object_list = items = [shown[pk] for pk in ids if pk in shown]
    # The list refreshes itself (X-Poll): a refresh audits only customers not yet shown.
    audit_read_refresh(
        actor=request.user,
        target=postfach or request.user.jobcenter,
        summary=_("Postfach eingesehen") if postfach else _("Persönliches Postfach eingesehen"),
        subject_ids=[a.kunde_id for a in items],
        key=f"mailbox:{postfach.pk if postfach else 'personal'}",
        full=request.headers.get("X-Poll") != "1",
    )
    return {
        "postfach": postfach,
        "items": items,
        "page": page,
        "pager": pager(page, {"ansicht": view, "sortierung": sort}, "seite"),
        "view": view,
        "sort": sort,
        "views": [
            ("offen", _("offen")),
            ("wiedervorlage", _("auf Wiedervorlage")),
            ("meine", _("von mir übernommen")),
            ("erledigt", _("erledigt")),
        ],
        "sorts": [("dringend", _("dringendste zuerst")), ("neu", _("neueste zuerst"))],
        "today": timezone.localdate(),
        "now": timezone.now(),
        "next": request.get_full_path(),
        "row_context": "mailbox",
    }


@permission_required("routing.use_mailboxes")
def mailbox(request: HttpRequest, pk: int) -> HttpResponse:
    postfach = get_postfach_for_user(request.user, pk)
    context = _mailbox_context(request, postfach)
    template = "routing/partials/mailbox_items.html" if request.htmx else "routing/mailbox.html"
    return render(request, template, context)


@permission_required("routing.use_mailboxes")
def personal_mailbox(request: HttpRequest) -> HttpResponse:
    context = _mailbox_context(request, None)
    template = "routing/partials/mailbox_items.html" if request.htmx else "routing/mailbox.html"
    return render(request, template, context)


def _hotline_ticket(aufgabe: Aufgabe) -> HotlineTicket | None:
    try:
        return aufgabe.hotline_ticket
    except HotlineTicket.DoesNotExist:
        return None


def _identify_context(request, aufgabe: Aufgabe, ticket, form=None) -> dict:
    """The search that completes a caller's identity, on an open ticket without customer."""
    if ticket is None or aufgabe.kunde_id or not aufgabe.is_open:
        return {}
    if not request.user.has_perm("routing.act_on_aufgabe", aufgabe):
        return {}
    q = request.GET.get("q", "").strip()[:100]
    search = _search_kunden(request.user, q) if q else None
    if form is None:
        form = IdentifyForm(
            prefix="id",
            kunden=kunden_visible_to(request.user),
            search_results=search.kunden if search else (),
        )
    shown = [pk for pk, _label in form.fields["kunde"].choices if pk]
    if shown:
        audit_read(
            actor=request.user,
            target=aufgabe,
            summary=_("Identität ergänzen: Kundinnen und Kunden angezeigt"),
            subject_ids=shown,
        )
    return {"identify_form": form, "identify_q": q, "identify_search": search}


def _item_context(request, aufgabe: Aufgabe, **forms) -> dict:
    user = request.user
    ticket = _hotline_ticket(aufgabe)
    claimed_by_other = bool(aufgabe.claimed_by_id and aufgabe.claimed_by_id != user.pk)
    forward_to, forward_why = (None, "")
    if aufgabe.is_open and aufgabe.kunde_id:
        forward_to, forward_why = forward_target(aufgabe)
    # Need to know: the item may be the user's to work, its note still not theirs to read.
    vermerk = aufgabe.vermerk if aufgabe.vermerk_id else None
    if vermerk is not None and not vermerk.is_visible_to(user):
        vermerk = None
    return {
        "aufgabe": aufgabe,
        "vermerk": vermerk,
        "events": aufgabe.events.select_related("actor", "postfach", "assignee", "rule"),
        "deadlines": aufgabe.deadlines.order_by("due_at"),
        "siblings": vermerk.deliveries.exclude(pk=aufgabe.pk).select_related(
            "postfach", "assignee", "claimed_by"
        )
        if vermerk is not None
        else [],
        "may_act": user.has_perm("routing.act_on_aufgabe", aufgabe),
        "claimed_by_other": claimed_by_other,
        "done_form": forms.get("done_form") or DoneForm(prefix="done"),
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(prefix="wv"),
        "reroute_form": forms.get("reroute_form")
        or RerouteForm(
            prefix="um", jobcenter_id=user.jobcenter_id, exclude_postfach_id=aufgabe.postfach_id
        ),
        "forward_form": forms.get("forward_form") or ForwardForm(prefix="wl"),
        "forward_to": forward_to,
        "forward_why": forward_why,
        "error_forms": [f for f in forms.values() if f is not None],
        "has_errors": any(f is not None and f.errors for f in forms.values()),
        "today": timezone.localdate(),
        "now": timezone.now(),
        "ticket": ticket,
        **_identify_context(request, aufgabe, ticket, forms.get("identify_form")),
    }


@permission_required("routing.use_mailboxes")
def item(request: HttpRequest, pk: int) -> HttpResponse:
    aufgabe = get_aufgabe_for_user(request.user, pk)
    audit_read(
        actor=request.user,
        target=aufgabe,
        summary=_("Postfacheintrag eingesehen"),
        subject_ids=[aufgabe.kunde_id],
    )
    return render(request, "routing/item.html", _item_context(request, aufgabe))


def _next_url(request, default: str) -> str:
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _row_response(request, aufgabe: Aufgabe, message: str, level: str = "success"):
    """After a step from a list: the row again (htmx) with an announcement, or back."""
    if request.htmx:
        row_context = request.POST.get("row", "mailbox")
        fresh = selectors.for_display(Aufgabe.objects.filter(pk=aufgabe.pk)).first()
        template = (
            "routing/partials/worklist_row.html"
            if row_context == "worklist"
            else "routing/partials/mailbox_row.html"
        )
        return render(
            request,
            template,
            {
                "a": fresh,
                "row": mailbox_row(fresh, request.user, timezone.now())
                if row_context == "worklist"
                else None,
                "today": timezone.localdate(),
                "now": timezone.now(),
                "next": request.POST.get("next", ""),
                "row_context": row_context,
                "announcement": message,
                "announcement_level": level,
            },
        )
    getattr(messages, level)(request, message)
    return redirect(_next_url(request, reverse("routing:item", args=[aufgabe.pk])))


@require_POST
@permission_required("routing.use_mailboxes")
def item_claim(request: HttpRequest, pk: int) -> HttpResponse:
    aufgabe = get_aufgabe_for_user(request.user, pk)
    try:
        aufgabe = aufgabe_claim(actor=request.user, aufgabe_id=aufgabe.pk)
    except RoutingError as error:
        return _row_response(request, aufgabe, error.message, "error")
    return _row_response(request, aufgabe, _("Übernommen: %(title)s") % {"title": aufgabe.title})


@require_POST
@permission_required("routing.use_mailboxes")
def item_release(request: HttpRequest, pk: int) -> HttpResponse:
    aufgabe = get_aufgabe_for_user(request.user, pk)
    try:
        aufgabe_release(actor=request.user, aufgabe_id=aufgabe.pk)
    except RoutingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Freigegeben: Das Team kann den Eintrag übernehmen."))
    return redirect("routing:item", pk=aufgabe.pk)


def _back_to_mailbox(request, postfach_id: int | None) -> str:
    if postfach_id and postfaecher_visible_to(request.user).filter(pk=postfach_id).exists():
        return reverse("routing:mailbox", args=[postfach_id])
    if postfach_id is None:
        return reverse("routing:personal")
    return reverse("routing:mailboxes")


def _item_step(request, pk: int, form_class, key: str, run, success, *, stay=False, **form_kw):
    """Validate one step's form, call its service, go on; errors show on the item page."""
    aufgabe = get_aufgabe_for_user(request.user, pk)
    prefix = {"done_form": "done", "follow_up_form": "wv", "reroute_form": "um"}.get(key, "wl")
    form = form_class(request.POST, prefix=prefix, **form_kw)
    if form.is_valid():
        try:
            result = run(aufgabe, form.cleaned_data)
        except RoutingError as error:
            add_to_form(form, error)
        else:
            messages.success(request, success(result))
            if stay:
                return redirect("routing:item", pk=aufgabe.pk)
            return redirect(_back_to_mailbox(request, aufgabe.postfach_id))
    aufgabe = get_aufgabe_for_user(request.user, pk)
    return render(
        request, "routing/item.html", _item_context(request, aufgabe, **{key: form}), status=422
    )


@require_POST
@permission_required("routing.use_mailboxes")
def item_done(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_step(
        request,
        pk,
        DoneForm,
        "done_form",
        lambda a, c: aufgabe_done(actor=request.user, aufgabe_id=a.pk, note=c["note"]),
        lambda a: _("Erledigt: %(title)s") % {"title": a.title},
    )


@require_POST
@permission_required("routing.use_mailboxes")
def item_identify(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete a caller's identity on the ticket: the customer found is linked, audited."""
    aufgabe = get_aufgabe_for_user(request.user, pk)
    kunden = kunden_visible_to(request.user)
    raw = request.POST.get("id-kunde", "")
    found = kunden.filter(pk=int(raw)) if raw.isdigit() and len(raw) <= 12 else kunden.none()
    form = IdentifyForm(request.POST, prefix="id", kunden=kunden, search_results=list(found))
    if form.is_valid():
        try:
            hotline_ticket_identify(
                actor=request.user, aufgabe_id=aufgabe.pk, kunde=form.cleaned_data["kunde"]
            )
        except RoutingError as error:
            add_to_form(form, error)
        else:
            kunde = form.cleaned_data["kunde"]
            messages.success(
                request,
                _("Identität ergänzt: %(name)s (Kd.-Nr. %(nr)s).")
                % {"name": kunde.full_name, "nr": kunde.kundennummer},
            )
            return redirect("routing:item", pk=aufgabe.pk)
    aufgabe = get_aufgabe_for_user(request.user, pk)
    return render(
        request,
        "routing/item.html",
        _item_context(request, aufgabe, identify_form=form),
        status=422,
    )


@require_POST
@permission_required("routing.use_mailboxes")
def item_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_step(
        request,
        pk,
        FollowUpForm,
        "follow_up_form",
        lambda a, c: aufgabe_follow_up(
            actor=request.user, aufgabe_id=a.pk, on=c["on"], note=c["note"]
        ),
        lambda a: (
            _("Wiedervorlage am %(date)s gesetzt: %(title)s")
            % {"date": date_format(a.follow_up_on, "d.m.Y"), "title": a.title}
        ),
    )


@require_POST
@permission_required("routing.use_mailboxes")
def item_reroute(request: HttpRequest, pk: int) -> HttpResponse:
    aufgabe = get_aufgabe_for_user(request.user, pk)
    return _item_step(
        request,
        pk,
        RerouteForm,
        "reroute_form",
        lambda a, c: aufgabe_reroute(
            actor=request.user, aufgabe_id=a.pk, postfach=c["postfach"], reason=c["reason"]
        ),
        lambda a: _("Umgeleitet an %(to)s: %(title)s") % {"to": a.postfach, "title": a.title},
        jobcenter_id=request.user.jobcenter_id,
        exclude_postfach_id=aufgabe.postfach_id,
    )


@require_POST
@permission_required("routing.use_mailboxes")
def item_forward(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_step(
        request,
        pk,
        ForwardForm,
        "forward_form",
        lambda a, c: aufgabe_forward(actor=request.user, aufgabe_id=a.pk, note=c["note"]),
        lambda copy: _("Weitergeleitet an %(to)s.") % {"to": copy.postfach},
        stay=True,
    )


# --- worklist ---------------------------------------------------------------------------------


@permission_required("routing.use_worklist")
def worklist(request: HttpRequest) -> HttpResponse:
    user = request.user
    sources = sources_for(user)
    category = request.GET.get("art", "")
    if category not in {s.key for s in sources}:
        category = ""
    # Leistung's list holds the team's open cases: it offers them by state. The IFK's is
    # "Heute": today's appointments and arrivals first.
    lists_cases = any(s.key == "fall" for s in sources)
    default_sort = "dringlichkeit" if lists_cases else "heute"
    sort = request.GET.get("sortierung", default_sort)
    if sort not in SORTS:
        sort = default_sort
    descending = request.GET.get("richtung") == "ab"
    q = request.GET.get("q", "").strip()[:100]
    states = state_counts(user) if lists_cases else []
    state = request.GET.get("status", "")
    if state not in {s for s, _label, _n in states}:
        state = ""
    filters = {"category": category, "q": q, "state": state, "sort": sort}
    if lists_cases:
        # Thousands of open cases: the sources give only what the pages up to this one need.
        wanted = page_number(request.GET.get("seite"), last=COUNT_CAP // PER_PAGE)
        rows, total = worklist_rows(user, **filters, descending=descending, limit=wanted * PER_PAGE)
        today = None
        page = capped_page(total, request.GET.get("seite"))
        page.object_list = complete_rows(
            rows[page.offset : page.offset + PER_PAGE], user, timezone.now()
        )
    else:
        # The IFK's "Heute": counters on top, one row per customer with all its reasons,
        # read one page of customers at a time.
        now = timezone.now()
        offset = (page_number(request.GET.get("seite"), last=COUNT_CAP // PER_PAGE) - 1) * PER_PAGE
        rows, total, today = today_page(
            user, **filters, descending=descending, now=now, offset=offset
        )
        page = capped_page(total, request.GET.get("seite"))
        if page.offset != offset:  # past the last page: the last one
            rows, total, today = today_page(
                user, **filters, descending=descending, now=now, offset=page.offset
            )
        page.object_list = rows
    rows = page.object_list
    # The table refreshes itself (X-Poll): a refresh audits only customers not yet shown.
    audit_read_refresh(
        actor=user,
        target=user.jobcenter,
        summary=_("Arbeitsliste eingesehen"),
        subject_ids=[r.kunde.pk for r in rows if r.kunde is not None],
        key="worklist",
        full=request.headers.get("X-Poll") != "1",
    )
    params = {"art": category, "q": q, "status": state}
    columns = []
    for key, label in (
        ("dringlichkeit", _("Dringlichkeit")),
        ("art", _("Art")),
        ("kunde", _("Kundin / Kunde")),
        ("faellig", _("fällig")),
        ("eingang", _("Eingang")),
    ):
        active = key == sort
        next_dir = "auf" if (active and descending) or not active else "ab"
        query = {**params, "sortierung": key, "richtung": next_dir}
        columns.append(
            {
                "key": key,
                "label": label,
                "active": active,
                "aria_sort": ("descending" if descending else "ascending") if active else None,
                # The filter text may be a name: it is encoded, and kept out of pushed URLs.
                "query": urlencode({k: v for k, v in query.items() if v}),
            }
        )
    context = {
        "rows": rows,
        "page": page,
        "pager": pager(
            page, {**params, "sortierung": sort, "richtung": "ab" if descending else ""}, "seite"
        ),
        "sources": sources,
        "category": category,
        "q": q,
        "states": states,
        "state": state,
        "sort": sort,
        "descending": descending,
        "columns": columns,
        "now": timezone.now(),
        "today": timezone.localdate(),
        "next": request.get_full_path(),
        "lists_cases": lists_cases,
        "today_counts": today,
    }
    template = "routing/partials/worklist_table.html" if request.htmx else "routing/worklist.html"
    return render(request, template, context)


# --- rules and statistics ---------------------------------------------------------------------


@permission_required("routing.read_rules")
def rules(request: HttpRequest) -> HttpResponse:
    types = selectors.rule_statistics(jobcenter_id=request.user.jobcenter_id)
    return render(
        request,
        "routing/rules.html",
        {
            "types": types,
            "may_write": request.user.has_perm("routing.write_vermerk"),
            "may_edit": request.user.has_perm("routing.edit_rules"),
            "requirement": InformationType.Requirement,
        },
    )
