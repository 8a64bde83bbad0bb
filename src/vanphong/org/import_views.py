from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def import_page(request):  # replaced by the import feature
    return HttpResponse(status=501)
