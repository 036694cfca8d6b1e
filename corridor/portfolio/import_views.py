# Placeholder: replaced by the import work.
from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("todo")


import_start = import_template = import_status = _todo
