"""The IT staff's page: the health of the exchange network, as the hub sees it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vanphong.hub import network


@login_required
@require_GET
def network_page(request):
    health = network.network_health(request.user)  # PermissionDenied: 403 for all but the instance's operators
    counts = {level: health.count(level) for level in (network.OK, network.WARNING, network.PROBLEM)}
    return render(request, "hub/network.html", {"health": health, "counts": counts, "silent_minutes": int(network.silent_after().total_seconds() // 60),
                                                "stale_minutes": int(network.stale_after().total_seconds() // 60)})
