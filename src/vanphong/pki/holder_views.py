"""The page every signed-in person has: their own certificates, and whom to ask for a new one."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vanphong.pki import display, selectors
from vanphong.pki.context_processors import notice_for


@login_required
@require_GET
def my_certificates(request):
    certificates = display.mark(selectors.own_certificates(request.user))
    notice = notice_for(request)
    return render(request, "pki/my_certificates.html", {
        "certificates": certificates, "notice": notice, "warning_days": settings.VANPHONG_CERTIFICATE_WARNING_DAYS,
        "ask": selectors.ca_operators_to_ask(request.user) if notice.lapsed or not certificates else [],
    })
